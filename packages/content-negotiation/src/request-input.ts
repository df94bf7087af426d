// Reading one header or one query parameter from whatever a framework hands over, so the core never
// needs to know which framework it runs in.
import { FieldError, ValidationError } from '@recordkit/rest-errors';

/**
 * Request headers: a Fetch `Headers` (Hono, `Request.headers`) or anything with a `get(name)` method, or
 * a plain object such as `node:http`'s `IncomingHttpHeaders` (Express, Fastify, Koa). Plain-object keys
 * are looked up in lower case first, then case-insensitively (field names are case-insensitive,
 * RFC 9110 §5.1); repeated fields given as an array are joined with `, ` (RFC 9110 §5.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.3 RFC 9110 §5.3 Field Order
 * @example
 * const headers: HeadersInput = req.headers; // or new Headers({ accept: 'application/json' })
 */
export type HeadersInput =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * Query parameters: a `URLSearchParams`, a raw query string (with or without the leading `?`, or a whole
 * request target such as `/records?format=json`), or a parsed object whose values are strings or arrays
 * of strings (Express's `req.query`, Fastify's `request.query`, Koa's `ctx.query`).
 *
 * @example
 * const query: QueryInput = new URL(req.url, 'http://localhost').searchParams; // or 'format=xml', or req.query
 */
export type QueryInput = URLSearchParams | string | Readonly<Record<string, unknown>>;

/** One header's value; repeated headers are joined with `, ` as RFC 9110 §5.3 allows for list fields. */
export function readHeader(headers: HeadersInput | null | undefined, name: string): string | undefined {
  if (headers == null) return undefined;
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, unknown>>;
  let value = record[name];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * The single value of a query parameter, `undefined` when absent. Several different values, or a value
 * that is not a string (`?format[a]=b` parsed by `qs`), are a 400 naming the parameter.
 */
export function readQueryValue(query: QueryInput | null | undefined, name: string): string | undefined {
  if (query == null) return undefined;
  let values: readonly unknown[];
  if (typeof query === 'string') {
    const mark = query.indexOf('?');
    values = new URLSearchParams(mark === -1 ? query : query.slice(mark + 1)).getAll(name);
  } else if (query instanceof URLSearchParams) {
    values = query.getAll(name);
  } else {
    if (!Object.hasOwn(query, name)) return undefined;
    const value = query[name];
    values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  }
  if (values.length === 0) return undefined;
  const first = values[0];
  for (const value of values) {
    if (typeof value !== 'string') {
      throw new ValidationError([new FieldError(name, `The ${name} parameter must be a single name, not a structured value.`)]);
    }
    if (value !== first) {
      throw new ValidationError([new FieldError(name, `The ${name} parameter was given ${values.length} different values; give it once.`)]);
    }
  }
  return first as string;
}
