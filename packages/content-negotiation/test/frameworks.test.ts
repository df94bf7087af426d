// One suite, five stacks: the same requests against node:http, Express, Fastify, Koa and Hono servers on
// 127.0.0.1, each wired the way the README shows. Passing everywhere is the proof that the core is
// framework-agnostic.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { InvalidDataError, sendError, toResponse } from '@recordkit/rest-errors';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentNegotiator, type Negotiation, requireContentType } from '../src/index.js';

interface Item {
  title: string;
}
type Serializer = (value: Item | Item[]) => string;

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const toJson: Serializer = (value) => JSON.stringify(value);
const toXml: Serializer = (value) =>
  Array.isArray(value)
    ? `<items>${value.map((item) => `<item><title>${escapeXml(item.title)}</title></item>`).join('')}</items>`
    : `<item><title>${escapeXml(value.title)}</title></item>`;

function makeNegotiator() {
  return new ContentNegotiator<Serializer>({
    serializers: { 'application/json': toJson, 'application/xml': toXml },
    methodSerializers: { POST: { 'application/json': toJson } },
    defaultMediaType: 'application/json',
    aliases: { json: 'application/json', xml: 'application/xml' },
  });
}

function parseItem(text: string): Item {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidDataError('Could not load data.');
  }
  if (typeof value !== 'object' || value === null || typeof (value as Item).title !== 'string')
    throw new InvalidDataError('Could not load data.');
  return { title: (value as Item).title };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Running {
  url: string;
  items: Item[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

// --- node:http -------------------------------------------------------------------------------------
async function nodeHttp(): Promise<Running> {
  const negotiator = makeNegotiator();
  const items: Item[] = [];
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/items') throw new InvalidDataError('No such route.');
      // Negotiate first: a 406 goes out before anything is read or written.
      const { mediaType, serializer, headers } = negotiator.negotiate({
        method: req.method,
        headers: req.headers,
        query: url.searchParams,
      });
      for (const [name, value] of Object.entries(headers)) res.appendHeader(name, value);
      if (req.method === 'POST') {
        requireContentType(req.headers, ['application/json']);
        const item = parseItem(await readText(req));
        items.push(item);
        res.writeHead(201, { 'Content-Type': mediaType }).end(serializer(item));
        return;
      }
      res.writeHead(200, { 'Content-Type': mediaType }).end(serializer(items));
    } catch (error) {
      sendError(res, error, { accept: req.headers.accept });
    }
  });
  const url = await listen(server);
  return { url, items, close: () => stop(server) };
}

// --- Express 5 -------------------------------------------------------------------------------------
async function expressApp(): Promise<Running> {
  const negotiator = makeNegotiator();
  const items: Item[] = [];
  const app = express();
  const negotiate: express.RequestHandler = (req, res, next) => {
    const negotiation = negotiator.negotiate({ method: req.method, headers: req.headers, query: req.query });
    for (const [name, value] of Object.entries(negotiation.headers)) res.append(name, value);
    res.locals.negotiation = negotiation;
    next();
  };
  app.get('/items', negotiate, (_req, res) => {
    const { mediaType, serializer } = res.locals.negotiation as Negotiation<Serializer>;
    res.type(mediaType).send(serializer(items));
  });
  app.post(
    '/items',
    negotiate,
    (req, _res, next) => {
      requireContentType(req.headers, ['application/json']);
      next();
    },
    express.text({ type: 'application/json' }),
    (req, res) => {
      const { mediaType, serializer } = res.locals.negotiation as Negotiation<Serializer>;
      const item = parseItem(req.body as string);
      items.push(item);
      res.status(201).type(mediaType).send(serializer(item));
    },
  );
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const { status, headers, body } = toResponse(error, { accept: req.headers.accept });
    res.status(status).set(headers).send(body);
  });
  const server = createServer(app);
  const url = await listen(server);
  return { url, items, close: () => stop(server) };
}

// --- Fastify 5 -------------------------------------------------------------------------------------
declare module 'fastify' {
  interface FastifyRequest {
    negotiation: Negotiation<Serializer>;
  }
}

async function fastifyApp(): Promise<Running> {
  const negotiator = makeNegotiator();
  const items: Item[] = [];
  const app = Fastify();
  app.decorateRequest('negotiation', null as unknown as Negotiation<Serializer>);
  app.setErrorHandler((error, request, reply) => {
    const { status, headers, body } = toResponse(error, { accept: request.headers.accept });
    return reply.code(status).headers(headers).send(body);
  });
  // onRequest runs before Fastify reads the body, so 406 and 415 come first.
  app.addHook('onRequest', async (request, reply) => {
    request.negotiation = negotiator.negotiate({
      method: request.method,
      headers: request.headers,
      query: request.query as Record<string, string>,
    });
    reply.headers(request.negotiation.headers);
    if (request.method === 'POST') requireContentType(request.headers, ['application/json']);
  });
  app.get('/items', async (request, reply) => reply.type(request.negotiation.mediaType).send(request.negotiation.serializer(items)));
  app.post('/items', async (request, reply) => {
    const item = parseItem(JSON.stringify(request.body));
    items.push(item);
    return reply.code(201).type(request.negotiation.mediaType).send(request.negotiation.serializer(item));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    items,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

// --- Koa 3 -----------------------------------------------------------------------------------------
async function koaApp(): Promise<Running> {
  const negotiator = makeNegotiator();
  const items: Item[] = [];
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { status, headers, body } = toResponse(error, { accept: ctx.get('Accept') });
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body ?? null;
    }
  });
  app.use(async (ctx) => {
    if (ctx.path !== '/items') return;
    const { mediaType, serializer, headers } = negotiator.negotiate({ method: ctx.method, headers: ctx.headers, query: ctx.query });
    for (const [name, value] of Object.entries(headers)) ctx.append(name, value);
    if (ctx.method === 'POST') {
      requireContentType(ctx.headers, ['application/json']);
      const item = parseItem(await readText(ctx.req));
      items.push(item);
      ctx.status = 201;
      ctx.type = mediaType;
      ctx.body = serializer(item);
      return;
    }
    ctx.type = mediaType;
    ctx.body = serializer(items);
  });
  const server = createServer(app.callback());
  const url = await listen(server);
  return { url, items, close: () => stop(server) };
}

// --- Hono 4 on @hono/node-server -------------------------------------------------------------------
async function honoApp(): Promise<Running> {
  const negotiator = makeNegotiator();
  const items: Item[] = [];
  const app = new Hono();
  app.onError((error, c) => {
    const { status, headers, body } = toResponse(error, { accept: c.req.header('accept') });
    return new Response(body ?? null, { status, headers });
  });
  const negotiate = (request: Request) =>
    negotiator.negotiate({ method: request.method, headers: request.headers, query: new URL(request.url).searchParams });
  app.get('/items', (c) => {
    const { mediaType, serializer, headers } = negotiate(c.req.raw);
    return c.body(serializer(items), 200, { ...headers, 'Content-Type': mediaType });
  });
  app.post('/items', async (c) => {
    const { mediaType, serializer, headers } = negotiate(c.req.raw);
    requireContentType(c.req.raw.headers, ['application/json']);
    const item = parseItem(await c.req.text());
    items.push(item);
    return c.body(serializer(item), 201, { ...headers, 'Content-Type': mediaType });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, items, close: () => stop(server) };
}

const stacks: [string, () => Promise<Running>][] = [
  ['node:http', nodeHttp],
  ['Express', expressApp],
  ['Fastify', fastifyApp],
  ['Koa', koaApp],
  ['Hono', honoApp],
];

const essence = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase();
const varies = (response: Response) =>
  (response.headers.get('vary') ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .includes('accept');

describe.each(stacks)('content negotiation through %s', (_, start) => {
  let app: Running;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (accept: string, query = '') => fetch(`${app.url}/items${query}`, { headers: { accept } });
  const post = (headers: Record<string, string>, body = '{"title":"A"}') => fetch(`${app.url}/items`, { method: 'POST', headers, body });

  it('serves JSON for Accept: application/json, with Vary: Accept', async () => {
    const response = await get('application/json');
    expect(response.status).toBe(200);
    expect(essence(response.headers.get('content-type'))).toBe('application/json');
    expect(varies(response)).toBe(true);
    expect(await response.json()).toEqual([]);
  });

  it('serves XML for Accept: application/xml', async () => {
    const response = await get('application/json;q=0.5, application/xml');
    expect(essence(response.headers.get('content-type'))).toBe('application/xml');
    expect(await response.text()).toBe('<items></items>');
  });

  it('lets ?format=xml win over Accept, without Vary: Accept', async () => {
    const response = await get('application/json', '?format=xml');
    expect(essence(response.headers.get('content-type'))).toBe('application/xml');
    expect(varies(response)).toBe(false);
  });

  it('serves the default to a browser', async () => {
    const response = await get('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(essence(response.headers.get('content-type'))).toBe('application/json');
  });

  it('answers an unacceptable Accept with a 406 listing the available types', async () => {
    const response = await get('image/png');
    expect(response.status).toBe(406);
    expect(varies(response)).toBe(true);
    expect(await response.json()).toMatchObject({
      status: 406,
      available: ['application/json', 'application/xml'],
      aliases: { json: 'application/json', xml: 'application/xml' },
    });
  });

  it('answers an unknown ?format= with a 406 listing the aliases', async () => {
    const response = await get('application/json', '?format=yaml');
    expect(response.status).toBe(406);
    expect(await response.json()).toMatchObject({
      message: 'Unknown format "yaml"; use one of: json, xml.',
      errors: [{ field: 'format' }],
    });
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await fetch(`${app.url}/items`, { method: 'HEAD', headers: { accept: 'application/xml' } });
    expect(response.status).toBe(200);
    expect(essence(response.headers.get('content-type'))).toBe('application/xml');
    expect(await response.text()).toBe('');
  });

  it('refuses a POST whose Accept cannot be met with 406, before storing anything', async () => {
    const before = app.items.length;
    const response = await post({ accept: 'application/xml', 'content-type': 'application/json' });
    expect(response.status).toBe(406);
    expect(await response.json()).toMatchObject({ available: ['application/json'] });
    expect(app.items.length).toBe(before);
  });

  it('refuses a POST with the wrong Content-Type with 415 listing the accepted types, before storing anything', async () => {
    const before = app.items.length;
    const response = await post({ accept: 'application/json', 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      message: "Invalid 'Content-Type' header. Expected one of: application/json",
      errors: [{ field: 'Content-Type' }],
    });
    expect(app.items.length).toBe(before);
  });

  it('stores an acceptable POST and answers 201 in the negotiated type', async () => {
    const before = app.items.length;
    const response = await post({ accept: '*/*', 'content-type': 'application/json; charset=utf-8' }, '{"title":"Negotiated"}');
    expect(response.status).toBe(201);
    expect(essence(response.headers.get('content-type'))).toBe('application/json');
    expect(await response.json()).toEqual({ title: 'Negotiated' });
    expect(app.items.length).toBe(before + 1);
  });
});
