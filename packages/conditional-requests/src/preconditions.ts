import { FieldError, PreconditionFailedError, PreconditionRequiredError, type RestError, SameContentError } from '@recordkit/rest-errors';
import { EntityTag, EntityTagList, isEntityTag, matchEntityTagList } from './entity-tag.js';
import { type HeadersInput, joinFieldLines, readConditionalFields, readHeader, trimOws } from './headers.js';
import { formatHttpDate, type HttpDate, httpDateTime, parseHttpDate } from './http-date.js';

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
  const fields = readConditionalFields(request.headers);
  const ifMatch = present(fields.ifMatch);
  const ifNoneMatch = present(fields.ifNoneMatch);
  const require = options.requirePrecondition === true;
  if (
    !require &&
    ifMatch === undefined &&
    ifNoneMatch === undefined &&
    fields.ifModifiedSince === undefined &&
    fields.ifUnmodifiedSince === undefined
  ) {
    return PROCEED;
  }

  const raw = request.method ?? 'GET';
  const method = raw === 'GET' || raw === 'HEAD' ? raw : raw.toUpperCase();
  const getOrHead = method === 'GET' || method === 'HEAD';
  const exists = resource.exists !== false;
  const etag = exists ? resourceETag(resource.etag) : undefined;
  const lastModified = exists && resource.lastModified !== undefined ? httpDateTime(resource.lastModified) : undefined;
  // RFC 9110 §13.1.4: If-Unmodified-Since is ignored beside If-Match, when invalid, or without a date to compare.
  const ifUnmodifiedSince = ifMatch === undefined && lastModified !== undefined ? dateField(fields.ifUnmodifiedSince) : Number.NaN;

  if (require && !SAFE_METHODS.has(method) && ifMatch === undefined && Number.isNaN(ifUnmodifiedSince) && ifNoneMatch !== '*') {
    return new Required(method, exists, lastModified !== undefined);
  }

  // Step 1: If-Match.
  if (ifMatch !== undefined) {
    const reason = ifMatchFailure(ifMatch, etag, exists);
    if (reason) return new Failed('If-Match', reason[0], reason[1]);
  } else if (lastModified !== undefined && lastModified > ifUnmodifiedSince) {
    // Step 2: If-Unmodified-Since (a NaN date compares false: ignored).
    const date = formatHttpDate(ifUnmodifiedSince);
    return new Failed('If-Unmodified-Since', `The resource has been modified since ${date}.`, 'modified');
  }

  // Step 3: If-None-Match.
  if (ifNoneMatch !== undefined) {
    const any = ifNoneMatch === '*';
    const matched = any ? exists : etag !== undefined && matchEntityTagList(ifNoneMatch, etag, false) === 'match';
    if (!matched) return PROCEED;
    if (getOrHead) return new NotModified('If-None-Match', etag, resource.headers);
    return any
      ? new Failed(
          'If-None-Match',
          'The resource already exists, and "If-None-Match: *" allows this request only when it does not.',
          'exists',
        )
      : new Failed('If-None-Match', 'The current entity tag of the resource is listed in If-None-Match.', 'matched');
  }

  // Step 4: If-Modified-Since, for GET and HEAD only, ignored when invalid or without a date to compare.
  if (
    getOrHead &&
    lastModified !== undefined &&
    fields.ifModifiedSince !== undefined &&
    lastModified <= dateField(fields.ifModifiedSince)
  ) {
    return new NotModified('If-Modified-Since', etag, resource.headers);
  }
  return PROCEED;
}

/** The resource's ETag as well-formed header text, or undefined. */
function resourceETag(etag: EntityTag | string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  if (typeof etag !== 'string') return etag.toString();
  if (isEntityTag(etag)) return etag;
  return EntityTag.from(etag).toString(); // trims whitespace, or throws TypeError for a malformed tag
}

/** An HTTP-date field as epoch milliseconds; NaN when absent, invalid, or a list of dates. */
function dateField(value: string | readonly string[] | undefined): number {
  const text = typeof value === 'string' ? value : value?.length === 1 ? value[0] : undefined;
  return text === undefined ? Number.NaN : parseHttpDate(trimOws(text));
}

/**
 * A refusal whose error is built on first access: a server that writes the 304 from `status` and
 * {@link notModifiedHeaders} never pays for an Error and its stack trace.
 */
abstract class Refusal<E extends RestError> {
  readonly proceed = false;
  #error: E | undefined;

  protected abstract build(): E;

  get error(): E {
    this.#error ??= this.build();
    return this.#error;
  }
}

class NotModified extends Refusal<SameContentError> {
  readonly status = 304;
  readonly decidedBy: 'If-None-Match' | 'If-Modified-Since';
  readonly #etag: string | undefined;
  readonly #headers: HeadersInput | undefined;

  constructor(decidedBy: 'If-None-Match' | 'If-Modified-Since', etag: string | undefined, headers: HeadersInput | undefined) {
    super();
    this.decidedBy = decidedBy;
    this.#etag = etag;
    this.#headers = headers;
  }

  protected build(): SameContentError {
    const headers = this.#headers ? notModifiedHeaders(this.#headers) : {};
    if (this.#etag) headers.ETag = this.#etag;
    const error = new SameContentError(headers);
    // SameContentError adds Invenio's `Cache-Control: no-cache`; a 304 must not say more than its 200 would.
    if (headers['Cache-Control'] === undefined) delete error.headers['Cache-Control'];
    return error;
  }
}

class Failed extends Refusal<PreconditionFailedError> {
  readonly status = 412;
  readonly decidedBy: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match';
  readonly #reason: string;
  readonly #code: string;

  constructor(decidedBy: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match', reason: string, code: string) {
    super();
    this.decidedBy = decidedBy;
    this.#reason = reason;
    this.#code = code;
  }

  protected build(): PreconditionFailedError {
    const header = this.decidedBy;
    return new PreconditionFailedError(`Precondition failed: ${header}. ${this.#reason}`, {
      errors: [new FieldError(header, this.#reason, this.#code)],
    });
  }
}

class Required extends Refusal<PreconditionRequiredError> {
  readonly status = 428;
  readonly decidedBy = 'policy';
  readonly #method: string;
  readonly #exists: boolean;
  readonly #hasDate: boolean;

  constructor(method: string, exists: boolean, hasDate: boolean) {
    super();
    this.#method = method;
    this.#exists = exists;
    this.#hasDate = hasDate;
  }

  protected build(): PreconditionRequiredError {
    return preconditionRequired(this.#method, this.#exists, this.#hasDate);
  }
}

/** Why If-Match is false, as [message, code], or undefined when it holds. */
function ifMatchFailure(field: string, etag: string | undefined, exists: boolean): [string, string] | undefined {
  if (field === '*') return exists ? undefined : ['The resource does not exist, and "If-Match: *" requires that it does.', 'not_found'];
  const result =
    etag === undefined ? (EntityTagList.parse(field)?.valid === false ? 'malformed' : 'no-match') : matchEntityTagList(field, etag, true);
  if (result === 'match') return undefined;
  if (result === 'malformed') return ['The value is not "*" nor a comma-separated list of quoted entity-tags.', 'malformed'];
  if (!exists) return ['The resource does not exist, so no entity tag can match.', 'not_found'];
  if (etag === undefined) return ['The resource has no entity tag to compare with.', 'no_etag'];
  return [`None of the listed entity tags is the current one, ${etag} (strong comparison: weak W/ tags never match).`, 'mismatch'];
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
