// A record store that does not share its database with the search engine: writes queue index intents
// in the store's outbox (same transaction), the service applies them after each write, and a write made
// while the engine is failing is indexed later, never lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexRefusedError, RecordsService, type SearchEngine } from '@recordkit/records-service';
import { ServiceUnavailableError } from '@recordkit/rest-errors';
import { SqliteRecordStore, SqliteSearchEngine } from '@recordkit/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_ENDPOINT } from './helpers/app.js';

describe('index outbox (store and engine in separate databases)', () => {
  let dir: string;
  let store: SqliteRecordStore;
  let engine: SqliteSearchEngine;
  let service: RecordsService;
  let down = false;
  let indexMissing = false;
  const indexErrors: unknown[] = [];
  const ctx = { endpoint: 'recid', identity: { id: 'alice' } };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-outbox-'));
    store = new SqliteRecordStore({ path: join(dir, 'records.db') });
    engine = new SqliteSearchEngine({ path: join(dir, 'search.db') });
    // The real engine, with its bulk writes failing while `down` is set (an unreachable cluster).
    const flaky: SearchEngine = {
      createIndex: (...a) => engine.createIndex(...a),
      deleteIndex: (...a) => engine.deleteIndex(...a),
      indexExists: (...a) => engine.indexExists(...a),
      index: (...a) => engine.index(...a),
      delete: (...a) => engine.delete(...a),
      bulk: (index, operations) => {
        if (down) return Promise.reject(new ServiceUnavailableError(1));
        // What Elasticsearch answers per item when the index is gone and auto-create is off.
        if (indexMissing) {
          return Promise.resolve({
            errors: true,
            items: operations.map((op) => ({
              id: op.id,
              action: op.action,
              status: 404,
              error: { type: 'index_not_found_exception', reason: 'no such index' },
            })),
          });
        }
        return engine.bulk(index, operations);
      },
      refresh: (...a) => engine.refresh(...a),
      search: (...a) => engine.search(...a),
      count: (...a) => engine.count(...a),
      openPointInTime: (...a) => engine.openPointInTime(...a),
      closePointInTime: (...a) => engine.closePointInTime(...a),
      close: () => engine.close(),
    };
    service = new RecordsService({
      store,
      search: flaky,
      baseUrl: 'http://records.test/api',
      endpoints: { recid: SEARCH_ENDPOINT },
      onIndexError: (error) => indexErrors.push(error),
    });
    await service.setup();
  });

  afterEach(async () => {
    down = false;
    indexMissing = false;
    indexErrors.length = 0;
    await store.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const titles = async (q: string) =>
    (await service.searchRecords({ endpoint: 'recid', identity: { id: 'alice' } }, new URLSearchParams(`q=${q}`))).view.hits.map(
      (h) => h.metadata.title,
    );

  it('is not in-transaction, and applies each write to the engine before the call returns', async () => {
    expect(store.indexesInTransaction).toBe(false);
    const created = await service.create(ctx, { title: 'Outbox narwhal', owner: 'alice' });
    expect(await titles('narwhal')).toEqual(['Outbox narwhal']);
    await service.replace(ctx, created.pid.value, { title: 'Outbox beluga', owner: 'alice' });
    expect(await titles('narwhal')).toEqual([]);
    expect(await titles('beluga')).toEqual(['Outbox beluga']);
    await service.delete(ctx, created.pid.value);
    expect(await titles('beluga')).toEqual([]);
    expect(await store.pendingIndexTasks()).toEqual([]);
  });

  it('keeps the write and its intent when the engine fails, and indexes it once the engine is back', async () => {
    down = true;
    const created = await service.create(ctx, { title: 'Delayed orca', owner: 'alice' });
    expect(created.record.revision).toBe(0);
    expect(indexErrors).toHaveLength(1);
    expect((await store.pendingIndexTasks()).map((t) => [t.recordId, t.version])).toEqual([[created.record.id, 0]]);
    expect(await titles('orca')).toEqual([]);
    await service.replace(ctx, created.pid.value, { title: 'Delayed orca again', owner: 'alice' });
    down = false;
    await service.processIndexQueue();
    expect(await store.pendingIndexTasks()).toEqual([]);
    expect(await titles('orca')).toEqual(['Delayed orca again']);
  });

  it('keeps an index write in the outbox when the engine answers per-item 404 (index missing)', async () => {
    const created = await service.create(ctx, { title: 'Homeless walrus', owner: 'alice' });
    indexMissing = true;
    await service.replace(ctx, created.pid.value, { title: 'Homeless walrus two', owner: 'alice' });
    expect((await store.pendingIndexTasks()).map((t) => [t.recordId, t.version])).toEqual([[created.record.id, 1]]);
    // The refusal is reported, naming the entry and the engine's reason (the write itself succeeded).
    expect(indexErrors).toHaveLength(1);
    const reported = indexErrors[0] as IndexRefusedError;
    expect(reported).toBeInstanceOf(IndexRefusedError);
    expect(reported.entries).toEqual([
      { index: 'records', id: created.record.id, version: 1, status: 404, reason: 'index_not_found_exception: no such index' },
    ]);
    expect(reported.message).toContain(`records/${created.record.id}@1: 404 index_not_found_exception`);
    indexMissing = false;
    await service.processIndexQueue();
    expect(await store.pendingIndexTasks()).toEqual([]);
    expect(await titles('walrus')).toEqual(['Homeless walrus two']);
  });

  it('settles the delete of a document that was never indexed', async () => {
    down = true;
    const created = await service.create(ctx, { title: 'Ghost narwhal', owner: 'alice' });
    await service.delete(ctx, created.pid.value);
    down = false;
    await service.processIndexQueue();
    expect(await store.pendingIndexTasks()).toEqual([]);
    expect(await titles('narwhal')).toEqual([]);
  });

  it('ignores a stale intent applied after a newer one (external versions)', async () => {
    const created = await service.create(ctx, { title: 'Versioned seal', owner: 'alice' });
    await service.replace(ctx, created.pid.value, { title: 'Versioned seal two', owner: 'alice' });
    const result = await engine.index('records', created.record.id, { title: 'stale copy' }, { version: 0 });
    expect(result.result).toBe('stale');
    expect(await titles('seal')).toEqual(['Versioned seal two']);
  });
});
