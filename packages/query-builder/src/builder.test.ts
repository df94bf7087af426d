import { createFacetsSort, rangeFilter, termsFilter } from '@recordkit/facets-sort';
import { InvalidQuerySyntaxError, MaxResultWindowError, PaginationError, RestError, ValidationError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { createQueryBuilder, type QueryBuilderConfig } from './builder.js';
import { formatLinkHeader } from './links.js';

const BASE = 'https://example.org/records/';

const endpoint = (extra: QueryBuilderConfig = {}) =>
  createQueryBuilder({
    ...createFacetsSort({
      facets: {
        aggs: { type: { terms: { field: 'type' } }, year: { date_histogram: { field: 'created', calendar_interval: 'year' } } },
        filters: { access: termsFilter('access') },
        postFilters: { type: termsFilter('type'), year: rangeFilter('created', { valueType: 'date' }) },
      },
      sort: {
        options: {
          bestmatch: { fields: ['_score'], title: 'Best match', defaultOrder: 'desc', order: 1 },
          mostrecent: { fields: ['-_created'], title: 'Most recent', order: 2 },
        },
        default: { query: 'bestmatch', noquery: 'mostrecent' },
      },
    }),
    ...extra,
  });

function thrown(fn: () => unknown): RestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
  throw new Error('expected a RestError');
}

const paramsOf = (url: string | undefined) => [...new URL(url as string).searchParams];

describe('createQueryBuilder().parse', () => {
  it('builds the default search: everything, newest first, first page of 10, every aggregation', () => {
    expect(endpoint().parse('').body).toEqual({
      query: { match_all: {} },
      from: 0,
      size: 10,
      sort: [{ _created: { order: 'desc' } }],
      aggs: { type: { terms: { field: 'type' } }, year: { date_histogram: { field: 'created', calendar_interval: 'year' } } },
      track_total_hits: true,
    });
  });

  it('combines the query, filters, post filters, sort and page as Invenio does', () => {
    const request = endpoint().parse('q=title:open&access=open&type=article&type=book&page=2&size=5&facets=type');
    expect(request.body).toEqual({
      query: { bool: { must: [{ query_string: { query: 'title:open' } }], filter: [{ terms: { access: ['open'] } }] } },
      from: 5,
      size: 5,
      sort: [{ _score: { order: 'desc' } }],
      aggs: { type: { terms: { field: 'type' } } },
      post_filter: { terms: { type: ['article', 'book'] } },
      track_total_hits: true,
    });
    expect(request).toMatchObject({ q: 'title:open', hasQuery: true, sort: 'bestmatch' });
  });

  it('adds the caller’s own filters to the query filters', () => {
    expect(endpoint().parse('', { filter: [{ term: { published: true } }] }).body.query).toEqual({
      bool: { filter: [{ term: { published: true } }] },
    });
  });

  it('sends the configured track_total_hits and _source', () => {
    const body = endpoint({ trackTotalHits: 10000, source: { excludes: ['files'] } }).parse('').body;
    expect(body.track_total_hits).toBe(10000);
    expect(body._source).toEqual({ excludes: ['files'] });
  });

  it('answers one bad parameter with its own error class', () => {
    expect(thrown(() => endpoint().parse('q=test:'))).toBeInstanceOf(InvalidQuerySyntaxError);
    expect(thrown(() => endpoint().parse('page=0'))).toBeInstanceOf(PaginationError);
    expect(thrown(() => endpoint().parse('page=101&size=100'))).toBeInstanceOf(MaxResultWindowError);
    const sort = thrown(() => endpoint().parse('sort=price'));
    expect(sort).toBeInstanceOf(ValidationError);
    expect(sort.errors[0]?.message).toBe('Invalid sort option "price". Valid options: bestmatch, mostrecent (prefix "-" to reverse).');
    expect(thrown(() => endpoint().parse('year=2020')).errors[0]?.toJSON()).toEqual({
      field: 'year',
      message: 'Invalid range format.',
      code: 'invalid_facet_value',
    });
  });

  it('answers several bad parameters with one 400 listing a field error for each', () => {
    const error = thrown(() => endpoint().parse('q=test:&page=0&sort=price&year=x'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid search parameters.');
    expect(error.errors.map((e) => e.field)).toEqual(['q', 'page', 'year', 'sort']);
  });

  it('lets an error that is not a 400 through untouched', () => {
    const boom = new Error('bug in a facet');
    const builder = createQueryBuilder({
      facets: {
        parameterNames: ['x'],
        apply: () => {
          throw boom;
        },
      },
    });
    expect(() => builder.parse('x=1')).toThrow(boom);
  });

  it('ignores unknown parameters by default, and refuses them in strict mode listing the accepted ones', () => {
    expect(() => endpoint().parse('foo=1')).not.toThrow();
    const strict = endpoint({ strict: true, extraParams: ['format'] });
    expect(() => strict.parse('format=json&q=x&type=a&facets=type')).not.toThrow();
    const error = thrown(() => strict.parse('foo=1&bar=2&foo=3'));
    expect(error.message).toBe('Unknown query parameters.');
    expect(error.errors.map((e) => e.toJSON())).toEqual(
      ['foo', 'bar'].map((field) => ({
        field,
        message: 'Unknown query parameter. Accepted parameters: q, page, from, size, sort, access, type, year, facets, format.',
        code: 'unknown_parameter',
      })),
    );
  });

  it('lists the parameters it reads', () => {
    expect(endpoint({ cursor: { tiebreaker: 'id' } }).parameterNames).toEqual([
      'q',
      'page',
      'from',
      'size',
      'cursor',
      'sort',
      'access',
      'type',
      'year',
      'facets',
    ]);
  });

  it('refuses a bad configuration when created', () => {
    expect(() => createQueryBuilder({ defaultSize: 0 })).toThrow(TypeError);
    expect(() => createQueryBuilder({ defaultSize: 50, maxSize: 20 })).toThrow(TypeError);
    expect(() => createQueryBuilder({ maxResultWindow: 1.5 })).toThrow(TypeError);
    expect(() => createQueryBuilder({ cursor: { tiebreaker: '' } })).toThrow(TypeError);
  });
});

describe('createQueryBuilder().links', () => {
  it('gives self and next on the first page, and prev once past it (test_pagination, test_page_links)', () => {
    const builder = endpoint();
    const first = builder.links(builder.parse('size=1&page=1'), { baseUrl: BASE, total: 4 });
    expect(first.prev).toBeUndefined();
    expect(paramsOf(first.next)).toEqual([
      ['sort', 'mostrecent'],
      ['size', '1'],
      ['page', '2'],
    ]);
    const nextQuery = new URL(first.next as string).search;
    const second = builder.links(builder.parse(nextQuery), { baseUrl: BASE, total: 4 });
    expect(second.self).toBe(first.next);
    expect(second.prev).toBe(first.self);
    expect(second.next).toBeDefined();
  });

  it('keeps from-based pagination in from-based links (test_from_parameter_pagination)', () => {
    const builder = endpoint();
    const links = builder.links(builder.parse('size=1&from=1'), { baseUrl: BASE, total: 4 });
    expect(paramsOf(links.self)).toEqual([
      ['sort', 'mostrecent'],
      ['size', '1'],
      ['from', '1'],
    ]);
    expect(new URL(links.next as string).searchParams.get('from')).toBe('2');
    expect(new URL(links.next as string).searchParams.has('page')).toBe(false);
  });

  it('keeps repeated facet values, the facet selection, an empty q and the extra parameters', () => {
    const builder = endpoint({ extraParams: ['format'] });
    const links = builder.links(builder.parse('q=&type=a&type=b&facets=type&format=csv&ignored=1'), { baseUrl: BASE, total: 100 });
    expect(paramsOf(links.self)).toEqual([
      ['type', 'a'],
      ['type', 'b'],
      ['facets', 'type'],
      ['sort', 'mostrecent'],
      ['q', ''],
      ['format', 'csv'],
      ['size', '10'],
      ['page', '1'],
    ]);
  });

  it('leaves q out when absent and sort out when no option applied', () => {
    const builder = createQueryBuilder(createFacetsSort({ sort: { options: { title: { fields: ['title'] } }, onUnknown: 'ignore' } }));
    const links = builder.links(builder.parse('sort=unknown'), { baseUrl: BASE, total: 1 });
    expect(paramsOf(links.self)).toEqual([
      ['size', '10'],
      ['page', '1'],
    ]);
  });

  it('gives first and last where the last page is reachable', () => {
    const builder = endpoint();
    const links = builder.links(builder.parse('page=2&size=10'), { baseUrl: BASE, total: 35 });
    expect(new URL(links.first as string).searchParams.get('page')).toBe('1');
    expect(new URL(links.last as string).searchParams.get('page')).toBe('4');
    expect(builder.links(builder.parse(''), { baseUrl: BASE, total: 20000 }).last).toBeUndefined();
  });

  it('produces a Link header with the same links as the body', () => {
    const builder = endpoint();
    const links = builder.links(builder.parse('page=2&size=1'), { baseUrl: BASE, total: 3 });
    const header = formatLinkHeader({ ...links });
    const parsed = Object.fromEntries(
      header.split(', ').map((part) => (/<(.*)>; rel="(.*)"/.exec(part) as RegExpExecArray).slice(1).reverse()),
    );
    expect(parsed).toEqual(links);
  });
});

describe('cursor pagination', () => {
  const deep = (extra: QueryBuilderConfig = {}) => endpoint({ cursor: { tiebreaker: 'id', secret: 'shh' }, ...extra });

  it('appends the tiebreaker to every sort, and sorts by relevance then tiebreaker when no option applies', () => {
    expect(deep().parse('').body.sort).toEqual([{ _created: { order: 'desc' } }, { id: { order: 'asc' } }]);
    const plain = createQueryBuilder({ cursor: { tiebreaker: 'id' } });
    expect(plain.parse('q=x').body.sort).toEqual([{ _score: { order: 'desc' } }, { id: { order: 'asc' } }]);
    expect(plain.parse('').body.sort).toEqual([{ id: { order: 'asc' } }]);
  });

  it('continues past the window with a cursor next link, then pages on with search_after', () => {
    const builder = deep();
    const last = builder.parse('page=100&size=100');
    const links = builder.links(last, { baseUrl: BASE, total: 50000, lastSort: [1700000000000, 'rec-10000'] });
    const next = new URL(links.next as string);
    expect(next.searchParams.get('page')).toBeNull();
    const cursor = next.searchParams.get('cursor') as string;
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);

    const deeper = builder.parse(next.search);
    expect(deeper.body.search_after).toEqual([1700000000000, 'rec-10000']);
    expect(deeper.body.from).toBeUndefined();
    expect(deeper.pagination).toMatchObject({ mode: 'cursor', fromIndex: 10000, toIndex: 10100 });

    const deeperLinks = builder.links(deeper, { baseUrl: BASE, total: 50000, lastSort: [1690000000000, 'rec-10100'] });
    expect(deeperLinks.self).toBe(links.next);
    expect(deeperLinks.prev).toBeUndefined();
    expect(new URL(deeperLinks.first as string).searchParams.get('page')).toBe('1');
    expect(builder.parse(new URL(deeperLinks.next as string).search).pagination.fromIndex).toBe(10100);
  });

  it('gives no cursor link once every hit was seen, or without the last hit’s sort values', () => {
    const builder = deep();
    expect(builder.links(builder.parse('page=100&size=100'), { baseUrl: BASE, total: 10000, lastSort: [1, 'a'] }).next).toBeUndefined();
    expect(builder.links(builder.parse('page=100&size=100'), { baseUrl: BASE, total: 50000 }).next).toBeUndefined();
  });

  it('keeps page links inside the window (no cursor there)', () => {
    const builder = deep();
    const links = builder.links(builder.parse('page=1'), { baseUrl: BASE, total: 50000, lastSort: [1, 'a'] });
    expect(new URL(links.next as string).searchParams.get('page')).toBe('2');
  });

  it('refuses a cursor used with another query, sort or filter as stale', () => {
    const builder = deep();
    const links = builder.links(builder.parse('q=open&page=100&size=100'), { baseUrl: BASE, total: 50000, lastSort: [3.2, 'a'] });
    const cursor = new URL(links.next as string).searchParams.get('cursor') as string;
    expect(() => builder.parse(`q=open&cursor=${cursor}`)).not.toThrow();
    for (const query of [`q=closed&cursor=${cursor}`, `q=open&sort=mostrecent&cursor=${cursor}`, `q=open&type=a&cursor=${cursor}`]) {
      const error = thrown(() => builder.parse(query));
      expect(error.status).toBe(400);
      expect(error.errors[0]?.toJSON()).toMatchObject({ field: 'cursor', code: 'cursor_stale' });
    }
  });

  it('refuses a tampered cursor, or one signed with another secret', () => {
    const builder = deep();
    const links = builder.links(builder.parse('page=100&size=100'), { baseUrl: BASE, total: 50000, lastSort: [1, 'a'] });
    const cursor = new URL(links.next as string).searchParams.get('cursor') as string;
    const error = thrown(() => builder.parse(`cursor=x${cursor}`));
    expect(error.errors[0]?.toJSON()).toMatchObject({ field: 'cursor', code: 'cursor_tampered' });
    expect(thrown(() => deep({ cursor: { tiebreaker: 'id', secret: 'other' } }).parse(`cursor=${cursor}`)).status).toBe(400);
  });

  it('refuses last-hit sort values that do not fit the sort, a bug in the caller', () => {
    const builder = deep();
    expect(() => builder.links(builder.parse('page=100&size=100'), { baseUrl: BASE, total: 50000, lastSort: [1] })).toThrow(TypeError);
  });
});
