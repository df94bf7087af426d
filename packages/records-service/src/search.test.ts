import { isRestError, type RestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import type { BuiltSearch } from './config.js';
import { parsePagination, searchLinks, withFilter } from './search.js';

const config = { defaultResultsSize: 10, maxResultsSize: 1000, maxResultWindow: 10_000 };

function errorOf(query: string): RestError {
  try {
    parsePagination(new URLSearchParams(query), config);
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('parsePagination', () => {
  it("follows Invenio's defaults and arithmetic for page and from (1-based)", () => {
    expect(parsePagination(new URLSearchParams(''), config)).toEqual({ page: 1, size: 10, fromIndex: 0 });
    expect(parsePagination(new URLSearchParams('page=3&size=5'), config)).toEqual({ page: 3, size: 5, fromIndex: 10 });
    expect(parsePagination(new URLSearchParams('from=11&size=5'), config)).toEqual({ from: 11, size: 5, fromIndex: 10 });
  });

  it('allows page=100&size=100 (to 10000) and refuses page=100&size=101 with "Maximum number of 10000 results have been reached."', () => {
    expect(parsePagination(new URLSearchParams('page=100&size=100'), config).fromIndex).toBe(9900);
    const error = errorOf('page=100&size=101');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Maximum number of 10000 results have been reached.');
  });

  it.each([
    ['page=abc', 'page', 'Not a valid integer.'],
    ['size=0', 'size', 'Must be greater than or equal to 1.'],
    ['from=-1', 'from', 'Must be greater than or equal to 1.'],
    ['size=1001', 'size', 'Must be less than or equal to 1000.'],
    ['page=1&from=1', 'querystring', 'The query parameters from and page must not be used at the same time.'],
  ])('answers %s with 400 "Invalid pagination parameters." on %s', (query, field, message) => {
    const error = errorOf(query);
    expect(error.message).toBe('Invalid pagination parameters.');
    expect(error.errors).toEqual([expect.objectContaining({ field, message })]);
  });
});

describe('searchLinks', () => {
  const built = (extra: Partial<BuiltSearch>): BuiltSearch => ({ request: {}, urlArgs: new URLSearchParams('q=x'), size: 10, ...extra });

  it('gives self, prev and next by page, keeping the URL arguments', () => {
    expect(searchLinks('https://h/records/', built({ page: 2 }), 35, 10_000)).toEqual({
      self: 'https://h/records/?q=x&size=10&page=2',
      prev: 'https://h/records/?q=x&size=10&page=1',
      next: 'https://h/records/?q=x&size=10&page=3',
    });
  });

  it('omits prev on the first page and next when the rest is past the total or the window', () => {
    expect(Object.keys(searchLinks('https://h/r/', built({ page: 1 }), 10, 10_000))).toEqual(['self']);
    expect(Object.keys(searchLinks('https://h/r/', built({ page: 2 }), 1_000_000, 20))).toEqual(['self', 'prev']);
  });

  it('pages by from when the client did, with prev never below 1', () => {
    expect(searchLinks('https://h/r/', built({ from: 5 }), 100, 10_000)).toEqual({
      self: 'https://h/r/?q=x&size=10&from=5',
      prev: 'https://h/r/?q=x&size=10&from=1',
      next: 'https://h/r/?q=x&size=10&from=15',
    });
  });
});

describe('withFilter', () => {
  it('wraps the query in a bool with the filter, and leaves the request alone without one', () => {
    const request = { query: { term: { a: 1 } }, size: 3 };
    expect(withFilter(request, undefined)).toBe(request);
    expect(withFilter(request, { term: { b: 2 } })).toEqual({
      query: { bool: { must: [{ term: { a: 1 } }], filter: [{ term: { b: 2 } }] } },
      size: 3,
    });
  });
});
