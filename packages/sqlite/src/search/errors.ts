// The engine's two kinds of client error: a value it cannot use (400 naming the request path of the
// value and the reason), and a clause it does not implement (400 naming the clause). Both are thrown
// while the request is compiled, before any SQL runs.

import { FieldError, InvalidQuerySyntaxError, NotFoundError, UnsupportedSearchFeatureError, ValidationError } from '@recordkit/rest-errors';

/** 400: the value at `path` of the search request (e.g. `query.range.year.gte`) cannot be used. */
export function invalid(path: string, reason: string): never {
  throw new ValidationError([new FieldError(path, reason, 'invalid_search_request')], 'Invalid search request.');
}

/** 400: `clause` (e.g. `query.fuzzy` or `aggs.by_type.top_hits`) is outside the embedded engine's subset. */
export function unsupported(clause: string, reason?: string): never {
  throw new UnsupportedSearchFeatureError(
    clause,
    `Unsupported search feature: ${clause}.${reason ? ` ${reason}` : ''} The embedded SQLite engine executes a documented subset of the Elasticsearch DSL.`,
  );
}

/** 400 for a `query_string` / `simple_query_string` text that cannot be parsed or used. */
export function querySyntax(query: string, reason: string, position?: number): never {
  throw new InvalidQuerySyntaxError(position === undefined ? { query, reason } : { query, reason, position });
}

/** 404: the index does not exist (Elasticsearch's `index_not_found_exception`). */
export function indexNotFound(index: string): never {
  throw new NotFoundError(`No such index [${index}].`);
}

/** Path helper: `at('query.bool', 'must', 0)` gives `query.bool.must.0`. */
export function at(path: string, ...segments: (string | number)[]): string {
  return [path, ...segments.map(String)].filter((s) => s !== '').join('.');
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The single key of a one-key object such as `{ term: {...} }`, or a 400 naming `path`. */
export function singleKey(value: unknown, path: string, what: string): [string, unknown] {
  if (!isObject(value)) invalid(path, `Expected ${what} as an object.`);
  const keys = Object.keys(value);
  if (keys.length !== 1) invalid(path, `Expected ${what} with exactly one key; got ${keys.length === 0 ? 'none' : keys.join(', ')}.`);
  const key = keys[0]!;
  return [key, value[key]];
}

/** Reject keys of `value` outside `allowed`; each unknown option is an unsupported clause. */
export function checkKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) unsupported(at(path, key));
  }
}

/** A finite number or a 400. */
export function number(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  invalid(path, `Expected a number; got ${JSON.stringify(value)}.`);
}

/** A non-negative integer or a 400. */
export function nonNegativeInteger(value: unknown, path: string): number {
  const n = number(value, path);
  if (!Number.isInteger(n) || n < 0) invalid(path, `Expected a non-negative integer; got ${JSON.stringify(value)}.`);
  return n;
}

/** A string or a 400. */
export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, `Expected a string; got ${JSON.stringify(value)}.`);
  return value;
}

/** A boolean (or `"true"`/`"false"`) or a 400. */
export function boolean(value: unknown, path: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  invalid(path, `Expected true or false; got ${JSON.stringify(value)}.`);
}
