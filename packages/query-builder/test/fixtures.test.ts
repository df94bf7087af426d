// The shared search-request fixtures (fixtures/search-requests/, format in its README): each one's URL
// parameters and endpoint configuration must produce exactly its stored DSL, and that DSL must stay
// inside what the embedded SQLite engine and Elasticsearch both execute, on fields of the shared mapping.
// RECORDKIT_UPDATE_FIXTURES=1 writes the DSL of fixtures that have none yet (review it before committing).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFacetsSort, type FacetsSortConfig } from '@recordkit/facets-sort';
import { describe, expect, it } from 'vitest';
import { createQueryBuilder, type QueryBuilderConfig } from '../src/index.js';

const dir = join(import.meta.dirname, '../../../fixtures/search-requests');

interface Fixture {
  name: string;
  description: string;
  params: string;
  config: { queryBuilder?: QueryBuilderConfig; facetsSort?: FacetsSortConfig };
  dsl?: unknown;
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;

const SUPPORTED = {
  top: ['query', 'from', 'size', 'sort', 'aggs', 'post_filter', 'track_total_hits', 'search_after', '_source'],
  query: [
    'match_all',
    'match_none',
    'query_string',
    'simple_query_string',
    'match',
    'multi_match',
    'term',
    'terms',
    'range',
    'exists',
    'prefix',
    'wildcard',
    'ids',
    'bool',
    'nested',
  ],
  aggs: [
    'terms',
    'range',
    'date_range',
    'histogram',
    'date_histogram',
    'filter',
    'filters',
    'nested',
    'min',
    'max',
    'avg',
    'sum',
    'value_count',
    'cardinality',
  ],
};

type Json = Record<string, unknown>;
const entries = (v: unknown) => Object.entries((v ?? {}) as Json);

/** Walk a body, collecting the query and aggregation clauses it uses and the fields it names. */
function inspect(body: Json) {
  const used = { top: Object.keys(body), query: new Set<string>(), aggs: new Set<string>(), fields: new Set<string>() };
  const query = (q: unknown): void => {
    for (const [kind, arg] of entries(q)) {
      used.query.add(kind);
      if (kind === 'bool') for (const [, list] of entries(arg)) for (const c of [list].flat()) if (typeof c === 'object') query(c);
      if (kind === 'nested') query((arg as Json).query);
      if (['term', 'terms', 'range', 'prefix', 'wildcard', 'match'].includes(kind)) for (const [f] of entries(arg)) used.fields.add(f);
      if (kind === 'exists') used.fields.add((arg as Json).field as string);
    }
  };
  const aggs = (a: unknown): void => {
    for (const [, agg] of entries(a)) {
      for (const [kind, arg] of entries(agg)) {
        if (kind === 'aggs') aggs(arg);
        else if (kind === 'meta') continue;
        else {
          used.aggs.add(kind);
          if (kind === 'filter') query(arg);
          if (kind === 'filters') for (const [, f] of entries((arg as Json).filters)) query(f);
          if ((arg as Json).field) used.fields.add((arg as Json).field as string);
        }
      }
    }
  };
  query(body.query);
  query(body.post_filter);
  aggs(body.aggs);
  for (const clause of (body.sort ?? []) as Json[]) for (const f of Object.keys(clause)) if (f !== '_score') used.fields.add(f);
  return used;
}

const mapping = JSON.parse(readFileSync(join(dir, 'index/mapping.json'), 'utf8')) as { properties: Json };
const mapped = new Set<string>();
const addFields = (props: Json, prefix: string) => {
  for (const [name, def] of Object.entries(props)) {
    mapped.add(prefix + name);
    const sub = (def as Json).properties;
    if (sub) addFields(sub as Json, `${prefix}${name}.`);
  }
};
addFields(mapping.properties, '');

describe('search-request fixtures', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s emits its stored DSL', (file) => {
    const fixture = read(file);
    expect(fixture.name).toBeTruthy();
    expect(fixture.description).toBeTruthy();
    const builder = createQueryBuilder({ ...fixture.config.queryBuilder, ...createFacetsSort(fixture.config.facetsSort) });
    const body = builder.parse(new URLSearchParams(fixture.params)).body;
    if (fixture.dsl === undefined && process.env.RECORDKIT_UPDATE_FIXTURES === '1') {
      writeFileSync(join(dir, file), `${JSON.stringify({ ...fixture, dsl: body }, null, 2)}\n`);
      return;
    }
    expect(body).toEqual(fixture.dsl);
  });

  it.each(files)('%s stays inside the engines’ common DSL and the shared mapping', (file) => {
    const used = inspect(read(file).dsl as Json);
    for (const key of used.top) expect(SUPPORTED.top).toContain(key);
    for (const kind of used.query) expect(SUPPORTED.query).toContain(kind);
    for (const kind of used.aggs) expect(SUPPORTED.aggs).toContain(kind);
    for (const field of used.fields) expect(mapped, `field ${field}`).toContain(field);
  });
});
