import type { estypes } from '@elastic/elasticsearch';
import type { Facets, Sorter } from '@recordkit/facets-sort';
import { describe, expectTypeOf, it } from 'vitest';
import type { FacetsProvider, SearchRequest, SortProvider } from './builder.js';
import type { Aggregation, Query, SearchBody, SortClause } from './dsl.js';

describe('SearchBody', () => {
  it('is assignable to the Elasticsearch client’s SearchRequest', () => {
    expectTypeOf<SearchBody>().toExtend<estypes.SearchRequest>();
    expectTypeOf<SearchRequest['body']>().toExtend<estypes.SearchRequest>();
    const body: SearchBody = { query: { match_all: {} }, size: 10 };
    const request: estypes.SearchRequest = { index: 'records', ...body };
    expectTypeOf(request).toExtend<estypes.SearchRequest>();
  });

  it('types each part as the client does', () => {
    expectTypeOf<Query>().toExtend<estypes.QueryDslQueryContainer>();
    expectTypeOf<Aggregation>().toExtend<estypes.AggregationsAggregationContainer>();
    expectTypeOf<SortClause>().toExtend<estypes.SortCombinations>();
    expectTypeOf<NonNullable<SearchBody['search_after']>>().toExtend<estypes.SortResults>();
  });

  it('refuses bodies Elasticsearch would refuse', () => {
    expectTypeOf<{ query: { match_all: { boost?: number } }; size: '10' }>().not.toExtend<SearchBody>();
    expectTypeOf<{ query: { range: { year: { gte: boolean } } }; size: 10 }>().not.toExtend<SearchBody>();
  });
});

describe('providers', () => {
  it('are implemented by @recordkit/facets-sort', () => {
    expectTypeOf<Facets>().toExtend<FacetsProvider>();
    expectTypeOf<Sorter>().toExtend<SortProvider>();
  });
});
