import { FieldError, MethodNotAllowedError, NotAcceptableError } from '@recordkit/rest-errors';
import { isBrowserAccept, isHtml, preferredOffer, qualityOf } from './match.js';
import { canonicalMediaType, type MediaRange, parseMediaType, scanMediaRanges } from './media-type.js';
import { type HeadersInput, type QueryInput, readHeader, readQueryValue } from './request-input.js';

/**
 * Configuration of a {@link ContentNegotiator}. Every key mirrors an argument of Invenio's
 * `ContentNegotiatedMethodView` (`serializers`, `method_serializers`, `serializers_query_aliases`,
 * `default_media_type`, `default_method_media_type`).
 *
 * @example
 * const options: ContentNegotiatorOptions<Serializer> = {
 *   serializers: { 'application/json': toJson, 'application/xml': toXml },
 *   methodSerializers: { POST: { 'application/json': toJson } },
 *   defaultMediaType: 'application/json',
 *   aliases: { json: 'application/json', xml: 'application/xml' },
 * };
 */
export interface ContentNegotiatorOptions<S> {
  /**
   * Media type -> serializer, for every method without an entry in `methodSerializers`. Key order is the
   * server's preference after the default (it decides ties).
   */
  serializers?: Readonly<Record<string, S>>;
  /** HTTP method -> media type -> serializer. Method names are case-insensitive. HEAD falls back to GET. */
  methodSerializers?: Readonly<Record<string, Readonly<Record<string, S>>>>;
  /** Query-parameter value -> media type, e.g. `{ json: 'application/json' }` for `?format=json`. */
  aliases?: Readonly<Record<string, string>>;
  /** Name of the query parameter the aliases are read from. Default `format`. */
  queryParam?: string;
  /** Sent when the client states no preference. Required when `serializers` has more than one entry. */
  defaultMediaType?: string;
  /** HTTP method -> its default media type, when it should differ from `defaultMediaType`. */
  defaultMethodMediaTypes?: Readonly<Record<string, string>>;
  /** How many distinct Accept values to remember per method (first in, first out). Default 256; 0 turns caching off. */
  cacheSize?: number;
  /**
   * Answer a browser's navigation Accept (`text/html,...,*\/*;q=0.8`) with the default media type unless an
   * HTML type is offered, instead of whatever its lower-weighted entries (`application/xml`) match.
   * Default `true`.
   */
  browserDefault?: boolean;
}

/**
 * What {@link ContentNegotiator.negotiate} reads from a request: the method, `Accept`
 * (RFC 9110 §12.5.1) and the alias query parameter.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1 RFC 9110 §12.5.1 Accept
 * @example
 * const request: NegotiationRequest = { method: req.method, headers: req.headers, query: url.searchParams };
 */
export interface NegotiationRequest {
  /** The HTTP method; GET when absent. */
  method?: string;
  /** The request headers; only `Accept` is read. */
  headers?: HeadersInput | null;
  /** The query parameters; only the alias parameter (`format`) is read, and only when aliases are configured. */
  query?: QueryInput | null;
}

/**
 * The outcome of a successful negotiation. Shared between requests and frozen: read it, do not change it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5 RFC 9110 §12.5.5 Vary
 * @example
 * const { mediaType, serializer, headers } = negotiator.negotiate(request);
 * for (const [name, value] of Object.entries(headers)) res.appendHeader(name, value);
 * res.writeHead(200, { 'Content-Type': mediaType }).end(serializer(record));
 */
export interface Negotiation<S> {
  /** The chosen media type, exactly as registered (use it as the response's `Content-Type`). */
  readonly mediaType: string;
  /** The serializer registered for it. */
  readonly serializer: S;
  /**
   * Headers to add to the response: `Vary: Accept` when the method offers more than one media type and
   * the Accept header decided (RFC 9110 §12.5.5). Append to an existing `Vary`, do not replace it.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * `alias`: the query parameter chose; `accept`: the Accept header chose; `default`: the client stated
   * no usable preference (no or empty Accept, or a browser's generic Accept).
   */
  readonly via: 'alias' | 'accept' | 'default';
}

/**
 * What one method offers, as {@link ContentNegotiator.offers} reports it.
 *
 * @example
 * const { mediaTypes, defaultMediaType, aliases } = negotiator.offers('GET');
 */
export interface MethodOffers {
  /** Offered media types in server preference order, the default first. */
  mediaTypes: string[];
  defaultMediaType: string;
  /** The aliases that lead to one of `mediaTypes`. */
  aliases: Record<string, string>;
}

const DEFAULT_CACHE_SIZE = 256;
// Longer Accept values are negotiated but not remembered, so a client cannot fill memory with them.
const MAX_CACHED_ACCEPT_LENGTH = 512;
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const VARY_ACCEPT: Readonly<Record<string, string>> = Object.freeze({ Vary: 'Accept' });

// Cached decisions besides an offer index.
const NONE_ACCEPTABLE = -1;
const USE_DEFAULT = -2;
const NO_VALID_RANGE = -3;

interface Offer<S> {
  key: string;
  range: MediaRange;
  canonical: string;
  serializer: S;
}

interface Table<S> {
  offers: Offer<S>[];
  /** The offers' parsed types, in the same (server preference) order. */
  ranges: MediaRange[];
  byAccept: Negotiation<S>[];
  byDefault: Negotiation<S>;
  byAlias: Map<string, Negotiation<S>>;
  available: string[];
  aliases: Record<string, string>;
  cache: Map<string, number>;
}

/**
 * Chooses the serializer for a request, as Invenio's `ContentNegotiatedMethodView` does, with its defects
 * fixed: built once from configuration (configuration errors throw here, naming the problem), then
 * {@link ContentNegotiator.negotiate} is a pure function of the request, so a handler negotiates before
 * doing any work and refuses with 406 before anything is written.
 *
 * Rules, in order: the alias query parameter (`?format=json`) wins over Accept, and an unknown alias is a
 * 406; a missing or empty Accept, or `*\/*`, gives the default; otherwise proactive negotiation per
 * RFC 9110 §12.5.1 (weights, `q=0` exclusion, most specific range wins, case-insensitive, media-type
 * parameters, a bare `*` read as `*\/*`), ties going to the server's order. See the package README.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1 RFC 9110 §12.5.1 Accept
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5 RFC 9110 §12.5.5 Vary
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.7 RFC 9110 §15.5.7 406 Not Acceptable
 * @example
 * const negotiator = new ContentNegotiator({
 *   serializers: { 'application/json': toJson, 'application/xml': toXml },
 *   defaultMediaType: 'application/json',
 *   aliases: { json: 'application/json', xml: 'application/xml' },
 * });
 * const { mediaType, serializer, headers } = negotiator.negotiate({ method: 'GET', headers: req.headers, query: url.searchParams });
 */
export class ContentNegotiator<S> {
  readonly #tables = new Map<string, Table<S>>();
  readonly #global: Table<S> | undefined;
  readonly #queryParam: string | undefined;
  readonly #cacheSize: number;
  readonly #browserDefault: boolean;

  constructor(options: ContentNegotiatorOptions<S>) {
    const where = 'ContentNegotiator';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    if (!Number.isInteger(cacheSize) || cacheSize < 0) {
      throw new TypeError(`${where}: cacheSize must be a non-negative integer, got ${String(options.cacheSize)}`);
    }
    this.#cacheSize = cacheSize;
    this.#browserDefault = options.browserDefault ?? true;

    const globalOffers = options.serializers === undefined ? undefined : readOffers(options.serializers, 'serializers');
    const methodOffers = new Map<string, Offer<S>[]>();
    for (const [method, serializers] of Object.entries(options.methodSerializers ?? {})) {
      const name = method.toUpperCase();
      if (methodOffers.has(name))
        throw new TypeError(`${where}: methodSerializers names the method ${name} twice (as "${method}" and another spelling)`);
      methodOffers.set(name, readOffers(serializers, `methodSerializers.${method}`));
    }
    if (!globalOffers?.length && methodOffers.size === 0) {
      throw new TypeError(`${where}: no serializers; give serializers (media type -> serializer) or methodSerializers`);
    }
    for (const [name, offers] of methodOffers) {
      if (offers.length === 0) throw new TypeError(`${where}: methodSerializers.${name} is empty; remove it or register a media type`);
    }
    if (globalOffers?.length === 0) throw new TypeError(`${where}: serializers is empty; register a media type or leave it out`);

    const defaultType = options.defaultMediaType === undefined ? undefined : readType(options.defaultMediaType, 'defaultMediaType');
    const methodDefaults = new Map<string, MediaRange & { text: string }>();
    for (const [method, type] of Object.entries(options.defaultMethodMediaTypes ?? {})) {
      const name = method.toUpperCase();
      if (methodDefaults.has(name)) throw new TypeError(`${where}: defaultMethodMediaTypes names the method ${name} twice`);
      methodDefaults.set(name, { ...readType(type, `defaultMethodMediaTypes.${method}`), text: type });
    }

    // Aliases are checked against everything registered; each method later keeps those it offers.
    const aliases = new Map<string, string>();
    const registered = new Set<string>();
    for (const offers of [globalOffers ?? [], ...methodOffers.values()]) for (const offer of offers) registered.add(offer.canonical);
    for (const [alias, type] of Object.entries(options.aliases ?? {})) {
      if (alias === '') throw new TypeError(`${where}: aliases has an empty name`);
      const canonical = canonicalMediaType(readType(type, `aliases.${alias}`));
      if (!registered.has(canonical)) {
        throw new TypeError(
          `${where}: aliases.${alias} points at "${type}", which no serializer is registered for (registered: ${[...registered].join(', ')})`,
        );
      }
      aliases.set(alias, canonical);
    }
    if (options.queryParam !== undefined && (typeof options.queryParam !== 'string' || options.queryParam === '')) {
      throw new TypeError(`${where}: queryParam must be a non-empty string`);
    }
    this.#queryParam = aliases.size > 0 ? (options.queryParam ?? 'format') : undefined;

    if (defaultType !== undefined) {
      const canonical = canonicalMediaType(defaultType);
      const home = globalOffers ?? [...methodOffers.values()].flat();
      if (!home.some((offer) => offer.canonical === canonical)) {
        throw new TypeError(
          `${where}: defaultMediaType "${options.defaultMediaType}" is not registered in ${globalOffers ? 'serializers' : 'any of methodSerializers'} (registered: ${unique(home).join(', ')})`,
        );
      }
    }

    const build = (offers: Offer<S>[], label: string, preferred: MediaRange | undefined, explicit: boolean): Table<S> => {
      let chosen: Offer<S> | undefined;
      if (preferred !== undefined) {
        const canonical = canonicalMediaType(preferred);
        chosen = offers.find((offer) => offer.canonical === canonical);
        if (chosen === undefined && explicit) {
          throw new TypeError(
            `${where}: the default of ${label}, "${canonical}", is not one of its media types (${offers.map((o) => o.key).join(', ')})`,
          );
        }
      }
      if (chosen === undefined && offers.length === 1) chosen = offers[0];
      if (chosen === undefined) {
        throw new TypeError(
          `${where}: ${label} has several media types (${offers.map((o) => o.key).join(', ')}) and no default; set ${label === 'serializers' ? 'defaultMediaType' : `defaultMethodMediaTypes.${label.slice(label.indexOf('.') + 1)} or a defaultMediaType it offers`}`,
        );
      }
      return this.#table([chosen, ...offers.filter((offer) => offer !== chosen)], aliases);
    };

    if (globalOffers) this.#global = build(globalOffers, 'serializers', defaultType, true);
    for (const [method, offers] of methodOffers) {
      const own = methodDefaults.get(method);
      this.#tables.set(method, build(offers, `methodSerializers.${method}`, own ?? defaultType, own !== undefined));
    }
    for (const [method, type] of methodDefaults) {
      if (methodOffers.has(method)) continue;
      if (method === 'HEAD') {
        throw new TypeError(
          `${where}: defaultMethodMediaTypes.HEAD has no effect without methodSerializers.HEAD: HEAD is negotiated like GET`,
        );
      }
      if (!globalOffers) throw new TypeError(`${where}: defaultMethodMediaTypes.${method} is set, but ${method} has no serializers`);
      this.#tables.set(method, build(globalOffers, `defaultMethodMediaTypes.${method}`, type, true));
    }
  }

  /**
   * Choose the serializer for a request. Pure: reads the method, the alias query parameter and `Accept`,
   * changes nothing, so call it before any side effect.
   *
   * @throws NotAcceptableError (406) listing the available media types and aliases, when nothing
   *   acceptable is offered or the alias is unknown.
   * @throws ValidationError (400) when the alias parameter is given several different values.
   * @throws MethodNotAllowedError (405) when only `methodSerializers` is configured and the method has none.
   * @see https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1 RFC 9110 §12.5.1 Accept
   * @example
   * const { serializer, mediaType, headers } = negotiator.negotiate({ method: req.method, headers: req.headers, query: req.query });
   */
  negotiate(request: NegotiationRequest): Negotiation<S> {
    const table = this.#tableFor(request.method);
    if (this.#queryParam !== undefined && request.query != null) {
      const alias = readQueryValue(request.query, this.#queryParam);
      if (alias !== undefined && alias !== '') {
        const found = table.byAlias.get(alias);
        if (found) return found;
        throw unknownAlias(table, this.#queryParam, alias);
      }
    }
    const accept = readHeader(request.headers, 'accept');
    if (accept === undefined || accept === '') return table.byDefault;
    let decision = table.cache.get(accept);
    if (decision === undefined) {
      decision = this.#decide(table, accept);
      if (this.#cacheSize > 0 && accept.length <= MAX_CACHED_ACCEPT_LENGTH) {
        if (table.cache.size >= this.#cacheSize) table.cache.delete(table.cache.keys().next().value as string);
        table.cache.set(accept, decision);
      }
    }
    if (decision >= 0) return table.byAccept[decision]!;
    if (decision === USE_DEFAULT) return table.byDefault;
    throw notAcceptable(table, decision === NO_VALID_RANGE);
  }

  /**
   * What a method offers: its media types (default first), its default and the aliases that reach them.
   * For OPTIONS responses, OpenAPI documents and error messages.
   *
   * @example
   * negotiator.offers('GET').mediaTypes; // ['application/json', 'application/xml']
   */
  offers(method = 'GET'): MethodOffers {
    const table = this.#tableFor(method);
    return { mediaTypes: [...table.available], defaultMediaType: table.available[0]!, aliases: { ...table.aliases } };
  }

  #tableFor(method: string | undefined): Table<S> {
    if (method === undefined) return this.#tables.get('GET') ?? this.#global ?? this.#unknownMethod('GET');
    const name = this.#tables.has(method) ? method : method.toUpperCase();
    const table = this.#tables.get(name) ?? (name === 'HEAD' ? this.#tables.get('GET') : undefined) ?? this.#global;
    return table ?? this.#unknownMethod(name);
  }

  #unknownMethod(method: string): never {
    const allowed = [...this.#tables.keys()];
    if (this.#tables.has('GET') && !this.#tables.has('HEAD')) allowed.push('HEAD');
    throw new MethodNotAllowedError(allowed, { details: { method } });
  }

  #decide(table: Table<S>, accept: string): number {
    const { ranges } = scanMediaRanges(accept, true);
    // A value of only spaces and commas is an empty list: the client states no preference.
    if (ranges.length === 0) return /^[\s,]*$/.test(accept) ? USE_DEFAULT : NO_VALID_RANGE;
    const index = preferredOffer(table.ranges, ranges);
    if (index < 0) return NONE_ACCEPTABLE;
    // The browser rule never hands out a default the client excluded with q=0.
    if (
      this.#browserDefault &&
      index !== 0 &&
      !isHtml(table.ranges[index]!) &&
      isBrowserAccept(ranges) &&
      qualityOf(table.ranges[0]!, ranges).q > 0
    ) {
      return USE_DEFAULT;
    }
    return index;
  }

  #table(offers: Offer<S>[], aliases: Map<string, string>): Table<S> {
    const headers = offers.length > 1 ? VARY_ACCEPT : NO_HEADERS;
    const result = (offer: Offer<S>, via: Negotiation<S>['via'], h: Readonly<Record<string, string>>): Negotiation<S> =>
      Object.freeze({ mediaType: offer.key, serializer: offer.serializer, headers: h, via });
    const byAlias = new Map<string, Negotiation<S>>();
    const tableAliases: Record<string, string> = {};
    for (const [alias, canonical] of aliases) {
      const offer = offers.find((o) => o.canonical === canonical);
      if (offer === undefined) continue;
      byAlias.set(alias, result(offer, 'alias', NO_HEADERS));
      tableAliases[alias] = offer.key;
    }
    return {
      offers,
      ranges: offers.map((offer) => offer.range),
      byAccept: offers.map((offer) => result(offer, 'accept', headers)),
      byDefault: result(offers[0]!, 'default', headers),
      byAlias,
      available: offers.map((offer) => offer.key),
      aliases: tableAliases,
      cache: new Map(),
    };
  }
}

function readType(text: unknown, label: string): MediaRange {
  const range = typeof text === 'string' ? parseMediaType(text.trim()) : undefined;
  if (range === undefined)
    throw new TypeError(`ContentNegotiator: ${label} is not a media type: ${JSON.stringify(text)} (expected type/subtype)`);
  if (range.type === '*' || range.subtype === '*') {
    throw new TypeError(`ContentNegotiator: ${label} is "${text}", a media range; register concrete media types (type/subtype)`);
  }
  if (range.params.has('q'))
    throw new TypeError(`ContentNegotiator: ${label} "${text}" has a q parameter, which only Accept headers may carry`);
  return range;
}

function readOffers<S>(serializers: Readonly<Record<string, S>>, label: string): Offer<S>[] {
  if (serializers === null || typeof serializers !== 'object')
    throw new TypeError(`ContentNegotiator: ${label} must be an object (media type -> serializer)`);
  const offers: Offer<S>[] = [];
  const seen = new Map<string, string>();
  for (const [key, serializer] of Object.entries(serializers)) {
    const range = readType(key, `${label} key`);
    const canonical = canonicalMediaType(range);
    const earlier = seen.get(canonical);
    if (earlier !== undefined)
      throw new TypeError(`ContentNegotiator: ${label} registers the same media type twice: "${earlier}" and "${key}"`);
    if (serializer === undefined) throw new TypeError(`ContentNegotiator: ${label}["${key}"] has no serializer`);
    seen.set(canonical, key);
    offers.push({ key: key.trim(), range, canonical, serializer });
  }
  return offers;
}

function unique<S>(offers: Offer<S>[]): string[] {
  return [...new Set(offers.map((offer) => offer.key))];
}

const MAX_ECHO = 64;

function unknownAlias<S>(table: Table<S>, param: string, alias: string): NotAcceptableError {
  const names = Object.keys(table.aliases);
  const shown = alias.length > MAX_ECHO ? `${alias.slice(0, MAX_ECHO)}...` : alias;
  const reason = names.length
    ? `Unknown ${param} "${shown}"; use one of: ${names.join(', ')}.`
    : `Unknown ${param} "${shown}"; this method has no ${param} values.`;
  return new NotAcceptableError(
    { available: table.available, aliases: table.aliases, message: reason },
    { errors: [new FieldError(param, reason, 'unknown_alias')] },
  );
}

function notAcceptable<S>(table: Table<S>, noValidRange: boolean): NotAcceptableError {
  const reason = noValidRange
    ? 'The Accept header has no valid media range (expected type/subtype, e.g. application/json).'
    : `None of the media types in the Accept header is available; available: ${table.available.join(', ')}.`;
  return new NotAcceptableError(
    { available: table.available, aliases: table.aliases },
    { headers: { Vary: 'Accept' }, errors: [new FieldError('Accept', reason, noValidRange ? 'invalid_accept' : 'not_acceptable')] },
  );
}
