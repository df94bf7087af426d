// One search handler in each Node HTTP stack the README shows, on real loopback servers: the query
// builder turns the request's query string into the search body and links; errors go out through
// @recordkit/rest-errors. No search engine here: the handler answers the body it would send, for a
// fixed total of 45 hits.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createFacetsSort } from '@recordkit/facets-sort';
import { sendError, toResponse } from '@recordkit/rest-errors';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createQueryBuilder, formatLinkHeader } from '../src/index.js';

const builder = createQueryBuilder({
  strict: true,
  ...createFacetsSort({
    facets: { aggs: { type: { terms: { field: 'type' } } }, postFilters: { type: { type: 'terms', field: 'type' } } },
    sort: { options: { newest: { fields: ['-created'] } }, default: { noquery: 'newest' } },
  }),
});

/** The framework-independent part of the handler: query string in, status, headers and JSON out. */
function search(baseUrl: string, params: URLSearchParams) {
  const request = builder.parse(params);
  const links = builder.links(request, { baseUrl, total: 45 });
  return { headers: { Link: formatLinkHeader({ ...links }) }, body: { search: request.body, links } };
}

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const stacks: Record<string, () => Promise<string>> = {
  'node:http': () =>
    listen(
      createServer((req, res) => {
        try {
          const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
          const out = search(`${url.origin}${url.pathname}`, url.searchParams);
          res.writeHead(200, { 'Content-Type': 'application/json', ...out.headers }).end(JSON.stringify(out.body));
        } catch (err) {
          sendError(res, err, { accept: req.headers.accept });
        }
      }),
    ),
  express: () => {
    const app = express();
    app.get('/records/', (req, res) => {
      const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host')}`);
      const out = search(`${url.origin}${url.pathname}`, url.searchParams);
      res.set(out.headers).json(out.body);
    });
    app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const r = toResponse(err, { accept: req.get('accept') });
      res.status(r.status).set(r.headers).send(r.body);
    });
    return listen(createServer(app));
  },
  fastify: async () => {
    const app = Fastify();
    app.get('/records/', (req, reply) => {
      const url = new URL(req.url, `${req.protocol}://${req.host}`);
      const out = search(`${url.origin}${url.pathname}`, url.searchParams);
      reply.headers(out.headers).send(out.body);
    });
    app.setErrorHandler((err, req, reply) => {
      const r = toResponse(err, { accept: req.headers.accept });
      reply.code(r.status).headers(r.headers).send(r.body);
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => app.close() });
    return address;
  },
  koa: () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        const r = toResponse(err, { accept: ctx.get('accept') });
        ctx.status = r.status;
        ctx.set(r.headers);
        ctx.body = r.body;
      }
    });
    app.use((ctx) => {
      const out = search(`${ctx.protocol}://${ctx.host}${ctx.path}`, new URLSearchParams(ctx.querystring));
      ctx.set(out.headers);
      ctx.body = out.body;
    });
    return listen(createServer(app.callback()));
  },
  hono: async () => {
    const app = new Hono();
    app.get('/records/', (c) => {
      const url = new URL(c.req.url);
      const out = search(`${url.origin}${url.pathname}`, url.searchParams);
      return c.json(out.body, 200, out.headers);
    });
    app.onError((err, c) => {
      const r = toResponse(err, { accept: c.req.header('accept') });
      return new Response(r.body ?? null, { status: r.status, headers: r.headers });
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  },
};

describe.each(Object.keys(stacks))('a search endpoint in %s', (stack) => {
  const get = async (query: string, accept?: string) => {
    const base = await stacks[stack]!();
    return { base, res: await fetch(`${base}/records/?${query}`, { headers: accept ? { accept } : {} }) };
  };

  it('answers the search body and the links, also as a Link header', async () => {
    const { base, res } = await get('q=title:open&type=a&type=b&page=2&size=10');
    expect(res.status).toBe(200);
    const data = (await res.json()) as { search: unknown; links: Record<string, string> };
    expect(data.search).toEqual({
      query: { query_string: { query: 'title:open' } },
      from: 10,
      size: 10,
      aggs: { type: { terms: { field: 'type' } } },
      post_filter: { terms: { type: ['a', 'b'] } },
      track_total_hits: true,
    });
    expect(data.links).toEqual({
      self: `${base}/records/?type=a&type=b&q=title:open&size=10&page=2`,
      prev: `${base}/records/?type=a&type=b&q=title:open&size=10&page=1`,
      next: `${base}/records/?type=a&type=b&q=title:open&size=10&page=3`,
      first: `${base}/records/?type=a&type=b&q=title:open&size=10&page=1`,
      last: `${base}/records/?type=a&type=b&q=title:open&size=10&page=5`,
    });
    expect(res.headers.get('link')).toBe(formatLinkHeader(data.links));
  });

  it('answers a query syntax error with a 400 naming q and the position', async () => {
    const { res } = await get('q=test:');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      status: 400,
      message: 'Invalid query syntax.',
      errors: [{ field: 'q', message: 'The query ends too early: expected a search term, a phrase, a range or "(". (at position 5)' }],
      position: 5,
    });
  });

  it('answers a page past the window with Invenio’s message', async () => {
    const { res } = await get('page=101&size=100');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, message: 'Maximum number of 10000 results have been reached.' });
  });

  it('answers several bad parameters as RFC 9457 problem details when asked', async () => {
    const { res } = await get('page=x&nope=1', 'application/problem+json');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      status: 400,
      detail: 'Invalid search parameters.',
      errors: [{ field: 'nope' }, { field: 'page' }],
    });
  });
});
