import { isRestError, NotAcceptableError, toResponse } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { ContentNegotiator, type ContentNegotiatorOptions, type NegotiationRequest } from './index.js';

const JSON_TYPE = 'application/json';
const XML = 'application/xml';
const HTML = 'text/html';
const CSV = 'text/csv';

const records = new ContentNegotiator({
  serializers: { [JSON_TYPE]: 'json', [XML]: 'xml', [CSV]: 'csv' },
  defaultMediaType: JSON_TYPE,
  aliases: { json: JSON_TYPE, xml: XML, csv: CSV },
});

const withAccept = (accept: string | undefined, extra: Omit<NegotiationRequest, 'headers'> = {}) =>
  records.negotiate({ method: 'GET', headers: accept === undefined ? {} : { accept }, ...extra });

/** The thrown RestError, or fail the test. */
function thrown(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected a RestError to be thrown');
}

describe('ContentNegotiator', () => {
  describe('negotiate() defaults', () => {
    it.each([
      ['no Accept header', undefined],
      ['an empty Accept header', ''],
      ['an Accept of only spaces and commas', ' , '],
    ])('gives the default media type for %s, marked as the default', (_, accept) => {
      expect(withAccept(accept)).toMatchObject({ mediaType: JSON_TYPE, serializer: 'json', via: 'default' });
    });

    it('gives the default for */*', () => {
      expect(withAccept('*/*')).toMatchObject({ mediaType: JSON_TYPE, via: 'accept' });
    });

    it('makes the single registered type the default', () => {
      const single = new ContentNegotiator({ serializers: { [XML]: 'xml' } });
      expect(single.negotiate({ headers: {} }).mediaType).toBe(XML);
      expect(single.negotiate({ headers: { accept: '*/*' } }).mediaType).toBe(XML);
    });

    it('treats a missing method as GET', () => {
      expect(records.negotiate({ headers: { accept: XML } }).mediaType).toBe(XML);
    });
  });

  describe('negotiate() with Accept', () => {
    it('picks the acceptable type with the highest weight', () => {
      expect(withAccept('application/json;q=0.4, text/csv;q=0.9, application/xml;q=0.5').mediaType).toBe(CSV);
    });

    it('breaks weight ties in the server order (the default first), not the header order', () => {
      expect(withAccept('text/csv, application/xml').mediaType).toBe(XML);
      expect(withAccept('text/csv, application/xml, application/json').mediaType).toBe(JSON_TYPE);
    });

    it('on equal weight prefers a named type over one a wildcard covers', () => {
      expect(withAccept('text/csv, */*').mediaType).toBe(CSV);
    });

    it('prefers type/subtype over type/* over */* when their weights differ', () => {
      expect(withAccept('*/*;q=0.9, text/*;q=0.2, text/csv;q=0.1').mediaType).toBe(JSON_TYPE);
      expect(withAccept('text/*;q=0.9, */*;q=0.1').mediaType).toBe(CSV);
    });

    it('excludes a type given q=0 even when a wildcard would allow it', () => {
      expect(withAccept('application/json;q=0, */*').mediaType).toBe(XML);
    });

    it('matches type and subtype case-insensitively and returns the type as registered', () => {
      expect(withAccept('APPLICATION/XML').mediaType).toBe(XML);
    });

    it('ignores charset on the Accept range', () => {
      expect(withAccept('text/csv; charset=utf-8').mediaType).toBe(CSV);
    });

    it('reads a bare * as */*', () => {
      expect(withAccept('*; q=.2').mediaType).toBe(JSON_TYPE);
    });

    it('matches application/* to the first application type in server order', () => {
      expect(withAccept('application/*').mediaType).toBe(JSON_TYPE);
    });

    it('adds Vary: Accept when the method offers more than one media type', () => {
      expect(withAccept(XML).headers).toEqual({ Vary: 'Accept' });
      expect(withAccept(undefined).headers).toEqual({ Vary: 'Accept' });
      const single = new ContentNegotiator({ serializers: { [JSON_TYPE]: 'json' } });
      expect(single.negotiate({ headers: { accept: JSON_TYPE } }).headers).toEqual({});
    });

    it('reads Accept from Fetch Headers, plain objects in any letter case, and repeated headers', () => {
      expect(records.negotiate({ headers: new Headers({ Accept: XML }) }).mediaType).toBe(XML);
      expect(records.negotiate({ headers: { Accept: CSV } }).mediaType).toBe(CSV);
      expect(records.negotiate({ headers: { accept: ['image/png', 'text/csv'] } }).mediaType).toBe(CSV);
    });
  });

  describe('negotiate() with media-type parameters', () => {
    const AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
    const ld = new ContentNegotiator({
      serializers: { [JSON_TYPE]: 'json', 'application/ld+json': 'jsonld', [AS]: 'activitystreams' },
      defaultMediaType: JSON_TYPE,
    });
    const pick = (accept: string) => ld.negotiate({ headers: { accept } }).serializer;

    it('selects the offer that declares the requested profile', () => {
      expect(pick('application/ld+json; profile="https://www.w3.org/ns/activitystreams"')).toBe('activitystreams');
      expect(pick('application/ld+json;profile=https://www.w3.org/ns/activitystreams')).toBe('activitystreams');
    });

    it('falls back to the plain offer for a profile no offer declares (negotiator #62)', () => {
      expect(pick('application/ld+json;profile=http://www.w3.org/ns/json-ld#expanded')).toBe('jsonld');
    });

    it('matches a parameter the only offer does not declare instead of refusing (negotiator #35)', () => {
      const plain = new ContentNegotiator({ serializers: { 'application/vnd.api+json': 'jsonapi' } });
      expect(plain.negotiate({ headers: { accept: 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"' } }).serializer).toBe(
        'jsonapi',
      );
    });

    it('refuses a parameter that contradicts the one an offer declares', () => {
      const only = new ContentNegotiator({ serializers: { [AS]: 'activitystreams' } });
      expect(thrown(() => only.negotiate({ headers: { accept: 'application/ld+json; profile="https://example.org/other"' } })).status).toBe(
        406,
      );
    });

    it('gives the plain offer to a plain range even when a variant with parameters is registered first', () => {
      const first = new ContentNegotiator({
        serializers: { [AS]: 'activitystreams', 'application/ld+json': 'jsonld' },
        defaultMediaType: AS,
      });
      expect(first.negotiate({ headers: { accept: 'application/ld+json' } }).serializer).toBe('activitystreams');
      expect(first.negotiate({ headers: { accept: 'application/ld+json;profile="https://x.example"' } }).serializer).toBe('jsonld');
    });
  });

  describe('negotiate() with a browser Accept', () => {
    const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const CHROME =
      'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

    it('gives HTML when HTML is offered', () => {
      const withHtml = new ContentNegotiator({
        serializers: { [JSON_TYPE]: 'json', [HTML]: 'html', [XML]: 'xml' },
        defaultMediaType: JSON_TYPE,
      });
      expect(withHtml.negotiate({ headers: { accept: BROWSER } }).mediaType).toBe(HTML);
    });

    it.each([
      ['Firefox/Safari', BROWSER],
      ['Chrome', CHROME],
    ])('gives the default, not XML, to a %s Accept when no HTML is offered', (_, accept) => {
      expect(withAccept(accept)).toMatchObject({ mediaType: JSON_TYPE, via: 'default' });
    });

    it('follows the weights when browserDefault is false', () => {
      const strict = new ContentNegotiator({
        serializers: { [JSON_TYPE]: 'json', [XML]: 'xml' },
        defaultMediaType: JSON_TYPE,
        browserDefault: false,
      });
      expect(strict.negotiate({ headers: { accept: BROWSER } }).mediaType).toBe(XML);
    });

    it('does not hand out a default the browser excluded with q=0', () => {
      expect(withAccept('text/html, application/json;q=0, */*;q=0.8')).toMatchObject({ mediaType: XML, via: 'accept' });
    });

    it('leaves an API client that names XML with a low catch-all alone', () => {
      expect(withAccept('application/xml, */*;q=0.1').mediaType).toBe(XML);
    });
  });

  describe('negotiate() with the alias query parameter', () => {
    it('lets the alias win over Accept, without Vary: Accept', () => {
      expect(withAccept(JSON_TYPE, { query: new URLSearchParams('format=xml') })).toMatchObject({
        mediaType: XML,
        via: 'alias',
        headers: {},
      });
    });

    it('reads the alias from a query string, a request target or a parsed object', () => {
      expect(withAccept(undefined, { query: '?format=csv' }).mediaType).toBe(CSV);
      expect(withAccept(undefined, { query: '/records?page=2&format=csv' }).mediaType).toBe(CSV);
      expect(withAccept(undefined, { query: { format: 'xml' } }).mediaType).toBe(XML);
      expect(withAccept(undefined, { query: { format: ['xml', 'xml'] } }).mediaType).toBe(XML);
    });

    it('answers an unknown alias with a 406 that lists the valid aliases, whatever Accept says', () => {
      const error = thrown(() => withAccept(JSON_TYPE, { query: 'format=yaml' }));
      expect(error).toBeInstanceOf(NotAcceptableError);
      expect(error.status).toBe(406);
      expect(error.message).toBe('Unknown format "yaml"; use one of: json, xml, csv.');
      expect(error.toJSON()).toMatchObject({
        available: [JSON_TYPE, XML, CSV],
        aliases: { json: JSON_TYPE, xml: XML, csv: CSV },
        errors: [{ field: 'format', code: 'unknown_alias' }],
      });
      expect(error.headers.Vary).toBeUndefined();
    });

    it('ignores an empty alias value and negotiates by Accept', () => {
      expect(withAccept(XML, { query: 'format=' }).mediaType).toBe(XML);
    });

    it('answers several different alias values with a 400 naming the parameter', () => {
      const error = thrown(() => withAccept(undefined, { query: 'format=json&format=xml' }));
      expect(error.status).toBe(400);
      expect(error.errors[0]).toMatchObject({ field: 'format' });
      expect(error.errors[0]?.message).toContain('2 different values');
    });

    it('answers a structured alias value with a 400 naming the parameter', () => {
      const error = thrown(() => withAccept(undefined, { query: { format: { a: 'b' } } }));
      expect(error.status).toBe(400);
      expect(error.errors[0]?.field).toBe('format');
    });

    it('uses a configured parameter name and leaves format alone then', () => {
      const custom = new ContentNegotiator({
        serializers: { [JSON_TYPE]: 1, [XML]: 2 },
        defaultMediaType: JSON_TYPE,
        aliases: { xml: XML },
        queryParam: 'as',
      });
      expect(custom.negotiate({ query: 'as=xml' }).mediaType).toBe(XML);
      expect(custom.negotiate({ query: 'format=nonsense' }).mediaType).toBe(JSON_TYPE);
    });

    it('does not read the query at all when no aliases are configured', () => {
      const plain = new ContentNegotiator({ serializers: { [JSON_TYPE]: 1 } });
      expect(plain.negotiate({ query: 'format=yaml' }).mediaType).toBe(JSON_TYPE);
    });
  });

  describe('negotiate() refusals', () => {
    it('throws a 406 listing the available types and aliases, with Vary: Accept', () => {
      const error = thrown(() => withAccept('image/png'));
      expect(error.status).toBe(406);
      expect(error.code).toBe('not_acceptable');
      expect(error.headers).toEqual({ Vary: 'Accept' });
      const response = toResponse(error);
      expect(JSON.parse(response.body ?? '')).toMatchObject({
        status: 406,
        available: [JSON_TYPE, XML, CSV],
        aliases: { json: JSON_TYPE, xml: XML, csv: CSV },
        errors: [{ field: 'Accept', code: 'not_acceptable' }],
      });
    });

    it('throws a 406 naming the reason when the Accept header has no valid media range', () => {
      const error = thrown(() => withAccept('json'));
      expect(error.status).toBe(406);
      expect(error.errors[0]).toMatchObject({ field: 'Accept', code: 'invalid_accept' });
      expect(error.errors[0]?.message).toContain('no valid media range');
    });

    it('throws a 406 when q=0 excludes everything, including */*;q=0', () => {
      expect(thrown(() => withAccept('*/*;q=0')).status).toBe(406);
      const single = new ContentNegotiator({ serializers: { [JSON_TYPE]: 'json' } });
      expect(thrown(() => single.negotiate({ headers: { accept: 'application/json;q=0, */*' } })).status).toBe(406);
    });

    it('returns a fresh error for every refusal, so one request cannot taint another', () => {
      const first = thrown(() => withAccept('image/png'));
      const second = thrown(() => withAccept('image/png'));
      expect(second).not.toBe(first);
    });
  });

  describe('negotiate() per method', () => {
    const service = new ContentNegotiator({
      serializers: { [JSON_TYPE]: 'json', [XML]: 'xml' },
      methodSerializers: {
        post: { [JSON_TYPE]: 'json-created' },
        GET: { [JSON_TYPE]: 'json', [XML]: 'xml', [CSV]: 'csv' },
      },
      defaultMediaType: JSON_TYPE,
      defaultMethodMediaTypes: { GET: CSV, PUT: XML },
      aliases: { json: JSON_TYPE, xml: XML, csv: CSV },
    });

    it('uses the method serializers, with method names case-insensitive', () => {
      expect(service.negotiate({ method: 'POST' }).serializer).toBe('json-created');
      expect(service.negotiate({ method: 'post', headers: { accept: JSON_TYPE } }).serializer).toBe('json-created');
    });

    it('uses the per-method default', () => {
      expect(service.negotiate({ method: 'GET' }).mediaType).toBe(CSV);
      expect(service.negotiate({ method: 'PUT' }).mediaType).toBe(XML);
      expect(service.negotiate({ method: 'PATCH' }).mediaType).toBe(JSON_TYPE);
    });

    it('negotiates HEAD like GET', () => {
      expect(service.negotiate({ method: 'HEAD' }).mediaType).toBe(CSV);
      expect(service.negotiate({ method: 'HEAD', headers: { accept: XML } }).serializer).toBe('xml');
    });

    it('refuses, before any work, a POST whose Accept the POST serializers cannot satisfy', () => {
      const error = thrown(() => service.negotiate({ method: 'POST', headers: { accept: XML } }));
      expect(error.status).toBe(406);
      expect(error.toJSON()).toMatchObject({ available: [JSON_TYPE], aliases: { json: JSON_TYPE } });
    });

    it('refuses an alias whose type the method does not offer, listing only the method aliases', () => {
      const error = thrown(() => service.negotiate({ method: 'POST', query: 'format=xml' }));
      expect(error.status).toBe(406);
      expect(error.message).toBe('Unknown format "xml"; use one of: json.');
    });

    it('leaves out Vary for a method with a single media type', () => {
      expect(service.negotiate({ method: 'POST', headers: { accept: '*/*' } }).headers).toEqual({});
    });

    it('answers a method without serializers with a 405 listing the configured ones when there is no global list', () => {
      const methodsOnly = new ContentNegotiator({ methodSerializers: { GET: { [JSON_TYPE]: 1 }, POST: { [JSON_TYPE]: 2 } } });
      const error = thrown(() => methodsOnly.negotiate({ method: 'DELETE' }));
      expect(error.status).toBe(405);
      expect(error.headers.Allow).toBe('GET, POST, HEAD');
    });
  });

  describe('offers()', () => {
    it('reports the media types (default first), the default and the aliases of a method', () => {
      expect(records.offers('GET')).toEqual({
        mediaTypes: [JSON_TYPE, XML, CSV],
        defaultMediaType: JSON_TYPE,
        aliases: { json: JSON_TYPE, xml: XML, csv: CSV },
      });
      const reordered = new ContentNegotiator({ serializers: { [XML]: 1, [JSON_TYPE]: 2 }, defaultMediaType: JSON_TYPE });
      expect(reordered.offers().mediaTypes).toEqual([JSON_TYPE, XML]);
    });
  });

  describe('constructor', () => {
    const cases: [string, ContentNegotiatorOptions<number>, RegExp][] = [
      ['no serializers at all', {}, /no serializers/],
      ['an empty serializers map', { serializers: {} }, /no serializers/],
      [
        'several serializers and no default',
        { serializers: { [JSON_TYPE]: 1, [XML]: 2 } },
        /serializers has several media types \(application\/json, application\/xml\) and no default; set defaultMediaType/,
      ],
      [
        'a default that is not registered',
        { serializers: { [JSON_TYPE]: 1 }, defaultMediaType: XML },
        /defaultMediaType "application\/xml" is not registered in serializers/,
      ],
      [
        'an alias pointing at an unregistered type',
        { serializers: { [JSON_TYPE]: 1 }, aliases: { xml: XML } },
        /aliases\.xml points at "application\/xml", which no serializer is registered for/,
      ],
      ['an alias that is not a media type', { serializers: { [JSON_TYPE]: 1 }, aliases: { x: 'xml' } }, /aliases\.x is not a media type/],
      ['a key that is not a media type', { serializers: { json: 1 } }, /serializers key is not a media type: "json"/],
      ['a wildcard key', { serializers: { '*/*': 1 } }, /a media range; register concrete media types/],
      [
        'a type registered twice in two spellings',
        { serializers: { [JSON_TYPE]: 1, 'Application/JSON': 2 }, defaultMediaType: JSON_TYPE },
        /registers the same media type twice/,
      ],
      [
        'a method with several types and no usable default',
        { methodSerializers: { POST: { [JSON_TYPE]: 1, [XML]: 2 } } },
        /methodSerializers\.POST has several media types .* set defaultMethodMediaTypes\.POST/,
      ],
      [
        'a method default the method does not offer',
        { serializers: { [JSON_TYPE]: 1 }, methodSerializers: { POST: { [JSON_TYPE]: 1 } }, defaultMethodMediaTypes: { POST: XML } },
        /the default of methodSerializers\.POST, "application\/xml", is not one of its media types/,
      ],
      [
        'a HEAD default without HEAD serializers',
        { serializers: { [JSON_TYPE]: 1 }, defaultMethodMediaTypes: { HEAD: JSON_TYPE } },
        /HEAD is negotiated like GET/,
      ],
      ['a negative cache size', { serializers: { [JSON_TYPE]: 1 }, cacheSize: -1 }, /cacheSize must be a non-negative integer/],
      [
        'an empty query parameter name',
        { serializers: { [JSON_TYPE]: 1 }, aliases: { json: JSON_TYPE }, queryParam: '' },
        /queryParam must be a non-empty string/,
      ],
      [
        'a method listed twice in two spellings',
        { methodSerializers: { get: { [JSON_TYPE]: 1 }, GET: { [JSON_TYPE]: 1 } } },
        /names the method GET twice/,
      ],
    ];
    it.each(cases)('throws a TypeError naming the problem for %s', (_, options, message) => {
      expect(() => new ContentNegotiator(options)).toThrow(TypeError);
      expect(() => new ContentNegotiator(options)).toThrow(message);
    });

    it('checks every method, even when some method defaults are given (Invenio skips the check then)', () => {
      expect(
        () =>
          new ContentNegotiator({
            methodSerializers: { GET: { [JSON_TYPE]: 1 }, POST: { [JSON_TYPE]: 1, [XML]: 2 } },
            defaultMethodMediaTypes: { GET: JSON_TYPE },
          }),
      ).toThrow(/methodSerializers\.POST has several media types/);
    });

    it('uses defaultMediaType for a method that offers it', () => {
      const n = new ContentNegotiator({ methodSerializers: { GET: { [XML]: 1, [JSON_TYPE]: 2 } }, defaultMediaType: JSON_TYPE });
      expect(n.negotiate({ method: 'GET' }).mediaType).toBe(JSON_TYPE);
    });
  });

  // The matching vectors of reference/invenio-catalog.md §1.4, run against a view with JSON (the default)
  // and XML. `invenio` is what ContentNegotiatedMethodView answers; where it differs from `ours`, `why`
  // says which rule of ours decides (docs/decisions/010-negotiation-policy.md).
  describe('Invenio §1.4 matching vectors', () => {
    const view = new ContentNegotiator({ serializers: { [JSON_TYPE]: 'json', [XML]: 'xml' }, defaultMediaType: JSON_TYPE });
    const outcome = (accept: string | undefined, negotiator = view) => {
      try {
        return negotiator.negotiate({ headers: accept === undefined ? {} : { accept } }).mediaType;
      } catch (error) {
        if (isRestError(error)) return error.status;
        throw error;
      }
    };
    const vectors: { accept: string | undefined; invenio: string | number; ours: string | number; why?: string }[] = [
      { accept: undefined, invenio: JSON_TYPE, ours: JSON_TYPE },
      { accept: '', invenio: JSON_TYPE, ours: JSON_TYPE },
      { accept: XML, invenio: XML, ours: XML },
      {
        accept: 'application/*',
        invenio: 406,
        ours: JSON_TYPE,
        why: 'type/* is a media range (RFC 9110 §12.5.1); Invenio compares strings',
      },
      { accept: 'APPLICATION/JSON', invenio: 406, ours: JSON_TYPE, why: 'types are case-insensitive (RFC 9110 §8.3.1)' },
      { accept: 'application/json; charset=utf-8', invenio: 406, ours: JSON_TYPE, why: 'charset is ignored' },
      { accept: '*/*;q=0', invenio: JSON_TYPE, ours: 406, why: 'q=0 means "not acceptable" (RFC 9110 §12.4.2)' },
      { accept: 'application/json;q=0, */*', invenio: JSON_TYPE, ours: XML, why: 'q=0 excludes the default too' },
      {
        accept: 'application/xml, application/json',
        invenio: XML,
        ours: JSON_TYPE,
        why: 'ties go to the server order, not the header order',
      },
      {
        accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
        invenio: XML,
        ours: JSON_TYPE,
        why: 'a browser gets the default unless HTML is offered',
      },
      { accept: 'image/png', invenio: 406, ours: 406 },
      { accept: 'image/png, */*;q=0.1', invenio: JSON_TYPE, ours: JSON_TYPE },
    ];
    it.each(vectors)('Accept $accept: Invenio $invenio, ours $ours ($why)', ({ accept, ours }) => {
      expect(outcome(accept)).toBe(ours);
    });

    it('answers an unknown alias with 406 where Invenio silently falls back to Accept', () => {
      const aliased = new ContentNegotiator({
        serializers: { [JSON_TYPE]: 1, [XML]: 2 },
        defaultMediaType: JSON_TYPE,
        aliases: { xml: XML },
      });
      expect(thrown(() => aliased.negotiate({ query: 'format=yml', headers: { accept: XML } })).status).toBe(406);
    });

    it('refuses a serializer registered under */* at construction (Invenio matches it to anything)', () => {
      expect(() => new ContentNegotiator({ serializers: { '*/*': 1 } })).toThrow(/media range/);
    });
  });
});
