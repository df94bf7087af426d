// Doc values: per-document columns of an index held in memory, read once from the value and sort
// tables and dropped at the first change of the database. They let a search with many matches
// evaluate a post_filter of term/terms clauses, count terms aggregations and pick the top hits of a
// field sort in a loop over the matches, instead of one B-tree lookup per match and field
// (decision 121). Every answer is the one the SQL plan gives: values are SQLite's own, sort order is
// SQLite's own `dense_rank()`, and the columns are used only while the database is provably unchanged.

import type { Connection } from './connection.js';
import type { FieldDef } from './mapping.js';
import type { RidSet, SetPlan } from './query.js';
import { ident, sql } from './sql.js';
import type { IndexRuntime } from './writer.js';

/**
 * A field's values per document: the distinct values in SQLite's order, and per row id the ordinals of
 * its values (compressed rows: those of `rid` are `ords[offsets[rid]] ... ords[offsets[rid + 1] - 1]`).
 */
export interface TermsColumn {
  /** Distinct values, by ordinal. */
  values: (string | number)[];
  /** Value → ordinal. */
  ordinals: Map<string | number, number>;
  offsets: Int32Array;
  ords: Int32Array;
}

/** A sort-table column as ranks: equal values share a rank, NULL (or no row) is -1. */
export type RankColumn = Int32Array;

const NONE = -1;

/** Doc values per connection and index runtime. */
const caches = new WeakMap<Connection, Map<IndexRuntime, DocValues>>();

/** The database state: other connections' commits, schema changes, this connection's writes. */
function databaseState(conn: Connection): string {
  const row = conn.get(
    sql`SELECT (SELECT data_version FROM pragma_data_version) AS d, (SELECT schema_version FROM pragma_schema_version) AS s, total_changes() AS c`,
  );
  return `${row?.d}:${row?.s}:${row?.c}`;
}

/** The state of the database when a search starts; give it to {@link endSearch} when the search is done. */
export function beginSearch(conn: Connection): string {
  return databaseState(conn);
}

/**
 * After a search: its own writes (the temporary match table, a sort index) changed no indexed data, so
 * doc values that were valid when it started stay valid. Runs synchronously after the search, so no
 * other write on this connection can come in between; a commit by another connection meanwhile is
 * never settled away.
 */
export function endSearch(conn: Connection, started: string): void {
  const byIndex = caches.get(conn);
  if (!byIndex || conn.db.isTransaction) return;
  const now = databaseState(conn);
  if (now.split(':')[0] !== started.split(':')[0]) return;
  for (const dv of byIndex.values()) dv.settle(started, now);
}

/**
 * The doc values of an index for a search that started in `state`, or undefined when they cannot be used
 * (inside a transaction, or the first search after a change).
 */
export function docValuesFor(conn: Connection, rt: IndexRuntime, state: string): DocValues | undefined {
  let byIndex = caches.get(conn);
  if (!byIndex) {
    byIndex = new Map();
    caches.set(conn, byIndex);
  }
  let dv = byIndex.get(rt);
  if (!dv) {
    // Runtimes are replaced when an index is deleted or recreated: forget those of the same name.
    for (const other of byIndex.keys()) if (other.name === rt.name) byIndex.delete(other);
    dv = new DocValues(conn, rt);
    byIndex.set(rt, dv);
  }
  return dv.usable(state) ? dv : undefined;
}

/**
 * The in-memory columns of one index, read on first use. `usable()` compares the connection's change
 * counters with those seen by the previous search; any difference drops the columns, and that search
 * takes the SQL plan. They are read again only after a quiet spell (1 search, longer when columns keep
 * being dropped soon after they were read), so frequent writes between searches cost the SQL plan and
 * little more.
 */
export class DocValues {
  readonly #terms = new Map<number, TermsColumn | null>();
  readonly #ranks = new Map<string, RankColumn>();
  #token = '';
  #size = 0;
  /** Searches since the last change; columns are (re)built once `#quiet >= #threshold`. */
  #quiet = 0;
  #threshold = 1;
  /** Searches served since the columns were last dropped. */
  #uses = 0;

  constructor(
    readonly conn: Connection,
    readonly rt: IndexRuntime,
  ) {}

  /** True when the columns may be used in a search that started in `state`; drops them at any change. */
  usable(state: string): boolean {
    // Inside a transaction the data may still be rolled back; columns read there could outlive it.
    if (this.conn.db.isTransaction) return false;
    if (state !== this.#token) {
      // Columns read and dropped again after a few searches did not pay for themselves: wait for a longer
      // quiet spell next time (writes between searches then cost only the SQL plan). Columns that served
      // many searches shorten the wait again.
      if (this.#terms.size > 0 || this.#ranks.size > 0)
        this.#threshold = this.#uses < 4 ? Math.min(this.#threshold * 2, 64) : Math.max(1, this.#threshold >> 1);
      this.#terms.clear();
      this.#ranks.clear();
      this.#token = state;
      this.#size = 0;
      this.#quiet = 0;
      this.#uses = 0;
      return false;
    }
    this.#quiet += 1;
    if (this.#quiet < this.#threshold) return false;
    this.#uses += 1;
    if (this.#size === 0)
      this.#size = Number(this.conn.get(sql`SELECT coalesce(max(rid), 0) + 1 AS n FROM ${this.rt.tables.sort}`)?.n ?? 1);
    return true;
  }

  /** Keep the columns across a search's own writes: see {@link endSearch}. */
  settle(started: string, now: string): void {
    if (this.#token === started) this.#token = now;
  }

  /** The values of a root keyword, number, date or boolean field, or undefined when it has none usable here. */
  terms(field: FieldDef): TermsColumn | undefined {
    if (field.nested !== null || field.kind === 'text' || field.kind === 'completion') return undefined;
    let column = this.#terms.get(field.id);
    if (column === undefined) {
      column = this.#readTerms(field);
      this.#terms.set(field.id, column);
    }
    return column ?? undefined;
  }

  #readTerms(field: FieldDef): TermsColumn | null {
    const values: (string | number)[] = [];
    const ordinals = new Map<string | number, number>();
    const lists: number[][] = [];
    // One row per distinct value (in the (field, value) index order, so no sort), its documents as JSON.
    const rows = this.conn.all(
      sql`SELECT value, json_group_array(eid) AS e FROM ${this.rt.tables.val} WHERE field = ${field.id} GROUP BY value`,
    );
    const perDocument = new Int32Array(this.#size + 1);
    for (const row of rows) {
      const value = row.value;
      // Only values JavaScript holds exactly (no BLOBs, no integers beyond 2^53) compare as SQLite does.
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return null;
      if (ordinals.has(value)) return null;
      ordinals.set(value, values.length);
      values.push(value);
      const eids = JSON.parse(String(row.e)) as number[];
      for (const eid of eids) {
        if (!(eid >= 0 && eid < this.#size)) return null;
        perDocument[eid + 1]! += 1;
      }
      lists.push(eids);
    }
    const offsets = perDocument;
    for (let i = 1; i < offsets.length; i++) offsets[i]! += offsets[i - 1]!;
    const ords = new Int32Array(offsets[offsets.length - 1]!);
    const next = offsets.slice(0, this.#size);
    lists.forEach((eids, ordinal) => {
      for (const eid of eids) ords[next[eid]!++] = ordinal;
    });
    return { values, ordinals, offsets, ords };
  }

  /** Whether the ranks of a sort-table column are in memory. */
  hasRanks(column: string): boolean {
    return this.#ranks.has(column);
  }

  /** Ranks of a sort-table column (`lo3`, `hi0`) in SQLite's ascending order. */
  ranks(column: string): RankColumn {
    let ranks = this.#ranks.get(column);
    if (ranks === undefined) {
      ranks = new Int32Array(this.#size).fill(NONE);
      const col = ident(column);
      const row = this.conn.get(
        sql`SELECT json_group_array(rid) AS r, json_group_array(k) AS k FROM (SELECT rid, dense_rank() OVER (ORDER BY ${col}) - 1 AS k FROM ${this.rt.tables.sort} WHERE ${col} IS NOT NULL)`,
      );
      const rids = JSON.parse(String(row?.r ?? '[]')) as number[];
      const keys = JSON.parse(String(row?.k ?? '[]')) as number[];
      for (let i = 0; i < rids.length; i++) {
        const rid = rids[i]!;
        if (rid < ranks.length) ranks[rid] = keys[i]!;
      }
      this.#ranks.set(column, ranks);
    }
    return ranks;
  }

  /** Count the values of `field` over `rids`: value → number of documents. */
  count(column: TermsColumn, rids: readonly number[]): Map<string | number, number> {
    const counts = new Int32Array(column.values.length);
    const { offsets, ords } = column;
    for (const rid of rids) {
      const end = offsets[rid + 1]!;
      for (let j = offsets[rid]!; j < end; j++) counts[ords[j]!]! += 1;
    }
    const result = new Map<string | number, number>();
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) result.set(column.values[i]!, counts[i]!);
    return result;
  }

  /**
   * A set split into the part SQL must look up and tests doc values can do on its ids: `A EXCEPT X`
   * with X testable is A, then "not X"; `A INTERSECT B` with B testable is A, then "B" (no tests: the
   * whole set is looked up). Saves SQL from walking the id lists of frequent values (a permission
   * filter's).
   */
  split(set: RidSet): { lookup: RidSet; tests: ((rid: number) => boolean)[] } {
    const parts = set.parts;
    if (parts?.kind === 'except') {
      const minus = parts.minus.map((m) => (m.plan ? this.predicate(m.plan) : undefined));
      if (minus.every((m) => m !== undefined)) {
        const inner = this.split(parts.base);
        const tests = minus as ((rid: number) => boolean)[];
        return { lookup: inner.lookup, tests: [...inner.tests, ...tests.map((t) => (rid: number) => !t(rid))] };
      }
    } else if (parts?.kind === 'and') {
      const tested = parts.of.map((p) => (p.plan ? this.predicate(p.plan) : undefined));
      const looked = parts.of.filter((_, i) => tested[i] === undefined);
      // One looked-up part keeps the split simple: it is a set of its own, with its own `select`.
      if (looked.length === 1) {
        const inner = this.split(looked[0]!);
        return {
          lookup: inner.lookup,
          tests: [...inner.tests, ...(tested.filter((t) => t !== undefined) as ((rid: number) => boolean)[])],
        };
      }
    }
    return { lookup: set, tests: [] };
  }

  /**
   * A test "is this document in the set" for a set plan (term/terms leaves combined with and, or, and
   * except), or undefined when some leaf has no doc values.
   */
  predicate(plan: SetPlan): ((rid: number) => boolean) | undefined {
    switch (plan.kind) {
      case 'values': {
        const column = this.terms(plan.field);
        if (!column) return undefined;
        const accepted = new Uint8Array(column.values.length);
        for (const v of plan.values) {
          const o = column.ordinals.get(v);
          if (o !== undefined) accepted[o] = 1;
        }
        const { offsets, ords } = column;
        return (rid) => {
          const end = offsets[rid + 1]!;
          for (let j = offsets[rid]!; j < end; j++) if (accepted[ords[j]!] === 1) return true;
          return false;
        };
      }
      case 'all':
        return () => true;
      case 'and':
      case 'or': {
        const parts = plan.parts.map((p) => this.predicate(p));
        if (parts.some((p) => p === undefined)) return undefined;
        const tests = parts as ((rid: number) => boolean)[];
        return plan.kind === 'and' ? (rid) => tests.every((t) => t(rid)) : (rid) => tests.some((t) => t(rid));
      }
      case 'except': {
        const base = this.predicate(plan.base);
        const minus = plan.minus.map((p) => this.predicate(p));
        if (!base || minus.some((p) => p === undefined)) return undefined;
        const tests = minus as ((rid: number) => boolean)[];
        return (rid) => base(rid) && !tests.some((t) => t(rid));
      }
    }
  }
}
