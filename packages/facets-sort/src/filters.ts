import { FieldError, ValidationError } from '@recordkit/rest-errors';
import type { Query, RangeQuery } from './dsl.js';

/** What a {@link FacetFilter} is told besides the values: the URL parameter (facet) it serves. */
export interface FacetFilterContext {
  /** The facet's URL parameter name, e.g. `type` for `?type=article`. Bad values are reported under it. */
  name: string;
}

/** How a filter built by {@link termsFilter}, {@link rangeFilter} or {@link nestedFilter} describes itself. */
export interface FacetFilterInfo {
  type: 'terms' | 'range' | 'nested';
  field: string;
  subfield?: string;
}

/**
 * Turns the values selected for one facet (`?type=a&type=b` gives `['a', 'b']`) into a filter query.
 * Several values of one facet are ORed by the query it returns. A bad value throws a 400
 * (`ValidationError` from `@recordkit/rest-errors`) whose field error names the facet.
 */
export interface FacetFilter {
  (values: readonly string[], context: FacetFilterContext): Query;
  /** Set by the built-in helpers; shown by `Facets.describe()`. */
  readonly info?: FacetFilterInfo;
}

/** A filter written as data (for JSON or YAML configuration), turned into a {@link FacetFilter} by {@link filterFromSpec}. */
export type FacetFilterSpec =
  | { type: 'terms'; field: string }
  | ({ type: 'range'; field: string } & RangeFilterOptions)
  | { type: 'nested'; field: string; subfield: string };

function withInfo(fn: (values: readonly string[], context: FacetFilterContext) => Query, info: FacetFilterInfo): FacetFilter {
  return Object.assign(fn, { info });
}

const invalid = (context: FacetFilterContext, message: string): never => {
  throw new ValidationError([new FieldError(context.name, message, 'invalid_facet_value')]);
};

/**
 * A filter matching documents whose `field` holds any of the selected values: `{ terms: { field: values } }`
 * (Invenio's `terms_filter`).
 *
 * @example
 * termsFilter('type')(['article', 'book'], { name: 'type' });
 * // { terms: { type: ['article', 'book'] } }
 */
export function termsFilter(field: string): FacetFilter {
  return withInfo((values) => ({ terms: { [field]: [...values] } }), { type: 'terms', field });
}

/** Options of {@link rangeFilter}: date math appended to each side, extra `range` parameters, and a value check. */
export interface RangeFilterOptions {
  /** Date math appended to the start as `value||math`, e.g. `/d` (Invenio's `start_date_math`). */
  startDateMath?: string;
  /** Date math appended to the end, e.g. `+1y/y`. */
  endDateMath?: string;
  /** Passed through to the `range` query. */
  format?: string;
  /** Passed through to the `range` query. */
  time_zone?: string;
  /** Passed through to the `range` query (range fields only). */
  relation?: 'intersects' | 'contains' | 'within';
  /** Passed through to the `range` query. */
  boost?: number;
  /**
   * What a bound must look like; anything else is a 400 naming the facet. Without it any non-empty text is
   * accepted (as Invenio does) and the search engine judges it.
   * `number`: a decimal number. `date`: `YYYY[-MM[-DD[Thh:mm[:ss[.fff]][zone]]]]`, epoch milliseconds, or
   * (when no date math option is set) `now` with date math such as `now-1y/y`.
   */
  valueType?: 'number' | 'date' | ((bound: string) => boolean);
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^(?:\d{4}(?:-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?|\d+)$/;
const DATE_MATH = /^now(?:[+-]\d+[yMwdhHms]|\/[yMwdhHms])*$/;

function boundIsValid(bound: string, options: RangeFilterOptions): boolean {
  const check = options.valueType;
  if (check === undefined) return true;
  if (typeof check === 'function') return check(bound);
  if (check === 'number') return NUMBER.test(bound);
  const math = options.startDateMath !== undefined || options.endDateMath !== undefined;
  return DATE.test(bound) || (!math && DATE_MATH.test(bound));
}

/**
 * Parse one value of Invenio's range syntax into the bounds of a `range` query:
 * `a--b` (a <= x <= b), `>a--<b` (a < x < b), `a--` (x >= a), `--b` (x <= b); `>` may start the lower bound,
 * `<` the upper one. Returns the error message instead when the value is not in that syntax.
 *
 * @example
 * parseRangeValue('>2000--2010'); // { gt: '2000', lte: '2010' }
 * parseRangeValue('2010');        // 'Invalid range format.'
 */
export function parseRangeValue(value: string, options: RangeFilterOptions = {}): RangeQuery | string {
  const parts = value.split('--');
  if (parts.length !== 2 || value === '--') return 'Invalid range format.';
  const bounds: RangeQuery = {};
  const sides = [
    { text: parts[0] as string, strict: '>', key: ['gt', 'gte'], math: options.startDateMath },
    { text: parts[1] as string, strict: '<', key: ['lt', 'lte'], math: options.endDateMath },
  ] as const;
  for (const side of sides) {
    if (side.text === '') continue;
    const exclusive = side.text.startsWith(side.strict);
    const bound = exclusive ? side.text.slice(1) : side.text;
    if (bound === '') return 'Invalid range format.';
    if (!boundIsValid(bound, options)) return `Invalid range bound "${bound}".`;
    bounds[exclusive ? side.key[0] : side.key[1]] = side.math === undefined ? bound : `${bound}||${side.math}`;
  }
  return bounds;
}

/**
 * A filter matching documents whose `field` lies in any of the selected ranges (Invenio's `range_filter`,
 * see {@link parseRangeValue} for the syntax). One value gives a `range` query, several a `bool.should`
 * of them. A value not in the syntax is a 400 whose field error names the facet.
 *
 * @example
 * rangeFilter('year')(['2000--2010'], { name: 'year' });
 * // { range: { year: { gte: '2000', lte: '2010' } } }
 * rangeFilter('created', { startDateMath: '/d', valueType: 'date' })(['2020-01-01--'], { name: 'created' });
 * // { range: { created: { gte: '2020-01-01||/d' } } }
 */
export function rangeFilter(field: string, options: RangeFilterOptions = {}): FacetFilter {
  const { startDateMath: _s, endDateMath: _e, valueType: _v, ...extra } = options;
  return withInfo(
    (values, context) => {
      if (!values.length) return { match_none: {} };
      const queries: Query[] = values.map((value) => {
        const bounds = parseRangeValue(value, options);
        return typeof bounds === 'string' ? invalid(context, bounds) : { range: { [field]: { ...extra, ...bounds } } };
      });
      return queries.length === 1 ? (queries[0] as Query) : { bool: { should: queries } };
    },
    { type: 'range', field },
  );
}

/**
 * A filter for two-level values (Invenio's `nested_filter`): `parent::child` matches documents with
 * `field = parent` and `subfield = child`; a plain `parent` matches `field = parent`. Plain values are grouped
 * into one `terms` query; several queries are ORed with `bool.should`. Only the first `::` splits, so the
 * child may itself contain `::`. An empty parent or child is a 400 naming the facet.
 *
 * @example
 * nestedFilter('type', 'subtype')(['publication::article', 'dataset'], { name: 'type' });
 * // { bool: { should: [
 * //   { bool: { must: [{ term: { type: 'publication' } }, { term: { subtype: 'article' } }] } },
 * //   { terms: { type: ['dataset'] } } ] } }
 */
export function nestedFilter(field: string, subfield: string): FacetFilter {
  return withInfo(
    (values, context) => {
      if (!values.length) return { match_none: {} };
      const queries: Query[] = [];
      const plain: string[] = [];
      for (const value of values) {
        const at = value.indexOf('::');
        if (at === -1) {
          plain.push(value);
          continue;
        }
        const parent = value.slice(0, at);
        const child = value.slice(at + 2);
        if (parent === '' || child === '') invalid(context, `Invalid value "${value}": expected "parent::child".`);
        queries.push({ bool: { must: [{ term: { [field]: parent } }, { term: { [subfield]: child } }] } });
      }
      if (plain.length) queries.push({ terms: { [field]: plain } });
      return queries.length === 1 ? (queries[0] as Query) : { bool: { should: queries } };
    },
    { type: 'nested', field, subfield },
  );
}

/**
 * Turn a filter written as data into a {@link FacetFilter}; a function is returned unchanged.
 *
 * @example
 * filterFromSpec({ type: 'range', field: 'year', valueType: 'number' });
 */
export function filterFromSpec(spec: FacetFilter | FacetFilterSpec): FacetFilter {
  if (typeof spec === 'function') return spec;
  switch (spec.type) {
    case 'terms':
      return termsFilter(spec.field);
    case 'nested':
      return nestedFilter(spec.field, spec.subfield);
    case 'range': {
      const { type: _t, field, ...options } = spec;
      return rangeFilter(field, options);
    }
    default:
      throw new TypeError(`Unknown facet filter type: ${JSON.stringify((spec as { type?: unknown }).type)}`);
  }
}
