// The seam between the two halves of this package. When the record store and the search engine share
// one SQLite database (`openSqlite`), the store applies each write's index intent on the same
// connection, inside the write transaction it has open, so records and index never drift.
//
// The store half (src/store/) calls this interface; the search half (src/search/) implements it.

import type { JsonObject } from '@recordkit/records-service';

/** One index write, applied inside the record store's open transaction. */
export interface IndexWrite {
  /** Logical index name (as in `IndexIntent.index`). */
  index: string;
  /** Record id (UUID), the document `_id`. */
  id: string;
  /** The record revision that produced the write: the external version (`external_gte`). */
  version: number;
  /** The document to index; `null` removes the document. */
  document: JsonObject | null;
}

/**
 * Implemented by the SQLite search engine: apply an index write synchronously on the shared
 * `DatabaseSync`, inside the transaction the caller has open.
 *
 * Rules for implementers: never `BEGIN`, `COMMIT` or `ROLLBACK` here (the store owns the transaction);
 * a version older than the indexed one is ignored, not an error; throw (e.g. a `RestError` for a
 * document that does not fit the mapping) to abort the whole write, record included.
 */
export interface SqliteIndexWriter {
  applyIndexWrite(write: IndexWrite): void;
}
