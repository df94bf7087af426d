import { FieldError, PreconditionFailedError, PreconditionRequiredError, SameContentError } from '@recordkit/rest-errors';
import { EntityTag, EntityTagList, matchEntityTagList } from './entity-tag.js';
import { type HeadersInput, joinFieldLines, readHeader, trimOws } from './headers.js';
import { HttpDate } from './http-date.js';

/** The parts of a request that preconditions read. */
export interface ConditionalRequest {
  /** The request method. Compared case-insensitively; `undefined` (Node's type allows it) counts as GET. */
  method: string | undefined;
  /** Request headers: Node's `req.headers`, a Fetch `Headers`, or a plain object. */
  headers: HeadersInput;
}

/** The current state of the target resource, as the server knows it before acting on the request. */
export interface ResourceState {
  /**
   * The ETag of the selected representation, as sent in the `ETag` header (`'"3"'`, an {@link EntityTag},
   * or {@link revisionETag}'s result). For a write, the representation its response would have.
   */
  etag?: EntityTag | string | undefined;
  /** When the selected representation last changed (`Last-Modified`); compared at second precision. */
  lastModified?: Date | number | string | HttpDate | undefined;
  /** Whether the resource has a current representation. Default `true`; `false` for a PUT that would create it. */
  exists?: boolean;
  /**
   * Headers a 200 response would carry. A 304 repeats the ones RFC 9110 §15.4.5 keeps (see
   * {@link notModifiedHeaders}); pass `Cache-Control`, `Vary`, ... here.
   */
  headers?: HeadersInput;
}

/** Options of {@link evaluatePreconditions}. */
export interface PreconditionOptions {
  /**
   * RFC 6585 §3: answer 428 Precondition Required to an unsafe method (anything but GET, HEAD, OPTIONS,
   * TRACE) that carries no lost-update precondition: `If-Match`, a valid `If-Unmodified-Since` on a
   * resource with a modification date, or `If-None-Match: *`. Default `false`.
   */
  requirePrecondition?: boolean;
}

/** The request header that decided a conditional request. */
export type PreconditionHeader = 'If-Match' | 'If-None-Match' | 'If-Modified-Since' | 'If-Unmodified-Since';

/**
 * The outcome of {@link evaluatePreconditions}: go on with the method, or stop with the error to send
 * (a 304 {@link SameContentError}, a 412 {@link PreconditionFailedError} or a 428
 * {@link PreconditionRequiredError} from `@recordkit/rest-errors`).
 */
export type PreconditionResult =
  | { readonly proceed: true }
  | {
      readonly proceed: false;
      readonly status: 304;
      readonly error: SameContentError;
      readonly decidedBy: 'If-None-Match' | 'If-Modified-Since';
    }
  | {
      readonly proceed: false;
      readonly status: 412;
      readonly error: PreconditionFailedError;
      readonly decidedBy: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match';
    }
  | { readonly proceed: false; readonly status: 428; readonly error: PreconditionRequiredError; readonly decidedBy: 'policy' };

const PROCEED: PreconditionResult = Object.freeze({ proceed: true });
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The fields a 304 keeps (RFC 9110 §15.4.5), by lower-case name, with the spelling we send. */
const NOT_MODIFIED_FIELDS: ReadonlyMap<string, string> = new Map([
  ['cache-control', 'Cache-Control'],
  ['content-location', 'Content-Location'],
  ['date', 'Date'],
  ['etag', 'ETag'],
  ['expires', 'Expires'],
  ['vary', 'Vary'],
]);

/**
 * The headers of a 304 Not Modified built from the headers of the 200 it stands for: `Cache-Control`,
 * `Content-Location`, `Date`, `ETag`, `Expires` and `Vary` (RFC 9110 §15.4.5), and nothing else, so
 * no `Content-Type`, `Content-Length` or `Last-Modified`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5 RFC 9110 §15.4.5 304 Not Modified
 * @example
 * notModifiedHeaders({ 'content-type': 'application/json', etag: '"3"', vary: 'Accept' });
 * // { ETag: '"3"', Vary: 'Accept' }
 */
export function notModifiedHeaders(headers: HeadersInput): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [lower, name] of NOT_MODIFIED_FIELDS) {
    const value = readHeader(headers, lower);
    if (value !== undefined) kept[name] = joinFieldLines(value);
  }
  return kept;
}

/** A field value that takes part in evaluation: `undefined` when absent or empty. */
function present(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = trimOws(joinFieldLines(value));
  return text === '' ? undefined : text;
}

/**
 * Evaluate the conditional headers of a request against the current state of its target resource, in
 * the order of RFC 9110 §13.2.2:
 *
 * 1. `If-Match` (strong comparison): false gives 412. `*` holds when the resource exists; a malformed
 *    list never matches.
 * 2. Otherwise `If-Unmodified-Since` (ignored when invalid or without `lastModified`): modified after
 *    the date gives 412.
 * 3. `If-None-Match` (weak comparison): a match (or `*` on an existing resource) gives 304 for GET and
 *    HEAD, 412 for every other method, so `If-None-Match: *` makes a PUT create-only.
 * 4. Otherwise, for GET and HEAD only, `If-Modified-Since` (ignored when invalid or without
 *    `lastModified`): not modified since the date gives 304.
 * 5. Otherwise proceed.
 *
 * Call it after the resource is resolved and the client is allowed to see it (a 404 or 403 wins over a
 * precondition, RFC 9110 §13.2.1). Malformed request headers never throw; bad `resource` values
 * (an unquoted ETag, an invalid date) are programming errors and throw `TypeError` / `RangeError`.
 * `If-Range` is not evaluated (no ranges are served). Dates compare at second precision.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.2.2 RFC 9110 §13.2.2 Precedence of Preconditions
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-3 RFC 6585 §3 428 Precondition Required
 * @example
 * const result = evaluatePreconditions(
 *   { method: req.method, headers: req.headers },
 *   { etag: revisionETag(record.revision), lastModified: record.updated, headers: { 'Cache-Control': 'no-cache' } },
 * );
 * if (!result.proceed) throw result.error; // 304, 412 or 428, rendered by @recordkit/rest-errors
 */
export function evaluatePreconditions(
  request: ConditionalRequest,
  resource: ResourceState = {},
  options: PreconditionOptions = {},
): PreconditionResult {
  const headers = request.headers;
  const ifMatch = present(readHeader(headers, 'if-match'));
  const ifNoneMatch = present(readHeader(headers, 'if-none-match'));
  const ifModifiedSinceField = readHeader(headers, 'if-modified-since');
  const ifUnmodifiedSinceField = readHeader(headers, 'if-unmodified-since');
  const require = options.requirePrecondition === true;
  if (!require && ifMatch === undefined && ifNoneMatch === undefined && ifModifiedSinceField === undefined && !ifUnmodifiedSinceField) {
    return PROCEED;
  }

  const method = request.method === undefined ? 'GET' : request.method.toUpperCase();
  const getOrHead = method === 'GET' || method === 'HEAD';
  const exists = resource.exists !== false;
  const etag = exists && resource.etag !== undefined ? EntityTag.from(resource.etag) : undefined;
  const lastModified = exists && resource.lastModified !== undefined ? HttpDate.from(resource.lastModified).time : undefined;
  // RFC 9110 §13.1.4: If-Unmodified-Since is ignored beside If-Match, when invalid, or without a date to compare.
  const ifUnmodifiedSince = ifMatch === undefined && lastModified !== undefined ? HttpDate.parse(ifUnmodifiedSinceField) : undefined;

  if (require && !SAFE_METHODS.has(method) && ifMatch === undefined && ifUnmodifiedSince === undefined && ifNoneMatch !== '*') {
    return { proceed: false, status: 428, error: preconditionRequired(method, exists, lastModified !== undefined), decidedBy: 'policy' };
  }

  // Step 1: If-Match.
  if (ifMatch !== undefined) {
    const reason = ifMatchFailure(ifMatch, etag, exists);
    if (reason) return failed('If-Match', reason[0], reason[1]);
  } else if (ifUnmodifiedSince !== undefined && lastModified !== undefined && lastModified > ifUnmodifiedSince.time) {
    // Step 2: If-Unmodified-Since.
    return failed('If-Unmodified-Since', `The resource has been modified since ${ifUnmodifiedSince.toString()}.`, 'modified');
  }

  // Step 3: If-None-Match.
  if (ifNoneMatch !== undefined) {
    const any = ifNoneMatch === '*';
    const matched = any ? exists : etag !== undefined && matchEntityTagList(ifNoneMatch, etag, false) === 'match';
    if (!matched) return PROCEED;
    if (getOrHead) return { proceed: false, status: 304, error: notModified(etag, resource.headers), decidedBy: 'If-None-Match' };
    return any
      ? failed('If-None-Match', 'The resource already exists, and "If-None-Match: *" allows this request only when it does not.', 'exists')
      : failed('If-None-Match', 'The current entity tag of the resource is listed in If-None-Match.', 'matched');
  }

  // Step 4: If-Modified-Since, for GET and HEAD only, ignored when invalid or without a date to compare.
  if (getOrHead && lastModified !== undefined && ifModifiedSinceField !== undefined) {
    const ifModifiedSince = HttpDate.parse(ifModifiedSinceField);
    if (ifModifiedSince !== undefined && lastModified <= ifModifiedSince.time) {
      return { proceed: false, status: 304, error: notModified(etag, resource.headers), decidedBy: 'If-Modified-Since' };
    }
  }
  return PROCEED;
}

/** Why If-Match is false, as [message, code], or undefined when it holds. */
function ifMatchFailure(field: string, etag: EntityTag | undefined, exists: boolean): [string, string] | undefined {
  if (field === '*') return exists ? undefined : ['The resource does not exist, and "If-Match: *" requires that it does.', 'not_found'];
  const result =
    etag === undefined ? (EntityTagList.parse(field)?.valid === false ? 'malformed' : 'no-match') : matchEntityTagList(field, etag, true);
  if (result === 'match') return undefined;
  if (result === 'malformed') return ['The value is not "*" nor a comma-separated list of quoted entity-tags.', 'malformed'];
  if (!exists) return ['The resource does not exist, so no entity tag can match.', 'not_found'];
  if (etag === undefined) return ['The resource has no entity tag to compare with.', 'no_etag'];
  return [
    `None of the listed entity tags is the current one, ${etag.toString()} (strong comparison: weak W/ tags never match).`,
    'mismatch',
  ];
}

function failed(header: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match', reason: string, code: string): PreconditionResult {
  const error = new PreconditionFailedError(`Precondition failed: ${header}. ${reason}`, {
    errors: [new FieldError(header, reason, code)],
  });
  return { proceed: false, status: 412, error, decidedBy: header };
}

function notModified(etag: EntityTag | undefined, responseHeaders: HeadersInput | undefined): SameContentError {
  const headers = responseHeaders ? notModifiedHeaders(responseHeaders) : {};
  if (etag) headers.ETag = etag.toString();
  const error = new SameContentError(headers);
  // SameContentError adds Invenio's `Cache-Control: no-cache`; a 304 must not say more than its 200 would.
  if (headers['Cache-Control'] === undefined) delete error.headers['Cache-Control'];
  return error;
}

function preconditionRequired(method: string, exists: boolean, hasDate: boolean): PreconditionRequiredError {
  if (!exists) {
    const reason = 'Send "If-None-Match: *" so that the request creates the resource only if it does not exist yet.';
    return new PreconditionRequiredError(`This ${method} request must be conditional. ${reason}`, {
      errors: [new FieldError('If-None-Match', reason, 'required')],
    });
  }
  const reason = `Send If-Match with the ETag of the current representation${
    hasDate ? ' (or If-Unmodified-Since with its Last-Modified date)' : ''
  } so that the request cannot overwrite a change made by someone else.`;
  return new PreconditionRequiredError(`This ${method} request must be conditional. ${reason}`, {
    errors: [new FieldError('If-Match', reason, 'required')],
  });
}
