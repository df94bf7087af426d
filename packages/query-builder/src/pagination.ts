import { FieldError, MaxResultWindowError, PaginationError, type RestError } from '@recordkit/rest-errors';

/** Limits of page-based pagination. */
export interface PaginationOptions {
  /** `size` when the request has none (Invenio's `RECORDS_REST_DEFAULT_RESULTS_SIZE`, 10). */
  defaultSize?: number;
  /** Largest `size` a client may ask for; without it only the result window bounds `size`. */
  maxSize?: number;
  /** Largest `from + size` (Invenio's `max_result_window`, 10000). Cursors go past it. */
  maxResultWindow?: number;
}

/** Where a page starts and ends, however it was asked for. */
export interface Pagination {
  /** `page` (the default), `from` (1-based) or `cursor`. */
  mode: 'page' | 'from' | 'cursor';
  size: number;
  /** The page number, in `page` mode. */
  page?: number;
  /** The cursor as sent, in `cursor` mode. */
  cursor?: string;
  /** 0-based index of the first hit (Invenio's `from_idx`). */
  fromIndex: number;
  /** Index after the last hit (Invenio's `to_idx`): `fromIndex + size`. */
  toIndex: number;
  /** True when the client sent `page`, `from` or `cursor`. */
  explicit: boolean;
}

/** The pagination parameters, in link order. */
export type PaginationParams = [string, string][];

const NOT_INTEGER = 'Not a valid integer.';
const AT_LEAST_ONE = 'Must be greater than or equal to 1.';

function readInteger(params: URLSearchParams, name: string, errors: FieldError[], max?: number): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    errors.push(new FieldError(name, NOT_INTEGER, 'invalid_integer'));
    return undefined;
  }
  const value = Number(text);
  if (value < 1) {
    errors.push(new FieldError(name, AT_LEAST_ONE, 'out_of_range'));
    return undefined;
  }
  if (max !== undefined && value > max) {
    errors.push(new FieldError(name, `Must be less than or equal to ${max}.`, 'out_of_range'));
    return undefined;
  }
  return value;
}

/**
 * Read `page` or `from` (1-based), `size` and `cursor`, as Invenio's `use_paginate_args` does, and check
 * `from + size` against the result window. Returns the pagination, or the 400 to answer: a
 * `PaginationError` with one field error per bad parameter ("Not a valid integer.", "Must be greater than
 * or equal to 1.", page and from together), or a `MaxResultWindowError` ("Maximum number of 10000 results
 * have been reached.") naming the parameter that went past it.
 *
 * @example
 * readPagination(new URLSearchParams('page=3&size=20'));
 * // { pagination: { mode: 'page', page: 3, size: 20, fromIndex: 40, toIndex: 60, explicit: true } }
 */
export function readPagination(
  params: URLSearchParams,
  options: PaginationOptions = {},
  cursors = false,
): { pagination: Pagination; error?: undefined } | { pagination?: undefined; error: RestError } {
  const defaultSize = options.defaultSize ?? 10;
  const window = options.maxResultWindow ?? 10000;
  const errors: FieldError[] = [];
  const page = readInteger(params, 'page', errors);
  const from = readInteger(params, 'from', errors);
  const size = readInteger(params, 'size', errors, options.maxSize) ?? defaultSize;
  const cursor = cursors ? params.get('cursor') || null : null; // `cursor=` (empty) is the first page
  if (errors.length) return { error: new PaginationError(errors) };

  const both = (a: string, b: string) => {
    const message = `The query parameters ${a} and ${b} must not be used at the same time.`;
    return { error: new PaginationError([new FieldError(a, message, 'exclusive'), new FieldError(b, message, 'exclusive')]) };
  };
  if (page !== undefined && from !== undefined) return both('from', 'page');
  if (cursor !== null && (page !== undefined || from !== undefined)) return both('cursor', page !== undefined ? 'page' : 'from');

  if (cursor !== null) {
    if (size > window) return { error: new MaxResultWindowError(window, 'size') };
    return { pagination: { mode: 'cursor', size, cursor, fromIndex: 0, toIndex: size, explicit: true } };
  }
  const pagination: Pagination =
    from !== undefined
      ? { mode: 'from', size, fromIndex: from - 1, toIndex: from - 1 + size, explicit: true }
      : {
          mode: 'page',
          size,
          page: page ?? 1,
          fromIndex: ((page ?? 1) - 1) * size,
          toIndex: (page ?? 1) * size,
          explicit: page !== undefined,
        };
  if (pagination.toIndex > window) {
    return { error: new MaxResultWindowError(window, from !== undefined ? 'from' : page !== undefined ? 'page' : 'size') };
  }
  return { pagination };
}

/** The pagination parameters of the neighbouring pages, by link relation. */
export interface PageParams {
  self: PaginationParams;
  prev?: PaginationParams;
  next?: PaginationParams;
  first?: PaginationParams;
  last?: PaginationParams;
}

/**
 * The pagination parameters of `self`, `prev`, `next`, `first` and `last` for a page of a result with
 * `total` hits (Invenio's rules: `prev` when the page does not start at the first hit; `next` while hits
 * remain inside the window). Every page a link points to fits in the window, so following a link never
 * gives a 400; `last` is left out when the last page is past the window. In `cursor` mode only `self`
 * and `first` are known here; the caller adds `next` from the last hit's sort values.
 *
 * @example
 * pageParams({ mode: 'page', page: 2, size: 10, fromIndex: 10, toIndex: 20, explicit: true }, 35, 10000);
 * // { self: [['page','2']], prev: [['page','1']], next: [['page','3']], first: [['page','1']], last: [['page','4']] }
 */
export function pageParams(pagination: Pagination, total: number, window: number): PageParams {
  const { size, fromIndex, toIndex } = pagination;
  if (pagination.mode === 'cursor') return { self: [['cursor', pagination.cursor ?? '']], first: [['page', '1']] };
  const reachable = Math.min(total, window);
  const nextFits = toIndex < reachable && toIndex + size <= window;
  if (pagination.mode === 'from') {
    const from = fromIndex + 1;
    const out: PageParams = { self: [['from', String(from)]], first: [['from', '1']] };
    if (fromIndex >= 1) out.prev = [['from', String(Math.max(1, from - size))]];
    if (nextFits) out.next = [['from', String(from + size)]];
    if (total <= window) out.last = [['from', String(Math.max(1, total - size + 1))]];
    return out;
  }
  const page = pagination.page ?? 1;
  const out: PageParams = { self: [['page', String(page)]], first: [['page', '1']] };
  if (fromIndex >= 1) out.prev = [['page', String(page - 1)]];
  if (nextFits) out.next = [['page', String(page + 1)]];
  const lastPage = Math.max(1, Math.ceil(total / size));
  if (total <= window && lastPage * size <= window) out.last = [['page', String(lastPage)]];
  return out;
}
