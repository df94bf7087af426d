// The same conditional requests through every Node HTTP stack the README shows, each on a real loopback
// server: 200 with validators, 304 with only the headers RFC 9110 §15.4.5 keeps, 412 and 428 bodies.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { toResponse } from '@recordkit/rest-errors';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluatePreconditions, formatHttpDate, type HeadersInput, revisionETag } from '../src/index.js';

interface StoredRecord {
  revision: number;
  updated: Date;
  title: string;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const negotiate = (accept: string | undefined) => (accept?.includes('text/csv') ? 'text/csv' : 'application/json');

function representation(record: StoredRecord, mediaType: string) {
  const headers = {
    ETag: revisionETag(record.revision, mediaType),
    'Last-Modified': formatHttpDate(record.updated),
    'Cache-Control': 'no-cache',
    Vary: 'Accept',
    'Content-Type': mediaType,
  };
  const body =
    mediaType === 'text/csv'
      ? `id,title\n1,${record.title}\n`
      : JSON.stringify({ id: '1', metadata: { title: record.title }, revision: record.revision });
  return { headers, body };
}

/** What each stack's handler does with one record: preconditions first, then the method. */
function handle(record: StoredRecord, method: string, headers: HeadersInput, accept: string | undefined): Reply {
  const mediaType = negotiate(accept);
  const current = representation(record, mediaType);
  const result = evaluatePreconditions(
    { method, headers },
    { etag: current.headers.ETag, lastModified: record.updated, headers: current.headers },
    { requirePrecondition: true },
  );
  if (!result.proceed) return toResponse(result.error, { accept });
  if (method === 'PUT') {
    record.revision += 1;
    record.updated = new Date(record.updated.getTime() + 60_000);
    record.title = 'changed';
  }
  return { status: 200, ...representation(record, mediaType) };
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

const stacks: Record<string, (record: StoredRecord) => Promise<string>> = {
  'node:http': (record) =>
    listen(
      createServer((req, res) => {
        const r = handle(record, req.method ?? 'GET', req.headers, req.headers.accept);
        res.writeHead(r.status, r.headers).end(r.body);
      }),
    ),
  express: (record) => {
    const app = express();
    // res.end, not res.send: send() would apply Express's own freshness check on top of ours.
    const route = (req: express.Request, res: express.Response) => {
      const r = handle(record, req.method, req.headers, req.get('accept'));
      res.status(r.status).set(r.headers).end(r.body);
    };
    app.get('/records/1', route);
    app.put('/records/1', route);
    return listen(createServer(app));
  },
  fastify: async (record) => {
    const app = Fastify();
    const route = (req: { method: string; headers: HeadersInput & { accept?: string } }, reply: import('fastify').FastifyReply) => {
      const r = handle(record, req.method, req.headers, req.headers.accept);
      return reply.code(r.status).headers(r.headers).send(r.body);
    };
    app.get('/records/1', route);
    app.put('/records/1', route);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => app.close() });
    return address;
  },
  koa: (record) => {
    const app = new Koa();
    app.use((ctx) => {
      const r = handle(record, ctx.method, ctx.headers, ctx.get('accept') || undefined);
      ctx.status = r.status;
      ctx.set(r.headers);
      ctx.body = r.body ?? null;
    });
    return listen(createServer(app.callback()));
  },
  hono: async (record) => {
    const app = new Hono();
    app.on(['GET', 'PUT'], '/records/1', (c) => {
      const r = handle(record, c.req.method, c.req.raw.headers, c.req.header('accept'));
      return new Response(r.body ?? null, { status: r.status, headers: r.headers });
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    servers.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  },
};

const UPDATED = new Date('2024-05-01T10:00:00.400Z');
const LAST_MODIFIED = 'Wed, 01 May 2024 10:00:00 GMT';

describe.each(Object.keys(stacks))('conditional requests through %s', (stack) => {
  async function start() {
    const base = await stacks[stack]!({ revision: 1, updated: UPDATED, title: 'first' });
    return (method: string, headers: Record<string, string> = {}) => fetch(`${base}/records/1`, { method, headers });
  }

  it('sends a strong ETag per representation, Last-Modified and Vary on 200', async () => {
    const request = await start();
    const json = await request('GET');
    expect(json.status).toBe(200);
    expect(json.headers.get('etag')).toBe('"1"');
    expect(json.headers.get('last-modified')).toBe(LAST_MODIFIED);
    expect(json.headers.get('vary')).toBe('Accept');
    expect(await json.json()).toMatchObject({ revision: 1 });
    const csv = await request('GET', { accept: 'text/csv' });
    expect(csv.headers.get('etag')).toBe('"1-text/csv"');
    expect(await csv.text()).toBe('id,title\n1,first\n');
  });

  it('answers a matching If-None-Match with a bare 304', async () => {
    const request = await start();
    const res = await request('GET', { 'if-none-match': 'W/"0", "1"' });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('vary')).toBe('Accept');
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('last-modified')).toBeNull();
  });

  it('answers HEAD with If-Modified-Since at Last-Modified with 304', async () => {
    const request = await start();
    const res = await request('HEAD', { 'if-modified-since': LAST_MODIFIED });
    expect(res.status).toBe(304);
    expect(res.headers.get('content-type')).toBeNull();
  });

  it('does not let the JSON ETag validate the CSV representation', async () => {
    const request = await start();
    const res = await request('GET', { accept: 'text/csv', 'if-none-match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1-text/csv"');
  });

  it('ignores an If-Modified-Since that is not an HTTP-date', async () => {
    const request = await start();
    // fetch() adds "Cache-Control: no-cache" to conditional requests unless the caller sets Cache-Control;
    // without it, Express's res.send() would turn this 200 into a 304 (fresh reads the date with Date.parse).
    const res = await request('GET', { 'if-modified-since': '2030-01-01T00:00:00Z', 'cache-control': 'max-age=0' });
    expect(res.status).toBe(200);
  });

  it('answers an unconditional PUT with 428 saying to send If-Match', async () => {
    const request = await start();
    const res = await request('PUT');
    expect(res.status).toBe(428);
    const body = (await res.json()) as { status: number; message: string; errors: unknown[] };
    expect(body.status).toBe(428);
    expect(body.message).toContain('If-Match');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'If-Match', code: 'required' })]);
  });

  it('answers a stale If-Match with 412 naming the header, and changes nothing', async () => {
    const request = await start();
    const res = await request('PUT', { 'if-match': '"0"' });
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 412, errors: [{ field: 'If-Match', code: 'mismatch' }] });
    expect((await request('GET')).headers.get('etag')).toBe('"1"');
  });

  it('answers a weak If-Match with 412 (strong comparison)', async () => {
    const request = await start();
    expect((await request('PUT', { 'if-match': 'W/"1"' })).status).toBe(412);
  });

  it('applies a PUT whose If-Match is current; the old ETag no longer validates', async () => {
    const request = await start();
    const put = await request('PUT', { 'if-match': '"1"' });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    const get = await request('GET', { 'if-none-match': '"1"' });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ revision: 2, metadata: { title: 'changed' } });
  });

  it('refuses a create-only PUT (If-None-Match: *) on an existing record with 412', async () => {
    const request = await start();
    const res = await request('PUT', { 'if-none-match': '*' });
    expect(res.status).toBe(412);
    expect(await res.json()).toMatchObject({ errors: [{ field: 'If-None-Match', code: 'exists' }] });
  });

  it('answers problem details when the client asks for them', async () => {
    const request = await start();
    const res = await request('PUT', { 'if-match': '"0"', accept: 'application/problem+json' });
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 412, code: 'precondition_failed', errors: [{ field: 'If-Match' }] });
  });
});
