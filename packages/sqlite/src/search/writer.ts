// Document writes with external versions (Elasticsearch's `external_gte`): a write whose version is
// lower than the indexed one (or than the version a delete left behind) is ignored and reported as
// `stale`; an equal or higher version replaces the document. A write outside any transaction runs in
// a savepoint of its own (atomic on its own). Inside a caller's transaction (the record store applying
// an index intent) it takes none: the caller rolls back on a throw, and a savepoint per document costs
// a sub-journal write per page and makes FTS5 flush its pending terms into a new segment per document.

import type { IndexResult, JsonObject } from '@recordkit/records-service';
import type { Connection } from './connection.js';
import { type AnalyzedDocument, analyzeDocument } from './document.js';
import { invalid } from './errors.js';
import type { IndexSchema } from './mapping.js';
import type { IndexTables } from './schema.js';
import { bindable, type SqlValue } from './sql.js';

/** A compiled index as the writer and the executor use it. */
export interface IndexRuntime {
  name: string;
  ordinal: number;
  schema: IndexSchema;
  tables: IndexTables;
}

/** Check a document id (Elasticsearch allows at most 512 bytes). */
export function checkId(id: unknown, path = 'id'): string {
  if (typeof id !== 'string' || id === '') invalid(path, 'A document id must be a non-empty string.');
  if (Buffer.byteLength(id) > 512) invalid(path, 'A document id is limited to 512 bytes.');
  return id;
}

/** Check an external version: a non-negative integer. */
export function checkVersion(version: unknown, path = 'version'): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    invalid(path, 'The version must be a non-negative integer.');
  return version;
}

/**
 * Analyze (when indexing) and then write one document. Throws a 400 for a document that does not fit
 * the mapping, before anything is written. Inside an open transaction, a throw after that (a database
 * error) may leave part of the document written: the caller must roll back, as the record store does.
 */
export function writeDocument(
  conn: Connection,
  rt: IndexRuntime,
  id: string,
  document: JsonObject | null,
  version: number,
): IndexResult['result'] {
  const analyzed = document === null ? null : analyzeDocument(rt.schema, document);
  if (conn.db.isTransaction) return writeAnalyzed(conn, rt, id, analyzed, version);
  return conn.savepoint(() => writeAnalyzed(conn, rt, id, analyzed, version));
}

/** Write an already analyzed document (or delete when null). Must run inside a transaction or savepoint. */
export function writeAnalyzed(
  conn: Connection,
  rt: IndexRuntime,
  id: string,
  analyzed: AnalyzedDocument | null,
  version: number,
): IndexResult['result'] {
  const t = rt.tables;
  const sql = writerSql(rt);
  const current = conn.prepare(sql.selectDoc).get(id) as { rid: number; version: number } | undefined;
  if (current) {
    if (version < current.version) return 'stale';
    removeRows(conn, rt, current.rid);
    if (analyzed === null) {
      conn.prepare(`DELETE FROM ${t.doc.text} WHERE rid = ?`).run(BigInt(current.rid));
      setTombstone(conn, rt, id, version);
      return 'deleted';
    }
    conn
      .prepare(`UPDATE ${t.doc.text} SET version = ?, source = ? WHERE rid = ?`)
      .run(BigInt(version), analyzed.source, BigInt(current.rid));
    insertRows(conn, rt, current.rid, analyzed);
    return 'updated';
  }
  const tomb = conn.prepare(sql.selectTomb).get(id) as { version: number } | undefined;
  if (tomb && version < tomb.version) return 'stale';
  if (analyzed === null) {
    setTombstone(conn, rt, id, version);
    return 'not_found';
  }
  if (tomb) conn.prepare(`DELETE FROM ${t.tomb.text} WHERE id = ?`).run(id);
  const rid = Number(conn.prepare(sql.insertDoc).run(id, BigInt(version), analyzed.source).lastInsertRowid);
  insertRows(conn, rt, rid, analyzed);
  return 'created';
}

function setTombstone(conn: Connection, rt: IndexRuntime, id: string, version: number): void {
  conn
    .prepare(
      `INSERT INTO ${rt.tables.tomb.text} (id, version) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET version = max(version, excluded.version)`,
    )
    .run(id, BigInt(version));
}

function removeRows(conn: Connection, rt: IndexRuntime, rid: number): void {
  const t = rt.tables;
  const r = BigInt(rid);
  if (t.fts) conn.prepare(`DELETE FROM ${t.fts.text} WHERE rowid = ?`).run(r);
  conn.prepare(`DELETE FROM ${t.val.text} WHERE eid = ?`).run(r);
  conn.prepare(`DELETE FROM ${t.sort.text} WHERE rid = ?`).run(r);
  conn.prepare(`DELETE FROM ${t.comp.text} WHERE rid = ?`).run(r);
  if (rt.schema.nested.size > 0) {
    const nested = conn.prepare(`SELECT rid FROM ${t.nested.text} WHERE doc = ?`).all(r) as { rid: number }[];
    for (const { rid: nrid } of nested) {
      const n = BigInt(nrid);
      if (t.nfts) conn.prepare(`DELETE FROM ${t.nfts.text} WHERE rowid = ?`).run(n);
      conn.prepare(`DELETE FROM ${t.nval.text} WHERE eid = ?`).run(n);
    }
    conn.prepare(`DELETE FROM ${t.nested.text} WHERE doc = ?`).run(r);
  }
}

function insertRows(conn: Connection, rt: IndexRuntime, rid: number, doc: AnalyzedDocument): void {
  const t = rt.tables;
  const schema = rt.schema;
  const sql = writerSql(rt);
  const r = BigInt(rid);
  if (sql.insertFts && doc.root.text.some((v) => v !== null)) conn.prepare(sql.insertFts).run(r, ...doc.root.text);
  insertValues(conn, sql.insertValues, r, doc.root.values);
  conn.prepare(sql.insertSort).run(r, ...doc.sort.map((v) => bindable(v as SqlValue)));
  if (doc.nested.length > 0) {
    const insertNested = conn.prepare(`INSERT INTO ${t.nested.text} (doc, parent, path) VALUES (?, ?, ?)`);
    const insertNestedText = t.nfts
      ? conn.prepare(
          `INSERT INTO ${t.nfts.text} (rowid, ${columns(schema.nestedTextColumns)}) VALUES (?${placeholders(schema.nestedTextColumns)})`,
        )
      : undefined;
    const ids: bigint[] = [];
    for (const nested of doc.nested) {
      const parent = nested.parent < 0 ? null : ids[nested.parent]!;
      const nrid = BigInt(insertNested.run(r, parent, BigInt(nested.pathId)).lastInsertRowid);
      ids.push(nrid);
      insertValues(conn, sql.insertNestedValues, nrid, nested.values);
      if (insertNestedText && nested.text.some((v) => v !== null)) insertNestedText.run(nrid, ...nested.text);
    }
  }
  if (doc.completions.length > 0) {
    const insertCompletion = conn.prepare(
      `INSERT INTO ${t.comp.text} (field, key, rid, input, weight, contexts) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const c of doc.completions) {
      insertCompletion.run(BigInt(c.field), c.key, r, c.input, BigInt(c.weight), c.contexts.length > 0 ? JSON.stringify(c.contexts) : null);
    }
  }
}

const VALUES_PER_STATEMENT = 64;

/** SQL texts of one index's writes, built once per index (the same string each time, so the statement cache finds it by a hashed key). */
interface WriterSql {
  selectDoc: string;
  selectTomb: string;
  insertDoc: string;
  insertFts: string | undefined;
  insertSort: string;
  /** By number of rows (1 .. {@link VALUES_PER_STATEMENT}). */
  insertValues: string[];
  insertNestedValues: string[];
}

const writerSqlCache = new WeakMap<IndexRuntime, WriterSql>();

function writerSql(rt: IndexRuntime): WriterSql {
  let sql = writerSqlCache.get(rt);
  if (sql) return sql;
  const t = rt.tables;
  const schema = rt.schema;
  const valueInserts = (table: string) =>
    Array.from({ length: VALUES_PER_STATEMENT + 1 }, (_, n) =>
      n === 0 ? '' : `INSERT OR IGNORE INTO ${table} (eid, field, value) VALUES ${'(?, ?, ?), '.repeat(n - 1)}(?, ?, ?)`,
    );
  const sortColumns = Array.from({ length: schema.sortSlots }, (_, i) => `, lo${i}, hi${i}`).join('');
  sql = {
    selectDoc: `SELECT rid, version FROM ${t.doc.text} WHERE id = ?`,
    selectTomb: `SELECT version FROM ${t.tomb.text} WHERE id = ?`,
    insertDoc: `INSERT INTO ${t.doc.text} (id, version, source) VALUES (?, ?, ?)`,
    insertFts: t.fts
      ? `INSERT INTO ${t.fts.text} (rowid, ${columns(schema.rootTextColumns)}) VALUES (?${placeholders(schema.rootTextColumns)})`
      : undefined,
    insertSort: `INSERT INTO ${t.sort.text} (rid${sortColumns}) VALUES (?${placeholders(schema.sortSlots * 2)})`,
    insertValues: valueInserts(t.val.text),
    insertNestedValues: valueInserts(t.nval.text),
  };
  writerSqlCache.set(rt, sql);
  return sql;
}

/** Insert an entity's values with multi-row INSERTs: one call into SQLite per 64 values, not per value. */
function insertValues(conn: Connection, texts: string[], eid: bigint, values: [number, string | number][]): void {
  for (let start = 0; start < values.length; start += VALUES_PER_STATEMENT) {
    const end = Math.min(values.length, start + VALUES_PER_STATEMENT);
    const params: SqlValue[] = [];
    for (let i = start; i < end; i++) {
      const [field, value] = values[i]!;
      params.push(eid, BigInt(field), bindable(value));
    }
    conn.prepare(texts[end - start]!).run(...params);
  }
}

function columns(count: number): string {
  return Array.from({ length: count }, (_, i) => `c${i}`).join(', ');
}

function placeholders(count: number): string {
  return ', ?'.repeat(count);
}
