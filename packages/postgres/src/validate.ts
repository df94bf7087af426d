// Input checks that run before any SQL: what PostgreSQL cannot store, or what the port forbids, is a
// 400 naming the field, never a driver error that would surface as a 500.

import type { PIDRef, PIDStatus } from '@recordkit/records-service';
import { FieldError, ValidationError } from '@recordkit/rest-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** With the `u` flag a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** SQLite's JSON1 limit, so both stores accept the same documents. */
export const MAX_JSON_DEPTH = 1000;
/**
 * A btree entry holds at most about 2,700 bytes; (type, value) is the primary key of the PID table.
 * Invenio allows 255 characters for a value and 6 for a type; this leaves generous room.
 */
export const MAX_PID_BYTES = 2000;

export const PID_STATUSES: readonly PIDStatus[] = ['new', 'reserved', 'registered', 'redirected', 'deleted'];

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function fail(field: string, message: string): never {
  throw new ValidationError([new FieldError(field, message)]);
}

/** A text value PostgreSQL can store: no NUL character, no unpaired surrogate. */
function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains the NUL character (U+0000), which PostgreSQL cannot store';
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The first problem of a JSON value that JSONB cannot hold as given, with the field it is in. */
function jsonProblem(value: unknown, field: string, depth: number): FieldError | undefined {
  if (depth > MAX_JSON_DEPTH) return new FieldError(field, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
  switch (typeof value) {
    case 'string': {
      const problem = textProblem(value);
      return problem ? new FieldError(field, problem) : undefined;
    }
    case 'number':
      return Number.isFinite(value) ? undefined : new FieldError(field, 'must be a finite number');
    case 'boolean':
      return undefined;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = jsonProblem(value[i], `${field}.${i}`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      if (!isPlainObject(value)) return new FieldError(field, 'must be a JSON value');
      for (const [key, item] of Object.entries(value)) {
        const keyProblem = textProblem(key);
        if (keyProblem) return new FieldError(`${field}.${key}`, `has a key that ${keyProblem}`);
        if (item === undefined) continue; // dropped by JSON serialisation, as everywhere else
        const problem = jsonProblem(item, `${field}.${key}`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return new FieldError(field, 'must be a JSON value');
  }
}

/** A JSON object storable as JSONB, or a 400 naming the offending field. */
export function checkJsonObject(value: unknown, field: string): void {
  if (!isPlainObject(value)) fail(field, 'must be a JSON object');
  const problem = jsonProblem(value, field, 0);
  if (problem) throw new ValidationError([problem]);
}

export function checkRecordId(value: unknown, field = 'id'): string {
  if (!isUuid(value)) fail(field, 'must be a UUID');
  return value.toLowerCase();
}

export function checkRevision(value: unknown, field = 'expectedRevision'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, 'must be a non-negative integer');
  return value;
}

export function checkLimit(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    fail(field, `must be an integer from 1 to ${max}`);
  }
  return value;
}

export function checkStatus(value: unknown, field: string): PIDStatus {
  if (typeof value !== 'string' || !(PID_STATUSES as readonly string[]).includes(value)) {
    fail(field, `must be one of ${PID_STATUSES.join(', ')}`);
  }
  return value as PIDStatus;
}

export function checkPIDRef(ref: unknown, field: string): PIDRef {
  if (typeof ref !== 'object' || ref === null) fail(field, 'must be an object with type and value');
  const { type, value } = ref as { type?: unknown; value?: unknown };
  for (const [name, part] of [
    ['type', type],
    ['value', value],
  ] as const) {
    if (typeof part !== 'string' || part === '') fail(`${field}.${name}`, 'must be a non-empty string');
    const problem = textProblem(part);
    if (problem) fail(`${field}.${name}`, problem);
    if (Buffer.byteLength(part) > MAX_PID_BYTES) fail(`${field}.${name}`, `must be at most ${MAX_PID_BYTES} bytes long`);
  }
  return { type: type as string, value: value as string };
}

export function checkDate(value: unknown, field = 'now'): Date {
  if (value === undefined) return new Date();
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(field, 'must be a valid Date');
  return value;
}
