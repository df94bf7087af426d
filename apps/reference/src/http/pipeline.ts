import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  toResponse,
  toRestError,
} from '@recordkit/rest-errors';
import type { ResolvedConfig } from '../config/types.js';
import { ANONYMOUS, type Identity, type TokenRegistry } from '../identity/tokens.js';
import { readBody } from './body.js';
import { corsApplier } from './cors.js';
import { type Logger, requestIdOf } from './logger.js';
import type { RequestRateLimiter } from './rate-limit.js';

/** What a route sees of a request: the parsed URL, who is calling, and the body on demand. */
export interface RequestContext {
  readonly req: IncomingMessage;
  /** Upper-case method. */
  readonly method: string;
  /** Absolute URL (base from `server.baseUrl`, else from the Host header). */
  readonly url: URL;
  /** Base of absolute links: `server.baseUrl` (may carry a path prefix) or scheme and Host of the request. */
  readonly baseUrl: string;
  readonly requestId: string;
  readonly identity: Identity;
  readonly clientAddress: string;
  /** Logger bound to this request (`reqId` on every line). */
  readonly log: Logger;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** The body, read once with the configured size limit (413 beyond it). */
  body(): Promise<Buffer>;
}

/** A response: status, headers, and a body that is a string, bytes or a stream of chunks (exports). */
export interface ResponseDescription {
  status: number;
  headers?: Record<string, string | number | readonly string[]>;
  body?: string | Uint8Array | AsyncIterable<string | Uint8Array> | null;
}

/** A route: answers the requests it knows, returns undefined for the others (the next route is tried). */
export type RouteHandler = (ctx: RequestContext) => Promise<ResponseDescription | undefined>;

/** Readiness of the dependencies, for `/ready`. */
export type ReadinessCheck = () => Promise<Record<string, 'ok' | string>>;

/** What the request pipeline needs. */
export interface PipelineOptions {
  config: ResolvedConfig;
  logger: Logger;
  tokens: TokenRegistry;
  rateLimiter?: RequestRateLimiter;
  /** The routes, or a getter (routes that exist only once the server knows its own URL); undefined answers 503. */
  routes: readonly RouteHandler[] | (() => readonly RouteHandler[] | undefined);
  ready?: ReadinessCheck;
  /** True once shutdown has begun: `/ready` answers 503 and responses carry `Connection: close`. */
  isShuttingDown?: () => boolean;
}

/**
 * The reference server's request pipeline for node:http, in the order of DESIGN.md: request id and
 * `X-Content-Type-Options: nosniff`; CORS (preflights end here); `/health` and `/ready`; rate limit
 * (per user when the token is valid, else per client address); identity (401 for a bad token); the
 * routes. Errors anywhere are rendered by @recordkit/rest-errors (Invenio JSON or RFC 9457) and keep
 * the CORS and rate-limit headers already set. One JSON log line per request.
 *
 * @example
 * const server = createServer(createRequestListener({ config, logger, tokens, routes }));
 */
export function createRequestListener(options: PipelineOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, logger, tokens, rateLimiter, routes } = options;
  const applyCors = corsApplier(config.cors);
  const shuttingDown = options.isShuttingDown ?? (() => false);
  const base = baseOrigin(config);
  const origins: OriginCache = {};

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    // The child logger and the abort controller are built on first use: most requests log only their
    // request line (nothing when the level is above info) and are never aborted.
    let log: Logger | undefined;
    const requestLog = () => {
      log ??= logger.child({ reqId: requestId });
      return log;
    };
    // Read now: once the client is gone, the socket no longer knows its peer (node caches it per socket).
    const clientAddress = clientAddressOf(req, config.server.trustProxy);
    let controller: AbortController | undefined;
    let closed = false;
    let identity: Identity = ANONYMOUS;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (shuttingDown()) res.setHeader('Connection', 'close');

    res.once('close', () => {
      closed = true;
      if (controller && !res.writableFinished) controller.abort();
      const failed = res.statusCode >= 500;
      if (!failed && !logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        url: req.url,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        user: identity.id,
        ip: clientAddress,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (failed) requestLog().error(line, 'request');
      else requestLog().info(line, 'request');
    });

    const handle = async () => {
      const preflight = applyCors(req, res);
      if (preflight !== false && (await preflight)) return;
      const { url, baseUrl } = requestUrl(req, config, base, origins);
      const method = (req.method ?? 'GET').toUpperCase();

      if (isBuiltinPath(url.pathname)) return write(req, res, await builtinRoute(method, url.pathname, options, shuttingDown()));

      let identityError: unknown;
      try {
        identity = tokens.identify(req.headers.authorization);
      } catch (e) {
        identityError = e;
      }
      if (rateLimiter) {
        const authenticated = identity.id !== null;
        const outcome = await rateLimiter.consume(
          authenticated ? 'authenticated' : 'guest',
          authenticated ? `user:${identity.id}` : `ip:${clientAddress}`,
        );
        for (const [name, value] of Object.entries(outcome.headers)) res.setHeader(name, value);
        if (outcome.error) throw outcome.error;
      }
      if (identityError) throw identityError;

      let body: Promise<Buffer> | undefined;
      const ctx: RequestContext = {
        req,
        method,
        url,
        baseUrl,
        requestId,
        identity,
        clientAddress,
        get log() {
          return requestLog();
        },
        get signal() {
          if (!controller) {
            controller = new AbortController();
            if (closed && !res.writableFinished) controller.abort();
          }
          return controller.signal;
        },
        body: () => {
          body ??= readBody(req, config.server.bodyLimit);
          return body;
        },
      };
      const current = typeof routes === 'function' ? routes() : routes;
      if (!current) throw new ServiceUnavailableError(1, 'The server is starting.');
      for (const route of current) {
        const response = await route(ctx);
        if (response) return write(req, res, response);
      }
      throw new NotFoundError();
    };

    handle().catch((e: unknown) => {
      const error = toRestError(e);
      if (error.status >= 500) requestLog().error({ err: error.cause ?? error }, 'request failed');
      if (error.status === 413 || error.code === 'bad_request') res.setHeader('Connection', 'close');
      const rendered = toResponse(error, { accept: req.headers.accept ?? null, format: config.errors.format, instance: safePath(req.url) });
      return write(req, res, { status: rendered.status, headers: rendered.headers, body: rendered.body ?? null }).catch(
        (writeError: unknown) => {
          requestLog().error({ err: writeError }, 'could not write the error response');
          res.destroy();
        },
      );
    });
  };
}

function isBuiltinPath(path: string): boolean {
  return path === '/health' || path === '/ready';
}

async function builtinRoute(method: string, path: string, options: PipelineOptions, shuttingDown: boolean): Promise<ResponseDescription> {
  if (method === 'OPTIONS') return { status: 204, headers: { Allow: 'GET, HEAD, OPTIONS' } };
  if (method !== 'GET' && method !== 'HEAD') throw new MethodNotAllowedError(['GET', 'HEAD', 'OPTIONS']);
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  if (path === '/health') return { status: 200, headers, body: JSON.stringify({ status: 'ok' }) };
  if (shuttingDown) throw new ServiceUnavailableError(undefined, 'The server is shutting down.');
  const checks = options.ready ? await options.ready().catch((e: unknown) => ({ server: e instanceof Error ? e.message : String(e) })) : {};
  const failed = Object.entries(checks).filter(([, v]) => v !== 'ok');
  if (failed.length) {
    throw new ServiceUnavailableError(5, `Not ready: ${failed.map(([k, v]) => `${k} (${v})`).join(', ')}.`, { details: { checks } });
  }
  return { status: 200, headers, body: JSON.stringify({ status: 'ready', checks }) };
}

/**
 * Write a response description to node:http. Headers already set on `res` (request id, CORS,
 * rate limit) are kept; a stream body is piped with back-pressure; HEAD and 204/304 send no body.
 *
 * @example
 * await write(req, res, { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
 */
export async function write(req: IncomingMessage, res: ServerResponse, response: ResponseDescription): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    res.setHeader(name, typeof value === 'number' ? String(value) : (value as string | string[]));
  }
  const { body } = response;
  const noBody = req.method === 'HEAD' || response.status === 204 || response.status === 304 || body === undefined || body === null;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(noBody ? undefined : body);
    return;
  }
  if (noBody) {
    // A stream that will not be sent must still be closed (it may hold a cursor or a point in time).
    const iterator = body as unknown as Partial<AsyncIterator<unknown>> | null | undefined;
    if (iterator && typeof iterator.return === 'function') await iterator.return();
    res.end();
    return;
  }
  await pipeline(Readable.from(body), res);
}

function clientAddressOf(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The origin of the configured base URL, parsed once (undefined when links follow the Host header). */
function baseOrigin(config: ResolvedConfig): string | undefined {
  const baseUrl = config.server.baseUrl;
  if (!baseUrl) return undefined;
  try {
    return new URL(baseUrl).origin;
  } catch {
    return undefined; // the request fails as before, with a 400 from requestUrl
  }
}

/** The last Host-derived base URL and its origin: clients send the same Host on every request. */
interface OriginCache {
  base?: string;
  origin?: string;
}

/** Characters the URL parser removes or reads as `/` anywhere in a target (tab, CR, LF, backslash). */
const URL_SPECIAL = /[\t\n\r\\]/;

function requestUrl(
  req: IncomingMessage,
  config: ResolvedConfig,
  configuredOrigin: string | undefined,
  cache: OriginCache,
): { url: URL; baseUrl: string } {
  let baseUrl = config.server.baseUrl;
  let origin = baseUrl ? configuredOrigin : undefined;
  if (!baseUrl) {
    const forwardedHost = config.server.trustProxy ? headerValue(req.headers['x-forwarded-host']) : undefined;
    const forwardedProto = config.server.trustProxy ? headerValue(req.headers['x-forwarded-proto']) : undefined;
    const host = forwardedHost ?? req.headers.host ?? `${config.server.host}:${config.server.port}`;
    if (!HOST.test(host)) throw new BadRequestError('The Host header is not a valid host name.');
    const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : 'http';
    baseUrl = `${scheme}://${host}`;
    if (cache.base === baseUrl) origin = cache.origin;
  }
  try {
    const target = req.url ?? '/';
    if (!target.startsWith('/')) throw new Error('not origin-form');
    if (origin === undefined) {
      origin = new URL(baseUrl).origin;
      if (!config.server.baseUrl) {
        cache.base = baseUrl;
        cache.origin = origin;
      }
    }
    // One parse instead of two (target and base): for a path that does not start with "//" and holds
    // no character the parser strips or turns into "/", origin + target is the same URL.
    const simple = target.charCodeAt(1) !== 47 && !URL_SPECIAL.test(target);
    return { url: simple ? new URL(origin + target) : new URL(target, origin), baseUrl };
  } catch {
    throw new BadRequestError('The request target is not a valid path.');
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim() || undefined;
}

function safePath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.split('?')[0]!;
  return path.length <= 2048 ? path : undefined;
}
