// Property-based tests of evaluatePreconditions: invariants of RFC 9110 §13.2.2 that must hold for any
// request headers, well-formed or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHttpDate } from './http-date.js';
import { evaluatePreconditions, type ResourceState } from './preconditions.js';

// Few distinct tags and instants, so that generated headers match the resource often.
const tagPool = ['"a"', 'W/"a"', '"b"', 'W/"b"', '""'];
const instants = [Date.UTC(2024, 0, 1, 0, 0, 0), Date.UTC(2024, 0, 1, 0, 0, 1), Date.UTC(2024, 0, 1, 0, 0, 2)];

const entityTagList = fc.oneof(
  fc.constant('*'),
  fc.array(fc.constantFrom(...tagPool), { minLength: 1, maxLength: 3 }).map((tags) => tags.join(', ')),
);
const dateField = fc.oneof(
  fc.constantFrom(...instants).map((t) => formatHttpDate(t)),
  fc.constantFrom(...instants).map((t) => new Date(t).toISOString()),
  fc.constantFrom('Monday, 01-Jan-24 00:00:01 GMT', 'Mon Jan  1 00:00:01 2024'),
);
/** Any value a client could send: well-formed, near-miss or arbitrary text, once or repeated. */
const fieldValue = (wellFormed: fc.Arbitrary<string>) =>
  fc.oneof(
    wellFormed,
    fc.string({ maxLength: 30 }),
    fc.constantFrom('', ' ', '*, "a"', 'a', 'W/', '"a", b', '"a'),
    fc.array(wellFormed, { minLength: 2, maxLength: 2 }),
  );

const headers = fc.record(
  {
    'if-match': fieldValue(entityTagList),
    'if-none-match': fieldValue(entityTagList),
    'if-modified-since': fieldValue(dateField),
    'if-unmodified-since': fieldValue(dateField),
  },
  { requiredKeys: [] },
);
const resource: fc.Arbitrary<ResourceState> = fc.record(
  {
    etag: fc.constantFrom(...tagPool),
    lastModified: fc.constantFrom(...instants),
    exists: fc.boolean(),
  },
  { requiredKeys: [] },
);
const safeMethod = fc.constantFrom('GET', 'HEAD', 'get');
const unsafeMethod = fc.constantFrom('PUT', 'PATCH', 'DELETE', 'POST', 'OPTIONS', 'PROPFIND', 'put');

describe('evaluatePreconditions properties', () => {
  it('GET and HEAD never get 412 from If-None-Match, whatever the headers', () => {
    fc.assert(
      fc.property(safeMethod, headers, resource, fc.boolean(), (method, h, state, requirePrecondition) => {
        const result = evaluatePreconditions({ method, headers: h }, state, { requirePrecondition });
        if (!result.proceed && result.status === 412) expect(result.decidedBy).not.toBe('If-None-Match');
        // Without If-Match and If-Unmodified-Since there is nothing else that could fail.
        if (h['if-match'] === undefined && h['if-unmodified-since'] === undefined)
          expect(result.proceed || result.status === 304).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('an unsafe method never gets 304, whatever the headers', () => {
    fc.assert(
      fc.property(unsafeMethod, headers, resource, fc.boolean(), (method, h, state, requirePrecondition) => {
        const result = evaluatePreconditions({ method, headers: h }, state, { requirePrecondition });
        expect(result.proceed || result.status !== 304).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on request headers, and every refusal is a rest-errors error with the same status', () => {
    fc.assert(
      fc.property(fc.oneof(safeMethod, unsafeMethod), headers, resource, fc.boolean(), (method, h, state, requirePrecondition) => {
        const result = evaluatePreconditions({ method, headers: h }, state, { requirePrecondition });
        if (!result.proceed) {
          expect(result.error.status).toBe(result.status);
          if (result.status !== 304) expect(result.error.errors.length).toBe(1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a request that passes If-Match with the current strong ETag is never refused by If-Match', () => {
    fc.assert(
      fc.property(unsafeMethod, headers, fc.constantFrom('"a"', '"b"'), (method, h, etag) => {
        const result = evaluatePreconditions({ method, headers: { ...h, 'if-match': etag } }, { etag });
        if (!result.proceed) expect(result.decidedBy).not.toBe('If-Match');
      }),
    );
  });

  it('the result only depends on the header names, not on their case', () => {
    fc.assert(
      fc.property(fc.oneof(safeMethod, unsafeMethod), headers, resource, (method, h, state) => {
        const upper = Object.fromEntries(Object.entries(h).map(([name, value]) => [name.toUpperCase(), value]));
        const a = evaluatePreconditions({ method, headers: h }, state);
        const b = evaluatePreconditions({ method, headers: upper }, state);
        expect(a.proceed ? 'proceed' : a.status).toBe(b.proceed ? 'proceed' : b.status);
      }),
    );
  });
});
