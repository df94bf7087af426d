import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { recordStoreContract } from '@recordkit/records-service/testing';
import { BadRequestError, isRestError } from '@recordkit/rest-errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexWrite } from '../index-writer.js';
import { openDatabase } from './database.js';
import { STORE_MIGRATIONS } from './migrations.js';
import { SqliteRecordStore } from './record-store.js';

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rk-sqlite-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

recordStoreContract('SqliteRecordStore (file, outbox)', () => {
  const { dir, remove } = tempDir();
  const path = join(dir, 'records.db');
  return {
    store: new SqliteRecordStore({ path }),
    openAnother: async () => new SqliteRecordStore({ path }),
    teardown: async () => remove(),
  };
});

recordStoreContract('SqliteRecordStore (file, index writer in the transaction)', () => {
  const { dir, remove } = tempDir();
  const path = join(dir, 'records.db');
  const writer = { applyIndexWrite: () => {} };
  return {
    store: new SqliteRecordStore({ path, indexWriter: writer }),
    openAnother: async () => new SqliteRecordStore({ path, indexWriter: writer }),
    teardown: async () => remove(),
  };
});

describe('SqliteRecordStore', () => {
  let dir: string;
  let remove: () => void;
  let path: string;
  const open: SqliteRecordStore[] = [];

  beforeEach(() => {
    ({ dir, remove } = tempDir());
    path = join(dir, 'records.db');
  });

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    remove();
  });

  function storeAt(options: Partial<ConstructorParameters<typeof SqliteRecordStore>[0]> = {}): SqliteRecordStore {
    const store = new SqliteRecordStore({ path, ...options });
    open.push(store);
    return store;
  }

  it('keeps records, revisions, PIDs and sequences across close and reopen', async () => {
    const first = new SqliteRecordStore({ path });
    const created = await first.create({ metadata: { title: 'kept' }, pids: [{ type: 'recid', value: '1' }] });
    await first.update({ id: created.id, expectedRevision: 0, metadata: { title: 'kept 2' } });
    await first.nextSequenceValue('recid');
    await first.close();

    const second = storeAt();
    expect(await second.get(created.id)).toMatchObject({ revision: 1, metadata: { title: 'kept 2' } });
    expect(await second.revisions(created.id)).toHaveLength(2);
    expect((await second.getPID({ type: 'recid', value: '1' }))?.recordId).toBe(created.id);
    expect(await second.nextSequenceValue('recid')).toBe(2);
  });

  it('opens the file in WAL mode with synchronous=FULL by default', () => {
    const store = storeAt();
    expect(store.database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    // 2 = FULL, 1 = NORMAL
    expect(store.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
  });

  it("uses synchronous=NORMAL when durability is 'normal'", () => {
    const store = storeAt({ durability: 'normal' });
    expect(store.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
  });

  it('restores synchronous=FULL after handing out a sequence value', async () => {
    const store = storeAt();
    await store.nextSequenceValue('recid');
    expect(store.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
  });

  it('rejects an unknown durability setting', () => {
    expect(() => new SqliteRecordStore({ path, durability: 'fast' as never })).toThrow(/durability/);
  });

  it('needs a path or a database', () => {
    expect(() => new SqliteRecordStore({})).toThrow(/path/);
  });

  it('applies the migrations once and records them in schema_migrations', () => {
    storeAt();
    storeAt();
    const db = new DatabaseSync(path);
    const rows = db.prepare("SELECT component, version FROM schema_migrations WHERE component = 'store'").all();
    db.close();
    expect(rows).toEqual(STORE_MIGRATIONS.map((m) => ({ component: 'store', version: m.version })));
  });

  it('refuses a database whose store schema is newer than the library', async () => {
    (await storeAt()).close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO schema_migrations (component, version, name, applied) VALUES ('store', 999, 'future', 'x')").run();
    db.close();
    expect(() => new SqliteRecordStore({ path })).toThrow(/version 999/);
  });

  it('does not close a database it was given', async () => {
    const db = openDatabase({ path });
    const store = new SqliteRecordStore({ database: db });
    await store.close();
    expect(db.prepare('SELECT count(*) AS n FROM records').get()).toEqual({ n: 0 });
    db.close();
  });

  it('answers 503 when another connection holds the write lock past the busy timeout', async () => {
    const store = storeAt({ busyTimeoutMs: 0 });
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await store.create({ metadata: {}, pids: [] }).catch((e: unknown) => e);
      expect(isRestError(error) && error.status).toBe(503);
      expect(isRestError(error) && error.headers['Retry-After']).toBe('1');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.count()).toBe(0);
  });

  describe('with an index writer', () => {
    it('applies each write with the record id and revision inside the write transaction', async () => {
      const writes: (IndexWrite & { inTransaction: boolean })[] = [];
      let store: SqliteRecordStore | undefined;
      store = storeAt({
        indexWriter: { applyIndexWrite: (w) => writes.push({ ...w, inTransaction: store?.database.isTransaction ?? false }) },
      });
      expect(store.indexesInTransaction).toBe(true);
      const created = await store.create({ metadata: { t: 1 }, pids: [], index: { index: 'records', document: { t: 1 } } });
      await store.update({ id: created.id, expectedRevision: 0, metadata: { t: 2 }, index: { index: 'records', document: { t: 2 } } });
      await store.delete({ id: created.id, expectedRevision: 1, index: { index: 'records', document: null } });
      expect(writes).toEqual([
        { index: 'records', id: created.id, version: 0, document: { t: 1 }, inTransaction: true },
        { index: 'records', id: created.id, version: 1, document: { t: 2 }, inTransaction: true },
        { index: 'records', id: created.id, version: 2, document: null, inTransaction: true },
      ]);
      expect(await store.pendingIndexTasks()).toEqual([]);
    });

    it('rolls the record write back when the index write throws', async () => {
      let fail = false;
      const store = storeAt({
        indexWriter: {
          applyIndexWrite: () => {
            if (fail) throw new BadRequestError('document does not fit the mapping');
          },
        },
      });
      const created = await store.create({
        metadata: { v: 0 },
        pids: [{ type: 'recid', value: '1' }],
        index: { index: 'r', document: {} },
      });
      fail = true;
      const error = await store
        .update({ id: created.id, expectedRevision: 0, metadata: { v: 1 }, index: { index: 'r', document: {} } })
        .catch((e: unknown) => e);
      expect(isRestError(error) && error.status).toBe(400);
      expect(await store.get(created.id)).toMatchObject({ revision: 0, metadata: { v: 0 } });
      expect(await store.revisions(created.id)).toHaveLength(1);
      const failedCreate = await store
        .create({ metadata: {}, pids: [{ type: 'recid', value: '2' }], index: { index: 'r', document: {} } })
        .catch((e: unknown) => e);
      expect(isRestError(failedCreate)).toBe(true);
      expect(await store.getPID({ type: 'recid', value: '2' })).toBeUndefined();
      expect(await store.count()).toBe(1);
    });
  });

  it('rejects bad input to the store with 400s, not crashes', async () => {
    const store = storeAt();
    const statuses = await Promise.all(
      [
        store.create({ metadata: [] as never, pids: [] }),
        store.create({ metadata: {}, pids: [{ type: '', value: '1' }] }),
        store.update({ id: 'x', expectedRevision: -1, metadata: {} }),
        store.list({ limit: 0 }),
        store.createPID({ type: 'recid', value: '1', status: 'bogus' as never }),
        store.nextSequenceValue(''),
      ].map((p) => p.then(() => 0).catch((e: unknown) => (isRestError(e) ? e.status : -1))),
    );
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
  });

  it('throws on use after close', async () => {
    const store = new SqliteRecordStore({ path });
    await store.close();
    await store.close();
    await expect(store.get('x')).rejects.toThrow(/closed/);
  });
});
