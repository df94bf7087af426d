// The HTTP plumbing of the reference server on a real loopback server: request ids, nosniff, CORS,
// rate limiting, identity, body limit, timeouts, error rendering, logs, /health, /ready and graceful
// shutdown. The records routes are exercised in records.test.ts.
// Not part of the backend matrix (support/backends.ts): these servers open no record store or search
// engine (the routes are test routes and /ready is given), so every backend would run the same code;
// /ready on PostgreSQL and Elasticsearch is checked in production-backends.test.ts.
import { connect } from 'node:net';
import { BadRequestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/app.js';
import { resolveConfig } from '../src/config/define-config.js';
import type { ReferenceConfig } from '../src/config/types.js';
import type { RouteHandler } from '../src/http/pipeline.js';

const TOKEN = 'curator-token-1';

/** Test routes: echo who is calling, read a body, wait for a gate, fail. */
function routes(gate?: Promise<void>, arrived?: () => void): RouteHandler[] {
  return [
    async (ctx) => {
      const json = (status: number, body: unknown) => ({
        status,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      switch (ctx.url.pathname) {
        case '/whoami':
          return json(200, { user: ctx.identity.id, roles: ctx.identity.roles, requestId: ctx.requestId, base: ctx.baseUrl });
        case '/echo':
          return json(200, { bytes: (await ctx.body()).length });
        case '/slow':
          arrived?.();
          await gate;
          return json(200, { done: true });
        case '/bad':
          throw new BadRequestError('Nope.');
        case '/crash':
          throw new Error('secret internal detail');
        case '/stream':
          return {
            status: 200,
            headers: { 'Content-Type': 'application/x-ndjson' },
            body: (async function* () {
              for (let i = 0; i < 3; i++) yield `{"n":${i}}\n`;
            })(),
          };
        default:
          return undefined;
      }
    },
  ];
}

let running: RunningServer | undefined;
let logs: string[] = [];

async function start(config: ReferenceConfig = {}, options: { gate?: Promise<void>; arrived?: () => void } = {}): Promise<RunningServer> {
  logs = [];
  running = await startServer({
    config: resolveConfig({ server: { port: 0 }, identity: { tokens: [{ token: TOKEN, user: 'carol', roles: ['curator'] }] }, ...config }),
    routes: routes(options.gate, options.arrived),
    logDestination: { write: (line: string) => logs.push(line) },
    ready: async () => ({ store: 'ok', search: 'ok' }),
  });
  return running;
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('request pipeline', () => {
  it('answers /health and /ready with JSON', async () => {
    const { url } = await start();
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json');
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', search: 'ok' } });
    const post = await fetch(`${url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('answers /ready with 503 naming the failing dependency', async () => {
    logs = [];
    running = await startServer({
      config: resolveConfig({ server: { port: 0 } }),
      logDestination: { write: (line: string) => logs.push(line) },
      ready: async () => ({ store: 'ok', search: 'connection refused' }),
    });
    const res = await fetch(`${running.url}/ready`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({
      status: 503,
      message: 'Not ready: search (connection refused).',
      checks: { search: 'connection refused' },
    });
  });

  it('gives every response a request id and nosniff, and keeps a sane incoming id', async () => {
    const { url } = await start();
    const generated = await fetch(`${url}/whoami`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers.get('x-content-type-options')).toBe('nosniff');
    const kept = await fetch(`${url}/whoami`, { headers: { 'X-Request-Id': 'gateway-42' } });
    expect(kept.headers.get('x-request-id')).toBe('gateway-42');
    expect(await kept.json()).toMatchObject({ requestId: 'gateway-42' });
    const replaced = await fetch(`${url}/whoami`, { headers: { 'X-Request-Id': 'has spaces and "quotes"' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const notFound = await fetch(`${url}/nothing-here`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('writes one JSON log line per request with the request id, never the token', async () => {
    const { url } = await start();
    await fetch(`${url}/whoami`, { headers: { 'X-Request-Id': 'log-me-1', Authorization: `Bearer ${TOKEN}` } });
    await running!.close();
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.reqId === 'log-me-1');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', url: '/whoami', status: 200, user: 'carol', ip: '127.0.0.1' });
    expect(typeof line!.ms).toBe('number');
    expect(logs.join('')).not.toContain(TOKEN);
  });

  it('identifies Bearer tokens and answers 401 with WWW-Authenticate for a bad one', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/whoami`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({
      user: 'carol',
      roles: ['curator'],
    });
    expect(await (await fetch(`${url}/whoami`)).json()).toMatchObject({ user: null, roles: [] });
    const bad = await fetch(`${url}/whoami`, { headers: { Authorization: 'Bearer wrong-token' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="recordkit", error="invalid_token"');
    expect(await bad.json()).toEqual({ status: 401, message: 'The access token is invalid.' });
  });

  it('renders errors as Invenio JSON, or RFC 9457 when asked, and hides internals of a 500', async () => {
    const { url } = await start();
    const invenio = await fetch(`${url}/bad`);
    expect(invenio.status).toBe(400);
    expect(invenio.headers.get('content-type')).toBe('application/json');
    expect(await invenio.json()).toEqual({ status: 400, message: 'Nope.' });
    const problem = await fetch(`${url}/bad`, { headers: { Accept: 'application/problem+json' } });
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    expect(await problem.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Nope.',
      instance: '/bad',
      code: 'bad_request',
    });
    const crash = await fetch(`${url}/crash`);
    expect(crash.status).toBe(500);
    const text = await crash.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toEqual({ status: 500, message: 'An internal server error occurred when handling the request.' });
    expect(logs.some((l) => l.includes('secret internal detail'))).toBe(true);
  });

  it('renders every error as RFC 9457 when the configuration says so', async () => {
    const { url } = await start({ errors: { format: 'problem' } });
    const res = await fetch(`${url}/nothing`);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found', instance: '/nothing' });
  });

  it('streams a body given as an async iterable and sends no body to HEAD', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/stream`);
    expect(await res.text()).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
    const head = await fetch(`${url}/stream`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('uses the configured base URL, else the Host header, and rejects a malformed Host', async () => {
    const { url, port } = await start();
    expect(await (await fetch(`${url}/whoami`)).json()).toMatchObject({ base: `http://127.0.0.1:${port}` });
    const raw = await rawRequest(port, 'GET /whoami HTTP/1.1\r\nHost: bad host!\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('The Host header is not a valid host name.');
    await running!.close();
    const behindProxy = await start({ server: { port: 0, baseUrl: 'https://api.example.org/v1/' } });
    expect(await (await fetch(`${behindProxy.url}/whoami`)).json()).toMatchObject({ base: 'https://api.example.org/v1' });
  });
});

describe('CORS', () => {
  it('answers a preflight with the allowed methods and no route involved', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/records/`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'if-match, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('if-match, content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('exposes ETag, Link, Location and the rate-limit headers, on errors too', async () => {
    const { url } = await start();
    for (const path of ['/whoami', '/nothing', '/bad']) {
      const res = await fetch(`${url}${path}`, { headers: { Origin: 'https://app.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const exposed = res.headers.get('access-control-expose-headers')!.split(',');
      for (const name of [
        'ETag',
        'Link',
        'Location',
        'RateLimit',
        'RateLimit-Policy',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'Retry-After',
      ]) {
        expect(exposed).toContain(name);
      }
    }
  });

  it('allows only the configured origins, and says so with Vary: Origin', async () => {
    const { url } = await start({ cors: { origins: ['https://good.example'], credentials: true } });
    const good = await fetch(`${url}/whoami`, { headers: { Origin: 'https://good.example' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example');
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
    expect(good.headers.get('vary')).toContain('Origin');
    const evil = await fetch(`${url}/whoami`, { headers: { Origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers when disabled', async () => {
    const { url } = await start({ cors: false });
    const res = await fetch(`${url}/whoami`, { headers: { Origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limiting', () => {
  const limits: ReferenceConfig['rateLimit'] = {
    guest: [{ name: 'minute', limit: 2, windowSeconds: 60 }],
    authenticated: [{ name: 'minute', limit: 4, windowSeconds: 60 }],
  };

  it('answers 429 with Retry-After, a JSON error, the RateLimit headers and CORS', async () => {
    const { url } = await start({ rateLimit: limits });
    const first = await fetch(`${url}/whoami`);
    expect(first.headers.get('ratelimit-policy')).toBe('"minute";q=2;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"minute";r=1;t=\d+$/);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    await fetch(`${url}/whoami`);
    const refused = await fetch(`${url}/whoami`, { headers: { Origin: 'https://app.example' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit')).toMatch(/^"minute";r=0;t=\d+$/);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(await refused.json()).toEqual({
      status: 429,
      message: expect.stringMatching(/^Too many requests\. Retry after \d+ seconds\.$/),
    });
  });

  it('gives authenticated users their own, larger budget', async () => {
    const { url } = await start({ rateLimit: limits });
    await fetch(`${url}/whoami`);
    await fetch(`${url}/whoami`);
    expect((await fetch(`${url}/whoami`)).status).toBe(429);
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    const res = await fetch(`${url}/whoami`, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"minute";q=4;w=60');
  });

  it('counts a bad token against the guest budget before answering 401', async () => {
    const { url } = await start({ rateLimit: limits });
    const bad = { headers: { Authorization: 'Bearer guessed-token' } };
    expect((await fetch(`${url}/whoami`, bad)).status).toBe(401);
    expect((await fetch(`${url}/whoami`, bad)).status).toBe(401);
    expect((await fetch(`${url}/whoami`, bad)).status).toBe(429);
  });

  it('does not count /health and /ready', async () => {
    const { url } = await start({ rateLimit: limits });
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/whoami`)).headers.get('x-ratelimit-remaining')).toBe('1');
  });
});

describe('request limits', () => {
  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const { url, port } = await start({ server: { port: 0, bodyLimit: 100 } });
    const ok = await fetch(`${url}/echo`, { method: 'POST', body: 'x'.repeat(100) });
    expect(await ok.json()).toEqual({ bytes: 100 });
    const declared = await fetch(`${url}/echo`, { method: 'POST', body: 'x'.repeat(101) });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('connection')).toBe('close');
    expect(await declared.json()).toEqual({ status: 413, message: 'Request body is too large. The limit is 100 bytes.', limit: 100 });
    const chunked = await rawRequest(
      port,
      `POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n${'y'.repeat(100)}\r\n64\r\n${'y'.repeat(100)}\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('answers 415 to a compressed request body', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/echo`, { method: 'POST', body: 'abc', headers: { 'Content-Encoding': 'gzip' } });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ message: 'Unsupported Content-Encoding "gzip". Send the body uncompressed.' });
  });

  it('disconnects a client that does not finish its headers in time (408)', async () => {
    const { port } = await start({ server: { port: 0, headersTimeout: 300, requestTimeout: 600 } });
    const answer = await rawRequest(port, 'GET /whoami HTTP/1.1\r\nHost: localhost\r\n', { end: false });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new connections and reports not ready', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = await start({}, { gate, arrived });
    const inFlight = fetch(`${server.url}/slow`);
    await reached;
    const closing = server.close();
    expect(server.closing).toBe(true);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    open();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    running = undefined;
  });
});

/** Send raw bytes and collect what comes back until the server closes the connection. */
function rawRequest(port: number, text: string, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (options.end === false) socket.write(text);
      else socket.end(text);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
  });
}
