import type { RecordsService } from '@recordkit/records-service';
import { MethodNotAllowedError } from '@recordkit/rest-errors';
import type { ResolvedConfig } from '../config/types.js';
import type { ResponseDescription, RouteHandler } from '../http/pipeline.js';
import { openapiDocument } from './document.js';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document, generated once from the configuration.
 *
 * @example
 * startServer({ config, routes: [openapiRoute(config, service), records.route] });
 */
export function openapiRoute(config: ResolvedConfig, service: RecordsService): RouteHandler {
  const body = JSON.stringify(openapiDocument(config, service));
  return async (ctx): Promise<ResponseDescription | undefined> => {
    if (ctx.url.pathname !== '/openapi.json') return undefined;
    if (ctx.method === 'OPTIONS') return { status: 200, headers: { Allow: 'GET, HEAD, OPTIONS' } };
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new MethodNotAllowedError(['GET', 'HEAD', 'OPTIONS']);
    return { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }, body };
  };
}
