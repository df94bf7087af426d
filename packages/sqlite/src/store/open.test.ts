import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRestError } from '@recordkit/rest-errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteBackend } from './open.js';

describe('openSqlite', () => {
  let dir: string;
  let backend: SqliteBackend;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-open-sqlite-'));
    backend = openSqlite({ path: join(dir, 'records.db') });
    await backend.search.createIndex('records', { mappings: { properties: { title: { type: 'text' }, year: { type: 'integer' } } } });
  });

  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares one database: the store indexes inside its write transaction', async () => {
    expect(backend.store.indexesInTransaction).toBe(true);
    expect(backend.store.database).toBe(backend.database);
    const record = await backend.store.create({
      metadata: { title: 'Shared file' },
      pids: [],
      index: { index: 'records', document: { title: 'Shared file' } },
    });
    const found = await backend.search.search('records', { query: { match: { title: 'shared' } }, version: true });
    expect(found.hits.hits.map((h) => [h._id, h._version])).toEqual([[record.id, 0]]);
    await backend.store.delete({ id: record.id, expectedRevision: 0, index: { index: 'records', document: null } });
    expect((await backend.search.search('records', { query: { match: { title: 'shared' } } })).hits.total.value).toBe(0);
    expect(await backend.store.pendingIndexTasks()).toEqual([]);
  });

  it('rolls the record back when its document does not fit the mapping', async () => {
    const error = await backend.store
      .create({
        metadata: { year: 'not a number' },
        pids: [{ type: 'recid', value: '1' }],
        index: { index: 'records', document: { year: 'not a number' } },
      })
      .catch((e: unknown) => e);
    expect(isRestError(error) && error.status).toBe(400);
    expect(await backend.store.count()).toBe(0);
    expect(await backend.store.getPID({ type: 'recid', value: '1' })).toBeUndefined();
  });

  it('opens with WAL and durability full by default, normal on request', async () => {
    expect(backend.database.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(backend.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    const other = openSqlite({ path: join(dir, 'other.db'), durability: 'normal' });
    expect(other.database.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    await other.close();
  });

  it('keeps records and index across close and reopen', async () => {
    await backend.store.create({
      metadata: { title: 'Persistent' },
      pids: [],
      index: { index: 'records', document: { title: 'Persistent' } },
    });
    await backend.close();
    backend = openSqlite({ path: join(dir, 'records.db') });
    expect(await backend.store.count()).toBe(1);
    expect((await backend.search.search('records', { query: { match: { title: 'persistent' } } })).hits.total.value).toBe(1);
  });

  it('refuses a missing path and closes the database on close', async () => {
    expect(() => openSqlite({ path: '' })).toThrow(/path/);
    await backend.close();
    await backend.close();
    expect(() => backend.database.prepare('SELECT 1')).toThrow();
  });
});
