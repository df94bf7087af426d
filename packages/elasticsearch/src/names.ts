import { FieldError, ValidationError } from '@recordkit/rest-errors';

// Elasticsearch's index-name rules (MetadataCreateIndexService.validateIndexOrAliasName), applied to the
// logical name before any request so a bad name is a 400 naming the field, not an engine error.
const FORBIDDEN = /[\\/*?"<>|\s,#:]/;

/** 400 unless `name` is a valid index name once `prefix` is prepended. */
export function checkIndexName(name: unknown, prefix: string, field = 'index'): string {
  const fail = (reason: string): never => {
    throw new ValidationError([new FieldError(field, reason, 'invalid_index_name')], 'Invalid index name.');
  };
  if (typeof name !== 'string' || name === '') return fail('Must be a non-empty string.');
  const full = `${prefix}${name}`;
  if (full !== full.toLowerCase()) fail('Must be lowercase.');
  if (FORBIDDEN.test(full)) fail('Must not contain spaces or any of \\ / * ? " < > | , # :.');
  if (/^[-_+]/.test(full)) fail('Must not start with -, _ or +.');
  if (full === '.' || full === '..') fail('Must not be "." or "..".');
  // Leave room for the "-v<n>" suffix of the versioned physical index.
  if (Buffer.byteLength(full) > 240) fail('Must be at most 240 bytes long, prefix included.');
  return full;
}

/** The physical index of `alias` at `version`: `<alias>-v<version>`. */
export const physicalName = (alias: string, version: number): string => `${alias}-v${version}`;

/** The version of a physical index of `alias`, or undefined when `name` is not one. */
export function physicalVersion(alias: string, name: string): number | undefined {
  if (!name.startsWith(`${alias}-v`)) return undefined;
  const rest = name.slice(alias.length + 2);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : undefined;
}

/** 400 unless `id` is a usable document id (Elasticsearch caps `_id` at 512 bytes). */
export function checkDocumentId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new ValidationError([new FieldError(field, 'Must be a non-empty string.', 'invalid_id')]);
  }
  if (Buffer.byteLength(id) > 512) throw new ValidationError([new FieldError(field, 'Must be at most 512 bytes long.', 'invalid_id')]);
  return id;
}

/** 400 unless `version` is an external version Elasticsearch accepts (an integer from 0 to 2^63-1). */
export function checkVersion(version: unknown, field: string): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new ValidationError([new FieldError(field, 'Must be a non-negative integer (the record revision).', 'invalid_version')]);
  }
  return version;
}

/** 400 unless `keepAlive` is an Elasticsearch time value such as `1m` or `30s`. */
export function checkKeepAlive(keepAlive: unknown): string {
  if (typeof keepAlive !== 'string' || !/^[1-9]\d*(d|h|m|s|ms|micros|nanos)$/.test(keepAlive)) {
    throw new ValidationError([new FieldError('keep_alive', 'Must be a time value such as 30s, 1m or 2h.', 'invalid_keep_alive')]);
  }
  return keepAlive;
}
