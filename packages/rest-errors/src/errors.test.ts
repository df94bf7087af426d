import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  InternalServerError,
  InvalidContentTypeError,
  InvalidDataError,
  InvalidQuerySyntaxError,
  MaxResultWindowError,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  PaginationError,
  PatchError,
  PayloadTooLargeError,
  PIDDeletedError,
  PIDDoesNotExistError,
  PIDRedirectedError,
  PIDUnregisteredError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RateLimitedError,
  SameContentError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UnsupportedSearchFeatureError,
  ValidationError,
} from './errors.js';
import { FieldError } from './field-error.js';
import type { RestError } from './rest-error.js';

describe('error classes', () => {
  const cases: [string, RestError, number, string, string][] = [
    ['BadRequestError', new BadRequestError(), 400, 'bad_request', 'Bad request.'],
    ['ValidationError', new ValidationError(), 400, 'validation_error', 'Validation error.'],
    ['InvalidDataError', new InvalidDataError(), 400, 'invalid_data', 'Could not load data.'],
    ['PatchError', new PatchError({ reason: 'path not found' }), 400, 'patch_failed', 'Could not patch JSON.'],
    ['InvalidQuerySyntaxError', new InvalidQuerySyntaxError(), 400, 'invalid_query_syntax', 'Invalid query syntax.'],
    ['PaginationError', new PaginationError([]), 400, 'invalid_pagination', 'Invalid pagination parameters.'],
    [
      'MaxResultWindowError',
      new MaxResultWindowError(10000),
      400,
      'max_result_window',
      'Maximum number of 10000 results have been reached.',
    ],
    [
      'UnsupportedSearchFeatureError',
      new UnsupportedSearchFeatureError('aggs.geo_distance'),
      400,
      'unsupported_search_feature',
      'Unsupported search feature: aggs.geo_distance.',
    ],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthorized', 'Authentication is required to perform this action.'],
    ['ForbiddenError', new ForbiddenError(), 403, 'forbidden', 'You do not have permission to perform this action.'],
    ['NotFoundError', new NotFoundError(), 404, 'not_found', 'The requested resource was not found.'],
    ['PIDDoesNotExistError', new PIDDoesNotExistError('recid', '1'), 404, 'pid_does_not_exist', 'PID does not exist.'],
    ['PIDUnregisteredError', new PIDUnregisteredError('recid', '1'), 404, 'pid_not_registered', 'PID is not registered.'],
    [
      'MethodNotAllowedError',
      new MethodNotAllowedError(['GET', 'HEAD']),
      405,
      'method_not_allowed',
      'Method not allowed. Allowed: GET, HEAD.',
    ],
    ['ConflictError', new ConflictError(), 409, 'conflict', 'The request conflicts with the current state of the resource.'],
    ['PIDDeletedError', new PIDDeletedError('recid', '1'), 410, 'pid_deleted', 'PID has been deleted.'],
    ['PreconditionFailedError', new PreconditionFailedError(), 412, 'precondition_failed', 'Precondition failed.'],
    [
      'PayloadTooLargeError',
      new PayloadTooLargeError(1024),
      413,
      'payload_too_large',
      'Request body is too large. The limit is 1024 bytes.',
    ],
    [
      'InvalidContentTypeError',
      new InvalidContentTypeError(['application/json', 'application/merge-patch+json']),
      415,
      'invalid_content_type',
      "Invalid 'Content-Type' header. Expected one of: application/json, application/merge-patch+json",
    ],
    [
      'UnsupportedMediaTypeError',
      new UnsupportedMediaTypeError('text/plain'),
      415,
      'unsupported_media_type',
      'Unsupported media type "text/plain".',
    ],
    [
      'PreconditionRequiredError',
      new PreconditionRequiredError(),
      428,
      'precondition_required',
      'This request is required to be conditional; send an If-Match header with the ETag of the resource.',
    ],
    ['RateLimitedError', new RateLimitedError(30), 429, 'rate_limited', 'Too many requests. Retry after 30 seconds.'],
    [
      'InternalServerError',
      new InternalServerError(),
      500,
      'internal_error',
      'An internal server error occurred when handling the request.',
    ],
    [
      'ServiceUnavailableError',
      new ServiceUnavailableError(10),
      503,
      'service_unavailable',
      'The service is temporarily unavailable. Try again later.',
    ],
    ['SameContentError', new SameContentError({ ETag: '"1"' }), 304, 'not_modified', 'Same Content.'],
    ['PIDRedirectedError', new PIDRedirectedError('recid', '1', 'http://x/records/2'), 301, 'pid_redirected', 'PID has been redirected.'],
  ];

  it.each(cases)('%s has its status, code and default message', (name, error, status, code, message) => {
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('adds the headers each status requires', () => {
    expect(new MethodNotAllowedError(['GET', 'PUT']).headers).toEqual({ Allow: 'GET, PUT' });
    expect(new RateLimitedError(1.2).headers).toEqual({ 'Retry-After': '2' });
    expect(new ServiceUnavailableError(5).headers).toEqual({ 'Retry-After': '5' });
    expect(new ServiceUnavailableError().headers).toEqual({});
    expect(new UnauthorizedError().headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(new PIDRedirectedError('recid', '1', 'http://x/records/2').headers).toEqual({ Location: 'http://x/records/2' });
    expect(new InvalidContentTypeError(['application/json']).headers).toEqual({ Accept: 'application/json' });
    expect(new InvalidContentTypeError(['application/json-patch+json'], 'text/plain', { header: 'Accept-Patch' }).headers).toEqual({
      'Accept-Patch': 'application/json-patch+json',
    });
    expect(new SameContentError({ ETag: '"3"', 'Last-Modified': 'Sun, 22 Nov 2026 04:00:00 GMT' }).headers).toEqual({
      'Cache-Control': 'no-cache',
      ETag: '"3"',
      'Last-Modified': 'Sun, 22 Nov 2026 04:00:00 GMT',
    });
  });

  it('builds a 304 without stack frames and leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 7;
      const notModified = new SameContentError({ ETag: '"3"' });
      expect(Error.stackTraceLimit).toBe(7);
      expect(notModified.stack).not.toMatch(/\n\s+at /);
      expect(new NotFoundError().stack).toMatch(/\n\s+at /);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it('keeps the PID and tombstone on PID errors for custom handlers', () => {
    const tombstone = { id: '1', deleted: '2026-01-01' };
    const error = new PIDDeletedError('recid', '1', tombstone);
    expect([error.pidType, error.pidValue, error.tombstone]).toEqual(['recid', '1', tombstone]);
    expect(error.toJSON()).toEqual({ status: 410, message: 'PID has been deleted.' });
  });

  it('lists the available media types and aliases in a 406 body', () => {
    const error = new NotAcceptableError({
      available: ['application/json', 'text/csv'],
      aliases: { json: 'application/json', csv: 'text/csv' },
    });
    expect(error.toJSON()).toEqual({
      status: 406,
      message: 'None of the requested media types is available. Available: application/json, text/csv. Available formats: json, csv.',
      available: ['application/json', 'text/csv'],
      aliases: { json: 'application/json', csv: 'text/csv' },
    });
  });

  it('names the failing operation of a patch', () => {
    const operation = { op: 'replace', path: '/missing', value: 1 };
    const error = new PatchError({ operation, index: 2, reason: 'Path "/missing" does not exist.' });
    expect(error.toJSON()).toEqual({
      status: 400,
      message: 'Could not patch JSON.',
      errors: [{ field: '2', message: 'Path "/missing" does not exist.', code: 'patch_failed' }],
      operation,
    });
    expect(error.errors[0]?.pointer).toBe('/2');
  });

  it('gives the position of a query syntax error', () => {
    const error = new InvalidQuerySyntaxError({ query: 'title:(a', position: 8, reason: 'Unbalanced parenthesis' });
    expect(error.toJSON()).toEqual({
      status: 400,
      message: 'Invalid query syntax.',
      errors: [{ field: 'q', message: 'Unbalanced parenthesis (at position 8)' }],
      position: 8,
    });
  });

  it('puts the max-result-window message on the page field', () => {
    expect(new MaxResultWindowError(10000, 'page').toJSON().errors).toEqual([
      { field: 'page', message: 'Maximum number of 10000 results have been reached.' },
    ]);
  });

  it('carries field errors on validation and pagination errors', () => {
    const errors = [new FieldError('size', 'Must be at least 1.'), new FieldError('page', 'Not a valid integer.')];
    expect(new PaginationError(errors).toJSON().errors).toHaveLength(2);
    expect(new ValidationError(errors).errors).toBe(errors);
  });

  it('keeps the cause of a 500 without exposing it', () => {
    const cause = new TypeError('secret');
    const error = new InternalServerError(cause);
    expect(error.cause).toBe(cause);
    expect(error.expose).toBe(false);
    expect(JSON.stringify(error)).not.toContain('secret');
  });
});
