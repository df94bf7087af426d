// A parser for the query syntax of Elasticsearch's `query_string` query: Lucene's classic query parser
// (QueryParser.jj) plus the Elasticsearch additions (`field:>=value`, `_exists_:field`). It reproduces the
// grammar and the tokenizer's longest-match rules so that a query it accepts is one the search engine
// accepts and the reverse, and it reports where a query goes wrong. Why not liqe: docs/decisions/030.

/** A span of the query text: `start` inclusive, `end` exclusive, in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/** A field name as written in the query (`title:`), unescaped, with the span of the name. */
export interface FieldRef extends Span {
  name: string;
}

/** How a clause joins the one before it, as written. */
export type Conjunction = 'AND' | 'OR';

/** The prefix of a clause, as written: `+` required, `-` or `NOT` prohibited. */
export type Modifier = '+' | '-' | 'NOT';

/** One clause of a group, with its operators as written. See {@link clauseOccurrences} for what they mean. */
export interface Clause {
  conjunction: Conjunction | null;
  modifier: Modifier | null;
  node: QueryNode;
}

/** A parenthesised group, or the whole query. `field` is set for `field:(...)`. */
export interface GroupNode extends Span {
  type: 'group';
  clauses: Clause[];
  field?: FieldRef;
  boost?: number;
}

/** A single term. `kind` tells a plain term from `pre*` and `wild?card*`; `text` is unescaped (prefix: without the `*`). */
export interface TermNode extends Span {
  type: 'term';
  kind: 'term' | 'prefix' | 'wildcard';
  text: string;
  /** The term as written, escapes included. */
  raw: string;
  field?: FieldRef;
  /** `term~` (`'auto'`) or `term~2` (edit distance). */
  fuzzy?: number | 'auto';
  boost?: number;
}

/** A quoted phrase; `slop` from `"a b"~2`. */
export interface PhraseNode extends Span {
  type: 'phrase';
  text: string;
  raw: string;
  field?: FieldRef;
  slop?: number;
  boost?: number;
}

/** `/regular expression/`. */
export interface RegexpNode extends Span {
  type: 'regexp';
  pattern: string;
  field?: FieldRef;
  boost?: number;
}

/**
 * A range: `[a TO b]` (inclusive), `{a TO b}` (exclusive), mixed brackets, `*` for an open end, or
 * Elasticsearch's one-sided `field:>a`, `field:>=a`, `field:<a`, `field:<=a`.
 */
export interface RangeNode extends Span {
  type: 'range';
  lower: string | null;
  upper: string | null;
  includeLower: boolean;
  includeUpper: boolean;
  field?: FieldRef;
  boost?: number;
}

/** `_exists_:field`: documents that have a value in `field` (its span is the field name's). */
export interface ExistsNode extends Span {
  type: 'exists';
  field: FieldRef;
}

/** `*:*`: every document. */
export interface MatchAllNode extends Span {
  type: 'match_all';
}

/** Any node of a parsed query. */
export type QueryNode = GroupNode | TermNode | PhraseNode | RegexpNode | RangeNode | ExistsNode | MatchAllNode;

/**
 * A query that does not parse. `position` is the 0-based offset in the query where the problem is
 * (the query's length for "ended too early"); `reason` says what is wrong in plain words.
 *
 * @example
 * try { parseQueryString('title:"open'); } catch (e) { (e as QuerySyntaxError).position; // 6
 * }
 */
export class QuerySyntaxError extends Error {
  readonly position: number;
  readonly reason: string;

  constructor(reason: string, position: number) {
    super(`${reason} (at position ${position})`);
    this.name = 'QuerySyntaxError';
    this.reason = reason;
    this.position = position;
  }
}

/** Options of {@link parseQueryString}. */
export interface ParseQueryStringOptions {
  /** Deepest nesting of parentheses allowed (default 32); deeper is a syntax error, not a stack overflow. */
  maxDepth?: number;
}

type TokenKind =
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'PLUS'
  | 'MINUS'
  | 'BAREOPER'
  | 'LPAREN'
  | 'RPAREN'
  | 'COLON'
  | 'STAR'
  | 'CARAT'
  | 'QUOTED'
  | 'TERM'
  | 'FUZZY_SLOP'
  | 'PREFIXTERM'
  | 'WILDTERM'
  | 'REGEXPTERM'
  | 'RANGEIN_START'
  | 'RANGEEX_START'
  | 'NUMBER'
  | 'RANGE_TO'
  | 'RANGEIN_END'
  | 'RANGEEX_END'
  | 'RANGE_QUOTED'
  | 'RANGE_GOOP'
  | 'EOF';

interface Token extends Span {
  kind: TokenKind;
  image: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\u3000']);
// Characters that cannot start a term unless escaped (Lucene's _TERM_START_CHAR exclusions).
const NOT_TERM_START = new Set([...WHITESPACE, '+', '-', '!', '(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '*', '?', '\\', '/']);

const isTermStart = (c: string) => !NOT_TERM_START.has(c);
const isTermChar = (c: string) => isTermStart(c) || c === '-' || c === '+';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Split a query into Lucene's tokens, following its lexical states (default, after `^`, inside a range). */
function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let state: 'default' | 'boost' | 'range' = 'default';
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push({ kind, start, end, image: q.slice(start, end) });
    i = end;
  };

  while (i < q.length) {
    const c = q[i] as string;
    if (state === 'boost') {
      let j = i;
      while (isDigit(q[j])) j++;
      if (j === i) throw new QuerySyntaxError('Expected a number after "^".', i);
      if (q[j] === '.' && isDigit(q[j + 1])) {
        j++;
        while (isDigit(q[j])) j++;
      }
      push('NUMBER', i, j);
      state = 'default';
      continue;
    }
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    if (state === 'range') {
      if (c === ']' || c === '}') {
        push(c === ']' ? 'RANGEIN_END' : 'RANGEEX_END', i, i + 1);
        state = 'default';
        continue;
      }
      let goop = i;
      while (goop < q.length && !WHITESPACE.has(q[goop] as string) && q[goop] !== ']' && q[goop] !== '}') goop++;
      const quoted = c === '"' ? closing(q, i, '"', 1) : -1;
      if (quoted !== -1 && quoted + 1 >= goop) push('RANGE_QUOTED', i, quoted + 1);
      else push(q.slice(i, goop) === 'TO' ? 'RANGE_TO' : 'RANGE_GOOP', i, goop);
      continue;
    }

    // Default state: longest match wins; on a tie, the token declared first in Lucene's grammar.
    const wordEnd = scanWord(q, i);
    const word = q.slice(i, wordEnd);
    const operator = word === 'AND' || word === '&&' ? 'AND' : word === 'OR' || word === '||' ? 'OR' : word === 'NOT' ? 'NOT' : undefined;
    if (operator) {
      push(operator, i, wordEnd);
      continue;
    }
    if (wordEnd > i) {
      push(wordKind(q, i, wordEnd), i, wordEnd);
      continue;
    }
    switch (c) {
      case '+':
      case '-':
      case '!':
        if (i + 1 < q.length && WHITESPACE.has(q[i + 1] as string)) push('BAREOPER', i, i + 2);
        else push(c === '+' ? 'PLUS' : c === '-' ? 'MINUS' : 'NOT', i, i + 1);
        continue;
      case '(':
        push('LPAREN', i, i + 1);
        continue;
      case ')':
        push('RPAREN', i, i + 1);
        continue;
      case ':':
        push('COLON', i, i + 1);
        continue;
      case '^':
        push('CARAT', i, i + 1);
        state = 'boost';
        continue;
      case '[':
      case '{':
        push(c === '[' ? 'RANGEIN_START' : 'RANGEEX_START', i, i + 1);
        state = 'range';
        continue;
      case '"': {
        const end = closingQuote(q, i);
        if (end === -1) throw new QuerySyntaxError('Unterminated phrase: a quote (") is never closed.', i);
        push('QUOTED', i, end + 1);
        continue;
      }
      case '/': {
        const end = closing(q, i, '/', 0);
        if (end === -1) throw new QuerySyntaxError('Unterminated regular expression: a "/" is never closed (escape it as "\\/").', i);
        push('REGEXPTERM', i, end + 1);
        continue;
      }
      case '~': {
        let j = i + 1;
        while (j < q.length && (isTermChar(q[j] as string) || (q[j] === '\\' && j + 1 < q.length))) j += q[j] === '\\' ? 2 : 1;
        push('FUZZY_SLOP', i, j);
        continue;
      }
      case '\\':
        throw new QuerySyntaxError('A "\\" at the end of the query escapes nothing.', i);
      default:
        throw new QuerySyntaxError(`Unexpected "${c}" (escape it as "\\${c}").`, i);
    }
  }
  if (state === 'boost') throw new QuerySyntaxError('Expected a number after "^".', q.length);
  tokens.push({ kind: 'EOF', start: q.length, end: q.length, image: '' });
  return tokens;
}

/** End of the longest TERM / PREFIXTERM / WILDTERM / STAR match at `i` (`i` when none). */
function scanWord(q: string, i: number): number {
  const first = q[i] as string;
  if (first === '\\') {
    if (i + 1 >= q.length) return i;
  } else if (!isTermStart(first) && first !== '*' && first !== '?') {
    return i;
  }
  let j = i;
  while (j < q.length) {
    const c = q[j] as string;
    if (c === '\\') {
      if (j + 1 >= q.length) break;
      j += 2;
    } else if (isTermChar(c) || c === '*' || c === '?') {
      j++;
    } else {
      break;
    }
  }
  return j;
}

/** Which of TERM, PREFIXTERM, WILDTERM, STAR a word is (the grammar's order breaks ties). */
function wordKind(q: string, start: number, end: number): TokenKind {
  const word = q.slice(start, end);
  if (word === '*') return 'STAR';
  let wildcards = 0;
  let trailingStar = false;
  for (let j = start; j < end; j++) {
    if (q[j] === '\\') {
      j++;
      continue;
    }
    if (q[j] === '*' || q[j] === '?') {
      wildcards++;
      trailingStar = q[j] === '*' && j === end - 1;
    }
  }
  if (!wildcards) return 'TERM';
  if (wildcards === 1 && trailingStar && (isTermStart(q[start] as string) || q[start] === '\\')) return 'PREFIXTERM';
  return 'WILDTERM';
}

/** Index of the quote closing the phrase opened at `start` (a backslash escapes anything), or -1. */
function closingQuote(q: string, start: number): number {
  for (let j = start + 1; j < q.length; j++) {
    if (q[j] === '\\') j++;
    else if (q[j] === '"') return j;
  }
  return -1;
}

/**
 * Index of the delimiter closing a token opened at `start` whose body is `( [^d] | \d )*` (regexp) or
 * `+` (quoted range bound, `minBody` 1): the longest match, so the first unescaped delimiter, else the
 * last escaped one. -1 when there is none.
 */
function closing(q: string, start: number, d: string, minBody: number): number {
  let lastEscaped = -1;
  for (let j = start + 1; j < q.length; j++) {
    if (q[j] !== d) continue;
    if (q[j - 1] === '\\' && j - 1 > start) {
      lastEscaped = j;
      continue;
    }
    if (j - start - 1 >= minBody) return j;
    return lastEscaped;
  }
  return lastEscaped;
}

/**
 * Remove Lucene escapes: `\x` is `x`; `\uXXXX` is that character.
 *
 * @example
 * unescapeQueryText('a\\:b'); // 'a:b'
 */
export function unescapeQueryText(text: string): string {
  let out = '';
  for (let j = 0; j < text.length; j++) {
    const c = text[j] as string;
    if (c !== '\\' || j + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[j + 1] as string;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
      out += String.fromCharCode(Number.parseInt(text.slice(j + 2, j + 6), 16));
      j += 5;
    } else {
      out += next;
      j++;
    }
  }
  return out;
}

const SPECIAL = new Set([
  ...WHITESPACE,
  '+',
  '-',
  '=',
  '&',
  '|',
  '>',
  '<',
  '!',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '^',
  '"',
  '~',
  '*',
  '?',
  ':',
  '\\',
  '/',
]);

/**
 * Escape text so the query syntax reads it literally (a field name, a term).
 *
 * @example
 * escapeQueryText('metadata.title'); // 'metadata.title'
 * escapeQueryText('a:b');            // 'a\\:b'
 * escapeQueryText('AND');            // '\\AND' (not the operator)
 */
export function escapeQueryText(text: string): string {
  let out = '';
  for (const c of text) out += SPECIAL.has(c) ? `\\${c}` : c;
  return out === 'AND' || out === 'OR' || out === 'NOT' ? `\\${out}` : out;
}

const EXISTS_FIELD = '_exists_';

class Parser {
  private index = 0;
  private readonly tokens: Token[];
  private readonly maxDepth: number;

  constructor(tokens: Token[], maxDepth: number) {
    this.tokens = tokens;
    this.maxDepth = maxDepth;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private unexpected(token: Token, expected: string): never {
    if (token.kind === 'EOF') throw new QuerySyntaxError(`The query ends too early: expected ${expected}.`, token.start);
    throw new QuerySyntaxError(`Unexpected "${token.image}": expected ${expected}.`, token.start);
  }

  parseTop(): GroupNode {
    const group = this.parseGroup(undefined, 0);
    const token = this.peek();
    if (token.kind !== 'EOF') {
      if (token.kind === 'RPAREN') throw new QuerySyntaxError('Unexpected ")": no "(" is open.', token.start);
      this.unexpected(token, 'a search term, an operator or the end of the query');
    }
    return group;
  }

  private parseGroup(field: FieldRef | undefined, depth: number): GroupNode {
    const clauses: Clause[] = [];
    const first = this.peek();
    clauses.push({ conjunction: null, modifier: this.modifier(), node: this.clause(field, depth) });
    for (;;) {
      const token = this.peek();
      let conjunction: Conjunction | null = null;
      if (token.kind === 'AND' || token.kind === 'OR') {
        conjunction = token.kind;
        this.next();
      } else if (!STARTS_CLAUSE.has(token.kind)) {
        break;
      }
      clauses.push({ conjunction, modifier: this.modifier(), node: this.clause(field, depth) });
    }
    return { type: 'group', clauses, start: first.start, end: this.peek(-1).end };
  }

  private modifier(): Modifier | null {
    const kind = this.peek().kind;
    if (kind === 'PLUS' || kind === 'MINUS' || kind === 'NOT') {
      this.next();
      return kind === 'PLUS' ? '+' : kind === 'MINUS' ? '-' : 'NOT';
    }
    return null;
  }

  private clause(inherited: FieldRef | undefined, depth: number): QueryNode {
    let field = inherited;
    let own: FieldRef | undefined;
    const head = this.peek();
    if ((head.kind === 'TERM' || head.kind === 'STAR') && this.peek(1).kind === 'COLON') {
      this.next();
      this.next();
      own = { name: head.kind === 'STAR' ? '*' : unescapeQueryText(head.image), start: head.start, end: head.end };
      field = own;
    }
    const token = this.peek();
    if (token.kind === 'LPAREN') {
      if (depth + 1 > this.maxDepth) throw new QuerySyntaxError(`Parentheses nest deeper than ${this.maxDepth} levels.`, token.start);
      this.next();
      const group = this.parseGroup(field, depth + 1);
      const close = this.peek();
      if (close.kind !== 'RPAREN') this.unexpected(close, `")" to close the "(" at position ${token.start}`);
      this.next();
      group.start = own ? own.start : token.start;
      group.end = close.end;
      if (own) group.field = own;
      const boost = this.boost();
      if (boost !== undefined) {
        group.boost = boost;
        group.end = this.peek(-1).end;
      }
      return group;
    }
    const node = this.term(field);
    if (own) node.start = own.start;
    return node;
  }

  private boost(): number | undefined {
    if (this.peek().kind !== 'CARAT') return undefined;
    this.next();
    return Number(this.next().image);
  }

  /** `[^boost [~fuzzy]] | [~fuzzy [^boost]]` after a term or phrase. */
  private suffixes(): { boost?: number; fuzzy?: string } {
    const out: { boost?: number; fuzzy?: string } = {};
    const boost = this.boost();
    if (boost !== undefined) out.boost = boost;
    if (this.peek().kind === 'FUZZY_SLOP') {
      out.fuzzy = this.next().image.slice(1);
      if (boost === undefined) {
        const after = this.boost();
        if (after !== undefined) out.boost = after;
      }
    }
    return out;
  }

  private term(field: FieldRef | undefined): Exclude<QueryNode, GroupNode> {
    const token = this.next();
    const exists = field?.name === EXISTS_FIELD;
    const withField = <T extends object>(node: T): T => (field && !exists ? { ...node, field } : node);
    switch (token.kind) {
      case 'TERM':
      case 'STAR':
      case 'PREFIXTERM':
      case 'WILDTERM':
      case 'BAREOPER': {
        const { boost, fuzzy } = this.suffixes();
        const end = this.peek(-1).end;
        if (token.kind === 'STAR' && field?.name === '*') return { type: 'match_all', start: token.start, end };
        const raw = token.kind === 'BAREOPER' ? (token.image[0] as string) : token.image;
        const kind = token.kind === 'PREFIXTERM' ? 'prefix' : token.kind === 'TERM' || token.kind === 'BAREOPER' ? 'term' : 'wildcard';
        const text = unescapeQueryText(kind === 'prefix' ? raw.slice(0, -1) : raw);
        if (exists) return { type: 'exists', field: { name: text, start: token.start, end: token.end }, start: token.start, end };
        if (kind === 'term' && fuzzy === undefined) {
          const range = comparison(text);
          if (range) return withField({ type: 'range', ...range, start: token.start, end, ...(boost === undefined ? {} : { boost }) });
        }
        const node: TermNode = withField({ type: 'term', kind, text, raw, start: token.start, end });
        if (fuzzy !== undefined) node.fuzzy = fuzzy === '' || Number.isNaN(Number(fuzzy)) ? 'auto' : Number(fuzzy);
        if (boost !== undefined) node.boost = boost;
        return node;
      }
      case 'REGEXPTERM': {
        const { boost } = this.suffixes();
        const node: RegexpNode = withField({
          type: 'regexp',
          pattern: token.image.slice(1, -1),
          start: token.start,
          end: this.peek(-1).end,
        });
        if (boost !== undefined) node.boost = boost;
        return node;
      }
      case 'QUOTED': {
        const { boost, fuzzy } = this.suffixes();
        const text = unescapeQueryText(token.image.slice(1, -1));
        const end = this.peek(-1).end;
        if (exists) return { type: 'exists', field: { name: text, start: token.start, end: token.end }, start: token.start, end };
        const node: PhraseNode = withField({ type: 'phrase', text, raw: token.image, start: token.start, end });
        if (fuzzy !== undefined && fuzzy !== '' && !Number.isNaN(Number(fuzzy))) node.slop = Number(fuzzy);
        if (boost !== undefined) node.boost = boost;
        return node;
      }
      case 'RANGEIN_START':
      case 'RANGEEX_START': {
        const lower = this.rangeBound();
        const to = this.next();
        if (to.kind !== 'RANGE_TO') this.unexpected(to, '"TO" between the bounds of a range');
        const upper = this.rangeBound();
        const close = this.next();
        if (close.kind !== 'RANGEIN_END' && close.kind !== 'RANGEEX_END') this.unexpected(close, '"]" or "}" to close the range');
        const node: RangeNode = withField({
          type: 'range',
          lower,
          upper,
          includeLower: token.kind === 'RANGEIN_START',
          includeUpper: close.kind === 'RANGEIN_END',
          start: token.start,
          end: close.end,
        });
        const boost = this.boost();
        if (boost !== undefined) {
          node.boost = boost;
          node.end = this.peek(-1).end;
        }
        return node;
      }
      default:
        return this.unexpected(token, 'a search term, a phrase, a range or "("');
    }
  }

  private rangeBound(): string | null {
    const token = this.next();
    if (token.kind === 'RANGE_QUOTED') return unescapeQueryText(token.image.slice(1, -1));
    if (token.kind === 'RANGE_GOOP' || token.kind === 'RANGE_TO') return token.image === '*' ? null : unescapeQueryText(token.image);
    return this.unexpected(token, 'a range bound');
  }
}

const STARTS_CLAUSE = new Set<TokenKind>([
  'NOT',
  'PLUS',
  'MINUS',
  'BAREOPER',
  'LPAREN',
  'STAR',
  'QUOTED',
  'TERM',
  'PREFIXTERM',
  'WILDTERM',
  'REGEXPTERM',
  'RANGEIN_START',
  'RANGEEX_START',
]);

/** Elasticsearch reads an unquoted `>a`, `>=a`, `<a`, `<=a` as a one-sided range. */
function comparison(text: string): Pick<RangeNode, 'lower' | 'upper' | 'includeLower' | 'includeUpper'> | undefined {
  if (text.length < 2) return undefined;
  const op = text[0];
  if (op !== '>' && op !== '<') return undefined;
  const inclusive = text.length > 2 && text[1] === '=';
  const value = text.slice(inclusive ? 2 : 1);
  return op === '>'
    ? { lower: value, upper: null, includeLower: inclusive, includeUpper: true }
    : { lower: null, upper: value, includeLower: true, includeUpper: inclusive };
}

/**
 * Parse a query in the syntax of Elasticsearch's `query_string` query (Lucene's classic query parser
 * plus Elasticsearch's `>`/`<` ranges and `_exists_`). Throws {@link QuerySyntaxError} with the position of the
 * first problem, where the search engine would fail with an error of its own.
 *
 * @example
 * parseQueryString('title:"open science" AND year:[2000 TO *]');
 * parseQueryString('test:'); // throws QuerySyntaxError: The query ends too early: expected a search term, ... (at position 5)
 */
export function parseQueryString(q: string, options: ParseQueryStringOptions = {}): GroupNode {
  const tokens = tokenize(q);
  if (tokens.length === 1) throw new QuerySyntaxError('The query is empty.', 0);
  return new Parser(tokens, options.maxDepth ?? 32).parseTop();
}

/** What a clause contributes to its group: required, optional, or excluded. */
export type Occurrence = 'must' | 'should' | 'must_not';

/**
 * Resolve the clauses of a group to Lucene's occurrences under a default operator, following Lucene's
 * classic rules: `AND` makes both neighbours required, `OR` makes them optional under the `AND` default,
 * `+` requires, `-`/`NOT` excludes. (`a OR b AND c` is `a +b +c`, as in Lucene, not a precedence tree.)
 *
 * @example
 * clauseOccurrences(parseQueryString('a AND b OR -c'), 'OR'); // ['must', 'must', 'must_not']
 */
export function clauseOccurrences(group: GroupNode, defaultOperator: Conjunction = 'OR'): Occurrence[] {
  const out: Occurrence[] = [];
  for (const clause of group.clauses) {
    const previous = out.length - 1;
    if (previous >= 0 && clause.conjunction === 'AND' && out[previous] !== 'must_not') out[previous] = 'must';
    if (previous >= 0 && defaultOperator === 'AND' && clause.conjunction === 'OR' && out[previous] !== 'must_not') out[previous] = 'should';
    const prohibited = clause.modifier === '-' || clause.modifier === 'NOT';
    const required =
      defaultOperator === 'OR'
        ? clause.modifier === '+' || (clause.conjunction === 'AND' && !prohibited)
        : !prohibited && clause.conjunction !== 'OR';
    out.push(prohibited ? 'must_not' : required ? 'must' : 'should');
  }
  return out;
}
