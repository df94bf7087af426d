import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clauseOccurrences,
  escapeQueryText,
  type GroupNode,
  parseQueryString,
  type QueryNode,
  QuerySyntaxError,
  unescapeQueryText,
} from './query-parser.js';

const only = (q: string): QueryNode => {
  const ast = parseQueryString(q);
  expect(ast.clauses).toHaveLength(1);
  return ast.clauses[0]?.node as QueryNode;
};

function syntaxError(q: string): QuerySyntaxError {
  try {
    parseQueryString(q);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(q)} to be a syntax error`);
}

describe('parseQueryString', () => {
  // The queries Invenio's tests send to the search engine, with the status the engine gave.
  it.each([
    ['test', true],
    ['test:a', true],
    ['test;', true],
    ['+title:back', true],
    ['year:2015', true],
    ['back', true],
    ['test:', false],
    ['i/o', false],
  ])('judges %j as the search engine does (accepted: %s)', (q, ok) => {
    if (ok) expect(() => parseQueryString(q)).not.toThrow();
    else expect(syntaxError(q)).toBeInstanceOf(QuerySyntaxError);
  });

  // Elasticsearch query_string syntax from its reference documentation.
  it.each([
    'status:active',
    'title:(quick OR brown)',
    'author:"John Smith"',
    'book.\\*:(quick OR brown)',
    '_exists_:title',
    'qu?ck bro*',
    'name:/joh?n(ath[oa]n)/',
    'quikc~ brwn~ foks~',
    'quikc~1',
    '"fox quick"~5',
    'date:[2012-01-01 TO 2012-12-31]',
    'count:[1 TO 5]',
    'tag:{alpha TO omega}',
    'count:[10 TO *]',
    'date:{* TO 2012-01-01}',
    'count:[1 TO 5}',
    'age:>10',
    'age:>=10',
    'age:<10',
    'age:<=10',
    'age:(>=10 AND <20)',
    'quick^2 fox',
    '"john smith"^2   (foo bar)^4',
    'quick brown +fox -news',
    '((quick AND fox) OR (brown AND fox) OR fox) AND NOT news',
    'a && b || !c',
    'kimchy\\!',
    '\\(1\\+1\\)\\=2',
    '*:*',
    'a - b',
    'title:"a \\"quoted\\" word"',
    'x:["a b" TO "c d"]',
    '/a\\/b/',
    'é 中文 "ünïcode"',
  ])('accepts %j', (q) => {
    expect(parseQueryString(q).type).toBe('group');
  });

  it.each([
    ['test:', 5, 'The query ends too early'],
    ['i/o', 1, 'Unterminated regular expression'],
    ['title:"open', 6, 'Unterminated phrase'],
    ['(a OR b', 7, 'expected ")" to close the "(" at position 0'],
    ['a OR b)', 6, 'Unexpected ")"'],
    ['a AND', 5, 'The query ends too early'],
    ['a AND OR b', 6, 'Unexpected "OR"'],
    ['a:b:c', 3, 'Unexpected ":"'],
    ['foo^', 4, 'Expected a number after "^"'],
    ['foo^x', 4, 'Expected a number after "^"'],
    ['year:[2000 2010]', 11, 'expected "TO"'],
    ['year:[2000 TO 2010', 18, 'The query ends too early'],
    ['year:[2000 TO]', 13, 'expected a range bound'],
    ['foo\\', 3, 'escapes nothing'],
    ['a ] b', 2, 'Unexpected "]"'],
    ['~2', 0, 'Unexpected "~2"'],
    ['NOT', 3, 'The query ends too early'],
    ['title:^2', 6, 'Unexpected "^"'],
  ])('rejects %j at position %i', (q, position, reason) => {
    const error = syntaxError(q);
    expect(error.position).toBe(position);
    expect(error.reason).toContain(reason);
    expect(error.message).toContain(`(at position ${position})`);
  });

  it('rejects an empty or blank query', () => {
    expect(syntaxError('   ').reason).toBe('The query is empty.');
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    expect(() => parseQueryString(`${'('.repeat(32)}a${')'.repeat(32)}`)).not.toThrow();
    expect(syntaxError(`${'('.repeat(33)}a${')'.repeat(33)}`).reason).toContain('deeper than 32');
    expect(syntaxError(`${'('.repeat(100000)}a`).position).toBe(32);
    expect(() => parseQueryString('((a))', { maxDepth: 1 })).toThrow(QuerySyntaxError);
  });

  it('reads fields, escapes and wildcards', () => {
    expect(only('creators.name:smi*')).toEqual({
      type: 'term',
      kind: 'prefix',
      text: 'smi',
      raw: 'smi*',
      field: { name: 'creators.name', start: 0, end: 13 },
      start: 0,
      end: 18,
    });
    expect(only('a\\:b')).toMatchObject({ type: 'term', kind: 'term', text: 'a:b', raw: 'a\\:b' });
    expect(only('f?o*')).toMatchObject({ type: 'term', kind: 'wildcard', text: 'f?o*' });
    expect(only('book.\\*:x')).toMatchObject({ field: { name: 'book.*' } });
  });

  it('reads boosts, fuzziness and slop', () => {
    expect(only('foo~')).toMatchObject({ fuzzy: 'auto' });
    expect(only('foo~1^3')).toMatchObject({ fuzzy: 1, boost: 3 });
    expect(only('foo^2.5~2')).toMatchObject({ fuzzy: 2, boost: 2.5 });
    expect(only('"a b"~3^2')).toMatchObject({ type: 'phrase', text: 'a b', slop: 3, boost: 2 });
  });

  it('reads ranges, open ends and Elasticsearch comparisons', () => {
    expect(only('y:[* TO 5}')).toMatchObject({ type: 'range', lower: null, upper: '5', includeLower: true, includeUpper: false });
    expect(only('y:>=2000')).toMatchObject({ type: 'range', lower: '2000', upper: null, includeLower: true });
    expect(only('y:<2000')).toMatchObject({ type: 'range', lower: null, upper: '2000', includeUpper: false });
    expect(only('y:>')).toMatchObject({ type: 'term', text: '>' });
  });

  it('reads _exists_ and *:*', () => {
    expect(only('_exists_:title')).toEqual({ type: 'exists', field: { name: 'title', start: 9, end: 14 }, start: 0, end: 14 });
    expect(only('*:*')).toEqual({ type: 'match_all', start: 0, end: 3 });
  });

  it('gives a group its field and its terms the same field', () => {
    const group = only('title:(a OR b)') as GroupNode;
    expect(group.field).toEqual({ name: 'title', start: 0, end: 5 });
    expect(group.clauses.map((c) => c.node)).toMatchObject([
      { text: 'a', field: { name: 'title' } },
      { text: 'b', field: { name: 'title' } },
    ]);
  });

  it('keeps operators as written', () => {
    const ast = parseQueryString('a AND +b OR NOT c -d');
    expect(ast.clauses.map((c) => [c.conjunction, c.modifier])).toEqual([
      [null, null],
      ['AND', '+'],
      ['OR', 'NOT'],
      [null, '-'],
    ]);
  });

  it('never fails with anything but a QuerySyntaxError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab :()[]{}"\\/~^*?+-!&|TONAD0123 '.split('')), maxLength: 40 }), (q) => {
        try {
          const ast = parseQueryString(q);
          expect(ast.type).toBe('group');
        } catch (error) {
          expect(error).toBeInstanceOf(QuerySyntaxError);
          expect((error as QuerySyntaxError).position).toBeGreaterThanOrEqual(0);
          expect((error as QuerySyntaxError).position).toBeLessThanOrEqual(q.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('escapeQueryText', () => {
  it('makes any text one literal term', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((t) => !/^[<>]/.test(t)),
        (text) => {
          const node = only(escapeQueryText(text));
          expect(node).toMatchObject({ type: 'term', kind: 'term', text });
        },
      ),
    );
  });

  it('round-trips through unescapeQueryText', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(unescapeQueryText(escapeQueryText(text))).toBe(text);
      }),
    );
  });

  it('reads \\uXXXX escapes', () => {
    expect(unescapeQueryText('caf\\u00e9')).toBe('café');
  });
});

describe('clauseOccurrences', () => {
  it.each([
    ['a b', 'OR', ['should', 'should']],
    ['a b', 'AND', ['must', 'must']],
    ['a AND b', 'OR', ['must', 'must']],
    ['a OR b', 'AND', ['should', 'should']],
    ['a AND b OR -c', 'OR', ['must', 'must', 'must_not']],
    ['a OR b AND c', 'OR', ['should', 'must', 'must']],
    ['+a b -c', 'OR', ['must', 'should', 'must_not']],
    ['-a AND b', 'OR', ['must_not', 'must']],
    ['a OR b c', 'AND', ['should', 'should', 'must']],
  ] as const)('resolves %j under %s as Lucene does', (q, operator, expected) => {
    expect(clauseOccurrences(parseQueryString(q), operator)).toEqual(expected);
  });
});
