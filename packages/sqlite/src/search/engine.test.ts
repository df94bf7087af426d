import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexMapping, JsonObject, SearchRequest } from '@recordkit/records-service';
import { isRestError, type RestError } from '@recordkit/rest-errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSearchEngine } from './engine.js';

const MAPPING = {
  settings: {
    analysis: {
      analyzer: { default: { tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] } },
      normalizer: { lower: { type: 'custom', filter: ['lowercase'] } },
    },
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      tags: { type: 'keyword' },
      code: { type: 'keyword', ignore_above: 5, normalizer: 'lower' },
      year: { type: 'integer' },
      score: { type: 'float' },
      rating: { type: 'scaled_float', scaling_factor: 10 },
      when: { type: 'date' },
      flag: { type: 'boolean', null_value: false },
      all_text: { type: 'text' },
      summary: { type: 'text', copy_to: 'all_text' },
      location: { type: 'geo_point' },
      parts: {
        type: 'nested',
        properties: {
          name: { type: 'keyword' },
          size: { type: 'integer' },
          pieces: { type: 'nested', properties: { color: { type: 'keyword' } } },
        },
      },
      suggest: { type: 'completion', contexts: [{ name: 'kind', type: 'category', path: 'tags' }] },
    },
  },
} as unknown as IndexMapping;

const DOCS: Record<string, JsonObject> = {
  '1': {
    id: '1',
    title: 'Red apples',
    tags: ['fruit', 'red'],
    code: 'AB',
    year: 2020,
    score: 0.1,
    rating: 4.26,
    when: '2020-06-01T10:00:00Z',
    flag: true,
    summary: 'Crunchy and sweet',
    location: { lat: 1, lon: 2 },
    parts: [
      { name: 'core', size: 1, pieces: [{ color: 'brown' }] },
      { name: 'skin', size: 2, pieces: [{ color: 'red' }, { color: 'green' }] },
    ],
    suggest: { input: ['Red apples', 'Apples'], weight: 3 },
  },
  '2': {
    id: '2',
    title: ['Green pears', 'Yellow bananas'],
    tags: ['fruit'],
    code: 'toolongcode',
    year: 2021,
    score: 0.25,
    rating: 3,
    when: '2021-01-01',
    flag: null,
    summary: 'Soft',
    parts: [{ name: 'skin', size: 3, pieces: [{ color: 'green' }] }],
    suggest: { input: 'Apricots', weight: 5 },
  },
  '3': { id: '3', title: 'Carrots', tags: ['vegetable'], year: 2019, when: '2019-12-31T23:00:00Z', suggest: ['Carrots', 'Apple carrots'] },
};

function restError(fn: () => unknown): Promise<RestError> {
  return Promise.resolve()
    .then(fn)
    .then(
      () => {
        throw new Error('expected a RestError');
      },
      (error: unknown) => {
        if (!isRestError(error)) throw error;
        return error as RestError;
      },
    );
}

describe('SqliteSearchEngine', () => {
  let dir: string;
  let path: string;
  let engine: SqliteSearchEngine;
  let clock: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-engine-'));
    path = join(dir, 'search.db');
    clock = Date.UTC(2024, 0, 10, 12, 0, 0);
    engine = new SqliteSearchEngine({ path, now: () => clock });
    await engine.createIndex('items', MAPPING);
    const result = await engine.bulk(
      'items',
      Object.entries(DOCS).map(([id, document]) => ({ action: 'index' as const, id, version: 1, document })),
    );
    expect(result.items.filter((i) => i.error)).toEqual([]);
  });

  afterEach(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const search = (request: SearchRequest) => engine.search('items', request);
  const ids = async (request: SearchRequest) => (await search({ sort: ['id'], ...request })).hits.hits.map((h) => h._id);

  describe('documents and the mapping', () => {
    it('indexes keywords with their normalizer and skips values longer than ignore_above', async () => {
      expect(await ids({ query: { term: { code: 'ab' } } })).toEqual(['1']);
      expect(await ids({ query: { term: { code: 'AB' } } })).toEqual(['1']);
      expect(await ids({ query: { exists: { field: 'code' } } })).toEqual(['1']);
    });

    it('stores numbers with the precision of their type', async () => {
      expect(await ids({ query: { term: { score: 0.1 } } })).toEqual(['1']);
      expect(await ids({ query: { range: { score: { lte: 0.1 } } } })).toEqual(['1']);
      expect(await ids({ query: { term: { rating: 4.3 } } })).toEqual(['1']);
      const { aggregations } = await search({ size: 0, aggs: { s: { max: { field: 'rating' } } } });
      expect(aggregations?.s).toEqual({ value: 4.3 });
    });

    it('indexes null_value for explicit nulls and copy_to targets', async () => {
      expect(await ids({ query: { term: { flag: false } } })).toEqual(['2']);
      expect(await ids({ query: { match: { all_text: 'crunchy' } } })).toEqual(['1']);
    });

    it('keeps a phrase from matching across two values of a field', async () => {
      expect(await ids({ query: { match_phrase: { title: 'pears yellow' } } })).toEqual([]);
      expect(await ids({ query: { match_phrase: { title: 'yellow bananas' } } })).toEqual(['2']);
    });

    it('keeps fields of unsupported types in _source and refuses to query them', async () => {
      const hit = (await search({ query: { ids: { values: ['1'] } } })).hits.hits[0]!;
      expect(hit._source?.location).toEqual({ lat: 1, lon: 2 });
      const error = await restError(() => search({ query: { exists: { field: 'location' } } }));
      expect(error.code).toBe('unsupported_search_feature');
    });

    it('refuses a document that does not fit the mapping, naming the field, and writes nothing', async () => {
      const bad = await restError(() => engine.index('items', '9', { id: '9', year: 'soon' }, { version: 1 }));
      expect(bad.status).toBe(400);
      expect(bad.errors[0]?.field).toBe('year');
      const strict = await restError(() => engine.index('items', '9', { id: '9', colour: 'red' }, { version: 1 }));
      expect(strict.errors[0]?.field).toBe('colour');
      const object = await restError(() => engine.index('items', '9', { id: '9', tags: { a: 1 } }, { version: 1 }));
      expect(object.errors[0]?.field).toBe('tags');
      expect(await engine.count('items')).toBe(3);
    });

    it('refuses mappings it cannot honour when the index is created', async () => {
      const analyzer = await restError(() =>
        engine.createIndex('other', { mappings: { properties: { t: { type: 'text', analyzer: 'english' } } } }),
      );
      expect(analyzer.code).toBe('unsupported_search_feature');
      expect(analyzer.message).toContain('mappings.properties.t.analyzer');
      const type = await restError(() =>
        engine.createIndex('other', { mappings: { properties: { t: { type: 'strange' as 'keyword' } } } }),
      );
      expect(type.errors[0]?.field).toBe('mappings.properties.t.type');
      expect(await engine.indexExists('other')).toBe(false);
    });

    it('answers 409 when an index exists with another mapping, and 400 for a bad index name', async () => {
      expect((await restError(() => engine.createIndex('items', { mappings: { properties: {} } }))).status).toBe(409);
      expect((await restError(() => engine.createIndex('Bad Name', MAPPING))).errors[0]?.field).toBe('index');
    });
  });

  describe('nested objects', () => {
    it('matches conditions within one nested object, also one level deeper', async () => {
      const q = (name: string, size: number): JsonObject => ({
        nested: { path: 'parts', query: { bool: { must: [{ term: { 'parts.name': name } }, { term: { 'parts.size': size } }] } } },
      });
      expect(await ids({ query: q('skin', 2) })).toEqual(['1']);
      expect(await ids({ query: q('core', 2) })).toEqual([]);
      const deep: JsonObject = {
        nested: {
          path: 'parts',
          query: {
            bool: {
              must: [
                { term: { 'parts.name': 'skin' } },
                { nested: { path: 'parts.pieces', query: { term: { 'parts.pieces.color': 'green' } } } },
              ],
            },
          },
        },
      };
      expect(await ids({ query: deep })).toEqual(['1', '2']);
      expect(await ids({ query: { nested: { path: 'parts.pieces', query: { term: { 'parts.pieces.color': 'brown' } } } } })).toEqual(['1']);
    });

    it('aggregates nested objects and goes back to documents with reverse_nested', async () => {
      const { aggregations } = await search({
        size: 0,
        aggs: {
          parts: { nested: { path: 'parts' }, aggs: { names: { terms: { field: 'parts.name' }, aggs: { docs: { reverse_nested: {} } } } } },
        },
      });
      expect(aggregations?.parts).toEqual({
        doc_count: 3,
        names: {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: 0,
          buckets: [
            { key: 'skin', doc_count: 2, docs: { doc_count: 2 } },
            { key: 'core', doc_count: 1, docs: { doc_count: 1 } },
          ],
        },
      });
    });

    it('asks for a nested query when a nested field is used from the root', async () => {
      const error = await restError(() => search({ query: { term: { 'parts.name': 'skin' } } }));
      expect(error.errors[0]).toMatchObject({ field: 'query.term.parts.name' });
      expect(error.errors[0]?.message).toContain('nested');
    });
  });

  describe('scores', () => {
    it('scores full-text matches with bm25 and reports max_score; filters score 0', async () => {
      const scored = await search({ query: { match: { title: 'apples' } } });
      expect(scored.hits.hits.map((h) => h._id)).toEqual(['1']);
      expect(scored.hits.max_score).toBe(scored.hits.hits[0]!._score);
      expect(scored.hits.max_score).toBeGreaterThan(0);
      const filtered = await search({ query: { bool: { filter: { term: { tags: 'fruit' } } } } });
      expect(filtered.hits.hits.map((h) => h._score)).toEqual([0, 0]);
      const constant = await search({ query: { constant_score: { filter: { term: { tags: 'fruit' } }, boost: 2.5 } } });
      expect(constant.hits.hits.map((h) => h._score)).toEqual([2.5, 2.5]);
      const sorted = await search({ query: { match: { title: 'apples' } }, sort: [{ year: 'asc' }] });
      expect(sorted.hits.hits[0]?._score).toBeNull();
      expect(sorted.hits.max_score).toBeNull();
      const tracked = await search({ query: { match: { title: 'apples' } }, sort: [{ year: 'asc' }], track_scores: true });
      expect(tracked.hits.hits[0]?._score).toBeGreaterThan(0);
    });

    it('ranks a document matching more query terms higher, and dis_max takes the best clause', async () => {
      const response = await search({ query: { match: { title: 'red green apples' } } });
      expect(response.hits.hits.map((h) => h._id)).toEqual(['1', '2']);
      const dm = await search({ query: { dis_max: { queries: [{ term: { tags: 'red' } }, { term: { year: 2020 } }] } } });
      expect(dm.hits.hits.map((h) => [h._id, h._score])).toEqual([['1', 1]]);
    });
  });

  describe('dates', () => {
    it('resolves now with the engine clock', async () => {
      expect(await ids({ query: { range: { when: { gte: 'now-4y/y', lt: 'now-3y/y' } } } })).toEqual(['1']);
      expect(await ids({ query: { range: { when: { gte: 'now-5y', lte: 'now' } } } })).toEqual(['1', '2', '3']);
    });

    it('rounds only the missing time of day of a partial date up for lte and gt, as Elasticsearch does', async () => {
      expect(await ids({ query: { range: { when: { gte: '2019', lte: '2020' } } } })).toEqual(['3']);
      expect(await ids({ query: { range: { when: { gte: '2019', lte: '2020||/y' } } } })).toEqual(['1', '3']);
      expect(await ids({ query: { range: { when: { gt: '2020-05' } } } })).toEqual(['1', '2']);
      // 2020-06-01T10:00 falls within the first day of June, which a partial `gt` leaves out.
      expect(await ids({ query: { range: { when: { gt: '2020-06' } } } })).toEqual(['2']);
      expect(await ids({ query: { range: { when: { gt: '2021-01' } } } })).toEqual([]);
      expect(await ids({ query: { query_string: { query: 'when:[2021 TO 2021]' } } })).toEqual(['2']);
    });

    it('buckets by calendar interval in a time zone', async () => {
      const { aggregations } = await search({
        size: 0,
        aggs: { y: { date_histogram: { field: 'when', calendar_interval: 'year', time_zone: 'Europe/Paris', format: 'yyyy' } } },
      });
      expect(aggregations?.y).toEqual({
        buckets: [
          { key_as_string: '2020', key: Date.UTC(2019, 11, 31, 23), doc_count: 2 },
          { key_as_string: '2021', key: Date.UTC(2020, 11, 31, 23), doc_count: 1 },
        ],
      });
    });
  });

  describe('sorting many matches through an index', () => {
    it('orders hits the same with and without the sort index, missing values last', async () => {
      const request = (aggs: boolean): SearchRequest => ({
        query: { match_all: {} },
        sort: [{ year: 'asc' }, { id: 'desc' }],
        size: 2,
        ...(aggs && { aggs: { t: { terms: { field: 'tags' } } } }),
      });
      await engine.index('items', '4', { id: '4', title: 'No year' }, { version: 1 });
      const plain = await search(request(false));
      const indexed = await search(request(true));
      expect(indexed.hits.hits.map((h) => [h._id, h.sort])).toEqual(plain.hits.hits.map((h) => [h._id, h.sort]));
      expect(plain.hits.hits.map((h) => h._id)).toEqual(['3', '1']);
      const rest = await search({ ...request(true), search_after: indexed.hits.hits[1]!.sort! });
      expect(rest.hits.hits.map((h) => h._id)).toEqual(['2', '4']);
      const indexes = engine.database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_sort_%'").all();
      expect(indexes.length).toBe(1);
    });
  });

  describe('sort values of missing fields', () => {
    it('reports the bounds of the field type, as Elasticsearch does, and pages past them', async () => {
      await engine.index('items', '4', { id: '4', title: 'Nothing else' }, { version: 1 });
      const lastValue = async (field: string, order: 'asc' | 'desc') =>
        (await search({ query: { ids: { values: ['1', '4'] } }, sort: [{ [field]: order }] })).hits.hits.map((h) => [h._id, h.sort]);
      expect(await lastValue('year', 'asc')).toEqual([
        ['1', [2020]],
        ['4', [2147483647]],
      ]);
      expect(await lastValue('year', 'desc')).toEqual([
        ['1', [2020]],
        ['4', [-2147483648]],
      ]);
      expect((await lastValue('when', 'asc'))[1]).toEqual(['4', [2 ** 63]]);
      expect((await lastValue('score', 'desc'))[1]).toEqual(['4', ['-Infinity']]);

      const request: SearchRequest = { query: { match_all: {} }, sort: [{ year: { order: 'asc', missing: '_first' } }, 'id'], size: 1 };
      const first = await search(request);
      expect(first.hits.hits.map((h) => [h._id, h.sort])).toEqual([['4', [-2147483648, '4']]]);
      const rest = await search({ ...request, size: 10, search_after: first.hits.hits[0]!.sort! });
      expect(rest.hits.hits.map((h) => h._id)).toEqual(['3', '1', '2']);
    });
  });

  describe('completion suggest', () => {
    it('filters by category context and skips duplicate texts', async () => {
      const ctx = await search({
        size: 0,
        suggest: { s: { prefix: 'ap', completion: { field: 'suggest', contexts: { kind: ['vegetable'] } } } },
      });
      expect(ctx.suggest?.s?.[0]?.options.map((o) => [o.text, o._id, o.contexts])).toEqual([
        ['Apple carrots', '3', { kind: ['vegetable'] }],
      ]);
      const all = await search({
        suggest: { text: 'ap', s: { completion: { field: 'suggest', skip_duplicates: true } } } as unknown as Record<string, JsonObject>,
        size: 0,
        _source: false,
      });
      expect(all.suggest?.s?.[0]?.options.map((o) => [o.text, o._score, '_source' in o])).toEqual([
        ['Apricots', 5, false],
        ['Apples', 3, false],
        ['Apple carrots', 1, false],
      ]);
    });
  });

  describe('point in time', () => {
    it('pins a snapshot: later writes are not seen through the point in time', async () => {
      const pit = await engine.openPointInTime('items', '1m');
      await engine.index('items', '4', { id: '4', title: 'Late' }, { version: 1 });
      await engine.delete('items', '1', { version: 2 });
      const pinned = await search({ pit: { id: pit, keep_alive: '1m' }, sort: ['_doc'] });
      expect(pinned.hits.hits.map((h) => h._id)).toEqual(['1', '2', '3']);
      expect(pinned.pit_id).toBe(pit);
      expect(pinned.hits.hits[0]?.sort).toEqual([1]);
      expect(await ids({})).toEqual(['2', '3', '4']);
      await engine.closePointInTime(pit);
    });

    it('expires after its keep-alive', async () => {
      const pit = await engine.openPointInTime('items', '30s');
      clock += 31_000;
      expect((await restError(() => search({ pit: { id: pit } }))).status).toBe(404);
    });
  });

  describe('the record store transaction', () => {
    it('applies index writes inside the caller transaction: rolled back with it, committed with it', async () => {
      const db = engine.database;
      db.exec('BEGIN IMMEDIATE');
      engine.applyIndexWrite({ index: 'items', id: '7', version: 1, document: { id: '7', title: 'Plums' } });
      db.exec('ROLLBACK');
      expect(await engine.count('items', { term: { id: '7' } })).toBe(0);
      db.exec('BEGIN IMMEDIATE');
      engine.applyIndexWrite({ index: 'items', id: '7', version: 1, document: { id: '7', title: 'Plums' } });
      engine.applyIndexWrite({ index: 'items', id: '2', version: 2, document: null });
      db.exec('COMMIT');
      expect(await ids({})).toEqual(['1', '3', '7']);
    });

    it('throws for a document that does not fit, so the caller can abort the write', async () => {
      const db = engine.database;
      db.exec('BEGIN IMMEDIATE');
      expect(() => engine.applyIndexWrite({ index: 'items', id: '8', version: 1, document: { id: '8', year: 'x' } })).toThrow(/year/);
      expect(db.isTransaction).toBe(true);
      db.exec('ROLLBACK');
      expect(() => engine.applyIndexWrite({ index: 'nope', id: '8', version: 1, document: {} })).toThrow(/No such index/);
    });
  });

  describe('bad requests', () => {
    const cases: [string, SearchRequest, { status: number; code: string; field?: string; clause?: string }][] = [
      ['unknown field', { query: { term: { nope: 'x' } } }, { status: 400, code: 'validation_error', field: 'query.term.nope' }],
      ['object used as a field', { query: { term: { parts: 'x' } } }, { status: 400, code: 'validation_error', field: 'query.term.parts' }],
      [
        'bad number',
        { query: { range: { year: { gte: 'abc' } } } },
        { status: 400, code: 'validation_error', field: 'query.range.year.gte' },
      ],
      [
        'bad date',
        { query: { range: { when: { gte: 'tomorrow' } } } },
        { status: 400, code: 'validation_error', field: 'query.range.when.gte' },
      ],
      ['bad boolean', { query: { term: { flag: 'maybe' } } }, { status: 400, code: 'validation_error', field: 'query.term.flag' }],
      [
        'match on a number that is no number',
        { query: { match: { year: 'soon' } } },
        { status: 400, code: 'validation_error', field: 'query.match.year.query' },
      ],
      [
        'unsupported query',
        { query: { fuzzy: { title: 'aple' } } },
        { status: 400, code: 'unsupported_search_feature', clause: 'query.fuzzy' },
      ],
      [
        'unsupported option',
        { query: { match: { title: { query: 'a', fuzziness: 'AUTO' } } } },
        { status: 400, code: 'unsupported_search_feature', clause: 'query.match.title.fuzziness' },
      ],
      [
        'named query',
        { query: { term: { tags: { value: 'red', _name: 'n' } } } },
        { status: 400, code: 'unsupported_search_feature', clause: 'query.term.tags._name' },
      ],
      [
        'unsupported aggregation',
        { aggs: { top: { top_hits: {} } } },
        { status: 400, code: 'unsupported_search_feature', clause: 'aggs.top.top_hits' },
      ],
      [
        'terms aggregation on text',
        { aggs: { t: { terms: { field: 'title' } } } },
        { status: 400, code: 'validation_error', field: 'aggs.t.terms.field' },
      ],
      [
        'unsupported top-level key',
        { highlight: { fields: { title: {} } } },
        { status: 400, code: 'unsupported_search_feature', clause: 'highlight' },
      ],
      ['sort on an unknown field', { sort: [{ nope: 'asc' }] }, { status: 400, code: 'validation_error', field: 'sort.0.nope' }],
      ['sort on a text field', { sort: ['title'] }, { status: 400, code: 'validation_error', field: 'sort.0.title' }],
      ['bad sort order', { sort: [{ year: 'up' }] }, { status: 400, code: 'validation_error', field: 'sort.0.year.order' }],
      ['result window', { from: 9995, size: 10 }, { status: 400, code: 'max_result_window', field: 'from' }],
      ['negative size', { size: -1 }, { status: 400, code: 'validation_error', field: 'size' }],
      [
        'search_after without the same number of values',
        { sort: ['year', 'id'], search_after: [2020] },
        { status: 400, code: 'validation_error', field: 'search_after' },
      ],
      [
        'query_string syntax',
        { query: { query_string: { query: 'title:(red' } } },
        { status: 400, code: 'invalid_query_syntax', field: 'q' },
      ],
      [
        'query_string unknown field',
        { query: { query_string: { query: 'colour:red' } } },
        { status: 400, code: 'invalid_query_syntax', field: 'q' },
      ],
      [
        'query_string bad number on a named field (not lenient)',
        { query: { query_string: { query: 'year:soon', lenient: false } } },
        { status: 400, code: 'invalid_query_syntax', field: 'q' },
      ],
      ['query_string fuzzy', { query: { query_string: { query: 'aple~' } } }, { status: 400, code: 'unsupported_search_feature' }],
    ];
    for (const [name, request, expected] of cases) {
      it(`answers ${expected.status} for ${name}`, async () => {
        const error = await restError(() => search(request));
        expect(error.status).toBe(expected.status);
        expect(error.code).toBe(expected.code);
        if (expected.field) expect(error.errors[0]?.field).toBe(expected.field);
        if (expected.clause) expect((error as unknown as { clause: string }).clause).toBe(expected.clause);
      });
    }

    it('stays lenient for query_string over all fields: a word that is no number skips numeric fields', async () => {
      expect(await ids({ query: { query_string: { query: 'carrots' } } })).toEqual(['3']);
      expect(await ids({ query: { query_string: { query: '2019' } } })).toEqual(['3']);
      expect(await ids({ query: { query_string: { query: 'year:soon' } } })).toEqual([]);
    });
  });

  describe('injection', () => {
    /** A digest of the schema and every row of every table: proof that nothing was written. */
    function databaseDigest(): string {
      const db = engine.database;
      const hash = createHash('sha256');
      const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").all() as {
        name: string;
        sql: string | null;
      }[];
      for (const t of tables) {
        hash.update(`${t.name}\n${t.sql}\n`);
        if (t.sql?.startsWith('CREATE TABLE') && !t.name.includes('_fts') && !t.name.includes('_nfts')) {
          for (const row of db.prepare(`SELECT * FROM "${t.name.replaceAll('"', '""')}"`).all())
            hash.update(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
        }
      }
      return hash.digest('hex');
    }

    const nasty = [
      "'; DROP TABLE search_indexes; --",
      '" OR 1=1 --',
      "Robert'); DELETE FROM search_1_doc; --",
      'title) UNION SELECT source FROM search_1_doc --',
      'a" OR "b',
      '1; UPDATE search_1_doc SET version = 99',
      'NEAR(red apples) OR c0:secret',
      '{c0 c1}: red',
      '%_*?[]\\',
      '\u0000\uE000',
      'SELECT * FROM sqlite_master',
    ];

    it('treats quotes, semicolons, SQL and FTS syntax in every request position as data or a 400, and changes nothing', async () => {
      const before = databaseDigest();
      const outcomes: string[] = [];
      for (const text of nasty) {
        const requests: SearchRequest[] = [
          { query: { query_string: { query: text } } },
          { query: { simple_query_string: { query: text } } },
          { query: { match: { title: text } } },
          { query: { multi_match: { query: text, fields: ['title', 'tags'] } } },
          { query: { term: { tags: text } } },
          { query: { terms: { tags: [text, 'x'] } } },
          { query: { prefix: { tags: text } } },
          { query: { wildcard: { title: text } } },
          { query: { ids: { values: [text] } } },
          { query: { range: { id: { gte: text } } } },
          { query: { term: { [text]: 'x' } } },
          { sort: [{ [text]: 'asc' }] },
          { aggs: { [text.replace(/[[\]>]/g, '')]: { terms: { field: 'tags', include: [text] } } } },
          { aggs: { a: { terms: { field: text } } } },
          { post_filter: { terms: { tags: [text] } } },
          { suggest: { s: { prefix: text, completion: { field: 'suggest', contexts: { kind: [text] } } } } },
          { _source: [text] },
        ];
        for (const request of requests) {
          try {
            const response = await search(request);
            outcomes.push(`ok:${response.hits.total.value}`);
            // Nothing in the data contains these strings, so a query that runs finds nothing, except
            // where the text analyzes to real words of the documents (e.g. "red apples").
            const kind = request.query ? Object.keys(request.query)[0] : undefined;
            if (kind === 'term' || kind === 'terms' || kind === 'prefix' || kind === 'ids') {
              expect({ request, total: response.hits.total.value }).toEqual({ request, total: 0 });
            }
            if (kind === 'range') {
              // A string range compares as strings: the ids "1".."3" against the text, byte by byte.
              const expected = ['1', '2', '3'].filter((id) => Buffer.compare(Buffer.from(id), Buffer.from(text)) >= 0).length;
              expect({ request, total: response.hits.total.value }).toEqual({ request, total: expected });
            }
          } catch (error) {
            if (!isRestError(error)) throw error;
            expect(error.status).toBe(400);
            outcomes.push(`400:${error.code}`);
          }
        }
      }
      expect(outcomes.length).toBe(nasty.length * 17);
      expect(databaseDigest()).toBe(before);
      expect(await engine.count('items')).toBe(3);
      // The full-text column filter in a query text cannot reach another field.
      expect(await ids({ query: { match: { tags: '{c0}: red' } } })).toEqual([]);
    });

    it('finds documents whose values contain SQL syntax, as plain values', async () => {
      const value = "x'); DROP TABLE search_indexes; --";
      await engine.index('items', 'evil', { id: 'evil', tags: [value], title: value }, { version: 1 });
      expect(await ids({ query: { term: { tags: value } } })).toEqual(['evil']);
      expect(await ids({ query: { match_phrase: { title: 'drop table search_indexes' } } })).toEqual(['evil']);
      expect(await engine.indexExists('items')).toBe(true);
    });
  });
});
