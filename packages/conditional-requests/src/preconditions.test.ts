import { isRestError, toResponse } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { EntityTag } from './entity-tag.js';
import { revisionETag } from './etags.js';
import { HttpDate } from './http-date.js';
import { evaluatePreconditions, notModifiedHeaders, type PreconditionResult, type ResourceState } from './preconditions.js';

// The resource of RFC 9110's examples: ETag "xyzzy", last modified Sat, 29 Oct 1994 19:43:31 GMT.
const MODIFIED = 'Sat, 29 Oct 1994 19:43:31 GMT';
const EARLIER = 'Sat, 29 Oct 1994 19:43:30 GMT';
const LATER = 'Sat, 29 Oct 1994 19:43:32 GMT';
const resource: ResourceState = { etag: '"xyzzy"', lastModified: new Date('1994-10-29T19:43:31.500Z') };

const SAFE = ['GET', 'HEAD'] as const;
const UNSAFE = ['PUT', 'PATCH', 'DELETE', 'POST'] as const;

function evaluate(method: string, headers: Record<string, string>, state: ResourceState = resource, requirePrecondition = false) {
  return evaluatePreconditions({ method, headers }, state, { requirePrecondition });
}

/** The status the request ends with: 304/412/428, or 'proceed'. */
function outcome(result: PreconditionResult): number | 'proceed' {
  return result.proceed ? 'proceed' : result.status;
}

describe('evaluatePreconditions', () => {
  describe('without conditional headers', () => {
    it.each([...SAFE, ...UNSAFE, 'OPTIONS'])('lets %s proceed', (method) => {
      expect(evaluate(method, {})).toEqual({ proceed: true });
      expect(evaluate(method, { 'if-match': '', 'if-none-match': ' ' })).toEqual({ proceed: true });
    });
  });

  describe('step 1: If-Match (strong comparison)', () => {
    it.each([...SAFE, ...UNSAFE])('%s proceeds when a listed tag is the current one (RFC 9110 §13.1.1 examples)', (method) => {
      expect(outcome(evaluate(method, { 'if-match': '"xyzzy"' }))).toBe('proceed');
      expect(outcome(evaluate(method, { 'if-match': '"xyzzy", "r2d2xxxx", "c3piozzzz"' }))).toBe('proceed');
      expect(outcome(evaluate(method, { 'if-match': '*' }))).toBe('proceed');
    });

    it.each([...SAFE, ...UNSAFE])('%s gets 412 when no listed tag is the current one', (method) => {
      const result = evaluate(method, { 'if-match': '"r2d2xxxx", "c3piozzzz"' });
      expect(result).toMatchObject({ proceed: false, status: 412, decidedBy: 'If-Match' });
      if (result.proceed) return;
      expect(result.error.status).toBe(412);
      expect(result.error.code).toBe('precondition_failed');
      expect(result.error.message).toContain('If-Match');
      expect(result.error.errors.map((e) => [e.field, e.code])).toEqual([['If-Match', 'mismatch']]);
    });

    it('never matches a weak tag, even the current one (RFC 9110 §13.1.1 uses strong comparison)', () => {
      expect(outcome(evaluate('PUT', { 'if-match': 'W/"xyzzy"' }))).toBe(412);
      expect(outcome(evaluate('PUT', { 'if-match': '"xyzzy"' }, { etag: 'W/"xyzzy"' }))).toBe(412);
    });

    it('fails on a missing resource, with a tag or with * (RFC 9110 §13.1.1)', () => {
      const missing = { exists: false };
      expect(evaluate('PUT', { 'if-match': '*' }, missing)).toMatchObject({ status: 412, decidedBy: 'If-Match' });
      const result = evaluate('PUT', { 'if-match': '"xyzzy"' }, missing);
      expect(result).toMatchObject({ status: 412, decidedBy: 'If-Match' });
      if (!result.proceed) expect(result.error.errors[0]?.code).toBe('not_found');
    });

    it('fails when the resource exists but has no entity tag, except for *', () => {
      expect(outcome(evaluate('PUT', { 'if-match': '"xyzzy"' }, { lastModified: MODIFIED }))).toBe(412);
      expect(outcome(evaluate('PUT', { 'if-match': '*' }, { lastModified: MODIFIED }))).toBe('proceed');
    });

    it('treats a malformed list as not matching, and says so', () => {
      for (const field of ['xyzzy', '"xyzzy", r2d2', '*, "xyzzy"', 'W/']) {
        const result = evaluate('PUT', { 'if-match': field });
        expect(result).toMatchObject({ status: 412, decidedBy: 'If-Match' });
        if (!result.proceed) expect(result.error.errors[0]?.code).toBe('malformed');
      }
    });

    it('ignores If-Unmodified-Since when If-Match is present (RFC 9110 §13.1.4)', () => {
      expect(outcome(evaluate('PUT', { 'if-match': '"xyzzy"', 'if-unmodified-since': EARLIER }))).toBe('proceed');
    });

    it('goes on to If-None-Match when If-Match holds', () => {
      expect(outcome(evaluate('GET', { 'if-match': '"xyzzy"', 'if-none-match': '"xyzzy"' }))).toBe(304);
      expect(outcome(evaluate('PUT', { 'if-match': '"xyzzy"', 'if-none-match': '"xyzzy"' }))).toBe(412);
    });
  });

  describe('step 2: If-Unmodified-Since (no If-Match)', () => {
    it.each([...SAFE, ...UNSAFE])('%s proceeds when not modified since the date (RFC 9110 §13.1.4 example)', (method) => {
      expect(outcome(evaluate(method, { 'if-unmodified-since': MODIFIED }))).toBe('proceed');
      expect(outcome(evaluate(method, { 'if-unmodified-since': LATER }))).toBe('proceed');
    });

    it.each([...SAFE, ...UNSAFE])('%s gets 412 when modified since the date', (method) => {
      const result = evaluate(method, { 'if-unmodified-since': EARLIER });
      expect(result).toMatchObject({ proceed: false, status: 412, decidedBy: 'If-Unmodified-Since' });
      if (!result.proceed) {
        expect(result.error.errors.map((e) => [e.field, e.code])).toEqual([['If-Unmodified-Since', 'modified']]);
        expect(result.error.message).toContain(EARLIER);
      }
    });

    it('compares at second precision: milliseconds of Last-Modified do not count', () => {
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': MODIFIED }, { lastModified: Date.parse(MODIFIED) + 999 }))).toBe('proceed');
    });

    it('ignores an invalid date, a list of dates, and a resource without a modification date', () => {
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': 'yesterday' }))).toBe('proceed');
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': `${EARLIER}, ${EARLIER}` }))).toBe('proceed');
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': EARLIER }, { etag: '"xyzzy"' }))).toBe('proceed');
    });
  });

  describe('step 3: If-None-Match (weak comparison)', () => {
    it.each(SAFE)('%s gets 304 when a listed tag matches (RFC 9110 §13.1.2 examples)', (method) => {
      for (const field of ['"xyzzy"', 'W/"xyzzy"', '"xyzzy", "r2d2xxxx", "c3piozzzz"', 'W/"xyzzy", W/"r2d2xxxx", W/"c3piozzzz"', '*']) {
        expect(evaluate(method, { 'if-none-match': field })).toMatchObject({ proceed: false, status: 304, decidedBy: 'If-None-Match' });
      }
    });

    it.each(UNSAFE)('%s gets 412, never 304, when a listed tag matches', (method) => {
      const result = evaluate(method, { 'if-none-match': 'W/"xyzzy"' });
      expect(result).toMatchObject({ proceed: false, status: 412, decidedBy: 'If-None-Match' });
      if (!result.proceed) expect(result.error.errors[0]?.field).toBe('If-None-Match');
    });

    it('applies "otherwise 412" to every method that is not GET or HEAD, safe or not', () => {
      expect(outcome(evaluate('OPTIONS', { 'if-none-match': '"xyzzy"' }))).toBe(412);
    });

    it.each([...SAFE, ...UNSAFE])('%s proceeds when no listed tag matches', (method) => {
      expect(outcome(evaluate(method, { 'if-none-match': '"r2d2xxxx", "c3piozzzz"' }))).toBe('proceed');
    });

    it('makes PUT with "If-None-Match: *" create-only: 412 when the resource exists', () => {
      const result = evaluate('PUT', { 'if-none-match': '*' });
      expect(result).toMatchObject({ status: 412, decidedBy: 'If-None-Match' });
      if (!result.proceed) expect(result.error.errors[0]?.code).toBe('exists');
      expect(outcome(evaluate('PUT', { 'if-none-match': '*' }, { exists: false }))).toBe('proceed');
    });

    it('treats a malformed list as not matching: the request proceeds', () => {
      expect(outcome(evaluate('GET', { 'if-none-match': 'xyzzy' }))).toBe('proceed');
      expect(outcome(evaluate('PUT', { 'if-none-match': '"xyzzy", r2d2' }))).toBe('proceed');
    });

    it('never matches a resource without an entity tag, except with *', () => {
      expect(outcome(evaluate('GET', { 'if-none-match': '"xyzzy"' }, { lastModified: MODIFIED }))).toBe('proceed');
      expect(outcome(evaluate('GET', { 'if-none-match': '*' }, { lastModified: MODIFIED }))).toBe(304);
    });

    it('ignores If-Modified-Since when If-None-Match is present, matching or not (RFC 9110 §13.1.3)', () => {
      // Invenio evaluates If-Modified-Since after a failed If-None-Match and answers 304 here.
      expect(outcome(evaluate('GET', { 'if-none-match': '"r2d2xxxx"', 'if-modified-since': LATER }))).toBe('proceed');
      expect(outcome(evaluate('GET', { 'if-none-match': '"xyzzy"', 'if-modified-since': EARLIER }))).toBe(304);
    });

    it('is evaluated after If-Unmodified-Since holds', () => {
      expect(outcome(evaluate('GET', { 'if-unmodified-since': LATER, 'if-none-match': '"xyzzy"' }))).toBe(304);
      expect(outcome(evaluate('GET', { 'if-unmodified-since': EARLIER, 'if-none-match': '"xyzzy"' }))).toBe(412);
    });
  });

  describe('step 4: If-Modified-Since (GET and HEAD, no If-None-Match)', () => {
    it.each(SAFE)('%s gets 304 when not modified since the date (RFC 9110 §13.1.3 example)', (method) => {
      expect(evaluate(method, { 'if-modified-since': MODIFIED })).toMatchObject({ status: 304, decidedBy: 'If-Modified-Since' });
      expect(outcome(evaluate(method, { 'if-modified-since': LATER }))).toBe(304);
    });

    it.each(SAFE)('%s proceeds when modified since the date', (method) => {
      expect(outcome(evaluate(method, { 'if-modified-since': EARLIER }))).toBe('proceed');
    });

    it.each(UNSAFE)('%s ignores If-Modified-Since', (method) => {
      expect(outcome(evaluate(method, { 'if-modified-since': LATER }))).toBe('proceed');
    });

    it('accepts the obsolete date formats', () => {
      expect(outcome(evaluate('GET', { 'if-modified-since': 'Saturday, 29-Oct-94 19:43:31 GMT' }))).toBe(304);
      expect(outcome(evaluate('GET', { 'if-modified-since': 'Sat Oct 29 19:43:31 1994' }))).toBe(304);
    });

    it('ignores an invalid date, a list of dates, and a resource without a modification date', () => {
      expect(outcome(evaluate('GET', { 'if-modified-since': '1994-10-30T00:00:00Z' }))).toBe('proceed');
      expect(outcome(evaluate('GET', { 'if-modified-since': `${LATER}, ${LATER}` }))).toBe('proceed');
      expect(outcome(evaluate('GET', { 'if-modified-since': LATER }, { etag: '"xyzzy"' }))).toBe('proceed');
    });
  });

  describe('the 304 response', () => {
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': '120',
      'Last-Modified': MODIFIED,
      'Cache-Control': 'no-cache',
      'Content-Location': '/records/1',
      Date: 'Sun, 06 Nov 1994 08:49:37 GMT',
      Expires: 'Sun, 06 Nov 1994 09:49:37 GMT',
      Vary: 'Accept',
      Link: '</records/1>; rel="self"',
      ETag: '"stale"',
    };

    it('keeps exactly ETag, Cache-Control, Content-Location, Date, Expires and Vary (RFC 9110 §15.4.5)', () => {
      const result = evaluate('GET', { 'if-none-match': '"xyzzy"' }, { ...resource, headers });
      if (result.proceed) throw new Error('expected 304');
      expect(result.error.headers).toEqual({
        ETag: '"xyzzy"',
        'Cache-Control': 'no-cache',
        'Content-Location': '/records/1',
        Date: 'Sun, 06 Nov 1994 08:49:37 GMT',
        Expires: 'Sun, 06 Nov 1994 09:49:37 GMT',
        Vary: 'Accept',
      });
    });

    it('renders with no body and no Content-Type through rest-errors', () => {
      const result = evaluate('HEAD', { 'if-modified-since': MODIFIED }, { ...resource, headers });
      if (result.proceed) throw new Error('expected 304');
      expect(isRestError(result.error)).toBe(true);
      const response = toResponse(result.error);
      expect(response.status).toBe(304);
      expect(response.body).toBeUndefined();
      expect(Object.keys(response.headers).map((h) => h.toLowerCase())).not.toContain('content-type');
      expect(Object.keys(response.headers).map((h) => h.toLowerCase())).not.toContain('content-length');
    });

    it('adds no Cache-Control the 200 would not have had', () => {
      const result = evaluate('GET', { 'if-none-match': '"xyzzy"' }, { ...resource, headers: { vary: 'Accept' } });
      if (result.proceed) throw new Error('expected 304');
      expect(result.error.headers).toEqual({ ETag: '"xyzzy"', Vary: 'Accept' });
    });

    it('carries the ETag of the selected representation even without response headers', () => {
      const result = evaluate('GET', { 'if-none-match': '"3-text/csv"' }, { etag: revisionETag(3, 'text/csv') });
      if (result.proceed) throw new Error('expected 304');
      expect(result.error.headers).toEqual({ ETag: '"3-text/csv"' });
    });
  });

  describe('the error of a refusal', () => {
    it('is built once, on first access, and is the same object afterwards', () => {
      const result = evaluate('PUT', { 'if-match': '"old"' });
      if (result.proceed) throw new Error('expected 412');
      const error = result.error;
      expect(error).toBe(result.error);
      expect(isRestError(error)).toBe(true);
      expect(error.status).toBe(412);
    });

    it('reads the response headers the caller passed', () => {
      const result = evaluate('GET', { 'if-none-match': '*' }, { ...resource, headers: { 'Cache-Control': 'max-age=60' } });
      if (result.proceed) throw new Error('expected 304');
      expect(result.error.headers).toEqual({ ETag: '"xyzzy"', 'Cache-Control': 'max-age=60' });
    });
  });

  describe('requirePrecondition (RFC 6585 §3, 428)', () => {
    it.each(UNSAFE)('%s without a precondition gets 428 naming If-Match', (method) => {
      const result = evaluate(method, {}, resource, true);
      expect(result).toMatchObject({ proceed: false, status: 428, decidedBy: 'policy' });
      if (result.proceed) return;
      expect(result.error.code).toBe('precondition_required');
      expect(result.error.message).toContain('If-Match');
      expect(result.error.message).toContain(method);
      expect(result.error.errors.map((e) => e.field)).toEqual(['If-Match']);
    });

    it('asks for "If-None-Match: *" when the write would create the resource', () => {
      const result = evaluate('PUT', {}, { exists: false }, true);
      expect(result).toMatchObject({ status: 428 });
      if (!result.proceed) {
        expect(result.error.message).toContain('If-None-Match: *');
        expect(result.error.errors.map((e) => e.field)).toEqual(['If-None-Match']);
      }
    });

    it.each([...SAFE, 'OPTIONS', 'TRACE'])('never applies to the safe method %s', (method) => {
      expect(outcome(evaluate(method, {}, resource, true))).toBe('proceed');
    });

    it('is satisfied by If-Match, a valid If-Unmodified-Since, or "If-None-Match: *"', () => {
      expect(outcome(evaluate('PUT', { 'if-match': '"xyzzy"' }, resource, true))).toBe('proceed');
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': MODIFIED }, resource, true))).toBe('proceed');
      expect(outcome(evaluate('PUT', { 'if-none-match': '*' }, { exists: false }, true))).toBe('proceed');
    });

    it('evaluates a present precondition normally: a stale If-Match is 412, not 428', () => {
      expect(outcome(evaluate('PUT', { 'if-match': '"old"' }, resource, true))).toBe(412);
      expect(outcome(evaluate('PUT', { 'if-match': 'garbage' }, resource, true))).toBe(412);
    });

    it('does not count headers that guard nothing: an invalid date, If-None-Match with tags, If-Modified-Since', () => {
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': 'yesterday' }, resource, true))).toBe(428);
      expect(outcome(evaluate('PUT', { 'if-unmodified-since': MODIFIED }, { etag: '"xyzzy"' }, true))).toBe(428);
      expect(outcome(evaluate('PUT', { 'if-none-match': '"other"' }, resource, true))).toBe(428);
      expect(outcome(evaluate('PUT', { 'if-modified-since': MODIFIED }, resource, true))).toBe(428);
    });
  });

  describe('inputs', () => {
    it('reads a Fetch Headers object', () => {
      const headers = new Headers({ 'If-None-Match': '"xyzzy"' });
      expect(outcome(evaluatePreconditions({ method: 'GET', headers }, resource))).toBe(304);
    });

    it('reads plain-object header names case-insensitively', () => {
      expect(outcome(evaluate('PUT', { 'If-Match': '"old"' }))).toBe(412);
      expect(outcome(evaluate('GET', { 'IF-NONE-MATCH': '"xyzzy"' }))).toBe(304);
    });

    it('joins repeated If-None-Match lines as Node delivers them', () => {
      const headers = { 'if-none-match': ['"r2d2xxxx"', '"xyzzy"'] };
      expect(outcome(evaluatePreconditions({ method: 'GET', headers }, resource))).toBe(304);
    });

    it('compares methods case-insensitively and treats an undefined method as GET', () => {
      expect(outcome(evaluate('get', { 'if-none-match': '"xyzzy"' }))).toBe(304);
      expect(outcome(evaluatePreconditions({ method: undefined, headers: { 'if-none-match': '"xyzzy"' } }, resource))).toBe(304);
    });

    it('accepts the resource ETag as an EntityTag and Last-Modified as an HttpDate, number or string', () => {
      const state = { etag: EntityTag.from('"xyzzy"'), lastModified: HttpDate.from(MODIFIED) };
      expect(outcome(evaluate('GET', { 'if-none-match': '"xyzzy"' }, state))).toBe(304);
      expect(outcome(evaluate('GET', { 'if-modified-since': MODIFIED }, { lastModified: Date.parse(MODIFIED) }))).toBe(304);
      expect(outcome(evaluate('GET', { 'if-modified-since': MODIFIED }, { lastModified: MODIFIED }))).toBe(304);
    });

    it('throws a TypeError for an unquoted resource ETag, a programming error rather than bad input', () => {
      expect(() => evaluate('GET', { 'if-none-match': '"3"' }, { etag: '3' })).toThrow(TypeError);
      expect(() => evaluate('GET', { 'if-modified-since': MODIFIED }, { lastModified: 'yesterday' })).toThrow(RangeError);
    });
  });
});

describe('notModifiedHeaders', () => {
  it('keeps only the fields RFC 9110 §15.4.5 lists, spelled canonically', () => {
    expect(
      notModifiedHeaders({
        'content-type': 'application/json',
        etag: '"3"',
        vary: ['Accept', 'Origin'],
        'x-request-id': '1',
        expires: '0',
      }),
    ).toEqual({ ETag: '"3"', Vary: 'Accept, Origin', Expires: '0' });
  });

  it('reads a Fetch Headers object', () => {
    expect(notModifiedHeaders(new Headers({ 'Cache-Control': 'no-cache', 'Last-Modified': MODIFIED }))).toEqual({
      'Cache-Control': 'no-cache',
    });
  });
});
