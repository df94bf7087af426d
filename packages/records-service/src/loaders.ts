import { FieldError, InvalidDataError, PatchError } from '@recordkit/rest-errors';
import { applyPatch, type Operation } from 'rfc6902';
import { locateJsonError } from './json-error.js';
import type { JsonObject, JsonValue } from './ports.js';

/**
 * `application/json`: a full record body (POST, PUT).
 * @example
 * requireContentType(headers, [JSON_MEDIA_TYPE]);
 */
export const JSON_MEDIA_TYPE = 'application/json';
/**
 * `application/json-patch+json`: RFC 6902 JSON Patch (PATCH).
 * @example
 * if (type === JSON_PATCH_MEDIA_TYPE) applyJsonPatch(doc, loadJsonPatch(text));
 */
export const JSON_PATCH_MEDIA_TYPE = 'application/json-patch+json';
/**
 * `application/merge-patch+json`: RFC 7396 JSON Merge Patch (PATCH).
 * @example
 * if (type === MERGE_PATCH_MEDIA_TYPE) applyMergePatch(doc, loadMergePatch(text));
 */
export const MERGE_PATCH_MEDIA_TYPE = 'application/merge-patch+json';

/** Keys that could reach an object's prototype when a body is merged or assigned into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * Deeper bodies are refused: no record needs them, and walking them is a denial-of-service lever.
 * @example
 * assertSafeJson(body); // throws 400 past MAX_BODY_DEPTH levels
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Parse a request body as JSON. A syntax error is a 400 naming the position (0-based character offset,
 * with line and column) so the client can find it; an empty body is a 400 too.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259 RFC 8259 JSON
 * @example
 * parseJson('{"title": "A"}'); // { title: 'A' }
 * parseJson('{"title": }'); // throws 400 "... at position 10 (line 1, column 11)"
 */
export function parseJson(text: string): JsonValue {
  if (text.trim() === '') {
    throw new InvalidDataError('The request body is empty; send a JSON document.', [
      new FieldError('body', 'The request body is empty.', 'empty_body', { pointer: '' }),
    ]);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const located = locateJsonError(text);
    let where = '';
    let reason = error instanceof Error ? error.message.replace(/,?\s*".*$/s, '') : 'Invalid JSON';
    if (located) {
      const before = text.slice(0, located.position);
      const line = before.split('\n').length;
      const column = located.position - before.lastIndexOf('\n');
      where = ` at position ${located.position} (line ${line}, column ${column})`;
      reason = located.reason;
    }
    const message = `The request body is not valid JSON${where}: ${reason}.`;
    throw new InvalidDataError(message, [new FieldError('body', message, 'invalid_json', { pointer: '' })]);
  }
}

function fieldOf(path: readonly (string | number)[]): string {
  return path.join('.');
}

function pointerOf(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/**
 * Refuse `__proto__`, `constructor` and `prototype` keys anywhere in a body, and bodies nested deeper
 * than {@link MAX_BODY_DEPTH}. Iterative, so a hostile body cannot overflow the stack.
 *
 * @example
 * assertSafeJson(JSON.parse('{"a":{"__proto__":{}}}')); // throws 400 naming a.__proto__
 */
export function assertSafeJson(value: JsonValue, basePath: readonly (string | number)[] = []): void {
  const stack: { value: JsonValue; path: (string | number)[] }[] = [{ value, path: [...basePath] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (path.length - basePath.length >= MAX_BODY_DEPTH) {
      const message = `The document is nested more than ${MAX_BODY_DEPTH} levels deep.`;
      throw new InvalidDataError(message, [new FieldError(fieldOf(path), message, 'too_deep', { pointer: pointerOf(path) })]);
    }
    if (Array.isArray(current)) {
      current.forEach((item, index) => {
        stack.push({ value: item, path: [...path, index] });
      });
      continue;
    }
    for (const key of Object.keys(current)) {
      const childPath = [...path, key];
      if (FORBIDDEN_KEYS.has(key)) {
        const message = `The key "${key}" is not allowed.`;
        throw new InvalidDataError(message, [
          new FieldError(fieldOf(childPath), message, 'forbidden_key', { pointer: pointerOf(childPath) }),
        ]);
      }
      stack.push({ value: current[key] as JsonValue, path: childPath });
    }
  }
}

/**
 * A loaded record body must be a JSON object (Invenio answers 500 to `[]` and 400 to `null`).
 *
 * @example
 * assertRecordBody({ title: 'A' }); // ok
 * assertRecordBody([1]); // throws 400
 */
export function assertRecordBody(value: JsonValue): asserts value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    const message = `The request body must be a JSON object, not ${kind}.`;
    throw new InvalidDataError(message, [new FieldError('body', message, 'not_an_object', { pointer: '' })]);
  }
}

/**
 * Load a full record body (`application/json`): parse, refuse unsafe keys, require an object.
 *
 * @example
 * loadRecordJson('{"title":"A"}'); // { title: 'A' }
 */
export function loadRecordJson(text: string): JsonObject {
  const value = parseJson(text);
  assertRecordBody(value);
  assertSafeJson(value);
  return value;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function patchFailure(index: number, operation: unknown, reason: string): PatchError {
  return new PatchError({ index, operation, reason });
}

function checkPointer(index: number, operation: unknown, member: 'path' | 'from', pointer: unknown): void {
  if (typeof pointer !== 'string') throw patchFailure(index, operation, `Operation ${index}: "${member}" must be a JSON Pointer string.`);
  if (pointer !== '' && !pointer.startsWith('/')) {
    throw patchFailure(
      index,
      operation,
      `Operation ${index}: "${member}" ${JSON.stringify(pointer)} is not a JSON Pointer (RFC 6901); it must start with "/".`,
    );
  }
  if (/~(?![01])/.test(pointer)) {
    throw patchFailure(index, operation, `Operation ${index}: "${member}" has a "~" not followed by 0 or 1.`);
  }
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (FORBIDDEN_KEYS.has(key))
      throw patchFailure(index, operation, `Operation ${index}: the key "${key}" is not allowed in "${member}".`);
  }
}

/**
 * Parse and check an RFC 6902 JSON Patch document: an array of operations, each with a known `op`, valid
 * JSON Pointers (no `__proto__`/`constructor`/`prototype` segments) and the members its op needs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6902#section-4 RFC 6902 §4 Operations
 * @example
 * loadJsonPatch('[{"op":"replace","path":"/title","value":"B"}]');
 */
export function loadJsonPatch(text: string): Operation[] {
  const value = parseJson(text);
  if (!Array.isArray(value)) {
    const message = 'A JSON Patch document must be an array of operations.';
    throw new InvalidDataError(message, [new FieldError('body', message, 'not_an_array', { pointer: '' })]);
  }
  value.forEach((operation, index) => {
    if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) {
      throw patchFailure(index, operation, `Operation ${index} must be an object.`);
    }
    const op = operation.op;
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw patchFailure(index, operation, `Operation ${index}: "op" must be one of add, remove, replace, move, copy, test.`);
    }
    checkPointer(index, operation, 'path', operation.path);
    if (op === 'move' || op === 'copy') checkPointer(index, operation, 'from', operation.from);
    if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(operation, 'value')) {
      throw patchFailure(index, operation, `Operation ${index}: "${op}" needs a "value".`);
    }
    if (Object.hasOwn(operation, 'value')) assertSafeJson(operation.value as JsonValue, [index, 'value']);
  });
  return value as unknown as Operation[];
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * RFC 6901 §4: a token that meets an array must be `0` or digits without a leading zero (or `-`, the
 * end of the array, which the patch library judges per op). The library reads `00` or `1e0` as numbers,
 * so this is checked against the document as it is when the operation runs. Only tokens that meet an
 * array are checked: `00` is a fine member name of an object.
 */
function checkArrayIndexes(document: JsonValue, index: number, operation: Operation, pointer: string): void {
  let current: JsonValue | undefined = document;
  for (const segment of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return;
    const token = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!Array.isArray(current)) {
      current = Object.hasOwn(current, token) ? current[token] : undefined;
      continue;
    }
    if (token === '-') return;
    if (!ARRAY_INDEX.test(token)) {
      throw patchFailure(
        index,
        operation,
        `Operation ${index} (${operation.op} ${pointer}): "${token}" is not an array index (RFC 6901 §4: 0, or digits without a leading zero).`,
      );
    }
    current = current[Number(token)];
  }
}

/**
 * Apply a JSON Patch to a copy of `document`, atomically: the first failing operation (a failed `test`,
 * a missing path, ...) is a 400 naming its index, and nothing is applied.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6902#section-5 RFC 6902 §5 Error Handling
 * @example
 * applyJsonPatch({ title: 'A' }, [{ op: 'replace', path: '/title', value: 'B' }]); // { title: 'B' }
 */
export function applyJsonPatch(document: JsonObject, operations: readonly Operation[]): JsonObject {
  const target = structuredClone(document);
  operations.forEach((operation, index) => {
    checkArrayIndexes(target, index, operation, operation.path);
    if (operation.op === 'move' || operation.op === 'copy') checkArrayIndexes(target, index, operation, operation.from);
    let failure: unknown;
    try {
      failure = applyPatch(target, [operation])[0];
    } catch (error) {
      failure = error;
    }
    if (failure) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      throw patchFailure(index, operation, `Operation ${index} (${operation.op} ${operation.path}) failed: ${reason}.`);
    }
  });
  assertRecordBody(target as JsonValue);
  return target;
}

/**
 * Parse an RFC 7396 JSON Merge Patch for a record: it must be an object (a non-object merge patch would
 * replace the whole record with a non-object).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7396#section-2 RFC 7396 §2
 * @example
 * loadMergePatch('{"title":"B","obsolete":null}');
 */
export function loadMergePatch(text: string): JsonObject {
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const message = 'A merge patch for a record must be a JSON object.';
    throw new InvalidDataError(message, [new FieldError('body', message, 'not_an_object', { pointer: '' })]);
  }
  assertSafeJson(value);
  return value;
}

/**
 * RFC 7396 `MergePatch(Target, Patch)`: objects merge recursively, `null` removes a member, anything
 * else (arrays included) replaces. Pure: returns a new value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7396#section-2 RFC 7396 §2 Processing Merge Patch Documents
 * @example
 * applyMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }); // { a: 'z', c: { d: 'e' } }
 */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: JsonObject = target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(key)) {
      const message = `The key "${key}" is not allowed.`;
      throw new InvalidDataError(message, [new FieldError(key, message, 'forbidden_key')]);
    }
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(Object.hasOwn(result, key) ? (result[key] as JsonValue) : null, value);
  }
  return result;
}
