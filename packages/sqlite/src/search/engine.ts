// The embedded search engine: the `SearchEngine` port on node:sqlite. It can own its database file or
// share the record store's connection, in which case the store applies index writes through
// `applyIndexWrite` inside its own write transaction.

import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type {
  BulkOperation,
  BulkResult,
  IndexMapping,
  IndexOptions,
  IndexResult,
  JsonObject,
  SearchEngine,
  SearchRequest,
  SearchResponse,
} from '@recordkit/records-service';
import { ConflictError, isRestError, NotFoundError } from '@recordkit/rest-errors';
import type { IndexWrite, SqliteIndexWriter } from '../index-writer.js';
import { migrate } from '../store/migrations.js';
import { DATE_BUCKET_FUNCTION, dateBucket } from './aggs.js';
import { prefixUpperBound } from './analysis.js';
import { Connection } from './connection.js';
import { parseKeepAlive } from './dates.js';
import { analyzeDocument, DocumentParsingError } from './document.js';
import { indexNotFound, invalid, isObject, string } from './errors.js';
import { executeCount, executeSearch } from './executor.js';
import { canonicalJson, compileMapping } from './mapping.js';
import { QueryCompiler } from './query.js';
import { createIndexDdl, dropIndexDdl, indexTables, SEARCH_MIGRATIONS } from './schema.js';
import { sql } from './sql.js';
import { checkId, checkVersion, type IndexRuntime, writeAnalyzed, writeDocument } from './writer.js';

/** Options of {@link SqliteSearchEngine}. */
export interface SqliteSearchEngineOptions {
  /** An open database, e.g. the record store's (`store.database`); the engine does not close it. */
  database?: DatabaseSync;
  /** A database file to open and own (`':memory:'` for a throwaway engine). Ignored when `database` is given. */
  path?: string;
  /** Clock for `now` in date math and point-in-time expiry (tests). */
  now?: () => number;
}

interface PointInTime {
  index: string;
  expires: number;
  keepAlive: number;
  /** A read-only connection holding a snapshot (WAL file databases), or undefined when nothing is pinned. */
  conn: Connection | undefined;
}

const INDEX_NAME_FORBIDDEN = /[\\/*?"<>| ,#:A-Z]/;

/** Elasticsearch's index name rules. */
function checkIndexName(name: unknown): string {
  if (typeof name !== 'string' || name === '') invalid('index', 'An index name must be a non-empty string.');
  if (INDEX_NAME_FORBIDDEN.test(name))
    invalid('index', `Invalid index name [${name}]: must be lowercase and must not contain \\, /, *, ?, ", <, >, |, space, comma, # or :.`);
  if (/^[-_+]/.test(name) || name === '.' || name === '..')
    invalid('index', `Invalid index name [${name}]: must not start with -, _ or +, nor be . or ..`);
  if (Buffer.byteLength(name) > 255) invalid('index', `Invalid index name [${name}]: longer than 255 bytes.`);
  return name;
}

/**
 * A search engine executing Elasticsearch request DSL on SQLite (FTS5 for text, indexed value tables
 * for keywords, numbers, dates and booleans). Implements the `SearchEngine` port and, for a record
 * store on the same database, `SqliteIndexWriter`.
 *
 * @example
 * const engine = new SqliteSearchEngine({ path: './search.db' });
 * await engine.createIndex('records', { mappings: { properties: { title: { type: 'text' } } } });
 * await engine.index('records', '1', { title: 'Open data' }, { version: 0 });
 * const result = await engine.search('records', { query: { match: { title: 'open' } } });
 */
export class SqliteSearchEngine implements SearchEngine, SqliteIndexWriter {
  readonly #conn: Connection;
  readonly #ownsDatabase: boolean;
  readonly #now: () => number;
  readonly #runtimes = new Map<string, IndexRuntime>();
  readonly #pits = new Map<string, PointInTime>();
  #closed = false;

  constructor(options: SqliteSearchEngineOptions) {
    let db: DatabaseSync;
    if (options.database) {
      db = options.database;
      this.#ownsDatabase = false;
    } else if (typeof options.path === 'string' && options.path !== '') {
      db = new DatabaseSync(options.path, { timeout: 5000 });
      if (options.path !== ':memory:') {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = NORMAL');
      }
      // The value indexes are written in random order; a 64 MiB page cache keeps imports from thrashing.
      db.exec('PRAGMA cache_size = -65536');
      this.#ownsDatabase = true;
    } else {
      throw new TypeError('SqliteSearchEngine: give `path` (a file or ":memory:") or an open `database`.');
    }
    this.#conn = new Connection(db);
    this.#now = options.now ?? Date.now;
    try {
      prepareConnection(db);
      migrate(db, 'search', SEARCH_MIGRATIONS);
    } catch (error) {
      if (this.#ownsDatabase) db.close();
      throw error;
    }
  }

  /** The underlying database. */
  get database(): DatabaseSync {
    return this.#conn.db;
  }

  // -------------------------------------------------------------------------------------------------
  // Indexes
  // -------------------------------------------------------------------------------------------------

  /** Create an index from an Elasticsearch mapping; the same mapping again is a no-op, another one 409. */
  async createIndex(index: string, mapping: IndexMapping): Promise<void> {
    this.#open();
    const name = checkIndexName(index);
    compileMapping(mapping); // refuses a bad mapping with the caller's own key order in its messages
    const text = canonicalJson(mapping);
    // Field numbers follow the mapping's key order, so compile the stored (canonical, key-sorted) text:
    // every later connection and every restart compiles that same text and must number fields alike.
    const schema = compileMapping(JSON.parse(text) as IndexMapping);
    const existing = this.#conn.get(sql`SELECT mapping FROM search_indexes WHERE name = ${name}`);
    if (existing) {
      if (existing.mapping === text) return;
      throw new ConflictError(`Index [${name}] already exists with a different mapping; delete it first or create a new index.`);
    }
    this.#conn.savepoint(() => {
      const ordinal = Number(this.#conn.get(sql`SELECT coalesce(max(ordinal), 0) + 1 AS n FROM search_indexes`)?.n ?? 1);
      const tables = indexTables(ordinal, schema);
      this.#conn.db.exec(createIndexDdl(tables, schema));
      this.#conn.run(
        sql`INSERT INTO search_indexes (name, ordinal, mapping, created) VALUES (${name}, ${ordinal}, ${text}, ${new Date(this.#now()).toISOString()})`,
      );
      this.#runtimes.set(name, { name, ordinal, schema, tables });
    });
  }

  /** Drop an index and its tables (no error when it does not exist). */
  async deleteIndex(index: string): Promise<void> {
    this.#open();
    const rt = this.#runtime(this.#conn, index, false);
    if (!rt) return;
    this.#conn.savepoint(() => {
      this.#conn.db.exec(dropIndexDdl(rt.tables));
      this.#conn.run(sql`DELETE FROM search_indexes WHERE name = ${rt.name}`);
    });
    this.#runtimes.delete(rt.name);
    this.#conn.clear();
    for (const [id, pit] of this.#pits) if (pit.index === rt.name && !pit.conn) this.#pits.delete(id);
  }

  /** Whether the index exists. */
  async indexExists(index: string): Promise<boolean> {
    this.#open();
    return this.#runtime(this.#conn, index, false) !== undefined;
  }

  /** Writes are searchable once committed; this only checks that the index exists (404 otherwise). */
  async refresh(index: string): Promise<void> {
    this.#open();
    // Writes are searchable as soon as their transaction commits; refresh only checks the index exists.
    this.#runtime(this.#conn, index, true);
  }

  // -------------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------------

  /** Index a document with its external version (`external_gte`); an older version is `stale`. */
  async index(index: string, id: string, document: JsonObject, options: IndexOptions): Promise<IndexResult> {
    this.#open();
    const rt = this.#runtime(this.#conn, index, true)!;
    if (!isObject(document)) invalid('document', 'The document must be a JSON object.');
    return { result: writeDocument(this.#conn, rt, checkId(id), document, checkVersion(options?.version, 'version')) };
  }

  /** Delete a document unless a newer version is indexed; the version is kept against late writes. */
  async delete(index: string, id: string, options: IndexOptions): Promise<IndexResult> {
    this.#open();
    const rt = this.#runtime(this.#conn, index, true)!;
    return { result: writeDocument(this.#conn, rt, checkId(id), null, checkVersion(options?.version, 'version')) };
  }

  /** Many writes in one transaction, with a result per item; an item that fails does not stop the others. */
  async bulk(index: string, operations: readonly BulkOperation[]): Promise<BulkResult> {
    this.#open();
    const rt = this.#runtime(this.#conn, index, true)!;
    if (!Array.isArray(operations)) invalid('operations', 'Expected an array of bulk operations.');
    const items: BulkResult['items'] = [];
    let errors = false;
    this.#conn.savepoint(() => {
      for (const op of operations) {
        const id = typeof op?.id === 'string' ? op.id : String(op?.id);
        const action = op?.action === 'delete' ? 'delete' : 'index';
        try {
          if (op?.action !== 'index' && op?.action !== 'delete') invalid('action', `Unknown bulk action ${JSON.stringify(op?.action)}.`);
          checkId(op.id);
          const version = checkVersion(op.version);
          const analyzed = op.action === 'index' ? analyzeDocument(rt.schema, op.document) : null;
          const result = writeAnalyzed(this.#conn, rt, id, analyzed, version);
          const status = result === 'created' ? 201 : result === 'not_found' ? 404 : result === 'stale' ? 409 : 200;
          items.push({ id, action, status, result });
        } catch (error) {
          if (!isRestError(error)) throw error;
          errors = true;
          const type = error instanceof DocumentParsingError ? error.exceptionType : 'illegal_argument_exception';
          const reason = error.errors[0]?.message ?? error.message;
          items.push({ id, action, status: error.status, error: { type, reason } });
        }
      }
    });
    return { items, errors };
  }

  /**
   * Apply one index write inside the caller's open transaction (the record store's), on the shared
   * connection. A stale version is ignored; a document that does not fit the mapping throws a 400,
   * which aborts the caller's whole write.
   */
  applyIndexWrite(write: IndexWrite): void {
    this.#open();
    const rt = this.#runtime(this.#conn, write.index, true)!;
    writeDocument(this.#conn, rt, checkId(write.id), write.document, checkVersion(write.version));
  }

  // -------------------------------------------------------------------------------------------------
  // Search
  // -------------------------------------------------------------------------------------------------

  /** Execute a `_search` body (the subset in SEARCH.md); anything else is a 400 naming the clause. */
  async search(index: string, request: SearchRequest): Promise<SearchResponse> {
    this.#open();
    if (isObject(request) && request.pit !== undefined) return this.#searchPit(request);
    const rt = this.#runtime(this.#conn, index, true)!;
    return executeSearch(this.#conn, rt, this.#compiler(this.#conn, rt), request, {});
  }

  /** Number of documents matching `query` (all when absent). */
  async count(index: string, query?: JsonObject): Promise<number> {
    this.#open();
    const rt = this.#runtime(this.#conn, index, true)!;
    return executeCount(this.#conn, rt, this.#compiler(this.#conn, rt), query);
  }

  /** A point in time: a snapshot for WAL file databases, a token that pins nothing otherwise. */
  async openPointInTime(index: string, keepAlive: string): Promise<string> {
    this.#open();
    this.#sweepPits();
    const rt = this.#runtime(this.#conn, index, true)!;
    const ms = parseKeepAlive(string(keepAlive, 'keep_alive'));
    if (ms === undefined) invalid('keep_alive', `Invalid keep_alive ${JSON.stringify(keepAlive)}; use e.g. 1m, 30s.`);
    const id = randomBytes(24).toString('base64url');
    this.#pits.set(id, { index: rt.name, expires: this.#now() + ms, keepAlive: ms, conn: this.#snapshotConnection() });
    return id;
  }

  /** Release a point in time (no error for an unknown id). */
  async closePointInTime(id: string): Promise<void> {
    const pit = this.#pits.get(id);
    if (!pit) return;
    this.#pits.delete(id);
    closeSnapshot(pit);
  }

  /** Close points in time, and the database when the engine opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pit of this.#pits.values()) closeSnapshot(pit);
    this.#pits.clear();
    this.#conn.clear();
    if (this.#ownsDatabase) this.#conn.db.close();
  }

  // -------------------------------------------------------------------------------------------------

  #open(): void {
    if (this.#closed) throw new Error('SqliteSearchEngine is closed.');
  }

  #compiler(conn: Connection, rt: IndexRuntime): QueryCompiler {
    return new QueryCompiler({
      schema: rt.schema,
      tables: rt.tables,
      now: this.#now(),
      expandTerms: (nested, columns, glob, prefix, limit) => {
        const vocab = nested ? rt.tables.nvocab : rt.tables.vocab;
        if (!vocab) return [];
        const names = JSON.stringify(columns.map((c) => `c${c}`));
        const upper = prefix === '' ? undefined : prefixUpperBound(prefix);
        const range =
          prefix === '' ? sql`` : upper === undefined ? sql` AND term >= ${prefix}` : sql` AND term >= ${prefix} AND term < ${upper}`;
        return conn
          .all(
            sql`SELECT DISTINCT term FROM ${vocab} WHERE col IN (SELECT value FROM json_each(${names}))${range} AND term GLOB ${glob} LIMIT ${limit}`,
          )
          .map((row) => String(row.term));
      },
    });
  }

  /** The compiled index, from the cache when the registry still has the same ordinal. */
  #runtime(conn: Connection, index: string, required: boolean): IndexRuntime | undefined {
    if (typeof index !== 'string' || index === '') invalid('index', 'An index name must be a non-empty string.');
    const row = conn.get(sql`SELECT ordinal FROM search_indexes WHERE name = ${index}`);
    if (!row) {
      this.#runtimes.delete(index);
      if (required) indexNotFound(index);
      return undefined;
    }
    const ordinal = Number(row.ordinal);
    const cached = conn === this.#conn ? this.#runtimes.get(index) : undefined;
    if (cached && cached.ordinal === ordinal) return cached;
    const mapping = conn.get(sql`SELECT mapping FROM search_indexes WHERE name = ${index}`)?.mapping;
    const schema = compileMapping(JSON.parse(String(mapping)) as IndexMapping);
    const rt: IndexRuntime = { name: index, ordinal, schema, tables: indexTables(ordinal, schema) };
    if (conn === this.#conn) this.#runtimes.set(index, rt);
    return rt;
  }

  #searchPit(request: SearchRequest): SearchResponse {
    this.#sweepPits();
    const pitSpec = request.pit as unknown;
    if (!isObject(pitSpec)) invalid('pit', 'Expected { id, keep_alive }.');
    for (const key of Object.keys(pitSpec))
      if (key !== 'id' && key !== 'keep_alive') invalid(`pit.${key}`, 'Unknown point-in-time option.');
    const id = string(pitSpec.id, 'pit.id');
    const pit = this.#pits.get(id);
    if (!pit) throw new NotFoundError(`No search context found for point in time [${id}]; it expired or was closed.`);
    if (pitSpec.keep_alive !== undefined) {
      const ms = parseKeepAlive(string(pitSpec.keep_alive, 'pit.keep_alive'));
      if (ms === undefined) invalid('pit.keep_alive', `Invalid keep_alive ${JSON.stringify(pitSpec.keep_alive)}.`);
      pit.keepAlive = ms;
    }
    pit.expires = this.#now() + pit.keepAlive;
    const conn = pit.conn ?? this.#conn;
    const rt = this.#runtime(conn, pit.index, true)!;
    const { pit: _pit, ...body } = request;
    return executeSearch(conn, rt, this.#compiler(conn, rt), body, { pitId: id });
  }

  /** A read-only connection holding a read transaction: a real snapshot for WAL file databases. */
  #snapshotConnection(): Connection | undefined {
    const location = this.#conn.db.location();
    if (!location) return undefined;
    const mode = this.#conn.db.prepare('PRAGMA journal_mode').get() as { journal_mode?: string } | undefined;
    if (mode?.journal_mode !== 'wal') return undefined;
    const db = new DatabaseSync(location, { readOnly: true, timeout: 5000 });
    prepareConnection(db);
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM search_indexes').get();
    return new Connection(db);
  }

  #sweepPits(): void {
    const now = this.#now();
    for (const [id, pit] of this.#pits) {
      if (pit.expires <= now) {
        this.#pits.delete(id);
        closeSnapshot(pit);
      }
    }
  }
}

function closeSnapshot(pit: PointInTime): void {
  if (!pit.conn) return;
  try {
    if (pit.conn.db.isTransaction) pit.conn.db.exec('ROLLBACK');
  } finally {
    pit.conn.db.close();
  }
}

/** Register the engine's SQL functions on a connection. */
function prepareConnection(db: DatabaseSync): void {
  db.function(DATE_BUCKET_FUNCTION, { deterministic: true }, (value, unit, fixed, zone, offset) =>
    dateBucket(Number(value), String(unit), Number(fixed), String(zone), Number(offset)),
  );
}
