import type { IncomingMessage } from 'node:http';
import { BadRequestError, PayloadTooLargeError, RestError } from '@recordkit/rest-errors';
import getRawBody from 'raw-body';

/**
 * Read a request body into a Buffer, at most `limit` bytes (raw-body: checks `Content-Length` before
 * reading and counts bytes while reading). Too large is a 413; a body shorter or longer than its
 * `Content-Length` is a 400; a `Content-Encoding` other than identity is a 415 (RFC 9110 §8.4.1), since
 * the server does not decompress request bodies.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14 RFC 9110 §15.5.14 413 Content Too Large
 * @example
 * const bytes = await readBody(req, 10 * 1024 * 1024);
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new RestError(`Unsupported Content-Encoding "${encoding}". Send the body uncompressed.`, {
      status: 415,
      code: 'unsupported_media_type',
      headers: { 'Accept-Encoding': 'identity' },
    });
  }
  const declared = req.headers['content-length'];
  try {
    return await getRawBody(req, { limit, ...(declared !== undefined && /^\d+$/.test(declared) ? { length: Number(declared) } : {}) });
  } catch (e) {
    const type = (e as { type?: string }).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limit, { cause: e });
    if (type === 'request.size.invalid') {
      throw new BadRequestError('The request body length does not match its Content-Length header.', { cause: e });
    }
    if (type === 'request.aborted') throw new BadRequestError('The request was aborted by the client.', { cause: e });
    throw e;
  }
}
