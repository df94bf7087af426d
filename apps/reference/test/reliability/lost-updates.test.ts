// No lost updates: concurrent If-Match read-modify-write on one record through two reference servers
// sharing one store, on every backend of the matrix (support/backends.ts: the SQLite file, PostgreSQL,
// with the embedded search or Elasticsearch/OpenSearch). Each
// writer adds its own subject: GET, append, PUT with the ETag it read, and on 412 start over. In the end
// the record holds every writer's subject and its revision equals the number of writes: a lost update
// would drop a subject. The guarantee has to come from the store (the two servers share nothing else).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type BackendInstance, describeBackends } from '../support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from '../support/serve.js';
import { send } from './support/raw.js';

const WRITERS = 12;
const headers = { Authorization: `Bearer ${TOKENS.curator}`, 'Content-Type': 'application/json' };

interface Metadata {
  title: string;
  creators: { name: string }[];
  type: string;
  publication_date: string;
  access: string;
  subjects: string[];
  control_number?: string;
  owner?: string;
}

/** Two servers on one store (no rate limit: the writers retry); returns them and a cleanup. */
async function twoServers(instance: BackendInstance): Promise<{ servers: ServedApp[]; close(): Promise<void> }> {
  const dirs = [mkdtempSync(join(tmpdir(), 'rk-lost-')), mkdtempSync(join(tmpdir(), 'rk-lost-'))];
  // Both use the first directory when it holds the store or the index (support/backends.ts): with
  // PostgreSQL and the embedded search, the index file is shared, as it must be in production.
  const shared = instance.sharedDataDir;
  for (const dir of dirs) writeFileSync(join(dir, 'recordkit.config.mjs'), 'export default { rateLimit: false };\n');
  const servers: ServedApp[] = [];
  for (const dir of dirs) {
    servers.push(await serve({ args: ['--no-demo'], dataDir: shared ? dirs[0] : dir, cwd: dir, backend: instance }));
  }
  return {
    servers,
    async close() {
      for (const server of servers) expect(await server.stop()).toBe(0);
      for (const dir of dirs) removeDir(dir);
    },
  };
}

async function race(servers: ServedApp[]): Promise<void> {
  const created = await send(servers[0]!.url, {
    method: 'POST',
    path: '/records/',
    headers,
    body: JSON.stringify({
      title: 'Contended',
      creators: [{ name: 'Many, Hands' }],
      type: 'dataset',
      publication_date: '2024-01-01',
      access: 'public',
      subjects: [],
    }),
  });
  expect(created.status).toBe(201);
  const id = (JSON.parse(created.text) as { id: string }).id;
  let conflicts = 0;
  // Every writer's first PUT waits until all writers have read: they all hold ETag "0", so the race is
  // certain (exactly one first write can win) whatever the machine's speed.
  let firstReads = 0;
  let allRead!: () => void;
  const barrier = new Promise<void>((resolve) => {
    allRead = resolve;
  });

  await Promise.all(
    Array.from({ length: WRITERS }, async (_, n) => {
      const url = servers[n % servers.length]!.url;
      for (let attempt = 0; ; attempt++) {
        const read = await send(url, { method: 'GET', path: `/records/${id}` });
        expect(read.status).toBe(200);
        if (attempt === 0) {
          if (++firstReads === WRITERS) allRead();
          await barrier;
        }
        const { metadata } = JSON.parse(read.text) as { metadata: Metadata };
        const write = await send(url, {
          method: 'PUT',
          path: `/records/${id}`,
          headers: { ...headers, 'If-Match': String(read.headers.etag) },
          body: JSON.stringify({ ...metadata, subjects: [...metadata.subjects, `writer-${n}`] }),
        });
        if (write.status === 200) return;
        expect(write.status, write.text).toBe(412);
        conflicts++;
      }
    }),
  );

  const final = await send(servers[1]!.url, { method: 'GET', path: `/records/${id}` });
  const record = JSON.parse(final.text) as { revision: number; metadata: Metadata };
  expect(record.metadata.subjects.sort()).toEqual(Array.from({ length: WRITERS }, (_, n) => `writer-${n}`).sort());
  expect(record.revision).toBe(WRITERS);
  expect(final.headers.etag).toBe(`"${WRITERS}"`);
  // The race really happened: all first writes but one were refused and retried.
  expect(conflicts).toBeGreaterThanOrEqual(WRITERS - 1);
  // Both servers search the same index and see the last write: whichever server made it.
  for (const server of servers) {
    const found = await send(server.url, { method: 'GET', path: '/records/?q=contended' });
    const page = JSON.parse(found.text) as { hits: { hits: { id: string; revision: number; metadata: Metadata }[] } };
    expect(page.hits.hits.map((h) => [h.id, h.revision, h.metadata.subjects.length])).toEqual([[id, WRITERS, WRITERS]]);
  }
}

describeBackends('concurrent If-Match read-modify-write through two reference servers', (backend) => {
  it('loses no update', async () => {
    const instance = backend.instance('lost');
    const { servers, close } = await twoServers(instance);
    try {
      await race(servers);
    } finally {
      await close();
      await instance.drop();
    }
  }, 120_000);
});
