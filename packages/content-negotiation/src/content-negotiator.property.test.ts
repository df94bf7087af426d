import { isRestError } from '@recordkit/rest-errors';
import fc from 'fast-check';
import Negotiator from 'negotiator';
import { describe, expect, it } from 'vitest';
import { ContentNegotiator } from './index.js';
import { qualityOf } from './match.js';
import { parseMediaType, scanMediaRanges } from './media-type.js';

// A small vocabulary, so generated Accept headers often hit what is offered.
const TYPES = ['application/json', 'application/xml', 'application/ld+json', 'text/csv', 'text/html', 'application/vnd.api+json'];
const PARAMS = [
  ['profile', '"https://www.w3.org/ns/activitystreams"'],
  ['profile', 'https://example.org/other'],
  ['ext', '"https://jsonapi.org/ext/atomic"'],
  ['level', '1'],
  ['charset', 'utf-8'],
  ['charset', 'iso-8859-1'],
] as const;

const params = fc.subarray([...PARAMS], { maxLength: 2 }).map((list) => list.map(([name, value]) => `;${name}=${value}`).join(''));
const offeredType = fc.tuple(fc.constantFrom(...TYPES), fc.oneof(fc.constant(''), params)).map(([type, p]) => `${type}${p}`);
const offers = fc.uniqueArray(offeredType, { minLength: 1, maxLength: 5, selector: (t) => canonical(t) });

const weight = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 1000 }).map((n) => `;q=${(n / 1000).toFixed(3).replace(/\.?0+$/, '') || '0'}`),
);
const rangeName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('*/*', 'application/*', 'text/*', 'image/png', '*') },
);
// Letter case is noise in type, subtype and parameter names (RFC 9110 §8.3.1), not in parameter values.
const caseNoise = (text: string, upper: boolean[]) =>
  text
    .split(';')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq === -1 ? part : part.slice(0, eq);
      return [...name].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join('') + (eq === -1 ? '' : part.slice(eq));
    })
    .join(';');
const range = fc
  .tuple(rangeName, fc.oneof(fc.constant(''), params), weight, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }))
  .map(([name, p, q, upper]) => `${caseNoise(name, upper)}${p}${q}`);
const accept = fc.array(range, { minLength: 1, maxLength: 6 }).map((list) => list.join(', '));

function canonical(type: string): string {
  const parsed = parseMediaType(type);
  if (!parsed) throw new Error(`arbitrary produced an invalid type ${type}`);
  return `${parsed.type}/${parsed.subtype}|${[...parsed.params].sort().join('&')}|${parsed.charset ?? ''}`;
}

function build(list: string[], browserDefault = true) {
  return new ContentNegotiator({
    serializers: Object.fromEntries(list.map((type, index) => [type, index])),
    defaultMediaType: list[0],
    browserDefault,
  });
}

function negotiateOrStatus(negotiator: ContentNegotiator<number>, header: string) {
  try {
    return negotiator.negotiate({ headers: { accept: header } });
  } catch (error) {
    if (isRestError(error)) return error.status;
    throw error;
  }
}

describe('ContentNegotiator properties', () => {
  it('always chooses a type that was offered, with its own serializer, or answers 406', () => {
    fc.assert(
      fc.property(offers, accept, (list, header) => {
        const outcome = negotiateOrStatus(build(list), header);
        if (typeof outcome === 'number') return outcome === 406;
        return list.includes(outcome.mediaType) && list[outcome.serializer] === outcome.mediaType;
      }),
      { numRuns: 2000 },
    );
  });

  it('never answers 406 when Accept lists an offered type with q > 0, whatever else it lists', () => {
    fc.assert(
      fc.property(
        offers,
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        accept,
        fc.nat({ max: 6 }),
        (list, pick, q, upper, noise, position) => {
          const listed = `${caseNoise(list[pick % list.length]!, upper)};q=${q / 1000}`;
          const parts = noise.split(', ');
          parts.splice(position % (parts.length + 1), 0, listed);
          const outcome = negotiateOrStatus(build(list), parts.join(', '));
          return typeof outcome !== 'number';
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never chooses a type the Accept header gives weight 0, browser rule included', () => {
    fc.assert(
      fc.property(offers, accept, (list, header) => {
        const outcome = negotiateOrStatus(build(list), header);
        if (typeof outcome === 'number') return true;
        const ranges = scanMediaRanges(header, true).ranges;
        return ranges.length === 0 || qualityOf(parseMediaType(outcome.mediaType)!, ranges).q > 0;
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same answer from the cache as from a fresh negotiator', () => {
    fc.assert(
      fc.property(offers, fc.array(accept, { minLength: 1, maxLength: 8 }), (list, headers) => {
        const cached = build(list);
        for (const header of [...headers, ...headers]) {
          const fresh = negotiateOrStatus(build(list), header);
          const again = negotiateOrStatus(cached, header);
          const key = (o: typeof fresh) => (typeof o === 'number' ? o : `${o.mediaType}|${o.via}`);
          if (key(fresh) !== key(again)) return false;
        }
        return true;
      }),
    );
  });

  // negotiator is right where it has no defect: no parameters, no bare `*`. There, a different choice of
  // ours must be a tie (same weight, same specificity) that we break in server order and it in header order.
  it('agrees with negotiator on parameter-free headers except where a tie is broken by server order', () => {
    const plainOffers = fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 5 });
    const plainRange = fc
      .tuple(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...TYPES) },
          { weight: 1, arbitrary: fc.constantFrom('*/*', 'application/*', 'text/*') },
        ),
        weight,
      )
      .map(([name, q]) => `${name}${q}`);
    const plainAccept = fc.array(plainRange, { minLength: 1, maxLength: 6 }).map((list) => list.join(', '));
    fc.assert(
      fc.property(plainOffers, plainAccept, (list, header) => {
        const ours = negotiateOrStatus(build(list, false), header);
        const theirs = new Negotiator({ headers: { accept: header } }).mediaType(list);
        if (typeof ours === 'number') return theirs === undefined;
        if (theirs === undefined) return false;
        if (ours.mediaType === theirs) return true;
        const ranges = scanMediaRanges(header, true).ranges;
        const a = qualityOf(parseMediaType(ours.mediaType)!, ranges);
        const b = qualityOf(parseMediaType(theirs)!, ranges);
        return a.q === b.q && a.specificity === b.specificity && list.indexOf(ours.mediaType) < list.indexOf(theirs);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but a 406 on arbitrary header text', () => {
    const negotiator = build(['application/json', 'application/xml']);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        const outcome = negotiateOrStatus(negotiator, header);
        return typeof outcome !== 'number' || outcome === 406;
      }),
      { numRuns: 2000 },
    );
  });

  it('is not thrown off by q-value formatting', () => {
    expect(
      negotiateOrStatus(build(['application/json', 'application/xml']), 'application/xml;q=0.500, application/json;q=.4'),
    ).toMatchObject({
      mediaType: 'application/xml',
    });
  });
});
