import { type FieldError, isRestError, ValidationError } from '@recordkit/rest-errors';
import type { Aggregation, Query } from './dsl.js';
import { type FacetFilter, type FacetFilterInfo, type FacetFilterSpec, filterFromSpec } from './filters.js';

/** What an aggregation computed at request time is told. */
export interface AggregationContext {
  /** The request's URL parameters. */
  params: URLSearchParams;
}

/** An aggregation definition: the DSL itself, or a function returning it at request time (Invenio's callable aggs). */
export type AggregationDefinition = Aggregation | ((context: AggregationContext) => Aggregation);

/**
 * Facets of one index (Invenio's `RECORDS_REST_FACETS[index]`). `aggs`, `filters` and `postFilters` are
 * independent maps: an aggregation and a filter belong to the same facet when they share a name.
 */
export interface FacetsConfig {
  /** Aggregations by name; `?facets=a,b` selects which are computed (all when absent). */
  aggs?: Record<string, AggregationDefinition>;
  /** Filters by URL parameter: they narrow the hits and the aggregation counts (query `bool.filter`). */
  filters?: Record<string, FacetFilter | FacetFilterSpec>;
  /** Filters by URL parameter: they narrow the hits only (`post_filter`), so counts stay unfiltered. */
  postFilters?: Record<string, FacetFilter | FacetFilterSpec>;
  /**
   * Disjunctive faceting (Invenio's `RECORDS_REST_FACETS_POST_FILTERS_PROPAGATE`): each aggregation is
   * computed under every selected post filter except its own, and its buckets move under
   * `aggregations.<name>.filtered`.
   */
  propagate?: boolean;
}

/** What {@link Facets.apply} adds to a search request. */
export interface FacetsResult {
  /** Query filters (`bool.filter` of the query). */
  filter: Query[];
  /** The `post_filter`, when any post filter was selected. */
  postFilter?: Query;
  /** The aggregations to compute, when any. */
  aggs?: Record<string, Aggregation>;
  /** The facet parameters that were used, in order, to carry into pagination links. */
  params: [string, string][];
}

/** How one facet shows itself to a UI or an options view. */
export interface FacetInfo {
  name: string;
  /** True when an aggregation of this name exists. */
  aggregation: boolean;
  /** How selecting values narrows the search, when `name` is also a filter parameter. */
  filter?: 'filter' | 'post_filter';
  /** The built-in filter's type and field(s), when known. */
  filterInfo?: FacetFilterInfo;
}

/** The facets of one index, ready to apply to requests. Made by {@link createFacets}. */
export interface Facets {
  /** The URL parameters the facets read: each filter parameter and `facets`. */
  readonly parameterNames: readonly string[];
  /**
   * Read the facet parameters of a request. Several values of one facet are ORed, several facets ANDed.
   * Throws a 400 `ValidationError` with one field error per bad facet parameter.
   */
  apply(params: URLSearchParams): FacetsResult;
  /** The configured facets, in configuration order. */
  describe(): FacetInfo[];
}

/**
 * URL parameters of the search request itself; a facet may not take one of these names.
 *
 * @example
 * RESERVED_PARAMETERS.includes('page'); // true
 */
export const RESERVED_PARAMETERS: readonly string[] = ['q', 'page', 'from', 'size', 'sort', 'cursor', 'facets'];

/**
 * The URL parameter that selects aggregations: `?facets=type,year`.
 *
 * @example
 * new URLSearchParams({ [FACETS_PARAMETER]: 'type,year' }).toString(); // 'facets=type%2Cyear'
 */
export const FACETS_PARAMETER = 'facets';

/**
 * Compile a facet configuration. Invalid configuration (a filter named like a search parameter, a name
 * that is both a filter and a post filter) throws a `TypeError` here, not on a request.
 *
 * @example
 * const facets = createFacets({
 *   aggs: { type: { terms: { field: 'type' } } },
 *   postFilters: { type: termsFilter('type') },
 * });
 * facets.apply(new URLSearchParams('type=article&type=book'));
 * // { filter: [], postFilter: { terms: { type: ['article', 'book'] } },
 * //   aggs: { type: { terms: { field: 'type' } } }, params: [['type', 'article'], ['type', 'book']] }
 */
export function createFacets(config: FacetsConfig = {}): Facets {
  const aggs = Object.entries(config.aggs ?? {});
  const filters = compile(config.filters);
  const postFilters = compile(config.postFilters);
  for (const [name] of [...filters, ...postFilters]) {
    if (RESERVED_PARAMETERS.includes(name)) throw new TypeError(`Facet filter "${name}" has the name of a search parameter`);
  }
  for (const [name] of filters) {
    if (postFilters.some(([other]) => other === name)) throw new TypeError(`Facet "${name}" is both a filter and a post filter`);
  }
  const parameterNames = Object.freeze([...filters.map(([name]) => name), ...postFilters.map(([name]) => name), FACETS_PARAMETER]);

  return {
    parameterNames,
    apply(params) {
      const errors: FieldError[] = [];
      const used: [string, string][] = [];
      const run = (list: [string, FacetFilter][]) => {
        const out: [string, Query][] = [];
        for (const [name, filter] of list) {
          const values = params.getAll(name);
          if (!values.length) continue;
          try {
            out.push([name, filter(values, { name })]);
          } catch (error) {
            if (!isRestError(error) || error.status !== 400 || !error.errors.length) throw error;
            errors.push(...error.errors);
          }
          for (const value of values) used.push([name, value]);
        }
        return out;
      };
      const filterQueries = run(filters);
      const postQueries = run(postFilters);
      if (errors.length) throw new ValidationError(errors);

      const selection = params.getAll(FACETS_PARAMETER);
      for (const value of selection) used.push([FACETS_PARAMETER, value]);
      const selected = selection.length ? new Set(selection.flatMap((v) => v.split(',')).map((v) => v.trim())) : undefined;

      const result: FacetsResult = { filter: filterQueries.map(([, q]) => q), params: used };
      if (postQueries.length) result.postFilter = combine(postQueries.map(([, q]) => q));
      const computed: Record<string, Aggregation> = {};
      for (const [name, definition] of aggs) {
        if (selected && !selected.has(name)) continue;
        const agg = typeof definition === 'function' ? definition({ params }) : definition;
        computed[name] = config.propagate ? propagated(agg, name, postQueries) : agg;
      }
      if (Object.keys(computed).length) result.aggs = computed;
      return result;
    },
    describe() {
      const names = [...new Set([...aggs.map(([n]) => n), ...filters.map(([n]) => n), ...postFilters.map(([n]) => n)])];
      return names.map((name) => {
        const filter = filters.find(([n]) => n === name) ?? postFilters.find(([n]) => n === name);
        const info: FacetInfo = { name, aggregation: aggs.some(([n]) => n === name) };
        if (filter) {
          info.filter = filters.includes(filter) ? 'filter' : 'post_filter';
          if (filter[1].info) info.filterInfo = { ...filter[1].info };
        }
        return info;
      });
    },
  };
}

function compile(map: Record<string, FacetFilter | FacetFilterSpec> | undefined): [string, FacetFilter][] {
  return Object.entries(map ?? {}).map(([name, spec]) => [name, filterFromSpec(spec)]);
}

/** Several post filters: all must match (the shape elasticsearch-dsl gives Invenio). */
function combine(queries: Query[]): Query {
  return queries.length === 1 ? (queries[0] as Query) : { bool: { must: queries } };
}

/** Invenio's propagation wrapper: the aggregation under every selected post filter except its own. */
function propagated(agg: Aggregation, name: string, postQueries: [string, Query][]): Aggregation {
  const others = postQueries.filter(([other]) => other !== name).map(([, q]) => q);
  return { filter: { bool: { must: others } }, aggs: { filtered: agg } };
}
