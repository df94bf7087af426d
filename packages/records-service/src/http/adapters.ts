import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '../permissions.js';
import type { RecordsResource } from './resource.js';
import type { ResourceRequest, ResourceResponse } from './types.js';

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Establish who is asking (e.g. from a Bearer token); undefined or null is anonymous. Throw a
   * `RestError` (e.g. `UnauthorizedError` for a bad token) to answer with it.
   */
  identify?: (req: IncomingMessage) => Identity | null | undefined | Promise<Identity | null | undefined>;
}

/**
 * Write a {@link ResourceResponse} to a `node:http` response: headers, then the string body with its
 * `Content-Length`, or the streamed chunks with backpressure. A stream that fails midway destroys the
 * socket (the status is already sent; a truncated body must not look complete).
 *
 * @example
 * await writeNodeResponse(res, await resource.handle(request));
 */
export async function writeNodeResponse(res: ServerResponse, response: ResourceResponse): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  const body = response.body;
  if (body === undefined) {
    if (response.status !== 204 && response.status !== 304 && !res.hasHeader('content-length')) res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  if (typeof body === 'string') {
    res.setHeader('Content-Length', String(Buffer.byteLength(body)));
    res.end(body);
    return;
  }
  try {
    for await (const chunk of body) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy();
  }
}

/**
 * The request description of a `node:http` request (its body is read later, only if needed).
 * @example
 * await resource.handle(nodeRequest(req, identity));
 */
export function nodeRequest(req: IncomingMessage, identity?: Identity | null): ResourceRequest {
  const request: ResourceRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: req };
  if (identity !== undefined) request.identity = identity;
  return request;
}

/**
 * A `node:http` request listener for the resource; also an Express, Koa (`ctx.req`, `ctx.res` with
 * `ctx.respond = false`) or Fastify (`request.raw`, `reply.raw` after `reply.hijack()`) handler.
 *
 * @example
 * createServer(createNodeHandler(resource, { identify: (req) => users.fromToken(req.headers.authorization) })).listen(5000);
 */
export function createNodeHandler(
  resource: RecordsResource,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let response: ResourceResponse;
    try {
      const identity = options.identify ? await options.identify(req) : undefined;
      response = await resource.handle(nodeRequest(req, identity));
    } catch (error) {
      // `identify` refused the credentials (a RestError such as 401 keeps its status) or failed.
      response = await resource.errorResponse(error, nodeRequest(req));
    }
    await writeNodeResponse(res, response);
  };
}

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  identify?: (request: Request) => Identity | null | undefined | Promise<Identity | null | undefined>;
}

function toStream(body: AsyncIterable<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * A Fetch `Response` of a {@link ResourceResponse}.
 * @example
 * return toFetchResponse(await resource.handle(request));
 */
export function toFetchResponse(response: ResourceResponse): Response {
  const body = response.body === undefined ? null : typeof response.body === 'string' ? response.body : toStream(response.body);
  return new Response(body, { status: response.status, headers: response.headers });
}

/**
 * A Fetch handler (`Request` in, `Response` out) for Hono, Deno, Bun, Cloudflare-style runtimes.
 *
 * @example
 * app.all('/records/*', (c) => handler(c.req.raw)); // Hono
 */
export function createFetchHandler(resource: RecordsResource, options: FetchHandlerOptions = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    const resourceRequest: ResourceRequest = { method: request.method, url: request.url, headers: request.headers, body: request.body };
    try {
      const identity = options.identify ? await options.identify(request) : undefined;
      if (identity !== undefined) resourceRequest.identity = identity;
    } catch (error) {
      return toFetchResponse(await resource.errorResponse(error, resourceRequest));
    }
    return toFetchResponse(await resource.handle(resourceRequest));
  };
}
