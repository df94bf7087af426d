import type { SortOption } from '@recordkit/facets-sort';
import {
  type IndexMapping,
  recidMinter,
  type SearchFactory,
  type SearchRequest,
  type EndpointConfig as ServiceEndpointConfig,
} from '@recordkit/records-service';
import type { ResolvedEndpoint } from '../config/types.js';
import { openPolicy, referencePolicy } from './policy.js';

/** Options of {@link toServiceEndpoint}. */
export interface ServiceEndpointOptions {
  /** Key that signs search cursors; the same in every process serving the endpoint (random per process otherwise). */
  cursorSecret?: string;
}

/**
 * Translate a reference-server endpoint into a @recordkit/records-service endpoint: minter, `q`
 * options, facets, sort options, cursor pagination (on the recid field, unique per record), the
 * permission policy with its search filter and create hook, serializer aliases. `service` entries are
 * applied last and win.
 *
 * @example
 * new RecordsService({ store, search, baseUrl, endpoints: { recid: toServiceEndpoint(endpoint) } });
 */
export function toServiceEndpoint(endpoint: ResolvedEndpoint, options: ServiceEndpointOptions = {}): ServiceEndpointConfig {
  const policy =
    endpoint.permissions === 'open'
      ? openPolicy()
      : referencePolicy({ ownerField: endpoint.ownerField, accessField: endpoint.accessField, curatorRole: endpoint.curatorRole });
  const sortOptions: Record<string, SortOption> = {};
  for (const [key, option] of Object.entries(endpoint.sortOptions)) {
    const sortOption: SortOption = { title: option.title, fields: option.fields };
    if (option.defaultOrder) sortOption.defaultOrder = option.defaultOrder;
    if (option.order !== undefined) sortOption.order = option.order;
    sortOptions[key] = sortOption;
  }
  const recid = endpoint.pidMinter === 'recid';
  const indexOnly = indexOnlyFields(endpoint);
  const config: ServiceEndpointConfig = {
    pidType: endpoint.pidType,
    pidMinter: recid ? recidMinter({ field: endpoint.pidField }) : 'uuid',
    listRoute: endpoint.listRoute,
    itemRoute: endpoint.itemRoute,
    searchIndex: endpoint.searchIndex,
    mapping: endpoint.mapping as IndexMapping,
    defaultMediaType: endpoint.defaultMediaType,
    recordSerializersAliases: endpoint.recordSerializersAliases,
    searchSerializersAliases: endpoint.searchSerializersAliases,
    exportSerializersAliases: endpoint.exportSerializersAliases,
    defaultResultsSize: endpoint.defaultResultsSize,
    maxResultWindow: endpoint.maxResultWindow,
    maxResultsSize: endpoint.maxResultsSize,
    query: {
      ...(endpoint.queryFields ? { defaultFields: endpoint.queryFields } : {}),
      ...(endpoint.queryDefaultOperator ? { defaultOperator: endpoint.queryDefaultOperator } : {}),
    },
    facets: endpoint.facets,
    sort: { options: sortOptions, default: endpoint.defaultSort },
    ...(recid ? { cursor: { tiebreaker: endpoint.pidField, ...(options.cursorSecret ? { secret: options.cursorSecret } : {}) } } : {}),
    strictParameters: endpoint.strictParameters,
    permissions: policy.permissions,
    suggesters: endpoint.suggesters,
    ...(indexOnly.length > 0 ? { searchFactory: withoutIndexOnlyFields(indexOnly) } : {}),
    useOptionsView: endpoint.useOptionsView,
    requireIfMatch: endpoint.requireIfMatch,
    ...(endpoint.schema ? { schema: endpoint.schema } : {}),
    ...(endpoint.csvColumns ? { csvColumns: endpoint.csvColumns } : {}),
    ...(policy.searchFilter ? { searchFilter: policy.searchFilter } : {}),
    ...(policy.hooks ? { recordClass: policy.hooks } : {}),
  };
  return { ...config, ...endpoint.service };
}

/**
 * Fields that exist in the index only: the completion inputs of the suggesters, which `indexDocument`
 * builds from the record (e.g. `suggest_title` from `title`). They are not record metadata, so a search
 * hit must not show them (its metadata is what `GET <item>` answers). See decision 130.
 *
 * @example
 * indexOnlyFields(endpoint); // ['suggest_title']
 */
export function indexOnlyFields(endpoint: Pick<ResolvedEndpoint, 'suggesters'>): string[] {
  return [...new Set(Object.values(endpoint.suggesters).map((suggester) => suggester.completion.field))].sort();
}

/**
 * The default search factory with `_source.excludes` for the index-only fields: every engine
 * (Elasticsearch, OpenSearch, the embedded SQLite engine) then leaves them out of the hits.
 */
function withoutIndexOnlyFields(fields: string[]): SearchFactory {
  return async (context) => {
    const built = await context.defaultFactory(context);
    return { ...built, request: excludeSource(built.request, fields) };
  };
}

function excludeSource(request: SearchRequest, fields: string[]): SearchRequest {
  const source = request._source;
  if (source === false) return request;
  if (source === undefined || source === true) return { ...request, _source: { excludes: fields } };
  if (typeof source === 'string' || Array.isArray(source)) return { ...request, _source: { includes: [source].flat(), excludes: fields } };
  return { ...request, _source: { ...source, excludes: [...(source.excludes ?? []), ...fields] } };
}
