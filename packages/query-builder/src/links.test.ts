import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSearchUrl, formatLinkHeader } from './links.js';

describe('buildSearchUrl', () => {
  it('writes parameters in order, repeated names kept, readable like Werkzeug', () => {
    expect(
      buildSearchUrl('https://example.org/records/', [
        ['q', 'title:open science'],
        ['type', 'a'],
        ['type', 'b'],
        ['facets', 'x,y'],
      ]),
    ).toBe('https://example.org/records/?q=title:open+science&type=a&type=b&facets=x,y');
  });

  it('escapes what would change the meaning', () => {
    expect(
      buildSearchUrl('http://h/r', [
        ['q', 'a&b=c+d#e%'],
        ['k y', '<>'],
      ]),
    ).toBe('http://h/r?q=a%26b%3Dc%2Bd%23e%25&k+y=%3C%3E');
  });

  it("drops the base URL's own query and fragment", () => {
    expect(buildSearchUrl(new URL('http://h/records/?page=9#top'), [['page', '1']])).toBe('http://h/records/?page=1');
    expect(buildSearchUrl('http://h/records/?x=1', [])).toBe('http://h/records/');
  });

  it('reads back exactly the parameters given (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, unit: 'grapheme' }), fc.string({ unit: 'grapheme' }))), (params) => {
        const url = new URL(buildSearchUrl('http://h/records/', params));
        expect([...url.searchParams]).toEqual(params);
      }),
    );
  });
});

describe('formatLinkHeader', () => {
  it('writes RFC 8288 links in Invenio order: self, prev, next, then first and last', () => {
    expect(
      formatLinkHeader({ last: 'http://h/?page=4', next: 'http://h/?page=3', self: 'http://h/?page=2', first: 'http://h/?page=1' }),
    ).toBe(
      '<http://h/?page=2>; rel="self", <http://h/?page=3>; rel="next", <http://h/?page=1>; rel="first", <http://h/?page=4>; rel="last"',
    );
  });

  it('skips links that are not set', () => {
    expect(formatLinkHeader({ self: 'http://h/', prev: undefined })).toBe('<http://h/>; rel="self"');
  });

  it('splits back on ", " the way Invenio clients parse it, commas in URLs included', () => {
    const header = formatLinkHeader({ self: 'http://h/?facets=a,b&q=x+y', next: 'http://h/?facets=a,b&page=2' });
    const parsed = Object.fromEntries(
      header.split(', ').map((part) => (/<(.*)>; rel="(.*)"/.exec(part) as RegExpExecArray).slice(1).reverse()),
    );
    expect(parsed).toEqual({ self: 'http://h/?facets=a,b&q=x+y', next: 'http://h/?facets=a,b&page=2' });
  });
});
