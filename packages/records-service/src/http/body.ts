import { FieldError, InvalidDataError, PayloadTooLargeError } from '@recordkit/rest-errors';
import type { RequestBody, RequestHeaders } from './types.js';

/** One header value from either header shape. */
export function header(headers: RequestHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const decoder = () => new TextDecoder('utf-8', { fatal: true });

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(limit);
}

function decode(bytes: Uint8Array): string {
  try {
    return decoder().decode(bytes);
  } catch {
    const message = 'The request body is not valid UTF-8.';
    throw new InvalidDataError(message, [new FieldError('body', message, 'invalid_encoding', { pointer: '' })]);
  }
}

/**
 * Read a request body as UTF-8 text, refusing more than `limit` bytes with a 413 (checked against
 * `Content-Length` first, then while reading, so an oversized body is never buffered).
 */
export async function readBody(body: RequestBody, headers: RequestHeaders, limit: number): Promise<string> {
  const declared = header(headers, 'content-length');
  if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > limit) throw tooLarge(limit);
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') {
    if (Buffer.byteLength(body) > limit) throw tooLarge(limit);
    return body;
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > limit) throw tooLarge(limit);
    return decode(body);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterable: AsyncIterable<Uint8Array | string> =
    typeof (body as ReadableStream<Uint8Array>).getReader === 'function'
      ? readableToIterable(body as ReadableStream<Uint8Array>)
      : (body as AsyncIterable<Uint8Array | string>);
  for await (const chunk of iterable) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total > limit) throw tooLarge(limit);
    chunks.push(bytes);
  }
  return decode(Buffer.concat(chunks));
}

async function* readableToIterable(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
