import { isRestError, type RestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  assertSafeJson,
  loadJsonPatch,
  loadMergePatch,
  loadRecordJson,
  MAX_BODY_DEPTH,
  parseJson,
} from './loaders.js';
import type { JsonObject, JsonValue } from './ports.js';

function restError(fn: () => unknown): RestError {
  try {
    fn();
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected a RestError');
}

describe('parseJson', () => {
  it('parses a JSON document', () => {
    expect(parseJson('{"title":"A","n":[1,2]}')).toEqual({ title: 'A', n: [1, 2] });
  });

  it('reports the position, line and column of a syntax error as a 400 on the body', () => {
    const error = restError(() => parseJson('{\n  "title": }'));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/position 13 \(line 2, column 12\): Unexpected "}"; expected a value/);
    expect(error.errors[0]).toMatchObject({ field: 'body', code: 'invalid_json', pointer: '' });
  });

  it('refuses an empty body with 400', () => {
    const error = restError(() => parseJson('  '));
    expect(error.status).toBe(400);
    expect(error.errors[0]?.code).toBe('empty_body');
  });
});

describe('loadRecordJson', () => {
  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '42'],
  ])('refuses a body that is %s with 400', (kind, text) => {
    const error = restError(() => loadRecordJson(text));
    expect(error.status).toBe(400);
    expect(error.message).toContain(kind);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s anywhere, naming its path', (key) => {
    const error = restError(() => loadRecordJson(`{"a":{"list":[{"${key}":{"polluted":true}}]}}`));
    expect(error.status).toBe(400);
    expect(error.errors[0]).toMatchObject({ field: `a.list.0.${key}`, pointer: `/a/list/0/${key}`, code: 'forbidden_key' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body nested deeper than the limit without overflowing the stack', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const error = restError(() => loadRecordJson(deep));
    expect(error.status).toBe(400);
    expect(error.errors[0]?.code).toBe('too_deep');
  });

  it('accepts a body at the depth limit', () => {
    let value: JsonValue = 1;
    for (let i = 0; i < MAX_BODY_DEPTH - 1; i++) value = { a: value };
    expect(() => assertSafeJson(value)).not.toThrow();
  });
});

describe('loadJsonPatch and applyJsonPatch', () => {
  // RFC 6902 Appendix A examples.
  it.each([
    ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 moving a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    [
      'A.16 adding an array value',
      { foo: ['bar'] },
      [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
      { foo: ['bar', ['abc', 'def']] },
    ],
  ])('applies RFC 6902 %s', (_name, document, patch, expected) => {
    const operations = loadJsonPatch(JSON.stringify(patch));
    expect(applyJsonPatch(document as JsonObject, operations)).toEqual(expected);
  });

  it('leaves the input untouched and applies nothing when an operation fails (A.8 failed test)', () => {
    const document = { baz: 'qux', foo: ['a', 2, 'c'] };
    const operations = loadJsonPatch(
      JSON.stringify([
        { op: 'replace', path: '/baz', value: 'changed' },
        { op: 'test', path: '/baz', value: 'bar' },
      ]),
    );
    const error = restError(() => applyJsonPatch(document, operations));
    expect(error.status).toBe(400);
    expect(error.message).toBe('Could not patch JSON.');
    expect(error.errors[0]?.message).toMatch(/Operation 1 \(test \/baz\)/);
    expect(document.baz).toBe('qux');
  });

  it('refuses a missing target (A.12 adding to a nonexistent target) with 400', () => {
    const operations = loadJsonPatch('[{"op":"add","path":"/baz/bat","value":"qux"}]');
    expect(restError(() => applyJsonPatch({ foo: 'bar' }, operations)).status).toBe(400);
  });

  it.each([
    ['not an array', '{"op":"add"}', /array/],
    ['an operation that is not an object', '[1]', /Operation 0 must be an object/],
    ['an unknown op', '[{"op":"merge","path":"/a"}]', /"op" must be one of/],
    ['a path that is not a pointer', '[{"op":"add","path":"a","value":1}]', /must start with "\/"/],
    ['a move without from', '[{"op":"move","path":"/a"}]', /"from"/],
    ['an add without value', '[{"op":"add","path":"/a"}]', /needs a "value"/],
    ['a bad escape', '[{"op":"remove","path":"/a~2"}]', /~/],
    ['a __proto__ path', '[{"op":"add","path":"/__proto__/polluted","value":true}]', /__proto__/],
    ['a constructor segment in from', '[{"op":"copy","from":"/constructor","path":"/a"}]', /constructor/],
    ['a prototype key in a value', '[{"op":"add","path":"/a","value":{"prototype":1}}]', /prototype/],
  ])('refuses %s with 400', (_name, text, reason) => {
    const error = restError(() => loadJsonPatch(text));
    expect(error.status).toBe(400);
    expect(`${error.message} ${error.errors.map((e) => e.message).join(' ')}`).toMatch(reason);
  });

  it.each([
    ['a leading zero', '[{"op":"replace","path":"/creators/00","value":{"name":"x"}}]', '00'],
    ['a leading zero before a digit', '[{"op":"remove","path":"/creators/01"}]', '01'],
    ['an exponent', '[{"op":"test","path":"/creators/1e0","value":{"name":"b"}}]', '1e0'],
    ['a sign', '[{"op":"add","path":"/creators/+1","value":{"name":"x"}}]', '+1'],
    ['a leading zero deeper in the path', '[{"op":"replace","path":"/creators/00/name","value":"x"}]', '00'],
    ['a leading zero in from', '[{"op":"copy","from":"/creators/00","path":"/first"}]', '00'],
  ])('refuses an array index with %s (RFC 6901 §4), naming the operation and the path', (_name, text, token) => {
    const document = { creators: [{ name: 'a' }, { name: 'b' }] };
    const operations = loadJsonPatch(text);
    const error = restError(() => applyJsonPatch(document, operations));
    expect(error.status).toBe(400);
    const reason = error.errors.map((e) => e.message).join(' ');
    expect(reason).toContain(`Operation 0 (${operations[0]!.op} `);
    expect(reason).toContain(`"${token}" is not an array index`);
    expect(document.creators).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('accepts canonical indexes, "-" and object members that look like padded numbers', () => {
    const document = { creators: [{ name: 'a' }, { name: 'b' }], codes: { '00': 'zero' } };
    const patched = applyJsonPatch(
      document,
      loadJsonPatch(
        '[{"op":"replace","path":"/creators/0/name","value":"A"},{"op":"add","path":"/creators/-","value":{"name":"c"}},{"op":"replace","path":"/codes/00","value":"nil"}]',
      ),
    );
    expect(patched).toEqual({ creators: [{ name: 'A' }, { name: 'b' }, { name: 'c' }], codes: { '00': 'nil' } });
  });

  it('refuses a patch that turns the record into a non-object', () => {
    expect(restError(() => applyJsonPatch({ a: 1 }, loadJsonPatch('[{"op":"remove","path":""}]'))).status).toBe(400);
  });
});

describe('applyMergePatch', () => {
  // RFC 7396 Appendix A test cases.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ] as [JsonValue, JsonValue, JsonValue][])('MergePatch(%j, %j) = %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('does not modify its arguments', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });

  it('refuses a merge patch that is not an object, and unsafe keys', () => {
    expect(restError(() => loadMergePatch('[1]')).status).toBe(400);
    expect(restError(() => loadMergePatch('{"a":{"__proto__":{"x":1}}}')).errors[0]?.field).toBe('a.__proto__');
    expect(restError(() => applyMergePatch({}, JSON.parse('{"__proto__":{"x":1}}'))).status).toBe(400);
  });
});

describe('parseJson error positions', () => {
  it.each([
    ['{"a":1,}', 7, /property name/],
    ['{"a" 1}', 5, /expected ':'/],
    ['[1 2]', 3, /expected ',' or '\]'/],
    ['{"a":"x\u0001"}', 7, /control character/],
    ['{"a":"\\q"}', 6, /escaped character/],
    ['{"a":01}', 6, /expected ',' or '}'/],
    ['{"a":-}', 6, /minus/],
    ['{"a":1.}', 7, /fractional/],
    ['{"a":tru}', 5, /expected a value/],
    ['{"a":1} x', 8, /after the JSON value/],
    ['{"a":"unterminated', 5, /Unterminated string/],
    ['[[[', 3, /end of JSON input/],
  ])('%j fails at position %i', (text, position, reason) => {
    const error = restError(() => parseJson(text));
    expect(error.message).toContain(`at position ${position} `);
    expect(error.message).toMatch(reason);
  });

  it('never echoes the body back', () => {
    const error = restError(() => parseJson('{"secret": "hunter2", oops}'));
    expect(error.message).not.toContain('hunter2');
  });
});
