import {
  BadRequestError,
  InternalServerError,
  InvalidQuerySyntaxError,
  isRestError,
  MaxResultWindowError,
  NotFoundError,
  type RestError,
  ServiceUnavailableError,
} from '@recordkit/rest-errors';

/** The part of an Elasticsearch / OpenSearch error body this module reads. */
interface EngineCause {
  type?: unknown;
  reason?: unknown;
  caused_by?: unknown;
  root_cause?: unknown;
  failed_shards?: unknown;
  index?: unknown;
}

/** Options of {@link toSearchError}. */
export interface SearchErrorOptions {
  /** `Retry-After` of the 503 sent when the cluster cannot be reached or is overloaded. Default 5. */
  retryAfterSeconds?: number;
  /** The logical index name, used in the 404 of a missing index instead of the physical name. */
  index?: string;
  /** The request field a query syntax error points at. Default `q`. */
  queryField?: string;
  /** What was being done: decides the wording of a refused request. Default `search`. */
  operation?: 'search' | 'write' | 'admin';
}

/** Error classes of `@elastic/transport` that mean "the cluster cannot be reached right now". */
const UNREACHABLE = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'RequestAbortedError']);
/** Engine error types that mean "unavailable or overloaded now, retry later". */
const UNAVAILABLE_TYPES = new Set([
  'es_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
  'cluster_block_exception',
  'no_shard_available_action_exception',
  'unavailable_shards_exception',
  'master_not_discovered_exception',
  'cluster_manager_not_discovered_exception',
  'node_not_connected_exception',
  'process_cluster_event_timeout_exception',
]);
/** Engine error types raised when the query text (the `q` parameter) cannot be parsed or applied. */
const QUERY_TYPES = new Set(['query_shard_exception', 'query_parsing_exception', 'parse_exception']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every `{ type, reason }` of an engine error: the top level, `root_cause`, `caused_by` chains and shard failures. */
export function engineCauses(body: unknown): { type: string; reason: string }[] {
  const out: { type: string; reason: string }[] = [];
  const seen = new Set<unknown>();
  const visit = (node: unknown, depth: number) => {
    if (!isObject(node) || seen.has(node) || depth > 20) return;
    seen.add(node);
    const cause = node as EngineCause;
    if (typeof cause.type === 'string') out.push({ type: cause.type, reason: typeof cause.reason === 'string' ? cause.reason : '' });
    if (Array.isArray(cause.root_cause)) for (const root of cause.root_cause) visit(root, depth + 1);
    visit(cause.caused_by, depth + 1);
    if (Array.isArray(cause.failed_shards)) for (const shard of cause.failed_shards) if (isObject(shard)) visit(shard.reason, depth + 1);
  };
  visit(isObject(body) && 'error' in body ? body.error : body, 0);
  return out;
}

/** The HTTP status and body of an `@elastic/transport` `ResponseError`, or undefined for other errors. */
export function engineResponse(error: unknown): { status: number; body: unknown } | undefined {
  if (!(error instanceof Error) || error.name !== 'ResponseError') return undefined;
  const meta = (error as Error & { meta?: { statusCode?: unknown; body?: unknown } }).meta;
  return { status: typeof meta?.statusCode === 'number' ? meta.statusCode : 500, body: meta?.body };
}

/**
 * Translate an error of the Elasticsearch / OpenSearch client into a `@recordkit/rest-errors` error a
 * client may see. Nothing of the engine's message reaches the response: the original error is kept as
 * `cause`, for the log only.
 *
 * - cluster unreachable (connection refused, timeout, no living node), overloaded (429, rejected
 *   execution, circuit breaker) or not ready (cluster block, no shard available, 502/503/504):
 *   503 with `Retry-After` (RFC 9110 §15.6.4, §10.2.3);
 * - the query text cannot be parsed or applied (`query_shard_exception`, `parse_exception`): 400
 *   "Invalid query syntax." naming the `q` field, as Invenio's `InvalidQueryRESTError`;
 * - `from + size` past the index's result window: 400 `MaxResultWindowError`;
 * - any other request the engine refuses (400): 400 "The search engine rejected the search request."
 *   (or "...the document." for writes, "...the index operation." for index administration);
 * - a missing index: 404 naming the logical index; an expired or closed point in time: 404;
 * - anything else (authentication to the cluster, a server that is not Elasticsearch, engine 500s): 500
 *   without details.
 *
 * A `RestError` passes through unchanged.
 *
 * @example
 * ```ts
 * try {
 *   await client.search({ index: 'records', q: 'title:' });
 * } catch (error) {
 *   throw toSearchError(error, { index: 'records' }); // 400 "Invalid query syntax."
 * }
 * ```
 */
export function toSearchError(error: unknown, options: SearchErrorOptions = {}): RestError {
  if (isRestError(error)) return error as RestError;
  const retryAfter = options.retryAfterSeconds ?? 5;
  const unavailable = () => new ServiceUnavailableError(retryAfter, 'The search engine is unavailable. Try again later.', { cause: error });
  if (error instanceof Error && UNREACHABLE.has(error.name)) return unavailable();
  const response = engineResponse(error);
  if (!response) return new InternalServerError(error);
  const causes = engineCauses(response.body);
  const types = new Set(causes.map((cause) => cause.type));
  if (response.status === 429 || [502, 503, 504].includes(response.status) || [...types].some((type) => UNAVAILABLE_TYPES.has(type))) {
    return unavailable();
  }
  if (types.has('index_not_found_exception')) {
    return new NotFoundError(options.index ? `No such index [${options.index}].` : 'No such index.', { cause: error });
  }
  if (types.has('search_context_missing_exception')) {
    return new NotFoundError('The point in time has expired or was closed.', { cause: error });
  }
  if (response.status === 404) return new NotFoundError(undefined, { cause: error });
  if (response.status === 400) {
    const window = causes.map((cause) =>
      /Result window is too large, from \+ size must be less than or equal to: \[(\d+)\]/.exec(cause.reason),
    );
    const match = window.find((m) => m !== null);
    if (match) return new MaxResultWindowError(Number(match[1]), 'page', { cause: error });
    if ((options.operation ?? 'search') === 'search' && [...types].some((type) => QUERY_TYPES.has(type))) {
      return new InvalidQuerySyntaxError({ field: options.queryField ?? 'q' }, { cause: error });
    }
    if (options.operation === 'write') {
      return new BadRequestError('The search engine rejected the document.', { code: 'document_rejected', cause: error });
    }
    if (options.operation === 'admin') {
      return new BadRequestError('The search engine rejected the index operation.', { code: 'index_operation_rejected', cause: error });
    }
    return new BadRequestError('The search engine rejected the search request.', { code: 'search_request_rejected', cause: error });
  }
  return new InternalServerError(error);
}
