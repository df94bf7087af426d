import { isRestError, type RestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresRecordStore } from '../src/index.js';
import { dropSchema, freshStore, noDatabase, withAdmin } from './support.js';

async function rejection(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to reject');
}

describe.skipIf(noDatabase)('PostgresRecordStore (PostgreSQL specifics)', () => {
  const stores: PostgresRecordStore[] = [];
  const schemas: string[] = [];

  async function setup(options: Parameters<typeof freshStore>[1] = {}) {
    const fixture = await freshStore('store', options);
    stores.push(fixture.store);
    schemas.push(fixture.schema);
    const open = async () => {
      const store = await fixture.open();
      stores.push(store);
      return store;
    };
    return { ...fixture, open };
  }

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  async function tableCounts(schema: string) {
    return withAdmin(async (client) => {
      const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
      return {
        records: await count('records'),
        revisions: await count('record_revisions'),
        pids: await count('pids'),
        outbox: await count('index_outbox'),
      };
    });
  }

  describe('one transaction per write', () => {
    it('leaves no row in any table when a create fails on a taken PID', async () => {
      const { store, schema } = await setup();
      await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }], index: { index: 'r', document: {} } });
      const before = await tableCounts(schema);
      const error = await rejection(
        store.create({
          metadata: { second: true },
          pids: [
            { type: 'recid', value: '2' },
            { type: 'recid', value: '1' },
          ],
          index: { index: 'r', document: { second: true } },
        }),
      );
      expect(error.status).toBe(409);
      expect(await tableCounts(schema)).toEqual(before);
    });

    it('names every taken PID in the 409, by its position in the request', async () => {
      const { store } = await setup();
      await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
      await store.createPID({ type: 'doi', value: '10.1/x', status: 'reserved' });
      const error = await rejection(
        store.create({
          metadata: {},
          pids: [
            { type: 'doi', value: '10.1/x' },
            { type: 'recid', value: 'free' },
            { type: 'recid', value: '1' },
          ],
        }),
      );
      expect(error.status).toBe(409);
      expect(error.errors.map((e) => e.field)).toEqual(['pids.0', 'pids.2']);
    });

    it('stores metadata as JSONB and one revision row per write', async () => {
      const { store, schema } = await setup();
      const created = await store.create({ metadata: { title: 'A' }, pids: [] });
      await store.update({ id: created.id, expectedRevision: 0, metadata: { title: 'B' } });
      const rows = await withAdmin((client) =>
        client.query(
          `SELECT revision, jsonb_typeof(metadata) AS kind, metadata->>'title' AS title FROM "${schema}".record_revisions ORDER BY revision`,
        ),
      );
      expect(rows.rows).toEqual([
        { revision: 0, kind: 'object', title: 'A' },
        { revision: 1, kind: 'object', title: 'B' },
      ]);
    });
  });

  describe('bad input is a 400 naming the field, and writes nothing', () => {
    it.each([
      ['a NUL character in the metadata', { metadata: { t: 'a\u0000b' }, pids: [] }, 'metadata.t'],
      ['an id that is not a UUID', { id: 'rec-1', metadata: {}, pids: [] }, 'id'],
      [
        'the same PID twice',
        {
          metadata: {},
          pids: [
            { type: 'recid', value: '1' },
            { type: 'recid', value: '1' },
          ],
        },
        'pids.1',
      ],
      [
        'a PID created as redirected',
        { metadata: {}, pids: [{ type: 'recid', value: '1', status: 'redirected' as const }] },
        'pids.0.status',
      ],
      ['an unknown PID status', { metadata: {}, pids: [{ type: 'recid', value: '1', status: 'gone' as never }] }, 'pids.0.status'],
      [
        'a NUL character in the index document',
        { metadata: {}, pids: [], index: { index: 'r', document: { t: '\u0000' } } },
        'index.document.t',
      ],
    ])('on create: %s', async (_name, input, field) => {
      const { store, schema } = await setup();
      const error = await rejection(store.create(input));
      expect(error.status).toBe(400);
      expect(error.errors.map((e) => e.field)).toEqual([field]);
      expect((await tableCounts(schema)).records).toBe(0);
    });

    it('on update: a negative expected revision and metadata that is not an object', async () => {
      const { store } = await setup();
      const created = await store.create({ metadata: {}, pids: [] });
      const negative = await rejection(store.update({ id: created.id, expectedRevision: -1, metadata: {} }));
      expect(negative.errors[0]?.field).toBe('expectedRevision');
      const notObject = await rejection(store.update({ id: created.id, expectedRevision: 0, metadata: [] as never }));
      expect(notObject.errors[0]?.field).toBe('metadata');
      expect((await store.get(created.id))?.revision).toBe(0);
    });

    it('answers an id that is not a UUID like an unknown one on reads', async () => {
      const { store } = await setup();
      expect(await store.get('not-a-uuid')).toBeUndefined();
      expect(await store.getMany(['not-a-uuid'])).toEqual([]);
      expect(await store.revisions('not-a-uuid')).toEqual([]);
      expect(await store.recordPIDs('not-a-uuid')).toEqual([]);
    });
  });

  describe('ids', () => {
    it('finds a record by its id in upper case and pages from a non-UUID `after` in text order', async () => {
      const { store } = await setup();
      const created = await store.create({ metadata: {}, pids: [] });
      expect((await store.get(created.id.toUpperCase()))?.id).toBe(created.id);
      const all = await store.list({ after: '' });
      expect(all.map((r) => r.id)).toEqual([created.id]);
      expect(await store.list({ after: 'g' })).toEqual([]);
    });
  });

  describe('outbox', () => {
    it('keeps unacknowledged index tasks across a restart, so none is lost while the search engine is down', async () => {
      const { store, open } = await setup();
      const created = await store.create({ metadata: { t: 1 }, pids: [], index: { index: 'records', document: { t: 1 } } });
      await store.close();
      const restarted = await open();
      const tasks = await restarted.pendingIndexTasks();
      expect(tasks).toEqual([{ seq: expect.any(Number), recordId: created.id, version: 0, index: 'records', document: { t: 1 } }]);
      await restarted.completeIndexTasks(tasks.map((t) => t.seq));
      await restarted.completeIndexTasks(tasks.map((t) => t.seq));
      expect(await restarted.pendingIndexTasks()).toEqual([]);
    });

    it('lets a second process see and acknowledge the tasks of the first', async () => {
      const { store, open } = await setup();
      const other = await open();
      await store.create({ metadata: {}, pids: [], index: { index: 'records', document: {} } });
      const seen = await other.pendingIndexTasks();
      expect(seen).toHaveLength(1);
      await other.completeIndexTasks(seen.map((t) => t.seq));
      expect(await store.pendingIndexTasks()).toEqual([]);
    });
  });

  describe('sequences', () => {
    it('hands out 1..N exactly once across two connection pools', async () => {
      const { store, open } = await setup();
      const other = await open();
      const values = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? store : other).nextSequenceValue('recid')));
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    });

    it('keeps a sequence per name, whatever characters the name has', async () => {
      const { store } = await setup();
      expect(await store.nextSequenceValue('DOI / 10.1234 "quoted"')).toBe(1);
      expect(await store.nextSequenceValue('Ünïcode')).toBe(1);
      expect(await store.nextSequenceValue('DOI / 10.1234 "quoted"')).toBe(2);
      expect(await store.nextSequenceValue('recid')).toBe(1);
    });

    it('creates the sequence of a new name once even when many callers ask for it at once', async () => {
      const { store, open } = await setup({ poolSize: 8 });
      const other = await open();
      const values = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? store : other).nextSequenceValue('fresh')));
      expect(new Set(values).size).toBe(16);
      expect(Math.max(...values)).toBe(16);
    });
  });

  describe('schemas', () => {
    it('keeps two stores on two schemas of one database apart', async () => {
      const a = await setup();
      const b = await setup();
      await a.store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
      await b.store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
      expect(await a.store.count()).toBe(1);
      expect(await b.store.count()).toBe(1);
      expect(await a.store.nextSequenceValue('recid')).toBe(1);
      expect(await b.store.nextSequenceValue('recid')).toBe(1);
    });
  });

  describe('PIDs', () => {
    it('lists a record’s PIDs in creation order and clears the redirect when a PID is registered again', async () => {
      const { store } = await setup();
      const record = await store.create({
        metadata: {},
        pids: [
          { type: 'recid', value: '2' },
          { type: 'doi', value: '10.1/a' },
          { type: 'ark', value: 'x' },
        ],
      });
      expect((await store.recordPIDs(record.id)).map((p) => p.type)).toEqual(['recid', 'doi', 'ark']);
      await store.create({ metadata: {}, pids: [{ type: 'recid', value: '3' }] });
      await store.redirectPID({ type: 'recid', value: '2' }, { type: 'recid', value: '3' });
      const registered = await store.setPIDStatus({ type: 'recid', value: '2' }, 'registered');
      expect(registered?.status).toBe('registered');
      expect(registered?.redirectTo).toBeUndefined();
    });

    it('refuses to remove a `new` PID that another PID redirects to (409)', async () => {
      const { store } = await setup();
      await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
      await store.createPID({ type: 'recid', value: 'target', status: 'registered' });
      await store.redirectPID({ type: 'recid', value: '1' }, { type: 'recid', value: 'target' });
      await store.setPIDStatus({ type: 'recid', value: 'target' }, 'new');
      expect((await rejection(store.setPIDStatus({ type: 'recid', value: 'target' }, 'deleted'))).status).toBe(409);
      expect((await store.getPID({ type: 'recid', value: 'target' }))?.status).toBe('new');
    });

    it('answers 404 naming recordId for a PID attached to an unknown record', async () => {
      const { store } = await setup();
      const error = await rejection(
        store.createPID({ type: 'recid', value: '1', status: 'registered', recordId: '00000000-0000-4000-8000-000000000000' }),
      );
      expect(error.status).toBe(404);
      expect(error.errors[0]?.field).toBe('recordId');
    });
  });
});
