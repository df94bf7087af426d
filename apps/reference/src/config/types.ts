import type { FacetsConfig, SortField } from '@recordkit/facets-sort';
import type { EndpointConfig as ServiceEndpointConfig, SuggesterConfig } from '@recordkit/records-service';

// The configuration of the reference server. Everything is optional: `defineConfig({})` is the default
// server (Invenio's default endpoint with the demo schema, on the embedded SQLite store). Keys are
// camelCase counterparts of Invenio's (`RECORDS_REST_ENDPOINTS`, `RECORDS_REST_SORT_OPTIONS`, ...).

/** A JSON value, as found in schemas, mappings and aggregation definitions. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * One sort option, as `RECORDS_REST_SORT_OPTIONS[index][key]` (applied by @recordkit/facets-sort).
 * `fields` are `'field'` (ascending), `'-field'` (descending) or `'_score'` (best match first), or a
 * sort clause or function as facets-sort accepts them.
 */
export interface SortOptionConfig {
  /** Shown by the options route. */
  title: string;
  fields: SortField[];
  /** The direction a UI offers first (metadata only, shown by the options route). */
  defaultOrder?: 'asc' | 'desc';
  /** Position in the options route's list. */
  order?: number;
}

/**
 * One REST endpoint, in the spirit of an entry of Invenio's `RECORDS_REST_ENDPOINTS`. The keys are those
 * of `@recordkit/records-service`'s `EndpointConfig` where they exist (`pidType`, `listRoute`, `searchIndex`,
 * ...), plus what the reference server turns into a search factory (`facets`, `sortOptions`,
 * `defaultSort`, `queryFields`) and the permission policy. Anything else the service accepts (hooks,
 * serializers, links) goes in `service`.
 */
export interface EndpointConfig {
  /** PID type (`recid`). */
  pidType: string;
  /** How PIDs are minted: `recid` (sequential integers, Invenio's legacy default) or `uuid` (the record id). */
  pidMinter?: 'recid' | 'uuid';
  /** Metadata field that holds the recid (Invenio's `PIDSTORE_RECID_FIELD`, default `control_number`). */
  pidField?: string;
  /** List route, with the trailing slash (`/records/`). */
  listRoute: string;
  /** Item route with a `:pid` placeholder (`/records/:pid`). */
  itemRoute: string;
  /** Index (or alias) name (default: the endpoint name). */
  searchIndex?: string;
  /** JSON Schema the metadata must validate against (draft-07 or 2020-12). */
  schema?: JsonObject;
  /** Elasticsearch mapping of the index; drives the embedded engine too. */
  mapping: JsonObject;
  /** Default media type (Invenio's `default_media_type`, `application/json`). */
  defaultMediaType?: string;
  /** `?format=` aliases of item responses (Invenio's `record_serializers_aliases`). */
  recordSerializersAliases?: Record<string, string>;
  /** `?format=` aliases of search responses (Invenio's `search_serializers_aliases`). */
  searchSerializersAliases?: Record<string, string>;
  /** `?format=` aliases of the export route (default `ndjson` and `csv`). */
  exportSerializersAliases?: Record<string, string>;
  /** Default page size (`RECORDS_REST_DEFAULT_RESULTS_SIZE`, 10). */
  defaultResultsSize?: number;
  /** Largest `page * size` allowed (Invenio's `max_result_window`, 10000). */
  maxResultWindow?: number;
  /** Largest `size` (default 1000; Invenio has none). */
  maxResultsSize?: number;
  /** Index fields `q` searches when it names none, with optional boosts (`title^2`). */
  queryFields?: string[];
  /** `AND` or `OR` (default, as Elasticsearch) between the terms of `q`. */
  queryDefaultOperator?: 'AND' | 'OR';
  /** Sort options by key. */
  sortOptions?: Record<string, SortOptionConfig>;
  /** Default sort with and without `q` (`RECORDS_REST_DEFAULT_SORT`); a `-` prefix reverses. */
  defaultSort?: { query?: string; noquery?: string };
  /** Facets, as `RECORDS_REST_FACETS[index]` (aggs, filters, post filters; see @recordkit/facets-sort). */
  facets?: FacetsConfig;
  /** Completion suggesters by URL parameter name (`/records/_suggest?title=cor`). */
  suggesters?: Record<string, SuggesterConfig>;
  /** Serve `<listRoute>_options` (Invenio's `use_options_view`, default true). */
  useOptionsView?: boolean;
  /** Answer 428 to PUT, PATCH and DELETE without If-Match (RFC 6585 §3). Default false, as Invenio. */
  requireIfMatch?: boolean;
  /** Reject unknown query parameters with a 400 naming them (default false: ignored, as Invenio). */
  strictParameters?: boolean;
  /** CSV export columns, as flattened keys (`id`, `metadata_title`, `metadata_creators_0_name`). */
  csvColumns?: string[];
  /** `reference` (default): see the README; `open`: everyone may do everything (local experiments only). */
  permissions?: 'reference' | 'open';
  /** Metadata field naming the owner, for the reference policy (default `owner`). */
  ownerField?: string;
  /** Metadata field holding `public` or `restricted`, for the reference policy (default `access`). */
  accessField?: string;
  /** Role that may create, update and delete, and read everything (default `curator`). */
  curatorRole?: string;
  /** Anything else `@recordkit/records-service` accepts for an endpoint (record hooks, serializers, links...); applied last. */
  service?: Partial<ServiceEndpointConfig>;
}

/** Listening and connection handling. */
export interface ServerConfig {
  /** Port (default 5000; env `PORT` wins). 0 picks a free port. */
  port?: number;
  /** Interface (default 127.0.0.1; env `HOST` wins). */
  host?: string;
  /** Absolute base URL used in links and Location (default: from the request's Host). */
  baseUrl?: string;
  /** Largest request body in bytes (default 10 MiB; larger is 413). */
  bodyLimit?: number;
  /** Time to receive the request headers, ms (default 10000; node's `headersTimeout`). */
  headersTimeout?: number;
  /** Time to receive the whole request, ms (default 30000; node's `requestTimeout`). */
  requestTimeout?: number;
  /** Idle keep-alive time, ms (default 5000). */
  keepAliveTimeout?: number;
  /** On SIGTERM, how long in-flight requests may take before connections are cut, ms (default 10000). */
  shutdownTimeout?: number;
  /** Trust `X-Forwarded-For` for the client address (rate limiting, logs). Default false. */
  trustProxy?: boolean;
  /** Key that signs search cursors (env `RECORDKIT_CURSOR_SECRET`); set it when several processes serve the API. Default: random per process. */
  cursorSecret?: string;
}

/** Where records and the index live. Environment variables win over these. */
export interface StorageConfig {
  /** Directory of the embedded SQLite file and the development token (env `RECORDKIT_DATA_DIR`, default `./.data`). */
  dataDir?: string;
  /** PostgreSQL connection string (env `DATABASE_URL`); the record store moves to PostgreSQL. */
  databaseUrl?: string;
  /** Elasticsearch or OpenSearch URL (env `ELASTICSEARCH_URL`); search moves there. */
  elasticsearchUrl?: string;
  /** PostgreSQL schema holding the tables (env `RECORDKIT_DATABASE_SCHEMA`, default `recordkit`). */
  databaseSchema?: string;
  /** Prefix of index names on Elasticsearch (env `RECORDKIT_INDEX_PREFIX`, default none). */
  indexPrefix?: string;
}

/** A bearer token mapped to a user and roles. */
export interface TokenConfig {
  token: string;
  user: string;
  roles?: string[];
}

/** Who is calling. */
export interface IdentityConfig {
  /** Tokens; env `RECORDKIT_TOKENS=<token>:<user>:<role>+<role>,...` adds to them. */
  tokens?: TokenConfig[];
  /**
   * On the embedded default with no token configured, create a development token for user `admin`
   * with role `curator` on first start, store it in the data directory and print it once (default true).
   */
  devToken?: boolean;
}

/** A rate limit: `limit` requests per `windowSeconds`. */
export interface RateLimitRule {
  /** Policy name in the `RateLimit` and `RateLimit-Policy` headers (`minute`, `hour`). */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Rate limiting (rate-limiter-flexible). Defaults are Invenio's `RATELIMIT_GUEST_USER` and `RATELIMIT_AUTHENTICATED_USER`. */
export interface RateLimitConfig {
  /** Per client address (default 60 per minute and 1000 per hour). */
  guest?: RateLimitRule[];
  /** Per user (default 100 per minute and 5000 per hour). */
  authenticated?: RateLimitRule[];
  /** Redis for state shared by several server processes (env `REDIS_URL`); memory otherwise. */
  redisUrl?: string;
  /** Prefix of the counters' keys, so several deployments can share one Redis (default `recordkit-rl`). */
  keyPrefix?: string;
}

/** Cross-origin resource sharing. */
export interface CorsConfig {
  /** Allowed origins: `'*'` (default, as Invenio's `CORS_SEND_WILDCARD`) or a list. */
  origins?: '*' | string[];
  /** Allow credentials (only with a list of origins). */
  credentials?: boolean;
  /** Preflight cache time, seconds (default 600). */
  maxAge?: number;
}

/** How errors are rendered. */
export interface ErrorsConfig {
  /** `invenio` (default; RFC 9457 when the client prefers `application/problem+json`) or `problem` (always RFC 9457). */
  format?: 'invenio' | 'problem';
}

/** Structured logs on stdout. */
export interface LoggingConfig {
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The whole configuration, as written in a `recordkit.config.ts` file. */
export interface ReferenceConfig {
  /** Endpoints by name (default: `{ recid: ... }`, Invenio's default endpoint). */
  endpoints?: Record<string, EndpointConfig>;
  server?: ServerConfig;
  storage?: StorageConfig;
  identity?: IdentityConfig;
  /** `false` disables CORS headers. */
  cors?: CorsConfig | false;
  /** `false` disables rate limiting. */
  rateLimit?: RateLimitConfig | false;
  errors?: ErrorsConfig;
  logging?: LoggingConfig;
  /** OpenAPI document metadata. */
  openapi?: { title?: string; version?: string; description?: string };
}

/** An endpoint after validation, with every default of the reference server filled in. */
export type ResolvedEndpoint = Required<
  Omit<EndpointConfig, 'schema' | 'csvColumns' | 'queryFields' | 'queryDefaultOperator' | 'service' | 'facets'>
> & {
  name: string;
  schema?: JsonObject;
  csvColumns?: string[];
  queryFields?: string[];
  queryDefaultOperator?: 'AND' | 'OR';
  facets: FacetsConfig;
  service: Partial<ServiceEndpointConfig>;
};

/** The configuration after validation, defaults and environment. */
export interface ResolvedConfig {
  endpoints: ResolvedEndpoint[];
  server: Required<Omit<ServerConfig, 'baseUrl' | 'cursorSecret'>> & { baseUrl?: string; cursorSecret?: string };
  storage: { dataDir: string; databaseUrl?: string; elasticsearchUrl?: string; databaseSchema: string; indexPrefix: string };
  identity: { tokens: TokenConfig[]; devToken: boolean };
  cors: Required<CorsConfig> | false;
  rateLimit: (Required<Omit<RateLimitConfig, 'redisUrl'>> & { redisUrl?: string }) | false;
  errors: Required<ErrorsConfig>;
  logging: Required<LoggingConfig>;
  openapi: { title: string; version: string; description: string };
}
