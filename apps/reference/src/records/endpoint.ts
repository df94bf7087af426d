import type { SortOption } from '@recordkit/facets-sort';
import { type IndexMapping, recidMinter, type EndpointConfig as ServiceEndpointConfig } from '@recordkit/records-service';
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
    useOptionsView: endpoint.useOptionsView,
    requireIfMatch: endpoint.requireIfMatch,
    ...(endpoint.schema ? { schema: endpoint.schema } : {}),
    ...(endpoint.csvColumns ? { csvColumns: endpoint.csvColumns } : {}),
    ...(policy.searchFilter ? { searchFilter: policy.searchFilter } : {}),
    ...(policy.hooks ? { recordClass: policy.hooks } : {}),
  };
  return { ...config, ...endpoint.service };
}
