import { DatabaseSync } from 'node:sqlite';
import { ServiceUnavailableError } from '@recordkit/rest-errors';

/**
 * How hard a commit tries to survive a power loss.
 *
 * - `'full'` (default): WAL with `synchronous=FULL`. The WAL is synced on every commit, so a
 *   transaction that returned is on disk, even across an OS crash or power loss.
 * - `'normal'`: WAL with `synchronous=NORMAL`. Still consistent (never corrupt) and safe across a
 *   process crash, but the last transactions before a power loss or OS crash may roll back. Faster
 *   for bulk imports.
 */
export type Durability = 'full' | 'normal';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** File path, or `':memory:'` (tests; no WAL, nothing survives `close`). */
  path: string;
  /** Default `'full'`. */
  durability?: Durability;
  /** How long a write waits for another connection's write lock before a 503, in ms. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Open a `node:sqlite` database the way the store and the engine expect it: WAL journal, the chosen
 * durability, a busy timeout, foreign keys on.
 *
 * @example
 * const db = openDatabase({ path: './records.db' });
 */
export function openDatabase(options: OpenDatabaseOptions): DatabaseSync {
  const durability = options.durability ?? 'full';
  if (durability !== 'full' && durability !== 'normal') {
    throw new TypeError(`openDatabase: durability must be 'full' or 'normal', got ${JSON.stringify(durability)}`);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TypeError('openDatabase: busyTimeoutMs must be a non-negative integer');
  }
  const db = new DatabaseSync(options.path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
  try {
    // Also as a pragma: the constructor's `timeout` option is newer than node:sqlite itself.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** SQLite primary result code of a `node:sqlite` error (`errcode` holds the extended code). */
export function sqliteResultCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** True when the error is SQLite saying another connection holds the lock (after the busy timeout). */
export function isBusyError(error: unknown): boolean {
  const code = sqliteResultCode(error);
  return code === SQLITE_BUSY || code === SQLITE_LOCKED;
}

/**
 * Run `fn` in a write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up front and two
 * connections never deadlock upgrading a read lock). Commits on return, rolls back on throw. A lock
 * still held by another connection after the busy timeout is a 503 with `Retry-After: 1`.
 * When `fn` throws `abandon`, the transaction is rolled back and `false` is returned instead.
 */
export function writeTransaction<T>(db: DatabaseSync, fn: () => T): T;
export function writeTransaction<T>(db: DatabaseSync, fn: () => T, abandon: symbol): T | false;
export function writeTransaction<T>(db: DatabaseSync, fn: () => T, abandon?: symbol): T | false {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if (isBusyError(error)) throw new ServiceUnavailableError(1, 'The database is busy; try again.');
    throw error;
  }
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    if (abandon !== undefined && error === abandon) return false;
    if (isBusyError(error)) throw new ServiceUnavailableError(1, 'The database is busy; try again.');
    throw error;
  }
}
