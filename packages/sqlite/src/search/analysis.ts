// Text analysis on the JavaScript side, kept in step with the FTS5 tokenizer the index uses
// (`unicode61 remove_diacritics 2`): a token is a run of letters, digits, marks or private-use
// characters; tokens are compared lower-cased and without diacritics. FTS5 tokenizes every quoted
// string it receives itself, so these functions only decide how many terms a query has and how a
// wildcard pattern is normalized; they never have to agree with FTS5 to the last code point.

/** The FTS5 tokenizer declaration every index uses. */
export const FTS_TOKENIZER = 'unicode61 remove_diacritics 2';

/**
 * Inserted between the values of a multi-valued text field. FTS5 indexes it as a token of its own, so
 * a phrase can never match across two values (Elasticsearch's `position_increment_gap`). It is removed
 * from documents and queries, so nobody can search for it.
 */
export const VALUE_GAP = '\uE000';

const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** Split text into tokens the way the FTS5 tokenizer does (before case and diacritic folding). */
export function tokenize(text: string): string[] {
  return text.replaceAll(VALUE_GAP, ' ').match(TOKEN) ?? [];
}

/** Lower-case and strip diacritics, as `remove_diacritics 2` and Elasticsearch's `asciifolding` do for Latin text. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** An FTS5 string literal: the text in double quotes, inner quotes doubled. FTS5 tokenizes it as a phrase. */
export function ftsString(text: string): string {
  return `"${text.replaceAll(VALUE_GAP, ' ').replaceAll('"', '""')}"`;
}

/** Join the values of a text field for the FTS5 column, with the value gap between them. */
export function joinTextValues(values: readonly string[]): string {
  return values.map((v) => v.replaceAll(VALUE_GAP, ' ')).join(` ${VALUE_GAP} `);
}

/**
 * Elasticsearch's `simple` analyzer, the default of `completion` fields: runs of letters, lower-cased.
 * The completion key joins the tokens with a unit separator (`preserve_separators: true`).
 */
export function completionKey(text: string, analyzer: 'simple' | 'standard' | 'keyword'): string {
  if (analyzer === 'keyword') return text;
  const tokens = analyzer === 'simple' ? (text.match(/\p{L}+/gu) ?? []) : tokenize(text);
  return tokens.map((t) => t.toLowerCase()).join('\u001f');
}

/**
 * The smallest string greater than every string that starts with `prefix`, in SQLite's binary (UTF-8
 * byte) order, which is code point order; `undefined` when there is none.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** Compare strings in UTF-8 byte order (Lucene's and SQLite's order), not JavaScript's UTF-16 order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/**
 * Translate an Elasticsearch wildcard pattern (`*` any characters, `?` one character, `\` escapes) to a
 * SQLite GLOB pattern, and return its literal prefix (used to narrow an index range scan).
 */
export function wildcardToGlob(pattern: string): { glob: string; prefix: string; matchesAll: boolean } {
  let glob = '';
  let prefix = '';
  let literalSoFar = true;
  let escaped = false;
  for (const ch of pattern) {
    if (escaped) {
      glob += globLiteral(ch);
      if (literalSoFar) prefix += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === '*' || ch === '?') {
      glob += ch;
      literalSoFar = false;
    } else {
      glob += globLiteral(ch);
      if (literalSoFar) prefix += ch;
    }
  }
  if (escaped) {
    glob += globLiteral('\\');
    if (literalSoFar) prefix += '\\';
  }
  return { glob, prefix, matchesAll: /^\*+$/.test(glob) };
}

function globLiteral(ch: string): string {
  return ch === '*' || ch === '?' || ch === '[' || ch === ']' ? `[${ch}]` : ch;
}
