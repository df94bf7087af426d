import { isRestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { parseQueryString, parseSimpleFlags, parseSimpleQueryString, type QSNode } from './query-string.js';

/** A compact rendering of a parsed query: +must -must_not ?should, field:text. */
function show(node: QSNode | null): string {
  if (node === null) return '∅';
  switch (node.kind) {
    case 'bool':
      return `(${node.clauses.map((c) => `${c.occur === 'must' ? '+' : c.occur === 'must_not' ? '-' : '?'}${show(c.node)}`).join(' ')})${node.boost ? `^${node.boost}` : ''}`;
    case 'term':
      return `${node.field ? `${node.field}:` : ''}${node.text}${node.wildcard !== 'none' ? `[${node.wildcard}]` : ''}${node.boost ? `^${node.boost}` : ''}`;
    case 'phrase':
      return `${node.field ? `${node.field}:` : ''}"${node.text}"`;
    case 'range':
      return `${node.field ?? ''}:${node.includeLower ? '[' : '{'}${node.lower ?? '*'} TO ${node.upper ?? '*'}${node.includeUpper ? ']' : '}'}`;
    case 'all':
      return '*:*';
    case 'exists':
      return `exists(${node.field})`;
  }
}

const parse = (q: string, op: 'or' | 'and' = 'or') => show(parseQueryString(q, op));

function syntaxError(q: string): { message: string; position: unknown } {
  try {
    parseQueryString(q, 'or');
  } catch (error) {
    if (isRestError(error)) return { message: error.errors[0]!.message, position: (error as unknown as { position: unknown }).position };
    throw error;
  }
  throw new Error(`expected a syntax error for ${q}`);
}

describe('parseQueryString', () => {
  it('reads terms, fields, phrases, wildcards and boosts', () => {
    expect(parse('open')).toBe('open');
    expect(parse('title:open^2')).toBe('title:open^2');
    expect(parse('title:"open data"')).toBe('title:"open data"');
    expect(parse('scien*')).toBe('scien*[prefix]');
    expect(parse('te?t*')).toBe('te?t*[pattern]');
    expect(parse('a\\*b')).toBe('a*b');
    expect(parse('*')).toBe('*:*');
    expect(parse('type:*')).toBe('exists(type)');
    expect(parse('_exists_:type')).toBe('exists(type)');
    expect(parse('year:>=2000')).toBe('year:>=2000');
  });

  it('reads ranges with inclusive and exclusive ends', () => {
    expect(parse('year:[2000 TO 2010]')).toBe('year:[2000 TO 2010]');
    expect(parse('year:{* TO 2010]')).toBe('year:{* TO 2010]');
    expect(parse('date:["2020-01-01" TO now}')).toBe('date:[2020-01-01 TO now}');
  });

  it('applies the classic parser occurrence rules', () => {
    expect(parse('a b')).toBe('(?a ?b)');
    expect(parse('a b', 'and')).toBe('(+a +b)');
    expect(parse('a AND b OR c')).toBe('(+a +b ?c)');
    expect(parse('a OR b AND c')).toBe('(?a +b +c)');
    expect(parse('a OR b', 'and')).toBe('(?a ?b)');
    expect(parse('+a -b c')).toBe('(+a -b ?c)');
    expect(parse('a && !b || c')).toBe('(+a -b ?c)');
    expect(parse('NOT a')).toBe('(-a)');
    expect(parse('title:(a OR b) AND c')).toBe('(+(?title:a ?title:b) +c)');
    expect(parse('(a b)^3')).toBe('(?a ?b)^3');
  });

  it('reports syntax errors with their position', () => {
    expect(syntaxError('title:(open')).toMatchObject({ position: 11 });
    expect(syntaxError('"open data')).toMatchObject({ position: 0 });
    expect(syntaxError('open)')).toMatchObject({ position: 4 });
    expect(syntaxError('test:')).toMatchObject({ position: 5 });
    expect(syntaxError('a AND')).toMatchObject({ position: 5 });
    expect(syntaxError('[1 TO 2')).toMatchObject({ position: 0 });
    expect(syntaxError('i/o').message).toMatch(/regular expression/i);
  });

  it('refuses fuzzy and proximity searches and regular expressions as unsupported', () => {
    for (const q of ['roam~', 'roam~1', '"a b"~2', '/jo.n/']) {
      try {
        parseQueryString(q, 'or');
        throw new Error(`no error for ${q}`);
      } catch (error) {
        expect(isRestError(error) && error.code).toBe('unsupported_search_feature');
      }
    }
    expect(parse('"a b"~0')).toBe('"a b"');
  });
});

describe('parseSimpleQueryString', () => {
  const all = parseSimpleFlags(undefined)!;
  const simple = (q: string, op: 'or' | 'and' = 'or') => show(parseSimpleQueryString(q, op, all));

  it('combines left to right with + | and the default operator', () => {
    expect(simple('a b')).toBe('(?a ?b)');
    expect(simple('a b', 'and')).toBe('(+a +b)');
    expect(simple('a | b + c')).toBe('(+(?a ?b) +c)');
    expect(simple('a -b')).toBe('(?a ?(-b ?*:*))');
    expect(simple('"a b" c*')).toBe('(?"a b" ?c*[prefix])');
    expect(simple('(a | b) + c')).toBe('(+(?a ?b) +c)');
  });

  it('never fails: an unclosed quote is dropped and stray parentheses are read leniently', () => {
    expect(simple('open "science')).toBe('(?open ?science)');
    expect(simple('"data management')).toBe('(?data ?management)');
    expect(simple('"a b" "c d')).toBe('(?"a b" ?c ?d)');
    expect(simple('a )')).toBe('a');
    expect(simple('')).toBe('∅');
  });

  it('honours flags', () => {
    const noOperators = parseSimpleFlags('WHITESPACE')!;
    expect(show(parseSimpleQueryString('a|b -c', 'or', noOperators))).toBe('(?a|b ?-c)');
    expect(parseSimpleFlags('AND|BOGUS')).toBeUndefined();
  });
});
