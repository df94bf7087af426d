import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { ResolvedConfig } from '../config/types.js';

/**
 * Response headers a browser script may read (`Access-Control-Expose-Headers`): Invenio's list (ETag,
 * Link, X-RateLimit-*, Content-Type) plus Location (201), the IETF RateLimit fields, Retry-After,
 * Accept-Patch, Allow and the request id.
 */
export const EXPOSED_HEADERS = [
  'Accept-Patch',
  'Allow',
  'Content-Type',
  'ETag',
  'Link',
  'Location',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-Request-Id',
];

/** Methods a preflight allows. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * CORS for node:http with the `cors` package. Headers are set on the response before routing, so
 * error responses (including 401, 404 and 429) keep them. Returns true when the request was a
 * preflight and has been answered (204); a plain `OPTIONS` without `Access-Control-Request-Method`
 * goes on to the route, which answers it with `Allow`.
 *
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol Fetch standard, CORS protocol
 * @example
 * const applyCors = createCors(config.cors);
 * if (await applyCors(req, res)) return; // preflight answered
 */
export function createCors(options: ResolvedConfig['cors']): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  if (options === false) return async () => false;
  const middleware = cors({
    origin: options.origins === '*' ? '*' : options.origins,
    credentials: options.credentials,
    maxAge: options.maxAge,
    methods: METHODS,
    exposedHeaders: EXPOSED_HEADERS,
    preflightContinue: true,
  });
  return (req, res) =>
    new Promise<boolean>((resolve, reject) => {
      middleware(req, res, (err?: unknown) => {
        if (err) return reject(err);
        const preflight =
          req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
        if (preflight) {
          res.statusCode = 204;
          res.setHeader('Content-Length', '0');
          res.end();
        }
        resolve(preflight);
      });
    });
}
