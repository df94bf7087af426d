import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRestError } from '@recordkit/rest-errors';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IndexMapping, JsonObject, JsonValue, SearchEngine, SearchRequest, SearchResponse } from '../ports.js';

/** What the contract suite's factory returns for each test: a fresh engine with no indexes. */
export interface SearchEngineFixture {
  engine: SearchEngine;
  /** Called after each test, after `engine.close()` (delete files, drop indexes). */
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

const MAPPING: IndexMapping = {
  mappings: {
    properties: {
      code: { type: 'keyword' },
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      type: { type: 'keyword' },
      year: { type: 'integer' },
      published: { type: 'date' },
      authors: { type: 'nested', properties: { name: { type: 'keyword' }, role: { type: 'keyword' } } },
      suggest: { type: 'completion' },
    },
  },
};

const DOCS: Record<string, JsonObject> = {
  a: {
    code: 'a',
    title: 'Open data in physics',
    type: 'dataset',
    year: 2019,
    published: '2019-05-01',
    authors: [{ name: 'Ada', role: 'author' }],
    suggest: { input: 'Open data in physics', weight: 3 },
  },
  b: {
    code: 'b',
    title: 'Closed software',
    type: 'software',
    year: 2020,
    published: '2020-01-15',
    authors: [
      { name: 'Bo', role: 'author' },
      { name: 'Ada', role: 'editor' },
    ],
    suggest: { input: 'Closed software', weight: 1 },
  },
  c: {
    code: 'c',
    title: 'Open software for data',
    type: 'software',
    year: 2021,
    published: '2021-09-30',
    authors: [{ name: 'Cy', role: 'author' }],
    suggest: { input: 'Open software', weight: 5 },
  },
  d: { code: 'd', title: 'Physics lectures', type: 'lecture', year: 2018, authors: [], suggest: 'Physics lectures' },
};

const ids = (response: SearchResponse) => response.hits.hits.map((h) => h._id);

/**
 * The shared `SearchEngine` contract: every adapter (`@recordkit/sqlite`, `@recordkit/elasticsearch`,
 * ...) runs it from its own tests. `factory` returns a fresh engine for each test; the suite creates
 * its own index (`contract-<n>`) and deletes it afterwards.
 *
 * What it pins down: `createIndex` from a mapping (idempotent for the same mapping); external versions
 * (`external_gte`: an older version is `stale` and changes nothing, a delete leaves a version behind);
 * bulk with per-item results that never throws for an item; searches with the main clauses, nested,
 * aggregations, sort + `search_after`, `count`, completion suggest and points in time; 404 for an
 * unknown index.
 *
 * @example
 * // packages/my-engine/src/engine.test.ts
 * import { searchEngineContract } from '@recordkit/records-service/testing';
 * searchEngineContract('MyEngine', async () => ({ engine: await MyEngine.open(url) }));
 */
export function searchEngineContract(name: string, factory: () => Promise<SearchEngineFixture> | SearchEngineFixture): void {
  describe(`SearchEngine contract: ${name}`, () => {
    let fixture: SearchEngineFixture;
    let engine: SearchEngine;
    let index: string;
    let counter = 0;

    const seed = async () => {
      await engine.createIndex(index, MAPPING);
      const result = await engine.bulk(
        index,
        Object.entries(DOCS).map(([id, document]) => ({ action: 'index' as const, id, version: 1, document })),
        { refresh: true },
      );
      expect(result.errors).toBe(false);
      await engine.refresh(index);
    };

    beforeEach(async () => {
      fixture = await factory();
      engine = fixture.engine;
      counter += 1;
      index = `contract-${Date.now().toString(36)}-${counter}`;
    });

    afterEach(async () => {
      try {
        await engine.deleteIndex(index);
      } finally {
        await engine.close();
        await fixture.teardown?.();
      }
    });

    describe('indexes', () => {
      it('creates an index from a mapping, idempotently, and deletes it', async () => {
        expect(await engine.indexExists(index)).toBe(false);
        await engine.createIndex(index, MAPPING);
        await engine.createIndex(index, MAPPING);
        expect(await engine.indexExists(index)).toBe(true);
        await engine.deleteIndex(index);
        expect(await engine.indexExists(index)).toBe(false);
      });

      it('answers 404 for a search on an unknown index', async () => {
        expect(await statusOf(engine.search(`${index}-missing`, { query: { match_all: {} } }))).toBe(404);
      });
    });

    describe('writes with external versions', () => {
      it('creates, updates with a newer version, and ignores an older one', async () => {
        await engine.createIndex(index, MAPPING);
        expect(await engine.index(index, 'x', { code: 'x', title: 'first' }, { version: 2, refresh: 'wait_for' })).toEqual({
          result: 'created',
        });
        expect(await engine.index(index, 'x', { code: 'x', title: 'second' }, { version: 3, refresh: 'wait_for' })).toEqual({
          result: 'updated',
        });
        expect(await engine.index(index, 'x', { code: 'x', title: 'stale' }, { version: 1, refresh: 'wait_for' })).toEqual({
          result: 'stale',
        });
        await engine.refresh(index);
        const response = await engine.search(index, { query: { ids: { values: ['x'] } }, version: true });
        expect(response.hits.hits[0]?._source).toEqual({ code: 'x', title: 'second' });
        expect(response.hits.hits[0]?._version).toBe(3);
      });

      it('re-applies the same version (external_gte), so a reindex at the same revision takes effect', async () => {
        await engine.createIndex(index, MAPPING);
        await engine.index(index, 'x', { code: 'x', title: 'v' }, { version: 4 });
        expect(await engine.index(index, 'x', { code: 'x', title: 'v again' }, { version: 4 })).toEqual({ result: 'updated' });
        await engine.refresh(index);
        expect((await engine.search(index, { query: { match: { title: 'again' } } })).hits.total.value).toBe(1);
      });

      it('deletes with a newer version, ignores an older delete, and keeps a deleted version against stale writes', async () => {
        await engine.createIndex(index, MAPPING);
        await engine.index(index, 'x', { code: 'x' }, { version: 5 });
        expect(await engine.delete(index, 'x', { version: 4 })).toEqual({ result: 'stale' });
        expect(await engine.delete(index, 'x', { version: 6 })).toEqual({ result: 'deleted' });
        expect(await engine.index(index, 'x', { code: 'x' }, { version: 5 })).toEqual({ result: 'stale' });
        await engine.refresh(index);
        expect(await engine.count(index)).toBe(0);
        expect(await engine.delete(index, 'never', { version: 1 })).toEqual({ result: 'not_found' });
      });

      it('reports bulk outcomes per item without throwing for a bad item', async () => {
        await engine.createIndex(index, MAPPING);
        await engine.index(index, 'old', { code: 'old' }, { version: 9 });
        const result = await engine.bulk(
          index,
          [
            { action: 'index', id: 'n1', version: 1, document: { code: 'n1', year: 2000 } },
            { action: 'index', id: 'bad', version: 1, document: { code: 'bad', year: 'not a number' } },
            { action: 'index', id: 'old', version: 1, document: { code: 'stale' } },
            { action: 'delete', id: 'ghost', version: 1 },
          ],
          { refresh: true },
        );
        expect(result.items.map((i) => [i.id, i.action, i.result ?? 'error'])).toEqual([
          ['n1', 'index', 'created'],
          ['bad', 'index', 'error'],
          ['old', 'index', 'stale'],
          ['ghost', 'delete', 'not_found'],
        ]);
        expect(result.items[1]?.status).toBe(400);
        expect(result.items[1]?.error?.reason).toBeTruthy();
        expect(result.errors).toBe(true);
        await engine.refresh(index);
        expect(await engine.count(index, { term: { code: 'n1' } })).toBe(1);
        expect(await engine.count(index, { term: { code: 'stale' } })).toBe(0);
      });
    });

    describe('search', () => {
      beforeEach(seed);

      it('runs the main query clauses', async () => {
        const cases: [JsonObject, string[]][] = [
          [{ match_all: {} }, ['a', 'b', 'c', 'd']],
          [{ match: { title: 'open' } }, ['a', 'c']],
          [{ match: { title: { query: 'open data', operator: 'and' } } }, ['a', 'c']],
          [{ term: { type: 'software' } }, ['b', 'c']],
          [{ terms: { type: ['dataset', 'lecture'] } }, ['a', 'd']],
          [{ range: { year: { gte: 2019, lt: 2021 } } }, ['a', 'b']],
          [{ range: { published: { gte: '2020-01-01', lte: '2021-12-31' } } }, ['b', 'c']],
          [{ exists: { field: 'published' } }, ['a', 'b', 'c']],
          [{ prefix: { type: 'soft' } }, ['b', 'c']],
          [{ wildcard: { type: 'l*e' } }, ['d']],
          [{ ids: { values: ['a', 'd', 'zz'] } }, ['a', 'd']],
          [{ bool: { must: { match: { title: 'software' } }, must_not: { term: { code: 'b' } } } }, ['c']],
          [{ bool: { should: [{ term: { type: 'dataset' } }, { term: { year: 2018 } }] } }, ['a', 'd']],
          [{ query_string: { query: 'title:open AND year:>2019' } }, ['c']],
          [{ query_string: { query: 'physics -type:lecture' } }, ['a']],
          [{ simple_query_string: { query: 'closed | lectures', fields: ['title'] } }, ['b', 'd']],
          [{ multi_match: { query: 'software', fields: ['title', 'type'] } }, ['b', 'c']],
          [
            {
              nested: {
                path: 'authors',
                query: { bool: { must: [{ term: { 'authors.name': 'Ada' } }, { term: { 'authors.role': 'editor' } }] } },
              },
            },
            ['b'],
          ],
        ];
        for (const [query, expected] of cases) {
          const response = await engine.search(index, { query, sort: [{ code: 'asc' }] });
          expect({ query, ids: ids(response) }).toEqual({ query, ids: expected });
          expect(response.hits.total).toEqual({ value: expected.length, relation: 'eq' });
        }
      });

      it('answers in Elasticsearch shapes', async () => {
        const response = await engine.search(index, { query: { match: { title: 'physics' } }, version: true });
        expect(response.timed_out).toBe(false);
        expect(typeof response.took).toBe('number');
        expect(response.hits.max_score).toBeGreaterThan(0);
        const hit = response.hits.hits[0]!;
        expect(hit._index).toBe(index);
        expect(typeof hit._score).toBe('number');
        expect(hit._version).toBe(1);
        expect(hit.sort).toBeUndefined();
        expect(hit._source).toEqual(DOCS[hit._id]);
      });

      it('aggregates with terms, nested and metrics, ignoring post_filter', async () => {
        const response = await engine.search(index, {
          size: 0,
          post_filter: { term: { type: 'lecture' } },
          aggs: {
            types: { terms: { field: 'type' } },
            authors: { nested: { path: 'authors' }, aggs: { names: { terms: { field: 'authors.name' } } } },
            first: { min: { field: 'year' } },
            years: { histogram: { field: 'year', interval: 2 } },
          },
        });
        expect(response.hits.total.value).toBe(1);
        const aggs = response.aggregations!;
        expect((aggs.types as { buckets: JsonValue[] }).buckets).toEqual([
          { key: 'software', doc_count: 2 },
          { key: 'dataset', doc_count: 1 },
          { key: 'lecture', doc_count: 1 },
        ]);
        expect((aggs.authors as JsonObject).doc_count).toBe(4);
        expect(((aggs.authors as JsonObject).names as { buckets: JsonValue[] }).buckets).toEqual([
          { key: 'Ada', doc_count: 2 },
          { key: 'Bo', doc_count: 1 },
          { key: 'Cy', doc_count: 1 },
        ]);
        expect((aggs.first as JsonObject).value).toBe(2018);
        expect((aggs.years as { buckets: JsonValue[] }).buckets).toEqual([
          { key: 2018, doc_count: 2 },
          { key: 2020, doc_count: 2 },
        ]);
      });

      it('sorts and continues with search_after until every document was seen once', async () => {
        const seen: string[] = [];
        let after: JsonValue[] | undefined;
        for (let page = 0; page < 5; page++) {
          const request: SearchRequest = { query: { match_all: {} }, sort: [{ year: 'desc' }, { code: 'asc' }], size: 3 };
          if (after) request.search_after = after;
          const response = await engine.search(index, request);
          if (response.hits.hits.length === 0) break;
          seen.push(...ids(response));
          after = response.hits.hits.at(-1)!.sort;
          expect(response.hits.hits.every((h) => Array.isArray(h.sort) && h.sort.length === 2 && h._score === null)).toBe(true);
        }
        expect(seen).toEqual(['c', 'b', 'a', 'd']);
      });

      it('pages with from and size and caps the total with track_total_hits', async () => {
        const response = await engine.search(index, { query: { match_all: {} }, sort: ['code'], from: 1, size: 2, track_total_hits: 2 });
        expect(ids(response)).toEqual(['b', 'c']);
        expect(response.hits.total).toEqual({ value: 2, relation: 'gte' });
      });

      it('filters _source', async () => {
        const response = await engine.search(index, {
          query: { ids: { values: ['b'] } },
          _source: { includes: ['title', 'authors.name'] },
        });
        expect(response.hits.hits[0]?._source).toEqual({ title: 'Closed software', authors: [{ name: 'Bo' }, { name: 'Ada' }] });
      });

      it('counts with and without a query', async () => {
        expect(await engine.count(index)).toBe(4);
        expect(await engine.count(index, { term: { type: 'software' } })).toBe(2);
      });

      it('suggests completions by weight, one per document', async () => {
        const response = await engine.search(index, { size: 0, suggest: { s: { prefix: 'ope', completion: { field: 'suggest' } } } });
        const entry = response.suggest!.s![0]!;
        expect(entry.text).toBe('ope');
        expect(entry.options.map((o) => [o.text, o._id, o._score])).toEqual([
          ['Open software', 'c', 5],
          ['Open data in physics', 'a', 3],
        ]);
      });

      it('pages through a point in time, and refuses it once closed', async () => {
        const pit = await engine.openPointInTime(index, '1m');
        try {
          const first = await engine.search(index, { pit: { id: pit, keep_alive: '1m' }, sort: ['_doc'], size: 2 });
          await engine.index(index, 'late', { code: 'late' }, { version: 1 });
          await engine.refresh(index);
          const all = [...ids(first)];
          let after = first.hits.hits.at(-1)!.sort!;
          for (;;) {
            const next = await engine.search(index, {
              pit: { id: first.pit_id ?? pit, keep_alive: '1m' },
              sort: ['_doc'],
              size: 2,
              search_after: after,
            });
            if (next.hits.hits.length === 0) break;
            all.push(...ids(next));
            after = next.hits.hits.at(-1)!.sort!;
          }
          expect(new Set(all).size).toBe(all.length);
          expect([...all].filter((id) => id !== 'late').sort()).toEqual(['a', 'b', 'c', 'd']);
        } finally {
          await engine.closePointInTime(pit);
        }
        expect(await statusOf(engine.search(index, { pit: { id: pit, keep_alive: '1m' }, sort: ['_doc'] }))).toBe(404);
      });

      it('answers 400 for an unknown query clause', async () => {
        expect(await statusOf(engine.search(index, { query: { no_such_query: {} } }))).toBe(400);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The conformance corpus
// ---------------------------------------------------------------------------------------------------

/** How a case's expected ids are compared with the hits. */
export type ConformanceCompare = 'exact' | 'set' | 'topk';

/** One case of the conformance corpus (`fixtures/search-conformance/cases.json`). */
export interface ConformanceCase {
  name: string;
  /** The row of the supported-subset table the case covers. */
  feature: string;
  request: SearchRequest;
  expect: {
    total?: number;
    relation?: 'eq' | 'gte';
    ids?: string[];
    /** Default `exact`. */
    order?: ConformanceCompare;
    /** For `topk`: the first `k` hits, compared as a set with `ids`. */
    k?: number;
    sort?: JsonValue[][];
    sources?: (JsonObject | null)[];
    scoresNull?: boolean;
    aggregations?: JsonObject;
    suggest?: JsonObject;
  };
}

/** The corpus: one mapping, its documents, the cases. */
export interface ConformanceCorpus {
  mapping: IndexMapping;
  documents: { _id: string; _source: JsonObject }[];
  cases: ConformanceCase[];
}

/**
 * Read the corpus from its folder (`mapping.json`, `documents.json`, `cases.json`).
 *
 * @example
 * const corpus = loadConformanceCorpus(join(repositoryRoot, 'fixtures/search-conformance'));
 */
export function loadConformanceCorpus(folder: string): ConformanceCorpus {
  const read = <T>(file: string): T => JSON.parse(readFileSync(join(folder, file), 'utf8')) as T;
  return {
    mapping: read('mapping.json'),
    documents: read('documents.json'),
    cases: read<{ cases: ConformanceCase[] }>('cases.json').cases,
  };
}

/**
 * Compare a response with a case; returns the differences (none when it passes). `aggregations` and
 * `suggest` are compared as "expected is contained in actual" (keys an engine adds are ignored; arrays
 * compare by length and position); numbers with a relative tolerance of 1e-9.
 *
 * @example
 * expect(checkConformance(testCase, await engine.search(index, testCase.request))).toEqual([]);
 */
export function checkConformance(testCase: ConformanceCase, response: SearchResponse): string[] {
  const problems: string[] = [];
  const e = testCase.expect;
  const hitIds = response.hits.hits.map((h) => h._id);
  if (e.total !== undefined && response.hits.total.value !== e.total)
    problems.push(`total: expected ${e.total}, got ${response.hits.total.value}`);
  if (e.relation !== undefined && response.hits.total.relation !== e.relation)
    problems.push(`relation: expected ${e.relation}, got ${response.hits.total.relation}`);
  if (e.ids !== undefined) {
    const mode = e.order ?? 'exact';
    const show = JSON.stringify;
    if (mode === 'exact' && show(hitIds) !== show(e.ids)) problems.push(`ids: expected ${show(e.ids)}, got ${show(hitIds)}`);
    if (mode === 'set' && show([...hitIds].sort()) !== show([...e.ids].sort()))
      problems.push(`ids (as a set): expected ${show(e.ids)}, got ${show(hitIds)}`);
    if (mode === 'topk') {
      const k = e.k ?? e.ids.length;
      if (show(hitIds.slice(0, k).sort()) !== show([...e.ids].sort()))
        problems.push(`top ${k} (as a set): expected ${show(e.ids)}, got ${show(hitIds.slice(0, k))}`);
    }
  }
  const push = (problem: string | undefined) => {
    if (problem) problems.push(problem);
  };
  if (e.sort !== undefined)
    push(
      contained(
        e.sort,
        response.hits.hits.map((h) => h.sort ?? null),
        'sort',
      ),
    );
  if (e.sources !== undefined)
    push(
      contained(
        e.sources,
        response.hits.hits.map((h) => h._source ?? null),
        'sources',
        true,
      ),
    );
  if (e.scoresNull === true && response.hits.hits.some((h) => h._score !== null))
    problems.push('scores: expected null _score on every hit');
  if (e.aggregations !== undefined) push(contained(e.aggregations, response.aggregations ?? {}, 'aggregations'));
  if (e.suggest !== undefined) push(contained(e.suggest, response.suggest ?? {}, 'suggest'));
  return problems;
}

function contained(expected: unknown, actual: unknown, path: string, exactObjects = false): string | undefined {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const close = expected === actual || Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected), Math.abs(actual));
    return close ? undefined : `${path}: expected ${expected}, got ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length !== actual.length)
      return `${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const problem = contained(expected[i], actual[i], `${path}[${i}]`, exactObjects);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    if (exactObjects) {
      const extra = Object.keys(actual).filter((k) => !(k in expected));
      if (extra.length > 0) return `${path}: unexpected keys ${extra.join(', ')}`;
    }
    for (const [key, value] of Object.entries(expected)) {
      const problem = contained(value, (actual as Record<string, unknown>)[key], `${path}.${key}`, exactObjects);
      if (problem) return problem;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/**
 * Run the conformance corpus on an engine: one index with the corpus mapping and documents (external
 * version 1), then one test per case. The Elasticsearch adapter runs the same folder against a real
 * Elasticsearch; the SQLite engine runs it against SQLite.
 *
 * @example
 * searchConformance('sqlite', async () => ({ engine: new SqliteSearchEngine({ path }) }), join(root, 'fixtures/search-conformance'));
 */
export function searchConformance(name: string, factory: () => Promise<SearchEngineFixture> | SearchEngineFixture, folder: string): void {
  const corpus = loadConformanceCorpus(folder);
  describe(`search conformance corpus: ${name}`, () => {
    let fixture: SearchEngineFixture;
    const index = `conformance-${Date.now().toString(36)}`;

    beforeAll(async () => {
      fixture = await factory();
      await fixture.engine.createIndex(index, corpus.mapping);
      const result = await fixture.engine.bulk(
        index,
        corpus.documents.map((d) => ({ action: 'index' as const, id: d._id, version: 1, document: d._source })),
        { refresh: true },
      );
      expect(result.items.filter((i) => i.error)).toEqual([]);
      await fixture.engine.refresh(index);
    });

    afterAll(async () => {
      try {
        await fixture.engine.deleteIndex(index);
      } finally {
        await fixture.engine.close();
        await fixture.teardown?.();
      }
    });

    for (const testCase of corpus.cases) {
      it(`${testCase.feature}: ${testCase.name}`, async () => {
        const response = await fixture.engine.search(index, testCase.request);
        expect(checkConformance(testCase, response)).toEqual([]);
      });
    }
  });
}
