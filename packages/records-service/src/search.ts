import { FieldError, MaxResultWindowError, PaginationError } from '@recordkit/rest-errors';
import type { BuiltSearch, ResolvedEndpoint, SearchFactory } from './config.js';
import type { JsonObject, SearchRequest } from './ports.js';

/**
 * Parse `page`, `from` and `size` the way Invenio's `use_paginate_args` does, with its messages.
 * @example
 * parsePagination(new URLSearchParams('page=2&size=20'), endpoint); // { page: 2, size: 20, fromIndex: 20 }
 */
export function parsePagination(
  params: URLSearchParams,
  config: Pick<ResolvedEndpoint, 'defaultResultsSize' | 'maxResultsSize' | 'maxResultWindow'>,
): { page?: number; from?: number; size: number; fromIndex: number } {
  const errors: FieldError[] = [];
  const read = (name: string): number | undefined => {
    const values = params.getAll(name);
    if (values.length === 0) return undefined;
    if (values.length > 1 && new Set(values).size > 1) {
      errors.push(new FieldError(name, `Give ${name} once.`, 'repeated'));
      return undefined;
    }
    const text = values[0]!.trim();
    if (!/^[+-]?\d+$/.test(text)) {
      errors.push(new FieldError(name, 'Not a valid integer.', 'invalid'));
      return undefined;
    }
    const value = Number(text);
    if (value < 1) {
      errors.push(new FieldError(name, 'Must be greater than or equal to 1.', 'min'));
      return undefined;
    }
    return value;
  };
  const page = read('page');
  const from = read('from');
  const size = read('size') ?? config.defaultResultsSize;
  if (size > config.maxResultsSize) errors.push(new FieldError('size', `Must be less than or equal to ${config.maxResultsSize}.`, 'max'));
  if (page !== undefined && from !== undefined) {
    errors.push(new FieldError('querystring', 'The query parameters from and page must not be used at the same time.', 'exclusive'));
  }
  if (errors.length > 0) throw new PaginationError(errors);
  const fromIndex = from !== undefined ? from - 1 : ((page ?? 1) - 1) * size;
  if (!Number.isSafeInteger(fromIndex + size) || fromIndex + size > config.maxResultWindow) {
    throw new MaxResultWindowError(config.maxResultWindow, from !== undefined ? 'from' : 'page');
  }
  return from !== undefined ? { from, size, fromIndex } : { page: page ?? 1, size, fromIndex };
}

/**
 * The built-in search factory: `q` as an Elasticsearch `query_string` (match_all when absent or empty),
 * Invenio's pagination. Replace it per endpoint with `searchFactory` (e.g. `@recordkit/query-builder`
 * with facets and sort options).
 *
 * @example
 * { searchFactory: (ctx) => { const built = ctx.defaultFactory(ctx); ... return built; } }
 */
export const basicSearchFactory: SearchFactory = ({ params, config }): BuiltSearch => {
  const { page, from, size, fromIndex } = parsePagination(params, config);
  const q = params.get('q');
  const query: JsonObject = q && q.trim() !== '' ? { query_string: { query: q } } : { match_all: {} };
  const urlArgs = new URLSearchParams();
  if (q !== null) urlArgs.set('q', q);
  const request: SearchRequest = { query, from: fromIndex, size, track_total_hits: true };
  const built: BuiltSearch = { request, urlArgs, size };
  if (page !== undefined) built.page = page;
  if (from !== undefined) built.from = from;
  return built;
};

/**
 * AND a permission filter into a search request (hits, totals and aggregations all see it).
 * @example
 * withFilter({ query: { match_all: {} } }, { term: { access: 'public' } });
 * // { query: { bool: { must: [{ match_all: {} }], filter: [{ term: { access: 'public' } }] } } }
 */
export function withFilter(request: SearchRequest, filter: JsonObject | undefined): SearchRequest {
  if (filter === undefined) return request;
  const query = request.query ?? { match_all: {} };
  return { ...request, query: { bool: { must: [query], filter: [filter] } } };
}

/**
 * Invenio's search links: self, prev (when not on the first item), next (when more results are reachable).
 * @example
 * searchLinks('https://x/records/', built, 42, 10000); // { self: '...?size=10&page=1', next: '...?size=10&page=2' }
 */
export function searchLinks(listUrl: string, built: BuiltSearch, total: number, maxResultWindow: number): Record<string, string> {
  const link = (page: { page?: number; from?: number }) => {
    const args = new URLSearchParams(built.urlArgs);
    args.set('size', String(built.size));
    if (page.page !== undefined) args.set('page', String(page.page));
    if (page.from !== undefined) args.set('from', String(page.from));
    return `${listUrl}?${args.toString()}`;
  };
  const fromIndex = built.from !== undefined ? built.from - 1 : ((built.page ?? 1) - 1) * built.size;
  const toIndex = fromIndex + built.size;
  const links: Record<string, string> = {};
  if (built.from !== undefined) {
    links.self = link({ from: built.from });
    if (fromIndex >= 1) links.prev = link({ from: Math.max(1, built.from - built.size) });
    if (toIndex < Math.min(total, maxResultWindow)) links.next = link({ from: built.from + built.size });
  } else {
    const page = built.page ?? 1;
    links.self = link({ page });
    if (fromIndex >= 1) links.prev = link({ page: page - 1 });
    if (toIndex < Math.min(total, maxResultWindow)) links.next = link({ page: page + 1 });
  }
  return links;
}
