// Reading header fields from what each stack hands over: Node's IncomingHttpHeaders / OutgoingHttpHeaders
// (Express, Fastify, Koa), a Fetch `Headers` (Hono, undici), or a plain object written by hand.

/**
 * Header fields as the common Node.js stacks expose them: a Fetch `Headers` object, or a plain object
 * such as Node's `req.headers` (lower-case names; values are strings, string arrays or numbers).
 * Names in a plain object are matched case-insensitively.
 */
export type HeadersInput = Headers | { readonly [name: string]: string | readonly string[] | number | undefined | null };

function isFetchHeaders(headers: HeadersInput): headers is Headers {
  return typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function';
}

/**
 * The raw value of a header field, or `undefined` when it is absent. `name` must be lower case.
 * Repeated fields stay an array (Node) or come joined by `, ` (Fetch).
 */
export function readHeader(headers: HeadersInput, name: string): string | readonly string[] | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const direct = headers[name];
  if (direct !== undefined && direct !== null) return typeof direct === 'number' ? String(direct) : direct;
  // Node lower-cases names; a hand-written object may not. Only then is the slower scan needed.
  for (const key in headers) {
    if (key.length !== name.length || key === name || key.toLowerCase() !== name) continue;
    const value = headers[key];
    if (value !== undefined && value !== null) return typeof value === 'number' ? String(value) : value;
  }
  return undefined;
}

/** The raw values of the four precondition fields of a request. */
export interface ConditionalFields {
  ifMatch: string | readonly string[] | undefined;
  ifNoneMatch: string | readonly string[] | undefined;
  ifModifiedSince: string | readonly string[] | undefined;
  ifUnmodifiedSince: string | readonly string[] | undefined;
}

type FieldValue = string | readonly string[] | number | undefined | null;
const fieldValue = (value: FieldValue): string | readonly string[] | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'number' ? String(value) : value;

/**
 * Read If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since at once. For a plain object,
 * lower-case names are looked up directly, and one pass over the keys finds other spellings: cheaper
 * than four case-insensitive lookups on the common request that has none of them.
 */
export function readConditionalFields(headers: HeadersInput): ConditionalFields {
  if (isFetchHeaders(headers)) {
    return {
      ifMatch: headers.get('if-match') ?? undefined,
      ifNoneMatch: headers.get('if-none-match') ?? undefined,
      ifModifiedSince: headers.get('if-modified-since') ?? undefined,
      ifUnmodifiedSince: headers.get('if-unmodified-since') ?? undefined,
    };
  }
  const fields: ConditionalFields = {
    ifMatch: fieldValue(headers['if-match']),
    ifNoneMatch: fieldValue(headers['if-none-match']),
    ifModifiedSince: fieldValue(headers['if-modified-since']),
    ifUnmodifiedSince: fieldValue(headers['if-unmodified-since']),
  };
  for (const key in headers) {
    // Only names of 8 to 19 characters starting with i or I, and not already lower case, can be missed above.
    if (key.length < 8 || key.length > 19 || (key.charCodeAt(0) | 0x20) !== 0x69) continue;
    const lower = key.toLowerCase();
    if (lower === key) continue;
    if (lower === 'if-match') fields.ifMatch ??= fieldValue(headers[key]);
    else if (lower === 'if-none-match') fields.ifNoneMatch ??= fieldValue(headers[key]);
    else if (lower === 'if-modified-since') fields.ifModifiedSince ??= fieldValue(headers[key]);
    else if (lower === 'if-unmodified-since') fields.ifUnmodifiedSince ??= fieldValue(headers[key]);
  }
  return fields;
}

/** A field value as one string: repeated lines joined by `, ` (RFC 9110 §5.3). */
export function joinFieldLines(value: string | readonly string[]): string {
  return typeof value === 'string' ? value : value.join(', ');
}

/** Optional whitespace (RFC 9110 §5.6.3): SP and HTAB. */
export function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The value without leading and trailing OWS. */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}
