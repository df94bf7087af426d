import { FieldError, isRestError, type RestError, ValidationError } from '@recordkit/rest-errors';
import { CursorCodec, CursorError, type CursorPayload, searchFingerprint } from './cursor.js';
import type { Aggregation, FieldValue, Query, SearchBody, SortClause, SourceFilter } from './dsl.js';
import { buildSearchUrl, encodeSearchParams, type SearchLinks } from './links.js';
import { type Pagination, type PaginationOptions, pageParams, readPagination } from './pagination.js';
import { buildQuery, hasQueryText, type QueryOptions } from './query.js';

/**
 * What the builder needs from a facets provider. `@recordkit/facets-sort`'s `createFacets()` returns one;
 * any object of this shape works.
 */
export interface FacetsProvider {
  /** The URL parameters it reads (accepted in strict mode). */
  readonly parameterNames: readonly string[];
  /** Filters, post filter and aggregations for a request; throws a 400 RestError for bad values. */
  apply(params: URLSearchParams): {
    filter: Query[];
    postFilter?: Query;
    aggs?: Record<string, Aggregation>;
    /** The parameters used, to carry into links. */
    params: [string, string][];
  };
}

/**
 * What the builder needs from a sort provider. `@recordkit/facets-sort`'s `createSorter()` returns one;
 * any object of this shape works.
 */
export interface SortProvider {
  /** The URL parameters it reads (accepted in strict mode). */
  readonly parameterNames: readonly string[];
  /** Sort clauses for a request; throws a 400 RestError for an unknown option. */
  resolve(
    params: URLSearchParams,
    context: { hasQuery: boolean },
  ): {
    sort: SortClause[];
    /** The `sort` value to put in links, when an option applied. */
    param?: string;
    /** Other parameters it read, to carry into links. */
    params: [string, string][];
  };
}

/** Deep pagination past the result window with opaque cursors (Elasticsearch `search_after`). */
export interface CursorOptions {
  /**
   * A field with a unique value per document (e.g. the record id as a `keyword`), appended to every sort
   * so that pages never overlap or skip hits.
   */
  tiebreaker: string;
  /** Key that signs cursors; the same in every process serving the endpoint. Random per process when absent. */
  secret?: string | Uint8Array;
  /** Cursors older than this are refused with a 400 (default: no limit). */
  maxAgeSeconds?: number;
}

/**
 * The configuration of one search endpoint's request parsing: the one object this package is configured with.
 *
 * @example
 * const config: QueryBuilderConfig = { maxResultWindow: 10000, maxSize: 100, query: { defaultOperator: 'AND' }, strict: true };
 */
export interface QueryBuilderConfig extends PaginationOptions {
  /** How `q` becomes a query. */
  query?: QueryOptions;
  /** Facet filters and aggregations (e.g. `createFacets()` from `@recordkit/facets-sort`). */
  facets?: FacetsProvider;
  /** Sort options (e.g. `createSorter()` from `@recordkit/facets-sort`). */
  sort?: SortProvider;
  /** Enables the `cursor` parameter and `next` links past the result window. */
  cursor?: CursorOptions;
  /** Answer 400 to query parameters no part of the search reads, listing the accepted ones. */
  strict?: boolean;
  /** Parameters the endpoint reads itself (e.g. `format`): accepted in strict mode and kept in links. */
  extraParams?: string[];
  /** `track_total_hits` (default `true`, as Invenio sends). */
  trackTotalHits?: boolean | number;
  /** `_source` filtering of the hits, when set. */
  source?: SourceFilter;
}

/** A validated search request: what was asked, and the Elasticsearch request body for it. */
export interface SearchRequest {
  /** `q` as sent (`''` for `q=`), or `undefined` when absent. */
  q: string | undefined;
  /** True when `q` has something to search for. */
  hasQuery: boolean;
  pagination: Pagination;
  /** The `sort` value applied (`key` or `-key`, explicit or default), when one applied. */
  sort: string | undefined;
  /** The request body to send to the search engine. */
  body: SearchBody;
  /** The parameters carried into links, pagination aside, in order. */
  linkParams: [string, string][];
  /** The cursor read from the request, in cursor mode. */
  cursor?: CursorPayload;
  /** Identifies the query, filters and sort, for cursors (computed on first read). */
  readonly fingerprint: string;
}

/** What the search engine answered, as far as links need it. */
export interface SearchResultInfo {
  /** The URL of the search endpoint; its query string is ignored. */
  baseUrl: string | URL;
  /** Total hits (`hits.total.value`). */
  total: number;
  /** The sort values of the last hit on the page (`hits.hits.at(-1).sort`); enables a cursor `next` link. */
  lastSort?: FieldValue[];
}

/** Options of one {@link QueryBuilder.parse} call. */
export interface ParseOptions {
  /** Extra filters the caller adds (e.g. access control); they narrow hits and aggregations. */
  filter?: Query[];
}

/** Parses search requests of one endpoint. Made by {@link createQueryBuilder}. */
export interface QueryBuilder {
  /** Every query parameter the endpoint reads (the list strict mode accepts). */
  readonly parameterNames: readonly string[];
  /**
   * Validate a request's query parameters and build its search body. Every problem is a 400 from
   * `@recordkit/rest-errors` with one field error per parameter; when several parameters are wrong at
   * once, one `ValidationError` lists them all.
   */
  parse(params: URLSearchParams | string, options?: ParseOptions): SearchRequest;
  /** The `self`, `prev`, `next`, `first` and `last` links for a page of results. */
  links(request: SearchRequest, result: SearchResultInfo): SearchLinks;
}

const CORE_PARAMETERS = ['q', 'page', 'from', 'size'];

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new TypeError(`${name} must be a positive integer`);
}

/**
 * Create the request parser of a search endpoint: `q`, `page`/`from`/`size`, `sort`, facet parameters
 * and `cursor` in, a validated {@link SearchRequest} with its Elasticsearch body out, then links for the
 * response. Configuration errors throw a `TypeError` here.
 *
 * @example
 * import { createFacets, createSorter, termsFilter } from '@recordkit/facets-sort';
 *
 * const builder = createQueryBuilder({
 *   query: { defaultOperator: 'AND' },
 *   facets: createFacets({ aggs: { type: { terms: { field: 'type' } } }, postFilters: { type: termsFilter('type') } }),
 *   sort: createSorter({ options: { newest: { fields: ['-created'] } }, default: { noquery: 'newest' } }),
 * });
 * const request = builder.parse(new URLSearchParams('q=open&type=article&size=20'));
 * const result = await client.search({ index: 'records', ...request.body });
 * const links = builder.links(request, { baseUrl: 'https://example.org/records/', total: result.hits.total.value });
 */
export function createQueryBuilder(config: QueryBuilderConfig = {}): QueryBuilder {
  positiveInteger('defaultSize', config.defaultSize);
  positiveInteger('maxSize', config.maxSize);
  positiveInteger('maxResultWindow', config.maxResultWindow);
  const window = config.maxResultWindow ?? 10000;
  const defaultSize = config.defaultSize ?? 10;
  if (defaultSize > window || (config.maxSize !== undefined && defaultSize > config.maxSize)) {
    throw new TypeError('defaultSize must not be larger than maxSize or maxResultWindow');
  }
  if (config.cursor && !config.cursor.tiebreaker) throw new TypeError('cursor.tiebreaker must name a unique field');
  const codec = config.cursor ? new CursorCodec(config.cursor) : undefined;
  const cursorParams = codec ? ['cursor'] : [];
  const parameterNames = Object.freeze([
    ...new Set([
      ...CORE_PARAMETERS,
      ...cursorParams,
      ...(config.sort?.parameterNames ?? []),
      ...(config.facets?.parameterNames ?? []),
      ...(config.extraParams ?? []),
    ]),
  ]);
  const accepted = new Set(parameterNames);
  const pagination: PaginationOptions = { defaultSize, maxResultWindow: window };
  if (config.maxSize !== undefined) pagination.maxSize = config.maxSize;

  return {
    parameterNames,
    parse(input, options = {}) {
      const params = typeof input === 'string' ? new URLSearchParams(input) : input;
      const errors: RestError[] = [];
      const attempt = <T>(fn: () => T): T | undefined => {
        try {
          return fn();
        } catch (error) {
          if (!isRestError(error) || error.status !== 400) throw error;
          errors.push(error);
          return undefined;
        }
      };

      if (config.strict) {
        const unknown = [...new Set(params.keys())].filter((name) => !accepted.has(name));
        if (unknown.length) {
          const message = `Unknown query parameter. Accepted parameters: ${parameterNames.join(', ')}.`;
          errors.push(
            new ValidationError(
              unknown.map((name) => new FieldError(name, message, 'unknown_parameter')),
              'Unknown query parameters.',
            ),
          );
        }
      }
      const q = params.get('q') ?? undefined;
      const hasQuery = hasQueryText(q);
      const query = attempt(() => buildQuery(q, config.query));
      const paging = readPagination(params, pagination, codec !== undefined);
      if (paging.error) errors.push(paging.error);
      const facets = config.facets ? attempt(() => config.facets?.apply(params)) : undefined;
      const sorted = config.sort ? attempt(() => config.sort?.resolve(params, { hasQuery })) : undefined;

      const sort = sorted?.sort ? [...sorted.sort] : [];
      if (config.cursor) {
        const { tiebreaker } = config.cursor;
        if (!sort.length && hasQuery) sort.push({ _score: { order: 'desc' } });
        if (!sort.some((clause) => Object.hasOwn(clause, tiebreaker))) sort.push({ [tiebreaker]: { order: 'asc' } });
      }
      // Hashed only when a cursor is read or made: most requests never need it.
      let fingerprint: string | undefined;
      const fingerprintOf = () =>
        (fingerprint ??= searchFingerprint([
          q ?? null,
          sorted?.param ?? null,
          (facets?.params ?? [])
            .filter(([name]) => name !== 'facets')
            .map((p) => JSON.stringify(p))
            .sort(),
          sorted?.params ?? [],
        ]));

      let cursor: CursorPayload | undefined;
      if (codec && paging.pagination?.mode === 'cursor' && !errors.length) {
        try {
          cursor = codec.decode(paging.pagination.cursor ?? '', { fingerprint: fingerprintOf() });
          if (cursor.values.length !== sort.length) throw new CursorError('stale');
        } catch (error) {
          if (!(error instanceof CursorError)) throw error;
          errors.push(new ValidationError([new FieldError('cursor', error.message, `cursor_${error.problem}`)]));
        }
      }

      if (errors.length === 1) throw errors[0];
      if (errors.length) {
        const all = errors.flatMap((e) => (e.errors.length ? [...e.errors] : [new FieldError('', e.message, String(e.code))]));
        throw new ValidationError(all, 'Invalid search parameters.');
      }
      const page = paging.pagination as Pagination;

      const filters = [...(facets?.filter ?? []), ...(options.filter ?? [])];
      const base = query ?? { match_all: {} };
      const body: SearchBody = {
        query: filters.length ? { bool: 'match_all' in base ? { filter: filters } : { must: [base], filter: filters } } : base,
        ...(cursor ? {} : { from: page.fromIndex }),
        size: page.size,
      };
      if (sort.length) body.sort = sort;
      if (cursor) {
        body.search_after = cursor.values;
        page.fromIndex = cursor.position;
        page.toIndex = cursor.position + page.size;
      }
      if (facets?.aggs) body.aggs = facets.aggs;
      if (facets?.postFilter) body.post_filter = facets.postFilter;
      body.track_total_hits = config.trackTotalHits ?? true;
      if (config.source !== undefined) body._source = config.source;

      const linkParams: [string, string][] = [...(facets?.params ?? [])];
      if (sorted?.param) linkParams.push(['sort', sorted.param]);
      linkParams.push(...(sorted?.params ?? []));
      if (q !== undefined) linkParams.push(['q', q]);
      for (const name of config.extraParams ?? []) for (const value of params.getAll(name)) linkParams.push([name, value]);

      const request: SearchRequest = {
        q,
        hasQuery,
        pagination: page,
        sort: sorted?.param,
        body,
        linkParams,
        get fingerprint() {
          return fingerprintOf();
        },
      };
      if (cursor) request.cursor = cursor;
      return request;
    },

    links(request, result) {
      const { pagination: page } = request;
      const rel = pageParams(page, result.total, window);
      const shared = buildSearchUrl(result.baseUrl, [...request.linkParams, ['size', String(page.size)]]);
      const url = (paging: [string, string][]) => `${shared}&${encodeSearchParams(paging)}`;
      const links: SearchLinks = { self: url(rel.self) };
      if (rel.prev) links.prev = url(rel.prev);
      let next = rel.next;
      // Past the window (or already in cursor mode), hits that remain are reached with a cursor.
      if (!next && codec && result.lastSort && page.toIndex < result.total) {
        const sortLength = request.body.sort?.length ?? 0;
        if (result.lastSort.length !== sortLength) {
          throw new TypeError(`lastSort has ${result.lastSort.length} values but the search sorts on ${sortLength} clauses`);
        }
        const token = codec.encode({
          values: result.lastSort,
          position: page.toIndex,
          fingerprint: request.fingerprint,
          issuedAt: Math.floor(Date.now() / 1000),
        });
        next = [['cursor', token]];
      }
      if (next) links.next = url(next);
      if (rel.first) links.first = url(rel.first);
      if (rel.last) links.last = url(rel.last);
      return links;
    },
  };
}
