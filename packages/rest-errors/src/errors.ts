import { FieldError } from './field-error.js';
import { RestError, type RestErrorOptions } from './rest-error.js';

/** Options every specific error class accepts on top of its own arguments. */
export type ErrorOptions = Omit<RestErrorOptions, 'status' | 'code'>;

const list = (values: readonly string[]) => values.join(', ');

/** 400 Bad Request: a generic client error. */
export class BadRequestError extends RestError {
  constructor(message = 'Bad request.', options: ErrorOptions & { code?: string } = {}) {
    super(message, { ...options, status: 400, code: options.code ?? 'bad_request' });
  }
}

/**
 * 400 with one {@link FieldError} per violation (Invenio's `RESTValidationError`, "Validation error.").
 *
 * @example
 * throw new ValidationError([new FieldError('metadata.title', 'Required.')]);
 */
export class ValidationError extends RestError {
  constructor(errors: readonly FieldError[] = [], message = 'Validation error.', options: ErrorOptions = {}) {
    super(message, { ...options, errors, status: 400, code: 'validation_error' });
  }
}

/** 400 "Could not load data.": a request body that cannot be read (Invenio's `InvalidDataRESTError`). */
export class InvalidDataError extends RestError {
  constructor(message = 'Could not load data.', errors: readonly FieldError[] = [], options: ErrorOptions = {}) {
    super(message, { ...options, errors, status: 400, code: 'invalid_data' });
  }
}

/**
 * 400 "Could not patch JSON.": a JSON Patch (RFC 6902) or Merge Patch (RFC 7396) that cannot be applied.
 * `operation` is the failing operation; `index` its position in the patch document.
 */
export class PatchError extends RestError {
  readonly operation: unknown;
  readonly index: number | undefined;

  constructor(input: { operation?: unknown; index?: number; reason: string; path?: string }, options: ErrorOptions = {}) {
    const field = input.index === undefined ? '' : String(input.index);
    super('Could not patch JSON.', {
      ...options,
      status: 400,
      code: 'patch_failed',
      errors: [new FieldError(input.path ?? field, input.reason, 'patch_failed', { pointer: field === '' ? '' : `/${field}` })],
      details: { ...options.details, ...(input.operation === undefined ? {} : { operation: input.operation }) },
    });
    this.operation = input.operation;
    this.index = input.index;
  }
}

/**
 * 400 "Invalid query syntax.": the `q` parameter cannot be parsed. `position` is the 0-based character
 * offset of the problem when known.
 */
export class InvalidQuerySyntaxError extends RestError {
  readonly position: number | undefined;

  constructor(input: { query?: string; position?: number; reason?: string; field?: string } = {}, options: ErrorOptions = {}) {
    const where = input.position === undefined ? '' : ` at position ${input.position}`;
    const reason = input.reason ?? 'The syntax of the search query is invalid.';
    super('Invalid query syntax.', {
      ...options,
      status: 400,
      code: 'invalid_query_syntax',
      errors: [new FieldError(input.field ?? 'q', `${reason}${where && ` (${where.trim()})`}`)],
      details: { ...options.details, ...(input.position === undefined ? {} : { position: input.position }) },
    });
    this.position = input.position;
  }
}

/** 400 for invalid pagination parameters, one field error per parameter (Invenio's `SearchPaginationRESTError`). */
export class PaginationError extends RestError {
  constructor(errors: readonly FieldError[], message = 'Invalid pagination parameters.', options: ErrorOptions = {}) {
    super(message, { ...options, errors, status: 400, code: 'invalid_pagination' });
  }
}

/** 400 when `from + size` passes the result window (Invenio: "Maximum number of 10000 results have been reached."). */
export class MaxResultWindowError extends RestError {
  readonly window: number;

  constructor(window: number, field = 'page', options: ErrorOptions = {}) {
    const message = `Maximum number of ${window} results have been reached.`;
    super(message, { ...options, status: 400, code: 'max_result_window', errors: [new FieldError(field, message)] });
    this.window = window;
  }
}

/** 400 when a search request uses a clause the engine does not support; `clause` names it. */
export class UnsupportedSearchFeatureError extends RestError {
  readonly clause: string;

  constructor(clause: string, message?: string, options: ErrorOptions = {}) {
    super(message ?? `Unsupported search feature: ${clause}.`, {
      ...options,
      status: 400,
      code: 'unsupported_search_feature',
      details: { ...options.details, clause },
    });
    this.clause = clause;
  }
}

/** 401 Unauthorized. Sends `WWW-Authenticate` (RFC 9110 §15.5.2 requires it), `Bearer` by default. */
export class UnauthorizedError extends RestError {
  constructor(message = 'Authentication is required to perform this action.', options: ErrorOptions & { challenge?: string } = {}) {
    super(message, {
      ...options,
      status: 401,
      code: 'unauthorized',
      headers: { 'WWW-Authenticate': options.challenge ?? 'Bearer', ...options.headers },
    });
  }
}

/** 403 Forbidden. */
export class ForbiddenError extends RestError {
  constructor(message = 'You do not have permission to perform this action.', options: ErrorOptions = {}) {
    super(message, { ...options, status: 403, code: 'forbidden' });
  }
}

/** 404 Not Found. */
export class NotFoundError extends RestError {
  constructor(message = 'The requested resource was not found.', options: ErrorOptions = {}) {
    super(message, { ...options, status: 404, code: 'not_found' });
  }
}

/** Base of the persistent-identifier errors; `pidType` and `pidValue` say which PID. */
export abstract class PIDError extends RestError {
  readonly pidType: string;
  readonly pidValue: string;

  protected constructor(pidType: string, pidValue: string, message: string, options: RestErrorOptions) {
    super(message, options);
    this.pidType = pidType;
    this.pidValue = pidValue;
  }
}

/** 404 "PID does not exist." */
export class PIDDoesNotExistError extends PIDError {
  constructor(pidType: string, pidValue: string, options: ErrorOptions = {}) {
    super(pidType, pidValue, 'PID does not exist.', { ...options, status: 404, code: 'pid_does_not_exist' });
  }
}

/** 404 "PID is not registered." (status new or reserved). */
export class PIDUnregisteredError extends PIDError {
  constructor(pidType: string, pidValue: string, options: ErrorOptions = {}) {
    super(pidType, pidValue, 'PID is not registered.', { ...options, status: 404, code: 'pid_not_registered' });
  }
}

/**
 * 410 "PID has been deleted." `tombstone` carries what a custom handler may show of the deleted record;
 * it is not sent unless the handler puts it in `details`.
 */
export class PIDDeletedError extends PIDError {
  readonly tombstone: unknown;

  constructor(pidType: string, pidValue: string, tombstone?: unknown, options: ErrorOptions = {}) {
    super(pidType, pidValue, 'PID has been deleted.', { ...options, status: 410, code: 'pid_deleted' });
    this.tombstone = tombstone;
  }
}

/** 301 to the PID's redirect target, with `Location`. */
export class PIDRedirectedError extends PIDError {
  readonly location: string;

  constructor(pidType: string, pidValue: string, location: string, options: ErrorOptions = {}) {
    super(pidType, pidValue, 'PID has been redirected.', {
      ...options,
      status: 301,
      code: 'pid_redirected',
      headers: { ...options.headers, Location: location },
      details: { ...options.details, location },
    });
    this.location = location;
  }
}

/** 405 Method Not Allowed, with the `Allow` header RFC 9110 §15.5.6 requires (Invenio's handler drops it). */
export class MethodNotAllowedError extends RestError {
  readonly allowed: readonly string[];

  constructor(allowed: readonly string[], options: ErrorOptions = {}) {
    super(`Method not allowed. Allowed: ${list(allowed)}.`, {
      ...options,
      status: 405,
      code: 'method_not_allowed',
      headers: { ...options.headers, Allow: list(allowed) },
    });
    this.allowed = allowed;
  }
}

/**
 * 406 Not Acceptable. The body lists the media types the resource offers (`available`) and the
 * `?format=` aliases (`aliases`), so a client can retry with one of them.
 */
export class NotAcceptableError extends RestError {
  readonly available: readonly string[];
  readonly aliases: Readonly<Record<string, string>>;

  constructor(input: { available: readonly string[]; aliases?: Record<string, string>; message?: string }, options: ErrorOptions = {}) {
    const aliases = input.aliases ?? {};
    const aliasText = Object.keys(aliases).length ? ` Available formats: ${list(Object.keys(aliases))}.` : '';
    super(input.message ?? `None of the requested media types is available. Available: ${list(input.available)}.${aliasText}`, {
      ...options,
      status: 406,
      code: 'not_acceptable',
      details: { ...options.details, available: [...input.available], ...(Object.keys(aliases).length ? { aliases: { ...aliases } } : {}) },
    });
    this.available = input.available;
    this.aliases = aliases;
  }
}

/** 409 Conflict. */
export class ConflictError extends RestError {
  constructor(message = 'The request conflicts with the current state of the resource.', options: ErrorOptions = {}) {
    super(message, { ...options, status: 409, code: 'conflict' });
  }
}

/** 412 Precondition Failed (RFC 9110 §15.5.13). */
export class PreconditionFailedError extends RestError {
  constructor(message = 'Precondition failed.', options: ErrorOptions = {}) {
    super(message, { ...options, status: 412, code: 'precondition_failed' });
  }
}

/** 413 Content Too Large (RFC 9110 §15.5.14); `limit` in bytes. */
export class PayloadTooLargeError extends RestError {
  readonly limit: number | undefined;

  constructor(limit?: number, options: ErrorOptions = {}) {
    super(limit === undefined ? 'Request body is too large.' : `Request body is too large. The limit is ${limit} bytes.`, {
      ...options,
      status: 413,
      code: 'payload_too_large',
      details: { ...options.details, ...(limit === undefined ? {} : { limit }) },
    });
    this.limit = limit;
  }
}

/**
 * 415 with Invenio's message "Invalid 'Content-Type' header. Expected one of: a, b". Also sends
 * `Accept` (RFC 9110 §15.5.16 suggests telling the client what is accepted); for PATCH use `Accept-Patch`.
 */
export class InvalidContentTypeError extends RestError {
  readonly allowed: readonly string[];

  constructor(allowed: readonly string[], received?: string, options: ErrorOptions & { header?: 'Accept' | 'Accept-Patch' } = {}) {
    super(`Invalid 'Content-Type' header. Expected one of: ${list(allowed)}`, {
      ...options,
      status: 415,
      code: 'invalid_content_type',
      headers: { [options.header ?? 'Accept']: list(allowed), ...options.headers },
      details: { ...options.details, ...(received === undefined ? {} : { received }) },
    });
    this.allowed = allowed;
  }
}

/** 415 'Unsupported media type "<type>".' (Invenio's `UnsupportedMediaRESTError`). */
export class UnsupportedMediaTypeError extends RestError {
  constructor(contentType: string, options: ErrorOptions = {}) {
    super(`Unsupported media type "${contentType}".`, { ...options, status: 415, code: 'unsupported_media_type' });
  }
}

/** 428 Precondition Required (RFC 6585 §3): the deployment requires a conditional write. */
export class PreconditionRequiredError extends RestError {
  constructor(
    message = 'This request is required to be conditional; send an If-Match header with the ETag of the resource.',
    options: ErrorOptions = {},
  ) {
    super(message, { ...options, status: 428, code: 'precondition_required' });
  }
}

/** 429 Too Many Requests (RFC 6585 §4) with `Retry-After` in seconds. */
export class RateLimitedError extends RestError {
  readonly retryAfter: number;

  constructor(retryAfterSeconds: number, options: ErrorOptions = {}) {
    const seconds = Math.max(0, Math.ceil(retryAfterSeconds));
    super(`Too many requests. Retry after ${seconds} seconds.`, {
      ...options,
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': String(seconds), ...options.headers },
    });
    this.retryAfter = seconds;
  }
}

/** 500 with a message that reveals nothing; the original error is kept as `cause` for the log. */
export class InternalServerError extends RestError {
  constructor(cause?: unknown, options: ErrorOptions = {}) {
    super('An internal server error occurred when handling the request.', { ...options, cause, status: 500, code: 'internal_error' });
  }
}

/** 503 Service Unavailable, with `Retry-After` when known (a search engine or database that is down). */
export class ServiceUnavailableError extends RestError {
  constructor(
    retryAfterSeconds?: number,
    message = 'The service is temporarily unavailable. Try again later.',
    options: ErrorOptions = {},
  ) {
    super(message, {
      ...options,
      status: 503,
      code: 'service_unavailable',
      expose: true,
      headers:
        retryAfterSeconds === undefined
          ? { ...options.headers }
          : { 'Retry-After': String(Math.ceil(retryAfterSeconds)), ...options.headers },
    });
  }
}

/**
 * 304 Not Modified ("Same Content."). Never has a body; carries the validator headers
 * (`ETag`, `Last-Modified`, `Cache-Control`, ...) given in `headers`.
 *
 * A 304 is an answer, not a failure, so it is built without a stack trace: capturing one was most of
 * the cost of a conditional GET's 304 (docs/decisions/103-no-stack-trace-for-304.md).
 */
export class SameContentError extends RestError {
  constructor(headers: Record<string, string> = {}, options: ErrorOptions = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super('Same Content.', { ...options, status: 304, code: 'not_modified', headers: { 'Cache-Control': 'no-cache', ...headers } });
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
