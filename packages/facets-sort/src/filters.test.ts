import { isRestError, ValidationError } from '@recordkit/rest-errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterFromSpec, nestedFilter, parseRangeValue, rangeFilter, termsFilter } from './filters.js';

const ctx = { name: 'facet' };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('termsFilter', () => {
  it('matches any of the values (Invenio test_terms_filter)', () => {
    expect(termsFilter('test')(['a', 'b'], ctx)).toEqual({ terms: { test: ['a', 'b'] } });
  });

  it('keeps an empty value, as Invenio does for ?type=', () => {
    expect(termsFilter('type')([''], ctx)).toEqual({ terms: { type: [''] } });
  });

  it('describes itself', () => {
    expect(termsFilter('type').info).toEqual({ type: 'terms', field: 'type' });
  });
});

describe('rangeFilter', () => {
  const f = rangeFilter('test', { startDateMath: 'startmath', endDateMath: 'endmath' });

  it('reproduces Invenio test_range_filter', () => {
    expect(f(['1821--1940'], ctx)).toEqual({ range: { test: { gte: '1821||startmath', lte: '1940||endmath' } } });
    expect(f(['>1821--'], ctx)).toEqual({ range: { test: { gt: '1821||startmath' } } });
    expect(f(['1821--<1940'], ctx)).toEqual({ range: { test: { gte: '1821||startmath', lt: '1940||endmath' } } });
  });

  it.each([['2016'], ['--'], ['1--2--3'], ['>--5'], ['5--<']])('rejects %j with a 400 naming the facet', (value) => {
    const error = thrown(() => rangeFilter('year')([value], { name: 'year' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).errors.map((e) => e.toJSON())).toEqual([
      { field: 'year', message: 'Invalid range format.', code: 'invalid_facet_value' },
    ]);
  });

  it('accepts open ends on either side', () => {
    expect(rangeFilter('year')(['--2000'], ctx)).toEqual({ range: { year: { lte: '2000' } } });
    expect(rangeFilter('year')(['2000--'], ctx)).toEqual({ range: { year: { gte: '2000' } } });
  });

  it('ORs several ranges with bool.should', () => {
    expect(rangeFilter('year')(['--1900', '>2000--'], ctx)).toEqual({
      bool: { should: [{ range: { year: { lte: '1900' } } }, { range: { year: { gt: '2000' } } }] },
    });
  });

  it('merges the extra range parameters into each range', () => {
    expect(rangeFilter('created', { format: 'yyyy', time_zone: '+01:00' })(['2000--2001'], ctx)).toEqual({
      range: { created: { format: 'yyyy', time_zone: '+01:00', gte: '2000', lte: '2001' } },
    });
  });

  it('checks numeric bounds when asked', () => {
    const year = rangeFilter('year', { valueType: 'number' });
    expect(year(['-5.5--1e3'], ctx)).toEqual({ range: { year: { gte: '-5.5', lte: '1e3' } } });
    const error = thrown(() => year(['abc--2000'], { name: 'year' })) as ValidationError;
    expect(error.errors[0]?.toJSON()).toEqual({ field: 'year', message: 'Invalid range bound "abc".', code: 'invalid_facet_value' });
  });

  it('checks date bounds when asked, allowing now-math only without configured date math', () => {
    const created = rangeFilter('created', { valueType: 'date' });
    expect(created(['2020-01-01--now-1d/d'], ctx)).toEqual({ range: { created: { gte: '2020-01-01', lte: 'now-1d/d' } } });
    expect(created(['2020-01-01T10:00:00Z--'], ctx)).toEqual({ range: { created: { gte: '2020-01-01T10:00:00Z' } } });
    expect(thrown(() => created(['yesterday--'], ctx))).toBeInstanceOf(ValidationError);
    const withMath = rangeFilter('created', { valueType: 'date', startDateMath: '/d' });
    expect(thrown(() => withMath(['now--'], ctx))).toBeInstanceOf(ValidationError);
  });

  it('takes a custom bound check', () => {
    const even = rangeFilter('n', { valueType: (b) => Number(b) % 2 === 0 });
    expect(even(['2--4'], ctx)).toEqual({ range: { n: { gte: '2', lte: '4' } } });
    expect(thrown(() => even(['3--4'], ctx))).toBeInstanceOf(ValidationError);
  });
});

describe('parseRangeValue (properties)', () => {
  it('round-trips any two integer bounds with any strictness', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.boolean(), fc.boolean(), (a, b, gt, lt) => {
        const value = `${gt ? '>' : ''}${a}--${lt ? '<' : ''}${b}`;
        expect(parseRangeValue(value)).toEqual({ [gt ? 'gt' : 'gte']: String(a), [lt ? 'lt' : 'lte']: String(b) });
      }),
    );
  });

  it('round-trips one open side', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), fc.boolean(), (a, strict, lower) => {
        const value = lower ? `${strict ? '>' : ''}${a}--` : `--${strict ? '<' : ''}${a}`;
        const key = lower ? (strict ? 'gt' : 'gte') : strict ? 'lt' : 'lte';
        expect(parseRangeValue(value)).toEqual({ [key]: String(a) });
      }),
    );
  });

  it('rejects every value without exactly one "--"', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => s.split('--').length !== 2),
        (value) => {
          expect(parseRangeValue(value)).toBe('Invalid range format.');
        },
      ),
    );
  });

  it('never yields an empty bound, for any text', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const result = parseRangeValue(value);
        if (typeof result === 'string') return;
        expect(Object.keys(result).length).toBeGreaterThan(0);
        for (const bound of Object.values(result)) expect(bound).not.toBe('');
      }),
    );
  });

  it('answers any value of a facet with a query or a 400 naming the facet, never another error', () => {
    const filter = rangeFilter('year', { valueType: 'number' });
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (values) => {
        try {
          const query = filter(values, { name: 'year' });
          expect(query).toBeTypeOf('object');
        } catch (error) {
          expect(isRestError(error)).toBe(true);
          expect((error as ValidationError).status).toBe(400);
          expect((error as ValidationError).errors[0]?.field).toBe('year');
        }
      }),
    );
  });
});

describe('nestedFilter', () => {
  const f = nestedFilter('type', 'subtype');

  it('matches parent and child for "a::b"', () => {
    expect(f(['publication::article'], ctx)).toEqual({
      bool: { must: [{ term: { type: 'publication' } }, { term: { subtype: 'article' } }] },
    });
  });

  it('groups plain values into one terms query', () => {
    expect(f(['dataset', 'software'], ctx)).toEqual({ terms: { type: ['dataset', 'software'] } });
  });

  it('ORs pairs and plain values', () => {
    expect(f(['publication::article', 'dataset', 'publication::book'], ctx)).toEqual({
      bool: {
        should: [
          { bool: { must: [{ term: { type: 'publication' } }, { term: { subtype: 'article' } }] } },
          { bool: { must: [{ term: { type: 'publication' } }, { term: { subtype: 'book' } }] } },
          { terms: { type: ['dataset'] } },
        ],
      },
    });
  });

  it('splits at the first "::" only', () => {
    expect(f(['a::b::c'], ctx)).toEqual({ bool: { must: [{ term: { type: 'a' } }, { term: { subtype: 'b::c' } }] } });
  });

  it.each([['::b'], ['a::']])('rejects %j with a 400 naming the facet', (value) => {
    const error = thrown(() => f([value], { name: 'type' })) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors[0]?.field).toBe('type');
  });
});

describe('filterFromSpec', () => {
  it('builds each filter type from data', () => {
    expect(filterFromSpec({ type: 'terms', field: 'f' })(['x'], ctx)).toEqual({ terms: { f: ['x'] } });
    expect(filterFromSpec({ type: 'range', field: 'y', startDateMath: '/y' })(['2000--'], ctx)).toEqual({
      range: { y: { gte: '2000||/y' } },
    });
    expect(filterFromSpec({ type: 'nested', field: 'a', subfield: 'b' })(['x::y'], ctx)).toEqual({
      bool: { must: [{ term: { a: 'x' } }, { term: { b: 'y' } }] },
    });
  });

  it('returns a function unchanged', () => {
    const fn = termsFilter('t');
    expect(filterFromSpec(fn)).toBe(fn);
  });

  it('rejects an unknown type at configuration time', () => {
    expect(() => filterFromSpec({ type: 'geo', field: 'x' } as never)).toThrow(TypeError);
  });
});
