import { describe, expect, it } from 'vitest';
import { isBrowserAccept, preferredOffer, qualityOf } from './match.js';
import { type MediaRange, parseMediaType, scanMediaRanges } from './media-type.js';

const type = (text: string): MediaRange => {
  const parsed = parseMediaType(text);
  if (!parsed) throw new Error(`test setup: ${text} does not parse`);
  return parsed;
};
const ranges = (accept: string) => scanMediaRanges(accept, true).ranges;
const q = (offer: string, accept: string) => qualityOf(type(offer), ranges(accept)).q;
const pick = (accept: string, offers: string[]) => {
  const index = preferredOffer(offers.map(type), ranges(accept));
  return index < 0 ? undefined : offers[index];
};

describe('scanMediaRanges', () => {
  it('reads type, subtype, parameters and weight, lower-casing the names', () => {
    const [range] = ranges('Text/HTML; Level=1; q=0.5');
    expect(range).toMatchObject({ type: 'text', subtype: 'html', q: 0.5 });
    expect([...range!.params]).toEqual([['level', '1']]);
  });

  it('keeps parameter values as sent, unquoting quoted strings with escapes', () => {
    const [range] = ranges('application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/x; a="q\\"uote,d"');
    expect(range!.params.get('profile')).toBe('https://www.w3.org/ns/activitystreams');
    expect(ranges('text/x; a="q\\"uote,d"')[0]!.params.get('a')).toBe('q"uote,d');
  });

  it('treats parameters after q as accept-ext and ignores them', () => {
    const [range] = ranges('text/html;level=1;q=0.4;ext=1');
    expect([...range!.params.keys()]).toEqual(['level']);
    expect(range!.q).toBe(0.4);
  });

  it('keeps charset apart from the other parameters', () => {
    const [range] = ranges('application/json; charset=UTF-8');
    expect(range!.charset).toBe('utf-8');
    expect(range!.params.size).toBe(0);
  });

  it('reads a bare * as */*, as old Java clients send it', () => {
    expect(ranges('*; q=.2')).toMatchObject([{ type: '*', subtype: '*', q: 0.2 }]);
  });

  it('drops malformed elements and keeps the rest', () => {
    const scan = scanMediaRanges('json, application/json, */html, text/html;q=2, text/plain;q=abc, a/b;x, text/csv', true);
    expect(scan.ranges.map((r) => `${r.type}/${r.subtype}`)).toEqual(['application/json', 'text/csv']);
    expect(scan.dropped).toBe(true);
  });

  it('does not split on a comma inside a quoted parameter of a malformed element', () => {
    const scan = scanMediaRanges('bad; x="a,b", text/csv', true);
    expect(scan.ranges.map((r) => r.subtype)).toEqual(['csv']);
  });

  it('allows empty list elements and empty parameters', () => {
    expect(ranges(' , application/json;;q=0.5 ,, ').map((r) => [r.subtype, r.q])).toEqual([['json', 0.5]]);
  });
});

describe('parseMediaType', () => {
  it('parses one media type and refuses lists and garbage', () => {
    expect(parseMediaType('application/json; charset=utf-8')).toMatchObject({ type: 'application', subtype: 'json', charset: 'utf-8' });
    expect(parseMediaType('application/json, text/html')).toBeUndefined();
    expect(parseMediaType('json')).toBeUndefined();
    expect(parseMediaType('*')).toBeUndefined();
  });
});

describe('qualityOf', () => {
  // RFC 7231 §5.3.2's example (consistent in all its rows).
  const rfc7231 = 'text/*;q=0.3, text/html;q=0.7, text/html;level=1, text/html;level=2;q=0.4, */*;q=0.5';
  it.each([
    ['text/html;level=1', 1],
    ['text/html', 0.7],
    ['text/plain', 0.3],
    ['image/jpeg', 0.5],
    ['text/html;level=2', 0.4],
    ['text/html;level=3', 0.7],
  ])('gives %s the weight %s under the RFC 7231 §5.3.2 example', (offer, weight) => {
    expect(q(offer, rfc7231)).toBe(weight);
  });

  // RFC 9110 §12.5.1's example. Its table's last row (text/html;level=3 = 0.7) is left over from the
  // RFC 7231 example above; under these ranges only text/* covers it, so the rules give 0.3.
  const rfc9110 = 'text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, text/plain;format=fixed;q=0.4, */*;q=0.5';
  it.each([
    ['text/plain;format=flowed', 1],
    ['text/plain', 0.7],
    ['text/html', 0.3],
    ['image/jpeg', 0.5],
    ['text/plain;format=fixed', 0.4],
    ['text/html;level=3', 0.3],
  ])('gives %s the weight %s under the RFC 9110 §12.5.1 example', (offer, weight) => {
    expect(q(offer, rfc9110)).toBe(weight);
  });

  it('lets a more specific q=0 range exclude a type a wildcard would allow', () => {
    expect(q('application/json', 'application/json;q=0, */*')).toBe(0);
    expect(q('application/xml', 'application/json;q=0, */*')).toBe(1);
  });

  it('matches a range parameter the offer does not declare (negotiator #35, #62)', () => {
    expect(q('application/ld+json', 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"')).toBe(1);
  });

  it('refuses a range whose parameter contradicts one the offer declares', () => {
    expect(q('application/ld+json;profile="https://a.example"', 'application/ld+json;profile="https://b.example"')).toBe(0);
  });

  it('ignores charset unless both sides name one', () => {
    expect(q('application/json', 'application/json;charset=utf-8')).toBe(1);
    expect(q('text/csv;charset=utf-8', 'text/csv;charset=UTF-8')).toBe(1);
    expect(q('text/csv;charset=utf-8', 'text/csv;charset=iso-8859-1')).toBe(0);
  });

  it('compares type and subtype case-insensitively', () => {
    expect(q('application/json', 'APPLICATION/Json')).toBe(1);
  });
});

describe('preferredOffer', () => {
  it('prefers the higher weight', () => {
    expect(pick('application/json;q=0.5, application/xml', ['application/json', 'application/xml'])).toBe('application/xml');
  });

  it('breaks a weight tie in the server order, not the header order', () => {
    expect(pick('application/xml, application/json', ['application/json', 'application/xml'])).toBe('application/json');
    expect(pick('application/json, application/xml', ['application/xml', 'application/json'])).toBe('application/xml');
  });

  it('on equal weight prefers the type the client named over one a wildcard covers', () => {
    expect(pick('application/xml, */*', ['application/json', 'application/xml'])).toBe('application/xml');
    expect(pick('application/*, text/csv', ['application/json', 'text/csv'])).toBe('text/csv');
  });

  it('uses a declared parameter as the tiebreaker between two variants of a type', () => {
    const offers = ['application/ld+json', 'application/ld+json;profile="https://www.w3.org/ns/activitystreams"'];
    expect(pick('application/ld+json;profile="https://www.w3.org/ns/activitystreams"', offers)).toBe(offers[1]);
    expect(pick('application/ld+json', offers)).toBe(offers[0]);
    expect(pick('application/ld+json;profile="https://other.example"', offers)).toBe(offers[0]);
  });

  it('returns -1 when every offer has weight 0', () => {
    expect(pick('image/png', ['application/json'])).toBeUndefined();
    expect(pick('application/json;q=0', ['application/json'])).toBeUndefined();
  });
});

describe('isBrowserAccept', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    [
      'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
      true,
    ],
    ['application/xml, */*;q=0.1', false],
    ['text/html', false],
    ['text/html, */*;q=0', false],
  ])('classifies %s as %s', (accept, browser) => {
    expect(isBrowserAccept(ranges(accept))).toBe(browser);
  });
});
