import { isRestError, type RestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { checkJsonObject, checkPIDRef, checkRecordId, MAX_JSON_DEPTH, MAX_PID_BYTES } from './validate.js';

function rejection(run: () => unknown): RestError {
  try {
    run();
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected a RestError');
}

describe('checkJsonObject', () => {
  it('accepts ordinary JSON, including astral characters written as surrogate pairs', () => {
    expect(() => checkJsonObject({ a: [1, 'two', { three: null }], emoji: '🚀', n: -0.5 }, 'metadata')).not.toThrow();
  });

  it.each([
    ['a NUL character in a nested string', { a: [{ b: 'x\u0000y' }] }, 'metadata.a.0.b', /NUL/],
    ['a NUL character in a key', { 'k\u0000': 1 }, 'metadata.k\u0000', /key/],
    ['an unpaired surrogate', { t: 'bad \uD800 text' }, 'metadata.t', /surrogate/],
    ['a non-finite number', { n: Number.POSITIVE_INFINITY }, 'metadata.n', /finite/],
    ['a value that is not JSON', { d: new Date(0) }, 'metadata.d', /JSON value/],
  ])('rejects %s with a 400 naming the field', (_name, value, field, reason) => {
    const error = rejection(() => checkJsonObject(value, 'metadata'));
    expect(error.status).toBe(400);
    expect(error.errors[0]?.field).toBe(field);
    expect(error.errors[0]?.message).toMatch(reason);
  });

  it('rejects an array or null where an object is required', () => {
    expect(rejection(() => checkJsonObject([], 'metadata')).errors[0]?.field).toBe('metadata');
    expect(rejection(() => checkJsonObject(null, 'metadata')).errors[0]?.message).toMatch(/JSON object/);
  });

  it(`rejects nesting deeper than ${MAX_JSON_DEPTH} levels`, () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) {
      const next = {};
      deep.x = next;
      deep = next;
    }
    expect(rejection(() => checkJsonObject(root, 'metadata')).errors[0]?.message).toMatch(/nested deeper/);
  });
});

describe('checkRecordId', () => {
  it('lower-cases a UUID and rejects anything else naming the field', () => {
    expect(checkRecordId('0B9A6C1E-3F0A-4F7E-9A1B-2C3D4E5F6A7B')).toBe('0b9a6c1e-3f0a-4f7e-9a1b-2c3d4e5f6a7b');
    expect(rejection(() => checkRecordId('rec-1')).errors[0]).toMatchObject({ field: 'id', message: 'must be a UUID' });
  });
});

describe('checkPIDRef', () => {
  it('rejects an empty part, a NUL character and an over-long value, naming the part', () => {
    expect(rejection(() => checkPIDRef({ type: '', value: '1' }, 'pids.0')).errors[0]?.field).toBe('pids.0.type');
    expect(rejection(() => checkPIDRef({ type: 'recid', value: 'a\u0000' }, 'pid')).errors[0]?.field).toBe('pid.value');
    expect(rejection(() => checkPIDRef({ type: 'recid', value: 'x'.repeat(MAX_PID_BYTES + 1) }, 'pid')).errors[0]?.message).toMatch(
      /at most/,
    );
  });
});
