import { isRestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { resolveEndpoint } from './config.js';
import { queryBuilderSearchFactory, withFilter } from './search.js';

const endpoint = resolveEndpoint('recid', {
  pidType: 'recid',
  listRoute: '/records/',
  itemRoute: '/records/:pid',
  facets: { aggs: { type: { terms: { field: 'type' } } }, postFilters: { type: { type: 'terms', field: 'type' } } },
  sort: { options: { newest: { fields: ['-_created'], title: 'Newest' } }, default: { noquery: 'newest' } },
});

async function build(query: string) {
  return queryBuilderSearchFactory({
    endpoint: 'recid',
    identity: undefined,
    params: new URLSearchParams(query),
    listUrl: 'https://h/api/records/',
    config: endpoint,
    defaultFactory: queryBuilderSearchFactory,
  });
}

describe('queryBuilderSearchFactory', () => {
  it("builds the engine request from the endpoint's query, facets, sort and pagination", async () => {
    const built = await build('q=coral&type=dataset&page=2&size=5');
    expect(built.request).toMatchObject({
      query: { query_string: { query: 'coral' } },
      from: 5,
      size: 5,
      aggs: { type: { terms: { field: 'type' } } },
      post_filter: { terms: { type: ['dataset'] } },
      track_total_hits: true,
    });
  });

  it('builds links on the list URL from the total', async () => {
    const built = await build('type=a&page=2&size=5');
    const links = built.links({ total: 30 });
    expect(links.self).toMatch(/^https:\/\/h\/api\/records\/\?.*page=2/);
    expect(links.prev).toMatch(/page=1/);
    expect(links.next).toMatch(/page=3/);
    expect(links.self).toContain('type=a');
  });

  it("answers Invenio's 400s for bad pagination and the result window", async () => {
    for (const [query, status] of [
      ['page=0', 400],
      ['page=100&size=101', 400],
      ['sort=nope', 400],
    ] as const) {
      const error = await build(query).catch((e: unknown) => e);
      expect(isRestError(error) && error.status).toBe(status);
    }
    await expect(build('page=100&size=100')).resolves.toBeDefined();
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
