import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type {
  BulkOperation,
  BulkResult,
  IndexMapping,
  IndexOptions,
  IndexResult,
  JsonObject,
  JsonValue,
  Refresh,
  SearchEngine,
  SearchHit,
  SearchRequest,
  SearchResponse,
} from '@recordkit/records-service';
import { ConflictError, FieldError, isRestError, ValidationError } from '@recordkit/rest-errors';
import { engineCauses, type SearchErrorOptions, toSearchError } from './errors.js';
import { checkDocumentId, checkIndexName, checkKeepAlive, checkVersion, physicalName, physicalVersion } from './names.js';
import { OpenSearchTransport } from './opensearch-transport.js';

/** Which server the engine talks to. They differ in the point-in-time API and in the client's media types. */
export type Distribution = 'elasticsearch' | 'opensearch';

/** Options of {@link ElasticsearchSearchEngine}. */
export interface ElasticsearchSearchEngineOptions {
  /**
   * A client you built yourself. The engine never closes it. For OpenSearch, build it with
   * `Transport: OpenSearchTransport` and pass `distribution: 'opensearch'`.
   */
  client?: Client;
  /** The cluster URL(s), when the engine builds its own client (and closes it in {@link ElasticsearchSearchEngine.close}). */
  node?: string | string[];
  /** More options for the client the engine builds (auth, tls, headers, ...). */
  clientOptions?: Omit<ClientOptions, 'node' | 'nodes' | 'Transport' | 'maxRetries' | 'requestTimeout'>;
  /** Default `elasticsearch`. */
  distribution?: Distribution;
  /** Prepended to every logical index name, e.g. `myapp-`. Default none. */
  prefix?: string;
  /** Per-request timeout in milliseconds. Default 30 000. */
  requestTimeout?: number;
  /** Retries on connection errors, timeouts and 502/503/504, per request. Default 3. */
  maxRetries?: number;
  /** `Retry-After` (seconds) of the 503 answered while the cluster is unavailable. Default 5. */
  retryAfterSeconds?: number;
  /** Index settings applied under those of each mapping document, e.g. `{ number_of_replicas: 0 }`. */
  indexSettings?: JsonObject;
  /**
   * How a write that must be visible on return (`refresh: 'wait_for'`) gets there. `wait_for` (default)
   * waits for the index's next scheduled refresh: up to `refresh_interval`, 1 s by default, per write.
   * `refresh` refreshes the shards the write touched at once (`refresh=true`): milliseconds, but one
   * small segment per call, so for writes that come one request at a time (an API, as Invenio's services
   * do with `index_refresh`), not for heavy indexing. `refresh: true` and `false` are sent as asked.
   */
  readYourWrites?: 'wait_for' | 'refresh';
  /** Bulk tuning. */
  bulk?: {
    /** Operations per `_bulk` request. Default 500. */
    chunkSize?: number;
    /** Approximate bytes per `_bulk` request. Default 5 MiB. */
    chunkBytes?: number;
    /** `_bulk` requests in flight at once. Default 2. */
    concurrency?: number;
    /** Re-sends of items the cluster rejected with 429, with exponential back-off from 100 ms. Default 3. */
    retries?: number;
  };
}

/** The outcome of {@link ElasticsearchSearchEngine.reindex}. */
export interface ReindexResult {
  /** The physical index now behind the alias (or the abandoned one when `swapped` is false). */
  index: string;
  /** The physical indices the alias pointed to before; deleted once the alias moved. */
  previous: string[];
  /** Operations read from the source. */
  operations: number;
  /** True when the alias moved to the new index. False when some items failed: the old index stays live. */
  swapped: boolean;
  /** Items that failed (source or concurrent writes), in order. */
  failed: BulkResult['items'];
}

type Item = BulkResult['items'][number];
type Raw = { statusCode: number; body: unknown };
interface EngineItem {
  status?: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `SearchEngine` port of `@recordkit/records-service` on Elasticsearch 9 and OpenSearch 2/3, through
 * the official `@elastic/elasticsearch` client.
 *
 * - Each logical index is an alias over a versioned physical index (`<prefix><name>-v<n>`), so
 *   {@link ElasticsearchSearchEngine.reindex} can build the next version and switch atomically.
 * - Writes carry the record revision as external version (`version_type=external_gte`), so a write
 *   that arrives late never overwrites a newer one; that outcome is reported as `stale`.
 * - Engine errors become `@recordkit/rest-errors` errors (see `toSearchError`): unreachable cluster 503
 *   with `Retry-After`, unparsable query 400 "Invalid query syntax.", nothing of the engine's message
 *   in the response.
 *
 * @example
 * ```ts
 * import { ElasticsearchSearchEngine } from '@recordkit/elasticsearch';
 *
 * const search = new ElasticsearchSearchEngine({ node: process.env.ELASTICSEARCH_URL });
 * await search.createIndex('records', { mappings: { properties: { title: { type: 'text' } } } });
 * await search.index('records', 'a1', { title: 'Back to the Future' }, { version: 0, refresh: 'wait_for' });
 * const { hits } = await search.search('records', { query: { match: { title: 'future' } } });
 * ```
 */
export class ElasticsearchSearchEngine implements SearchEngine {
  /** The client in use (yours or the engine's own). */
  readonly client: Client;
  readonly distribution: Distribution;
  readonly prefix: string;
  readonly #ownsClient: boolean;
  readonly #retryAfter: number;
  readonly #indexSettings: JsonObject;
  readonly #readYourWrites: 'wait_for' | 'refresh';
  readonly #bulk: { chunkSize: number; chunkBytes: number; concurrency: number; retries: number };
  /** Reindexing in progress in this process: alias -> the new physical index, which receives every write too. */
  readonly #migrations = new Map<string, { target: string; failed: Item[] }>();

  constructor(options: ElasticsearchSearchEngineOptions) {
    this.distribution = options.distribution ?? 'elasticsearch';
    if (this.distribution !== 'elasticsearch' && this.distribution !== 'opensearch') {
      throw new TypeError(`distribution must be "elasticsearch" or "opensearch", not ${JSON.stringify(options.distribution)}`);
    }
    this.prefix = options.prefix ?? '';
    if (this.prefix !== '') checkIndexName(this.prefix, '', 'prefix');
    this.#retryAfter = options.retryAfterSeconds ?? 5;
    this.#indexSettings = options.indexSettings ?? {};
    this.#readYourWrites = options.readYourWrites ?? 'wait_for';
    if (this.#readYourWrites !== 'wait_for' && this.#readYourWrites !== 'refresh') {
      throw new TypeError(`readYourWrites must be "wait_for" or "refresh", not ${JSON.stringify(options.readYourWrites)}`);
    }
    this.#bulk = {
      chunkSize: Math.max(1, options.bulk?.chunkSize ?? 500),
      chunkBytes: Math.max(1024, options.bulk?.chunkBytes ?? 5 * 1024 * 1024),
      concurrency: Math.max(1, options.bulk?.concurrency ?? 2),
      retries: Math.max(0, options.bulk?.retries ?? 3),
    };
    if (options.client) {
      this.client = options.client;
      this.#ownsClient = false;
    } else {
      if (!options.node || (Array.isArray(options.node) && options.node.length === 0)) {
        throw new TypeError('ElasticsearchSearchEngine needs either `client` or `node`.');
      }
      this.client = new Client({
        ...options.clientOptions,
        node: options.node,
        maxRetries: options.maxRetries ?? 3,
        requestTimeout: options.requestTimeout ?? 30_000,
        ...(this.distribution === 'opensearch' ? { Transport: OpenSearchTransport } : {}),
      });
      this.#ownsClient = true;
    }
  }

  /** The alias (logical name with prefix) of `index`, or a 400 for a bad name. */
  aliasOf(index: string): string {
    return checkIndexName(index, this.prefix);
  }

  /** The logical name of a physical index or alias: prefix and `-v<n>` removed. */
  logicalName(physical: string): string {
    const name = physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
    return name.replace(/-v[1-9]\d*$/, '');
  }

  async #send(
    method: string,
    path: string,
    options: { body?: unknown; ndjson?: string; querystring?: Record<string, string | undefined>; ignore?: number[] },
    errors: SearchErrorOptions,
  ): Promise<Raw> {
    const querystring: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.querystring ?? {})) if (value !== undefined) querystring[key] = value;
    try {
      const params: Parameters<Client['transport']['request']>[0] = { method, path, querystring };
      if (options.body !== undefined) params.body = options.body as JsonObject;
      if (options.ndjson !== undefined) params.bulkBody = options.ndjson;
      const result = await this.client.transport.request<unknown>(params, { meta: true, ignore: options.ignore ?? [] });
      return { statusCode: result.statusCode, body: result.body };
    } catch (error) {
      throw toSearchError(error, { retryAfterSeconds: this.#retryAfter, ...errors });
    }
  }

  /** Physical indices behind `alias`, and whether `alias` is itself a concrete index (created outside this engine). */
  async #targets(alias: string, index: string): Promise<{ indices: string[]; concrete: boolean }> {
    const aliased = await this.#send('GET', `/_alias/${encodeURIComponent(alias)}`, { ignore: [404] }, { index, operation: 'admin' });
    if (aliased.statusCode === 200 && isObject(aliased.body)) return { indices: Object.keys(aliased.body), concrete: false };
    const exists = await this.#send('HEAD', `/${encodeURIComponent(alias)}`, { ignore: [404] }, { index, operation: 'admin' });
    return exists.statusCode === 200 ? { indices: [alias], concrete: true } : { indices: [], concrete: false };
  }

  /** Every physical index named `<alias>-v<n>`, with or without the alias. */
  async #versions(alias: string, index: string): Promise<string[]> {
    const found = await this.#send(
      'GET',
      `/${encodeURIComponent(`${alias}-v*`)}/_alias`,
      { querystring: { allow_no_indices: 'true', expand_wildcards: 'all' }, ignore: [404] },
      { index, operation: 'admin' },
    );
    if (found.statusCode !== 200 || !isObject(found.body)) return [];
    return Object.keys(found.body).filter((name) => physicalVersion(alias, name) !== undefined);
  }

  #createBody(mapping: IndexMapping, extraSettings: JsonObject = {}): { settings: JsonObject; mappings: JsonObject } {
    if (!isObject(mapping)) throw new ValidationError([new FieldError('mapping', 'Must be an object.', 'invalid_mapping')]);
    const mappings = mapping.mappings ?? (mapping.properties ? { properties: mapping.properties } : undefined);
    if (!isObject(mappings) || !isObject(mappings.properties)) {
      throw new ValidationError([
        new FieldError('mapping.mappings.properties', 'A mapping needs `mappings.properties` (or `properties`).', 'invalid_mapping'),
      ]);
    }
    const settings: JsonObject = {
      ...this.#indexSettings,
      ...(isObject(mapping.settings) ? (mapping.settings as JsonObject) : {}),
      ...extraSettings,
    };
    return { settings, mappings: mappings as JsonObject };
  }

  /**
   * Create the index from an Elasticsearch mapping document: a physical index `<alias>-v1` and the
   * alias. When the index exists, the mapping is applied to it (new fields are added; an unchanged
   * mapping is a no-op); a change Elasticsearch cannot apply in place is a 409 asking for a reindex.
   */
  async createIndex(index: string, mapping: IndexMapping): Promise<void> {
    const alias = this.aliasOf(index);
    const body = this.#createBody(mapping);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { indices } = await this.#targets(alias, index);
      if (indices.length > 0) return this.#putMapping(index, indices, body.mappings);
      const versions = (await this.#versions(alias, index)).map((name) => physicalVersion(alias, name) ?? 0);
      const physical = physicalName(alias, Math.max(0, ...versions) + 1);
      const created = await this.#send(
        'PUT',
        `/${encodeURIComponent(physical)}`,
        { body: { ...body, aliases: { [alias]: {} } }, ignore: [400] },
        { index, operation: 'admin' },
      );
      if (created.statusCode < 300) return;
      const types = engineCauses(created.body).map((cause) => cause.type);
      // Another process created it first (same physical name, or the alias name is taken): look again.
      if (!types.includes('resource_already_exists_exception') && !types.includes('invalid_alias_name_exception')) {
        throw toSearchError(this.#responseError(created), { retryAfterSeconds: this.#retryAfter, index, operation: 'admin' });
      }
    }
    throw new ConflictError(`The index [${index}] is being created concurrently; try again.`);
  }

  async #putMapping(index: string, indices: string[], mappings: JsonObject): Promise<void> {
    const path = `/${indices.map(encodeURIComponent).join(',')}/_mapping`;
    const put = await this.#send('PUT', path, { body: mappings, ignore: [400] }, { index, operation: 'admin' });
    if (put.statusCode >= 300) {
      throw new ConflictError(`The index [${index}] exists with a mapping that cannot be changed in place; reindex it instead.`, {
        cause: put.body,
      });
    }
  }

  /** A ResponseError-like value for {@link toSearchError} from a response we asked the transport to let through. */
  #responseError(raw: Raw): Error {
    const error = new Error(`engine answered ${raw.statusCode}`);
    error.name = 'ResponseError';
    Object.assign(error, { meta: { statusCode: raw.statusCode, body: raw.body } });
    return error;
  }

  /** Drop the alias and every physical index of `index` (a no-op when there is none). */
  async deleteIndex(index: string): Promise<void> {
    const alias = this.aliasOf(index);
    const { indices } = await this.#targets(alias, index);
    const all = [...new Set([...indices, ...(await this.#versions(alias, index))])];
    if (all.length === 0) return;
    await this.#send('DELETE', `/${all.map(encodeURIComponent).join(',')}`, { ignore: [404] }, { index, operation: 'admin' });
  }

  /** True when the alias (or a concrete index of that name) exists. */
  async indexExists(index: string): Promise<boolean> {
    const alias = this.aliasOf(index);
    const head = await this.#send('HEAD', `/${encodeURIComponent(alias)}`, { ignore: [404] }, { index, operation: 'admin' });
    return head.statusCode === 200;
  }

  /** Index one document with `version` as external version (`external_gte`): an older version is `stale`. */
  async index(index: string, id: string, document: JsonObject, options: IndexOptions): Promise<IndexResult> {
    const alias = this.aliasOf(index);
    checkDocumentId(id, 'id');
    const version = checkVersion(options?.version, 'version');
    if (!isObject(document)) throw new ValidationError([new FieldError('document', 'Must be a JSON object.', 'invalid_document')]);
    const write = (target: string, refresh?: Refresh) =>
      this.#send(
        'PUT',
        `/${encodeURIComponent(target)}/_doc/${encodeURIComponent(id)}`,
        {
          body: document,
          querystring: { version: String(version), version_type: 'external_gte', refresh: this.#refreshParam(refresh) },
          ignore: [409],
        },
        { index, operation: 'write' },
      );
    const raw = await write(alias, options.refresh);
    await this.#mirror(alias, id, 'index', (target) => write(target));
    if (raw.statusCode === 409) return { result: 'stale' };
    return { result: isObject(raw.body) && raw.body.result === 'updated' ? 'updated' : 'created' };
  }

  /** Remove one document, unless a newer version is indexed (`stale`); `not_found` when it was not indexed. */
  async delete(index: string, id: string, options: IndexOptions): Promise<IndexResult> {
    const alias = this.aliasOf(index);
    checkDocumentId(id, 'id');
    const version = checkVersion(options?.version, 'version');
    const remove = (target: string, refresh?: Refresh) =>
      this.#send(
        'DELETE',
        `/${encodeURIComponent(target)}/_doc/${encodeURIComponent(id)}`,
        {
          querystring: { version: String(version), version_type: 'external_gte', refresh: this.#refreshParam(refresh) },
          ignore: [404, 409],
        },
        { index, operation: 'write' },
      );
    const raw = await remove(alias, options.refresh);
    await this.#mirror(alias, id, 'delete', (target) => remove(target));
    if (raw.statusCode === 409) return { result: 'stale' };
    if (raw.statusCode === 404) {
      if (engineCauses(raw.body).some((cause) => cause.type === 'index_not_found_exception')) {
        throw toSearchError(this.#responseError(raw), { index, operation: 'write' });
      }
      return { result: 'not_found' };
    }
    return { result: 'deleted' };
  }

  /** The `refresh` query parameter of a write (see `readYourWrites`). */
  #refreshParam(refresh: Refresh | undefined): string | undefined {
    if (refresh === undefined) return undefined;
    return refresh === 'wait_for' && this.#readYourWrites === 'refresh' ? 'true' : String(refresh);
  }

  /** During a reindex in this process, apply a write to the new index too; failures there cancel the switch. */
  async #mirror(alias: string, id: string, action: Item['action'], write: (target: string) => Promise<Raw>): Promise<void> {
    const migration = this.#migrations.get(alias);
    if (!migration) return;
    const fail = (status: number, reason: string) =>
      migration.failed.push({ id, action, status, error: { type: 'mirror_failed', reason } });
    try {
      const raw = await write(migration.target);
      if (raw.statusCode >= 300 && raw.statusCode !== 404 && raw.statusCode !== 409)
        fail(raw.statusCode, 'The write to the new index failed.');
    } catch (error) {
      fail(isRestError(error) ? error.status : 500, String(error));
    }
  }

  /**
   * Many writes through `_bulk`, in chunks (by count and size) with bounded concurrency. Items come
   * back in request order, each with its own outcome; items the cluster rejects with 429 are re-sent
   * with back-off. Never throws for an item; throws (503) when the cluster cannot be reached.
   */
  async bulk(index: string, operations: readonly BulkOperation[], options: { refresh?: Refresh } = {}): Promise<BulkResult> {
    const alias = this.aliasOf(index);
    const items = await this.#bulkTo(alias, index, operations, options.refresh);
    const migration = this.#migrations.get(alias);
    if (migration) {
      try {
        const mirrored = await this.#bulkTo(migration.target, index, operations, undefined);
        for (const item of mirrored) if (item.error) migration.failed.push(item);
      } catch (error) {
        const status = isRestError(error) ? error.status : 500;
        for (const operation of operations) {
          migration.failed.push({
            id: operation.id,
            action: operation.action,
            status,
            error: { type: 'mirror_failed', reason: String(error) },
          });
        }
      }
    }
    return { items, errors: items.some((item) => item.error !== undefined) };
  }

  async #bulkTo(target: string, index: string, operations: readonly BulkOperation[], refresh: Refresh | undefined): Promise<Item[]> {
    if (!Array.isArray(operations)) throw new ValidationError([new FieldError('operations', 'Must be an array.', 'invalid_operations')]);
    const items: Item[] = new Array(operations.length);
    const lines: { position: number; text: string }[] = [];
    operations.forEach((operation, position) => {
      const field = `operations[${position}]`;
      const action = isObject(operation) && (operation.action === 'index' || operation.action === 'delete') ? operation.action : 'index';
      const id = isObject(operation) && typeof operation.id === 'string' ? operation.id : '';
      try {
        if (!isObject(operation) || (operation.action !== 'index' && operation.action !== 'delete')) {
          throw new ValidationError([new FieldError(`${field}.action`, 'Must be "index" or "delete".', 'invalid_action')]);
        }
        checkDocumentId(operation.id, `${field}.id`);
        const version = checkVersion(operation.version, `${field}.version`);
        const meta = { _index: target, _id: operation.id, version, version_type: 'external_gte' };
        if (operation.action === 'index') {
          if (!isObject(operation.document)) {
            throw new ValidationError([new FieldError(`${field}.document`, 'Must be a JSON object.', 'invalid_document')]);
          }
          lines.push({ position, text: `${JSON.stringify({ index: meta })}\n${JSON.stringify(operation.document)}\n` });
        } else {
          lines.push({ position, text: `${JSON.stringify({ delete: meta })}\n` });
        }
      } catch (error) {
        const reason = error instanceof ValidationError ? error.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : String(error);
        items[position] = { id, action, status: 400, error: { type: 'validation_error', reason } };
      }
    });

    let pending = lines;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const rejected: typeof lines = [];
      const chunks = this.#chunks(pending);
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          const raw = await this.#send(
            'POST',
            '/_bulk',
            { ndjson: chunk.map((line) => line.text).join(''), querystring: { refresh: this.#refreshParam(refresh) } },
            { index, operation: 'write' },
          );
          const answered = isObject(raw.body) && Array.isArray(raw.body.items) ? raw.body.items : [];
          chunk.forEach((line, i) => {
            const operation = operations[line.position]!;
            const entry = answered[i];
            const item: EngineItem | undefined = isObject(entry)
              ? ((entry[operation.action] as EngineItem | undefined) ?? undefined)
              : undefined;
            if (item?.status === 429 && attempt < this.#bulk.retries) rejected.push(line);
            else items[line.position] = this.#item(operation, item);
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#bulk.concurrency, chunks.length) }, worker));
      pending = rejected;
      if (pending.length > 0) await sleep(100 * 2 ** attempt);
    }
    return items;
  }

  #chunks<T extends { text: string }>(lines: T[]): T[][] {
    const chunks: T[][] = [];
    let current: T[] = [];
    let bytes = 0;
    for (const line of lines) {
      const size = Buffer.byteLength(line.text);
      if (current.length > 0 && (current.length >= this.#bulk.chunkSize || bytes + size > this.#bulk.chunkBytes)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(line);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  #item(operation: BulkOperation, item: EngineItem | undefined): Item {
    const base = { id: operation.id, action: operation.action };
    if (!item || typeof item.status !== 'number') {
      return { ...base, status: 500, error: { type: 'missing_item', reason: 'The engine answered no item for this operation.' } };
    }
    const { status } = item;
    if (status === 409) return { ...base, status, result: 'stale' };
    if (operation.action === 'delete' && status === 404 && item.result === 'not_found') return { ...base, status, result: 'not_found' };
    if (status < 300) {
      const result = operation.action === 'delete' ? 'deleted' : item.result === 'updated' ? 'updated' : 'created';
      return { ...base, status, result };
    }
    return { ...base, status, error: { type: item.error?.type ?? 'unknown', reason: item.error?.reason ?? '' } };
  }

  /** Make recent writes searchable. */
  async refresh(index: string): Promise<void> {
    const alias = this.aliasOf(index);
    await this.#send('POST', `/${encodeURIComponent(alias)}/_refresh`, {}, { index, operation: 'admin' });
  }

  /**
   * Run a `_search` body as Elasticsearch does: hits carry `_version` (the record revision) when the
   * request has `version: true`, and `_index` is the logical name. With `pit` the request goes to
   * `/_search` (a point in time already names its indices).
   */
  async search(index: string, request: SearchRequest): Promise<SearchResponse> {
    const alias = this.aliasOf(index);
    if (!isObject(request)) throw new ValidationError([new FieldError('request', 'Must be a JSON object.', 'invalid_search_request')]);
    const path = request.pit ? '/_search' : `/${encodeURIComponent(alias)}/_search`;
    const raw = await this.#send('POST', path, { body: request }, { index });
    return this.#response(raw.body);
  }

  #response(body: unknown): SearchResponse {
    const source = isObject(body) ? body : {};
    const hitsBlock = isObject(source.hits) ? source.hits : {};
    const hits = (Array.isArray(hitsBlock.hits) ? hitsBlock.hits : []).filter(isObject).map((hit) => {
      const out = { ...hit } as unknown as SearchHit;
      if (typeof hit._index === 'string') out._index = this.logicalName(hit._index);
      return out;
    });
    const total = isObject(hitsBlock.total)
      ? { value: Number(hitsBlock.total.value), relation: hitsBlock.total.relation === 'gte' ? ('gte' as const) : ('eq' as const) }
      : typeof hitsBlock.total === 'number'
        ? { value: hitsBlock.total, relation: 'eq' as const }
        : // `track_total_hits: false`: Elasticsearch sends no total; "at least what came back" is true.
          { value: hits.length, relation: 'gte' as const };
    const response: SearchResponse = {
      took: typeof source.took === 'number' ? source.took : 0,
      timed_out: source.timed_out === true,
      hits: { total, max_score: typeof hitsBlock.max_score === 'number' ? hitsBlock.max_score : null, hits },
    };
    if (isObject(source.aggregations)) response.aggregations = source.aggregations as Record<string, JsonObject>;
    if (isObject(source.suggest)) {
      const suggest = source.suggest as NonNullable<SearchResponse['suggest']>;
      for (const entries of Object.values(suggest)) {
        for (const entry of entries) {
          for (const option of entry.options) if (typeof option._index === 'string') option._index = this.logicalName(option._index);
        }
      }
      response.suggest = suggest;
    }
    const pitId = source.pit_id;
    if (typeof pitId === 'string') response.pit_id = pitId;
    return response;
  }

  /** Number of documents matching `query` (all when absent). */
  async count(index: string, query?: JsonObject): Promise<number> {
    const alias = this.aliasOf(index);
    if (query !== undefined && !isObject(query))
      throw new ValidationError([new FieldError('query', 'Must be a JSON object.', 'invalid_query')]);
    const raw = await this.#send('POST', `/${encodeURIComponent(alias)}/_count`, { body: query ? { query } : {} }, { index });
    return isObject(raw.body) && typeof raw.body.count === 'number' ? raw.body.count : 0;
  }

  /** Open a point in time on the index (`_pit` on Elasticsearch, `_search/point_in_time` on OpenSearch). */
  async openPointInTime(index: string, keepAlive: string): Promise<string> {
    const alias = this.aliasOf(index);
    const keep_alive = checkKeepAlive(keepAlive);
    if (this.distribution === 'opensearch') {
      const raw = await this.#send(
        'POST',
        `/${encodeURIComponent(alias)}/_search/point_in_time`,
        { querystring: { keep_alive } },
        { index },
      );
      return String(isObject(raw.body) ? raw.body.pit_id : '');
    }
    const raw = await this.#send('POST', `/${encodeURIComponent(alias)}/_pit`, { querystring: { keep_alive } }, { index });
    return String(isObject(raw.body) ? raw.body.id : '');
  }

  /** Release a point in time; one that expired already is not an error. */
  async closePointInTime(id: string): Promise<void> {
    if (typeof id !== 'string' || id === '')
      throw new ValidationError([new FieldError('pit', 'Must be a point-in-time id.', 'invalid_pit')]);
    if (this.distribution === 'opensearch') {
      await this.#send('DELETE', '/_search/point_in_time', { body: { pit_id: [id] }, ignore: [404] }, {});
    } else {
      await this.#send('DELETE', '/_pit', { body: { id }, ignore: [404] }, {});
    }
  }

  /**
   * Zero-downtime reindex: build `<alias>-v<n+1>` from `mapping`, load every operation of `source`
   * (typically every record of the store, with its revision as version) through `_bulk`, then move the
   * alias in one atomic `_aliases` call and delete the old index. Searches keep hitting the old index
   * until the switch. Writes made through this engine meanwhile go to both indices; thanks to external
   * versions the order of backfill and live writes does not matter. If any item fails, the alias stays
   * where it was and the new index is deleted (`swapped: false`).
   *
   * Writes from other processes during a reindex reach only the old index: run the reindex where the
   * writes happen, or replay the store's changes since its start afterwards (also safe, for the same reason).
   *
   * @example
   * ```ts
   * async function* everyRecord() {
   *   for (let page = await store.list(); page.length > 0; page = await store.list({ after: page.at(-1)!.id })) {
   *     for (const record of page) yield { action: 'index', id: record.id, version: record.revision, document: record.metadata } as const;
   *   }
   * }
   * const result = await search.reindex('records', mapping, everyRecord());
   * ```
   */
  async reindex(
    index: string,
    mapping: IndexMapping,
    source: AsyncIterable<BulkOperation> | Iterable<BulkOperation>,
  ): Promise<ReindexResult> {
    const alias = this.aliasOf(index);
    if (this.#migrations.has(alias)) throw new ConflictError(`The index [${index}] is already being reindexed.`);
    const { indices: previous, concrete } = await this.#targets(alias, index);
    if (concrete) {
      throw new ConflictError(`[${alias}] is a concrete index, not an alias; delete it or rename it before reindexing.`);
    }
    const versions = (await this.#versions(alias, index)).map((name) => physicalVersion(alias, name) ?? 0);
    const target = physicalName(alias, Math.max(0, ...versions) + 1);
    const body = this.#createBody(mapping);
    const live = { refresh_interval: body.settings.refresh_interval ?? null, number_of_replicas: body.settings.number_of_replicas ?? null };
    // Load without refreshes or replicas, then restore: the usual bulk-load recipe.
    const loading = { ...body, settings: { ...body.settings, refresh_interval: '-1', number_of_replicas: 0 } };
    await this.#send('PUT', `/${encodeURIComponent(target)}`, { body: loading }, { index, operation: 'admin' });
    const migration = { target, failed: [] as Item[] };
    this.#migrations.set(alias, migration);
    let operations = 0;
    try {
      let batch: BulkOperation[] = [];
      const flush = async () => {
        const items = await this.#bulkTo(target, index, batch, undefined);
        for (const item of items) if (item.error) migration.failed.push(item);
        batch = [];
      };
      for await (const operation of source) {
        batch.push(operation);
        operations++;
        if (batch.length >= this.#bulk.chunkSize * this.#bulk.concurrency) await flush();
      }
      if (batch.length > 0) await flush();
      await this.#send('PUT', `/${encodeURIComponent(target)}/_settings`, { body: { index: live } }, { index, operation: 'admin' });
      await this.#send('POST', `/${encodeURIComponent(target)}/_refresh`, {}, { index, operation: 'admin' });
      if (migration.failed.length > 0) {
        await this.#send('DELETE', `/${encodeURIComponent(target)}`, { ignore: [404] }, { index, operation: 'admin' });
        return { index: target, previous, operations, swapped: false, failed: migration.failed };
      }
      const actions: JsonValue[] = [{ add: { index: target, alias } }];
      for (const old of previous) actions.push({ remove_index: { index: old } });
      await this.#send('POST', '/_aliases', { body: { actions } }, { index, operation: 'admin' });
      return { index: target, previous, operations, swapped: true, failed: [] };
    } catch (error) {
      await this.#send('DELETE', `/${encodeURIComponent(target)}`, { ignore: [404] }, { index, operation: 'admin' }).catch(() => undefined);
      throw error;
    } finally {
      this.#migrations.delete(alias);
    }
  }

  /** Close the client when the engine built it; a client you passed in stays open. */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.client.close();
  }
}
