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
    mapping: sortedKeys(endpoint.mapping) as IndexMapping,
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

/**
 * The mapping with its object keys in sorted order (property order means nothing to Elasticsearch).
 * Workaround: @recordkit/sqlite's engine stores a key-sorted copy of the mapping and, on reopening the
 * database, rebuilds its field table from that copy; a mapping written in another order then reads the
 * wrong columns after a restart (facets, filters and sorts on garbage). Creating the index from the
 * sorted mapping makes both orders agree. Remove once the engine keeps the order stable.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sortedKeys(object[key])]),
  );
}
