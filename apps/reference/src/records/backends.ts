import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordStore, SearchEngine } from '@recordkit/records-service';
import { type Durability, openDatabase, SqliteRecordStore } from '@recordkit/sqlite';
import type { ResolvedConfig } from '../config/types.js';

/** File of the embedded database in the data directory. */
export const EMBEDDED_DATABASE_FILE = 'recordkit.sqlite';

/** The record store and search engine the server runs on, and how to check and release them. */
export interface Backends {
  store: RecordStore;
  /** Undefined until a search engine is available for this deployment (search, suggest and export answer 503). */
  search?: SearchEngine;
  /** What they are, for logs and `/ready`. */
  describe: { store: 'sqlite' | 'postgres'; search: 'sqlite' | 'elasticsearch' | 'none'; location: string };
  /** True on the embedded default (SQLite store, no DATABASE_URL). */
  embedded: boolean;
  /** `/ready`: each dependency answers. */
  ready(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** A start-up failure with a message meant for the operator (no stack trace). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Options of {@link openBackends}. */
export interface OpenBackendsOptions {
  /**
   * SQLite durability of the embedded store: `full` (default; every commit is on disk) or `normal`
   * (bulk loads: an OS crash may lose the last commits, never corrupt the file).
   */
  durability?: Durability;
}

/**
 * Open the store and search engine chosen by the environment: the embedded SQLite file in the data
 * directory by default; PostgreSQL when `DATABASE_URL` is set; Elasticsearch when `ELASTICSEARCH_URL`
 * is set (once @recordkit/elasticsearch provides its engine: until then that is a {@link StartupError}).
 *
 * @example
 * const backends = await openBackends(config);
 * try { ... } finally { await backends.close(); }
 */
export async function openBackends(config: ResolvedConfig, options: OpenBackendsOptions = {}): Promise<Backends> {
  if (config.storage.elasticsearchUrl) {
    throw new StartupError(
      'ELASTICSEARCH_URL is set, but @recordkit/elasticsearch does not export a search engine yet.\n' +
        'Unset ELASTICSEARCH_URL to search with the embedded engine.',
    );
  }
  if (config.storage.databaseUrl) return openPostgres(config.storage.databaseUrl);
  return openEmbedded(config, options);
}

function openEmbedded(config: ResolvedConfig, options: OpenBackendsOptions): Backends {
  const dir = config.storage.dataDir;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StartupError(`cannot create the data directory ${dir}: ${(e as Error).message} (set RECORDKIT_DATA_DIR)`);
  }
  const path = join(dir, EMBEDDED_DATABASE_FILE);
  let store: SqliteRecordStore;
  try {
    const database = openDatabase({ path, durability: options.durability ?? 'full' });
    store = new SqliteRecordStore({ database });
  } catch (e) {
    throw new StartupError(`cannot open the embedded database ${path}: ${(e as Error).message}`);
  }
  return {
    store,
    describe: { store: 'sqlite', search: 'none', location: path },
    embedded: true,
    ready: async () => ({ store: await probe(() => store.count()) }),
    close: async () => {
      await store.close();
      store.database.close();
    },
  };
}

async function openPostgres(url: string): Promise<Backends> {
  const { openPostgresRecordStore } = await import('@recordkit/postgres');
  let store: RecordStore;
  try {
    store = await openPostgresRecordStore({ connectionString: url });
  } catch (e) {
    throw new StartupError(`cannot use PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}`);
  }
  return {
    store,
    describe: { store: 'postgres', search: 'none', location: redactUrl(url) },
    embedded: false,
    ready: async () => ({ store: await probe(() => store.count()) }),
    close: () => store.close(),
  };
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A connection string without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
