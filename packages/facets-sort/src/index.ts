export type { FacetsSortConfig } from './config.js';
export { createFacetsSort } from './config.js';
export type {
  Aggregation,
  AggregationBody,
  AggregationRange,
  BoolQuery,
  CalendarInterval,
  DateAggregationRange,
  FieldSort,
  FieldValue,
  GeoDistanceSort,
  MatchQuery,
  MultiMatchQuery,
  Query,
  QueryStringQuery,
  RangeQuery,
  SimpleQueryStringQuery,
  SortClause,
  SortOrder,
} from './dsl.js';
export type { AggregationContext, AggregationDefinition, FacetInfo, Facets, FacetsConfig, FacetsResult } from './facets.js';
export { createFacets, FACETS_PARAMETER, RESERVED_PARAMETERS } from './facets.js';
export type { FacetFilter, FacetFilterContext, FacetFilterInfo, FacetFilterSpec, RangeFilterOptions } from './filters.js';
export { filterFromSpec, nestedFilter, parseRangeValue, rangeFilter, termsFilter } from './filters.js';
export type { SortConfig, Sorter, SortField, SortFieldContext, SortFieldFunction, SortOption, SortOptionInfo, SortResult } from './sort.js';
export { createSorter, evalSortField, geoDistanceSort, SORT_PARAMETER } from './sort.js';
