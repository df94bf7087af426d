// A parser for the Lucene classic query syntax that Elasticsearch's `query_string` uses: terms,
// "phrases", field:value, AND/OR/NOT (&&, ||, !), +/- modifiers, (grouping), field:(grouping),
// * and ? wildcards, [a TO b] / {a TO b} ranges, >=x style ranges, ^boost, and backslash escapes.
// Clause occurrence follows the classic parser's rules (a conjunction changes the previous clause),
// so `a AND b OR c` means what it means on Elasticsearch. Fuzzy (~), regular expressions (/re/) and
// proximity (phrase~N) are refused with a clear error.

import { querySyntax, unsupported } from './errors.js';

/** How a clause takes part in a boolean query. */
export type Occur = 'must' | 'should' | 'must_not';

/** The parsed form of a query string. */
export type QSNode =
  | { kind: 'bool'; clauses: { occur: Occur; node: QSNode }[]; boost?: number }
  | { kind: 'term'; field: string | null; text: string; wildcard: 'none' | 'prefix' | 'pattern'; boost?: number; position: number }
  | { kind: 'phrase'; field: string | null; text: string; boost?: number; position: number }
  | {
      kind: 'range';
      field: string | null;
      lower: string | null;
      upper: string | null;
      includeLower: boolean;
      includeUpper: boolean;
      boost?: number;
      position: number;
    }
  | { kind: 'all'; boost?: number }
  | { kind: 'exists'; field: string; boost?: number; position: number };

type TokenKind =
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'PLUS'
  | 'MINUS'
  | 'LPAREN'
  | 'RPAREN'
  | 'COLON'
  | 'CARAT'
  | 'TILDE'
  | 'QUOTED'
  | 'WORD'
  | 'RANGE'
  | 'EOF';

interface Token {
  kind: TokenKind;
  /** Unescaped text (WORD, QUOTED). */
  text: string;
  /** Positions of unescaped `*` and `?` in `text` (WORD). */
  wild: number[];
  position: number;
  range?: { lower: string | null; upper: string | null; includeLower: boolean; includeUpper: boolean };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\u3000']);
const NOT_START = new Set([...WHITESPACE, '+', '-', '!', '(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '\\', '/']);

function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, position: number, text = '') => tokens.push({ kind, text, wild: [], position });
  while (i < query.length) {
    const ch = query[i]!;
    if (WHITESPACE.has(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '(') push('LPAREN', i++);
    else if (ch === ')') push('RPAREN', i++);
    else if (ch === ':') push('COLON', i++);
    else if (ch === '+') push('PLUS', i++);
    else if (ch === '-') push('MINUS', i++);
    else if (ch === '!') push('NOT', i++);
    else if (ch === '^') push('CARAT', i++);
    else if (ch === '~') push('TILDE', i++);
    else if (ch === '/') {
      const end = query.indexOf('/', i + 1);
      if (end < 0) querySyntax(query, 'Unterminated regular expression.', i);
      unsupported('query_string regular expressions (/.../)');
    } else if (ch === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) querySyntax(query, 'Unterminated quoted phrase.', start);
        const c = query[i]!;
        if (c === '\\') {
          if (i + 1 >= query.length) querySyntax(query, 'Escape character at the end of the query.', i);
          text += query[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          text += c;
          i++;
        }
      }
      tokens.push({ kind: 'QUOTED', text, wild: [], position: start });
    } else if (ch === '[' || ch === '{') {
      i++;
      const parts: (string | null)[] = [];
      let closed: string | undefined;
      while (i < query.length && closed === undefined) {
        const c = query[i]!;
        if (WHITESPACE.has(c)) {
          i++;
        } else if (c === ']' || c === '}') {
          closed = c;
          i++;
        } else if (c === '"') {
          let text = '';
          i++;
          while (i < query.length && query[i] !== '"') {
            if (query[i] === '\\' && i + 1 < query.length) i++;
            text += query[i];
            i++;
          }
          if (i >= query.length) querySyntax(query, 'Unterminated quoted range bound.', start);
          i++;
          parts.push(text);
        } else {
          let text = '';
          while (i < query.length && !WHITESPACE.has(query[i]!) && query[i] !== ']' && query[i] !== '}') {
            if (query[i] === '\\' && i + 1 < query.length) i++;
            text += query[i];
            i++;
          }
          parts.push(text === '*' ? null : text);
        }
      }
      if (closed === undefined) querySyntax(query, 'Unterminated range: expected ] or }.', start);
      if (parts.length !== 3 || parts[1] !== 'TO') querySyntax(query, 'A range must look like [lower TO upper].', start);
      tokens.push({
        kind: 'RANGE',
        text: '',
        wild: [],
        position: start,
        range: { lower: parts[0] ?? null, upper: parts[2] ?? null, includeLower: ch === '[', includeUpper: closed === ']' },
      });
    } else if (ch === ']' || ch === '}') {
      querySyntax(query, `Unexpected ${ch}.`, i);
    } else {
      let text = '';
      const wild: number[] = [];
      let first = true;
      while (i < query.length) {
        const c = query[i]!;
        if (c === '\\') {
          if (i + 1 >= query.length) querySyntax(query, 'Escape character at the end of the query.', i);
          text += query[i + 1];
          i += 2;
        } else if (NOT_START.has(c) && !(!first && (c === '-' || c === '+'))) {
          break;
        } else {
          if (c === '*' || c === '?') wild.push(text.length);
          text += c;
          i++;
        }
        first = false;
      }
      const raw = query.slice(start, i);
      if (raw === 'AND' || raw === '&&') push('AND', start);
      else if (raw === 'OR' || raw === '||') push('OR', start);
      else if (raw === 'NOT') push('NOT', start);
      else tokens.push({ kind: 'WORD', text, wild, position: start });
    }
  }
  tokens.push({ kind: 'EOF', text: '', wild: [], position: query.length });
  return tokens;
}

/**
 * Parse a `query_string` query.
 *
 * @example
 * parseQueryString('title:"open data" AND year:[2000 TO *]', 'or');
 */
export function parseQueryString(query: string, defaultOperator: 'or' | 'and'): QSNode {
  const tokens = lex(query);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;

  const parseBoost = (): number | undefined => {
    if (peek().kind !== 'CARAT') return undefined;
    const caret = next();
    const t = next();
    if (t.kind !== 'WORD' || !/^\d+(\.\d+)?$/.test(t.text)) querySyntax(query, 'Expected a number after ^.', caret.position);
    return Number(t.text);
  };

  const parseModifiers = (): 'none' | 'req' | 'not' => {
    const t = peek();
    if (t.kind === 'PLUS') {
      next();
      return 'req';
    }
    if (t.kind === 'MINUS' || t.kind === 'NOT') {
      next();
      return 'not';
    }
    return 'none';
  };

  const addClause = (
    clauses: { occur: Occur; node: QSNode }[],
    conj: 'none' | 'and' | 'or',
    mods: 'none' | 'req' | 'not',
    node: QSNode | null,
  ) => {
    const last = clauses[clauses.length - 1];
    if (last && conj === 'and' && last.occur !== 'must_not') last.occur = 'must';
    if (last && defaultOperator === 'and' && conj === 'or' && last.occur !== 'must_not') last.occur = 'should';
    if (node === null) return;
    let required: boolean;
    const prohibited = mods === 'not';
    if (defaultOperator === 'or') {
      required = mods === 'req' || (conj === 'and' && !prohibited);
    } else {
      required = !prohibited && conj !== 'or';
    }
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', node });
  };

  const parseQuery = (field: string | null, depth: number): QSNode => {
    const clauses: { occur: Occur; node: QSNode }[] = [];
    let first: QSNode | null = null;
    let firstPlain = false;
    let conj: 'none' | 'and' | 'or' = 'none';
    for (;;) {
      const t = peek();
      if (t.kind === 'EOF') break;
      if (t.kind === 'RPAREN') {
        if (depth === 0) querySyntax(query, 'Unbalanced ).', t.position);
        break;
      }
      if (clauses.length > 0 || first !== null) {
        if (t.kind === 'AND') {
          next();
          conj = 'and';
        } else if (t.kind === 'OR') {
          next();
          conj = 'or';
        } else conj = 'none';
      } else if (t.kind === 'AND' || t.kind === 'OR') {
        querySyntax(query, `Unexpected ${t.kind} at the start of a clause.`, t.position);
      }
      const mods = parseModifiers();
      const node = parseClause(field, depth);
      if (first === null && clauses.length === 0) {
        first = node;
        firstPlain = mods === 'none';
      }
      addClause(clauses, conj, mods, node);
    }
    if (clauses.length === 0 && first === null) {
      if (depth === 0) return { kind: 'bool', clauses: [] };
      querySyntax(query, 'Empty group ().', peek().position);
    }
    if (clauses.length === 1 && firstPlain && first !== null && clauses[0]!.occur !== 'must_not') return first;
    return { kind: 'bool', clauses };
  };

  const parseClause = (field: string | null, depth: number): QSNode | null => {
    let clauseField = field;
    const t = peek();
    if (t.kind === 'WORD' && tokens[pos + 1]?.kind === 'COLON') {
      next();
      next();
      clauseField = t.text;
      const after = peek();
      if (after.kind === 'EOF' || after.kind === 'RPAREN' || after.kind === 'AND' || after.kind === 'OR') {
        querySyntax(query, `Expected a value after ${t.text}:.`, after.position);
      }
    }
    const start = peek();
    if (start.kind === 'LPAREN') {
      next();
      const inner = parseQuery(clauseField, depth + 1);
      const close = next();
      if (close.kind !== 'RPAREN') querySyntax(query, 'Missing ).', close.position);
      const boost = parseBoost();
      if (boost !== undefined) return inner.kind === 'bool' ? { ...inner, boost } : { ...inner, boost };
      return inner;
    }
    return parseTerm(clauseField);
  };

  const parseTerm = (field: string | null): QSNode | null => {
    const t = next();
    let node: QSNode;
    if (t.kind === 'WORD') {
      if (t.text === '*' && t.wild.length === 1) {
        node = field === null || field === '*' ? { kind: 'all' } : { kind: 'exists', field, position: t.position };
      } else if (field === '_exists_') {
        node = { kind: 'exists', field: t.text, position: t.position };
      } else {
        const wildcard =
          t.wild.length === 0
            ? 'none'
            : t.wild.length === 1 && t.wild[0] === t.text.length - 1 && t.text.endsWith('*')
              ? 'prefix'
              : 'pattern';
        node = { kind: 'term', field, text: wildcard === 'none' ? t.text : escapeWildcard(t.text, t.wild), wildcard, position: t.position };
      }
    } else if (t.kind === 'QUOTED') {
      node = { kind: 'phrase', field, text: t.text, position: t.position };
    } else if (t.kind === 'RANGE') {
      node = { kind: 'range', field, ...t.range!, position: t.position };
    } else if (t.kind === 'EOF') {
      querySyntax(query, 'Unexpected end of the query.', t.position);
    } else {
      querySyntax(query, `Unexpected ${describe(t)}.`, t.position);
    }
    // Boost and fuzzy/slop modifiers may come in either order.
    for (let i = 0; i < 2; i++) {
      const boost = parseBoost();
      if (boost !== undefined) node = { ...node, boost };
      if (peek().kind === 'TILDE') {
        const tilde = next();
        let amount = '';
        if (peek().kind === 'WORD' && /^\d+(\.\d+)?$/.test(peek().text) && peek().position === tilde.position + 1) amount = next().text;
        if (node.kind === 'phrase') {
          if (amount !== '' && Number(amount) !== 0) unsupported('query_string proximity search ("..."~N)');
        } else {
          unsupported('query_string fuzzy search (term~)');
        }
      }
    }
    return node;
  };

  const result = parseQuery(null, 0);
  if (peek().kind !== 'EOF') querySyntax(query, `Unexpected ${describe(peek())}.`, peek().position);
  return result;
}

/** Re-escape literal `*`, `?` and `\` so the wildcard text keeps only the real wildcards. */
function escapeWildcard(text: string, wild: number[]): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '*' || c === '?') && !wild.includes(i)) out += `\\${c}`;
    else if (c === '\\') out += '\\\\';
    else out += c;
  }
  return out;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'RPAREN':
      return ')';
    case 'LPAREN':
      return '(';
    case 'COLON':
      return ':';
    case 'CARAT':
      return '^';
    case 'TILDE':
      return '~';
    case 'EOF':
      return 'end of the query';
    case 'WORD':
    case 'QUOTED':
      return JSON.stringify(t.text);
    default:
      return t.kind;
  }
}

// ---------------------------------------------------------------------------------------------------
// simple_query_string
// ---------------------------------------------------------------------------------------------------

/** Operators of `simple_query_string`, enabled by its `flags`. */
export interface SimpleFlags {
  and: boolean;
  or: boolean;
  not: boolean;
  phrase: boolean;
  prefix: boolean;
  precedence: boolean;
  escape: boolean;
  whitespace: boolean;
  fuzzy: boolean;
  near: boolean;
  slop: boolean;
}

const ALL_FLAGS: SimpleFlags = {
  and: true,
  or: true,
  not: true,
  phrase: true,
  prefix: true,
  precedence: true,
  escape: true,
  whitespace: true,
  fuzzy: true,
  near: true,
  slop: true,
};

/** Parse `flags` (`ALL`, `NONE`, or `AND|OR|PREFIX`...). */
export function parseSimpleFlags(flags: string | undefined): SimpleFlags | undefined {
  if (flags === undefined || flags === 'ALL') return ALL_FLAGS;
  const result: SimpleFlags = Object.fromEntries(Object.keys(ALL_FLAGS).map((k) => [k, false])) as unknown as SimpleFlags;
  for (const raw of flags.split('|')) {
    const name = raw.trim().toLowerCase();
    if (name === 'none' || name === '') continue;
    if (name === 'all') return ALL_FLAGS;
    if (!(name in result)) return undefined;
    result[name as keyof SimpleFlags] = true;
  }
  return result;
}

/**
 * Parse a `simple_query_string` query. It never fails: like Lucene's SimpleQueryParser, operators
 * combine left to right (`a | b + c` is `(a | b) + c`), `-x` means "everything but x", and unbalanced
 * quotes or parentheses are read as plain text.
 */
export function parseSimpleQueryString(query: string, defaultOperator: 'or' | 'and', flags: SimpleFlags): QSNode | null {
  let i = 0;
  const defaultOccur: Occur = defaultOperator === 'and' ? 'must' : 'should';

  const parseGroup = (depth: number): QSNode | null => {
    let top: QSNode | null = null;
    let previous: Occur | null = null;
    let current: Occur | null = null;
    let negations = 0;

    const add = (branch: QSNode | null) => {
      if (branch === null) return;
      let node = branch;
      if (negations % 2 === 1) {
        node = {
          kind: 'bool',
          clauses: [
            { occur: 'must_not', node: branch },
            { occur: 'should', node: { kind: 'all' } },
          ],
        };
      }
      negations = 0;
      if (top === null) top = node;
      else {
        const op = current ?? defaultOccur;
        if (previous === op && top.kind === 'bool') top.clauses.push({ occur: op, node });
        else
          top = {
            kind: 'bool',
            clauses: [
              { occur: op, node: top },
              { occur: op, node },
            ],
          };
        previous = op;
      }
      current = null;
    };

    while (i < query.length) {
      const c = query[i]!;
      if (flags.whitespace && /\s/.test(c)) {
        i++;
        continue;
      }
      if (flags.precedence && c === '(') {
        i++;
        add(parseGroup(depth + 1));
        continue;
      }
      if (flags.precedence && c === ')' && depth > 0) {
        i++;
        return top;
      }
      if (flags.and && c === '+') {
        i++;
        current = 'must';
        continue;
      }
      if (flags.or && c === '|') {
        i++;
        current = 'should';
        continue;
      }
      if (flags.not && c === '-' && negationAllowed(i)) {
        i++;
        negations++;
        continue;
      }
      if (flags.phrase && c === '"') {
        const found = findClosingQuote(i + 1);
        if (found < 0) {
          // Like Lucene's SimpleQueryParser (and so Elasticsearch), an unclosed quote is dropped and the
          // rest of the text is read as plain terms: `"data management` is `data | management`.
          i++;
          continue;
        }
        const text = unescapeText(query.slice(i + 1, found));
        const position = i;
        i = found + 1;
        const slop = readTilde();
        if (slop !== undefined && slop !== 0 && flags.slop) unsupported('simple_query_string proximity search ("..."~N)');
        add({ kind: 'phrase', field: null, text, position });
        continue;
      }
      const position = i;
      let text = '';
      while (i < query.length) {
        const d = query[i]!;
        if (flags.escape && d === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
          continue;
        }
        if (
          (flags.whitespace && /\s/.test(d)) ||
          (flags.precedence && (d === '(' || d === ')')) ||
          (flags.and && d === '+') ||
          (flags.or && d === '|')
        )
          break;
        if (flags.phrase && d === '"') break;
        if (d === '~' && (flags.fuzzy || flags.near)) break;
        text += d;
        i++;
      }
      if (i === position) {
        // A character no rule consumes here (a stray parenthesis): skip it.
        i++;
        continue;
      }
      const fuzzy = readTilde();
      if (fuzzy !== undefined && fuzzy !== 0 && flags.fuzzy) unsupported('simple_query_string fuzzy search (term~N)');
      if (text === '') continue;
      if (flags.prefix && text.endsWith('*') && text.length > 1) {
        add({
          kind: 'term',
          field: null,
          text: text.slice(0, -1).replaceAll('\\', '\\\\').replaceAll('*', '\\*').replaceAll('?', '\\?') + '*',
          wildcard: 'prefix',
          position,
        });
      } else {
        add({ kind: 'term', field: null, text, wildcard: 'none', position });
      }
    }
    return top;
  };

  const negationAllowed = (at: number): boolean => at === 0 || /[\s(+|-]/.test(query[at - 1]!);

  const findClosingQuote = (from: number): number => {
    for (let j = from; j < query.length; j++) {
      if (flags.escape && query[j] === '\\') {
        j++;
        continue;
      }
      if (query[j] === '"') return j;
    }
    return -1;
  };

  const unescapeText = (text: string): string => (flags.escape ? text.replace(/\\(.)/g, '$1') : text);

  const readTilde = (): number | undefined => {
    if (query[i] !== '~') return undefined;
    i++;
    const m = /^\d+/.exec(query.slice(i));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return 2;
  };

  return parseGroup(0);
}
