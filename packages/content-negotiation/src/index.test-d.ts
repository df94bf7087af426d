import { describe, expectTypeOf, it } from 'vitest';
import { ContentNegotiator, type Negotiation, requireContentType } from './index.js';

type Serializer = (value: unknown) => string;
const toJson: Serializer = (value) => JSON.stringify(value);

describe('ContentNegotiator types', () => {
  it('infers the serializer type from the configuration', () => {
    const negotiator = new ContentNegotiator({ serializers: { 'application/json': toJson } });
    expectTypeOf(negotiator).toEqualTypeOf<ContentNegotiator<Serializer>>();
    expectTypeOf(negotiator.negotiate({}).serializer).toEqualTypeOf<Serializer>();
    expectTypeOf(negotiator.negotiate({}).via).toEqualTypeOf<'alias' | 'accept' | 'default'>();
  });

  it('returns a read-only result', () => {
    const result = new ContentNegotiator({ serializers: { 'application/json': 1 } }).negotiate({});
    expectTypeOf(result).toEqualTypeOf<Negotiation<number>>();
    // @ts-expect-error the shared result must not be changed
    result.mediaType = 'text/plain';
    // @ts-expect-error nor its headers
    result.headers.Vary = 'Origin';
  });

  it('accepts the headers and query shapes frameworks hand over', () => {
    const negotiator = new ContentNegotiator({ serializers: { 'application/json': toJson } });
    negotiator.negotiate({ method: 'GET', headers: new Headers(), query: new URLSearchParams() });
    negotiator.negotiate({ headers: { accept: 'application/json', 'x-many': ['a', 'b'] }, query: { format: ['json'] } });
    negotiator.negotiate({ query: '?format=json' });
    // @ts-expect-error headers are an object
    negotiator.negotiate({ headers: 'application/json' });
  });

  it('types requireContentType', () => {
    expectTypeOf(requireContentType({}, ['application/json'])).toEqualTypeOf<string | undefined>();
    // @ts-expect-error header is Accept or Accept-Patch
    requireContentType({}, ['application/json'], { header: 'Allow' });
  });
});
