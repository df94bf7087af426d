import type { BulkOperation, IndexMapping, JsonObject } from '@recordkit/records-service';
import { isRestError, type RestError, toResponse } from '@recordkit/rest-errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElasticsearchSearchEngine } from '../src/index.js';
import { dropAll, ENGINES, engineFor, physicalIndices, rejection } from './support.js';

const MAPPING: IndexMapping = {
  mappings: {
    properties: {
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      type: { type: 'keyword' },
      year: { type: 'integer' },
      n: { type: 'keyword' },
      suggest_title: { type: 'completion' },
    },
  },
};

const film = (title: string, year: number, extra: JsonObject = {}): JsonObject => ({
  title,
  type: 'film',
  year,
  suggest_title: { input: [title] },
  ...extra,
});

function asRestError(error: unknown): RestError {
  expect(isRestError(error)).toBe(true);
  return error as RestError;
}

for (const target of ENGINES) {
  describe.skipIf(!target.url)(`ElasticsearchSearchEngine on ${target.label}`, () => {
    let engine: ElasticsearchSearchEngine;
    let counter = 0;
    const fresh = async (mapping: IndexMapping = MAPPING) => {
      const name = `idx${++counter}`;
      await engine.createIndex(name, mapping);
      return name;
    };

    beforeAll(() => {
      engine = engineFor(target, 'engine');
    });
    afterAll(async () => {
      await dropAll(engine);
      await engine.close();
    });

    describe('createIndex', () => {
      it('creates a versioned physical index behind an alias named after the logical index', async () => {
        const name = await fresh();
        expect(await physicalIndices(engine)).toMatchObject({ [`${engine.prefix}${name}-v1`]: [`${engine.prefix}${name}`] });
        expect(await engine.indexExists(name)).toBe(true);
      });

      it('is a no-op the second time with the same mapping', async () => {
        const name = await fresh();
        await engine.createIndex(name, MAPPING);
        const physical = Object.keys(await physicalIndices(engine)).filter((n) => n.startsWith(`${engine.prefix}${name}-`));
        expect(physical).toEqual([`${engine.prefix}${name}-v1`]);
      });

      it('adds new fields of a changed mapping to the existing index', async () => {
        const name = await fresh();
        const wider: IndexMapping = { mappings: { properties: { ...MAPPING.mappings!.properties, extra: { type: 'keyword' } } } };
        await engine.createIndex(name, wider);
        await engine.index(name, 'a', { extra: 'x' }, { version: 1, refresh: 'wait_for' });
        expect(await engine.count(name, { term: { extra: 'x' } })).toBe(1);
      });

      it('answers 409 when the mapping cannot change in place', async () => {
        const name = await fresh();
        const changed: IndexMapping = { mappings: { properties: { ...MAPPING.mappings!.properties, year: { type: 'keyword' } } } };
        const error = asRestError(await rejection(engine.createIndex(name, changed)));
        expect(error.status).toBe(409);
        expect(error.message).toMatch(/reindex/);
      });

      it('accepts the bare { properties } form of a mapping', async () => {
        const name = await fresh({ properties: { title: { type: 'text' } } });
        expect(await engine.indexExists(name)).toBe(true);
      });

      it('answers 400 naming the field for a bad index name or mapping', async () => {
        const badName = asRestError(await rejection(engine.createIndex('Has Space', MAPPING)));
        expect(badName.status).toBe(400);
        expect(badName.errors.map((e) => e.field)).toEqual(['index']);
        const badMapping = asRestError(await rejection(engine.createIndex('fine', { mappings: {} } as unknown as IndexMapping)));
        expect(badMapping.status).toBe(400);
        expect(badMapping.errors[0]?.field).toBe('mapping.mappings.properties');
      });
    });

    describe('deleteIndex and indexExists', () => {
      it('removes the alias and its physical indices, and is a no-op for an unknown index', async () => {
        const name = await fresh();
        await engine.deleteIndex(name);
        expect(await engine.indexExists(name)).toBe(false);
        expect(Object.keys(await physicalIndices(engine)).some((n) => n.startsWith(`${engine.prefix}${name}-`))).toBe(false);
        await engine.deleteIndex('never-created');
        expect(await engine.indexExists('never-created')).toBe(false);
      });
    });

    describe('index and delete with external versions', () => {
      it('creates, updates, and reports an older version as stale without applying it', async () => {
        const name = await fresh();
        expect(await engine.index(name, 'r1', film('One', 2001), { version: 0 })).toEqual({ result: 'created' });
        expect(await engine.index(name, 'r1', film('One, revised', 2001), { version: 2, refresh: 'wait_for' })).toEqual({
          result: 'updated',
        });
        expect(await engine.index(name, 'r1', film('One, late', 2001), { version: 1, refresh: 'wait_for' })).toEqual({ result: 'stale' });
        const { hits } = await engine.search(name, { query: { ids: { values: ['r1'] } }, version: true });
        expect(hits.hits[0]?._source?.title).toBe('One, revised');
        expect(hits.hits[0]?._version).toBe(2);
        expect(hits.hits[0]?._index).toBe(name);
      });

      it('re-applies the same version (replaying an outbox entry is harmless)', async () => {
        const name = await fresh();
        await engine.index(name, 'r1', film('One', 2001), { version: 3 });
        expect(await engine.index(name, 'r1', film('One', 2001), { version: 3, refresh: 'wait_for' })).toEqual({ result: 'updated' });
        expect(await engine.count(name)).toBe(1);
      });

      it('deletes, reports not_found for a document never indexed, and stale when a newer version is indexed', async () => {
        const name = await fresh();
        await engine.index(name, 'r1', film('One', 2001), { version: 1 });
        await engine.index(name, 'r2', film('Two', 2002), { version: 5 });
        expect(await engine.delete(name, 'r1', { version: 2, refresh: 'wait_for' })).toEqual({ result: 'deleted' });
        expect(await engine.delete(name, 'nope', { version: 1 })).toEqual({ result: 'not_found' });
        expect(await engine.delete(name, 'r2', { version: 4, refresh: 'wait_for' })).toEqual({ result: 'stale' });
        expect((await engine.search(name, { sort: [{ n: 'asc' }] })).hits.hits.map((h) => h._id)).toEqual(['r2']);
      });

      it('does not resurrect a deleted document with an older version', async () => {
        const name = await fresh();
        await engine.index(name, 'r1', film('One', 2001), { version: 1 });
        await engine.delete(name, 'r1', { version: 2 });
        expect(await engine.index(name, 'r1', film('One', 2001), { version: 1, refresh: 'wait_for' })).toEqual({ result: 'stale' });
        expect(await engine.count(name)).toBe(0);
      });

      it('answers 400 naming the field for a bad id, version or document', async () => {
        const name = await fresh();
        const fields = async (promise: Promise<unknown>) => asRestError(await rejection(promise)).errors.map((e) => e.field);
        expect(await fields(engine.index(name, '', film('x', 1), { version: 1 }))).toEqual(['id']);
        expect(await fields(engine.index(name, 'a', film('x', 1), { version: -1 }))).toEqual(['version']);
        expect(await fields(engine.index(name, 'a', film('x', 1), { version: 1.5 }))).toEqual(['version']);
        expect(await fields(engine.index(name, 'a', [] as unknown as JsonObject, { version: 1 }))).toEqual(['document']);
        expect(await fields(engine.delete(name, 'x'.repeat(513), { version: 1 }))).toEqual(['id']);
      });

      it('answers 404 naming the logical index when it does not exist', async () => {
        const error = asRestError(await rejection(engine.index('missing', 'a', film('x', 1), { version: 1 })));
        expect(error.status).toBe(404);
        expect(error.message).toBe('No such index [missing].');
      });
    });

    describe('bulk', () => {
      it('reports every item in request order across chunks and concurrent requests', async () => {
        const small = engineFor(target, 'bulk', { bulk: { chunkSize: 7, concurrency: 3 } });
        try {
          await small.createIndex('b', MAPPING);
          const operations: BulkOperation[] = Array.from({ length: 50 }, (_, i) => ({
            action: 'index',
            id: `d${i}`,
            version: 1,
            document: film(`Doc ${i}`, 1900 + i, { n: String(i).padStart(3, '0') }),
          }));
          const result = await small.bulk('b', operations, { refresh: 'wait_for' });
          expect(result.errors).toBe(false);
          expect(result.items.map((item) => item.id)).toEqual(operations.map((op) => op.id));
          expect(result.items.every((item) => item.result === 'created' && item.status === 201)).toBe(true);
          expect(await small.count('b')).toBe(50);
        } finally {
          await dropAll(small);
          await small.close();
        }
      });

      it('gives each item its own outcome: created, updated, stale, deleted, not_found, engine error, invalid input', async () => {
        const name = await fresh();
        await engine.index(name, 'old', film('Old', 2000), { version: 5 });
        await engine.index(name, 'gone', film('Gone', 2000), { version: 1 });
        const result = await engine.bulk(
          name,
          [
            { action: 'index', id: 'new', version: 1, document: film('New', 2020) },
            { action: 'index', id: 'old', version: 6, document: film('Old, newer', 2000) },
            { action: 'index', id: 'old', version: 2, document: film('Old, stale', 2000) },
            { action: 'delete', id: 'gone', version: 2 },
            { action: 'delete', id: 'never', version: 1 },
            { action: 'index', id: 'bad', version: 1, document: { year: 'not a number' } },
            { action: 'index', id: 'invalid', version: -3, document: {} },
          ],
          { refresh: 'wait_for' },
        );
        expect(result.items.map(({ id, action, status, result: outcome }) => ({ id, action, status, result: outcome }))).toEqual([
          { id: 'new', action: 'index', status: 201, result: 'created' },
          { id: 'old', action: 'index', status: 200, result: 'updated' },
          { id: 'old', action: 'index', status: 409, result: 'stale' },
          { id: 'gone', action: 'delete', status: 200, result: 'deleted' },
          { id: 'never', action: 'delete', status: 404, result: 'not_found' },
          { id: 'bad', action: 'index', status: 400, result: undefined },
          { id: 'invalid', action: 'index', status: 400, result: undefined },
        ]);
        expect(result.items[5]?.error?.type).toMatch(/parsing_exception/);
        expect(result.items[6]?.error).toEqual({ type: 'validation_error', reason: expect.stringContaining('operations[6].version') });
        expect(result.errors).toBe(true);
        expect(await engine.count(name)).toBe(2);
      });

      it('returns an empty result for no operations', async () => {
        const name = await fresh();
        expect(await engine.bulk(name, [])).toEqual({ items: [], errors: false });
      });
    });

    describe('search', () => {
      let name: string;
      beforeAll(async () => {
        name = await fresh();
        const titles = ['Back to the Future', 'Back to the Future Part II', 'Alien', 'Aliens', 'The Thing'];
        await engine.bulk(
          name,
          titles.map((title, i) => ({
            action: 'index',
            id: `f${i}`,
            version: i,
            document: film(title, 1980 + i, { n: String(i), type: i < 2 ? 'film' : 'horror' }),
          })),
          { refresh: 'wait_for' },
        );
      });

      it('runs query, aggregations and sort in the engine and answers in its shape', async () => {
        const response = await engine.search(name, {
          query: { query_string: { query: 'future' } },
          aggs: { types: { terms: { field: 'type' } } },
          sort: [{ year: 'desc' }],
          track_total_hits: true,
          version: true,
        });
        expect(response.hits.total).toEqual({ value: 2, relation: 'eq' });
        expect(response.hits.hits.map((hit) => hit._id)).toEqual(['f1', 'f0']);
        expect(response.hits.hits.map((hit) => hit._version)).toEqual([1, 0]);
        expect(response.aggregations?.types).toMatchObject({ buckets: [{ key: 'film', doc_count: 2 }] });
        expect(response).not.toHaveProperty('_shards');
      });

      it('passes the request through: no _version on hits unless the request asks for it', async () => {
        const response = await engine.search(name, { query: { ids: { values: ['f3'] } } });
        expect(response.hits.hits[0]?._id).toBe('f3');
        expect(response.hits.hits[0]).not.toHaveProperty('_version');
      });

      it('keeps post_filter out of the aggregation counts', async () => {
        const response = await engine.search(name, {
          post_filter: { term: { type: 'horror' } },
          aggs: { types: { terms: { field: 'type', order: { _key: 'asc' } } } },
        });
        expect(response.hits.total.value).toBe(3);
        expect(response.aggregations?.types).toMatchObject({
          buckets: [
            { key: 'film', doc_count: 2 },
            { key: 'horror', doc_count: 3 },
          ],
        });
      });

      it('completes prefixes with the completion suggester, options naming the logical index', async () => {
        const response = await engine.search(name, {
          size: 0,
          suggest: { title: { prefix: 'ali', completion: { field: 'suggest_title' } } },
        });
        const options = response.suggest?.title?.[0]?.options ?? [];
        expect(options.map((option) => option.text)).toEqual(['Alien', 'Aliens']);
        expect(options.every((option) => option._index === name)).toBe(true);
      });

      it('counts with and without a query', async () => {
        expect(await engine.count(name)).toBe(5);
        expect(await engine.count(name, { term: { type: 'film' } })).toBe(2);
      });

      it('answers 400 "Invalid query syntax." naming q, with nothing of the engine in the body', async () => {
        const error = asRestError(await rejection(engine.search(name, { query: { query_string: { query: 'title:' } } })));
        expect(error.status).toBe(400);
        expect(error.code).toBe('invalid_query_syntax');
        expect(error.errors.map((e) => e.field)).toEqual(['q']);
        const { body } = toResponse(error);
        expect(JSON.stringify(body)).not.toMatch(/exception|lucene|shard|Encountered/i);
      });

      it('answers 400 for a search body the engine refuses, without its reason', async () => {
        const error = asRestError(await rejection(engine.search(name, { query: { no_such_query: {} } })));
        expect(error.status).toBe(400);
        expect(error.code).toBe('search_request_rejected');
        expect(JSON.stringify(toResponse(error).body)).not.toMatch(/no_such_query|exception/);
      });

      it('answers 400 max_result_window past the result window', async () => {
        const error = asRestError(await rejection(engine.search(name, { from: 9_999, size: 10 })));
        expect(error.status).toBe(400);
        expect(error.code).toBe('max_result_window');
        expect(error.message).toBe('Maximum number of 10000 results have been reached.');
      });

      it('answers 404 for an index that does not exist', async () => {
        const error = asRestError(await rejection(engine.search('missing', {})));
        expect(error.status).toBe(404);
      });

      it('pages through a point in time with search_after, then closes it (twice is fine)', async () => {
        const pit = await engine.openPointInTime(name, '1m');
        const seen: string[] = [];
        let after: (string | number | boolean | null)[] | undefined;
        for (let page = 0; page < 10; page++) {
          const response = await engine.search(name, {
            size: 2,
            sort: [{ n: 'asc' }],
            pit: { id: pit, keep_alive: '1m' },
            ...(after ? { search_after: after } : {}),
          });
          const hits = response.hits.hits;
          seen.push(...hits.map((hit) => hit._id));
          if (hits.length < 2) break;
          after = hits.at(-1)?.sort as typeof after;
        }
        expect(seen).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
        await engine.closePointInTime(pit);
        await engine.closePointInTime(pit);
        const closed = asRestError(await rejection(engine.search(name, { pit: { id: pit, keep_alive: '1m' }, sort: ['_doc'] })));
        expect([closed.status, closed.message]).toEqual([404, 'The point in time has expired or was closed.']);
      });

      it('keeps a point in time on the documents it saw, while the index changes', async () => {
        const other = await fresh();
        await engine.index(other, 'a', film('A', 1), { version: 1, refresh: 'wait_for' });
        const pit = await engine.openPointInTime(other, '1m');
        await engine.index(other, 'b', film('B', 2), { version: 1, refresh: 'wait_for' });
        const pinned = await engine.search(other, { pit: { id: pit, keep_alive: '1m' }, sort: [{ n: 'asc' }] });
        expect(pinned.hits.hits.map((hit) => hit._id)).toEqual(['a']);
        expect(await engine.count(other)).toBe(2);
        await engine.closePointInTime(pit);
      });

      it('answers 400 naming keep_alive for a malformed keep-alive', async () => {
        const error = asRestError(await rejection(engine.openPointInTime(name, 'forever')));
        expect(error.errors.map((e) => e.field)).toEqual(['keep_alive']);
      });
    });

    describe('reindex', () => {
      it('builds the next version, switches the alias atomically and deletes the old index', async () => {
        const name = await fresh();
        await engine.bulk(
          name,
          [1, 2, 3].map((i) => ({ action: 'index', id: `r${i}`, version: 1, document: film(`Film ${i}`, 2000 + i) })),
          { refresh: 'wait_for' },
        );
        const wider: IndexMapping = { mappings: { properties: { ...MAPPING.mappings!.properties, year: { type: 'keyword' } } } };
        async function* source(): AsyncGenerator<BulkOperation> {
          for (const i of [1, 2, 3]) {
            // A search in the middle of the reindex still answers from the old index.
            if (i === 2) expect(await engine.count(name)).toBe(3);
            yield { action: 'index', id: `r${i}`, version: 1, document: film(`Film ${i}`, 2000 + i) };
          }
        }
        const result = await engine.reindex(name, wider, source());
        expect(result).toMatchObject({ swapped: true, operations: 3, failed: [], index: `${engine.prefix}${name}-v2` });
        expect(result.previous).toEqual([`${engine.prefix}${name}-v1`]);
        const physical = await physicalIndices(engine);
        expect(physical[`${engine.prefix}${name}-v2`]).toEqual([`${engine.prefix}${name}`]);
        expect(physical[`${engine.prefix}${name}-v1`]).toBeUndefined();
        // year is a keyword now: a term query on the string matches.
        expect(await engine.count(name, { term: { year: '2002' } })).toBe(1);
      });

      it('applies writes made during the reindex to the new index too', async () => {
        const name = await fresh();
        await engine.index(name, 'r1', film('Before', 2000), { version: 1, refresh: 'wait_for' });
        async function* source(): AsyncGenerator<BulkOperation> {
          yield { action: 'index', id: 'r1', version: 1, document: film('Before', 2000) };
          // Concurrent live writes: a newer revision of r1, and a new record.
          await engine.index(name, 'r1', film('During', 2000), { version: 2 });
          await engine.bulk(name, [{ action: 'index', id: 'r2', version: 1, document: film('New', 2001) }]);
        }
        const result = await engine.reindex(name, MAPPING, source());
        expect(result.swapped).toBe(true);
        const { hits } = await engine.search(name, { sort: [{ year: 'asc' }], version: true });
        expect(hits.hits.map((hit) => [hit._id, hit._source?.title, hit._version])).toEqual([
          ['r1', 'During', 2],
          ['r2', 'New', 1],
        ]);
      });

      it('keeps the old index live when a write made during the reindex fails on the new index', async () => {
        const name = await fresh();
        const stricter: IndexMapping = { mappings: { properties: { ...MAPPING.mappings!.properties, title: { type: 'integer' } } } };
        async function* source(): AsyncGenerator<BulkOperation> {
          yield { action: 'index', id: 'r1', version: 1, document: { year: 2000 } };
          // Valid for the live index (title is text there), refused by the new one (title is an integer).
          expect(await engine.index(name, 'r2', { title: 'words' }, { version: 1, refresh: 'wait_for' })).toEqual({ result: 'created' });
        }
        const result = await engine.reindex(name, stricter, source());
        expect(result.swapped).toBe(false);
        expect(result.failed.map((item) => [item.id, item.action])).toEqual([['r2', 'index']]);
        expect(await engine.count(name, { match: { title: 'words' } })).toBe(1);
      });

      it('keeps the old index live when an item fails', async () => {
        const name = await fresh();
        await engine.index(name, 'r1', film('Kept', 2000), { version: 1, refresh: 'wait_for' });
        const result = await engine.reindex(name, MAPPING, [{ action: 'index', id: 'r1', version: 1, document: { year: 'not a number' } }]);
        expect(result.swapped).toBe(false);
        expect(result.failed.map((item) => item.id)).toEqual(['r1']);
        expect(Object.keys(await physicalIndices(engine)).filter((n) => n.startsWith(`${engine.prefix}${name}-`))).toEqual([
          `${engine.prefix}${name}-v1`,
        ]);
        expect((await engine.search(name, {})).hits.hits[0]?._source?.title).toBe('Kept');
      });
    });

    describe('readYourWrites', () => {
      it("'refresh' makes a wait_for write visible at once, even on an index that never refreshes on its own", async () => {
        const eager = engineFor(target, 'ryw', { readYourWrites: 'refresh' });
        try {
          // With refresh_interval -1 a wait_for write would wait for a refresh that never comes.
          await eager.createIndex('never', { ...MAPPING, settings: { refresh_interval: '-1' } });
          await eager.index('never', 'a', film('Alpha', 2001), { version: 1, refresh: 'wait_for' });
          expect(await eager.count('never')).toBe(1);
          await eager.bulk('never', [{ action: 'index', id: 'b', version: 1, document: film('Beta', 2002) }], { refresh: 'wait_for' });
          expect(await eager.count('never')).toBe(2);
          await eager.delete('never', 'a', { version: 2, refresh: 'wait_for' });
          expect(await eager.count('never')).toBe(1);
        } finally {
          await dropAll(eager);
          await eager.close();
        }
      });

      it('accepts only wait_for or refresh', () => {
        expect(() => engineFor(target, 'ryw', { readYourWrites: 'now' as 'refresh' })).toThrow(/readYourWrites/);
      });
    });

    describe('prefix and client ownership', () => {
      it('keeps engines with different prefixes apart on one cluster', async () => {
        const a = engineFor(target, 'pa');
        const b = engineFor(target, 'pb');
        try {
          await a.createIndex('same', MAPPING);
          await b.createIndex('same', MAPPING);
          await a.index('same', 'x', film('A', 1), { version: 1, refresh: 'wait_for' });
          expect(await a.count('same')).toBe(1);
          expect(await b.count('same')).toBe(0);
        } finally {
          await dropAll(a);
          await dropAll(b);
          await a.close();
          await b.close();
        }
      });

      it('leaves a client passed in open on close', async () => {
        const shared = engineFor(target, 'owner');
        const borrowing = engineFor(target, 'borrow', { client: shared.client, node: undefined });
        await borrowing.close();
        expect(await shared.indexExists('anything')).toBe(false);
        await shared.close();
      });
    });
  });
}
