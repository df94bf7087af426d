// Hostile input through the whole stack: quotes, semicolons, SQL keywords and unknown fields in q, sort,
// facet names and values, PIDs and bodies give 400s or correct results, never a 500, and the database
// is unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SEARCH_ENDPOINT, type TestApp } from './helpers/app.js';
import { client } from './helpers/client.js';
import { type Running, startStack } from './helpers/stacks.js';

const HOSTILE = [
  "'; DROP TABLE records; --",
  '" OR 1=1 --',
  'x); DELETE FROM pids; --',
  'title:(a OR b)) UNION SELECT * FROM sqlite_master --',
  "\\\"; ATTACH DATABASE '/tmp/x' AS x; --",
  "Robert'); DROP TABLE search_indexes;--",
  '%00\u0000nul',
];

describe('hostile input', () => {
  let app: TestApp;
  let server: Running;
  const call = client(() => server.url);
  let schemaBefore: unknown;

  function snapshot() {
    const db = app.backend!.database;
    return {
      schema: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      records: db.prepare('SELECT id, revision, metadata FROM records ORDER BY id').all(),
      pids: db.prepare('SELECT pid_type, pid_value, status FROM pids ORDER BY pid_type, pid_value').all(),
    };
  }

  beforeAll(async () => {
    app = createTestApp({ withSearch: true, endpoints: { recid: SEARCH_ENDPOINT } });
    await app.service.setup();
    server = await startStack('node:http', app.resource);
    for (const title of ['Coral one', "O'Brien's data; DROP", 'SELECT * FROM nothing']) {
      expect((await call('POST', '/records/', { user: 'alice', body: { title, owner: 'alice', type: 'dataset' } })).status).toBe(201);
    }
    schemaBefore = snapshot();
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  const params = (name: string, value: string) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;

  it.each(HOSTILE)('q=%j answers 200 or 400, never 500', async (value) => {
    const res = await call('GET', `/records/?${params('q', value)}`);
    expect([200, 400]).toContain(res.status);
  });

  it.each(HOSTILE)('sort=%j answers 400 naming sort', async (value) => {
    const res = await call('GET', `/records/?${params('sort', value)}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('sort');
  });

  it.each(HOSTILE)('a facet value %j filters to nothing, with a 200', async (value) => {
    const res = await call('GET', `/records/?${params('type', value)}`);
    expect(res.status).toBe(200);
    expect(res.search.hits.total).toBe(0);
  });

  it.each(HOSTILE)('an unknown parameter or facet name %j is ignored', async (value) => {
    const res = await call('GET', `/records/?${params(value, 'x')}`);
    expect(res.status).toBe(200);
    expect(res.search.hits.total).toBe(3);
  });

  it.each(HOSTILE)('a PID %j is a 404, and a suggest prefix a 200', async (value) => {
    expect((await call('GET', `/records/${encodeURIComponent(value)}`)).status).toBe(404);
    expect((await call('GET', `/records/_suggest?${params('title', value)}`)).status).toBe(200);
  });

  it('finds text with quotes and SQL words literally', async () => {
    const res = await call('GET', `/records/?${params('q', '"O\'Brien\'s data"')}`);
    expect(res.search.hits.hits.map((h) => h.metadata.title)).toEqual(["O'Brien's data; DROP"]);
  });

  it('stores hostile strings in bodies as data', async () => {
    const res = await call('POST', '/records/', { user: 'alice', body: { title: HOSTILE[0], owner: 'alice', type: HOSTILE[2] } });
    expect(res.status).toBe(201);
    expect((await call('GET', `/records/${res.record.id}`)).record.metadata.title).toBe(HOSTILE[0]);
    expect((await call('DELETE', `/records/${res.record.id}`, { user: 'alice' })).status).toBe(204);
  });

  it('leaves the schema unchanged and every earlier record intact', () => {
    const after = snapshot() as { schema: unknown; records: { id: string }[]; pids: unknown[] };
    const before = schemaBefore as typeof after;
    expect(after.schema).toEqual(before.schema);
    expect(after.records.filter((r) => before.records.some((b) => b.id === r.id))).toEqual(before.records);
  });
});
