import { FieldError, InvalidContentTypeError } from '@recordkit/rest-errors';
import { parseMediaType } from './media-type.js';
import { type HeadersInput, readHeader } from './request-input.js';

/**
 * Options of {@link requireContentType}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5789#section-3.1 RFC 5789 §3.1 Accept-Patch
 * @example
 * requireContentType(req.headers, ['application/json-patch+json'], { header: 'Accept-Patch' });
 */
export interface RequireContentTypeOptions {
  /**
   * Whether the request has a body. Default: read from the headers (a `Content-Length` other than 0, or
   * any `Transfer-Encoding`, RFC 9112 §6.3). Set it where headers do not tell, e.g. HTTP/2 without
   * `Content-Length`.
   */
  hasBody?: boolean;
  /** The response header that lists the accepted types on a 415: `Accept` (default) or, for PATCH, `Accept-Patch` (RFC 5789 §3.1). */
  header?: 'Accept' | 'Accept-Patch';
}

const MAX_ECHO = 100;

/**
 * Check a request body's `Content-Type` against the accepted media types. Parameters (`charset=utf-8`)
 * are ignored and the comparison is case-insensitive, as for Invenio's `require_content_types`. A body
 * without `Content-Type` is refused too; a request with neither (a bodyless POST) passes, where Invenio
 * answers 415 because it compares the empty type.
 *
 * Returns the entry of `allowed` that matched, or `undefined` when the request has neither a body nor a
 * `Content-Type` (nothing to check).
 *
 * @throws InvalidContentTypeError (415) whose message lists the accepted types; the response's `Accept`
 *   (or `Accept-Patch`) header lists them too.
 * @throws TypeError when `allowed` holds something that is not a media type (a programming error).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.3 RFC 9110 §8.3 Content-Type
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16 RFC 9110 §15.5.16 415 Unsupported Media Type
 * @example
 * requireContentType(req.headers, ['application/json']); // before reading the body
 */
export function requireContentType(
  headers: HeadersInput | null | undefined,
  allowed: readonly string[],
  options: RequireContentTypeOptions = {},
): string | undefined {
  if (!Array.isArray(allowed) || allowed.length === 0) throw new TypeError('requireContentType: allowed must list at least one media type');
  const value = readHeader(headers, 'content-type');
  const header = options.header ? { header: options.header } : {};
  if (value === undefined || value.trim() === '') {
    if (!(options.hasBody ?? hasBody(headers))) return undefined;
    const reason = `The request has a body but no Content-Type; send one of: ${allowed.join(', ')}.`;
    throw new InvalidContentTypeError(allowed, undefined, { ...header, errors: [new FieldError('Content-Type', reason, 'missing')] });
  }
  const received = parseMediaType(value.trim());
  const essence = received && `${received.type}/${received.subtype}`;
  for (const entry of allowed) {
    const type = typeof entry === 'string' ? parseMediaType(entry.trim()) : undefined;
    if (type === undefined || type.type === '*' || type.subtype === '*') {
      throw new TypeError(`requireContentType: allowed entry ${JSON.stringify(entry)} is not a media type (expected type/subtype)`);
    }
    if (essence === `${type.type}/${type.subtype}`) return entry;
  }
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}...` : value;
  const reason =
    received === undefined
      ? `"${shown}" is not a media type; send one of: ${allowed.join(', ')}.`
      : `${essence} is not accepted here; send one of: ${allowed.join(', ')}.`;
  throw new InvalidContentTypeError(allowed, shown, { ...header, errors: [new FieldError('Content-Type', reason, 'unsupported')] });
}

function hasBody(headers: HeadersInput | null | undefined): boolean {
  if (readHeader(headers, 'transfer-encoding') !== undefined) return true;
  const length = readHeader(headers, 'content-length');
  return length !== undefined && length.trim() !== '0' && length.trim() !== '';
}
