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
  const apply = corsApplier(options);
  return async (req, res) => apply(req, res);
}

/**
 * {@link createCors} for the request pipeline: answers synchronously (`false`, headers set) where the
 * `cors` package's answer is fixed, i.e. a request that is not OPTIONS with `origins: '*'`. There the
 * package always sets `Access-Control-Allow-Origin: *`, `Access-Control-Allow-Credentials: true` when
 * configured, and `Access-Control-Expose-Headers`, in that order, whatever the request; setting those
 * three directly saves its per-request option copies, callbacks and a promise. Every other request
 * (preflights, a list of origins) goes through the package.
 */
export function corsApplier(options: ResolvedConfig['cors']): (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean> {
  if (options === false) return () => false;
  const middleware = cors({
    origin: options.origins === '*' ? '*' : options.origins,
    credentials: options.credentials,
    maxAge: options.maxAge,
    methods: METHODS,
    exposedHeaders: EXPOSED_HEADERS,
    preflightContinue: true,
  });
  const viaPackage = (req: IncomingMessage, res: ServerResponse) =>
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
  if (options.origins !== '*') return viaPackage;
  const exposed = EXPOSED_HEADERS.join(',');
  const credentials = options.credentials === true;
  return (req, res) => {
    if (req.method === 'OPTIONS') return viaPackage(req, res);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', exposed);
    return false;
  };
}
