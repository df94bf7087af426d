// Runs every request of fixtures/search-requests (the DSL that @recordkit/query-builder and
// @recordkit/facets-sort emit) on the engine: each must run, and its answer must agree with the
// engine's own counts (totals, post filters, bucket counts) and with the sort it asked for. A few
// fixtures also have their exact answers checked here.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, JsonValue, SearchRequest, SearchResponse } from '@recordkit/records-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareUtf8 } from './analysis.js';
import { SqliteSearchEngine } from './engine.js';

const folder = join(import.meta.dirname, '../../../../fixtures/search-requests');
const read = (file: string) => JSON.parse(readFileSync(join(folder, file), 'utf8'));
const fixtures = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, ...(read(file) as { name: string; dsl: SearchRequest }) }));
const documents = read('index/documents.json') as (JsonObject & { id: string })[];

const ids = (r: SearchResponse) => r.hits.hits.map((h) => h._id);

/** Exact answers for some fixtures, worked out by hand from index/documents.json. */
const EXPECTED: Record<string, (r: SearchResponse) => void> = {
  'nested-filter.json': (r) => {
    expect(new Set(ids(r))).toEqual(new Set(['1', '2', '8', '12', '3', '7', '11']));
  },
  'range-filter-open-ends.json': (r) => {
    expect(ids(r)).toEqual(['9', '8', '11', '12', '6']);
    expect((r.aggregations!.type as unknown as { buckets: JsonValue[] }).buckets).toEqual([
      { key: 'publication', doc_count: 7 },
      { key: 'dataset', doc_count: 3 },
      { key: 'software', doc_count: 2 },
    ]);
  },
  'two-post-filters.json': (r) => {
    expect(ids(r)).toEqual(['8', '12', '1', '2']);
  },
  'query-string-exists-prefix.json': (r) => {
    expect(new Set(ids(r))).toEqual(new Set(['1', '5', '12']));
  },
  'aggregation-kinds.json': (r) => {
    const aggs = r.aggregations as Record<string, JsonObject>;
    expect((aggs.stars_ranges as { buckets: JsonObject[] }).buckets.map((b) => [b.key, b.doc_count])).toEqual([
      ['*-3.0', 3],
      ['3.0-5.0', 7],
      ['5.0-*', 2],
    ]);
    expect(aggs.first_year).toEqual({ value: 1985 });
    expect(aggs.last_year).toEqual({ value: 2021 });
    expect(aggs.distinct_types).toEqual({ value: 3 });
    expect(aggs.with_year).toEqual({ value: 12 });
    expect((aggs.creators as JsonObject).doc_count).toBe(14);
  },
};

function compareSortValues(a: JsonValue[], b: JsonValue[], orders: ('asc' | 'desc')[]): number {
  for (let i = 0; i < orders.length; i++) {
    const x = a[i];
    const y = b[i];
    let c = 0;
    if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else if (typeof x === 'string' && typeof y === 'string') c = compareUtf8(x, y);
    else if (x === null && y !== null) c = 1;
    else if (y === null && x !== null) c = -1;
    if (c !== 0) return orders[i] === 'desc' && x !== null && y !== null ? -c : c;
  }
  return 0;
}

describe('fixtures/search-requests on SqliteSearchEngine', () => {
  const engine = new SqliteSearchEngine({ path: ':memory:' });

  beforeAll(async () => {
    await engine.createIndex('requests', read('index/mapping.json'));
    const result = await engine.bulk(
      'requests',
      documents.map((document) => ({ action: 'index' as const, id: document.id, version: 1, document })),
    );
    expect(result.errors).toBe(false);
  });

  afterAll(() => engine.close());

  it('has fixtures to run', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.name}`, async () => {
      const request = fixture.dsl;
      const response = await engine.search('requests', request);
      const size = request.size ?? 10;
      expect(response.hits.hits.length).toBeLessThanOrEqual(size);
      expect(response.hits.total.value).toBeGreaterThanOrEqual(response.hits.hits.length);

      const query = (request.query ?? { match_all: {} }) as JsonObject;
      const withPostFilter = request.post_filter ? { bool: { must: [query], filter: [request.post_filter] } } : query;
      if (request.search_after === undefined) expect(response.hits.total.value).toBe(await engine.count('requests', withPostFilter));

      if (Array.isArray(request.sort)) {
        const orders = (request.sort as JsonObject[]).map((s) => {
          const [name, spec] = Object.entries(s)[0] as [string, JsonValue];
          const order = typeof spec === 'string' ? spec : ((spec as JsonObject).order as string | undefined);
          return (order ?? (name === '_score' ? 'desc' : 'asc')) as 'asc' | 'desc';
        });
        const sorts = response.hits.hits.map((h) => h.sort as JsonValue[]);
        for (let i = 1; i < sorts.length; i++) expect(compareSortValues(sorts[i - 1]!, sorts[i]!, orders)).toBeLessThanOrEqual(0);
      }

      // Every top-level terms bucket counts what a count with the bucket's term as filter counts.
      for (const [name, agg] of Object.entries((request.aggs ?? {}) as Record<string, JsonObject>)) {
        const terms = agg.terms as JsonObject | undefined;
        if (!terms) continue;
        const buckets = (response.aggregations![name] as unknown as { buckets: { key: JsonValue; doc_count: number }[] }).buckets;
        for (const bucket of buckets) {
          const filtered = { bool: { must: [query], filter: [{ term: { [terms.field as string]: bucket.key } }] } };
          expect({ bucket: bucket.key, count: bucket.doc_count }).toEqual({
            bucket: bucket.key,
            count: await engine.count('requests', filtered),
          });
        }
      }

      EXPECTED[fixture.file]?.(response);
    });
  }
});
