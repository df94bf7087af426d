import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  CreateManyResult,
  CreateRecordInput,
  DeleteRecordInput,
  IndexIntent,
  IndexTask,
  JsonObject,
  ListRecordsOptions,
  PID,
  PIDRef,
  PIDStatus,
  RecordRevision,
  RecordStore,
  StoredRecord,
  UpdateRecordInput,
} from '@recordkit/records-service';
import {
  BadRequestError,
  ConflictError,
  isRestError,
  NotFoundError,
  PIDDoesNotExistError,
  PreconditionFailedError,
} from '@recordkit/rest-errors';
import type { SqliteIndexWriter } from '../index-writer.js';
import { type Durability, openDatabase, sqliteResultCode, writeTransaction } from './database.js';
import { migrate, STORE_MIGRATIONS } from './migrations.js';

/** Options of {@link SqliteRecordStore}: either a path (the store opens and owns the file) or an open database. */
export interface SqliteRecordStoreOptions {
  /** Database file (`':memory:'` for a throwaway store). Ignored when `database` is given. */
  path?: string;
  /** An already open database (e.g. shared with the search engine); the store does not close it. */
  database?: DatabaseSync;
  /** See {@link Durability}; default `'full'`. Only used when the store opens the file. */
  durability?: Durability;
  /** Write-lock wait before a 503, in ms; default 5000. Only used when the store opens the file. */
  busyTimeoutMs?: number;
  /**
   * The search engine on the same database. When given, each write's index intent is applied inside
   * the write transaction (`indexesInTransaction: true`); otherwise intents go to the outbox.
   */
  indexWriter?: SqliteIndexWriter;
}

interface RecordRow {
  id: string;
  metadata: string;
  revision: number;
  created: string;
  updated: string;
  deleted: number;
}

interface PIDRow {
  pid_type: string;
  pid_value: string;
  status: PIDStatus;
  record_id: string | null;
  redirect_type: string | null;
  redirect_value: string | null;
  created: string;
  updated: string;
}

/** Thrown inside {@link SqliteRecordStore.createMany}'s first pass to roll it back when an input is refused. */
const REFUSED = Symbol('an input of the batch was refused');
const SQLITE_CONSTRAINT = 19;
/** Page cache of a connection once it has bulk-loaded (see `createMany`), in KiB. */
const BULK_CACHE_KIB = 32 * 1024;

/** A row of {@link SqliteRecordStore.getPIDWithRecord}: the PID's 8 columns, then the record's 6 (null without one). */
type PIDWithRecordRow = [
  pid_type: string,
  pid_value: string,
  status: PIDStatus,
  record_id: string | null,
  redirect_type: string | null,
  redirect_value: string | null,
  created: string,
  updated: string,
  record_id_or_null: string | null,
  metadata: string | null,
  revision: number | null,
  record_created: string | null,
  record_updated: string | null,
  deleted: number | null,
];

const PID_STATUSES: readonly PIDStatus[] = ['new', 'reserved', 'registered', 'redirected', 'deleted'];
const MAX_LIST_LIMIT = 10_000;

/**
 * The `RecordStore` port on `node:sqlite`: records, every revision, PIDs, sequences and (when the search
 * engine lives elsewhere) a transactional index outbox, in one SQLite file. WAL journal, one
 * `BEGIN IMMEDIATE` transaction per write, optimistic concurrency by `UPDATE ... WHERE revision = ?`,
 * versioned schema migrations applied on open.
 *
 * @example
 * const store = new SqliteRecordStore({ path: './records.db' });
 * const record = await store.create({ metadata: { title: 'A' }, pids: [{ type: 'recid', value: '1' }] });
 * await store.update({ id: record.id, expectedRevision: 0, metadata: { title: 'B' } });
 */
export class SqliteRecordStore implements RecordStore {
  readonly indexesInTransaction: boolean;
  readonly #db: DatabaseSync;
  readonly #ownsDatabase: boolean;
  readonly #indexWriter: SqliteIndexWriter | undefined;
  #closed = false;

  constructor(options: SqliteRecordStoreOptions) {
    if (options.database) {
      this.#db = options.database;
      this.#ownsDatabase = false;
    } else if (typeof options.path === 'string' && options.path !== '') {
      const open: Parameters<typeof openDatabase>[0] = { path: options.path };
      if (options.durability !== undefined) open.durability = options.durability;
      if (options.busyTimeoutMs !== undefined) open.busyTimeoutMs = options.busyTimeoutMs;
      this.#db = openDatabase(open);
      this.#ownsDatabase = true;
    } else {
      throw new TypeError('SqliteRecordStore: give `path` (a file or ":memory:") or an open `database`');
    }
    this.#indexWriter = options.indexWriter;
    this.indexesInTransaction = options.indexWriter !== undefined;
    try {
      migrate(this.#db, 'store', STORE_MIGRATIONS);
    } catch (error) {
      if (this.#ownsDatabase) this.#db.close();
      throw error;
    }
  }

  /** The underlying database (for the search engine sharing it, and for tests). */
  get database(): DatabaseSync {
    return this.#db;
  }

  async create(input: CreateRecordInput): Promise<StoredRecord> {
    this.#open();
    const checked = checkCreate(input);
    return writeTransaction(this.#db, () => {
      this.#insertRecord(checked);
      return {
        id: checked.id,
        metadata: structuredClone(input.metadata),
        revision: 0,
        created: checked.now,
        updated: checked.now,
        deleted: false,
      };
    });
  }

  /**
   * Many creates in one `BEGIN IMMEDIATE` transaction (one commit, one WAL sync). Each input is still
   * atomic: an input refused with a client error (duplicate, bad input, a document that does not fit
   * the mapping) is reported in its slot and leaves nothing behind, the others are committed. Any
   * other error rolls the whole call back and is thrown.
   *
   * The first pass writes without savepoints: a savepoint per record costs a sub-journal copy of every
   * page it touches and makes FTS5 flush a segment per document, several times the cost of the insert
   * itself. Should an input fail, that pass is rolled back and the batch is written again with a
   * savepoint per input (callers validate first, so this is rare).
   */
  async createMany(inputs: readonly CreateRecordInput[]): Promise<CreateManyResult[]> {
    this.#open();
    if (!Array.isArray(inputs)) throw new BadRequestError('createMany needs an array of inputs.');
    const checked = inputs.map((input): CheckedCreate | Error => {
      try {
        return checkCreate(input);
      } catch (error) {
        return error as Error;
      }
    });
    const stored = (c: CheckedCreate): CreateManyResult => ({
      ok: true,
      record: { id: c.id, metadata: c.metadata, revision: 0, created: c.now, updated: c.now, deleted: false },
    });
    if (checked.length === 0) return [];
    this.#growCacheForBulkWrites();
    if (!checked.some((c) => c instanceof Error)) {
      const clean = writeTransaction(
        this.#db,
        () => {
          for (const c of checked as CheckedCreate[]) {
            try {
              this.#insertRecord(c, false);
            } catch (error) {
              // A duplicate shows up as a constraint error here (no look-up first); the second pass names it.
              if ((!isRestError(error) || error.status >= 500) && sqliteResultCode(error) !== SQLITE_CONSTRAINT) throw error;
              throw REFUSED;
            }
          }
          return true;
        },
        REFUSED,
      );
      if (clean) return (checked as CheckedCreate[]).map(stored);
    }
    const savepoint = this.#sql('SAVEPOINT create_many');
    const release = this.#sql('RELEASE create_many');
    const rollback = this.#sql('ROLLBACK TO create_many');
    return writeTransaction(this.#db, () =>
      checked.map((c): CreateManyResult => {
        if (c instanceof Error) return { ok: false, error: c };
        savepoint.run();
        try {
          this.#insertRecord(c);
          release.run();
        } catch (error) {
          rollback.run();
          release.run();
          if (!isRestError(error) || error.status >= 500) throw error;
          return { ok: false, error };
        }
        return stored(c);
      }),
    );
  }

  #bulkCache = false;

  /**
   * A connection that bulk-loads keeps a 32 MiB page cache (SQLite's default is 2 MiB). A batch touches
   * pages all over the indexes keyed by random UUIDs; with the default cache they are spilled to the WAL
   * in the middle of the transaction and read back, which in a 10k-record import wrote 177k pages and
   * read 142k (82k and 27k with 16 MiB or more).
   */
  #growCacheForBulkWrites(): void {
    if (this.#bulkCache) return;
    this.#bulkCache = true;
    const current = (this.#sql('PRAGMA cache_size').get() as { cache_size: number }).cache_size;
    const kib = current < 0 ? -current : (current * (this.#sql('PRAGMA page_size').get() as { page_size: number }).page_size) / 1024;
    if (kib < BULK_CACHE_KIB) this.#db.exec(`PRAGMA cache_size = -${BULK_CACHE_KIB}`);
  }

  /**
   * Write a checked create; runs inside the caller's transaction. With `lookUp` false a duplicate id or
   * PID is not named with a 409 but fails on the tables' keys (`SQLITE_CONSTRAINT`).
   */
  #insertRecord(input: CheckedCreate, lookUp = true): void {
    const { id, now, pids } = input;
    if (lookUp && this.#sql('SELECT 1 FROM records WHERE id = ?').get(id)) {
      throw new ConflictError(`Record ${id} already exists.`);
    }
    for (const pid of lookUp ? pids : []) {
      if (this.#sql('SELECT 1 FROM pids WHERE pid_type = ? AND pid_value = ?').get(pid.type, pid.value)) {
        throw new ConflictError(`PID ${pid.type}:${pid.value} already exists.`);
      }
    }
    const metadata = JSON.stringify(input.metadata);
    this.#sql('INSERT INTO records (id, metadata, revision, created, updated, deleted) VALUES (?, ?, 0, ?, ?, 0)').run(
      id,
      metadata,
      now,
      now,
    );
    this.#sql('INSERT INTO record_revisions (record_id, revision, metadata, updated, deleted) VALUES (?, 0, ?, ?, 0)').run(
      id,
      metadata,
      now,
    );
    const insertPID = this.#sql('INSERT INTO pids (pid_type, pid_value, status, record_id, created, updated) VALUES (?, ?, ?, ?, ?, ?)');
    for (const pid of pids) insertPID.run(pid.type, pid.value, pid.status ?? 'registered', id, now, now);
    if (input.index) this.#index(input.index, id, 0);
  }

  async get(id: string): Promise<StoredRecord | undefined> {
    this.#open();
    const row = this.#sql('SELECT * FROM records WHERE id = ?').get(id) as RecordRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<StoredRecord[]> {
    this.#open();
    if (ids.length === 0) return [];
    const rows = this.#sql('SELECT r.* FROM records r WHERE r.id IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(ids),
    ) as unknown as RecordRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    const out: StoredRecord[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(toRecord(row));
    }
    return out;
  }

  async update(input: UpdateRecordInput): Promise<StoredRecord> {
    this.#open();
    assertObject(input.metadata, 'metadata');
    assertRevision(input.expectedRevision);
    const now = timestamp(input.now);
    return writeTransaction(this.#db, () => {
      const current = this.#checkWritable(input.id, input.expectedRevision);
      const metadata = JSON.stringify(input.metadata);
      const result = this.#sql(
        'UPDATE records SET metadata = ?, revision = revision + 1, updated = ? WHERE id = ? AND revision = ? AND deleted = 0',
      ).run(metadata, now, input.id, input.expectedRevision);
      if (Number(result.changes) !== 1) throw revisionMismatch(input.expectedRevision);
      const revision = input.expectedRevision + 1;
      this.#sql('INSERT INTO record_revisions (record_id, revision, metadata, updated, deleted) VALUES (?, ?, ?, ?, 0)').run(
        input.id,
        revision,
        metadata,
        now,
      );
      if (input.index) this.#index(input.index, input.id, revision);
      return { id: input.id, metadata: structuredClone(input.metadata), revision, created: current.created, updated: now, deleted: false };
    });
  }

  async delete(input: DeleteRecordInput): Promise<StoredRecord> {
    this.#open();
    assertRevision(input.expectedRevision);
    const now = timestamp(input.now);
    for (const pid of input.pids ?? []) assertPIDRef(pid);
    return writeTransaction(this.#db, () => {
      const current = this.#checkWritable(input.id, input.expectedRevision);
      const result = this.#sql(
        'UPDATE records SET revision = revision + 1, updated = ?, deleted = 1 WHERE id = ? AND revision = ? AND deleted = 0',
      ).run(now, input.id, input.expectedRevision);
      if (Number(result.changes) !== 1) throw revisionMismatch(input.expectedRevision);
      const revision = input.expectedRevision + 1;
      this.#sql('INSERT INTO record_revisions (record_id, revision, metadata, updated, deleted) VALUES (?, ?, NULL, ?, 1)').run(
        input.id,
        revision,
        now,
      );
      const pids = input.pids ?? (this.#sql('SELECT * FROM pids WHERE record_id = ?').all(input.id) as unknown as PIDRow[]).map(refOf);
      for (const ref of pids) this.#deletePID(ref, now);
      if (input.index) this.#index(input.index, input.id, revision);
      return { ...toRecord(current), revision, updated: now, deleted: true };
    });
  }

  async revisions(id: string): Promise<RecordRevision[]> {
    this.#open();
    const rows = this.#sql(
      'SELECT record_id, revision, metadata, updated, deleted FROM record_revisions WHERE record_id = ? ORDER BY revision',
    ).all(id) as unknown as { record_id: string; revision: number; metadata: string | null; updated: string; deleted: number }[];
    return rows.map((row) => ({
      id: row.record_id,
      revision: row.revision,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as JsonObject),
      updated: row.updated,
      deleted: row.deleted === 1,
    }));
  }

  async list(options: ListRecordsOptions = {}): Promise<StoredRecord[]> {
    this.#open();
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}.`);
    }
    const rows = this.#sql('SELECT * FROM records WHERE id > ? AND (? OR deleted = 0) ORDER BY id LIMIT ?').all(
      options.after ?? '',
      options.includeDeleted ? 1 : 0,
      limit,
    ) as unknown as RecordRow[];
    return rows.map(toRecord);
  }

  async count(options: { includeDeleted?: boolean } = {}): Promise<number> {
    this.#open();
    const row = this.#sql('SELECT count(*) AS n FROM records WHERE (? OR deleted = 0)').get(options.includeDeleted ? 1 : 0) as {
      n: number;
    };
    return row.n;
  }

  async getPID(ref: PIDRef): Promise<PID | undefined> {
    this.#open();
    const row = this.#pidRow(ref);
    return row ? toPID(row) : undefined;
  }

  async getPIDWithRecord(ref: PIDRef): Promise<{ pid: PID; record?: StoredRecord } | undefined> {
    this.#open();
    // One statement for what a GET resolves on every request; rows as arrays (no per-row object of column names).
    const row = this.#pidWithRecord().get(ref.type, ref.value) as unknown as PIDWithRecordRow | undefined;
    if (!row) return undefined;
    const pid: PID = { type: row[0], value: row[1], status: row[2], created: row[6], updated: row[7] };
    if (row[3] !== null) pid.recordId = row[3];
    if (row[4] !== null && row[5] !== null) pid.redirectTo = { type: row[4], value: row[5] };
    if (row[8] === null) return { pid };
    const record: StoredRecord = {
      id: row[8],
      metadata: JSON.parse(row[9] as string) as JsonObject,
      revision: row[10] as number,
      created: row[11] as string,
      updated: row[12] as string,
      deleted: row[13] === 1,
    };
    return { pid, record };
  }

  #pidWithRecordStatement: StatementSync | undefined;

  #pidWithRecord(): StatementSync {
    if (!this.#pidWithRecordStatement) {
      this.#pidWithRecordStatement = this.#db.prepare(
        `SELECT p.pid_type, p.pid_value, p.status, p.record_id, p.redirect_type, p.redirect_value, p.created, p.updated,
                r.id, r.metadata, r.revision, r.created, r.updated, r.deleted
         FROM pids p LEFT JOIN records r ON r.id = p.record_id
         WHERE p.pid_type = ? AND p.pid_value = ?`,
      );
      this.#pidWithRecordStatement.setReturnArrays(true);
    }
    return this.#pidWithRecordStatement;
  }

  async recordPIDs(recordId: string): Promise<PID[]> {
    this.#open();
    const rows = this.#sql('SELECT * FROM pids WHERE record_id = ? ORDER BY created, pid_type, pid_value').all(
      recordId,
    ) as unknown as PIDRow[];
    return rows.map(toPID);
  }

  async createPID(pid: PIDRef & { status: PIDStatus; recordId?: string }): Promise<PID> {
    this.#open();
    assertPIDRef(pid);
    assertStatus(pid.status);
    if (pid.status === 'redirected') throw new BadRequestError('A PID is redirected with redirectPID, not createPID.');
    const now = timestamp();
    return writeTransaction(this.#db, () => {
      if (this.#pidRow(pid)) throw new ConflictError(`PID ${pid.type}:${pid.value} already exists.`);
      if (pid.recordId !== undefined && !this.#sql('SELECT 1 FROM records WHERE id = ?').get(pid.recordId)) {
        throw new NotFoundError(`Record ${pid.recordId} does not exist.`);
      }
      this.#sql('INSERT INTO pids (pid_type, pid_value, status, record_id, created, updated) VALUES (?, ?, ?, ?, ?, ?)').run(
        pid.type,
        pid.value,
        pid.status,
        pid.recordId ?? null,
        now,
        now,
      );
      return toPID(this.#pidRow(pid) as PIDRow);
    });
  }

  async redirectPID(from: PIDRef, to: PIDRef): Promise<PID> {
    this.#open();
    assertPIDRef(from);
    assertPIDRef(to);
    const now = timestamp();
    return writeTransaction(this.#db, () => {
      const source = this.#pidRow(from);
      if (!source) throw new PIDDoesNotExistError(from.type, from.value);
      if (!this.#pidRow(to)) throw new PIDDoesNotExistError(to.type, to.value);
      if (source.status !== 'registered' && source.status !== 'redirected') {
        throw new ConflictError(
          `PID ${from.type}:${from.value} is ${source.status}; only a registered or redirected PID can be redirected.`,
        );
      }
      if (from.type === to.type && from.value === to.value) throw new ConflictError('A PID cannot redirect to itself.');
      this.#sql(
        "UPDATE pids SET status = 'redirected', redirect_type = ?, redirect_value = ?, updated = ? WHERE pid_type = ? AND pid_value = ?",
      ).run(to.type, to.value, now, from.type, from.value);
      return toPID(this.#pidRow(from) as PIDRow);
    });
  }

  async setPIDStatus(ref: PIDRef, status: PIDStatus): Promise<PID | undefined> {
    this.#open();
    assertPIDRef(ref);
    assertStatus(status);
    if (status === 'redirected') throw new BadRequestError('A PID is redirected with redirectPID, not setPIDStatus.');
    const now = timestamp();
    return writeTransaction(this.#db, () => {
      const row = this.#pidRow(ref);
      if (!row) return undefined;
      if (status === 'deleted') {
        this.#deletePID(ref, now);
      } else {
        this.#sql(
          'UPDATE pids SET status = ?, redirect_type = NULL, redirect_value = NULL, updated = ? WHERE pid_type = ? AND pid_value = ?',
        ).run(status, now, ref.type, ref.value);
      }
      const after = this.#pidRow(ref);
      return after ? toPID(after) : undefined;
    });
  }

  async nextSequenceValue(name: string): Promise<number> {
    this.#open();
    if (typeof name !== 'string' || name === '') throw new BadRequestError('Sequence name must be a non-empty string.');
    // No fsync of its own: the WAL is written in order, so the increment is on disk no later than the
    // next synced commit, which is the record that uses the value. A crash in between loses only an
    // unused value (a gap, which sequences allow), never hands one out twice.
    const synchronous = (this.#sql('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
    if (synchronous > 1) this.#db.exec('PRAGMA synchronous = NORMAL');
    try {
      return writeTransaction(this.#db, () => {
        const row = this.#sql(
          'INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
        ).get(name) as { value: number };
        return row.value;
      });
    } finally {
      if (synchronous > 1) this.#db.exec(`PRAGMA synchronous = ${synchronous === 3 ? 'EXTRA' : 'FULL'}`);
    }
  }

  async reserveSequenceValues(name: string, count: number): Promise<number[]> {
    this.#open();
    if (typeof name !== 'string' || name === '') throw new BadRequestError('Sequence name must be a non-empty string.');
    if (!Number.isSafeInteger(count) || count < 1) throw new BadRequestError('count must be a positive integer.');
    const row = writeTransaction(
      this.#db,
      () =>
        this.#sql(
          'INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value',
        ).get(name, count) as { value: number },
    );
    const first = row.value - count + 1;
    return Array.from({ length: count }, (_, i) => first + i);
  }

  async pendingIndexTasks(limit = 100): Promise<IndexTask[]> {
    this.#open();
    if (!Number.isInteger(limit) || limit < 1) throw new BadRequestError('limit must be a positive integer.');
    const rows = this.#sql('SELECT seq, record_id, index_name, version, document FROM index_outbox ORDER BY seq LIMIT ?').all(
      limit,
    ) as unknown as { seq: number; record_id: string; index_name: string; version: number; document: string | null }[];
    return rows.map((row) => ({
      seq: row.seq,
      recordId: row.record_id,
      index: row.index_name,
      version: row.version,
      document: row.document === null ? null : (JSON.parse(row.document) as JsonObject),
    }));
  }

  async completeIndexTasks(seqs: readonly number[]): Promise<void> {
    this.#open();
    if (seqs.length === 0) return;
    writeTransaction(this.#db, () => {
      this.#sql('DELETE FROM index_outbox WHERE seq IN (SELECT value FROM json_each(?))').run(JSON.stringify(seqs));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDatabase) this.#db.close();
  }

  readonly #statements = new Map<string, StatementSync>();

  /** A prepared statement, compiled once per SQL text (the texts are constants of this file). */
  #sql(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #open(): void {
    if (this.#closed) throw new Error('SqliteRecordStore is closed');
  }

  #pidRow(ref: PIDRef): PIDRow | undefined {
    return this.#sql('SELECT * FROM pids WHERE pid_type = ? AND pid_value = ?').get(ref.type, ref.value) as PIDRow | undefined;
  }

  /** Invenio's `PersistentIdentifier.delete()`: a `new` PID is removed, any other becomes `deleted`. */
  #deletePID(ref: PIDRef, now: string): void {
    const row = this.#pidRow(ref);
    if (!row) return;
    if (row.status === 'new') {
      this.#sql('DELETE FROM pids WHERE pid_type = ? AND pid_value = ?').run(ref.type, ref.value);
    } else {
      this.#sql(
        "UPDATE pids SET status = 'deleted', redirect_type = NULL, redirect_value = NULL, updated = ? WHERE pid_type = ? AND pid_value = ?",
      ).run(now, ref.type, ref.value);
    }
  }

  /** Checks in the order a caller can act on: unknown (404), stale (412), already deleted (409). */
  #checkWritable(id: string, expectedRevision: number): RecordRow {
    const row = this.#sql('SELECT * FROM records WHERE id = ?').get(id) as RecordRow | undefined;
    if (!row) throw new NotFoundError(`Record ${id} does not exist.`);
    if (row.revision !== expectedRevision) throw revisionMismatch(expectedRevision);
    if (row.deleted === 1) throw new ConflictError(`Record ${id} is deleted.`);
    return row;
  }

  #index(intent: IndexIntent, recordId: string, version: number): void {
    if (this.#indexWriter) {
      this.#indexWriter.applyIndexWrite({ index: intent.index, id: recordId, version, document: intent.document });
      return;
    }
    this.#sql('INSERT INTO index_outbox (record_id, index_name, version, document) VALUES (?, ?, ?, ?)').run(
      recordId,
      intent.index,
      version,
      intent.document === null ? null : JSON.stringify(intent.document),
    );
  }
}

interface CheckedCreate {
  id: string;
  metadata: JsonObject;
  now: string;
  pids: (PIDRef & { status?: PIDStatus })[];
  index?: IndexIntent | undefined;
}

/** The checks of a create that need no database, in the order `create` has always made them. */
function checkCreate(input: CreateRecordInput): CheckedCreate {
  if (input === null || typeof input !== 'object') throw new BadRequestError('A create input must be an object.');
  const id = input.id ?? randomUUID();
  if (typeof id !== 'string' || id === '') throw new BadRequestError('Record id must be a non-empty string.');
  assertObject(input.metadata, 'metadata');
  const now = timestamp(input.now);
  if (!Array.isArray(input.pids)) throw new BadRequestError('pids must be an array.');
  for (const pid of input.pids) {
    assertPIDRef(pid);
    if (pid.status === 'redirected') throw new BadRequestError('A PID is redirected with redirectPID, not on create.');
    if (pid.status !== undefined) assertStatus(pid.status);
  }
  return { id, metadata: input.metadata, now, pids: input.pids, index: input.index };
}

function toRecord(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    metadata: JSON.parse(row.metadata) as JsonObject,
    revision: row.revision,
    created: row.created,
    updated: row.updated,
    deleted: row.deleted === 1,
  };
}

function toPID(row: PIDRow): PID {
  const pid: PID = { type: row.pid_type, value: row.pid_value, status: row.status, created: row.created, updated: row.updated };
  if (row.record_id !== null) pid.recordId = row.record_id;
  if (row.redirect_type !== null && row.redirect_value !== null) pid.redirectTo = { type: row.redirect_type, value: row.redirect_value };
  return pid;
}

function refOf(row: PIDRow): PIDRef {
  return { type: row.pid_type, value: row.pid_value };
}

function timestamp(now?: Date): string {
  const date = now ?? new Date();
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new BadRequestError('now must be a valid Date.');
  return date.toISOString();
}

function revisionMismatch(expected: number): PreconditionFailedError {
  return new PreconditionFailedError(`The record is no longer at revision ${expected}.`);
}

function assertObject(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(`${name} must be a JSON object.`);
}

function assertRevision(value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 0) throw new BadRequestError('expectedRevision must be a non-negative integer.');
}

function assertPIDRef(ref: PIDRef): void {
  if (typeof ref?.type !== 'string' || ref.type === '' || typeof ref.value !== 'string' || ref.value === '') {
    throw new BadRequestError('A PID needs a non-empty string type and value.');
  }
}

function assertStatus(status: unknown): void {
  if (!PID_STATUSES.includes(status as PIDStatus)) throw new BadRequestError(`Unknown PID status ${JSON.stringify(status)}.`);
}
