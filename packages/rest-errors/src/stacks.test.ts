// The same thrown errors rendered through each Node HTTP stack the README shows, on real loopback servers.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { MethodNotAllowedError, PIDDoesNotExistError, ValidationError } from './errors.js';
import { FieldError } from './field-error.js';
import { sendError, toResponse } from './response.js';

type Route = '/missing' | '/invalid' | '/crash' | '/method';
function fail(route: string): never {
  if (route === '/missing') throw new PIDDoesNotExistError('recid', '7');
  if (route === '/invalid') throw new ValidationError([new FieldError('metadata.title', 'Required.')]);
  if (route === '/method') throw new MethodNotAllowedError(['GET', 'HEAD']);
  throw new TypeError('secret path /etc/x');
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
          fail(req.url ?? '/');
        } catch (err) {
          sendError(res, err, { accept: req.headers.accept });
        }
      }),
    ),
  express: () => {
    const app = express();
    app.get('/{*path}', (req) => fail(req.path));
    app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const r = toResponse(err, { accept: req.get('accept') });
      res.status(r.status).set(r.headers).send(r.body);
    });
    return listen(createServer(app));
  },
  fastify: async () => {
    const app = Fastify();
    app.get('/*', (req) => fail(req.url));
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
    app.use((ctx) => fail(ctx.path));
    return listen(createServer(app.callback()));
  },
  hono: async () => {
    const app = new Hono();
    app.get('*', (c) => fail(c.req.path));
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

describe.each(Object.keys(stacks))('errors thrown in %s', (stack) => {
  const get = async (path: Route, accept?: string) => {
    const base = await stacks[stack]!();
    return fetch(base + path, { headers: accept ? { accept } : {} });
  };

  it('render a PID error as Invenio JSON', async () => {
    const res = await get('/missing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 404, message: 'PID does not exist.' });
  });

  it('render field errors as RFC 9457 problem details on request', async () => {
    const res = await get('/invalid', 'application/problem+json');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 400, detail: 'Validation error.', errors: [{ pointer: '#/metadata/title' }] });
  });

  it('keep the Allow header of a 405', async () => {
    const res = await get('/method');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('turn an unexpected error into a 500 that leaks nothing', async () => {
    const res = await get('/crash');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toEqual({ status: 500, message: 'An internal server error occurred when handling the request.' });
  });
});

describe('http-errors compatibility', () => {
  it('Express’s default error handler uses the status and headers of a RestError', async () => {
    const app = express();
    app.get('/x', () => {
      throw new MethodNotAllowedError(['GET']);
    });
    const base = await listen(createServer(app));
    const res = await fetch(`${base}/x`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('Koa’s default error handler uses the status and exposed message of a RestError', async () => {
    const app = new Koa();
    app.silent = true;
    app.use(() => {
      throw new PIDDoesNotExistError('recid', '1');
    });
    const base = await listen(createServer(app.callback()));
    const res = await fetch(`${base}/x`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('PID does not exist.');
  });
});
