import { createFacets, type Facets, type FacetsConfig } from './facets.js';
import { createSorter, type SortConfig, type Sorter } from './sort.js';

/**
 * The facet and sort configuration of one search endpoint: the one object this package is configured with.
 *
 * @example
 * const config: FacetsSortConfig = {
 *   facets: { aggs: { type: { terms: { field: 'type' } } }, postFilters: { type: { type: 'terms', field: 'type' } } },
 *   sort: { options: { newest: { fields: ['-created'] } }, default: { noquery: 'newest' } },
 * };
 */
export interface FacetsSortConfig {
  facets?: FacetsConfig;
  sort?: SortConfig;
}

/**
 * Compile an endpoint's facets and sort options at once. Hand both to `@recordkit/query-builder`
 * (`createQueryBuilder({ facets, sort })`), which calls them for every request.
 *
 * @example
 * const { facets, sort } = createFacetsSort({
 *   facets: { aggs: { type: { terms: { field: 'type' } } }, postFilters: { type: { type: 'terms', field: 'type' } } },
 *   sort: { options: { newest: { fields: ['-created'] } }, default: { noquery: 'newest' } },
 * });
 */
export function createFacetsSort(config: FacetsSortConfig = {}): { facets: Facets; sort: Sorter } {
  return { facets: createFacets(config.facets), sort: createSorter(config.sort) };
}
