import { describe, expect, it, vi } from 'vitest';

// The cache is observed from outside: the Accept scanner is the expensive step it saves, so count the
// calls to it across the module boundary.
const scans = vi.hoisted(() => ({ count: 0 }));
vi.mock('./media-type.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./media-type.js')>();
  return {
    ...original,
    scanMediaRanges: (input: string, accept: boolean) => {
      if (accept) scans.count++;
      return original.scanMediaRanges(input, accept);
    },
  };
});

const { ContentNegotiator } = await import('./content-negotiator.js');

const serializers = { 'application/json': 'json', 'application/xml': 'xml' };
const make = (cacheSize?: number) =>
  new ContentNegotiator({ serializers, defaultMediaType: 'application/json', ...(cacheSize === undefined ? {} : { cacheSize }) });
const ask = (negotiator: ReturnType<typeof make>, accept: string, method = 'GET') => {
  try {
    return negotiator.negotiate({ method, headers: { accept } }).mediaType;
  } catch {
    return 'refused';
  }
};

describe('ContentNegotiator cache', () => {
  it('parses an Accept value once and answers repeats from the cache, refusals included', () => {
    const negotiator = make();
    scans.count = 0;
    expect([ask(negotiator, 'application/xml'), ask(negotiator, 'application/xml'), ask(negotiator, 'application/xml')]).toEqual(
      Array(3).fill('application/xml'),
    );
    expect([ask(negotiator, 'image/png'), ask(negotiator, 'image/png')]).toEqual(['refused', 'refused']);
    expect(scans.count).toBe(2);
  });

  it('is bounded: past cacheSize the oldest entry is dropped and parsed again when it returns', () => {
    const negotiator = make(2);
    scans.count = 0;
    ask(negotiator, 'application/xml');
    ask(negotiator, 'application/json');
    ask(negotiator, 'text/csv, */*');
    expect(scans.count).toBe(3);
    ask(negotiator, 'text/csv, */*');
    ask(negotiator, 'application/json');
    expect(scans.count).toBe(3);
    expect(ask(negotiator, 'application/xml')).toBe('application/xml');
    expect(scans.count).toBe(4);
  });

  it('parses every time with cacheSize 0', () => {
    const negotiator = make(0);
    scans.count = 0;
    ask(negotiator, 'application/xml');
    ask(negotiator, 'application/xml');
    expect(scans.count).toBe(2);
  });

  it('does not remember very long Accept values', () => {
    const negotiator = make();
    const long = `${'text/x-filler;q=0.1, '.repeat(40)}application/xml`;
    scans.count = 0;
    expect(ask(negotiator, long)).toBe('application/xml');
    expect(ask(negotiator, long)).toBe('application/xml');
    expect(scans.count).toBe(2);
  });

  it('keeps one cache per method, since methods offer different types', () => {
    const negotiator = new ContentNegotiator({
      serializers,
      defaultMediaType: 'application/json',
      methodSerializers: { POST: { 'application/json': 'json' } },
    });
    expect(ask(negotiator, 'application/xml', 'GET')).toBe('application/xml');
    expect(ask(negotiator, 'application/xml', 'POST')).toBe('refused');
    expect(ask(negotiator, 'application/xml', 'GET')).toBe('application/xml');
  });

  it('does not parse at all for a missing Accept', () => {
    const negotiator = make();
    scans.count = 0;
    negotiator.negotiate({ headers: {} });
    expect(scans.count).toBe(0);
  });
});
