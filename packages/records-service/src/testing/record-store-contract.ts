import { isRestError } from '@recordkit/rest-errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordStore } from '../ports.js';

/** What the contract suite's factory returns for each test: a fresh, empty store. */
export interface RecordStoreFixture {
  store: RecordStore;
  /**
   * A second store on the same storage (another connection or process-like handle), used to check
   * that optimistic concurrency holds across connections, not only inside one. Optional.
   */
  openAnother?: () => Promise<RecordStore>;
  /** Called after each test, after `store.close()` (drop the schema, delete the file). */
  teardown?: () => Promise<void>;
}

/** Resolves with the RestError status a promise rejects with (fails the test if it resolves). */
async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error.status;
    throw error;
  }
  throw new Error('expected the call to reject');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The shared `RecordStore` contract: every adapter (`@recordkit/sqlite`, `@recordkit/postgres`, ...)
 * runs it from its own tests. `factory` returns a fresh, empty store for each test.
 *
 * Errors it pins down: a stale `expectedRevision` is 412 (`PreconditionFailedError`); a duplicate
 * record id or PID is 409 (`ConflictError`) and writes nothing; an update or delete of an unknown
 * record is 404; of a deleted record 409; `redirectPID` to an unknown PID is 404.
 *
 * @example
 * // packages/my-store/src/store.test.ts
 * import { recordStoreContract } from '@recordkit/records-service/testing';
 * recordStoreContract('MyStore', async () => ({ store: await MyStore.open(url) }));
 */
export function recordStoreContract(name: string, factory: () => Promise<RecordStoreFixture> | RecordStoreFixture): void {
  describe(`RecordStore contract: ${name}`, () => {
    let fixture: RecordStoreFixture;
    let store: RecordStore;
    const others: RecordStore[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
      await fixture.teardown?.();
    });

    describe('create and get', () => {
      it('creates a record at revision 0 with a generated UUID and equal timestamps', async () => {
        const created = await store.create({ metadata: { title: 'A' }, pids: [] });
        expect(created.id).toMatch(UUID);
        expect(created.revision).toBe(0);
        expect(created.deleted).toBe(false);
        expect(created.created).toBe(created.updated);
        expect(new Date(created.created).toISOString()).toBe(created.created);
        expect(await store.get(created.id)).toEqual(created);
      });

      it('keeps a caller-supplied id and write time', async () => {
        const id = '0b9a6c1e-3f0a-4f7e-9a1b-2c3d4e5f6a7b';
        const now = new Date('2026-01-02T03:04:05.678Z');
        const created = await store.create({ id, metadata: { a: 1 }, pids: [], now });
        expect(created.id).toBe(id);
        expect(created.created).toBe('2026-01-02T03:04:05.678Z');
        expect((await store.get(id))?.updated).toBe('2026-01-02T03:04:05.678Z');
      });

      it('round-trips nested JSON metadata exactly (unicode, numbers, null, arrays)', async () => {
        const metadata = { title: 'Ça marche 🚀', n: 1.5, big: 9007199254740991, none: null, list: [1, 'two', { three: [true, false] }] };
        const created = await store.create({ metadata, pids: [] });
        expect((await store.get(created.id))?.metadata).toEqual(metadata);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      });

      it('rejects a duplicate id with 409 and leaves the first record unchanged', async () => {
        const first = await store.create({ metadata: { v: 1 }, pids: [] });
        expect(await statusOf(store.create({ id: first.id, metadata: { v: 2 }, pids: [] }))).toBe(409);
        expect((await store.get(first.id))?.metadata).toEqual({ v: 1 });
      });

      it('registers the PIDs given on create, in the same transaction', async () => {
        const created = await store.create({
          metadata: {},
          pids: [
            { type: 'recid', value: '1' },
            { type: 'doi', value: '10.1234/abc', status: 'reserved' },
          ],
        });
        const recid = await store.getPID({ type: 'recid', value: '1' });
        expect(recid).toMatchObject({ type: 'recid', value: '1', status: 'registered', recordId: created.id });
        expect(await store.getPID({ type: 'doi', value: '10.1234/abc' })).toMatchObject({ status: 'reserved', recordId: created.id });
        expect((await store.recordPIDs(created.id)).map((p) => p.type).sort()).toEqual(['doi', 'recid']);
      });

      it('writes nothing when one of the PIDs already exists (409)', async () => {
        await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
        const status = await statusOf(
          store.create({
            metadata: { second: true },
            pids: [
              { type: 'recid', value: '2' },
              { type: 'recid', value: '1' },
            ],
          }),
        );
        expect(status).toBe(409);
        expect(await store.count()).toBe(1);
        expect(await store.getPID({ type: 'recid', value: '2' })).toBeUndefined();
      });

      it('returns a copy: mutating the result does not change the stored record', async () => {
        const created = await store.create({ metadata: { list: [1] }, pids: [] });
        (created.metadata.list as number[]).push(2);
        expect((await store.get(created.id))?.metadata).toEqual({ list: [1] });
      });
    });

    describe('getMany', () => {
      it('returns records in the order asked and skips unknown ids', async () => {
        const a = await store.create({ metadata: { n: 'a' }, pids: [] });
        const b = await store.create({ metadata: { n: 'b' }, pids: [] });
        const got = await store.getMany([b.id, '00000000-0000-4000-8000-000000000000', a.id]);
        expect(got.map((r) => r.metadata.n)).toEqual(['b', 'a']);
        expect(await store.getMany([])).toEqual([]);
      });
    });

    describe('update', () => {
      it('replaces the metadata and increments the revision', async () => {
        const created = await store.create({ metadata: { title: 'A', keep: 1 }, pids: [] });
        const later = new Date(Date.parse(created.created) + 1000);
        const updated = await store.update({ id: created.id, expectedRevision: 0, metadata: { title: 'B' }, now: later });
        expect(updated).toMatchObject({ id: created.id, revision: 1, metadata: { title: 'B' }, created: created.created, deleted: false });
        expect(updated.updated).toBe(later.toISOString());
        expect(await store.get(created.id)).toEqual(updated);
      });

      it('rejects a stale expected revision with 412 and keeps the newer write', async () => {
        const created = await store.create({ metadata: { v: 0 }, pids: [] });
        await store.update({ id: created.id, expectedRevision: 0, metadata: { v: 1 } });
        expect(await statusOf(store.update({ id: created.id, expectedRevision: 0, metadata: { v: 'stale' } }))).toBe(412);
        expect(await statusOf(store.update({ id: created.id, expectedRevision: 5, metadata: { v: 'future' } }))).toBe(412);
        expect(await store.get(created.id)).toMatchObject({ revision: 1, metadata: { v: 1 } });
      });

      it('lets exactly one of two writers with the same expected revision win', async () => {
        const created = await store.create({ metadata: { v: 0 }, pids: [] });
        const results = await Promise.allSettled([
          store.update({ id: created.id, expectedRevision: 0, metadata: { v: 'a' } }),
          store.update({ id: created.id, expectedRevision: 0, metadata: { v: 'b' } }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(isRestError(rejected.reason) && rejected.reason.status).toBe(412);
        expect((await store.get(created.id))?.revision).toBe(1);
      });

      it('keeps optimistic concurrency across two connections to the same storage', async () => {
        // Without a second handle, the same store stands in for the other connection.
        const other = fixture.openAnother ? await fixture.openAnother() : store;
        if (other !== store) others.push(other);
        const created = await store.create({ metadata: { v: 0 }, pids: [] });
        expect((await other.get(created.id))?.revision).toBe(0);
        await other.update({ id: created.id, expectedRevision: 0, metadata: { v: 'other' } });
        expect(await statusOf(store.update({ id: created.id, expectedRevision: 0, metadata: { v: 'mine' } }))).toBe(412);
        expect((await store.get(created.id))?.metadata).toEqual({ v: 'other' });
      });

      it('answers 404 for an unknown record and 409 for a deleted one', async () => {
        expect(await statusOf(store.update({ id: '00000000-0000-4000-8000-000000000000', expectedRevision: 0, metadata: {} }))).toBe(404);
        const created = await store.create({ metadata: {}, pids: [] });
        await store.delete({ id: created.id, expectedRevision: 0 });
        expect(await statusOf(store.update({ id: created.id, expectedRevision: 1, metadata: {} }))).toBe(409);
      });
    });

    describe('delete', () => {
      it('soft-deletes: revision + 1, deleted, metadata kept as tombstone, PIDs deleted', async () => {
        const created = await store.create({ metadata: { title: 'A' }, pids: [{ type: 'recid', value: '7' }] });
        const deleted = await store.delete({ id: created.id, expectedRevision: 0 });
        expect(deleted).toMatchObject({ id: created.id, revision: 1, deleted: true, metadata: { title: 'A' } });
        expect(await store.get(created.id)).toMatchObject({ deleted: true, revision: 1, metadata: { title: 'A' } });
        expect((await store.getPID({ type: 'recid', value: '7' }))?.status).toBe('deleted');
      });

      it('rejects a stale expected revision with 412 and deletes nothing', async () => {
        const created = await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
        await store.update({ id: created.id, expectedRevision: 0, metadata: { v: 1 } });
        expect(await statusOf(store.delete({ id: created.id, expectedRevision: 0 }))).toBe(412);
        expect((await store.get(created.id))?.deleted).toBe(false);
        expect((await store.getPID({ type: 'recid', value: '1' }))?.status).toBe('registered');
      });

      it('answers 404 for an unknown record and 409 when already deleted', async () => {
        expect(await statusOf(store.delete({ id: '00000000-0000-4000-8000-000000000000', expectedRevision: 0 }))).toBe(404);
        const created = await store.create({ metadata: {}, pids: [] });
        await store.delete({ id: created.id, expectedRevision: 0 });
        expect(await statusOf(store.delete({ id: created.id, expectedRevision: 1 }))).toBe(409);
      });

      it('removes a `new` PID and marks the others deleted, as Invenio does', async () => {
        const created = await store.create({
          metadata: {},
          pids: [
            { type: 'recid', value: '1' },
            { type: 'draft', value: 'x', status: 'new' },
          ],
        });
        await store.delete({ id: created.id, expectedRevision: 0 });
        expect(await store.getPID({ type: 'draft', value: 'x' })).toBeUndefined();
        expect((await store.getPID({ type: 'recid', value: '1' }))?.status).toBe('deleted');
      });

      it('deletes only the PIDs listed when `pids` is given', async () => {
        const created = await store.create({
          metadata: {},
          pids: [
            { type: 'recid', value: '1' },
            { type: 'doi', value: '10.1/x' },
          ],
        });
        await store.delete({ id: created.id, expectedRevision: 0, pids: [{ type: 'recid', value: '1' }] });
        expect((await store.getPID({ type: 'recid', value: '1' }))?.status).toBe('deleted');
        expect((await store.getPID({ type: 'doi', value: '10.1/x' }))?.status).toBe('registered');
      });
    });

    describe('revisions', () => {
      it('keeps every revision, oldest first, with null metadata for the deletion', async () => {
        const created = await store.create({ metadata: { v: 0 }, pids: [] });
        await store.update({ id: created.id, expectedRevision: 0, metadata: { v: 1 } });
        await store.update({ id: created.id, expectedRevision: 1, metadata: { v: 2 } });
        await store.delete({ id: created.id, expectedRevision: 2 });
        const revisions = await store.revisions(created.id);
        expect(revisions.map((r) => [r.revision, r.metadata, r.deleted])).toEqual([
          [0, { v: 0 }, false],
          [1, { v: 1 }, false],
          [2, { v: 2 }, false],
          [3, null, true],
        ]);
        expect(revisions.every((r) => r.id === created.id)).toBe(true);
      });

      it('is empty for an unknown record', async () => {
        expect(await store.revisions('00000000-0000-4000-8000-000000000000')).toEqual([]);
      });
    });

    describe('list and count', () => {
      it('pages through records in id order with `after` and `limit`', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await store.create({ metadata: { i }, pids: [] })).id);
        ids.sort();
        const first = await store.list({ limit: 2 });
        expect(first.map((r) => r.id)).toEqual(ids.slice(0, 2));
        const rest = await store.list({ after: first[1]?.id, limit: 10 });
        expect(rest.map((r) => r.id)).toEqual(ids.slice(2));
      });

      it('leaves deleted records out of list and count unless asked', async () => {
        const a = await store.create({ metadata: {}, pids: [] });
        await store.create({ metadata: {}, pids: [] });
        await store.delete({ id: a.id, expectedRevision: 0 });
        expect(await store.count()).toBe(1);
        expect(await store.count({ includeDeleted: true })).toBe(2);
        expect((await store.list()).map((r) => r.id)).not.toContain(a.id);
        expect((await store.list({ includeDeleted: true })).map((r) => r.id)).toContain(a.id);
      });
    });

    describe('PIDs', () => {
      it('creates a PID without a record (new or reserved) and returns undefined for unknown PIDs', async () => {
        const pid = await store.createPID({ type: 'doi', value: '10.5555/a/b', status: 'reserved' });
        expect(pid).toMatchObject({ type: 'doi', value: '10.5555/a/b', status: 'reserved' });
        expect(pid.recordId).toBeUndefined();
        expect(await store.getPID({ type: 'doi', value: '10.5555/a/b' })).toEqual(pid);
        expect(await store.getPID({ type: 'doi', value: 'nope' })).toBeUndefined();
      });

      it('rejects a duplicate PID with 409', async () => {
        await store.createPID({ type: 'recid', value: '1', status: 'new' });
        expect(await statusOf(store.createPID({ type: 'recid', value: '1', status: 'reserved' }))).toBe(409);
      });

      it('keeps PID types apart: the same value under two types is two PIDs', async () => {
        await store.createPID({ type: 'recid', value: '1', status: 'new' });
        await store.createPID({ type: 'other', value: '1', status: 'reserved' });
        expect((await store.getPID({ type: 'recid', value: '1' }))?.status).toBe('new');
        expect((await store.getPID({ type: 'other', value: '1' }))?.status).toBe('reserved');
      });

      it('registers a PID for an existing record', async () => {
        const record = await store.create({ metadata: {}, pids: [] });
        const pid = await store.createPID({ type: 'recid', value: '9', status: 'registered', recordId: record.id });
        expect(pid.recordId).toBe(record.id);
        expect((await store.recordPIDs(record.id)).map((p) => p.value)).toEqual(['9']);
      });

      it('redirects a registered PID to another PID', async () => {
        await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
        await store.create({ metadata: {}, pids: [{ type: 'recid', value: '2' }] });
        const redirected = await store.redirectPID({ type: 'recid', value: '1' }, { type: 'recid', value: '2' });
        expect(redirected).toMatchObject({ status: 'redirected', redirectTo: { type: 'recid', value: '2' } });
        expect((await store.getPID({ type: 'recid', value: '1' }))?.redirectTo).toEqual({ type: 'recid', value: '2' });
      });

      it('refuses to redirect to an unknown PID (404) or from a PID that is not registered (409)', async () => {
        await store.create({ metadata: {}, pids: [{ type: 'recid', value: '1' }] });
        expect(await statusOf(store.redirectPID({ type: 'recid', value: '1' }, { type: 'recid', value: 'missing' }))).toBe(404);
        await store.createPID({ type: 'recid', value: '2', status: 'reserved' });
        expect(await statusOf(store.redirectPID({ type: 'recid', value: '2' }, { type: 'recid', value: '1' }))).toBe(409);
        expect((await store.getPID({ type: 'recid', value: '1' }))?.status).toBe('registered');
      });

      it('changes a status, removes a `new` PID on delete, and returns undefined for unknown PIDs', async () => {
        await store.createPID({ type: 'recid', value: '1', status: 'new' });
        expect((await store.setPIDStatus({ type: 'recid', value: '1' }, 'reserved'))?.status).toBe('reserved');
        await store.createPID({ type: 'recid', value: '2', status: 'new' });
        expect(await store.setPIDStatus({ type: 'recid', value: '2' }, 'deleted')).toBeUndefined();
        expect(await store.getPID({ type: 'recid', value: '2' })).toBeUndefined();
        expect((await store.setPIDStatus({ type: 'recid', value: '1' }, 'deleted'))?.status).toBe('deleted');
        expect(await store.setPIDStatus({ type: 'recid', value: 'missing' }, 'registered')).toBeUndefined();
      });
    });

    describe('getPIDWithRecord (optional)', () => {
      /** The answer of getPID followed by get, which getPIDWithRecord must equal. */
      async function twoReads(ref: { type: string; value: string }) {
        const pid = await store.getPID(ref);
        if (!pid) return undefined;
        const record = pid.recordId === undefined ? undefined : await store.get(pid.recordId);
        return record ? { pid, record } : { pid };
      }

      it('answers what getPID then get answer: registered, deleted, redirected, reserved and unknown PIDs', async (context) => {
        if (!store.getPIDWithRecord) return context.skip();
        const a = await store.create({ metadata: { title: 'A', n: [1, { x: null }] }, pids: [{ type: 'recid', value: '1' }] });
        await store.update({ id: a.id, expectedRevision: 0, metadata: { title: 'A2' } });
        const b = await store.create({ metadata: { title: 'B' }, pids: [{ type: 'recid', value: '2' }] });
        await store.delete({ id: b.id, expectedRevision: 0 });
        await store.create({ metadata: { title: 'C' }, pids: [{ type: 'recid', value: '3' }] });
        await store.redirectPID({ type: 'recid', value: '3' }, { type: 'recid', value: '1' });
        await store.createPID({ type: 'recid', value: '4', status: 'reserved' });
        for (const value of ['1', '2', '3', '4', 'missing']) {
          const ref = { type: 'recid', value };
          expect(await store.getPIDWithRecord(ref), value).toEqual(await twoReads(ref));
        }
        const found = await store.getPIDWithRecord({ type: 'recid', value: '1' });
        expect(found?.record).toMatchObject({ id: a.id, metadata: { title: 'A2' }, revision: 1, deleted: false });
        expect((await store.getPIDWithRecord({ type: 'recid', value: '2' }))?.record).toMatchObject({ id: b.id, deleted: true });
        expect((await store.getPIDWithRecord({ type: 'recid', value: '4' }))?.record).toBeUndefined();
        expect(await store.getPIDWithRecord({ type: 'other', value: '1' })).toBeUndefined();
      });

      it('returns a copy: mutating the result does not change the stored record', async (context) => {
        if (!store.getPIDWithRecord) return context.skip();
        await store.create({ metadata: { title: 'A' }, pids: [{ type: 'recid', value: '1' }] });
        const first = await store.getPIDWithRecord({ type: 'recid', value: '1' });
        (first?.record?.metadata as { title: string }).title = 'changed';
        expect((await store.getPIDWithRecord({ type: 'recid', value: '1' }))?.record?.metadata).toEqual({ title: 'A' });
      });
    });

    describe('sequences', () => {
      it('counts from 1 per name, independently', async () => {
        expect(await store.nextSequenceValue('recid')).toBe(1);
        expect(await store.nextSequenceValue('recid')).toBe(2);
        expect(await store.nextSequenceValue('other')).toBe(1);
        expect(await store.nextSequenceValue('recid')).toBe(3);
      });

      it('never hands out the same value twice to concurrent callers', async () => {
        const values = await Promise.all(Array.from({ length: 25 }, () => store.nextSequenceValue('recid')));
        expect(new Set(values).size).toBe(25);
        expect(Math.min(...values)).toBe(1);
      });
    });

    describe('createMany (optional)', () => {
      it('stores every input at revision 0 with its PIDs, in order, as create would', async (context) => {
        if (!store.createMany) return context.skip();
        const now = new Date('2026-03-04T05:06:07.089Z');
        const results = await store.createMany([
          { id: '00000000-0000-4000-8000-000000000002', metadata: { title: 'B' }, pids: [{ type: 'recid', value: '2' }], now },
          {
            id: '00000000-0000-4000-8000-000000000001',
            metadata: { title: 'A', n: [1, null] },
            pids: [{ type: 'recid', value: '1' }],
            now,
          },
          { metadata: { title: 'C' }, pids: [] },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, true, true]);
        const records = results.map((r) => (r.ok ? r.record : undefined));
        expect(records[0]).toMatchObject({ id: '00000000-0000-4000-8000-000000000002', revision: 0, created: now.toISOString() });
        expect(records[2]?.id).toMatch(UUID);
        for (const record of records) expect(await store.get(record!.id)).toEqual(record);
        expect((await store.getPID({ type: 'recid', value: '1' }))?.recordId).toBe('00000000-0000-4000-8000-000000000001');
        expect(await store.count()).toBe(3);
      });

      it('refuses bad inputs and duplicates in their slots, writes nothing of them, and stores the rest', async (context) => {
        if (!store.createMany) return context.skip();
        const existing = await store.create({ metadata: { title: 'old' }, pids: [{ type: 'recid', value: '1' }] });
        const results = await store.createMany([
          { metadata: { title: 'first' }, pids: [{ type: 'recid', value: '2' }] },
          { metadata: { title: 'taken PID' }, pids: [{ type: 'recid', value: '1' }] },
          { id: existing.id, metadata: { title: 'taken id' }, pids: [{ type: 'recid', value: '3' }] },
          { metadata: 'not an object' as never, pids: [{ type: 'recid', value: '4' }] },
          { metadata: { title: 'same PID twice in the batch' }, pids: [{ type: 'recid', value: '2' }] },
          { metadata: { title: 'last' }, pids: [{ type: 'recid', value: '5' }] },
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : isRestError(r.error) ? r.error.status : r.error.name))).toEqual([
          'ok',
          409,
          409,
          400,
          409,
          'ok',
        ]);
        expect(await store.count()).toBe(3);
        expect((await store.get(existing.id))?.metadata).toEqual({ title: 'old' });
        for (const value of ['3', '4']) expect(await store.getPID({ type: 'recid', value })).toBeUndefined();
        const stored = (await store.list()).map((r) => r.metadata.title).sort();
        expect(stored).toEqual(['first', 'last', 'old']);
      });

      it('refuses duplicates in a batch of well-formed inputs in their slots and stores the rest', async (context) => {
        if (!store.createMany) return context.skip();
        const existing = await store.create({ metadata: { title: 'old' }, pids: [{ type: 'recid', value: '1' }] });
        const results = await store.createMany([
          { metadata: { title: 'a' }, pids: [{ type: 'recid', value: '2' }], index: { index: 'records', document: { title: 'a' } } },
          { id: existing.id, metadata: { title: 'taken id' }, pids: [{ type: 'recid', value: '3' }] },
          { metadata: { title: 'b' }, pids: [{ type: 'recid', value: '4' }] },
          { metadata: { title: 'taken in this batch' }, pids: [{ type: 'recid', value: '4' }] },
          { metadata: { title: 'taken before' }, pids: [{ type: 'recid', value: '1' }] },
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : isRestError(r.error) ? r.error.status : r.error.name))).toEqual([
          'ok',
          409,
          'ok',
          409,
          409,
        ]);
        expect((await store.list()).map((r) => r.metadata.title).sort()).toEqual(['a', 'b', 'old']);
        expect(await store.getPID({ type: 'recid', value: '3' })).toBeUndefined();
        expect((await store.getPID({ type: 'recid', value: '4' }))?.recordId).toBe(results[2]?.ok ? results[2].record.id : 'none');
        expect(await store.revisions(existing.id)).toHaveLength(1);
      });

      it('applies or queues the index intents of the stored inputs only', async (context) => {
        if (!store.createMany) return context.skip();
        await store.create({ metadata: { title: 'old' }, pids: [{ type: 'recid', value: '1' }] });
        const pending = (await store.pendingIndexTasks(100)).map((t) => t.seq);
        if (pending.length) await store.completeIndexTasks(pending);
        const results = await store.createMany([
          { metadata: { title: 'new' }, pids: [{ type: 'recid', value: '2' }], index: { index: 'records', document: { title: 'new' } } },
          { metadata: { title: 'dup' }, pids: [{ type: 'recid', value: '1' }], index: { index: 'records', document: { title: 'dup' } } },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false]);
        const first = results[0];
        const tasks = await store.pendingIndexTasks(100);
        if (store.indexesInTransaction) expect(tasks).toEqual([]);
        else expect(tasks.map((t) => [t.recordId, t.version, t.document])).toEqual([[first?.ok && first.record.id, 0, { title: 'new' }]]);
      });

      it('returns an empty list for no inputs', async (context) => {
        if (!store.createMany) return context.skip();
        expect(await store.createMany([])).toEqual([]);
      });
    });

    describe('reserveSequenceValues (optional)', () => {
      it('takes values in ascending order that nextSequenceValue never hands out again', async (context) => {
        if (!store.reserveSequenceValues) return context.skip();
        expect(await store.nextSequenceValue('recid')).toBe(1);
        const values = await store.reserveSequenceValues('recid', 500);
        expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 2));
        expect(await store.nextSequenceValue('recid')).toBe(502);
        expect(await store.reserveSequenceValues('fresh', 3)).toEqual([1, 2, 3]);
        expect(await store.nextSequenceValue('fresh')).toBe(4);
      });

      it('never overlaps between concurrent callers, and refuses a count below 1 with 400', async (context) => {
        if (!store.reserveSequenceValues) return context.skip();
        const batches = await Promise.all(Array.from({ length: 10 }, () => store.reserveSequenceValues!('recid', 10)));
        for (const batch of batches) expect(batch).toEqual([...batch].sort((a, b) => a - b));
        const values = batches.flat();
        expect(new Set(values).size).toBe(100);
        expect(Math.min(...values)).toBe(1);
        expect(Math.max(...values)).toBe(100);
        expect(await statusOf(store.reserveSequenceValues('recid', 0))).toBe(400);
      });
    });

    describe('index intents', () => {
      it('queues intents in the outbox with the revision as version, unless applied in the transaction', async () => {
        const created = await store.create({ metadata: { t: 'a' }, pids: [], index: { index: 'records', document: { t: 'a' } } });
        await store.update({
          id: created.id,
          expectedRevision: 0,
          metadata: { t: 'b' },
          index: { index: 'records', document: { t: 'b' } },
        });
        await store.delete({ id: created.id, expectedRevision: 1, index: { index: 'records', document: null } });
        const tasks = await store.pendingIndexTasks();
        if (store.indexesInTransaction) {
          expect(tasks).toEqual([]);
          return;
        }
        expect(tasks.map((t) => [t.recordId, t.index, t.version, t.document])).toEqual([
          [created.id, 'records', 0, { t: 'a' }],
          [created.id, 'records', 1, { t: 'b' }],
          [created.id, 'records', 2, null],
        ]);
        expect(tasks[0]!.seq).toBeLessThan(tasks[1]!.seq);
        await store.completeIndexTasks([tasks[0]!.seq, tasks[1]!.seq]);
        expect((await store.pendingIndexTasks()).map((t) => t.version)).toEqual([2]);
        expect((await store.pendingIndexTasks(1)).length).toBe(1);
      });

      it('queues nothing for a write that failed', async () => {
        const created = await store.create({ metadata: {}, pids: [] });
        await store.update({ id: created.id, expectedRevision: 0, metadata: { v: 1 } });
        await statusOf(store.update({ id: created.id, expectedRevision: 0, metadata: {}, index: { index: 'records', document: {} } }));
        expect(await store.pendingIndexTasks()).toEqual([]);
      });
    });
  });
}
