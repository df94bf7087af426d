import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordStore, SearchEngine } from '@recordkit/records-service';
import { type Durability, openSqlite, SqliteRecordStore, SqliteSearchEngine } from '@recordkit/sqlite';
import type { ResolvedConfig } from '../config/types.js';

/** File of the embedded database (records and, by default, their index) in the data directory. */
export const EMBEDDED_DATABASE_FILE = 'recordkit.sqlite';
/** File of the embedded search index when the records are in PostgreSQL. */
export const EMBEDDED_SEARCH_FILE = 'search.sqlite';

/** The record store and search engine the server runs on, and how to check and release them. */
export interface Backends {
  store: RecordStore;
  search: SearchEngine;
  /** What they are, for logs. */
  describe: { store: 'sqlite' | 'postgres'; search: 'sqlite' | 'elasticsearch' | 'opensearch'; location: string };
  /** True on the embedded default (SQLite records and index in one file, no DATABASE_URL). */
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
   * SQLite durability: `full` (default; every commit is on disk) or `normal` (bulk loads: an OS crash
   * may lose the last commits, never corrupt the file).
   */
  durability?: Durability;
}

/**
 * Open the store and the search engine the environment asks for:
 *
 * | `DATABASE_URL` | `ELASTICSEARCH_URL` | records | search |
 * | --- | --- | --- | --- |
 * | unset | unset | SQLite (`<data dir>/recordkit.sqlite`) | the same file, written in the same transaction |
 * | unset | set | SQLite | Elasticsearch or OpenSearch (detected), through the store's outbox |
 * | set | unset | PostgreSQL | SQLite (`<data dir>/search.sqlite`), through the outbox |
 * | set | set | PostgreSQL | Elasticsearch or OpenSearch, through the outbox |
 *
 * Unreachable services and unusable files are a {@link StartupError} naming them (passwords redacted).
 * With PostgreSQL and the embedded search, every server process must use the same data directory: the
 * outbox is applied once, to the index of whichever process drains it.
 *
 * @example
 * const backends = await openBackends(config);
 * try { ... } finally { await backends.close(); }
 */
export async function openBackends(config: ResolvedConfig, options: OpenBackendsOptions = {}): Promise<Backends> {
  const durability = options.durability ?? 'full';
  const { databaseUrl, elasticsearchUrl } = config.storage;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    if (!databaseUrl && !elasticsearchUrl) {
      const path = join(dataDir(config), EMBEDDED_DATABASE_FILE);
      const sqlite = attempt(`cannot open the embedded database ${path}`, () => openSqlite({ path, durability }));
      return finish(
        config,
        { store: sqlite.store, search: sqlite.search, close: () => sqlite.close() },
        { store: 'sqlite', search: 'sqlite', location: path },
        true,
      );
    }

    let store: RecordStore;
    let storeKind: 'sqlite' | 'postgres';
    let location: string;
    if (databaseUrl) {
      const { openPostgresRecordStore } = await import('@recordkit/postgres');
      const pg = await openPostgresRecordStore({ connectionString: databaseUrl, schema: config.storage.databaseSchema }).catch(
        (e: unknown) => {
          throw new StartupError(`cannot use PostgreSQL at ${redactUrl(databaseUrl)}: ${(e as Error).message}`);
        },
      );
      closers.push(() => pg.close());
      store = pg;
      storeKind = 'postgres';
      location = redactUrl(databaseUrl);
    } else {
      const path = join(dataDir(config), EMBEDDED_DATABASE_FILE);
      const sqlite = attempt(`cannot open the embedded database ${path}`, () => new SqliteRecordStore({ path, durability }));
      closers.push(() => sqlite.close());
      store = sqlite;
      storeKind = 'sqlite';
      location = path;
    }

    let search: SearchEngine;
    let searchKind: 'sqlite' | 'elasticsearch' | 'opensearch';
    if (elasticsearchUrl) {
      const { detectDistribution, ElasticsearchSearchEngine } = await import('@recordkit/elasticsearch');
      const distribution = await detectDistribution(elasticsearchUrl).catch((e: unknown) => {
        throw new StartupError(`cannot reach Elasticsearch/OpenSearch at ${redactUrl(elasticsearchUrl)}: ${(e as Error).message}`);
      });
      // A server answers people: an unreachable cluster must cost a request seconds, not the client's
      // default of 3 retries x 30 s (writes are safe in the outbox and indexed once the cluster is back).
      // Read your writes without waiting for the next scheduled refresh (1 s per write): the service applies
      // the outbox once per request (concurrent writes share one drain), and imports in batches of 500.
      const engine = new ElasticsearchSearchEngine({
        node: elasticsearchUrl,
        distribution,
        prefix: config.storage.indexPrefix,
        maxRetries: 1,
        requestTimeout: 10_000,
        readYourWrites: 'refresh',
      });
      closers.push(() => engine.close());
      search = engine;
      searchKind = distribution;
    } else {
      const path = join(dataDir(config), EMBEDDED_SEARCH_FILE);
      const engine = attempt(`cannot open the embedded search index ${path}`, () => new SqliteSearchEngine({ path }));
      closers.push(() => engine.close());
      search = engine;
      searchKind = 'sqlite';
    }
    return finish(config, { store, search, close: closeAll }, { store: storeKind, search: searchKind, location }, false);
  } catch (e) {
    await closeAll();
    throw e;
  }
}

function finish(
  config: ResolvedConfig,
  parts: { store: RecordStore; search: SearchEngine; close: () => Promise<void> },
  describe: Backends['describe'],
  embedded: boolean,
): Backends {
  const indexes = [...new Set(config.endpoints.map((e) => e.searchIndex))];
  return {
    store: parts.store,
    search: parts.search,
    describe,
    embedded,
    ready: async () => ({
      store: await probe(() => parts.store.count()),
      search: await probe(async () => {
        for (const index of indexes) if (!(await parts.search.indexExists(index))) throw new Error(`index "${index}" does not exist`);
      }),
    }),
    close: parts.close,
  };
}

function dataDir(config: ResolvedConfig): string {
  const dir = config.storage.dataDir;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StartupError(`cannot create the data directory ${dir}: ${(e as Error).message} (set RECORDKIT_DATA_DIR)`);
  }
  return dir;
}

function attempt<T>(what: string, open: () => T): T {
  try {
    return open();
  } catch (e) {
    throw new StartupError(`${what}: ${(e as Error).message}`);
  }
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * A connection string without its password, for messages and logs.
 *
 * @example
 * redactUrl('postgres://u:secret@db/x'); // 'postgres://u:***@db/x'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
