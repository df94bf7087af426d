import { createFacets, createSorter, type Facets, type FacetsConfig, type SortConfig, type Sorter } from '@recordkit/facets-sort';
import { type CursorOptions, createQueryBuilder, type QueryBuilder, type QueryOptions } from '@recordkit/query-builder';
import type { LinksFactory } from './links.js';
import { defaultLinksFactory } from './links.js';
import { type Action, DEFAULT_PERMISSIONS, type Identity, type Permission, type SearchFilter } from './permissions.js';
import { type Fetcher, fieldFetcher, type Minter, recidMinter, uuidFetcher, uuidMinter } from './pids.js';
import type { IndexMapping, JsonObject, JsonValue, PIDRef, SearchRequest, StoredRecord } from './ports.js';
import { checkListRoute, compileItemRoute, type ItemRoute } from './routes.js';
import {
  csvExportSerializer,
  type ExportSerializer,
  jsonRecordSerializer,
  jsonSearchSerializer,
  ndjsonExportSerializer,
  type RecordSerializer,
  type SearchSerializer,
} from './serializers.js';

/** Hooks around writes: Invenio's custom `record_class`. A `before*` hook may return replacement metadata. */
export interface RecordHooks {
  beforeCreate?(context: {
    endpoint: string;
    identity: Identity | null | undefined;
    metadata: JsonObject;
  }): JsonObject | undefined | Promise<JsonObject | undefined>;
  afterCreate?(context: {
    endpoint: string;
    identity: Identity | null | undefined;
    record: StoredRecord;
    pid: PIDRef;
  }): void | Promise<void>;
  beforeUpdate?(context: {
    endpoint: string;
    identity: Identity | null | undefined;
    record: StoredRecord;
    metadata: JsonObject;
  }): JsonObject | undefined | Promise<JsonObject | undefined>;
  afterUpdate?(context: {
    endpoint: string;
    identity: Identity | null | undefined;
    record: StoredRecord;
    pid: PIDRef;
  }): void | Promise<void>;
  beforeDelete?(context: { endpoint: string; identity: Identity | null | undefined; record: StoredRecord }): void | Promise<void>;
  afterDelete?(context: {
    endpoint: string;
    identity: Identity | null | undefined;
    record: StoredRecord;
    pid: PIDRef;
  }): void | Promise<void>;
}

/** What a search factory gets: the request's query parameters and the endpoint. */
export interface SearchFactoryContext {
  endpoint: string;
  identity: Identity | null | undefined;
  params: URLSearchParams;
  /** The absolute URL of the list route, the base of the links. */
  listUrl: string;
  /** The endpoint's configuration. */
  config: ResolvedEndpoint;
  /** The built-in factory, to extend rather than replace. */
  defaultFactory: SearchFactory;
}

/** A search request and how to build the links of its page. */
export interface BuiltSearch {
  /** The engine request, without the permission filter (the service adds it). */
  request: SearchRequest;
  /** The `self`/`prev`/`next` (...) links of the page, once the total (and the last hit's sort) is known. */
  links: (result: { total: number; lastSort?: JsonValue[] }) => Record<string, string>;
}

/** Turns request parameters into a search (Invenio's `search_factory_imp`). */
export type SearchFactory = (context: SearchFactoryContext) => BuiltSearch | Promise<BuiltSearch>;

/** One completion suggester (Invenio's `suggesters` entry). */
export interface SuggesterConfig {
  /** The `completion` field in the mapping. */
  completion: {
    field: string;
    size?: number;
    skip_duplicates?: boolean;
    /** Context name -> query parameter holding its value (required when configured). */
    contexts?: Record<string, string>;
    fuzzy?: JsonObject | boolean;
  };
}

/**
 * One endpoint, the camelCase counterpart of an Invenio `RECORDS_REST_ENDPOINTS` entry. Required:
 * `pidType`, `listRoute`, `itemRoute`. See the README for every key and its Invenio name.
 */
export interface EndpointConfig {
  pidType: string;
  /** `'recid'` (default), `'uuid'` or a {@link Minter}. */
  pidMinter?: 'recid' | 'uuid' | Minter;
  /** Default: the one matching the minter. */
  pidFetcher?: 'recid' | 'uuid' | Fetcher;
  listRoute: string;
  itemRoute: string;
  recordClass?: RecordHooks;
  /** JSON Schema (object) or the URI of a schema registered with the service; validates every write. */
  schema?: JsonObject | string;
  /** Accept a `$schema` URI in the record body and validate against it (registered schemas only). Default true. */
  allowRecordSchema?: boolean;
  recordSerializers?: Record<string, RecordSerializer>;
  recordSerializersAliases?: Record<string, string>;
  searchSerializers?: Record<string, SearchSerializer>;
  searchSerializersAliases?: Record<string, string>;
  /** Media type -> export serializer; default NDJSON and CSV. Empty object disables export. */
  exportSerializers?: Record<string, ExportSerializer>;
  exportSerializersAliases?: Record<string, string>;
  defaultMediaType?: string;
  /** Index (logical name) of this endpoint's records. Default: the endpoint name. */
  searchIndex?: string;
  /** Elasticsearch mapping used by `service.setup()` to create the index. */
  mapping?: IndexMapping;
  /** False: records of this endpoint are not indexed (Invenio's `indexer_class=None`). */
  indexer?: boolean;
  /** The document indexed for a record. Default: metadata plus `_created` and `_updated`. */
  indexDocument?: (record: StoredRecord, pid: PIDRef) => JsonObject;
  /** Replace or extend how a request becomes a search (gets `defaultFactory`, the query-builder one). */
  searchFactory?: SearchFactory;
  /** How `q` becomes a query (`@recordkit/query-builder` `QueryOptions`: default operator, field allow-list, ...). */
  query?: QueryOptions;
  /** Facet filters and aggregations (`@recordkit/facets-sort`; Invenio's `RECORDS_REST_FACETS` entry). */
  facets?: FacetsConfig;
  /** Sort options and defaults (`@recordkit/facets-sort`; `RECORDS_REST_SORT_OPTIONS` / `_DEFAULT_SORT`). */
  sort?: SortConfig;
  /** Signed `search_after` cursors past the result window (`@recordkit/query-builder`). */
  cursor?: CursorOptions;
  /** 400 for query parameters the search does not read. Default false (Invenio ignores them). */
  strictParameters?: boolean;
  /** Largest `from + size` allowed (default 10000). */
  maxResultWindow?: number;
  /** Default page size (Invenio's `RECORDS_REST_DEFAULT_RESULTS_SIZE`, 10). */
  defaultResultsSize?: number;
  /** Largest page size (default 1000; Invenio has none). */
  maxResultsSize?: number;
  linksFactory?: LinksFactory;
  /** Per action; unset actions use Invenio's defaults (list/read allow, writes deny). */
  permissions?: Partial<Record<Action, Permission>>;
  searchFilter?: SearchFilter;
  suggesters?: Record<string, SuggesterConfig>;
  /** Default true: serve `<listRoute>_options`. */
  useOptionsView?: boolean;
  /** This endpoint builds the URLs (links, Location, redirects) of its PID type. */
  defaultEndpointPrefix?: boolean;
  /** RFC 6585 428 for PUT/PATCH/DELETE without If-Match. Default false. */
  requireIfMatch?: boolean;
  /** CSV export columns (flattened keys); default: inferred from the first records. */
  csvColumns?: string[];
}

/** An endpoint after validation, with defaults applied. */
export interface ResolvedEndpoint {
  name: string;
  pidType: string;
  minter: Minter;
  fetcher: Fetcher;
  listRoute: string;
  itemRoute: ItemRoute;
  hooks: RecordHooks;
  schema: JsonObject | string | undefined;
  allowRecordSchema: boolean;
  recordSerializers: Record<string, RecordSerializer>;
  recordSerializersAliases: Record<string, string>;
  searchSerializers: Record<string, SearchSerializer>;
  searchSerializersAliases: Record<string, string>;
  exportSerializers: Record<string, ExportSerializer>;
  exportSerializersAliases: Record<string, string>;
  defaultMediaType: string;
  searchIndex: string;
  mapping: IndexMapping | undefined;
  indexer: boolean;
  indexDocument: (record: StoredRecord, pid: PIDRef) => JsonObject;
  searchFactory: SearchFactory | undefined;
  queryBuilder: QueryBuilder;
  facets: Facets | undefined;
  sorter: Sorter | undefined;
  maxResultWindow: number;
  defaultResultsSize: number;
  maxResultsSize: number;
  linksFactory: LinksFactory;
  permissions: Record<Action, Permission>;
  searchFilter: SearchFilter | undefined;
  suggesters: Record<string, SuggesterConfig>;
  useOptionsView: boolean;
  defaultEndpointPrefix: boolean;
  requireIfMatch: boolean;
}

const KNOWN_KEYS = new Set<string>([
  'pidType',
  'pidMinter',
  'pidFetcher',
  'listRoute',
  'itemRoute',
  'recordClass',
  'schema',
  'allowRecordSchema',
  'recordSerializers',
  'recordSerializersAliases',
  'searchSerializers',
  'searchSerializersAliases',
  'exportSerializers',
  'exportSerializersAliases',
  'defaultMediaType',
  'searchIndex',
  'mapping',
  'indexer',
  'indexDocument',
  'searchFactory',
  'maxResultWindow',
  'defaultResultsSize',
  'maxResultsSize',
  'linksFactory',
  'permissions',
  'searchFilter',
  'suggesters',
  'useOptionsView',
  'defaultEndpointPrefix',
  'requireIfMatch',
  'csvColumns',
  'query',
  'facets',
  'sort',
  'cursor',
  'strictParameters',
]);

/** Invenio's snake_case keys, so a config ported from Python gets a pointed message. */
const SNAKE_HINTS: Record<string, string> = {
  pid_type: 'pidType',
  pid_minter: 'pidMinter',
  pid_fetcher: 'pidFetcher',
  list_route: 'listRoute',
  item_route: 'itemRoute',
  record_class: 'recordClass',
  record_serializers: 'recordSerializers',
  search_serializers: 'searchSerializers',
  record_loaders: 'the HTTP resource (loaders are per media type there)',
  search_index: 'searchIndex',
  search_query_parser: 'query.parser',
  search_factory_imp: 'searchFactory',
  max_result_window: 'maxResultWindow',
  links_factory_imp: 'linksFactory',
  read_permission_factory_imp: 'permissions.read',
  create_permission_factory_imp: 'permissions.create',
  update_permission_factory_imp: 'permissions.update',
  delete_permission_factory_imp: 'permissions.delete',
  list_permission_factory_imp: 'permissions.list',
  use_options_view: 'useOptionsView',
  default_endpoint_prefix: 'defaultEndpointPrefix',
  default_media_type: 'defaultMediaType',
  error_handlers: 'errorHandlers of the HTTP resource',
};

const ACTIONS: readonly Action[] = ['list', 'read', 'create', 'update', 'delete'];

function fail(label: string, message: string): never {
  throw new TypeError(`${label}: ${message}`);
}

function positiveInteger(value: unknown, label: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1) fail(label, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

function functionsMap<T>(value: unknown, label: string, fallback: Record<string, T>): Record<string, T> {
  if (value === undefined) return fallback;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(label, 'must be an object (media type -> function)');
  for (const [key, fn] of Object.entries(value)) {
    if (typeof fn !== 'function') fail(`${label}["${key}"]`, 'must be a function');
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(key)) fail(`${label}["${key}"]`, 'is not a media type (type/subtype)');
  }
  return value as Record<string, T>;
}

function aliasesMap(value: unknown, label: string, mediaTypes: Record<string, unknown>): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(label, 'must be an object (alias -> media type)');
  for (const [alias, type] of Object.entries(value)) {
    if (typeof type !== 'string' || !Object.hasOwn(mediaTypes, type)) {
      fail(
        `${label}.${alias}`,
        `points at ${JSON.stringify(type)}, which has no serializer (${Object.keys(mediaTypes).join(', ') || 'none'})`,
      );
    }
  }
  return value as Record<string, string>;
}

/**
 * Default index document: the metadata plus `_created` and `_updated`, as invenio-indexer builds it.
 * @example
 * defaultIndexDocument(record); // { ...record.metadata, _created: record.created, _updated: record.updated }
 */
export function defaultIndexDocument(record: StoredRecord): JsonObject {
  return { ...record.metadata, _created: record.created, _updated: record.updated };
}

/**
 * Validate one endpoint's configuration and apply the defaults. Every problem is a `TypeError` naming
 * the key (`endpoints.recid.itemRoute: ...`).
 *
 * @example
 * resolveEndpoint('recid', { pidType: 'recid', listRoute: '/records/', itemRoute: '/records/:pid' });
 */
export function resolveEndpoint(name: string, config: EndpointConfig): ResolvedEndpoint {
  const label = `endpoints.${name}`;
  if (config === null || typeof config !== 'object') fail(label, 'must be an object');
  for (const key of Object.keys(config)) {
    if (KNOWN_KEYS.has(key)) continue;
    const hint = SNAKE_HINTS[key];
    fail(`${label}.${key}`, hint ? `unknown key; Invenio's ${key} is ${hint} here` : `unknown key (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  if (typeof config.pidType !== 'string' || config.pidType === '')
    fail(`${label}.pidType`, 'is required (a non-empty string, e.g. "recid")');
  const listRoute = checkListRoute(config.listRoute, `${label}.listRoute`);
  const itemRoute = compileItemRoute(config.itemRoute, `${label}.itemRoute`);

  let minter: Minter;
  let fetcher: Fetcher;
  const minterOption = config.pidMinter ?? 'recid';
  if (minterOption === 'recid') minter = recidMinter();
  else if (minterOption === 'uuid') minter = uuidMinter();
  else if (typeof minterOption === 'function') minter = minterOption;
  else fail(`${label}.pidMinter`, `must be 'recid', 'uuid' or a minter function, got ${JSON.stringify(minterOption)}`);
  const fetcherOption = config.pidFetcher;
  if (fetcherOption === undefined) {
    if (minter.field !== undefined) fetcher = fieldFetcher(config.pidType, minter.field);
    else if (minterOption === 'uuid') fetcher = uuidFetcher(config.pidType);
    else fail(`${label}.pidFetcher`, 'is required with a custom pidMinter that has no `field`');
  } else if (fetcherOption === 'recid') fetcher = fieldFetcher(config.pidType);
  else if (fetcherOption === 'uuid') fetcher = uuidFetcher(config.pidType);
  else if (typeof fetcherOption === 'function') fetcher = fetcherOption;
  else fail(`${label}.pidFetcher`, `must be 'recid', 'uuid' or a fetcher function, got ${JSON.stringify(fetcherOption)}`);

  const recordSerializers = functionsMap<RecordSerializer>(config.recordSerializers, `${label}.recordSerializers`, {
    'application/json': jsonRecordSerializer,
  });
  const searchSerializers = functionsMap<SearchSerializer>(config.searchSerializers, `${label}.searchSerializers`, {
    'application/json': jsonSearchSerializer,
  });
  const exportSerializers = functionsMap<ExportSerializer>(config.exportSerializers, `${label}.exportSerializers`, {
    'application/x-ndjson': ndjsonExportSerializer,
    'text/csv': csvExportSerializer(config.csvColumns ? { columns: config.csvColumns } : {}),
  });
  if (Object.keys(recordSerializers).length === 0) fail(`${label}.recordSerializers`, 'must register at least one media type');
  if (Object.keys(searchSerializers).length === 0) fail(`${label}.searchSerializers`, 'must register at least one media type');
  const defaultMediaType = config.defaultMediaType ?? 'application/json';
  if (typeof defaultMediaType !== 'string') fail(`${label}.defaultMediaType`, 'must be a media type string');
  for (const [key, map] of [
    ['recordSerializers', recordSerializers],
    ['searchSerializers', searchSerializers],
  ] as const) {
    if (Object.keys(map).length > 1 && !Object.hasOwn(map, defaultMediaType)) {
      fail(`${label}.defaultMediaType`, `"${defaultMediaType}" is not one of ${key} (${Object.keys(map).join(', ')})`);
    }
  }
  const exportAliasesDefault = config.exportSerializers === undefined ? { ndjson: 'application/x-ndjson', csv: 'text/csv' } : undefined;

  const permissions: Record<Action, Permission> = { ...DEFAULT_PERMISSIONS };
  if (config.permissions !== undefined) {
    if (config.permissions === null || typeof config.permissions !== 'object') fail(`${label}.permissions`, 'must be an object');
    for (const [action, permission] of Object.entries(config.permissions)) {
      if (!ACTIONS.includes(action as Action)) fail(`${label}.permissions.${action}`, `unknown action (known: ${ACTIONS.join(', ')})`);
      if (typeof permission !== 'function') fail(`${label}.permissions.${action}`, 'must be a function (context) => boolean');
      permissions[action as Action] = permission;
    }
  }

  const suggesters: Record<string, SuggesterConfig> = {};
  for (const [key, suggester] of Object.entries(config.suggesters ?? {})) {
    if (typeof suggester?.completion?.field !== 'string')
      fail(`${label}.suggesters.${key}.completion.field`, 'is required (a completion field)');
    for (const [context, param] of Object.entries(suggester.completion.contexts ?? {})) {
      if (typeof param !== 'string' || param === '')
        fail(`${label}.suggesters.${key}.completion.contexts.${context}`, 'must name a query parameter');
    }
    suggesters[key] = suggester;
  }

  const build = <T>(key: string, make: () => T): T => {
    try {
      return make();
    } catch (error) {
      if (error instanceof TypeError && !error.message.startsWith(label)) fail(`${label}.${key}`, error.message);
      throw error;
    }
  };
  const facets = config.facets === undefined ? undefined : build('facets', () => createFacets(config.facets));
  const sorter = config.sort === undefined ? undefined : build('sort', () => createSorter(config.sort));
  const maxResultWindow = positiveInteger(config.maxResultWindow, `${label}.maxResultWindow`, 10_000);
  const defaultResultsSize = positiveInteger(config.defaultResultsSize, `${label}.defaultResultsSize`, 10);
  const maxResultsSize = positiveInteger(config.maxResultsSize, `${label}.maxResultsSize`, 1000);
  const queryBuilder = build('query', () =>
    createQueryBuilder({
      maxResultWindow,
      defaultSize: defaultResultsSize,
      maxSize: maxResultsSize,
      ...(config.query ? { query: config.query } : {}),
      ...(facets ? { facets } : {}),
      ...(sorter ? { sort: sorter } : {}),
      ...(config.cursor ? { cursor: config.cursor } : {}),
      strict: config.strictParameters ?? false,
      extraParams: ['format', 'prettyprint'],
    }),
  );
  for (const [key, fn] of [
    ['searchFactory', config.searchFactory],
    ['indexDocument', config.indexDocument],
    ['linksFactory', config.linksFactory],
    ['searchFilter', config.searchFilter],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function') fail(`${label}.${key}`, 'must be a function');
  }
  if (config.schema !== undefined && typeof config.schema !== 'string' && (typeof config.schema !== 'object' || config.schema === null)) {
    fail(`${label}.schema`, 'must be a JSON Schema object or a registered schema URI');
  }
  const searchIndex = config.searchIndex ?? name;
  if (typeof searchIndex !== 'string' || searchIndex === '') fail(`${label}.searchIndex`, 'must be a non-empty string');

  return {
    name,
    pidType: config.pidType,
    minter,
    fetcher,
    listRoute,
    itemRoute,
    hooks: config.recordClass ?? {},
    schema: config.schema,
    allowRecordSchema: config.allowRecordSchema ?? true,
    recordSerializers,
    recordSerializersAliases: aliasesMap(config.recordSerializersAliases, `${label}.recordSerializersAliases`, recordSerializers),
    searchSerializers,
    searchSerializersAliases: aliasesMap(config.searchSerializersAliases, `${label}.searchSerializersAliases`, searchSerializers),
    exportSerializers,
    exportSerializersAliases: aliasesMap(
      config.exportSerializersAliases ?? exportAliasesDefault,
      `${label}.exportSerializersAliases`,
      exportSerializers,
    ),
    defaultMediaType,
    searchIndex,
    mapping: config.mapping,
    indexer: config.indexer ?? true,
    indexDocument: config.indexDocument ?? defaultIndexDocument,
    searchFactory: config.searchFactory,
    queryBuilder,
    facets,
    sorter,
    maxResultWindow,
    defaultResultsSize,
    maxResultsSize,
    linksFactory: config.linksFactory ?? defaultLinksFactory,
    permissions,
    searchFilter: config.searchFilter,
    suggesters,
    useOptionsView: config.useOptionsView ?? true,
    defaultEndpointPrefix: config.defaultEndpointPrefix ?? false,
    requireIfMatch: config.requireIfMatch ?? false,
  };
}

/**
 * Invenio's `build_default_endpoint_prefixes`: for each PID type, the endpoint that builds its URLs.
 * `defaultEndpointPrefix: true` wins; otherwise the endpoint named like the PID type; otherwise the only
 * endpoint serving it. Two defaults, or several candidates and none named like the type, throw.
 *
 * @example
 * defaultEndpoints([a, b]); // Map { 'recid' => 'recid' }
 */
export function defaultEndpoints(endpoints: readonly ResolvedEndpoint[]): Map<string, string> {
  const byType = new Map<string, ResolvedEndpoint[]>();
  for (const endpoint of endpoints) byType.set(endpoint.pidType, [...(byType.get(endpoint.pidType) ?? []), endpoint]);
  const out = new Map<string, string>();
  for (const [type, candidates] of byType) {
    const flagged = candidates.filter((c) => c.defaultEndpointPrefix);
    if (flagged.length > 1) {
      throw new TypeError(
        `endpoints: more than one "${type}" endpoint has defaultEndpointPrefix: ${flagged.map((c) => c.name).join(', ')}`,
      );
    }
    const chosen = flagged[0] ?? candidates.find((c) => c.name === type) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!chosen) {
      throw new TypeError(
        `endpoints: several endpoints serve PID type "${type}" (${candidates.map((c) => c.name).join(', ')}); set defaultEndpointPrefix on one`,
      );
    }
    out.set(type, chosen.name);
  }
  return out;
}
