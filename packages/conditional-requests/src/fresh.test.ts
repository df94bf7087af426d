// The test vectors of jshttp/fresh (test/fresh.js), run through evaluatePreconditions for a GET where the
// two agree, and a differential property test against fresh itself on well-formed input. Where the
// semantics differ on purpose, the vector is listed with our answer and the reason.
import fc from 'fast-check';
import fresh from 'fresh';
import { describe, expect, it } from 'vitest';
import { formatHttpDate } from './http-date.js';
import { evaluatePreconditions } from './preconditions.js';

type Headers = Record<string, string>;

/** fresh's question, asked of evaluatePreconditions: would a GET with these headers get 304? */
function notModified(reqHeaders: Headers, resHeaders: Headers): boolean {
  const result = evaluatePreconditions(
    { method: 'GET', headers: reqHeaders },
    { etag: resHeaders.etag, lastModified: resHeaders['last-modified'], headers: resHeaders },
  );
  return !result.proceed && result.status === 304;
}

// [description, request headers, response headers, fresh's expectation]
const vectors: [string, Headers, Headers, boolean][] = [
  ['a non-conditional GET is stale', {}, {}, false],
  ['If-None-Match: ETags match', { 'if-none-match': '"foo"' }, { etag: '"foo"' }, true],
  ['If-None-Match: ETags mismatch', { 'if-none-match': '"foo"' }, { etag: '"bar"' }, false],
  ['If-None-Match: at least one matches', { 'if-none-match': ' "bar" , "foo"' }, { etag: '"foo"' }, true],
  ['If-None-Match: list separated with tabs', { 'if-none-match': '"bar",\t"foo"' }, { etag: '"foo"' }, true],
  ['If-None-Match: etag is missing', { 'if-none-match': '"foo"' }, {}, false],
  ['If-None-Match: weak, exact match', { 'if-none-match': 'W/"foo"' }, { etag: 'W/"foo"' }, true],
  ['If-None-Match: weak, strong match', { 'if-none-match': 'W/"foo"' }, { etag: '"foo"' }, true],
  ['If-None-Match: strong, exact match', { 'if-none-match': '"foo"' }, { etag: '"foo"' }, true],
  ['If-None-Match: strong, weak match', { 'if-none-match': '"foo"' }, { etag: 'W/"foo"' }, true],
  ['If-None-Match: * is given', { 'if-none-match': '*' }, { etag: '"foo"' }, true],
  ['If-None-Match: * is ignored if not the only value', { 'if-none-match': '*, "bar"' }, { etag: '"foo"' }, false],
  [
    'If-Modified-Since: modified since the date',
    { 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    { 'last-modified': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    false,
  ],
  [
    'If-Modified-Since: unmodified since the date',
    { 'if-modified-since': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    { 'last-modified': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    true,
  ],
  ['If-Modified-Since: Last-Modified is missing', { 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' }, {}, false],
  ['If-Modified-Since: invalid date', { 'if-modified-since': 'foo' }, { 'last-modified': 'Sat, 01 Jan 2000 00:00:00 GMT' }, false],
  [
    'both: both match',
    { 'if-none-match': '"foo"', 'if-modified-since': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    { etag: '"foo"', 'last-modified': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    true,
  ],
  [
    'both: only ETag matches',
    { 'if-none-match': '"foo"', 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    { etag: '"foo"', 'last-modified': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    true,
  ],
  [
    'both: only Last-Modified matches',
    { 'if-none-match': '"foo"', 'if-modified-since': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    { etag: '"bar"', 'last-modified': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    false,
  ],
  [
    'both: none match',
    { 'if-none-match': '"foo"', 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
    { etag: '"bar"', 'last-modified': 'Sat, 01 Jan 2000 01:00:00 GMT' },
    false,
  ],
];

describe('fresh test vectors', () => {
  it.each(vectors)('%s', (_, reqHeaders, resHeaders, expected) => {
    expect(notModified(reqHeaders, resHeaders)).toBe(expected);
  });

  // Where we differ from fresh on purpose.
  it('answers 304 to a conditional request with "Cache-Control: no-cache", which fresh calls stale', () => {
    // RFC 9111 §5.2.1.4: no-cache asks caches to revalidate with the origin; a 304 from the origin is
    // that revalidation. fresh follows RFC 2616's end-to-end reload instead.
    const reqHeaders = { 'cache-control': ' no-cache', 'if-none-match': '"foo"' };
    expect(fresh(reqHeaders, { etag: '"foo"' })).toBe(false);
    expect(notModified(reqHeaders, { etag: '"foo"' })).toBe(true);
  });

  it('throws on an invalid Last-Modified of the resource, which fresh calls stale', () => {
    // The resource's own date is server data: a bad one is a programming error, not a stale response.
    expect(() => notModified({ 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' }, { 'last-modified': 'foo' })).toThrow(RangeError);
  });

  it('ignores an If-Modified-Since that is not an HTTP-date, which fresh reads with Date.parse', () => {
    const resHeaders = { 'last-modified': 'Sat, 01 Jan 2000 00:00:00 GMT' };
    const reqHeaders = { 'if-modified-since': '2000-01-01T01:00:00Z' };
    expect(fresh(reqHeaders, resHeaders)).toBe(true);
    expect(notModified(reqHeaders, resHeaders)).toBe(false);
  });

  it('treats an unquoted If-None-Match as malformed, which fresh compares as text', () => {
    expect(fresh({ 'if-none-match': 'tobi' }, { etag: 'tobi' })).toBe(true);
    expect(notModified({ 'if-none-match': 'tobi' }, { etag: '"tobi"' })).toBe(false);
  });
});

// Opaque tags without commas: fresh splits lists on commas even inside quotes.
const opaque = fc.stringMatching(/^[!#-+\--~]{0,6}$/);
const tag = fc.record({ value: opaque, weak: fc.boolean() }).map(({ value, weak }) => `${weak ? 'W/' : ''}"${value}"`);
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(1990, 0, 1, 0, 0, 5) });

describe('agreement with fresh', () => {
  it('gives the same answer as fresh for every well-formed GET without Cache-Control', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(
            fc.constant('*'),
            fc.array(tag, { minLength: 1, maxLength: 3 }).map((tags) => tags.join(', ')),
          ),
          { nil: undefined },
        ),
        fc.option(instant, { nil: undefined }),
        fc.option(tag, { nil: undefined }),
        fc.option(instant, { nil: undefined }),
        (ifNoneMatch, ifModifiedSince, etag, lastModified) => {
          const reqHeaders: Headers = {};
          if (ifNoneMatch !== undefined) reqHeaders['if-none-match'] = ifNoneMatch;
          if (ifModifiedSince !== undefined) reqHeaders['if-modified-since'] = formatHttpDate(ifModifiedSince);
          const resHeaders: Headers = {};
          if (etag !== undefined) resHeaders.etag = etag;
          if (lastModified !== undefined) resHeaders['last-modified'] = formatHttpDate(lastModified);
          expect(notModified(reqHeaders, resHeaders)).toBe(fresh(reqHeaders, resHeaders));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
