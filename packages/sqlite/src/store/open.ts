import type { DatabaseSync } from 'node:sqlite';
import { SqliteSearchEngine } from '../search/engine.js';
import { type Durability, openDatabase } from './database.js';
import { SqliteRecordStore } from './record-store.js';

/** Options of {@link openSqlite}. */
export interface OpenSqliteOptions {
  /** The database file (`':memory:'` for tests). */
  path: string;
  /** See {@link Durability}; default `'full'` (every acknowledged write survives a power loss). */
  durability?: Durability;
  /** How long a write waits for another connection's lock before a 503, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Clock of the search engine (date math, point-in-time expiry); tests only. */
  now?: () => number;
}

/** A record store and a search engine sharing one SQLite database. */
export interface SqliteBackend {
  store: SqliteRecordStore;
  search: SqliteSearchEngine;
  database: DatabaseSync;
  /** Close both and the database. */
  close(): Promise<void>;
}

/**
 * Open the embedded default: one SQLite file holding the records and their search index. The store
 * applies each write's index intent through the engine inside the write transaction
 * (`store.indexesInTransaction === true`), so a record and its index entry commit together and never
 * drift; there is no outbox to drain.
 *
 * @example
 * const { store, search, close } = openSqlite({ path: './records.db' });
 * const service = new RecordsService({ store, search, baseUrl: 'https://example.org/api', endpoints });
 * await service.setup(); // create the indexes from the endpoints' mappings
 */
export function openSqlite(options: OpenSqliteOptions): SqliteBackend {
  if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '') {
    throw new TypeError('openSqlite: give `path` (a database file or ":memory:")');
  }
  const open: Parameters<typeof openDatabase>[0] = { path: options.path };
  if (options.durability !== undefined) open.durability = options.durability;
  if (options.busyTimeoutMs !== undefined) open.busyTimeoutMs = options.busyTimeoutMs;
  const database = openDatabase(open);
  try {
    const search = new SqliteSearchEngine(options.now ? { database, now: options.now } : { database });
    const store = new SqliteRecordStore({ database, indexWriter: search });
    let closed = false;
    return {
      store,
      search,
      database,
      async close() {
        if (closed) return;
        closed = true;
        await store.close();
        await search.close();
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
