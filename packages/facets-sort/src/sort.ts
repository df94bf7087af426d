import { FieldError, ValidationError } from '@recordkit/rest-errors';
import type { FieldSort, GeoDistanceSort, SortClause, SortOrder } from './dsl.js';

/** What a sort field function is told besides the direction. */
export interface SortFieldContext {
  /** The request's URL parameters (e.g. the point a distance sort measures from). */
  params: URLSearchParams;
}

/** A sort field computed per request; `parameters` names the URL parameters it reads. */
export interface SortFieldFunction {
  (ascending: boolean, context: SortFieldContext): SortClause;
  readonly parameters?: readonly string[];
}

/**
 * One field of a sort option (Invenio's three forms):
 * - `'field'` ascending or `'-field'` descending, inverted when the client asks for `-key`. `'_score'`
 *   means best match first (descending); `'-_score'` worst first.
 * - a clause such as `{ price: { order: 'asc', mode: 'avg' } }`, used as is, with its `order` reversed for `-key`;
 * - a function of the direction (`true` for ascending) returning a clause.
 */
export type SortField = string | SortClause | SortFieldFunction;

/** One sort option, chosen with `?sort=key` or `?sort=-key` (Invenio's `RECORDS_REST_SORT_OPTIONS[index][key]`). */
export interface SortOption {
  fields: SortField[];
  /** Shown by UIs and the options view; defaults to the key. */
  title?: string;
  /** The direction a UI offers first; metadata only, the sorter does not read it. Defaults to `asc`. */
  defaultOrder?: SortOrder;
  /** Position in UIs and the options view (ascending). */
  order?: number;
}

/** Sort options of one index. */
export interface SortConfig {
  options?: Record<string, SortOption>;
  /** The option (optionally `-key`) used without `?sort=`, with and without a query (Invenio's `RECORDS_REST_DEFAULT_SORT`). */
  default?: { query?: string; noquery?: string };
  /**
   * An unknown `?sort=` key: `error` (the default) answers 400 listing the valid keys; `ignore` applies no
   * sort and leaves `sort` out of the links, as Invenio does.
   */
  onUnknown?: 'error' | 'ignore';
}

/** What {@link Sorter.resolve} adds to a search request. */
export interface SortResult {
  /** The sort clauses, empty when no option applies. */
  sort: SortClause[];
  /** The `sort` value for links (`key` or `-key`, explicit or default); absent when no option applied. */
  param?: string;
  /** Other URL parameters the sort read (e.g. a distance sort's point), to carry into links. */
  params: [string, string][];
}

/** How one sort option shows itself to a UI or an options view. */
export interface SortOptionInfo {
  key: string;
  title: string;
  defaultOrder: SortOrder;
  order: number | undefined;
}

/** The sort options of one index, ready to apply to requests. Made by {@link createSorter}. */
export interface Sorter {
  /** The URL parameters the sorter reads: `sort`, and those its sort functions declare. */
  readonly parameterNames: readonly string[];
  /**
   * The sort clauses for a request's `?sort=` (or the default for `hasQuery`). Throws a 400
   * `ValidationError` naming `sort` for an unknown key unless configured to ignore it.
   */
  resolve(params: URLSearchParams, context: { hasQuery: boolean }): SortResult;
  /** The options, ordered by `order` (options without one last, in configuration order). */
  describe(): SortOptionInfo[];
}

/**
 * The URL parameter that chooses the sort option.
 *
 * @example
 * new URLSearchParams({ [SORT_PARAMETER]: '-newest' }).toString(); // 'sort=-newest'
 */
export const SORT_PARAMETER = 'sort';

/** Split `-key` into `['key', false]` and `key` into `['key', true]`. */
function parseDirection(value: string): [string, boolean] {
  return value.startsWith('-') ? [value.slice(1), false] : [value, true];
}

const flip = (order: SortOrder | undefined, natural: SortOrder): SortOrder => ((order ?? natural) === 'asc' ? 'desc' : 'asc');

/**
 * One sort field in the requested direction (see {@link SortField} for the three forms).
 *
 * @example
 * evalSortField('-year', true);  // { year: { order: 'desc' } }
 * evalSortField('-year', false); // { year: { order: 'asc' } }
 * evalSortField('_score', true); // { _score: { order: 'desc' } }: best match first
 */
export function evalSortField(
  field: SortField,
  ascending: boolean,
  context: SortFieldContext = { params: new URLSearchParams() },
): SortClause {
  if (typeof field === 'function') return field(ascending, context);
  if (typeof field === 'string') {
    const [name, fieldAscending] = parseDirection(field);
    // Relevance reads naturally as "best first", which is descending; Invenio's `_score` sorts worst first.
    const natural = name === '_score' ? !fieldAscending : fieldAscending;
    return { [name]: { order: natural === ascending ? 'asc' : 'desc' } };
  }
  const copy = structuredClone(field) as Record<string, FieldSort | GeoDistanceSort>;
  if (!ascending) {
    for (const [name, options] of Object.entries(copy))
      options.order = flip(options.order as SortOrder | undefined, name === '_score' ? 'desc' : 'asc');
  }
  return copy as SortClause;
}

/**
 * Compile sort options. An unknown default key or an option without fields throws a `TypeError` here.
 *
 * @example
 * const sorter = createSorter({
 *   options: {
 *     bestmatch: { fields: ['_score'], title: 'Best match', defaultOrder: 'desc', order: 1 },
 *     mostrecent: { fields: ['-_created'], title: 'Most recent', order: 2 },
 *   },
 *   default: { query: 'bestmatch', noquery: 'mostrecent' },
 * });
 * sorter.resolve(new URLSearchParams('sort=-mostrecent'), { hasQuery: false });
 * // { sort: [{ _created: { order: 'asc' } }], param: '-mostrecent', params: [] }
 */
export function createSorter(config: SortConfig = {}): Sorter {
  const options = new Map(Object.entries(config.options ?? {}));
  for (const [key, option] of options) {
    if (key === '' || key.startsWith('-')) throw new TypeError(`Sort option key "${key}" must be non-empty and not start with "-"`);
    if (!Array.isArray(option.fields) || !option.fields.length) throw new TypeError(`Sort option "${key}" has no fields`);
  }
  for (const which of ['query', 'noquery'] as const) {
    const value = config.default?.[which];
    if (value && !options.has(parseDirection(value)[0])) throw new TypeError(`Default sort "${value}" (${which}) is not a sort option`);
  }
  const extra = new Set<string>();
  for (const option of options.values()) {
    for (const field of option.fields) if (typeof field === 'function') for (const p of field.parameters ?? []) extra.add(p);
  }
  const parameterNames = Object.freeze([SORT_PARAMETER, ...extra]);

  return {
    parameterNames,
    resolve(params, { hasQuery }) {
      const requested = params.get(SORT_PARAMETER) ?? '';
      const value = requested || (config.default?.[hasQuery ? 'query' : 'noquery'] ?? '');
      if (!value) return { sort: [], params: [] };
      const [key, ascending] = parseDirection(value);
      const option = options.get(key);
      if (!option) {
        if (config.onUnknown === 'ignore') return { sort: [], params: [] };
        const valid = [...options.keys()];
        const list = valid.length ? `Valid options: ${valid.join(', ')} (prefix "-" to reverse).` : 'This endpoint has no sort options.';
        throw new ValidationError([new FieldError(SORT_PARAMETER, `Invalid sort option "${key}". ${list}`, 'invalid_sort')]);
      }
      const context = { params };
      const used: [string, string][] = [];
      for (const name of extra) for (const v of params.getAll(name)) used.push([name, v]);
      return { sort: option.fields.map((field) => evalSortField(field, ascending, context)), param: value, params: used };
    },
    describe() {
      const list = [...options].map(([key, option], index) => ({ key, option, index }));
      list.sort((a, b) => (a.option.order ?? Number.POSITIVE_INFINITY) - (b.option.order ?? Number.POSITIVE_INFINITY) || a.index - b.index);
      return list.map(({ key, option }) => ({
        key,
        title: option.title ?? key,
        defaultOrder: option.defaultOrder ?? 'asc',
        order: option.order,
      }));
    },
  };
}

/**
 * A sort field ordering by distance from the point(s) in a URL parameter (Invenio's `geolocation_sort`):
 * `?pin=lat,lon` or `?pin=<geohash>`, repeatable. Elasticsearch only; the embedded engine has no geo sort.
 *
 * @example
 * const byDistance = geoDistanceSort('location', 'pin', 'km', { mode: 'avg' });
 * byDistance(true, { params: new URLSearchParams('pin=10,20') });
 * // { _geo_distance: { location: ['10,20'], order: 'asc', unit: 'km', mode: 'avg' } }
 */
export function geoDistanceSort(
  field: string,
  parameter: string,
  unit: NonNullable<GeoDistanceSort['unit']>,
  options: { mode?: GeoDistanceSort['mode']; distanceType?: GeoDistanceSort['distance_type'] } = {},
): SortFieldFunction {
  const fn = (ascending: boolean, context: SortFieldContext): SortClause => {
    const sort: GeoDistanceSort = { [field]: context.params.getAll(parameter), order: ascending ? 'asc' : 'desc', unit };
    if (options.mode) sort.mode = options.mode;
    if (options.distanceType) sort.distance_type = options.distanceType;
    return { _geo_distance: sort };
  };
  return Object.assign(fn, { parameters: Object.freeze([parameter]) });
}
