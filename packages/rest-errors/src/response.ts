import type { ServerResponse } from 'node:http';
import createHttpError from 'http-errors';
import Negotiator from 'negotiator';
import { InternalServerError } from './errors.js';
import { codeForStatus, isRestError, RestError } from './rest-error.js';

/** `Content-Type` of Invenio-style error bodies (Invenio sends no charset). */
export const JSON_MEDIA_TYPE = 'application/json';
/** `Content-Type` of RFC 9457 problem details. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Options of {@link toResponse}. */
export interface ToResponseOptions {
  /** The request's `Accept` header: `application/problem+json` preferred over `application/json` selects RFC 9457. */
  accept?: string | null;
  /**
   * `invenio` (default): `{ status, message, errors? }` unless the client prefers problem details.
   * `problem`: always RFC 9457. `auto` is the same as `invenio`.
   */
  format?: 'invenio' | 'problem' | 'auto';
  /** Base URI for RFC 9457 `type`: the error's code is appended (`https://example.org/problems/` + `not_found`). */
  typeBaseUri?: string;
  /** RFC 9457 `instance` when the error has none (usually the request path). */
  instance?: string;
}

/** What to send: a status, headers, and a JSON body (absent for 204 and 304). */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Turn anything thrown into a {@link RestError}. http-errors errors keep their status, and their
 * message when `expose` is true; any other value becomes a 500 {@link InternalServerError} whose
 * message reveals nothing, with the original value as `cause` (log it; never send it).
 *
 * @example
 * const error = toRestError(err); if (error.status >= 500) log.error(error.cause);
 */
export function toRestError(value: unknown): RestError {
  if (isRestError(value)) return value;
  if (createHttpError.isHttpError(value)) {
    const status = Number.isInteger(value.status) && value.status >= 400 && value.status <= 599 ? value.status : 500;
    if (status >= 500 && !value.expose) return new InternalServerError(value);
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(value.headers ?? {})) headers[name] = String(header);
    return new RestError(value.expose ? value.message : statusTitle(status), {
      status,
      code: codeForStatus(status),
      headers,
      cause: value,
    });
  }
  return new InternalServerError(value);
}

/**
 * Build the HTTP response for an error: status, headers (the error's own plus `Content-Type`) and body.
 *
 * - Default body, Invenio's: `{"status": 404, "message": "PID does not exist."}`, `errors` when there are field errors.
 * - RFC 9457 problem details (`type`, `title`, `status`, `detail`, `instance`, `code`, `errors[]` with
 *   `detail` and `pointer`) when `format: 'problem'` or the Accept header prefers `application/problem+json`.
 * - 204 and 304 never carry a body or `Content-Type`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9457 RFC 9457 Problem Details for HTTP APIs
 * @example
 * const { status, headers, body } = toResponse(err, { accept: req.headers.accept });
 */
export function toResponse(value: unknown, options: ToResponseOptions = {}): ErrorResponse {
  const error = toRestError(value);
  const headers = { ...error.headers };
  if (error.status === 304 || error.status === 204 || error.status < 200) return { status: error.status, headers };
  const problem = options.format === 'problem' || prefersProblem(options.accept);
  headers['Content-Type'] = problem ? PROBLEM_MEDIA_TYPE : JSON_MEDIA_TYPE;
  const body = problem ? toProblemDetails(error, options) : error.toJSON();
  return { status: error.status, headers, body: JSON.stringify(body) };
}

/** The RFC 9457 problem-details object for an error. */
export function toProblemDetails(
  error: RestError,
  options: Pick<ToResponseOptions, 'typeBaseUri' | 'instance'> = {},
): Record<string, unknown> {
  const problem: Record<string, unknown> = {
    type: error.type ?? (options.typeBaseUri ? `${options.typeBaseUri}${error.code}` : 'about:blank'),
    title: error.title ?? statusTitle(error.status),
    status: error.status,
    detail: error.message,
  };
  const instance = error.instance ?? options.instance;
  if (instance !== undefined) problem.instance = instance;
  problem.code = error.code;
  if (error.errors.length) {
    problem.errors = error.errors.map((e) => ({
      detail: e.message,
      pointer: `#${e.pointer}`,
      field: e.field,
      ...(e.code ? { code: e.code } : {}),
    }));
  }
  for (const [key, value] of Object.entries(error.details)) {
    if (!(key in problem)) problem[key] = value;
  }
  return problem;
}

/**
 * Write an error to a `node:http` response. If headers were already sent (a stream failed midway),
 * the connection is destroyed instead, since the status can no longer change.
 *
 * @example
 * createServer((req, res) => handle(req, res).catch((err) => sendError(res, err, { accept: req.headers.accept })));
 */
export function sendError(res: ServerResponse, value: unknown, options: ToResponseOptions = {}): ErrorResponse {
  const response = toResponse(value, options);
  if (res.headersSent) {
    res.destroy(toRestError(value));
    return response;
  }
  res.statusCode = response.status;
  for (const [name, header] of Object.entries(response.headers)) res.setHeader(name, header);
  if (response.body === undefined) {
    res.end();
  } else {
    res.setHeader('Content-Length', Buffer.byteLength(response.body));
    res.end(response.body);
  }
  return response;
}

const OFFERED = [JSON_MEDIA_TYPE, PROBLEM_MEDIA_TYPE];

function prefersProblem(accept: string | null | undefined): boolean {
  if (!accept?.includes('problem')) return false;
  return new Negotiator({ headers: { accept } }).mediaType(OFFERED) === PROBLEM_MEDIA_TYPE;
}

/** The reason phrase of a status (`Not Found`), from http-errors' status table. */
export function statusTitle(status: number): string {
  if (status === 304) return 'Not Modified';
  if (status === 301) return 'Moved Permanently';
  if (status >= 400 && status <= 599) {
    const message = createHttpError(status).message;
    if (message && !/^\d+$/.test(message)) return message;
  }
  return status >= 500 ? 'Internal Server Error' : 'Error';
}
