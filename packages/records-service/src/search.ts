import type { SearchFactory } from './config.js';
import type { JsonObject, SearchRequest } from './ports.js';

/**
 * The default search factory: the endpoint's `@recordkit/query-builder` (built from its `query`,
 * `facets`, `sort`, `cursor` and pagination settings) parses the parameters (400s naming the bad
 * parameter) and builds the request and the links. A custom `searchFactory` gets it as `defaultFactory`
 * to extend.
 *
 * @example
 * { searchFactory: async (ctx) => { const built = await ctx.defaultFactory(ctx); built.request.min_score = 0.5; return built; } }
 */
export const queryBuilderSearchFactory: SearchFactory = ({ params, config, listUrl }) => {
  const parsed = config.queryBuilder.parse(params);
  return {
    request: parsed.body as unknown as SearchRequest,
    links: ({ total, lastSort }) => {
      const info: Parameters<typeof config.queryBuilder.links>[1] = { baseUrl: listUrl, total };
      if (lastSort) info.lastSort = lastSort as NonNullable<typeof info.lastSort>;
      return { ...config.queryBuilder.links(parsed, info) };
    },
  };
};

/**
 * AND a permission filter into a search request (hits, totals and aggregations all see it).
 * @example
 * withFilter({ query: { match_all: {} } }, { term: { access: 'public' } });
 * // { query: { bool: { must: [{ match_all: {} }], filter: [{ term: { access: 'public' } }] } } }
 */
export function withFilter(request: SearchRequest, filter: JsonObject | undefined): SearchRequest {
  if (filter === undefined) return request;
  const query = request.query ?? { match_all: {} };
  return { ...request, query: { bool: { must: [query], filter: [filter] } } };
}
