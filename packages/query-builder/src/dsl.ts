// Minimal types for the part of the Elasticsearch request DSL RecordKit emits and the embedded engine
// executes. Each package that emits DSL keeps its own copy of these types (no package re-exports
// another's API); they are structural, so the copies are interchangeable, and `dsl.test-d.ts` proves
// them assignable to `@elastic/elasticsearch`'s `estypes`.

/** A scalar a document field can hold; what `term`, `terms` and sort values carry. */
export type FieldValue = string | number | boolean | null;

/** `asc` or `desc`. */
export type SortOrder = 'asc' | 'desc';

/** `bool` query: every clause list also accepts a single clause, as Elasticsearch does. */
export interface BoolQuery {
  must?: Query | Query[];
  filter?: Query | Query[];
  should?: Query | Query[];
  must_not?: Query | Query[];
  minimum_should_match?: number | string;
  boost?: number;
  _name?: string;
}

/** Bounds and options of one field in a `range` query. */
export interface RangeQuery {
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
  format?: string;
  time_zone?: string;
  relation?: 'intersects' | 'contains' | 'within';
  boost?: number;
}

/** `query_string`: Lucene syntax, parsed by the search engine. */
export interface QueryStringQuery {
  query: string;
  default_operator?: 'AND' | 'OR';
  fields?: string[];
  default_field?: string;
  lenient?: boolean;
  analyze_wildcard?: boolean;
  allow_leading_wildcard?: boolean;
  boost?: number;
}

/** `simple_query_string`: a forgiving syntax that never fails to parse. */
export interface SimpleQueryStringQuery {
  query: string;
  default_operator?: 'AND' | 'OR';
  fields?: string[];
  lenient?: boolean;
  boost?: number;
}

/** One field of a `match` query in its long form. */
export interface MatchQuery {
  query: string | number | boolean;
  operator?: 'AND' | 'OR';
  boost?: number;
}

/** `multi_match` over several fields. */
export interface MultiMatchQuery {
  query: string;
  fields?: string[];
  operator?: 'AND' | 'OR';
  type?: 'best_fields' | 'most_fields' | 'cross_fields' | 'phrase' | 'phrase_prefix' | 'bool_prefix';
  boost?: number;
}

/** A query clause (Elasticsearch query DSL), limited to the clauses RecordKit's engines execute. */
export type Query =
  | { match_all: { boost?: number } }
  | { match_none: Record<string, never> }
  | { query_string: QueryStringQuery }
  | { simple_query_string: SimpleQueryStringQuery }
  | { match: Record<string, string | number | boolean | MatchQuery> }
  | { multi_match: MultiMatchQuery }
  | { term: Record<string, FieldValue | { value: FieldValue; boost?: number; case_insensitive?: boolean }> }
  | { terms: Record<string, FieldValue[]> }
  | { range: Record<string, RangeQuery> }
  | { exists: { field: string } }
  | { prefix: Record<string, string | { value: string; case_insensitive?: boolean }> }
  | { wildcard: Record<string, string | { value: string; case_insensitive?: boolean }> }
  | { ids: { values: string[] } }
  | { bool: BoolQuery }
  | { nested: { path: string; query: Query; score_mode?: 'avg' | 'max' | 'min' | 'none' | 'sum'; ignore_unmapped?: boolean } };

/** One bucket of a `range` aggregation: `from` inclusive, `to` exclusive. */
export interface AggregationRange {
  key?: string;
  from?: number;
  to?: number;
}

/** One bucket of a `date_range` aggregation; bounds are dates or date math (`now-1y/y`). */
export interface DateAggregationRange {
  key?: string;
  from?: string | number;
  to?: string | number;
}

/** A `date_histogram` calendar interval. */
export type CalendarInterval =
  | 'second'
  | '1s'
  | 'minute'
  | '1m'
  | 'hour'
  | '1h'
  | 'day'
  | '1d'
  | 'week'
  | '1w'
  | 'month'
  | '1M'
  | 'quarter'
  | '1q'
  | 'year'
  | '1y';

/** The body of one aggregation, without sub-aggregations. */
export type AggregationBody =
  | {
      terms: {
        field: string;
        size?: number;
        min_doc_count?: number;
        missing?: string | number | boolean;
        order?: Record<string, SortOrder> | Record<string, SortOrder>[];
        include?: string | string[];
        exclude?: string | string[];
      };
    }
  | { range: { field: string; ranges: AggregationRange[]; keyed?: boolean } }
  | { date_range: { field: string; ranges: DateAggregationRange[]; format?: string; time_zone?: string; keyed?: boolean } }
  | { histogram: { field: string; interval: number; min_doc_count?: number; offset?: number } }
  | {
      date_histogram: {
        field: string;
        calendar_interval?: CalendarInterval;
        fixed_interval?: string;
        format?: string;
        time_zone?: string;
        min_doc_count?: number;
      };
    }
  | { filter: Query }
  | { filters: { filters: Record<string, Query> | Query[]; other_bucket?: boolean; other_bucket_key?: string } }
  | { nested: { path: string } }
  | { min: { field: string; missing?: number } }
  | { max: { field: string; missing?: number } }
  | { avg: { field: string; missing?: number } }
  | { sum: { field: string; missing?: number } }
  | { value_count: { field: string } }
  | { cardinality: { field: string; precision_threshold?: number } };

/** An aggregation with optional sub-aggregations (Elasticsearch aggregation DSL). */
export type Aggregation = AggregationBody & { aggs?: Record<string, Aggregation>; meta?: Record<string, unknown> };

/** Options of one field in a sort clause. */
export interface FieldSort {
  order?: SortOrder;
  mode?: 'min' | 'max' | 'sum' | 'avg' | 'median';
  missing?: '_first' | '_last' | string | number;
  unmapped_type?: string;
  format?: string;
  nested?: { path: string; filter?: Query };
}

/** `_geo_distance` sort options; the point field is the one key not listed here. */
export type GeoDistanceSort = {
  order?: SortOrder;
  unit?: 'in' | 'ft' | 'yd' | 'mi' | 'nmi' | 'km' | 'm' | 'cm' | 'mm';
  mode?: 'min' | 'max' | 'sum' | 'avg' | 'median';
  distance_type?: 'arc' | 'plane';
  ignore_unmapped?: boolean;
} & { [field: string]: string | string[] | boolean };

/** One sort clause: `{ field: { order } }`, `{ _score: { order } }` or `{ _geo_distance: {...} }`. */
export type SortClause = { _geo_distance: GeoDistanceSort } | Record<string, FieldSort>;

/** `_source` filtering: `false`, a list of fields, or includes and excludes. */
export type SourceFilter = boolean | string[] | { includes?: string[]; excludes?: string[] };

/** A search request body (Elasticsearch request DSL), as emitted by the query builder. */
export interface SearchBody {
  query: Query;
  from?: number;
  size: number;
  sort?: SortClause[];
  aggs?: Record<string, Aggregation>;
  post_filter?: Query;
  track_total_hits?: boolean | number;
  search_after?: FieldValue[];
  _source?: SourceFilter;
}
