import type { estypes } from '@elastic/elasticsearch';
import { describe, expectTypeOf, it } from 'vitest';
import type { Aggregation, Query, SortClause } from './dsl.js';
import type { FacetsResult } from './facets.js';
import type { SortResult } from './sort.js';

describe('DSL types', () => {
  it('are assignable to the Elasticsearch client types', () => {
    expectTypeOf<Query>().toExtend<estypes.QueryDslQueryContainer>();
    expectTypeOf<Aggregation>().toExtend<estypes.AggregationsAggregationContainer>();
    expectTypeOf<SortClause>().toExtend<estypes.SortCombinations>();
  });

  it('type what facets and the sorter return as Elasticsearch request parts', () => {
    expectTypeOf<FacetsResult['filter']>().toExtend<estypes.QueryDslQueryContainer[]>();
    expectTypeOf<FacetsResult['postFilter']>().toExtend<estypes.QueryDslQueryContainer | undefined>();
    expectTypeOf<FacetsResult['aggs']>().toExtend<Record<string, estypes.AggregationsAggregationContainer> | undefined>();
    expectTypeOf<SortResult['sort']>().toExtend<estypes.Sort>();
  });

  it('reject clauses Elasticsearch would reject', () => {
    expectTypeOf<{ range: { year: { gte: boolean } } }>().not.toExtend<Query>();
    expectTypeOf<{ terms: { field: string; size: string } }>().not.toExtend<Aggregation>();
    expectTypeOf<{ year: { order: 'up' } }>().not.toExtend<SortClause>();
  });
});
