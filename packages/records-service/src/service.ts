import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  FieldError,
  InternalServerError,
  isRestError,
  NotFoundError,
  PIDDeletedError,
  PIDDoesNotExistError,
  PIDRedirectedError,
  PIDUnregisteredError,
  ServiceUnavailableError,
  ValidationError,
} from '@recordkit/rest-errors';
import {
  type BuiltSearch,
  defaultEndpoints,
  type EndpointConfig,
  type ResolvedEndpoint,
  resolveEndpoint,
  type SearchFactory,
} from './config.js';
import type { Action, Identity, PermissionContext } from './permissions.js';
import { requirePermission } from './permissions.js';
import { type ResolvedPID, resolvePID } from './pids.js';
import type {
  BulkOperation,
  IndexIntent,
  JsonObject,
  JsonValue,
  PID,
  PIDRef,
  RecordStore,
  SearchEngine,
  SearchHit,
  SearchRequest,
  StoredRecord,
} from './ports.js';
import { queryBuilderSearchFactory, withFilter } from './search.js';
import type { RecordView, SearchView } from './serializers.js';
import { SchemaValidator } from './validation.js';

/** Options of {@link RecordsService}. */
export interface RecordsServiceOptions {
  store: RecordStore;
  /** The search engine; without one, search, suggest and export answer 503 and nothing is indexed. */
  search?: SearchEngine;
  /** Absolute base URL that links, `Location` and redirects are built on, e.g. `https://example.org/api`. */
  baseUrl: string;
  /** Endpoint name -> configuration (Invenio's `RECORDS_REST_ENDPOINTS`). */
  endpoints: Readonly<Record<string, EndpointConfig>>;
  /** JSON Schemas by URI, for `schema: '<uri>'` and records' `$schema`. */
  schemas?: Readonly<Record<string, JsonObject>>;
  /** Called when applying the index outbox fails (the write itself succeeded; the entry stays queued). */
  onIndexError?: (error: unknown) => void;
}

/** One outbox entry the search engine refused, as reported to `onIndexError`. */
export interface RefusedIndexEntry {
  index: string;
  /** Record id (the document id). */
  id: string;
  version: number;
  /** The engine's per-item status (e.g. 400 for a document the mapping refuses, 404 for a missing index). */
  status: number;
  reason: string;
}

/**
 * Given to `onIndexError` when the search engine refused some outbox entries while applying the
 * queue. The entries stay queued and are retried on the next run; `entries` says which and why.
 *
 * @example
 * new RecordsService({ ..., onIndexError: (e) => { if (e instanceof IndexRefusedError) log.warn(e.entries) } });
 */
export class IndexRefusedError extends Error {
  readonly entries: readonly RefusedIndexEntry[];
  constructor(entries: readonly RefusedIndexEntry[]) {
    const shown = entries
      .slice(0, 5)
      .map((e) => `${e.index}/${e.id}@${e.version}: ${e.status} ${e.reason}`)
      .join('; ');
    super(
      `The search engine refused ${entries.length} index entr${entries.length === 1 ? 'y' : 'ies'} (kept in the outbox): ${shown}${entries.length > 5 ? '; ...' : ''}`,
    );
    this.name = 'IndexRefusedError';
    this.entries = entries;
  }
}

/** The caller of an action. */
export interface ActionContext {
  /** Endpoint name. */
  endpoint: string;
  identity: Identity | null | undefined;
}

/**
 * Checks run once the record is resolved and the caller may act on it, before anything is validated or
 * written: the HTTP resource evaluates `If-Match` & co. here (304/412/428).
 */
export type PreconditionCheck = (current: RecordResult) => void | Promise<void>;

/** A record with its PID and links, as the actions return it. */
export interface RecordResult {
  endpoint: string;
  pid: PIDRef;
  record: StoredRecord;
  links: Record<string, string>;
  /** The serializer input. */
  view: RecordView;
}

/** The result of a search action. */
export interface SearchResult {
  endpoint: string;
  view: SearchView;
  built: BuiltSearch;
}

/** One completion entry of a suggest response, in Elasticsearch's shape. */
export type SuggestResponse = Record<string, { text: string; offset: number; length: number; options: JsonObject[] }[]>;

/** The PID value a create body is validated with before its PID is minted. */
const PID_PLACEHOLDER = '1';

const METADATA_INTERNAL = new Set(['_created', '_updated']);

function omitInternal(source: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) if (!METADATA_INTERNAL.has(key)) out[key] = value;
  return out;
}

function isStoredRecord(value: unknown): value is StoredRecord {
  return typeof value === 'object' && value !== null && typeof (value as StoredRecord).id === 'string' && 'metadata' in value;
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The records service: create, read, replace, patch, delete, search, suggest, options and export over a
 * {@link RecordStore} and a {@link SearchEngine}, with PIDs, permissions, JSON Schema validation, links
 * and indexing. No I/O of its own; the HTTP resource (`@recordkit/records-service/http`) drives it.
 *
 * Order inside each item action: resolve the PID (404/410/301), check the permission (401/403), run the
 * caller's preconditions (304/412/428), load and validate (400), write with the expected revision
 * (412 if someone else wrote first), index. A write on a deleted PID checks the permission against the
 * tombstone before answering 410.
 *
 * @example
 * const service = new RecordsService({
 *   store, search, baseUrl: 'https://example.org/api',
 *   endpoints: { recid: { pidType: 'recid', listRoute: '/records/', itemRoute: '/records/:pid', permissions: { create: authenticated } } },
 * });
 * const created = await service.create({ endpoint: 'recid', identity: user }, { title: 'A' });
 */
export class RecordsService {
  readonly store: RecordStore;
  readonly search: SearchEngine | undefined;
  readonly baseUrl: string;
  readonly validator: SchemaValidator;
  readonly #endpoints = new Map<string, ResolvedEndpoint>();
  readonly #defaults: Map<string, string>;
  readonly #onIndexError: (error: unknown) => void;
  #draining: Promise<void> | undefined;
  #drainAgain = false;

  constructor(options: RecordsServiceOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('RecordsService: options are required');
    if (!options.store) throw new TypeError('RecordsService: store is required');
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`RecordsService: baseUrl must be an absolute URL, got ${JSON.stringify(options.baseUrl)}`);
    }
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.store = options.store;
    this.search = options.search;
    this.#onIndexError = options.onIndexError ?? (() => {});
    this.validator = new SchemaValidator(options.schemas ? { schemas: options.schemas } : {});
    const entries = Object.entries(options.endpoints ?? {});
    if (entries.length === 0) throw new TypeError('RecordsService: endpoints must configure at least one endpoint');
    for (const [name, config] of entries) {
      const endpoint = resolveEndpoint(name, config);
      if (typeof endpoint.schema === 'string' && !this.validator.has(endpoint.schema)) {
        throw new TypeError(`endpoints.${name}.schema: "${endpoint.schema}" is not in schemas`);
      }
      if (typeof endpoint.schema === 'object') this.validator.compile(endpoint.schema, `endpoints.${name}.schema`);
      this.#endpoints.set(name, endpoint);
    }
    this.#defaults = defaultEndpoints([...this.#endpoints.values()]);
  }

  /** Every configured endpoint, validated and with defaults applied. */
  get endpoints(): ResolvedEndpoint[] {
    return [...this.#endpoints.values()];
  }

  /** One endpoint's resolved configuration. */
  endpoint(name: string): ResolvedEndpoint {
    const endpoint = this.#endpoints.get(name);
    if (!endpoint) throw new NotFoundError(`Unknown endpoint "${name}".`);
    return endpoint;
  }

  /** The absolute URL of a PID on its type's default endpoint (`undefined` when no endpoint serves the type). */
  itemUrl(pid: PIDRef): string | undefined {
    const name = this.#defaults.get(pid.type);
    if (!name) return undefined;
    return `${this.baseUrl}${this.endpoint(name).itemRoute.build(pid.value)}`;
  }

  /** The absolute URL of an endpoint's list route (search). */
  listUrl(endpoint: string): string {
    return `${this.baseUrl}${this.endpoint(endpoint).listRoute}`;
  }

  /** Create each endpoint's index from its mapping when it does not exist yet. */
  async setup(): Promise<void> {
    if (!this.search) return;
    for (const endpoint of this.#endpoints.values()) {
      if (!endpoint.indexer || !endpoint.mapping) continue;
      if (!(await this.search.indexExists(endpoint.searchIndex))) await this.search.createIndex(endpoint.searchIndex, endpoint.mapping);
    }
  }

  /**
   * Resolve a PID value of an endpoint: 404 unknown or unregistered, 410 deleted (tombstone on the
   * error), 301 redirected (Location = the target's URL), else the PID and record.
   */
  async resolve(endpointName: string, pidValue: string): Promise<ResolvedPID> {
    const endpoint = this.endpoint(endpointName);
    const ref = { type: endpoint.pidType, value: pidValue };
    const onRedirect = (_pid: PID, target: PIDRef): never => {
      const location = this.itemUrl(target);
      if (!location) throw new InternalServerError(new Error(`Invalid redirect - pid_type "${target.type}" endpoint missing.`));
      throw new PIDRedirectedError(endpoint.pidType, pidValue, location);
    };
    if (!this.store.getPIDWithRecord) return resolvePID(this.store, ref, onRedirect);
    // One store read instead of two (the PID, then its record); the same order of answers as resolvePID.
    const found = await this.store.getPIDWithRecord(ref);
    if (!found) throw new PIDDoesNotExistError(ref.type, ref.value);
    const { pid, record } = found;
    if (pid.status === 'new' || pid.status === 'reserved') throw new PIDUnregisteredError(ref.type, ref.value);
    if (pid.status === 'deleted') throw new PIDDeletedError(ref.type, ref.value, record);
    if (pid.status === 'redirected') {
      if (!pid.redirectTo) throw new InternalServerError(new Error(`PID ${ref.type}:${ref.value} is redirected without a target`));
      onRedirect(pid, pid.redirectTo);
    }
    if (!pid.recordId) throw new InternalServerError(new Error(`No object assigned to ${ref.type}:${ref.value}`));
    if (!record) throw new InternalServerError(new Error(`PID ${ref.type}:${ref.value} points at a missing record ${pid.recordId}`));
    if (record.deleted) throw new PIDDeletedError(ref.type, ref.value, record);
    return { pid, record };
  }

  /**
   * Resolve the PID of a write. On a deleted PID the write permission is checked against the tombstone
   * before the 410, so a caller who may not write learns 401/403, not that the record was deleted
   * (decision 041; Invenio answers 410 first).
   */
  async #resolveForWrite(
    endpoint: ResolvedEndpoint,
    action: 'update' | 'delete',
    identity: Identity | null | undefined,
    pidValue: string,
  ): Promise<ResolvedPID> {
    try {
      return await this.resolve(endpoint.name, pidValue);
    } catch (error) {
      const tombstone = isRestError(error) && error.status === 410 ? (error as { tombstone?: unknown }).tombstone : undefined;
      if (isStoredRecord(tombstone)) await this.#permit(endpoint, action, identity, tombstone);
      throw error;
    }
  }

  /** Build the result (links, serializer view) of a stored record. */
  result(endpointName: string, pid: PIDRef, record: StoredRecord): RecordResult {
    const endpoint = this.endpoint(endpointName);
    const itemUrl = this.itemUrl(pid) ?? `${this.baseUrl}${endpoint.itemRoute.build(pid.value)}`;
    const links = endpoint.linksFactory({ pid, record, endpoint: endpointName, itemUrl });
    return {
      endpoint: endpointName,
      pid,
      record,
      links,
      view: {
        id: pid.value,
        metadata: record.metadata,
        links,
        created: record.created,
        updated: record.updated,
        revision: record.revision,
      },
    };
  }

  async #permit(endpoint: ResolvedEndpoint, action: Action, identity: Identity | null | undefined, record?: PermissionContext['record']) {
    const context: PermissionContext = { identity, action, endpoint: endpoint.name };
    if (record !== undefined) context.record = record;
    await requirePermission(endpoint.permissions[action], context);
  }

  #validate(endpoint: ResolvedEndpoint, metadata: JsonObject): void {
    if (endpoint.schema !== undefined) this.validator.validate(metadata, endpoint.schema);
    const recordSchema = metadata.$schema;
    if (recordSchema === undefined) return;
    if (!endpoint.allowRecordSchema) {
      throw new ValidationError([new FieldError('$schema', 'This endpoint does not accept a $schema in the record.', 'not_allowed')]);
    }
    if (typeof recordSchema !== 'string') {
      // Invenio uses an inline dict as the schema; a client-supplied schema is a denial-of-service vector.
      throw new ValidationError([
        new FieldError('$schema', 'Must be the URI of a registered schema (inline schemas are not accepted).', 'type'),
      ]);
    }
    this.validator.validate(metadata, recordSchema);
  }

  /**
   * Validate a create body before the PID exists. A minter that writes its PID into the metadata
   * (`minter.field`) gets a placeholder value there, so schemas that require the field accept the body;
   * errors about that field alone are left to the validation after minting, which sees the real value.
   */
  #validateBeforeMinting(endpoint: ResolvedEndpoint, data: JsonObject): void {
    const field = endpoint.minter.field;
    if (field === undefined || Object.hasOwn(data, field)) {
      this.#validate(endpoint, data);
      return;
    }
    try {
      this.#validate(endpoint, { ...data, [field]: PID_PLACEHOLDER });
    } catch (error) {
      if (!isRestError(error) || error.code !== 'validation_error') throw error;
      const others = error.errors.filter((e) => e.field !== field && !e.field.startsWith(`${field}.`) && !e.field.startsWith(`${field}[`));
      if (others.length > 0) throw new ValidationError(others, error.message);
    }
  }

  #intent(endpoint: ResolvedEndpoint, record: StoredRecord, pid: PIDRef, deleted = false): IndexIntent | undefined {
    if (!endpoint.indexer || !this.search) return undefined;
    return { index: endpoint.searchIndex, document: deleted ? null : endpoint.indexDocument(record, pid) };
  }

  /** Keep the PID field server-managed on replace and patch. */
  #keepPIDField(endpoint: ResolvedEndpoint, current: StoredRecord, next: JsonObject, mode: 'replace' | 'patch'): JsonObject {
    const field = endpoint.minter.field;
    if (field === undefined) return next;
    const was = current.metadata[field];
    if (!Object.hasOwn(next, field)) {
      if (mode === 'patch' && was !== undefined) {
        throw new ValidationError([new FieldError(field, `${field} identifies the record and cannot be removed.`, 'read_only')]);
      }
      return was === undefined ? next : { ...next, [field]: was };
    }
    if (!sameJson(next[field], was)) {
      throw new ValidationError([new FieldError(field, `${field} identifies the record and cannot be changed.`, 'read_only')]);
    }
    return next;
  }

  /**
   * Create a record (POST on the list route): create permission with the body, record-class hook, schema
   * validation (a placeholder in the PID field), PID minted (a client-supplied PID field is a 400;
   * a refused body consumes no PID), write at revision 0 with its PIDs and index intent in one transaction.
   */
  async create(context: ActionContext, metadata: JsonObject): Promise<RecordResult> {
    const endpoint = this.endpoint(context.endpoint);
    await this.#permit(endpoint, 'create', context.identity, { metadata });
    let data = structuredClone(metadata);
    data = (await endpoint.hooks.beforeCreate?.({ endpoint: endpoint.name, identity: context.identity, metadata: data })) ?? data;
    const recordId = randomUUID();
    // Validate before minting, so a refused body consumes no PID (no gap in a recid sequence).
    this.#validateBeforeMinting(endpoint, data);
    const minted = await endpoint.minter({ recordId, metadata: data, pidType: endpoint.pidType, store: this.store });
    // Again with the real PID value (a schema may constrain it); a minter that returns the body as it is changed nothing.
    if (minted.metadata !== data) this.#validate(endpoint, minted.metadata);
    const now = new Date();
    const draft: StoredRecord = {
      id: recordId,
      metadata: minted.metadata,
      revision: 0,
      created: now.toISOString(),
      updated: now.toISOString(),
      deleted: false,
    };
    const input: Parameters<RecordStore['create']>[0] = { id: recordId, metadata: minted.metadata, pids: [minted.pid], now };
    const index = this.#intent(endpoint, draft, minted.pid);
    if (index) input.index = index;
    const record = await this.store.create(input);
    await this.#afterWrite();
    await endpoint.hooks.afterCreate?.({ endpoint: endpoint.name, identity: context.identity, record, pid: minted.pid });
    return this.result(endpoint.name, minted.pid, record);
  }

  /** Read a record (GET item): resolve, read permission, preconditions. */
  async read(context: ActionContext, pidValue: string, preconditions?: PreconditionCheck): Promise<RecordResult> {
    const endpoint = this.endpoint(context.endpoint);
    const { pid, record } = await this.resolve(endpoint.name, pidValue);
    await this.#permit(endpoint, 'read', context.identity, record);
    const result = this.result(endpoint.name, pid, record);
    await preconditions?.(result);
    return result;
  }

  async #update(
    context: ActionContext,
    pidValue: string,
    mode: 'replace' | 'patch',
    next: (current: StoredRecord) => JsonObject,
    preconditions?: PreconditionCheck,
  ): Promise<RecordResult> {
    const endpoint = this.endpoint(context.endpoint);
    const { pid, record: current } = await this.#resolveForWrite(endpoint, 'update', context.identity, pidValue);
    await this.#permit(endpoint, 'update', context.identity, current);
    await preconditions?.(this.result(endpoint.name, pid, current));
    let data = this.#keepPIDField(endpoint, current, next(current), mode);
    data =
      (await endpoint.hooks.beforeUpdate?.({ endpoint: endpoint.name, identity: context.identity, record: current, metadata: data })) ??
      data;
    this.#validate(endpoint, data);
    const now = new Date();
    const draft: StoredRecord = { ...current, metadata: data, revision: current.revision + 1, updated: now.toISOString() };
    const input: Parameters<RecordStore['update']>[0] = { id: current.id, expectedRevision: current.revision, metadata: data, now };
    const index = this.#intent(endpoint, draft, pid);
    if (index) input.index = index;
    const record = await this.store.update(input);
    await this.#afterWrite();
    await endpoint.hooks.afterUpdate?.({ endpoint: endpoint.name, identity: context.identity, record, pid });
    return this.result(endpoint.name, pid, record);
  }

  /** Replace a record's metadata (PUT): a full replacement; the PID field is kept (re-injected if left out). */
  async replace(context: ActionContext, pidValue: string, metadata: JsonObject, preconditions?: PreconditionCheck): Promise<RecordResult> {
    return this.#update(context, pidValue, 'replace', () => structuredClone(metadata), preconditions);
  }

  /**
   * Patch a record (PATCH): `patch` computes the new metadata from the current one (JSON Patch or Merge
   * Patch, see the loaders), after the preconditions.
   */
  async patch(
    context: ActionContext,
    pidValue: string,
    patch: (current: JsonObject) => JsonObject,
    preconditions?: PreconditionCheck,
  ): Promise<RecordResult> {
    return this.#update(context, pidValue, 'patch', (current) => patch(structuredClone(current.metadata)), preconditions);
  }

  /** Delete a record (DELETE): soft delete, PIDs to `deleted` (a `new` PID is removed), removed from the index. */
  async delete(context: ActionContext, pidValue: string, preconditions?: PreconditionCheck): Promise<RecordResult> {
    const endpoint = this.endpoint(context.endpoint);
    const { pid, record: current } = await this.#resolveForWrite(endpoint, 'delete', context.identity, pidValue);
    await this.#permit(endpoint, 'delete', context.identity, current);
    await preconditions?.(this.result(endpoint.name, pid, current));
    await endpoint.hooks.beforeDelete?.({ endpoint: endpoint.name, identity: context.identity, record: current });
    const input: Parameters<RecordStore['delete']>[0] = { id: current.id, expectedRevision: current.revision };
    const index = this.#intent(endpoint, current, pid, true);
    if (index) input.index = index;
    const record = await this.store.delete(input);
    await this.#afterWrite();
    await endpoint.hooks.afterDelete?.({ endpoint: endpoint.name, identity: context.identity, record, pid });
    return this.result(endpoint.name, pid, record);
  }

  #engine(): SearchEngine {
    if (!this.search) throw new ServiceUnavailableError(undefined, 'Search is not configured.');
    return this.search;
  }

  /** The permission filter of an identity on an endpoint (undefined: everything readable). */
  searchFilter(endpointName: string, identity: Identity | null | undefined): JsonObject | undefined {
    const endpoint = this.endpoint(endpointName);
    return endpoint.searchFilter?.(identity, endpoint.name);
  }

  /** A search hit as a record view (Invenio's `preprocess_search_hit`). */
  hitView(endpointName: string, hit: SearchHit): RecordView {
    const endpoint = this.endpoint(endpointName);
    const source = hit._source ?? {};
    const metadata = omitInternal(source);
    const pid = endpoint.fetcher(hit._id, metadata);
    const itemUrl = this.itemUrl(pid) ?? `${this.baseUrl}${endpoint.itemRoute.build(pid.value)}`;
    const links = endpoint.linksFactory({ pid, endpoint: endpoint.name, itemUrl });
    return {
      id: pid.value,
      metadata,
      links,
      created: typeof source._created === 'string' ? source._created : '',
      updated: typeof source._updated === 'string' ? source._updated : '',
      revision: hit._version ?? 0,
    };
  }

  /** Build the engine request of a search, permission filter included. */
  async buildSearch(context: ActionContext, params: URLSearchParams): Promise<{ built: BuiltSearch; request: SearchRequest }> {
    const endpoint = this.endpoint(context.endpoint);
    const factory: SearchFactory = endpoint.searchFactory ?? queryBuilderSearchFactory;
    const built = await factory({
      endpoint: endpoint.name,
      identity: context.identity,
      params,
      listUrl: this.listUrl(endpoint.name),
      config: endpoint,
      defaultFactory: queryBuilderSearchFactory,
    });
    const request = withFilter(built.request, this.searchFilter(endpoint.name, context.identity));
    return { built, request };
  }

  /**
   * Search (GET list): list permission, the search factory's request ANDed with the identity's search
   * filter (so hits, totals and aggregations only count readable records), Invenio's links.
   */
  async searchRecords(context: ActionContext, params: URLSearchParams): Promise<SearchResult> {
    const endpoint = this.endpoint(context.endpoint);
    await this.#permit(endpoint, 'list', context.identity);
    const engine = this.#engine();
    const { built, request } = await this.buildSearch(context, params);
    // `version: true`: hits carry `_version`, the revision (Invenio's `.params(version=True)`).
    const response = await engine.search(endpoint.searchIndex, {
      ...request,
      version: true,
      track_total_hits: request.track_total_hits ?? true,
    });
    const total = response.hits.total.value;
    const lastSort = response.hits.hits.at(-1)?.sort;
    const view: SearchView = {
      hits: response.hits.hits.map((hit) => this.hitView(endpoint.name, hit)),
      total,
      totalRelation: response.hits.total.relation,
      aggregations: response.aggregations ?? {},
      links: built.links(lastSort ? { total, lastSort } : { total }),
    };
    return { endpoint: endpoint.name, view, built };
  }

  /**
   * Export (GET list with an export media type): every matching, readable record, streamed page by page
   * over a point in time with `search_after`, so memory stays bounded whatever the result size. Each
   * record also passes the endpoint's read permission before it is yielded.
   */
  async *exportRecords(context: ActionContext, params: URLSearchParams, pageSize = 500): AsyncGenerator<RecordView> {
    const endpoint = this.endpoint(context.endpoint);
    await this.#permit(endpoint, 'list', context.identity);
    const engine = this.#engine();
    const exportParams = new URLSearchParams(params);
    for (const name of ['page', 'from', 'size', 'cursor']) exportParams.delete(name);
    const { request } = await this.buildSearch(context, exportParams);
    const query = request.query ?? { match_all: {} };
    const pit = await engine.openPointInTime(endpoint.searchIndex, '2m');
    try {
      let after: JsonValue[] | undefined;
      for (;;) {
        const page: SearchRequest = {
          // Without aggregations a post filter is just a filter; folding it in keeps the request portable.
          query: request.post_filter ? { bool: { must: [query], filter: [request.post_filter] } } : query,
          size: pageSize,
          sort: ['_doc'],
          track_total_hits: false,
          version: true,
          pit: { id: pit, keep_alive: '2m' },
          // The factory's source filter (e.g. index-only fields left out) applies to exported records too.
          ...(request._source !== undefined ? { _source: request._source } : {}),
        };
        if (after) page.search_after = after;
        const response = await engine.search(endpoint.searchIndex, page);
        const hits = response.hits.hits;
        for (const hit of hits) {
          const view = this.hitView(endpoint.name, hit);
          // Defence in depth: the read permission has the last word on every exported record, so an
          // engine that mis-evaluates the search filter cannot leak a record into an export.
          const record = { id: hit._id, metadata: view.metadata, revision: view.revision };
          if (await endpoint.permissions.read({ identity: context.identity, action: 'read', endpoint: endpoint.name, record })) yield view;
        }
        const last = hits.at(-1);
        if (hits.length < pageSize || !last?.sort) break;
        after = last.sort;
      }
    } finally {
      await engine.closePointInTime(pit);
    }
  }

  /**
   * Suggest (GET `<list>_suggest`): Invenio's completion suggesters, with the list permission (Invenio
   * checks none) and suggestions of records the identity may not read removed.
   */
  async suggest(context: ActionContext, params: URLSearchParams): Promise<SuggestResponse> {
    const endpoint = this.endpoint(context.endpoint);
    await this.#permit(endpoint, 'list', context.identity);
    const engine = this.#engine();
    const names = Object.keys(endpoint.suggesters).sort();
    let size: number | undefined;
    const sizeText = params.get('size');
    if (sizeText !== null) {
      if (!/^\d+$/.test(sizeText.trim()) || Number(sizeText) < 1 || Number(sizeText) > endpoint.maxResultsSize) {
        throw new ValidationError([new FieldError('size', `Must be an integer from 1 to ${endpoint.maxResultsSize}.`, 'invalid')]);
      }
      size = Number(sizeText);
    }
    const suggest: Record<string, JsonObject> = {};
    for (const name of names) {
      const text = params.get(name);
      if (text === null || text === '') continue;
      const { completion } = endpoint.suggesters[name]!;
      const body: JsonObject = { field: completion.field };
      if (completion.size !== undefined) body.size = completion.size;
      if (size !== undefined) body.size = size;
      if (completion.skip_duplicates !== undefined) body.skip_duplicates = completion.skip_duplicates;
      if (completion.fuzzy !== undefined) body.fuzzy = completion.fuzzy;
      if (completion.contexts) {
        const contexts: JsonObject = {};
        for (const [contextName, param] of Object.entries(completion.contexts)) {
          const value = params.get(param);
          if (value === null || value === '') {
            throw new BadRequestError(`Missing "${param}" context.`, {
              code: 'missing_context',
              errors: [new FieldError(param, `The ${name} suggester needs the "${param}" context parameter.`, 'required')],
            });
          }
          contexts[contextName] = [value];
        }
        body.contexts = contexts;
      }
      suggest[name] = { prefix: text, completion: body };
    }
    if (Object.keys(suggest).length === 0) {
      throw new BadRequestError(`No completions requested. (options: ${names.join(', ')})`, {
        code: 'no_completions',
        errors: names.map((name) => new FieldError(name, 'Give a prefix to complete in one of the suggester parameters.', 'required')),
      });
    }
    const response = await engine.search(endpoint.searchIndex, { size: 0, suggest });
    const out: SuggestResponse = response.suggest ?? {};
    const filter = this.searchFilter(endpoint.name, context.identity);
    if (filter === undefined) return out;
    const ids = new Set<string>();
    for (const entries of Object.values(out))
      for (const entry of entries) for (const option of entry.options) if (typeof option._id === 'string') ids.add(option._id);
    if (ids.size === 0) return out;
    const visible = await engine.search(endpoint.searchIndex, {
      query: { bool: { filter: [{ ids: { values: [...ids] } }, filter] } },
      size: ids.size,
      _source: false,
    });
    const readable = new Set(visible.hits.hits.map((hit) => hit._id));
    for (const entries of Object.values(out)) {
      for (const entry of entries)
        entry.options = entry.options.filter((option) => typeof option._id === 'string' && readable.has(option._id));
    }
    return out;
  }

  /**
   * The options view body (Invenio's `RecordsListOptionsResource`), keys sorted as Flask's `jsonify`
   * does, plus `export_media_types` and `facets` (the aggregation names).
   */
  options(endpointName: string): JsonObject {
    const endpoint = this.endpoint(endpointName);
    const sortFields = (endpoint.sorter?.describe() ?? []).map((option) => ({
      [option.key]: { title: option.title, default_order: option.defaultOrder },
    }));
    const facets = (endpoint.facets?.describe() ?? []).filter((facet) => facet.aggregation).map((facet) => facet.name);
    return {
      default_media_type: endpoint.defaultMediaType,
      export_media_types: Object.keys(endpoint.exportSerializers).sort(),
      facets,
      item_media_types: Object.keys(endpoint.recordSerializers).sort(),
      max_result_window: endpoint.maxResultWindow,
      search_media_types: Object.keys(endpoint.searchSerializers).sort(),
      sort_fields: sortFields,
    };
  }

  async #afterWrite(): Promise<void> {
    if (this.store.indexesInTransaction || !this.search) return;
    try {
      await this.processIndexQueue();
    } catch (error) {
      this.#onIndexError(error);
    }
  }

  /**
   * Apply the store's index outbox to the search engine (stale versions are ignored by the engine, so
   * applying an entry twice is harmless). Called after every write when the store is not co-located
   * with the engine; call it from a timer too, to catch up after the engine was down.
   */
  async processIndexQueue(batchSize = 500): Promise<void> {
    if (this.store.indexesInTransaction || !this.search) return;
    if (this.#draining) {
      this.#drainAgain = true;
      return this.#draining;
    }
    const engine = this.search;
    const run = async () => {
      do {
        this.#drainAgain = false;
        for (;;) {
          const tasks = await this.store.pendingIndexTasks(batchSize);
          if (tasks.length === 0) break;
          const byIndex = new Map<string, typeof tasks>();
          for (const task of tasks) byIndex.set(task.index, [...(byIndex.get(task.index) ?? []), task]);
          const done: number[] = [];
          const refused: { index: string; id: string; version: number; status: number; reason: string }[] = [];
          for (const [index, group] of byIndex) {
            const operations: BulkOperation[] = group.map((task) =>
              task.document === null
                ? { action: 'delete', id: task.recordId, version: task.version }
                : { action: 'index', id: task.recordId, version: task.version, document: task.document },
            );
            const result = await engine.bulk(index, operations, { refresh: 'wait_for' });
            result.items.forEach((item, i) => {
              // Settled: applied, superseded by a newer version (409 / stale), or a delete of a document that
              // was never indexed. A 404 on an index write (the index is missing) stays in the outbox.
              const settled =
                item.status < 300 ||
                item.status === 409 ||
                item.result === 'stale' ||
                (item.action === 'delete' && item.result === 'not_found');
              if (settled) done.push(group[i]!.seq);
              else {
                const task = group[i]!;
                const reason = item.error ? `${item.error.type}: ${item.error.reason}` : `status ${item.status}`;
                refused.push({ index, id: task.recordId, version: task.version, status: item.status, reason });
              }
            });
          }
          await this.store.completeIndexTasks(done);
          // The entries the engine refused stay queued (a missing index may come back); say which and why,
          // so a document the engine will never take (a mapping conflict) does not wait unseen.
          if (refused.length > 0) this.#onIndexError(new IndexRefusedError(refused));
          if (done.length < tasks.length) break;
        }
      } while (this.#drainAgain);
    };
    this.#draining = run().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /** The PID statuses a resolver reports, for tests and admin tools. */
  async pidOf(endpointName: string, pidValue: string): Promise<PID | undefined> {
    return this.store.getPID({ type: this.endpoint(endpointName).pidType, value: pidValue });
  }
}
