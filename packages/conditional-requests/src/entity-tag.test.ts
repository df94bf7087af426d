import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityTag, EntityTagList, matchEntityTagList } from './entity-tag.js';

// Opaque-tag characters (RFC 9110 §8.8.3): %x21 / %x23-7E / %x80-FF.
const etagc = fc.oneof(
  fc.constant('!'),
  fc.integer({ min: 0x23, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const opaque = fc.array(etagc, { maxLength: 12 }).map((chars) => chars.join(''));
const entityTag = fc.record({ value: opaque, weak: fc.boolean() }).map(({ value, weak }) => new EntityTag(value, { weak }));

describe('EntityTag', () => {
  it.each([
    ['"xyzzy"', 'xyzzy', false],
    ['W/"xyzzy"', 'xyzzy', true],
    ['""', '', false],
    ['W/""', '', true],
    ['"a,b"', 'a,b', false],
  ])('reads %s (the RFC 9110 §8.8.3 examples and edge cases)', (text, value, weak) => {
    const tag = EntityTag.from(text);
    expect(tag.value).toBe(value);
    expect(tag.weak).toBe(weak);
    expect(tag.toString()).toBe(text);
  });

  it.each([
    ['unquoted', 'xyzzy'],
    ['lower-case weak prefix', 'w/"xyzzy"'],
    ['unterminated', '"xyzzy'],
    ['inner quote', '"xy"zy"'],
    ['inner space', '"xy zy"'],
    ['control character', '"xy\u0001"'],
    ['character above 0xFF', '"\u20ac"'],
    ['two tags', '"a", "b"'],
    ['trailing garbage', '"a"b'],
    ['empty', ''],
  ])('parse() returns undefined for a malformed tag (%s) and from() throws', (_, text) => {
    expect(EntityTag.parse(text)).toBeUndefined();
    expect(() => EntityTag.from(text)).toThrow(TypeError);
  });

  it('parse() ignores surrounding whitespace and returns undefined for absent values', () => {
    expect(EntityTag.parse(' \t"a"\t ')?.toString()).toBe('"a"');
    expect(EntityTag.parse(undefined)).toBeUndefined();
    expect(EntityTag.parse(null)).toBeUndefined();
  });

  it('the constructor rejects characters an entity-tag cannot hold', () => {
    expect(() => new EntityTag('a"b')).toThrow(/cannot contain/);
    expect(new EntityTag('3', { weak: true }).toString()).toBe('W/"3"');
  });

  // RFC 9110 §8.8.3.2, the comparison table.
  it.each([
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true],
  ])('compares %s with %s: strong %s, weak %s (RFC 9110 §8.8.3.2 table)', (a, b, strong, weak) => {
    expect(EntityTag.from(a).strongMatch(b)).toBe(strong);
    expect(EntityTag.from(a).weakMatch(b)).toBe(weak);
    expect(EntityTag.from(b).strongMatch(a)).toBe(strong);
    expect(EntityTag.from(b).weakMatch(EntityTag.from(a))).toBe(weak);
  });

  it('does not match a malformed tag', () => {
    expect(EntityTag.from('"1"').strongMatch('1')).toBe(false);
    expect(EntityTag.from('"1"').weakMatch('1')).toBe(false);
  });

  it('serialises to its header form in JSON', () => {
    expect(JSON.stringify({ etag: EntityTag.from('W/"a"') })).toBe('{"etag":"W/\\"a\\""}');
  });

  it('round-trips from() and toString() for every well-formed tag', () => {
    fc.assert(
      fc.property(entityTag, (tag) => {
        const again = EntityTag.from(tag.toString());
        expect(again.value).toBe(tag.value);
        expect(again.weak).toBe(tag.weak);
        expect(again.toString()).toBe(tag.toString());
      }),
    );
  });

  it('parse() never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const tag = EntityTag.parse(text);
        if (tag) expect(EntityTag.parse(tag.toString())?.value).toBe(tag.value);
      }),
    );
  });
});

describe('EntityTagList', () => {
  it.each([
    ['"xyzzy"', ['"xyzzy"']],
    ['"xyzzy", "r2d2xxxx", "c3piozzzz"', ['"xyzzy"', '"r2d2xxxx"', '"c3piozzzz"']],
    ['W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz"', ['W/"xyzzy"', 'W/"r2d2xxxx"', 'W/"c3piozzzz"']],
    ['"a",\t"b"', ['"a"', '"b"']],
    ['"a" ,, , "b",', ['"a"', '"b"']],
    ['"a,b", "c"', ['"a,b"', '"c"']],
  ])('reads the list %s (RFC 9110 §13.1.1, §13.1.2 examples; empty elements allowed)', (text, tags) => {
    const list = EntityTagList.parse(text);
    expect(list?.valid).toBe(true);
    expect(list?.any).toBe(false);
    expect(list?.tags.map(String)).toEqual(tags);
  });

  it('reads * as any, and round-trips it', () => {
    const list = EntityTagList.from('*');
    expect(list.any).toBe(true);
    expect(list.tags).toEqual([]);
    expect(list.toString()).toBe('*');
    expect(EntityTagList.parse('  *  ')?.any).toBe(true);
  });

  it.each([
    ['unquoted member', '"a", b'],
    ['* inside a list', '*, "a"'],
    ['missing comma', '"a" "b"'],
    ['stray text', 'tobi'],
    ['weak prefix without tag', 'W/'],
  ])('marks a malformed field (%s) invalid; it matches nothing', (_, text) => {
    const list = EntityTagList.parse(text);
    expect(list?.valid).toBe(false);
    expect(list?.strongMatch('"a"')).toBe(false);
    expect(list?.weakMatch('"a"')).toBe(false);
    expect(list?.toString()).toBe(text);
    expect(() => EntityTagList.from(text)).toThrow(TypeError);
  });

  it('treats an absent or empty field as absent', () => {
    expect(EntityTagList.parse(undefined)).toBeUndefined();
    expect(EntityTagList.parse(null)).toBeUndefined();
    expect(EntityTagList.parse('')).toBeUndefined();
    expect(EntityTagList.parse(' \t')).toBeUndefined();
  });

  it('joins repeated field lines (Node gives an array)', () => {
    expect(EntityTagList.parse(['"a"', 'W/"b"'])?.toString()).toBe('"a", W/"b"');
  });

  it('matches with the comparison its method names', () => {
    const list = EntityTagList.from('W/"1", "2"');
    expect(list.strongMatch('"1"')).toBe(false);
    expect(list.weakMatch('"1"')).toBe(true);
    expect(list.strongMatch('"2"')).toBe(true);
    expect(list.strongMatch('W/"2"')).toBe(false);
    expect(list.weakMatch('W/"2"')).toBe(true);
    expect(list.weakMatch('"3"')).toBe(false);
  });

  it('* matches any current representation but not a missing one', () => {
    const any = EntityTagList.from('*');
    expect(any.strongMatch('W/"x"')).toBe(true);
    expect(any.weakMatch('"x"')).toBe(true);
    expect(any.strongMatch(undefined)).toBe(false);
  });

  it('builds from tags and round-trips from() and toString()', () => {
    expect(EntityTagList.from(['"a"', EntityTag.from('W/"b"')]).toString()).toBe('"a", W/"b"');
    fc.assert(
      fc.property(fc.array(entityTag, { minLength: 1, maxLength: 5 }), (tags) => {
        const text = EntityTagList.from(tags).toString();
        expect(EntityTagList.from(text).toString()).toBe(text);
        expect(EntityTagList.from(text).tags.map(String)).toEqual(tags.map(String));
      }),
    );
  });

  it('parse() never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.string())), (value) => {
        const list = EntityTagList.parse(value);
        if (list) expect(typeof list.valid).toBe('boolean');
      }),
    );
  });
});

describe('matchEntityTagList', () => {
  it('agrees with EntityTagList for any list and tag', () => {
    fc.assert(
      fc.property(fc.array(entityTag, { maxLength: 4 }), entityTag, fc.boolean(), (tags, current, strong) => {
        const field = tags.length ? tags.join(', ') : '""';
        const list = EntityTagList.from(field);
        const expected = strong ? list.strongMatch(current) : list.weakMatch(current);
        expect(matchEntityTagList(field, current.toString(), strong)).toBe(expected ? 'match' : 'no-match');
      }),
    );
  });

  it('reports a malformed field even when an earlier member matches', () => {
    expect(matchEntityTagList('"a", b', '"a"', false)).toBe('malformed');
    expect(matchEntityTagList('"a"  "b"', '"a"', false)).toBe('malformed');
  });

  it('does not strongly match a weak current tag written the same way', () => {
    expect(matchEntityTagList('W/"a"', 'W/"a"', true)).toBe('no-match');
    expect(matchEntityTagList('W/"a"', 'W/"a"', false)).toBe('match');
    expect(matchEntityTagList('"b", W/"a"', 'W/"a"', true)).toBe('no-match');
    expect(matchEntityTagList('"b", W/"a"', '"a"', false)).toBe('match');
  });
});
