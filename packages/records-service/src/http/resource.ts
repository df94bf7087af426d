import { evaluatePreconditions, formatHttpDate, type PreconditionResult, revisionETag } from '@recordkit/conditional-requests';
import { ContentNegotiator, requireContentType } from '@recordkit/content-negotiation';
import { MethodNotAllowedError, NotFoundError, type RestError, toResponse, toRestError } from '@recordkit/rest-errors';
import type { ResolvedEndpoint } from '../config.js';
import { linkHeader } from '../links.js';
import {
  applyJsonPatch,
  applyMergePatch,
  JSON_MEDIA_TYPE,
  JSON_PATCH_MEDIA_TYPE,
  loadJsonPatch,
  loadMergePatch,
  loadRecordJson,
  MERGE_PATCH_MEDIA_TYPE,
} from '../loaders.js';
import type { JsonObject } from '../ports.js';
import type { ExportSerializer, RecordSerializer, SearchSerializer } from '../serializers.js';
import type { ActionContext, PreconditionCheck, RecordResult, RecordsService } from '../service.js';
import { header, readBody } from './body.js';
import type { ResourceRequest, ResourceResponse } from './types.js';

/** Handles one error on one endpoint; return undefined to fall back to the default rendering. */
export type ErrorHandler = (
  error: RestError,
  context: { endpoint: string; request: ResourceRequest; original: unknown },
) => ResourceResponse | undefined | Promise<ResourceResponse | undefined>;

/** An error handler and what it handles: a status code or an error class (matched with `instanceof`). */
export interface ErrorHandlerEntry {
  match: number | (abstract new (...args: never[]) => Error);
  handle: ErrorHandler;
}

/** Options of {@link RecordsResource}. */
export interface RecordsResourceOptions {
  service: RecordsService;
  /** Largest request body in bytes; more is a 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** `invenio` (default; RFC 9457 when the client prefers `application/problem+json`) or `problem` (always). */
  errorFormat?: 'invenio' | 'problem';
  /** Base of RFC 9457 `type` URIs (`about:blank` otherwise). */
  problemTypeBaseUri?: string;
  /**
   * Endpoint name -> handlers for errors raised on that endpoint's routes (Invenio's per-endpoint
   * `error_handlers`). Errors on other endpoints are never affected, and an unmatched error keeps its
   * own status (Invenio turns it into a 500).
   */
  errorHandlers?: Readonly<Record<string, readonly ErrorHandlerEntry[]>>;
  /** Sees every error that becomes a 5xx (log it); the client only gets a generic body. */
  onServerError?: (error: unknown, request: ResourceRequest) => void;
}

type RouteKind = 'list' | 'item' | 'options' | 'suggest' | 'export';

interface Route {
  kind: RouteKind;
  endpoint: ResolvedEndpoint;
  pidValue?: string;
}

interface Negotiators {
  item: ContentNegotiator<RecordSerializer>;
  list: ContentNegotiator<RecordSerializer | SearchSerializer>;
  export: ContentNegotiator<ExportSerializer> | undefined;
}

const ALLOW: Record<RouteKind, string[]> = {
  list: ['GET', 'HEAD', 'POST', 'OPTIONS'],
  item: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  options: ['GET', 'HEAD', 'OPTIONS'],
  suggest: ['GET', 'HEAD', 'OPTIONS'],
  export: ['GET', 'HEAD', 'OPTIONS'],
};
const PATCH_TYPES = [JSON_PATCH_MEDIA_TYPE, MERGE_PATCH_MEDIA_TYPE];
const ACCEPT_PATCH = PATCH_TYPES.join(', ');

function prettyprint(params: URLSearchParams): boolean {
  const value = params.get('prettyprint');
  return value !== null && value !== '' && value !== '0' && value !== 'false';
}

function mergeVary(headers: Record<string, string>, extra: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(extra)) {
    if (name === 'Vary' && headers.Vary) {
      const have = headers.Vary.split(',').map((v) => v.trim().toLowerCase());
      if (!have.includes(value.toLowerCase())) headers.Vary = `${headers.Vary}, ${value}`;
    } else {
      headers[name] = value;
    }
  }
}

type Refusal = Exclude<PreconditionResult, { readonly proceed: true }>;

/** What the resource reads of a request URL. */
interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/** A path of unreserved characters only: the URL parser would return it unchanged, with no query. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~/]*$/;

/**
 * The pathname and query of a request target. A plain path (`/records/42`, the common case) is taken as
 * it is, since `new URL()` would only copy it; anything else (a query, dots, percent-escapes, an
 * absolute URL) goes through the URL parser.
 */
function requestTarget(target: string, base: string): RequestTarget {
  if (PLAIN_PATH.test(target)) return { pathname: target, searchParams: new URLSearchParams() };
  return new URL(target, base);
}

/**
 * The headers a record's 200 sends that a 304 repeats (RFC 9110 §15.4.5): what `notModifiedHeaders()`
 * keeps of them, in the order the 304 error of `evaluatePreconditions()` renders them. `Vary` is the
 * one negotiation gave the 200 (none when the record has a single representation).
 */
function notModifiedState(etag: string, vary: string | undefined): Record<string, string> {
  return vary === undefined ? { 'Cache-Control': 'no-cache', ETag: etag } : { 'Cache-Control': 'no-cache', ETag: etag, Vary: vary };
}

/** Whether the request carries any `If-*` field; one pass over the names, no lookups of absent fields. */
function hasConditionalFields(headers: ResourceRequest['headers']): boolean {
  if (typeof (headers as Headers).get === 'function') {
    const h = headers as Headers;
    return h.has('if-match') || h.has('if-none-match') || h.has('if-modified-since') || h.has('if-unmodified-since');
  }
  for (const name in headers) {
    // "if-", any case
    if ((name.charCodeAt(0) | 32) === 105 && (name.charCodeAt(1) | 32) === 102 && name.charCodeAt(2) === 45) return true;
  }
  return false;
}

/** A HEAD response: GET's headers, with the length GET's body would have had (RFC 9110 §9.3.2), and no body. */
function withoutBody(response: ResourceResponse): ResourceResponse {
  const headers = { ...response.headers };
  if (typeof response.body === 'string') headers['Content-Length'] = String(Buffer.byteLength(response.body));
  return { status: response.status, headers };
}

/**
 * The HTTP resource of a {@link RecordsService}: Invenio's records-rest routes for every endpoint, as a
 * framework-agnostic function from a {@link ResourceRequest} to a {@link ResourceResponse}. Adapters for
 * `node:http` ({@link createNodeHandler}) and Fetch ({@link createFetchHandler}) wrap it.
 *
 * Order of checks (docs/decisions/041): route (404) and method (405); response negotiation (406);
 * request Content-Type (415); body size and parsing (413/400); then the service: PID resolution
 * (404/410/301), permission (401/403), preconditions (304/412/428), validation (400), write (412 when
 * someone else wrote first), index. Nothing is written before the request is known to be acceptable.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12 RFC 9110 §12 Content Negotiation
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13 RFC 9110 §13 Conditional Requests
 * @example
 * const resource = new RecordsResource({ service });
 * const response = await resource.handle({ method: 'GET', url: '/records/1', headers: {} });
 */
export class RecordsResource {
  readonly service: RecordsService;
  readonly #maxBodyBytes: number;
  readonly #errorFormat: 'invenio' | 'problem';
  readonly #typeBaseUri: string | undefined;
  readonly #errorHandlers: Readonly<Record<string, readonly ErrorHandlerEntry[]>>;
  readonly #onServerError: (error: unknown, request: ResourceRequest) => void;
  readonly #negotiators = new Map<string, Negotiators>();
  readonly #basePath: string;

  constructor(options: RecordsResourceOptions) {
    if (!options?.service) throw new TypeError('RecordsResource: service is required');
    this.service = options.service;
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
      throw new TypeError('RecordsResource: maxBodyBytes must be a positive integer');
    this.#maxBodyBytes = maxBodyBytes;
    const format = options.errorFormat ?? 'invenio';
    if (format !== 'invenio' && format !== 'problem') throw new TypeError("RecordsResource: errorFormat must be 'invenio' or 'problem'");
    this.#errorFormat = format;
    this.#typeBaseUri = options.problemTypeBaseUri;
    this.#errorHandlers = options.errorHandlers ?? {};
    for (const [name, entries] of Object.entries(this.#errorHandlers)) {
      this.service.endpoint(name);
      for (const [i, entry] of entries.entries()) {
        if (typeof entry?.handle !== 'function' || (typeof entry.match !== 'number' && typeof entry.match !== 'function')) {
          throw new TypeError(
            `RecordsResource: errorHandlers.${name}[${i}] needs match (a status or an error class) and handle (a function)`,
          );
        }
      }
    }
    this.#onServerError = options.onServerError ?? (() => {});
    this.#basePath = new URL(this.service.baseUrl).pathname.replace(/\/+$/, '');
    for (const endpoint of this.service.endpoints) {
      const label = `endpoints.${endpoint.name}`;
      try {
        this.#negotiators.set(endpoint.name, {
          item: new ContentNegotiator({
            serializers: endpoint.recordSerializers,
            defaultMediaType: endpoint.defaultMediaType,
            aliases: endpoint.recordSerializersAliases,
          }),
          list: new ContentNegotiator<RecordSerializer | SearchSerializer>({
            methodSerializers: { GET: endpoint.searchSerializers, POST: endpoint.recordSerializers },
            defaultMediaType: endpoint.defaultMediaType,
            aliases: endpoint.searchSerializersAliases,
          }),
          export:
            Object.keys(endpoint.exportSerializers).length === 0
              ? undefined
              : new ContentNegotiator({
                  serializers: endpoint.exportSerializers,
                  defaultMediaType: Object.keys(endpoint.exportSerializers)[0],
                  aliases: endpoint.exportSerializersAliases,
                }),
        });
      } catch (error) {
        throw new TypeError(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  // The last path routed and its route: a framework adapter often asks `route()` before `handle()`
  // for the same path (records-app does), and routing is a pure function of the path.
  #lastPath: string | undefined;
  #lastRoute: Route | undefined;

  /** Which route a path is, or undefined (404). */
  route(path: string): Route | undefined {
    if (path === this.#lastPath) return this.#lastRoute;
    const route = this.#route(path);
    this.#lastPath = path;
    this.#lastRoute = route;
    return route;
  }

  #route(path: string): Route | undefined {
    const local =
      this.#basePath !== '' && (path === this.#basePath || path.startsWith(`${this.#basePath}/`))
        ? path.slice(this.#basePath.length)
        : path;
    for (const endpoint of this.service.endpoints) {
      const list = endpoint.listRoute;
      if (local === list || (list.endsWith('/') && local === list.slice(0, -1))) return { kind: 'list', endpoint };
      if (endpoint.useOptionsView && local === `${list}_options`) return { kind: 'options', endpoint };
      if (Object.keys(endpoint.suggesters).length > 0 && local === `${list}_suggest`) return { kind: 'suggest', endpoint };
      if (this.#negotiators.get(endpoint.name)?.export && local === `${list}_export`) return { kind: 'export', endpoint };
    }
    for (const endpoint of this.service.endpoints) {
      const pidValue = endpoint.itemRoute.match(local);
      if (pidValue !== undefined) return { kind: 'item', endpoint, pidValue };
    }
    return undefined;
  }

  /** Handle one request. Never throws: every failure is a response. */
  async handle(request: ResourceRequest): Promise<ResourceResponse> {
    let route: Route | undefined;
    const method = (request.method ?? 'GET').toUpperCase();
    try {
      const url = requestTarget(request.url, this.service.baseUrl);
      route = this.route(url.pathname);
      if (!route) throw new NotFoundError('The requested URL was not found on the server.');
      const response = await this.#dispatch(route, method, url, request);
      return method === 'HEAD' ? withoutBody(response) : response;
    } catch (error) {
      const response = await this.#error(error, request, route);
      return method === 'HEAD' ? withoutBody(response) : response;
    }
  }

  async #dispatch(route: Route, method: string, url: RequestTarget, request: ResourceRequest): Promise<ResourceResponse> {
    const allowed = ALLOW[route.kind];
    if (method === 'OPTIONS') {
      const headers: Record<string, string> = { Allow: allowed.join(', ') };
      if (route.kind === 'item') headers['Accept-Patch'] = ACCEPT_PATCH;
      return { status: 200, headers };
    }
    if (!allowed.includes(method)) throw new MethodNotAllowedError(allowed);
    const context: ActionContext = { endpoint: route.endpoint.name, identity: request.identity };
    const params = url.searchParams;
    switch (route.kind) {
      case 'list':
        return method === 'POST' ? this.#create(route, context, request, params) : this.#search(route, context, request, params);
      case 'item':
        return this.#item(route, method, context, request, params);
      case 'options':
        return this.#json(this.service.options(route.endpoint.name), params);
      case 'suggest':
        return this.#json(await this.service.suggest(context, params), params);
      case 'export':
        return this.#export(route, context, request, params);
    }
  }

  #negotiators_(endpoint: ResolvedEndpoint): Negotiators {
    return this.#negotiators.get(endpoint.name)!;
  }

  #json(body: unknown, params: URLSearchParams): ResourceResponse {
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: prettyprint(params) ? JSON.stringify(body, null, 2) : JSON.stringify(body),
    };
  }

  #recordResponse(
    status: number,
    endpoint: ResolvedEndpoint,
    result: RecordResult,
    mediaType: string,
    serializer: RecordSerializer,
    negotiated: Readonly<Record<string, string>>,
    params: URLSearchParams,
  ): ResourceResponse {
    const headers: Record<string, string> = {
      'Content-Type': mediaType,
      ETag: revisionETag(result.record.revision, mediaType, { defaultMediaType: endpoint.defaultMediaType }),
      'Last-Modified': formatHttpDate(new Date(result.record.updated)),
      'Cache-Control': 'no-cache',
      'Accept-Patch': ACCEPT_PATCH,
    };
    if (Object.keys(result.links).length > 0) headers.Link = linkHeader(result.links);
    mergeVary(headers, negotiated);
    if (status === 201 && result.links.self) headers.Location = result.links.self;
    return { status, headers, body: serializer(result.view, { prettyprint: prettyprint(params) }) };
  }

  /** If-Match & co. against the record: the negotiated representation's ETag, any representation's for If-Match. */
  #preconditions(endpoint: ResolvedEndpoint, request: ResourceRequest, method: string, mediaType: string): PreconditionCheck {
    return (current) => {
      const refusal = this.#refusal(endpoint, request, method, mediaType, current, undefined);
      if (refusal) throw refusal.error;
    };
  }

  /** Why the preconditions stop the request (304, 412, 428), or undefined to go on. */
  #refusal(
    endpoint: ResolvedEndpoint,
    request: ResourceRequest,
    method: string,
    mediaType: string,
    current: RecordResult,
    vary: string | undefined,
  ): Refusal | undefined {
    const state = (type: string) => {
      const etag = revisionETag(current.record.revision, type, { defaultMediaType: endpoint.defaultMediaType });
      return { etag, lastModified: new Date(current.record.updated), headers: notModifiedState(etag, vary) };
    };
    const conditional = { method, headers: request.headers };
    const options = { requirePrecondition: endpoint.requireIfMatch };
    const result = evaluatePreconditions(conditional, state(mediaType), options);
    if (result.proceed) return undefined;
    if (result.status === 412 && result.decidedBy === 'If-Match') {
      // The client may hold the ETag of another representation of the same revision: that is current too.
      for (const other of Object.keys(endpoint.recordSerializers)) {
        if (other !== mediaType && evaluatePreconditions(conditional, state(other), options).proceed) return undefined;
      }
    }
    return result;
  }

  /**
   * GET and HEAD of a record: read, then the preconditions. A 304 is answered here, without building
   * and rendering an error, when no error handler of the endpoint could want to see it; its headers are
   * the ones the error would carry (docs/decisions/135).
   */
  async #read(
    route: Route,
    method: string,
    context: ActionContext,
    request: ResourceRequest,
    mediaType: string,
    vary: string | undefined,
  ): Promise<RecordResult | ResourceResponse> {
    const endpoint = route.endpoint;
    const result = await this.service.read(context, route.pidValue!);
    // GET and HEAD are safe: without an If-* header no precondition applies (RFC 9110 §13.2.1), 428 included.
    if (!hasConditionalFields(request.headers)) return result;
    const refusal = this.#refusal(endpoint, request, method, mediaType, result, vary);
    if (!refusal) return result;
    if (refusal.status === 304 && !this.#errorHandlers[endpoint.name]?.length) {
      const etag = revisionETag(result.record.revision, mediaType, { defaultMediaType: endpoint.defaultMediaType });
      return { status: 304, headers: notModifiedState(etag, vary) };
    }
    throw refusal.error;
  }

  async #search(route: Route, context: ActionContext, request: ResourceRequest, params: URLSearchParams): Promise<ResourceResponse> {
    const negotiation = this.#negotiators_(route.endpoint).list.negotiate({ method: 'GET', headers: request.headers, query: params });
    const result = await this.service.searchRecords(context, params);
    const headers: Record<string, string> = { 'Content-Type': negotiation.mediaType, Link: linkHeader(result.view.links) };
    mergeVary(headers, negotiation.headers);
    const serializer = negotiation.serializer as SearchSerializer;
    return { status: 200, headers, body: serializer(result.view, { prettyprint: prettyprint(params) }) };
  }

  async #create(route: Route, context: ActionContext, request: ResourceRequest, params: URLSearchParams): Promise<ResourceResponse> {
    const negotiation = this.#negotiators_(route.endpoint).list.negotiate({ method: 'POST', headers: request.headers, query: params });
    requireContentType(request.headers, [JSON_MEDIA_TYPE], { hasBody: true });
    const metadata = loadRecordJson(await readBody(request.body, request.headers, this.#maxBodyBytes));
    const result = await this.service.create(context, metadata);
    const serializer = negotiation.serializer as RecordSerializer;
    return this.#recordResponse(201, route.endpoint, result, negotiation.mediaType, serializer, negotiation.headers, params);
  }

  async #item(
    route: Route,
    method: string,
    context: ActionContext,
    request: ResourceRequest,
    params: URLSearchParams,
  ): Promise<ResourceResponse> {
    const endpoint = route.endpoint;
    const pidValue = route.pidValue!;
    if (method === 'DELETE') {
      const mediaType = endpoint.defaultMediaType;
      await this.service.delete(context, pidValue, this.#preconditions(endpoint, request, method, mediaType));
      return { status: 204, headers: {} };
    }
    const negotiation = this.#negotiators_(endpoint).item.negotiate({ method, headers: request.headers, query: params });
    const mediaType = negotiation.mediaType;
    let result: RecordResult;
    if (method === 'GET' || method === 'HEAD') {
      const read = await this.#read(route, method, context, request, mediaType, negotiation.headers.Vary);
      if (!('record' in read)) return read;
      result = read;
    } else if (method === 'PUT') {
      requireContentType(request.headers, [JSON_MEDIA_TYPE], { hasBody: true });
      const metadata = loadRecordJson(await readBody(request.body, request.headers, this.#maxBodyBytes));
      result = await this.service.replace(context, pidValue, metadata, this.#preconditions(endpoint, request, method, mediaType));
    } else {
      const type = requireContentType(request.headers, PATCH_TYPES, { hasBody: true, header: 'Accept-Patch' });
      const text = await readBody(request.body, request.headers, this.#maxBodyBytes);
      let patch: (current: JsonObject) => JsonObject;
      if (type === JSON_PATCH_MEDIA_TYPE) {
        const operations = loadJsonPatch(text);
        patch = (current) => applyJsonPatch(current, operations);
      } else {
        const mergePatch = loadMergePatch(text);
        patch = (current) => applyMergePatch(current, mergePatch) as JsonObject;
      }
      result = await this.service.patch(context, pidValue, patch, this.#preconditions(endpoint, request, method, mediaType));
    }
    return this.#recordResponse(200, endpoint, result, mediaType, negotiation.serializer, negotiation.headers, params);
  }

  async #export(route: Route, context: ActionContext, request: ResourceRequest, params: URLSearchParams): Promise<ResourceResponse> {
    const negotiator = this.#negotiators_(route.endpoint).export!;
    const negotiation = negotiator.negotiate({ method: 'GET', headers: request.headers, query: params });
    const records = this.service.exportRecords(context, params);
    // Pull the first record now, so permission and query errors are still proper error responses.
    const first = await records.next();
    async function* all() {
      if (first.done) return;
      yield first.value;
      yield* records;
    }
    const headers: Record<string, string> = { 'Content-Type': negotiation.mediaType };
    mergeVary(headers, negotiation.headers);
    const extension =
      negotiation.mediaType === 'text/csv' ? 'csv' : negotiation.mediaType === 'application/x-ndjson' ? 'ndjson' : undefined;
    if (extension) headers['Content-Disposition'] = `attachment; filename="${route.endpoint.name}.${extension}"`;
    return { status: 200, headers, body: negotiation.serializer(all(), { prettyprint: false }) };
  }

  /**
   * The response for an error raised outside {@link RecordsResource.handle} (e.g. by an adapter's
   * `identify` rejecting a token with a 401): the same negotiated rendering, endpoint handlers included.
   */
  async errorResponse(error: unknown, request: ResourceRequest): Promise<ResourceResponse> {
    let route: Route | undefined;
    try {
      route = this.route(new URL(request.url, this.service.baseUrl).pathname);
    } catch {
      route = undefined;
    }
    return this.#error(error, request, route);
  }

  async #error(error: unknown, request: ResourceRequest, route: Route | undefined): Promise<ResourceResponse> {
    const restError = toRestError(error);
    if (restError.status >= 500) this.#onServerError(error, request);
    if (route) {
      for (const entry of this.#errorHandlers[route.endpoint.name] ?? []) {
        const matches =
          typeof entry.match === 'number'
            ? restError.status === entry.match
            : error instanceof entry.match || restError instanceof entry.match;
        if (!matches) continue;
        const handled = await entry.handle(restError, { endpoint: route.endpoint.name, request, original: error });
        if (handled) return handled;
      }
    }
    const accept = header(request.headers, 'accept');
    const options: Parameters<typeof toResponse>[1] = { format: this.#errorFormat };
    if (accept !== undefined) options.accept = accept;
    if (this.#typeBaseUri !== undefined) options.typeBaseUri = this.#typeBaseUri;
    try {
      options.instance = new URL(request.url, this.service.baseUrl).pathname;
    } catch {
      // an unparsable target has no instance
    }
    const response = toResponse(restError, options);
    const headers = { ...response.headers };
    if (this.#errorFormat === 'invenio' && response.body !== undefined) mergeVary(headers, { Vary: 'Accept' });
    // The rest of an oversized body is never read: tell the client not to reuse the connection (RFC 9110 §15.5.14).
    if (response.status === 413) headers.Connection = 'close';
    return response.body === undefined ? { status: response.status, headers } : { status: response.status, headers, body: response.body };
  }
}
