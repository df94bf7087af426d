export type {
  CursorOptions,
  FacetsProvider,
  ParseOptions,
  QueryBuilder,
  QueryBuilderConfig,
  SearchRequest,
  SearchResultInfo,
  SortProvider,
} from './builder.js';
export { createQueryBuilder } from './builder.js';
export type { CursorPayload, CursorProblem } from './cursor.js';
export { CursorCodec, CursorError, MAX_CURSOR_LENGTH, searchFingerprint } from './cursor.js';
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
  SearchBody,
  SimpleQueryStringQuery,
  SortClause,
  SortOrder,
  SourceFilter,
} from './dsl.js';
export type { SearchLinks } from './links.js';
export { buildSearchUrl, encodeSearchParams, formatLinkHeader } from './links.js';
export type { PageParams, Pagination, PaginationOptions, PaginationParams } from './pagination.js';
export { pageParams, readPagination } from './pagination.js';
export type { QueryOptions } from './query.js';
export { buildQuery, hasQueryText } from './query.js';
export type {
  Clause,
  Conjunction,
  ExistsNode,
  FieldRef,
  GroupNode,
  MatchAllNode,
  Modifier,
  Occurrence,
  ParseQueryStringOptions,
  PhraseNode,
  QueryNode,
  RangeNode,
  RegexpNode,
  Span,
  TermNode,
} from './query-parser.js';
export { clauseOccurrences, escapeQueryText, parseQueryString, QuerySyntaxError, unescapeQueryText } from './query-parser.js';
