// SQL fragments with their parameters. Request input can only ever reach SQLite as a bound parameter:
// `sql` turns every interpolated value into a `?` placeholder, and the only way to put raw text into a
// statement is `ident()`, which accepts nothing but the engine's own lower-case identifiers.

/** A value SQLite can bind. Booleans are not bindable in node:sqlite; callers convert them to 0/1. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A piece of SQL text and the values of its `?` placeholders, in order. */
export class Sql {
  constructor(
    readonly text: string,
    readonly params: readonly SqlValue[],
  ) {}
}

/** Build a fragment: interpolated `Sql` is inlined, anything else becomes a bound parameter. */
export function sql(strings: TemplateStringsArray, ...values: (Sql | SqlValue)[]): Sql {
  let text = strings[0] ?? '';
  const params: SqlValue[] = [];
  values.forEach((value, i) => {
    if (value instanceof Sql) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(bindable(value));
    }
    text += strings[i + 1] ?? '';
  });
  return new Sql(text, params);
}

/**
 * node:sqlite binds every JavaScript number as REAL; whole numbers go in as INTEGER instead, so they
 * are stored compactly and FTS5 rowid constraints (which ignore REAL values) work.
 */
export function bindable(value: SqlValue): SqlValue {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * An identifier the engine itself made (table names such as `search_3_val`, FTS column names `c0`,
 * aliases `n1`). Throws on anything else, so a mistake can never splice request text into SQL.
 */
export function ident(name: string): Sql {
  if (!IDENTIFIER.test(name)) throw new Error(`Not an engine identifier: ${JSON.stringify(name)}`);
  return new Sql(name, []);
}

/** Join fragments with a separator (itself a fragment). An empty list gives an empty fragment. */
export function join(parts: readonly Sql[], separator: Sql): Sql {
  let text = '';
  const params: SqlValue[] = [];
  parts.forEach((part, i) => {
    if (i > 0) {
      text += separator.text;
      params.push(...separator.params);
    }
    text += part.text;
    params.push(...part.params);
  });
  return new Sql(text, params);
}

/** A fragment of fixed SQL text with no parameters, e.g. a keyword chosen by the engine (`ASC`). */
export function keyword(text: 'ASC' | 'DESC' | 'AND' | 'OR' | 'TRUE' | 'FALSE' | '' | ', ' | ' + ' | 'NULL'): Sql {
  return new Sql(text, []);
}

/** `TRUE` and `FALSE` as fragments. */
export const TRUE = new Sql('1', []);
export const FALSE = new Sql('0', []);

/** AND of conditions, simplified around constants. */
export function and(parts: readonly Sql[]): Sql {
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.some((p) => p === FALSE)) return FALSE;
  if (kept.length === 0) return TRUE;
  if (kept.length === 1) return kept[0]!;
  return sql`(${join(kept, new Sql(' AND ', []))})`;
}

/** OR of conditions, simplified around constants. */
export function or(parts: readonly Sql[]): Sql {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.some((p) => p === TRUE)) return TRUE;
  if (kept.length === 0) return FALSE;
  if (kept.length === 1) return kept[0]!;
  return sql`(${join(kept, new Sql(' OR ', []))})`;
}

/** NOT of a condition. */
export function not(part: Sql): Sql {
  if (part === TRUE) return FALSE;
  if (part === FALSE) return TRUE;
  return sql`(NOT ${part})`;
}
