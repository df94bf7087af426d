// A node:sqlite connection with prepared statements cached by SQL text. Statement shapes depend only
// on the structure of a request (never on its values), so the cache stays small and hot.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Sql, SqlValue } from './sql.js';

/** A row as node:sqlite returns it. */
export type Row = Record<string, SqlValue>;

const MAX_STATEMENTS = 512;

/** A database connection plus its statement cache. */
export class Connection {
  readonly #cache = new Map<string, StatementSync>();

  constructor(readonly db: DatabaseSync) {}

  /** The cached statement for this SQL text. */
  prepare(text: string): StatementSync {
    let statement = this.#cache.get(text);
    if (statement) {
      this.#cache.delete(text);
      this.#cache.set(text, statement);
      return statement;
    }
    statement = this.db.prepare(text);
    this.#cache.set(text, statement);
    if (this.#cache.size > MAX_STATEMENTS) this.#cache.delete(this.#cache.keys().next().value!);
    return statement;
  }

  all(query: Sql): Row[] {
    return this.prepare(query.text).all(...query.params) as Row[];
  }

  get(query: Sql): Row | undefined {
    return this.prepare(query.text).get(...query.params) as Row | undefined;
  }

  run(query: Sql): { changes: number; lastInsertRowid: number } {
    const result = this.prepare(query.text).run(...query.params);
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  iterate(query: Sql): IterableIterator<Row> {
    return this.prepare(query.text).iterate(...query.params) as IterableIterator<Row>;
  }

  /** Run `fn` inside a savepoint: nested in the caller's transaction when there is one, its own otherwise. */
  savepoint<T>(fn: () => T): T {
    this.db.exec('SAVEPOINT search_write');
    try {
      const result = fn();
      this.db.exec('RELEASE search_write');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK TO search_write');
      this.db.exec('RELEASE search_write');
      throw error;
    }
  }

  /** Forget cached statements (after DDL that drops tables they use). */
  clear(): void {
    this.#cache.clear();
  }
}
