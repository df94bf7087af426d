// The cluster is down, slow, overloaded, locked or not Elasticsearch at all: every case is a clear
// rest-errors error (503 with Retry-After, or a 500 that says nothing), never a crash or a leak. Real
// sockets throughout: a closed port, a server that never answers, small HTTP servers answering what a
// sick cluster answers, and a TCP proxy in front of the real engine that is cut and restored.
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { isRestError, type RestError, toResponse } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import { detectDistribution, ElasticsearchSearchEngine, OpenSearchTransport } from '../src/index.js';
import { dropAll, ENGINES, engineFor, rejection } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function listen<T extends Server | TcpServer>(server: T, port = 0): Promise<{ server: T; url: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${bound}`, port: bound });
    });
  });
}

const stop = (server: Server | TcpServer) =>
  new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });

async function httpServer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const started = await listen(
    createHttpServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    }),
  );
  closers.push(() => stop(started.server));
  return started.url;
}

function engineOn(url: string, options: Partial<ConstructorParameters<typeof ElasticsearchSearchEngine>[0]> = {}) {
  const engine = new ElasticsearchSearchEngine({ node: url, maxRetries: 1, requestTimeout: 2_000, retryAfterSeconds: 7, ...options });
  closers.push(() => engine.close());
  return engine;
}

async function restError(promise: Promise<unknown>): Promise<RestError> {
  const error = await rejection(promise);
  expect(isRestError(error)).toBe(true);
  return error as RestError;
}

const LEAKS = /ECONNREFUSED|127\.0\.0\.1|socket|timeout|exception|undici|stack/i;

describe('ElasticsearchSearchEngine when the cluster is unavailable', () => {
  it('answers 503 with Retry-After when nothing listens on the port', async () => {
    const { server, url } = await listen(createTcpServer());
    await stop(server);
    const engine = engineOn(url);
    const calls = [
      () => engine.search('records', {}),
      () => engine.index('records', 'a', {}, { version: 1 }),
      () => engine.createIndex('records', { properties: {} }),
    ];
    for (const call of calls) {
      const error = await restError(call());
      expect(error.status).toBe(503);
      expect(error.headers['Retry-After']).toBe('7');
      const response = toResponse(error);
      expect(response.status).toBe(503);
      expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
    }
  });

  it('answers 503 when the cluster accepts connections but never answers within the timeout', async () => {
    const sockets: Socket[] = [];
    const { server, url } = await listen(createTcpServer((socket) => sockets.push(socket)));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await stop(server);
    });
    const engine = engineOn(url, { requestTimeout: 300, maxRetries: 0 });
    const error = await restError(engine.count('records'));
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBe('7');
  });

  it('answers 503 when the cluster answers 503 or rejects work with 429', async () => {
    const unavailable = await httpServer(
      503,
      { error: { type: 'cluster_block_exception', reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]' }, status: 503 },
      { 'x-elastic-product': 'Elasticsearch' },
    );
    expect((await restError(engineOn(unavailable).search('records', {}))).status).toBe(503);
    const overloaded = await httpServer(
      429,
      { error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' }, status: 429 },
      { 'x-elastic-product': 'Elasticsearch' },
    );
    const error = await restError(engineOn(overloaded).bulk('records', [{ action: 'index', id: 'a', version: 1, document: {} }]));
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBe('7');
  });

  it('answers 500 without details when the cluster refuses our credentials', async () => {
    const url = await httpServer(
      401,
      {
        error: { type: 'security_exception', reason: 'missing authentication credentials for REST request [/records/_search]' },
        status: 401,
      },
      { 'x-elastic-product': 'Elasticsearch' },
    );
    const error = await restError(engineOn(url).search('records', {}));
    expect(error.status).toBe(500);
    expect(error.expose).toBe(false);
    expect(JSON.stringify(toResponse(error).body)).not.toMatch(/security|credentials|records\/_search/);
  });

  it('answers 500 without details when the server is not Elasticsearch (no product header)', async () => {
    const url = await httpServer(200, { hits: { hits: [] } });
    const error = await restError(engineOn(url).search('records', {}));
    expect(error.status).toBe(500);
    expect(JSON.stringify(toResponse(error).body)).not.toMatch(/Elasticsearch|product/i);
  });
});

// A TCP proxy between the engine and the real cluster: cutting it is the cluster going away for this
// client (the shared cluster itself stays up for the other suites); reopening it on the same port is
// the cluster coming back.
async function proxyTo(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const make = () =>
    createTcpServer((client) => {
      const upstream = connect(Number(port), hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
  let current = await listen(make());
  const proxyPort = current.port;
  return {
    url: current.url,
    async cut() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await stop(current.server);
    },
    async restore() {
      current = await listen(make(), proxyPort);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (current.server.listening) await stop(current.server);
    },
  };
}

for (const target of ENGINES) {
  describe.skipIf(!target.url)(`ElasticsearchSearchEngine on ${target.label} going away and coming back`, () => {
    it('answers 503 while the cluster is unreachable and works again once it is back, with no new client', async () => {
      const proxy = await proxyTo(target.url!);
      closers.push(() => proxy.close());
      const engine = engineFor(target, 'outage', { node: proxy.url, maxRetries: 1, requestTimeout: 2_000, retryAfterSeconds: 3 });
      closers.push(async () => {
        await dropAll(engine);
        await engine.close();
      });
      await engine.createIndex('records', { properties: { title: { type: 'text' } } });
      await engine.index('records', 'a', { title: 'before' }, { version: 1, refresh: 'wait_for' });

      await proxy.cut();
      const down = await restError(engine.search('records', {}));
      expect(down.status).toBe(503);
      expect(down.headers['Retry-After']).toBe('3');
      expect((await restError(engine.index('records', 'b', { title: 'during' }, { version: 1 }))).status).toBe(503);
      expect((await restError(engine.bulk('records', [{ action: 'index', id: 'b', version: 1, document: {} }]))).status).toBe(503);

      await proxy.restore();
      // What a store's outbox replays once the cluster is back lands, and search answers again.
      const replay = await engine.bulk('records', [{ action: 'index', id: 'b', version: 1, document: { title: 'during' } }], {
        refresh: 'wait_for',
      });
      expect(replay.errors).toBe(false);
      expect(await engine.count('records')).toBe(2);
      expect((await engine.search('records', { query: { match: { title: 'during' } } })).hits.hits.map((hit) => hit._id)).toEqual(['b']);
    });
  });
}

const opensearch = ENGINES.find((engine) => engine.label === 'OpenSearch')!;
describe.skipIf(!opensearch.url)('OpenSearchTransport on a real OpenSearch', () => {
  it('is what makes the client work: without it the client refuses OpenSearch (a 500), with it the same calls succeed', async () => {
    const stock = engineOn(opensearch.url!, { distribution: 'elasticsearch', prefix: 'rk-stock-client-' });
    expect((await restError(stock.createIndex('records', { properties: { title: { type: 'text' } } }))).status).toBe(500);

    const client = new Client({ node: opensearch.url!, Transport: OpenSearchTransport });
    closers.push(() => client.close());
    const engine = engineFor(opensearch, 'transport', { client, node: undefined });
    closers.push(() => dropAll(engine));
    await engine.createIndex('records', { properties: { title: { type: 'text' } } });
    await engine.bulk('records', [{ action: 'index', id: 'a', version: 1, document: { title: 'plain json' } }], { refresh: 'wait_for' });
    expect(await engine.count('records', { match: { title: 'json' } })).toBe(1);
  });
});

describe('detectDistribution', () => {
  for (const target of ENGINES) {
    it.skipIf(!target.url)(`tells ${target.label} apart by its answer`, async () => {
      expect(await detectDistribution(target.url!)).toBe(target.distribution);
    });
  }

  it('answers 503 when the cluster cannot be reached', async () => {
    const { server, url } = await listen(createTcpServer());
    await stop(server);
    expect((await restError(detectDistribution(url))).status).toBe(503);
  });
});
