import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityTag } from './entity-tag.js';
import { contentETag, revisionETag } from './etags.js';

describe('revisionETag', () => {
  it("gives Invenio's quoted revision for the default JSON representation", () => {
    expect(revisionETag(3)).toBe('"3"');
    expect(revisionETag(3, 'application/json')).toBe('"3"');
    expect(revisionETag(0, 'Application/JSON')).toBe('"0"');
    expect(revisionETag(12n, 'application/json')).toBe('"12"');
  });

  it('gives other media types their own strong tag, revision first', () => {
    expect(revisionETag(3, 'application/marcxml+xml')).toBe('"3-application/marcxml+xml"');
    expect(revisionETag(3, 'text/csv')).toBe('"3-text/csv"');
    expect(revisionETag(3, 'application/ld+json; profile=x')).toBe('"3-application/ld+json;profile=x"');
    expect(EntityTag.from(revisionETag(3, 'text/csv')).weak).toBe(false);
  });

  it('honours a configured default media type', () => {
    const options = { defaultMediaType: 'application/vnd.inveniordm.v1+json' };
    expect(revisionETag(5, 'application/vnd.inveniordm.v1+json', options)).toBe('"5"');
    expect(revisionETag(5, 'application/json', options)).toBe('"5-application/json"');
  });

  it('normalises case and whitespace that do not change the media type', () => {
    expect(revisionETag(1, 'Text/CSV ;  Charset = utf-8')).toBe(revisionETag(1, 'text/csv;charset=utf-8'));
  });

  it('percent-encodes characters that an entity-tag cannot hold or that list splitters trip over', () => {
    expect(revisionETag(1, 'text/plain; x="a, b"')).toBe('"1-text/plain;x=%22a%2C%20b%22"');
    expect(revisionETag(1, 'text/x-100%')).toBe('"1-text/x-100%25"');
    expect(revisionETag(1, 'text/caf\u00e9')).toBe('"1-text/caf%C3%A9"');
    expect(revisionETag(1, 'text/\ud800')).toBe('"1-text/%EF%BF%BD"');
  });

  it('always yields a strong, well-formed entity-tag, distinct per media type and revision', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.string(), fc.string(), (r1, r2, m1, m2) => {
        const a = revisionETag(r1, `application/${m1}`);
        const b = revisionETag(r2, `application/${m2}`);
        expect(EntityTag.from(a).weak).toBe(false);
        const same = r1 === r2 && revisionETag(0, `application/${m1}`) === revisionETag(0, `application/${m2}`);
        expect(a === b).toBe(same);
        // The revision can always be read back from the tag.
        expect(EntityTag.from(a).value.split('-')[0]).toBe(String(r1));
      }),
    );
  });

  it('rejects revisions that are not non-negative integers', () => {
    expect(() => revisionETag(-1)).toThrow(RangeError);
    expect(() => revisionETag(1.5)).toThrow(RangeError);
    expect(() => revisionETag(Number.NaN)).toThrow(RangeError);
    expect(() => revisionETag(-1n)).toThrow(RangeError);
  });
});

describe('contentETag', () => {
  it('hashes the bytes with the etag package: the same body gives the same strong tag', () => {
    const tag = contentETag('{"hits":[]}');
    expect(tag).toMatch(/^"b-[A-Za-z0-9+/]{27}"$/);
    expect(contentETag(Buffer.from('{"hits":[]}'))).toBe(tag);
    expect(contentETag(new TextEncoder().encode('{"hits":[]}'))).toBe(tag);
    expect(contentETag('{"hits":[1]}')).not.toBe(tag);
  });

  it('reads only the view of a Uint8Array, not its whole buffer', () => {
    const bytes = new TextEncoder().encode('xx{"hits":[]}xx');
    expect(contentETag(bytes.subarray(2, 13))).toBe(contentETag('{"hits":[]}'));
  });

  it('makes a weak tag on request', () => {
    const tag = contentETag('abc', { weak: true });
    expect(EntityTag.from(tag).weak).toBe(true);
    expect(EntityTag.from(tag).weakMatch(contentETag('abc'))).toBe(true);
  });
});
