import { RecordsService, type Identity as ServiceIdentity } from '@recordkit/records-service';
import { RecordsResource, type ResourceRequest } from '@recordkit/records-service/http';
import { RestError } from '@recordkit/rest-errors';
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../http/logger.js';
import type { RequestContext, RouteHandler } from '../http/pipeline.js';
import type { Identity } from '../identity/tokens.js';
import type { Backends } from './backends.js';
import { toServiceEndpoint } from './endpoint.js';

/** The records side of the server: the service, its HTTP resource, and the route that serves it. */
export interface RecordsApp {
  service: RecordsService;
  resource: RecordsResource;
  /** Serves every endpoint route (list, item, `_options`, `_suggest`, `_export`); undefined for other paths. */
  route: RouteHandler;
  /** Stop the outbox timer. */
  close(): void;
}

/**
 * The identity records-service expects (`undefined` for anonymous).
 *
 * @example
 * toServiceIdentity({ id: 'alice', roles: ['curator'] }); // { id: 'alice', roles: ['curator'] }
 */
export function toServiceIdentity(identity: Identity): ServiceIdentity | undefined {
  return identity.id === null ? undefined : { id: identity.id, roles: identity.roles };
}

/**
 * Build the records service over the backends (one records-service endpoint per configured
 * endpoint), create missing indexes from their mappings, and wrap it in the records-service HTTP
 * resource. Links are built on `baseUrl`. When the store keeps an outbox (PostgreSQL), it is drained
 * after each write and every 5 seconds, so writes made while the search engine was away get indexed.
 *
 * @example
 * const records = await createRecordsApp({ config, backends, baseUrl: 'http://127.0.0.1:5000', logger });
 * startServer({ config, routes: [records.route] });
 */
export async function createRecordsApp(options: {
  config: ResolvedConfig;
  backends: Backends;
  baseUrl: string;
  logger: Logger;
}): Promise<RecordsApp> {
  const { config, backends, logger } = options;
  const service = new RecordsService({
    store: backends.store,
    search: backends.search,
    baseUrl: options.baseUrl,
    endpoints: Object.fromEntries(
      config.endpoints.map((e) => [
        e.name,
        toServiceEndpoint(e, config.server.cursorSecret ? { cursorSecret: config.server.cursorSecret } : {}),
      ]),
    ),
    onIndexError: (error) => logger.warn({ err: error }, 'indexing failed; the write is kept in the outbox and retried'),
  });
  await service.setup();
  const resource = new RecordsResource({
    service,
    maxBodyBytes: config.server.bodyLimit,
    errorFormat: config.errors.format,
    onServerError: (error, request) => ((request as ContextualRequest)[CONTEXT]?.log ?? logger).error({ err: error }, 'request failed'),
  });

  let timer: NodeJS.Timeout | undefined;
  if (!backends.store.indexesInTransaction) {
    timer = setInterval(() => {
      service.processIndexQueue().catch((error: unknown) => logger.warn({ err: error }, 'outbox: indexing failed, will retry'));
    }, 5000);
    timer.unref();
  }

  const route: RouteHandler = async (ctx: RequestContext) => {
    if (!resource.route(ctx.url.pathname)) return undefined;
    rejectEncodedBody(ctx);
    const request: ContextualRequest = {
      method: ctx.method,
      url: `${ctx.url.pathname}${ctx.url.search}`,
      headers: ctx.req.headers,
      body: ctx.req,
      identity: toServiceIdentity(ctx.identity) ?? null,
      [CONTEXT]: ctx,
    };
    const response = await resource.handle(request);
    if (response.status === 413) response.headers.Connection = 'close';
    return response;
  };

  return { service, resource, route, close: () => clearInterval(timer) };
}

/**
 * The request context a resource request was made from, for its logger (built only when a 5xx needs
 * it). A symbol key on the request itself rather than a WeakMap: one per request, gone with it.
 */
const CONTEXT = Symbol('request context');
type ContextualRequest = ResourceRequest & { [CONTEXT]?: RequestContext };

/** The server does not decompress request bodies: a compressed one is a 415 (RFC 9110 §8.4.1). */
function rejectEncodedBody(ctx: RequestContext): void {
  const encoding = ctx.req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new RestError(`Unsupported Content-Encoding "${encoding}". Send the body uncompressed.`, {
      status: 415,
      code: 'unsupported_media_type',
      headers: { 'Accept-Encoding': 'identity' },
    });
  }
}
