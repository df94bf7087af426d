import { createHash, randomUUID } from 'node:crypto';
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
  ConflictError,
  FieldError,
  isRestError,
  NotFoundError,
  PIDDoesNotExistError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '@recordkit/rest-errors';
import pg from 'pg';
import { classifyFailure, isBrokenConnection, sqlState, translateFailure } from './errors.js';
import { applyMigrations, checkSchemaName, type MigrateResult, quoteIdent } from './migrations.js';
import {
  checkDate,
  checkJsonObject,
  checkLimit,
  checkPIDRef,
  checkRecordId,
  checkRevision,
  checkStatus,
  fail,
  isUuid,
} from './validate.js';

/**
 * Options of {@link PostgresRecordStore} and {@link openPostgresRecordStore}.
 *
 * @example
 * const options: PostgresRecordStoreOptions = { schema: 'catalog', poolSize: 20, statementTimeoutMs: 10_000 };
 */
export interface PostgresRecordStoreOptions {
  /** A `postgres://user:password@host:port/database` URL. Default: `process.env.DATABASE_URL`. */
  connectionString?: string;
  /**
   * The schema that holds the tables (created by the migrations when missing). Default `recordkit`.
   * Several stores (tenants, test suites) can share one database with one schema each.
   */
  schema?: string;
  /** Maximum number of pooled connections. Default 10. */
  poolSize?: number;
  /** Server-side `statement_timeout` per statement, in milliseconds; 0 disables it. Default 30000. */
  statementTimeoutMs?: number;
  /** How long to wait for a new connection, in milliseconds. Default 5000. */
  connectionTimeoutMs?: number;
  /** How long an unused pooled connection stays open, in milliseconds. Default 10000. */
  idleTimeoutMs?: number;
  /**
   * How many more times to try after a connection failure (refused, reset, terminated) before
   * answering 503. Reads are retried; a write is retried only when its COMMIT was never sent, so it
   * cannot have been applied. Default 2.
   */
  connectRetries?: number;
  /** Delay before the first retry, doubled on each further one, in milliseconds. Default 100. */
  retryDelayMs?: number;
  /** `Retry-After` (seconds) sent with the 503 when the database is unavailable. Default 1. */
  retryAfterSeconds?: number;
  /** Extra `pg` pool settings (e.g. `ssl`, `host`, `user`), applied beneath the options above. */
  pg?: pg.PoolConfig;
  /**
   * Called with errors that happen outside any request, such as a pooled idle connection that the
   * server closed. They never throw; the default writes one line to `console.warn`.
   */
  onBackgroundError?: (error: Error) => void;
}

interface RecordRow {
  id: string;
  metadata: JsonObject;
  revision: number;
  created: Date;
  updated: Date;
  deleted: boolean;
}

interface PIDRow {
  pid_type: string;
  pid_value: string;
  status: PIDStatus;
  record_id: string | null;
  redirect_type: string | null;
  redirect_value: string | null;
  created: Date;
  updated: Date;
}

interface RunState {
  commitSent: boolean;
}

const RECORD_COLUMNS = 'id, metadata, revision, created, updated, deleted';
const PID_COLUMNS = 'pid_type, pid_value, status, record_id, redirect_type, redirect_value, created, updated';
const TRANSACTION_RETRIES = 3;

function toRecord(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    metadata: row.metadata,
    revision: row.revision,
    created: row.created.toISOString(),
    updated: row.updated.toISOString(),
    deleted: row.deleted,
  };
}

function toPID(row: PIDRow): PID {
  const pid: PID = {
    type: row.pid_type,
    value: row.pid_value,
    status: row.status,
    created: row.created.toISOString(),
    updated: row.updated.toISOString(),
  };
  if (row.record_id !== null) pid.recordId = row.record_id;
  if (row.redirect_type !== null && row.redirect_value !== null) pid.redirectTo = { type: row.redirect_type, value: row.redirect_value };
  return pid;
}

const pidLabel = (ref: PIDRef) => `${ref.type}:${ref.value}`;

/** A minter's sequence name: readable when the minter name is a plain identifier, a hash otherwise. */
function sequenceName(name: string): string {
  return /^[a-z0-9_]{1,48}$/.test(name) ? `minter_${name}` : `minter#${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The {@link RecordStore} port on PostgreSQL: records as JSONB with their revisions, PIDs with their
 * statuses and redirects, one sequence per minter, and a transactional outbox for the search index.
 *
 * Every write is one transaction. Optimistic concurrency is a conditional
 * `UPDATE ... WHERE revision = $expected`: of two writers holding the same revision exactly one wins,
 * the other gets a `PreconditionFailedError` (412, RFC 9110 §13.1.1 If-Match semantics). The index
 * intent of a write is stored in the same transaction (`indexesInTransaction` is false): the service
 * drains it with {@link PostgresRecordStore.pendingIndexTasks} and
 * {@link PostgresRecordStore.completeIndexTasks}, so a write committed while the search engine is down
 * is indexed later and never lost.
 *
 * An unreachable database, a lost connection or a statement timeout is a `ServiceUnavailableError`
 * (503 with `Retry-After`, RFC 9110 §15.6.4), never an unhandled error.
 *
 * The constructor does no I/O; call {@link PostgresRecordStore.migrate} (or use
 * {@link openPostgresRecordStore}, which does) before the first request.
 *
 * @example
 * const store = new PostgresRecordStore({ connectionString: process.env.DATABASE_URL, schema: 'catalog' });
 * await store.migrate();
 * const record = await store.create({ metadata: { title: 'Ulysses' }, pids: [{ type: 'recid', value: '1' }] });
 */
export class PostgresRecordStore implements RecordStore {
  /** Always false: index intents go to the outbox, to be applied by the service after the commit. */
  readonly indexesInTransaction = false;
  /** The schema that holds this store's tables. */
  readonly schema: string;

  readonly #pool: pg.Pool;
  readonly #q: string;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #retryAfter: number;
  readonly #onBackgroundError: (error: Error) => void;
  #closed = false;

  constructor(options: PostgresRecordStoreOptions = {}) {
    this.schema = checkSchemaName(options.schema ?? 'recordkit');
    this.#q = quoteIdent(this.schema);
    const connectionString = options.connectionString ?? options.pg?.connectionString ?? process.env.DATABASE_URL;
    const statementTimeout = options.statementTimeoutMs ?? 30_000;
    const numberOption = (name: string, value: number | undefined, fallback: number, min: number) => {
      const v = value ?? fallback;
      if (!Number.isFinite(v) || v < min) throw new TypeError(`@recordkit/postgres: ${name} must be a number >= ${min}, got ${v}`);
      return v;
    };
    this.#retries = numberOption('connectRetries', options.connectRetries, 2, 0);
    this.#retryDelayMs = numberOption('retryDelayMs', options.retryDelayMs, 100, 0);
    this.#retryAfter = numberOption('retryAfterSeconds', options.retryAfterSeconds, 1, 0);
    this.#onBackgroundError =
      options.onBackgroundError ?? ((error) => console.warn(`@recordkit/postgres: background connection error: ${error.message}`));
    this.#pool = new pg.Pool({
      application_name: 'recordkit',
      keepAlive: true,
      ...options.pg,
      ...(connectionString === undefined ? {} : { connectionString }),
      max: numberOption('poolSize', options.poolSize, 10, 1),
      connectionTimeoutMillis: numberOption('connectionTimeoutMs', options.connectionTimeoutMs, 5_000, 0),
      idleTimeoutMillis: numberOption('idleTimeoutMs', options.idleTimeoutMs, 10_000, 0),
      ...(numberOption('statementTimeoutMs', statementTimeout, 30_000, 0) > 0
        ? {
            statement_timeout: statementTimeout,
            // The server cannot cancel a statement over a dead network: the client gives up a bit later.
            query_timeout: statementTimeout + 5_000,
          }
        : {}),
      // A transaction left open by a crashed caller must not hold row locks forever.
      idle_in_transaction_session_timeout: Math.max(60_000, statementTimeout * 2),
    });
    // Without a listener, an idle pooled connection closed by the server would crash the process.
    this.#pool.on('error', (error) => this.#onBackgroundError(error));
  }

  /**
   * Apply the missing schema migrations, under an advisory lock (safe from several processes at once).
   *
   * @example
   * const { applied, version } = await store.migrate();
   */
  async migrate(): Promise<MigrateResult> {
    return this.#run((client) => applyMigrations(client, this.schema), false);
  }

  // -------------------------------------------------------------------------------------------------
  // Connection handling
  // -------------------------------------------------------------------------------------------------

  /**
   * Run `work` on a pooled connection, inside a transaction when `transaction` is set. Connection
   * failures are retried (a write only while its COMMIT was not sent); serialization failures and
   * deadlocks re-run the transaction; what remains becomes a 503.
   */
  async #run<T>(work: (client: pg.PoolClient, state: RunState) => Promise<T>, transaction: boolean): Promise<T> {
    if (this.#closed) throw new ServiceUnavailableError(this.#retryAfter, 'The record store is closed.');
    let connectionAttempts = 0;
    let transactionAttempts = 0;
    for (;;) {
      const state: RunState = { commitSent: false };
      let client: pg.PoolClient | undefined;
      // A checked-out client emits 'error' when its connection drops between two of our queries;
      // the next query then fails and is handled below, so the event itself only needs a listener.
      const onClientError = () => undefined;
      try {
        client = await this.#pool.connect();
        client.on('error', onClientError);
        const result = transaction ? await this.#transaction(client, work, state) : await work(client, state);
        client.off('error', onClientError);
        client.release();
        return result;
      } catch (error) {
        if (client) {
          client.off('error', onClientError);
          client.release(isBrokenConnection(error) ? (error as Error) : undefined);
        }
        if (isRestError(error)) throw error;
        const kind = classifyFailure(error);
        if (kind === 'connection' && !state.commitSent && connectionAttempts < this.#retries && !this.#closed) {
          await sleep(this.#retryDelayMs * 2 ** connectionAttempts);
          connectionAttempts++;
          continue;
        }
        if (kind === 'retry-transaction' && transactionAttempts < TRANSACTION_RETRIES) {
          transactionAttempts++;
          continue;
        }
        throw translateFailure(error, this.#retryAfter);
      }
    }
  }

  async #transaction<T>(client: pg.PoolClient, work: (client: pg.PoolClient, state: RunState) => Promise<T>, state: RunState): Promise<T> {
    await client.query('BEGIN');
    let result: T;
    try {
      result = await work(client, state);
    } catch (error) {
      if (!isBrokenConnection(error)) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    state.commitSent = true;
    await client.query('COMMIT');
    return result;
  }

  #read<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#run(work, false);
  }

  #write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#run(work, true);
  }

  async #enqueue(client: pg.PoolClient, recordId: string, version: number, index: IndexIntent | undefined): Promise<void> {
    if (!index) return;
    await client.query(`INSERT INTO ${this.#q}.index_outbox (record_id, version, index_name, document) VALUES ($1, $2, $3, $4::jsonb)`, [
      recordId,
      version,
      index.index,
      index.document === null ? null : JSON.stringify(index.document),
    ]);
  }

  // -------------------------------------------------------------------------------------------------
  // Records
  // -------------------------------------------------------------------------------------------------

  /**
   * Insert a record at revision 0 with its PIDs, in one transaction. A PID that already exists, or an
   * id already taken, is a `ConflictError` (409) and nothing is written.
   *
   * @example
   * await store.create({ metadata: { title: 'A' }, pids: [{ type: 'recid', value: '1' }] });
   */
  async create(input: CreateRecordInput): Promise<StoredRecord> {
    const checked = checkCreate(input);
    return this.#write((client) => this.#insertRecord(client, checked));
  }

  /**
   * Many creates in one transaction (one commit): four multi-row statements for the whole batch. Should
   * an input be refused with a client error (duplicate id or PID, bad input), the batch is written
   * again with a savepoint per input: the refused ones are reported in their slots, the others are
   * committed together. Any other error rolls everything back.
   *
   * @example
   * const results = await store.createMany(inputs);
   * const refused = results.filter((r) => !r.ok).length;
   */
  async createMany(inputs: readonly CreateRecordInput[]): Promise<CreateManyResult[]> {
    if (!Array.isArray(inputs)) fail('inputs', 'must be an array');
    const checked = inputs.map((input): CheckedCreate | Error => {
      try {
        return checkCreate(input);
      } catch (error) {
        if (!isRestError(error)) throw error;
        return error;
      }
    });
    if (checked.every((c) => c instanceof Error)) return checked.map((error) => ({ ok: false, error: error as Error }));
    if (!checked.some((c) => c instanceof Error)) {
      const batch = checked as CheckedCreate[];
      try {
        await this.#write((client) => this.#insertBatch(client, batch));
        return batch.map((c) => ({
          ok: true,
          record: { id: c.id, metadata: c.metadata, revision: 0, created: c.at, updated: c.at, deleted: false },
        }));
      } catch (error) {
        if (!(error instanceof BatchRefused)) throw error;
      }
    }
    return this.#write(async (client) => {
      const results: CreateManyResult[] = [];
      for (const c of checked) {
        if (c instanceof Error) {
          results.push({ ok: false, error: c });
          continue;
        }
        await client.query('SAVEPOINT create_many');
        try {
          results.push({ ok: true, record: await this.#insertRecord(client, c) });
          await client.query('RELEASE SAVEPOINT create_many');
        } catch (error) {
          if (!isRestError(error) || error.status >= 500) throw error;
          await client.query('ROLLBACK TO SAVEPOINT create_many');
          results.push({ ok: false, error });
        }
      }
      return results;
    });
  }

  /**
   * The whole batch in four statements (records, revisions, PIDs, outbox), a round trip each instead of
   * six per record. A duplicate id or PID anywhere rolls it back with {@link BatchRefused}; `createMany`
   * then writes the batch again one savepoint per input, which names the refused ones.
   */
  async #insertBatch(client: pg.PoolClient, batch: CheckedCreate[]): Promise<void> {
    const ids = batch.map((c) => c.id);
    const metadata = batch.map((c) => JSON.stringify(c.metadata));
    const at = batch.map((c) => c.at);
    const records = await client.query(
      `INSERT INTO ${this.#q}.records (id, metadata, revision, created, updated)
       SELECT id, m::jsonb, 0, at, at FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS r(id, m, at, n) ORDER BY n
       ON CONFLICT (id) DO NOTHING`,
      [ids, metadata, at],
    );
    if (records.rowCount !== batch.length) throw new BatchRefused();
    await client.query(
      `INSERT INTO ${this.#q}.record_revisions (record_id, revision, metadata, updated, deleted)
       SELECT id, 0, m::jsonb, at, false FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS r(id, m, at)`,
      [ids, metadata, at],
    );
    const pids = batch.flatMap((c) => c.pids.map((pid) => ({ ...pid, id: c.id, at: c.at })));
    if (pids.length) {
      const inserted = await client.query(
        `INSERT INTO ${this.#q}.pids (pid_type, pid_value, status, record_id, created, updated)
         SELECT t, v, s, id, at, at FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[]) WITH ORDINALITY AS p(t, v, s, id, at, n) ORDER BY n
         ON CONFLICT (pid_type, pid_value) DO NOTHING`,
        [pids.map((p) => p.type), pids.map((p) => p.value), pids.map((p) => p.status), pids.map((p) => p.id), pids.map((p) => p.at)],
      );
      if (inserted.rowCount !== pids.length) throw new BatchRefused();
    }
    const intents = batch.filter((c) => c.index !== undefined);
    if (intents.length) {
      await client.query(
        `INSERT INTO ${this.#q}.index_outbox (record_id, version, index_name, document)
         SELECT id, 0, i, d::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS o(id, i, d, n) ORDER BY n`,
        [
          intents.map((c) => c.id),
          intents.map((c) => c.index!.index),
          intents.map((c) => (c.index!.document === null ? null : JSON.stringify(c.index!.document))),
        ],
      );
    }
  }

  /** Write a checked create on `client`, inside the caller's transaction. */
  async #insertRecord(client: pg.PoolClient, c: CheckedCreate): Promise<StoredRecord> {
    const { id, pids, at } = c;
    const inserted = await client.query<RecordRow>(
      `INSERT INTO ${this.#q}.records (id, metadata, revision, created, updated) VALUES ($1, $2::jsonb, 0, $3, $3)
       ON CONFLICT (id) DO NOTHING RETURNING ${RECORD_COLUMNS}`,
      [c.id, JSON.stringify(c.metadata), c.at],
    );
    const row = inserted.rows[0];
    if (!row) throw new ConflictError(`Record ${id} already exists.`, { errors: [new FieldError('id', 'is already taken')] });
    await client.query(
      `INSERT INTO ${this.#q}.record_revisions (record_id, revision, metadata, updated, deleted) VALUES ($1, 0, $2::jsonb, $3, false)`,
      [id, JSON.stringify(c.metadata), at],
    );
    if (pids.length) {
      // ON CONFLICT DO NOTHING waits for a concurrent insert of the same PID and then skips it, so the
      // returned rows tell exactly which PIDs were taken, all of them at once.
      const result = await client.query<{ pid_type: string; pid_value: string }>(
        `INSERT INTO ${this.#q}.pids (pid_type, pid_value, status, record_id, created, updated)
         SELECT t, v, s, $4, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS p(t, v, s, n) ORDER BY n
         ON CONFLICT (pid_type, pid_value) DO NOTHING RETURNING pid_type, pid_value`,
        [pids.map((p) => p.type), pids.map((p) => p.value), pids.map((p) => p.status), id, at],
      );
      if (result.rows.length !== pids.length) {
        const created = new Set(result.rows.map((r) => JSON.stringify([r.pid_type, r.pid_value])));
        const taken = pids.map((pid, i) => ({ pid, i })).filter(({ pid }) => !created.has(JSON.stringify([pid.type, pid.value])));
        throw new ConflictError(`PID ${taken.map(({ pid }) => pidLabel(pid)).join(', ')} already exists.`, {
          errors: taken.map(({ pid, i }) => new FieldError(`pids.${i}`, `${pidLabel(pid)} already exists`, 'pid_exists')),
        });
      }
    }
    await this.#enqueue(client, id, 0, c.index);
    return toRecord(row);
  }

  /**
   * The current record (deleted ones included, with `deleted: true`), or undefined.
   *
   * @example
   * const record = await store.get(id);
   */
  async get(id: string): Promise<StoredRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const result = await this.#read((client) =>
      client.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${this.#q}.records WHERE id = $1`, [id.toLowerCase()]),
    );
    const row = result.rows[0];
    return row ? toRecord(row) : undefined;
  }

  /**
   * Several records by id, in the order asked, skipping unknown ids.
   *
   * @example
   * const [a, b] = await store.getMany([idA, idB]);
   */
  async getMany(ids: readonly string[]): Promise<StoredRecord[]> {
    const wanted = ids.filter(isUuid).map((id) => id.toLowerCase());
    if (!wanted.length) return [];
    const result = await this.#read((client) =>
      client.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${this.#q}.records WHERE id = ANY($1::uuid[])`, [[...new Set(wanted)]]),
    );
    const byId = new Map(result.rows.map((row) => [row.id, toRecord(row)]));
    return wanted.flatMap((id) => {
      const record = byId.get(id);
      return record ? [record] : [];
    });
  }

  /**
   * Replace the metadata of a record whose current revision is `expectedRevision`; revision + 1.
   * Another revision is a `PreconditionFailedError` (412), an unknown id a `NotFoundError` (404), a
   * deleted record a `ConflictError` (409).
   *
   * @example
   * const next = await store.update({ id, expectedRevision: record.revision, metadata: { title: 'B' } });
   */
  async update(input: UpdateRecordInput): Promise<StoredRecord> {
    const id = checkRecordId(input.id);
    const expected = checkRevision(input.expectedRevision);
    checkJsonObject(input.metadata, 'metadata');
    const at = checkDate(input.now).toISOString();
    checkIndexIntent(input.index);
    return this.#write(async (client) => {
      // Under READ COMMITTED a concurrent writer blocks on the row lock, then re-evaluates the WHERE
      // clause against the committed row: the loser sees the new revision and updates nothing.
      const updated = await client.query<RecordRow>(
        `UPDATE ${this.#q}.records SET metadata = $2::jsonb, revision = revision + 1, updated = $3
         WHERE id = $1 AND revision = $4 AND NOT deleted RETURNING ${RECORD_COLUMNS}`,
        [id, JSON.stringify(input.metadata), at, expected],
      );
      const row = updated.rows[0] ?? (await this.#explainMiss(client, id, expected));
      await client.query(
        `INSERT INTO ${this.#q}.record_revisions (record_id, revision, metadata, updated, deleted) VALUES ($1, $2, $3::jsonb, $4, false)`,
        [id, row.revision, JSON.stringify(input.metadata), at],
      );
      await this.#enqueue(client, id, row.revision, input.index);
      return toRecord(row);
    });
  }

  /**
   * Soft-delete a record at `expectedRevision`: revision + 1, `deleted: true`, metadata kept as the
   * tombstone, its PIDs (or the ones given) marked `deleted` in the same transaction.
   *
   * @example
   * await store.delete({ id, expectedRevision: record.revision });
   */
  async delete(input: DeleteRecordInput): Promise<StoredRecord> {
    const id = checkRecordId(input.id);
    const expected = checkRevision(input.expectedRevision);
    const at = checkDate(input.now).toISOString();
    checkIndexIntent(input.index);
    if (input.pids !== undefined && !Array.isArray(input.pids)) fail('pids', 'must be an array');
    const refs = input.pids?.map((ref, i) => checkPIDRef(ref, `pids.${i}`));
    return this.#write(async (client) => {
      const updated = await client.query<RecordRow>(
        `UPDATE ${this.#q}.records SET deleted = true, revision = revision + 1, updated = $2
         WHERE id = $1 AND revision = $3 AND NOT deleted RETURNING ${RECORD_COLUMNS}`,
        [id, at, expected],
      );
      const row = updated.rows[0] ?? (await this.#explainMiss(client, id, expected));
      await client.query(
        `INSERT INTO ${this.#q}.record_revisions (record_id, revision, metadata, updated, deleted) VALUES ($1, $2, NULL, $3, true)`,
        [id, row.revision, at],
      );
      // The PIDs to retire: the ones given, else every PID of the record.
      const which = (first: number): { sql: string; values: unknown[] } =>
        refs
          ? {
              sql: `(pid_type, pid_value) IN (SELECT * FROM unnest($${first}::text[], $${first + 1}::text[]))`,
              values: [refs.map((r) => r.type), refs.map((r) => r.value)],
            }
          : { sql: `record_id = $${first}`, values: [id] };
      // As in invenio-pidstore, deleting a PID that was never registered removes it; others become tombstones.
      const removable = which(1);
      await client.query(`DELETE FROM ${this.#q}.pids WHERE status = 'new' AND ${removable.sql}`, removable.values);
      const retired = which(2);
      await client.query(
        `UPDATE ${this.#q}.pids SET status = 'deleted', redirect_type = NULL, redirect_value = NULL, updated = $1 WHERE ${retired.sql}`,
        [at, ...retired.values],
      );
      await this.#enqueue(client, id, row.revision, input.index);
      return toRecord(row);
    });
  }

  /** Why a conditional write matched no row: unknown (404), another revision (412), or deleted (409). */
  async #explainMiss(client: pg.PoolClient, id: string, expected: number): Promise<never> {
    const current = await client.query<{ revision: number; deleted: boolean }>(
      `SELECT revision, deleted FROM ${this.#q}.records WHERE id = $1`,
      [id],
    );
    const row = current.rows[0];
    if (!row) throw new NotFoundError(`Record ${id} does not exist.`);
    if (row.revision !== expected) {
      throw new PreconditionFailedError(`Record ${id} is at revision ${row.revision}, not ${expected}.`);
    }
    throw new ConflictError(`Record ${id} is deleted.`);
  }

  /**
   * Every revision of a record, oldest first (empty for an unknown id).
   *
   * @example
   * const history = await store.revisions(id); // [{ revision: 0, ... }, { revision: 1, ... }]
   */
  async revisions(id: string): Promise<RecordRevision[]> {
    if (!isUuid(id)) return [];
    const result = await this.#read((client) =>
      client.query<{ record_id: string; revision: number; metadata: JsonObject | null; updated: Date; deleted: boolean }>(
        `SELECT record_id, revision, metadata, updated, deleted FROM ${this.#q}.record_revisions WHERE record_id = $1 ORDER BY revision`,
        [id.toLowerCase()],
      ),
    );
    return result.rows.map((row) => ({
      id: row.record_id,
      revision: row.revision,
      metadata: row.metadata,
      updated: row.updated.toISOString(),
      deleted: row.deleted,
    }));
  }

  /**
   * Records in id order, `limit` at a time after the id `after` (keyset pagination).
   *
   * @example
   * for (let page = await store.list(); page.length; page = await store.list({ after: page.at(-1)!.id })) {}
   */
  async list(options: ListRecordsOptions = {}): Promise<StoredRecord[]> {
    const limit = checkLimit(options.limit, 'limit', 1000, 10_000);
    const after = options.after;
    if (after !== undefined && typeof after !== 'string') fail('after', 'must be a string');
    const where: string[] = [];
    const values: unknown[] = [limit];
    if (!options.includeDeleted) where.push('NOT deleted');
    if (after !== undefined) {
      values.push(isUuid(after) ? after.toLowerCase() : after);
      // uuid order is the order of the lower-case text form, so both branches page the same way; the
      // uuid one can use the primary key.
      where.push(isUuid(after) ? `id > $2::uuid` : `id::text > $2`);
    }
    const result = await this.#read((client) =>
      client.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM ${this.#q}.records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $1`,
        values,
      ),
    );
    return result.rows.map(toRecord);
  }

  /**
   * Number of records, not counting deleted ones unless asked.
   *
   * @example
   * const live = await store.count();
   */
  async count(options: { includeDeleted?: boolean } = {}): Promise<number> {
    const result = await this.#read((client) =>
      client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.#q}.records ${options.includeDeleted ? '' : 'WHERE NOT deleted'}`),
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  // -------------------------------------------------------------------------------------------------
  // Persistent identifiers
  // -------------------------------------------------------------------------------------------------

  /**
   * A PID by type and value, or undefined.
   *
   * @example
   * const pid = await store.getPID({ type: 'recid', value: '1' });
   */
  async getPID(ref: PIDRef): Promise<PID | undefined> {
    const { type, value } = checkPIDRef(ref, 'pid');
    const result = await this.#read((client) =>
      client.query<PIDRow>(`SELECT ${PID_COLUMNS} FROM ${this.#q}.pids WHERE pid_type = $1 AND pid_value = $2`, [type, value]),
    );
    const row = result.rows[0];
    return row ? toPID(row) : undefined;
  }

  /**
   * A PID and its record (deleted ones included) in one query, or undefined for an unknown PID: what
   * a GET resolves on every request, in one round trip instead of two.
   *
   * @example
   * const found = await store.getPIDWithRecord({ type: 'recid', value: '1' });
   */
  async getPIDWithRecord(ref: PIDRef): Promise<{ pid: PID; record?: StoredRecord } | undefined> {
    const { type, value } = checkPIDRef(ref, 'pid');
    const result = await this.#read((client) =>
      client.query<
        PIDRow & { r_id: string | null; r_metadata: JsonObject; r_revision: number; r_created: Date; r_updated: Date; r_deleted: boolean }
      >(
        `SELECT p.pid_type, p.pid_value, p.status, p.record_id, p.redirect_type, p.redirect_value, p.created, p.updated,
                r.id AS r_id, r.metadata AS r_metadata, r.revision AS r_revision, r.created AS r_created, r.updated AS r_updated,
                r.deleted AS r_deleted
         FROM ${this.#q}.pids p LEFT JOIN ${this.#q}.records r ON r.id = p.record_id
         WHERE p.pid_type = $1 AND p.pid_value = $2`,
        [type, value],
      ),
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const pid = toPID(row);
    if (row.r_id === null) return { pid };
    const record = toRecord({
      id: row.r_id,
      metadata: row.r_metadata,
      revision: row.r_revision,
      created: row.r_created,
      updated: row.r_updated,
      deleted: row.r_deleted,
    });
    return { pid, record };
  }

  /**
   * The PIDs of a record, in the order they were created.
   *
   * @example
   * const pids = await store.recordPIDs(record.id);
   */
  async recordPIDs(recordId: string): Promise<PID[]> {
    if (!isUuid(recordId)) return [];
    const result = await this.#read((client) =>
      client.query<PIDRow>(`SELECT ${PID_COLUMNS} FROM ${this.#q}.pids WHERE record_id = $1 ORDER BY ord`, [recordId.toLowerCase()]),
    );
    return result.rows.map(toPID);
  }

  /**
   * Create a PID on its own: `new` or `reserved`, or `registered`/`deleted` (with `recordId` when it
   * identifies a record). A PID that exists is a `ConflictError` (409); use {@link redirectPID} for
   * `redirected`.
   *
   * @example
   * await store.createPID({ type: 'doi', value: '10.1234/abc', status: 'reserved' });
   */
  async createPID(pid: PIDRef & { status: PIDStatus; recordId?: string }): Promise<PID> {
    const ref = checkPIDRef(pid, 'pid');
    const status = checkStatus(pid.status, 'status');
    if (status === 'redirected') fail('status', 'cannot be redirected without a target; use redirectPID');
    const recordId = pid.recordId === undefined ? null : checkRecordId(pid.recordId, 'recordId');
    const at = new Date().toISOString();
    return this.#write(async (client) => {
      if (recordId !== null) {
        const exists = await client.query(`SELECT 1 FROM ${this.#q}.records WHERE id = $1`, [recordId]);
        if (!exists.rowCount)
          throw new NotFoundError(`Record ${recordId} does not exist.`, { errors: [new FieldError('recordId', 'no such record')] });
      }
      const result = await client.query<PIDRow>(
        `INSERT INTO ${this.#q}.pids (pid_type, pid_value, status, record_id, created, updated) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (pid_type, pid_value) DO NOTHING RETURNING ${PID_COLUMNS}`,
        [ref.type, ref.value, status, recordId, at],
      );
      const row = result.rows[0];
      if (!row)
        throw new ConflictError(`PID ${pidLabel(ref)} already exists.`, {
          errors: [new FieldError('pid', 'already exists', 'pid_exists')],
        });
      return toPID(row);
    });
  }

  /**
   * Point `from` at `to` (status `redirected`). `from` must be `registered` or already `redirected`
   * (as invenio-pidstore requires), `to` must exist; a missing one is a `PIDDoesNotExistError` (404).
   *
   * @example
   * await store.redirectPID({ type: 'recid', value: '1' }, { type: 'recid', value: '2' });
   */
  async redirectPID(from: PIDRef, to: PIDRef): Promise<PID> {
    const source = checkPIDRef(from, 'from');
    const target = checkPIDRef(to, 'to');
    const at = new Date().toISOString();
    return this.#write(async (client) => {
      const current = await client.query<PIDRow>(
        `SELECT ${PID_COLUMNS} FROM ${this.#q}.pids WHERE pid_type = $1 AND pid_value = $2 FOR UPDATE`,
        [source.type, source.value],
      );
      const row = current.rows[0];
      if (!row) throw new PIDDoesNotExistError(source.type, source.value);
      if (row.status !== 'registered' && row.status !== 'redirected') {
        throw new ConflictError(`PID ${pidLabel(source)} is ${row.status} and cannot be redirected.`, {
          errors: [new FieldError('from', `is ${row.status}; only a registered or redirected PID can be redirected`)],
        });
      }
      // FOR KEY SHARE keeps the target from being removed before we commit.
      const found = await client.query(`SELECT 1 FROM ${this.#q}.pids WHERE pid_type = $1 AND pid_value = $2 FOR KEY SHARE`, [
        target.type,
        target.value,
      ]);
      if (!found.rowCount) throw new PIDDoesNotExistError(target.type, target.value);
      if (source.type === target.type && source.value === target.value) throw new ConflictError('A PID cannot redirect to itself.');
      const updated = await client.query<PIDRow>(
        `UPDATE ${this.#q}.pids SET status = 'redirected', redirect_type = $3, redirect_value = $4, updated = $5
         WHERE pid_type = $1 AND pid_value = $2 RETURNING ${PID_COLUMNS}`,
        [source.type, source.value, target.type, target.value, at],
      );
      return toPID(updated.rows[0] as PIDRow);
    });
  }

  /**
   * Change a PID's status; undefined when it does not exist. Deleting a `new` PID removes it (as
   * Invenio does), so that also answers undefined. Leaving `redirected` drops the redirect target.
   *
   * @example
   * await store.setPIDStatus({ type: 'doi', value: '10.1234/abc' }, 'registered');
   */
  async setPIDStatus(ref: PIDRef, status: PIDStatus): Promise<PID | undefined> {
    const pid = checkPIDRef(ref, 'pid');
    const next = checkStatus(status, 'status');
    const at = new Date().toISOString();
    return this.#write(async (client) => {
      const current = await client.query<PIDRow>(
        `SELECT ${PID_COLUMNS} FROM ${this.#q}.pids WHERE pid_type = $1 AND pid_value = $2 FOR UPDATE`,
        [pid.type, pid.value],
      );
      const row = current.rows[0];
      if (!row) return undefined;
      if (next === row.status) return toPID(row);
      if (next === 'redirected') fail('status', 'cannot be set to redirected without a target; use redirectPID');
      if (next === 'deleted' && row.status === 'new') {
        const redirects = await client.query(
          `SELECT pid_type, pid_value FROM ${this.#q}.pids WHERE redirect_type = $1 AND redirect_value = $2 LIMIT 1`,
          [pid.type, pid.value],
        );
        if (redirects.rowCount) throw new ConflictError(`PID ${pidLabel(pid)} is the target of a redirect and cannot be removed.`);
        await client.query(`DELETE FROM ${this.#q}.pids WHERE pid_type = $1 AND pid_value = $2`, [pid.type, pid.value]);
        return undefined;
      }
      const updated = await client.query<PIDRow>(
        `UPDATE ${this.#q}.pids SET status = $3, redirect_type = NULL, redirect_value = NULL, updated = $4
         WHERE pid_type = $1 AND pid_value = $2 RETURNING ${PID_COLUMNS}`,
        [pid.type, pid.value, next, at],
      );
      return toPID(updated.rows[0] as PIDRow);
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Minter sequences
  // -------------------------------------------------------------------------------------------------

  /**
   * Next value of a named sequence, starting at 1: one PostgreSQL sequence per name, created on first
   * use. Values are unique across processes; a rolled-back caller leaves a gap, never a duplicate.
   *
   * @example
   * const recid = await store.nextSequenceValue('recid'); // 1, 2, 3, ...
   */
  async nextSequenceValue(name: string): Promise<number> {
    if (typeof name !== 'string' || name === '') fail('name', 'must be a non-empty string');
    const qualified = `${this.#q}.${quoteIdent(sequenceName(name))}`;
    return this.#read(async (client) => {
      try {
        return await nextval(client, qualified);
      } catch (error) {
        if (sqlState(error) !== '42P01') throw error; // undefined_table: first use of this name
      }
      try {
        await client.query(`CREATE SEQUENCE IF NOT EXISTS ${qualified} AS bigint START 1`);
      } catch (error) {
        // Two processes creating the same sequence at once: the loser sees a duplicate in the catalog.
        const state = sqlState(error);
        if (state !== '23505' && state !== '42P07') throw error;
      }
      return nextval(client, qualified);
    });
  }

  /**
   * `count` values of a named sequence in one statement, ascending (`nextval` over `generate_series`):
   * consecutive unless another session takes values at the same time, never handed out again.
   *
   * @example
   * const recids = await store.reserveSequenceValues('recid', 1000);
   */
  async reserveSequenceValues(name: string, count: number): Promise<number[]> {
    if (typeof name !== 'string' || name === '') fail('name', 'must be a non-empty string');
    if (!Number.isSafeInteger(count) || count < 1 || count > 1_000_000) fail('count', 'must be an integer from 1 to 1000000');
    // The first value through nextSequenceValue, which creates the sequence on first use.
    const first = await this.nextSequenceValue(name);
    if (count === 1) return [first];
    const qualified = `${this.#q}.${quoteIdent(sequenceName(name))}`;
    const rest = await this.#read((client) =>
      client.query<{ n: string }>('SELECT nextval($1::regclass) AS n FROM generate_series(1, $2) ORDER BY 1', [qualified, count - 1]),
    );
    return [first, ...rest.rows.map((r) => Number(r.n))];
  }

  // -------------------------------------------------------------------------------------------------
  // Outbox
  // -------------------------------------------------------------------------------------------------

  /**
   * Outbox entries not yet acknowledged, oldest first (default 100 at a time).
   *
   * @example
   * const tasks = await store.pendingIndexTasks(500);
   */
  async pendingIndexTasks(limit?: number): Promise<IndexTask[]> {
    const n = checkLimit(limit, 'limit', 100, 100_000);
    const result = await this.#read((client) =>
      client.query<{ seq: string; record_id: string; version: number; index_name: string; document: JsonObject | null }>(
        `SELECT seq, record_id, version, index_name, document FROM ${this.#q}.index_outbox ORDER BY seq LIMIT $1`,
        [n],
      ),
    );
    return result.rows.map((row) => ({
      seq: Number(row.seq),
      recordId: row.record_id,
      version: row.version,
      index: row.index_name,
      document: row.document,
    }));
  }

  /**
   * Acknowledge outbox entries once the search engine has applied them. Unknown numbers are ignored,
   * so acknowledging twice is harmless.
   *
   * @example
   * await store.completeIndexTasks(tasks.map((t) => t.seq));
   */
  async completeIndexTasks(seqs: readonly number[]): Promise<void> {
    if (!Array.isArray(seqs)) fail('seqs', 'must be an array');
    seqs.forEach((seq, i) => {
      if (!Number.isSafeInteger(seq)) fail(`seqs.${i}`, 'must be an integer');
    });
    if (!seqs.length) return;
    await this.#read((client) => client.query(`DELETE FROM ${this.#q}.index_outbox WHERE seq = ANY($1::bigint[])`, [seqs]));
  }

  /**
   * Close every pooled connection. Further calls answer 503; closing twice is harmless.
   *
   * @example
   * await store.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** Thrown by `#insertBatch` when an input of the batch is refused (a RestError, so `#run` passes it through). */
class BatchRefused extends ConflictError {
  constructor() {
    super('An input of the batch was refused.');
  }
}

interface CheckedCreate {
  id: string;
  metadata: JsonObject;
  at: string;
  pids: (PIDRef & { status: PIDStatus })[];
  index: IndexIntent | undefined;
}

/** The checks of a create that need no database (400 naming the field). */
function checkCreate(input: CreateRecordInput): CheckedCreate {
  if (input === null || typeof input !== 'object') fail('input', 'must be an object');
  const id = input.id === undefined ? randomUUID() : checkRecordId(input.id);
  checkJsonObject(input.metadata, 'metadata');
  const now = checkDate(input.now);
  checkIndexIntent(input.index);
  if (!Array.isArray(input.pids)) fail('pids', 'must be an array');
  const pids = input.pids.map((pid, i) => {
    const ref = checkPIDRef(pid, `pids.${i}`);
    const status = pid.status === undefined ? 'registered' : checkStatus(pid.status, `pids.${i}.status`);
    if (status === 'redirected') fail(`pids.${i}.status`, 'cannot be redirected on create; use redirectPID');
    return { ...ref, status };
  });
  const seen = new Map<string, number>();
  pids.forEach((pid, i) => {
    const key = JSON.stringify([pid.type, pid.value]);
    const first = seen.get(key);
    if (first !== undefined) fail(`pids.${i}`, `repeats pids.${first} (${pidLabel(pid)})`);
    seen.set(key, i);
  });
  return { id, metadata: input.metadata, at: now.toISOString(), pids, index: input.index };
}

async function nextval(client: pg.PoolClient, qualified: string): Promise<number> {
  const result = await client.query<{ n: string }>('SELECT nextval($1::regclass) AS n', [qualified]);
  return Number(result.rows[0]?.n);
}

function checkIndexIntent(index: IndexIntent | undefined): void {
  if (index === undefined) return;
  if (typeof index !== 'object' || index === null) fail('index', 'must be an object with index and document');
  if (typeof index.index !== 'string' || index.index === '') fail('index.index', 'must be a non-empty string');
  if (index.document !== null) checkJsonObject(index.document, 'index.document');
}

/**
 * Create a {@link PostgresRecordStore} and apply its migrations before resolving, as a server does on
 * start. An unreachable database rejects with a `ServiceUnavailableError` after the configured retries.
 *
 * @example
 * const store = await openPostgresRecordStore({ connectionString: process.env.DATABASE_URL });
 */
export async function openPostgresRecordStore(options: PostgresRecordStoreOptions = {}): Promise<PostgresRecordStore> {
  const store = new PostgresRecordStore(options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Apply the migrations to a database and disconnect: what `recordkit migrate` runs. Idempotent and
 * safe from several processes at once (a PostgreSQL advisory lock serialises them).
 *
 * @example
 * const { applied, version } = await migrate({ connectionString: process.env.DATABASE_URL, schema: 'catalog' });
 */
export async function migrate(options: PostgresRecordStoreOptions = {}): Promise<MigrateResult> {
  const store = new PostgresRecordStore({ ...options, poolSize: 1 });
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}
