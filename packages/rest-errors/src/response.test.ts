import createHttpError from 'http-errors';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, MethodNotAllowedError, NotFoundError, PIDDoesNotExistError, SameContentError, ValidationError } from './errors.js';
import { FieldError } from './field-error.js';
import { toProblemDetails, toResponse, toRestError } from './response.js';
import { RestError } from './rest-error.js';

const body = (r: { body?: string }) => JSON.parse(r.body ?? 'null');

describe('toResponse', () => {
  it('renders Invenio’s JSON body by default', () => {
    const r = toResponse(new PIDDoesNotExistError('recid', '42'));
    expect(r.status).toBe(404);
    expect(r.headers['Content-Type']).toBe('application/json');
    expect(body(r)).toEqual({ status: 404, message: 'PID does not exist.' });
  });

  it('includes field errors in the Invenio body', () => {
    const r = toResponse(new ValidationError([new FieldError('metadata.title', 'Required.', 'required')]));
    expect(body(r)).toEqual({
      status: 400,
      message: 'Validation error.',
      errors: [{ field: 'metadata.title', message: 'Required.', code: 'required' }],
    });
  });

  it('renders RFC 9457 problem details when the client prefers them', () => {
    const r = toResponse(new ValidationError([new FieldError('metadata.title', 'Required.')]), {
      accept: 'application/problem+json, application/json;q=0.5',
      instance: '/records/',
    });
    expect(r.headers['Content-Type']).toBe('application/problem+json');
    expect(body(r)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'Validation error.',
      instance: '/records/',
      code: 'validation_error',
      errors: [{ detail: 'Required.', pointer: '#/metadata/title', field: 'metadata.title' }],
    });
  });

  it('keeps Invenio’s body for */*, application/json, or an equal preference', () => {
    for (const accept of ['*/*', 'application/json', 'application/json, application/problem+json', '', undefined, 'text/html']) {
      expect(toResponse(new NotFoundError(), { accept }).headers['Content-Type'], String(accept)).toBe('application/json');
    }
  });

  it('renders problem details whatever the Accept when configured to', () => {
    const r = toResponse(new NotFoundError(), { format: 'problem', typeBaseUri: 'https://example.org/problems/' });
    expect(body(r)).toMatchObject({ type: 'https://example.org/problems/not_found', title: 'Not Found', status: 404, code: 'not_found' });
  });

  it('sends the error’s own headers', () => {
    expect(toResponse(new MethodNotAllowedError(['GET', 'HEAD'])).headers).toMatchObject({ Allow: 'GET, HEAD' });
  });

  it('never sends a body or Content-Type on 304 and 204', () => {
    const notModified = toResponse(new SameContentError({ ETag: '"2"' }));
    expect(notModified).toEqual({ status: 304, headers: { 'Cache-Control': 'no-cache', ETag: '"2"' } });
    const noContent = toResponse(new RestError('gone quietly', { status: 204 }));
    expect(noContent.body).toBeUndefined();
    expect(noContent.headers['Content-Type']).toBeUndefined();
  });

  it('turns an unknown thrown value into a 500 that reveals nothing', () => {
    const secret = new TypeError('secret path /etc/x');
    const r = toResponse(secret);
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('secret');
    expect(r.body).not.toContain('/etc/x');
    expect(r.body).not.toContain('TypeError');
    expect(r.body).not.toContain('at ');
    expect(body(r)).toEqual({ status: 500, message: 'An internal server error occurred when handling the request.' });
    expect(toResponse(secret, { format: 'problem' }).body).not.toContain('secret');
    expect(toRestError(secret).cause).toBe(secret);
  });

  it('renders strings, null and objects thrown as 500s', () => {
    for (const thrown of ['boom /etc/passwd', null, undefined, { message: 'internal', status: 'x' }, 42]) {
      const r = toResponse(thrown);
      expect(r.status).toBe(500);
      expect(r.body).not.toMatch(/passwd|internal"/);
    }
  });

  it('keeps the status and exposed message of http-errors errors', () => {
    const r = toResponse(createHttpError(413, 'request entity too large'));
    expect(r.status).toBe(413);
    expect(body(r)).toEqual({ status: 413, message: 'request entity too large' });
    const hidden = toResponse(createHttpError(502, 'upstream at 10.0.0.3 failed'));
    expect(hidden.status).toBe(500);
    expect(hidden.body).not.toContain('10.0.0.3');
    const headers = toResponse(createHttpError(405, { headers: { Allow: 'GET' } }));
    expect(headers.headers.Allow).toBe('GET');
  });
});

describe('toProblemDetails', () => {
  // RFC 9457 §3, first example: an extension problem type with extension members.
  it('reproduces RFC 9457’s out-of-credit example', () => {
    const error = new ForbiddenError('Your current balance is 30, but that costs 50.', {
      type: 'https://example.com/probs/out-of-credit',
      title: 'You do not have enough credit.',
      instance: '/account/12345/msgs/abc',
      details: { balance: 30, accounts: ['/account/12345', '/account/67890'] },
    });
    expect(toProblemDetails(error)).toMatchObject({
      type: 'https://example.com/probs/out-of-credit',
      title: 'You do not have enough credit.',
      detail: 'Your current balance is 30, but that costs 50.',
      instance: '/account/12345/msgs/abc',
      balance: 30,
      accounts: ['/account/12345', '/account/67890'],
      status: 403,
    });
  });

  // RFC 9457 §3, second example: several problems of one type, with JSON Pointers.
  it('reproduces RFC 9457’s validation example with pointers', () => {
    const error = new RestError('Your request is not valid.', {
      status: 422,
      type: 'https://example.net/validation-error',
      title: 'Your request is not valid.',
      errors: [new FieldError('age', 'must be a positive integer'), new FieldError('profile.color', "must be 'green', 'red' or 'blue'")],
    });
    expect(toProblemDetails(error)).toMatchObject({
      type: 'https://example.net/validation-error',
      title: 'Your request is not valid.',
      errors: [
        { detail: 'must be a positive integer', pointer: '#/age' },
        { detail: "must be 'green', 'red' or 'blue'", pointer: '#/profile/color' },
      ],
    });
  });

  // RFC 9457 §4.2.1: with type about:blank, the title should be the status phrase.
  it('uses about:blank with the HTTP status phrase as title by default', () => {
    expect(toProblemDetails(new RestError('x', { status: 429 }))).toMatchObject({ type: 'about:blank', title: 'Too Many Requests' });
  });
});
