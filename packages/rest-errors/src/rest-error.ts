import type { FieldError } from './field-error.js';

const BRAND = Symbol.for('@recordkit/rest-errors.RestError');

/**
 * Every stable error code and the HTTP status it maps to. Codes are part of the public contract: clients
 * may branch on them (they appear as `code` in RFC 9457 problem details), so they never change meaning.
 */
export const ERROR_CODES = {
  pid_redirected: 301,
  not_modified: 304,
  bad_request: 400,
  validation_error: 400,
  invalid_data: 400,
  patch_failed: 400,
  invalid_query_syntax: 400,
  invalid_pagination: 400,
  max_result_window: 400,
  unsupported_search_feature: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  pid_does_not_exist: 404,
  pid_not_registered: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  pid_deleted: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  invalid_content_type: 415,
  unsupported_media_type: 415,
  precondition_required: 428,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

/** A code of {@link ERROR_CODES}, or any other string a user's own error class chooses. */
export type ErrorCode = keyof typeof ERROR_CODES | (string & {});

/** Options of the {@link RestError} constructor. */
export interface RestErrorOptions {
  /** HTTP status, an integer in 100-599. Defaults to the status of `code` in {@link ERROR_CODES}, else 500. */
  status?: number;
  /** Stable machine-readable code. Defaults to a code derived from the status (`bad_request`, ...). */
  code?: ErrorCode;
  /** Field-level problems; sent as `errors`. */
  errors?: readonly FieldError[];
  /** Extra response headers (`Allow`, `Retry-After`, `Location`, `ETag`, ...). */
  headers?: Record<string, string>;
  /** The underlying error, for logs. Never sent to the client. */
  cause?: unknown;
  /** RFC 9457 `type` URI. Without it, problem details use a URI built from `code` when a base is configured. */
  type?: string;
  /** RFC 9457 `title`: a short summary of the problem type. Defaults to the status phrase. */
  title?: string;
  /** RFC 9457 `instance` URI. */
  instance?: string;
  /** Extra members added to both body formats (e.g. the media types a 406 offers). */
  details?: Record<string, unknown>;
  /** Whether `message` may be shown to clients. Defaults to `status < 500`, as http-errors does. */
  expose?: boolean;
}

/** The JSON form of a {@link RestError}: Invenio's error body. */
export interface RestErrorJSON {
  status: number;
  message: string;
  errors?: ReturnType<FieldError['toJSON']>[];
  [member: string]: unknown;
}

/**
 * The base class of every RecordKit REST error: an HTTP status, a stable `code`, a message for the
 * client, optional field errors and extra headers. Compatible with http-errors: it has `status`,
 * `statusCode`, `expose` and `headers`, so Express's and Koa's default error handlers, and
 * `createError.isHttpError()`, treat it as an http-errors error.
 *
 * Identity is checked with {@link isRestError} (a global-symbol brand), never `instanceof`, so errors
 * from two copies of this package still recognise each other.
 *
 * @example
 * throw new RestError('Record is locked.', { status: 409, code: 'conflict' });
 */
export class RestError extends Error {
  readonly [BRAND] = true;
  readonly status: number;
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[];
  readonly headers: Record<string, string>;
  readonly expose: boolean;
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly instance: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: RestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const status = options.status ?? (options.code && codeStatus(options.code)) ?? 500;
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new RangeError(`RestError status must be an integer in 100-599, got ${String(status)}`);
    }
    this.name = new.target.name;
    this.status = status;
    this.code = options.code ?? codeForStatus(status);
    this.errors = options.errors ?? [];
    this.headers = { ...options.headers };
    this.expose = options.expose ?? status < 500;
    this.type = options.type;
    this.title = options.title;
    this.instance = options.instance;
    this.details = { ...options.details };
  }

  /** Alias of `status`, as http-errors and Node's `http` use it. */
  get statusCode(): number {
    return this.status;
  }

  /** Invenio's body: `{ status, message, errors? }` plus any `details` members. */
  toJSON(): RestErrorJSON {
    const body: RestErrorJSON = { status: this.status, message: this.message };
    if (this.errors.length) body.errors = this.errors.map((e) => e.toJSON());
    for (const [key, value] of Object.entries(this.details)) {
      if (!(key in body)) body[key] = value;
    }
    return body;
  }
}

/**
 * True when `value` is a {@link RestError} from any copy of this package.
 *
 * @example
 * if (isRestError(err)) res.statusCode = err.status;
 */
export function isRestError(value: unknown): value is RestError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function codeStatus(code: string): number | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as keyof typeof ERROR_CODES] : undefined;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  304: 'not_modified',
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  428: 'precondition_required',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'service_unavailable',
};

/** The default code for a status: the table's generic code, else `http_<status>`. */
export function codeForStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? `http_${status}`;
}
