import createHttpError from 'http-errors';
import { describe, expect, it, vi } from 'vitest';
import { FieldError, fieldToPointer } from './field-error.js';
import { ERROR_CODES, isRestError, RestError } from './rest-error.js';

describe('RestError', () => {
  it('carries status, code, message, field errors, headers and cause', () => {
    const cause = new Error('db down');
    const error = new RestError('Record is locked.', {
      status: 409,
      code: 'conflict',
      errors: [new FieldError('metadata.title', 'Locked.')],
      headers: { 'Retry-After': '5' },
      cause,
    });
    expect(error.status).toBe(409);
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Record is locked.');
    expect(error.headers).toEqual({ 'Retry-After': '5' });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('RestError');
    expect(error).toBeInstanceOf(Error);
  });

  it('serialises to Invenio’s body with errors only when present', () => {
    expect(new RestError('Nope.', { status: 400 }).toJSON()).toEqual({ status: 400, message: 'Nope.' });
    expect(new RestError('Nope.', { status: 400, errors: [new FieldError('a', 'bad', 'x')] }).toJSON()).toEqual({
      status: 400,
      message: 'Nope.',
      errors: [{ field: 'a', message: 'bad', code: 'x' }],
    });
    expect(JSON.parse(JSON.stringify(new RestError('Nope.', { status: 418 })))).toEqual({ status: 418, message: 'Nope.' });
  });

  it('takes its status from the code table when only a code is given', () => {
    expect(new RestError('x', { code: 'pid_deleted' }).status).toBe(410);
    expect(new RestError('x').status).toBe(500);
  });

  it('derives a code from the status when none is given', () => {
    expect(new RestError('x', { status: 404 }).code).toBe('not_found');
    expect(new RestError('x', { status: 418 }).code).toBe('http_418');
  });

  it.each([99, 600, 200.5, Number.NaN, -1])('rejects status %s outside 100-599', (status) => {
    expect(() => new RestError('x', { status })).toThrow(RangeError);
  });

  it('exposes messages of 4xx errors and hides 5xx ones by default, like http-errors', () => {
    expect(new RestError('x', { status: 400 }).expose).toBe(true);
    expect(new RestError('x', { status: 500 }).expose).toBe(false);
  });

  it('is recognised as an http-errors error by createError.isHttpError', () => {
    expect(createHttpError.isHttpError(new RestError('x', { status: 404 }))).toBe(true);
  });

  it('maps every code in the table to a status in 100-599', () => {
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      expect(new RestError('x', { code }).status, code).toBe(status);
    }
  });
});

describe('isRestError', () => {
  it('recognises errors from another copy of the package', async () => {
    vi.resetModules();
    // A query string makes the module loader evaluate a second, independent copy of the module.
    const specifier: string = './rest-error.js?copy';
    const copy: typeof import('./rest-error.js') = await import(/* @vite-ignore */ specifier);
    const foreign = new copy.RestError('from the other copy', { status: 404 });
    expect(foreign).not.toBeInstanceOf(RestError);
    expect(isRestError(foreign)).toBe(true);
    expect(copy.isRestError(new RestError('x', { status: 400 }))).toBe(true);
  });

  it('rejects plain errors, http-errors errors and look-alikes', () => {
    expect(isRestError(new Error('x'))).toBe(false);
    expect(isRestError(createHttpError(404))).toBe(false);
    expect(isRestError({ status: 404, code: 'not_found', message: 'x' })).toBe(false);
    expect(isRestError(null)).toBe(false);
    expect(isRestError('error')).toBe(false);
  });
});

describe('FieldError', () => {
  it('serialises code only when set', () => {
    expect(new FieldError('title', 'Required.').toJSON()).toEqual({ field: 'title', message: 'Required.' });
    expect(new FieldError('title', 'Required.', 'required').toJSON()).toEqual({ field: 'title', message: 'Required.', code: 'required' });
    expect(new FieldError('title', 'Required.', '').toJSON()).toEqual({ field: 'title', message: 'Required.' });
  });

  it('gives the field location as a JSON Pointer', () => {
    expect(new FieldError('metadata.creators.0.name', 'x').pointer).toBe('/metadata/creators/0/name');
    expect(new FieldError('/already/a/pointer', 'x').pointer).toBe('/already/a/pointer');
    expect(new FieldError('q', 'x', undefined, { pointer: '/custom' }).pointer).toBe('/custom');
  });
});

describe('fieldToPointer', () => {
  it('escapes ~ and / inside a segment as RFC 6901 requires', () => {
    expect(fieldToPointer('a~b.c/d')).toBe('/a~0b/c~1d');
    expect(fieldToPointer('')).toBe('');
  });
});
