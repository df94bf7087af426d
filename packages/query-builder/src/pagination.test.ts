import { MaxResultWindowError, PaginationError } from '@recordkit/rest-errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Pagination, pageParams, readPagination } from './pagination.js';

const read = (query: string, options = {}, cursors = false) => readPagination(new URLSearchParams(query), options, cursors);

function ok(query: string, options = {}): Pagination {
  const result = read(query, options);
  if (!result.pagination) throw result.error;
  return result.pagination;
}

describe('readPagination', () => {
  it('defaults to page 1 of 10 (RECORDS_REST_DEFAULT_RESULTS_SIZE)', () => {
    expect(ok('')).toEqual({ mode: 'page', page: 1, size: 10, fromIndex: 0, toIndex: 10, explicit: false });
  });

  it('uses the configured default size (test_page_size_without_size_in_request_with_five_as_default)', () => {
    expect(ok('page=1', { defaultSize: 2 })).toMatchObject({ size: 2, toIndex: 2 });
  });

  it('turns page and size into indexes', () => {
    expect(ok('page=3&size=20')).toEqual({ mode: 'page', page: 3, size: 20, fromIndex: 40, toIndex: 60, explicit: true });
  });

  it('turns a 1-based from into indexes', () => {
    expect(ok('from=4&size=1')).toEqual({ mode: 'from', size: 1, fromIndex: 3, toIndex: 4, explicit: true });
  });

  it('allows page=100&size=100 and refuses page=100&size=101 and page=101&size=100 (test_page_size)', () => {
    expect(ok('page=100&size=100').toIndex).toBe(10000);
    for (const query of ['page=100&size=101', 'page=101&size=100']) {
      const { error } = read(query);
      expect(error).toBeInstanceOf(MaxResultWindowError);
      expect(error?.message).toBe('Maximum number of 10000 results have been reached.');
      expect(error?.errors.map((e) => e.field)).toEqual(['page']);
    }
  });

  it('applies a smaller window (test_max_result_window_valid_params / invalid_params)', () => {
    const window = { maxResultWindow: 3 };
    expect(ok('size=3', window).toIndex).toBe(3);
    expect(ok('page=1&size=3', window).toIndex).toBe(3);
    expect(ok('from=3&size=1', window).toIndex).toBe(3);
    for (const [query, field] of [
      ['size=4', 'size'],
      ['page=1&size=4', 'page'],
      ['from=4&size=1', 'from'],
      ['from=3&size=2', 'from'],
    ]) {
      const { error } = read(query as string, window);
      expect(error?.message).toBe('Maximum number of 3 results have been reached.');
      expect(error?.errors[0]?.field).toBe(field);
    }
  });

  it('refuses from=10001 with the window message (test_from_parameter_invalid_pagination)', () => {
    expect(read('size=1&from=10001').error?.message).toBe('Maximum number of 10000 results have been reached.');
  });

  it('answers values below 1 with "Invalid pagination parameters." and the field (test_from_parameter_invalid_pagination)', () => {
    const { error } = read('size=1&from=0');
    expect(error).toBeInstanceOf(PaginationError);
    expect(error?.message).toBe('Invalid pagination parameters.');
    expect(error?.errors.map((e) => e.toJSON())).toEqual([
      { field: 'from', message: 'Must be greater than or equal to 1.', code: 'out_of_range' },
    ]);
  });

  it('lists one field error per bad parameter', () => {
    const { error } = read('page=x&size=-1&from=1.5');
    expect(error?.errors.map((e) => [e.field, e.message])).toEqual([
      ['page', 'Not a valid integer.'],
      ['from', 'Not a valid integer.'],
      ['size', 'Must be greater than or equal to 1.'],
    ]);
  });

  it('refuses page and from together, naming both', () => {
    const { error } = read('page=1&from=1');
    expect(error?.errors.map((e) => [e.field, e.message])).toEqual([
      ['from', 'The query parameters from and page must not be used at the same time.'],
      ['page', 'The query parameters from and page must not be used at the same time.'],
    ]);
  });

  it('bounds size by maxSize when configured', () => {
    expect(read('size=101', { maxSize: 100 }).error?.errors[0]?.toJSON()).toEqual({
      field: 'size',
      message: 'Must be less than or equal to 100.',
      code: 'out_of_range',
    });
  });

  it('reads a cursor only when cursors are enabled, and not with page or from', () => {
    expect(ok('cursor=abc&size=5')).toMatchObject({ mode: 'page' });
    expect(read('cursor=abc&size=5', {}, true).pagination).toMatchObject({ mode: 'cursor', cursor: 'abc', size: 5 });
    expect(read('cursor=abc&page=2', {}, true).error?.errors.map((e) => e.field)).toEqual(['cursor', 'page']);
    expect(read('cursor=abc&size=10001', {}, true).error).toBeInstanceOf(MaxResultWindowError);
    expect(read('cursor=&size=5', {}, true).pagination).toMatchObject({ mode: 'page', page: 1 });
  });
});

describe('pageParams', () => {
  const page = (n: number, size: number) => ok(`page=${n}&size=${size}`);

  it('gives self and next, no prev, on the first page (test_pagination)', () => {
    const links = pageParams(page(1, 1), 4, 10000);
    expect(links.self).toEqual([['page', '1']]);
    expect(links.next).toEqual([['page', '2']]);
    expect(links.prev).toBeUndefined();
  });

  it('gives prev and next in the middle', () => {
    expect(pageParams(page(2, 1), 4, 10000)).toMatchObject({ prev: [['page', '1']], next: [['page', '3']] });
  });

  it('follows from-based pagination (test_from_parameter_pagination, test_from_parameter_edges)', () => {
    expect(pageParams(ok('from=1&size=1'), 4, 10000)).toMatchObject({ self: [['from', '1']], next: [['from', '2']] });
    expect(pageParams(ok('from=1&size=1'), 4, 10000).prev).toBeUndefined();
    expect(pageParams(ok('from=2&size=1'), 4, 10000)).toMatchObject({ prev: [['from', '1']], next: [['from', '3']] });
    const last = pageParams(ok('from=4&size=1'), 4, 10000);
    expect(last.next).toBeUndefined();
    expect(last.prev).toEqual([['from', '3']]);
    expect(pageParams(ok('from=3&size=5'), 40, 10000).prev).toEqual([['from', '1']]);
  });

  it('stops next at the window (test_max_result_window_valid_params)', () => {
    const links = pageParams(ok('from=3&size=1', { maxResultWindow: 3 }), 4, 3);
    expect(links.next).toBeUndefined();
    expect(links.prev).toBeDefined();
  });

  it('gives no next that would pass the window, unlike Invenio', () => {
    expect(pageParams(page(3333, 3), 20000, 10000).next).toBeUndefined();
  });

  it('gives first always and last when the last page is inside the window', () => {
    expect(pageParams(page(2, 10), 35, 10000)).toMatchObject({ first: [['page', '1']], last: [['page', '4']] });
    expect(pageParams(page(1, 10), 0, 10000).last).toEqual([['page', '1']]);
    expect(pageParams(page(1, 10), 20000, 10000).last).toBeUndefined();
    expect(pageParams(ok('from=5&size=10'), 35, 10000).last).toEqual([['from', '26']]);
  });

  it('never points a link at a page the window refuses, and pages chain without gaps (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.boolean(),
        (window, size, start, total, byFrom) => {
          const options = { maxResultWindow: window };
          const result = read(byFrom ? `from=${start}&size=${size}` : `page=${start}&size=${size}`, options);
          if (!result.pagination) {
            expect(result.error).toBeInstanceOf(MaxResultWindowError);
            expect((byFrom ? start - 1 : (start - 1) * size) + size).toBeGreaterThan(window);
            return;
          }
          const current = result.pagination;
          expect(current.toIndex).toBeLessThanOrEqual(window);
          expect(current.toIndex - current.fromIndex).toBe(size);
          const links = pageParams(current, total, window);
          for (const params of Object.values(links)) {
            if (!params) continue;
            const followed = read(`${new URLSearchParams(params)}&size=${size}`, options);
            expect(followed.error).toBeUndefined();
            expect(followed.pagination?.toIndex).toBeLessThanOrEqual(window);
          }
          if (links.next) {
            const next = read(`${new URLSearchParams(links.next)}&size=${size}`, options).pagination as Pagination;
            expect(next.fromIndex).toBe(current.toIndex);
            expect(current.toIndex).toBeLessThan(total);
          }
          if (links.prev) {
            const prev = read(`${new URLSearchParams(links.prev)}&size=${size}`, options).pagination as Pagination;
            expect(prev.fromIndex).toBeLessThan(current.fromIndex);
            expect(prev.toIndex).toBeGreaterThanOrEqual(Math.min(current.fromIndex, size));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
