import {
  FieldError,
  InternalServerError,
  PIDDeletedError,
  PIDDoesNotExistError,
  PIDUnregisteredError,
  ValidationError,
} from '@recordkit/rest-errors';
import type { JsonObject, PID, PIDRef, RecordStore, StoredRecord } from './ports.js';

/** What a minter gets: the new record's id and loaded metadata, the endpoint's PID type, the store. */
export interface MintContext {
  recordId: string;
  metadata: JsonObject;
  pidType: string;
  store: RecordStore;
}

/**
 * Assigns the persistent identifier of a new record (invenio-pidstore's minters). Returns the PID and
 * the metadata to store (a minter may write the PID into it, as `recid` does).
 */
export interface Minter {
  (context: MintContext): Promise<{ pid: PIDRef; metadata: JsonObject }>;
  /**
   * The metadata field that holds the PID value, if any. The service keeps it server-managed: a client
   * cannot set it on create (400) nor change or drop it on replace or patch (dropped is re-injected).
   */
  readonly field?: string;
}

/** Reads a record's PID from its id and metadata (invenio-pidstore's fetchers; no I/O). */
export type Fetcher = (recordId: string, metadata: JsonObject) => PIDRef;

/** Options of {@link recidMinter}. */
export interface RecidMinterOptions {
  /** Metadata field the value is written to (Invenio's `PIDSTORE_RECID_FIELD`). Default `control_number`. */
  field?: string;
  /** Sequence name in the store. Default `recid`. */
  sequence?: string;
}

function serverManaged(field: string): ValidationError {
  return new ValidationError([new FieldError(field, `${field} is assigned by the server and cannot be set by the client.`, 'read_only')]);
}

/**
 * Invenio's `recid` minter: sequential integers from the store's sequence, written into the metadata as
 * a string. A body that already carries the field is a 400 (Invenio fails an assertion: 500).
 *
 * @example
 * recidMinter(); // PIDs 1, 2, 3 ... in metadata.control_number
 * recidMinter({ field: 'recid' });
 */
export function recidMinter(options: RecidMinterOptions = {}): Minter {
  const field = options.field ?? 'control_number';
  const sequence = options.sequence ?? 'recid';
  const mint = async ({ metadata, pidType, store }: MintContext) => {
    if (Object.hasOwn(metadata, field)) throw serverManaged(field);
    const value = String(await store.nextSequenceValue(sequence));
    return { pid: { type: pidType, value }, metadata: { ...metadata, [field]: value } };
  };
  return Object.assign(mint, { field });
}

/**
 * The record's UUID is its PID value. With `field`, the UUID is also written into the metadata.
 *
 * @example
 * uuidMinter(); // PID value = record id
 */
export function uuidMinter(options: { field?: string } = {}): Minter {
  const field = options.field;
  const mint = async ({ recordId, metadata, pidType }: MintContext) => {
    if (field === undefined) return { pid: { type: pidType, value: recordId }, metadata };
    if (Object.hasOwn(metadata, field)) throw serverManaged(field);
    return { pid: { type: pidType, value: recordId }, metadata: { ...metadata, [field]: recordId } };
  };
  return field === undefined ? mint : Object.assign(mint, { field });
}

/**
 * The client supplies the PID value in a metadata field (e.g. a DOI it registered elsewhere). A missing
 * or non-string value is a 400; a value already taken is a 409 from the store.
 *
 * @example
 * providedMinter({ field: 'doi' }); // POST {"doi": "10.1234/abc", ...}
 */
export function providedMinter(options: { field: string; pattern?: RegExp }): Minter {
  const { field, pattern } = options;
  const mint = async ({ metadata, pidType }: MintContext) => {
    const value = metadata[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ValidationError([new FieldError(field, 'Missing data for required field.', 'required')]);
    }
    if (pattern && !pattern.test(value)) {
      throw new ValidationError([new FieldError(field, `Does not match ${String(pattern)}.`, 'pattern')]);
    }
    return { pid: { type: pidType, value }, metadata };
  };
  return Object.assign(mint, { field });
}

/**
 * The fetcher matching {@link recidMinter} / {@link providedMinter}: the PID value is `String(metadata[field])`.
 *
 * @example
 * fieldFetcher('recid', 'control_number')(id, { control_number: '7' }); // { type: 'recid', value: '7' }
 */
export function fieldFetcher(pidType: string, field = 'control_number'): Fetcher {
  return (_recordId, metadata) => ({ type: pidType, value: String(metadata[field]) });
}

/**
 * The fetcher matching {@link uuidMinter}: the PID value is the record id.
 *
 * @example
 * uuidFetcher('uuid')(id, metadata); // { type: 'uuid', value: id }
 */
export function uuidFetcher(pidType: string): Fetcher {
  return (recordId) => ({ type: pidType, value: recordId });
}

/** A resolved PID: the PID and its record. */
export interface ResolvedPID {
  pid: PID;
  record: StoredRecord;
}

/**
 * Resolve a PID to its record in invenio-pidstore's resolver order: unknown -> 404 "PID does not
 * exist."; `new`/`reserved` -> 404 "PID is not registered."; `deleted` (or a registered PID whose record
 * is deleted) -> 410 with the record as tombstone; `redirected` -> `onRedirect(target)` decides (the
 * service turns it into a 301 to the target's URL); registered without a record -> 500.
 *
 * @example
 * const { pid, record } = await resolvePID(store, { type: 'recid', value: '1' }, (to) => { throw ... });
 */
export async function resolvePID(store: RecordStore, ref: PIDRef, onRedirect: (pid: PID, target: PIDRef) => never): Promise<ResolvedPID> {
  const pid = await store.getPID(ref);
  if (!pid) throw new PIDDoesNotExistError(ref.type, ref.value);
  if (pid.status === 'new' || pid.status === 'reserved') throw new PIDUnregisteredError(ref.type, ref.value);
  if (pid.status === 'deleted') {
    const tombstone = pid.recordId ? await store.get(pid.recordId) : undefined;
    throw new PIDDeletedError(ref.type, ref.value, tombstone);
  }
  if (pid.status === 'redirected') {
    if (!pid.redirectTo) throw new InternalServerError(new Error(`PID ${ref.type}:${ref.value} is redirected without a target`));
    onRedirect(pid, pid.redirectTo);
  }
  if (!pid.recordId) throw new InternalServerError(new Error(`No object assigned to ${ref.type}:${ref.value}`));
  const record = await store.get(pid.recordId);
  if (!record) throw new InternalServerError(new Error(`PID ${ref.type}:${ref.value} points at a missing record ${pid.recordId}`));
  if (record.deleted) throw new PIDDeletedError(ref.type, ref.value, record);
  return { pid, record };
}
