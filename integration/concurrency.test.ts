// 20 writers doing If-Match read-modify-write increments on one record end with exactly 20 increments:
// every lost update is caught as a 412 and retried. Two servers on two connections to the same SQLite
// file share the load, so the guarantee is the database's (UPDATE ... WHERE revision = ?), not the
// event loop's.
import { join } from 'node:path';
import { RecordsService } from '@recordkit/records-service';
import { RecordsResource } from '@recordkit/records-service/http';
import { SqliteRecordStore } from '@recordkit/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, RECORDS_ENDPOINT, type TestApp } from './helpers/app.js';
import { client } from './helpers/client.js';
import { type Running, startStack } from './helpers/stacks.js';

const WRITERS = 20;

describe('concurrent If-Match read-modify-write on the embedded store', () => {
  let app: TestApp;
  let secondStore: SqliteRecordStore;
  let first: Running;
  let second: Running;

  beforeAll(async () => {
    app = createTestApp();
    secondStore = new SqliteRecordStore({ path: join(app.dir, 'records.db') });
    const secondService = new RecordsService({
      store: secondStore,
      baseUrl: 'http://records.test/api',
      endpoints: { recid: RECORDS_ENDPOINT },
    });
    first = await startStack('node:http', app.resource);
    second = await startStack('node:http', new RecordsResource({ service: secondService }));
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    await secondStore.close();
    await app.close();
  });

  it(`${WRITERS} writers each add 1 exactly once; conflicts are 412s and retried`, async () => {
    const calls = [client(() => first.url), client(() => second.url)];
    const created = await calls[0]!('POST', '/records/', { user: 'alice', body: { title: 'counter', owner: 'alice', count: 0 } });
    expect(created.status).toBe(201);
    const path = `/records/${created.record.id}`;
    const outcomes: number[] = [];

    async function writer(index: number): Promise<number> {
      const call = calls[index % 2]!;
      let attempts = 0;
      for (;;) {
        attempts++;
        const read = await call('GET', path);
        expect(read.status).toBe(200);
        const etag = read.headers.get('etag') ?? '';
        const count = read.record.metadata.count as number;
        const write = await call('PUT', path, {
          user: 'alice',
          headers: { 'If-Match': etag },
          body: { title: 'counter', owner: 'alice', count: count + 1 },
        });
        outcomes.push(write.status);
        if (write.status === 200) return attempts;
        expect(write.status).toBe(412);
      }
    }

    const attempts = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
    const final = await calls[0]!('GET', path);
    expect(final.record.metadata.count).toBe(WRITERS);
    expect(final.record.revision).toBe(WRITERS);
    expect(final.headers.get('etag')).toBe(`"${WRITERS}"`);
    expect(outcomes.filter((s) => s === 200)).toHaveLength(WRITERS);
    expect(outcomes.length).toBe(attempts.reduce((a, b) => a + b, 0));
    const { record } = await app.service.resolve('recid', created.record.id);
    const revisions = await app.store.revisions(record.id);
    expect(revisions.map((r) => (r.metadata as { count: number }).count)).toEqual(Array.from({ length: WRITERS + 1 }, (_, i) => i));
  });
});
