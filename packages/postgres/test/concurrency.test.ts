import { isRestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresRecordStore } from '../src/index.js';
import { dropSchema, freshStore, noDatabase } from './support.js';

/** Read the counter, add one, write it back with the revision read; on 412 read again and retry. */
async function increment(store: PostgresRecordStore, id: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(id);
    if (!current) throw new Error('record vanished');
    const count = (current.metadata.count as number) + 1;
    try {
      await store.update({
        id,
        expectedRevision: current.revision,
        metadata: { count },
        index: { index: 'counters', document: { count } },
      });
      return attempt;
    } catch (error) {
      if (isRestError(error) && error.status === 412) continue;
      throw error;
    }
  }
}

describe.skipIf(noDatabase)('optimistic concurrency under load', () => {
  const stores: PostgresRecordStore[] = [];
  const schemas: string[] = [];

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('50 concurrent read-modify-write writers lose no update', async () => {
    const { store, schema } = await freshStore('concurrency', { poolSize: 10 });
    stores.push(store);
    schemas.push(schema);
    const created = await store.create({ metadata: { count: 0 }, pids: [], index: { index: 'counters', document: { count: 0 } } });
    const writers = 50;
    const perWriter = 4;
    const attempts = await Promise.all(
      Array.from({ length: writers }, async () => {
        let total = 0;
        for (let i = 0; i < perWriter; i++) total += await increment(store, created.id);
        return total;
      }),
    );
    const final = await store.get(created.id);
    expect(final?.metadata).toEqual({ count: writers * perWriter });
    expect(final?.revision).toBe(writers * perWriter);
    // Contention really happened: some writes had to be retried after a 412.
    expect(attempts.reduce((a, b) => a + b, 0)).toBeGreaterThan(writers * perWriter);
    const revisions = await store.revisions(created.id);
    expect(revisions.map((r) => r.revision)).toEqual(Array.from({ length: writers * perWriter + 1 }, (_, i) => i));
    expect(revisions.map((r) => r.metadata?.count)).toEqual(Array.from({ length: writers * perWriter + 1 }, (_, i) => i));
    // Exactly one outbox entry per committed revision, none for the writes that lost.
    const tasks = await store.pendingIndexTasks(10_000);
    expect(tasks.map((t) => t.version)).toEqual(Array.from({ length: writers * perWriter + 1 }, (_, i) => i));
  });

  it('holds across two connection pools, as two server processes sharing one database', async () => {
    const { store, schema, open } = await freshStore('concurrency', { poolSize: 6 });
    const other = await open();
    stores.push(store, other);
    schemas.push(schema);
    const created = await store.create({ metadata: { count: 0 }, pids: [] });
    await Promise.all(Array.from({ length: 50 }, (_, i) => increment(i % 2 ? store : other, created.id)));
    expect((await other.get(created.id))?.metadata).toEqual({ count: 50 });
    expect((await store.get(created.id))?.revision).toBe(50);
  });

  it('gives a contested PID to exactly one of 20 concurrent creates', async () => {
    const { store, schema, open } = await freshStore('concurrency', { poolSize: 6 });
    const other = await open();
    stores.push(store, other);
    schemas.push(schema);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).create({ metadata: { i }, pids: [{ type: 'recid', value: '1' }] })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => isRestError(r.reason) && r.reason.status)).toEqual(Array(19).fill(409));
    expect(await store.count()).toBe(1);
    expect((await store.getPID({ type: 'recid', value: '1' }))?.recordId).toBe((won[0] as PromiseFulfilledResult<{ id: string }>).value.id);
  });
});
