import { isRestError, toResponse } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { classifyFailure, translateFailure } from './errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED'), 'connection'],
    ['a reset connection', withCode('ECONNRESET'), 'connection'],
    ['an unknown host', withCode('ENOTFOUND'), 'connection'],
    ['a connection_exception SQLSTATE', withCode('08006'), 'connection'],
    ['a terminated backend (admin_shutdown)', withCode('57P01'), 'connection'],
    ['a server that is starting up', withCode('57P03'), 'connection'],
    ['too many connections', withCode('53300'), 'connection'],
    ["pg's own 'Connection terminated unexpectedly'", new Error('Connection terminated unexpectedly'), 'connection'],
    ["pg's connect timeout", new Error('timeout exceeded when trying to connect'), 'connection'],
    ['every address of a host refusing', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), 'connection'],
    ['a statement timeout', withCode('57014'), 'unavailable'],
    ['a lock timeout', withCode('55P03'), 'unavailable'],
    ['a wrong password', withCode('28P01'), 'unavailable'],
    ['a missing database', withCode('3D000'), 'unavailable'],
    ['a serialization failure', withCode('40001'), 'retry-transaction'],
    ['a deadlock', withCode('40P01'), 'retry-transaction'],
    ['a unique violation', withCode('23505'), 'other'],
    ['a syntax error', withCode('42601'), 'other'],
    ['a plain bug', new TypeError('undefined is not a function'), 'other'],
    ['a non-error', 'boom', 'other'],
  ])('classifies %s', (_name, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });
});

describe('translateFailure', () => {
  it('turns an availability failure into a 503 with Retry-After that keeps the cause but not its text', () => {
    const cause = withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
    const error = translateFailure(cause, 3);
    expect(isRestError(error)).toBe(true);
    if (!isRestError(error)) return;
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBe('3');
    expect(error.cause).toBe(cause);
    const response = toResponse(error);
    expect(response.status).toBe(503);
    expect(JSON.stringify(response.body)).not.toContain('127.0.0.1');
  });

  it('says a statement timeout took too long', () => {
    const error = translateFailure(withCode('57014', 'canceling statement due to statement timeout'), 1);
    expect(isRestError(error) && error.message).toMatch(/did not answer in time/);
  });

  it('leaves other errors as they are, so they surface as a 500 without details', () => {
    const bug = new TypeError('oops');
    expect(translateFailure(bug, 1)).toBe(bug);
  });
});
