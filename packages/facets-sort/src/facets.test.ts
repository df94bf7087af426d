import { ValidationError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { createFacets } from './facets.js';
import { rangeFilter, termsFilter } from './filters.js';

const params = (query: string) => new URLSearchParams(query);

// Invenio's tests/test_facets.py configuration, shared by several of its tests.
const threeFacets = {
  aggs: {
    facet_1: { terms: { field: 'one_field' } },
    facet_2: { terms: { field: 'other_field' } },
    facet_3: { terms: { field: 'some_other_field' } },
  },
  filters: { subtype: termsFilter('subtype') },
  postFilters: { type: termsFilter('type') },
};

describe('createFacets', () => {
  it('reads the configured parameters in configuration order, values in request order (test_create_filter_dsl)', () => {
    const facets = createFacets({ filters: { type: termsFilter('type.type'), subtype: termsFilter('type.subtype') } });
    const result = facets.apply(params('type=a&type=b&subtype=c&type=za%C5%BC%C3%B3%C5%82ci%C4%87'));
    expect(result.filter).toEqual([{ terms: { 'type.type': ['a', 'b', 'zażółcić'] } }, { terms: { 'type.subtype': ['c'] } }]);
    expect(result.params).toEqual([
      ['type', 'a'],
      ['type', 'b'],
      ['type', 'zażółcić'],
      ['subtype', 'c'],
    ]);
  });

  it('counts ?type= as the value "" (Invenio: request.values.getlist gives [""])', () => {
    const result = createFacets({ postFilters: { type: termsFilter('type') } }).apply(params('type='));
    expect(result.postFilter).toEqual({ terms: { type: [''] } });
    expect(result.params).toEqual([['type', '']]);
  });

  it('ignores parameters that are not configured', () => {
    const facets = createFacets({ filters: { type: termsFilter('type') } });
    expect(facets.apply(params('atype=a&atype=b'))).toEqual({ filter: [], params: [] });
  });

  it('turns a post filter into post_filter (test_post_filter)', () => {
    const facets = createFacets({ postFilters: { type: termsFilter('type'), subtype: termsFilter('subtype') } });
    const result = facets.apply(params('type=test'));
    expect(result.postFilter).toEqual({ terms: { type: ['test'] } });
    expect(result.filter).toEqual([]);
    expect(result.params).toEqual([['type', 'test']]);
    expect(facets.apply(params('anotertype=test')).postFilter).toBeUndefined();
  });

  it('turns a filter into a query filter (test_query_filter)', () => {
    const facets = createFacets({ filters: { type: termsFilter('type'), subtype: termsFilter('subtype') } });
    const result = facets.apply(params('type=test'));
    expect(result.filter).toEqual([{ terms: { type: ['test'] } }]);
    expect(result.postFilter).toBeUndefined();
  });

  it('computes every aggregation as configured (test_aggregations)', () => {
    const aggs = { type: { terms: { field: 'upload_type' } }, subtype: { terms: { field: 'subtype' } } };
    expect(createFacets({ aggs }).apply(params('')).aggs).toEqual(aggs);
  });

  it('applies aggregations, filters and post filters together (test_default_facets_factory)', () => {
    const aggs = { type: { terms: { field: 'upload_type' } }, subtype: { terms: { field: 'subtype' } } };
    const facets = createFacets({ aggs, filters: { subtype: termsFilter('subtype') }, postFilters: { type: termsFilter('type') } });
    const result = facets.apply(params('type=a&subtype=b'));
    expect(result.aggs).toEqual(aggs);
    expect(result.postFilter).toEqual({ terms: { type: ['a'] } });
    expect(result.filter).toEqual([{ terms: { subtype: ['b'] } }]);
  });

  it('adds nothing when no facets are configured (test_default_facets_factory, another index)', () => {
    expect(createFacets().apply(params('type=a&subtype=b'))).toEqual({ filter: [], params: [] });
  });

  it('computes only the aggregation named in ?facets= (test_selecting_one_specified_facet)', () => {
    const result = createFacets(threeFacets).apply(params('type=a&subtype=b&facets=facet_2'));
    expect(result.aggs).toEqual({ facet_2: { terms: { field: 'other_field' } } });
  });

  it('computes the comma-separated aggregations (test_selecting_specified_facet)', () => {
    const result = createFacets(threeFacets).apply(params('type=a&subtype=b&facets=facet_1,facet_3'));
    expect(result.aggs).toEqual({ facet_1: { terms: { field: 'one_field' } }, facet_3: { terms: { field: 'some_other_field' } } });
  });

  it('accepts repeated ?facets= parameters', () => {
    const result = createFacets(threeFacets).apply(params('facets=facet_3&facets=facet_1'));
    expect(Object.keys(result.aggs ?? {})).toEqual(['facet_1', 'facet_3']);
  });

  it('computes no aggregation when ?facets= names none (test_turn_off_facets)', () => {
    expect(createFacets(threeFacets).apply(params('type=a&subtype=b&facets=null')).aggs).toBeUndefined();
    expect(createFacets(threeFacets).apply(params('facets=')).aggs).toBeUndefined();
  });

  it('computes every aggregation without ?facets= (test_selecting_all_facets_by_default)', () => {
    expect(createFacets(threeFacets).apply(params('type=a&subtype=b')).aggs).toEqual(threeFacets.aggs);
  });

  it('keeps ?facets= in the parameters for links', () => {
    expect(createFacets(threeFacets).apply(params('facets=facet_1,facet_3&type=a')).params).toEqual([
      ['type', 'a'],
      ['facets', 'facet_1,facet_3'],
    ]);
  });

  it('ORs values of one facet and ANDs several post filters', () => {
    const facets = createFacets({ postFilters: { type: termsFilter('type'), year: rangeFilter('year') } });
    expect(facets.apply(params('type=a&type=b&year=2000--')).postFilter).toEqual({
      bool: { must: [{ terms: { type: ['a', 'b'] } }, { range: { year: { gte: '2000' } } }] },
    });
  });

  it('calls an aggregation function per request with the parameters (test_dynamic_aggregation)', () => {
    const facets = createFacets({ aggs: { stars: ({ params: p }) => ({ terms: { field: 'stars', size: Number(p.get('n') ?? 10) } }) } });
    expect(facets.apply(params('n=3')).aggs).toEqual({ stars: { terms: { field: 'stars', size: 3 } } });
  });

  it('reports every bad facet value at once as a 400 with one field error per facet', () => {
    const facets = createFacets({ filters: { year: rangeFilter('year') }, postFilters: { created: rangeFilter('created') } });
    let error: unknown;
    try {
      facets.apply(params('year=2000&created=x--y--z'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual(['year', 'created']);
  });

  it('lets a filter that throws something else than a 400 through', () => {
    const boom = new Error('bug');
    const facets = createFacets({
      filters: {
        x: () => {
          throw boom;
        },
      },
    });
    expect(() => facets.apply(params('x=1'))).toThrow(boom);
  });

  it('accepts filters written as data', () => {
    const facets = createFacets({ postFilters: { year: { type: 'range', field: 'year', valueType: 'number' } } });
    expect(facets.apply(params('year=1--2')).postFilter).toEqual({ range: { year: { gte: '1', lte: '2' } } });
  });

  it('lists the parameters it reads', () => {
    expect(createFacets(threeFacets).parameterNames).toEqual(['subtype', 'type', 'facets']);
  });

  it('rejects a facet named like a search parameter, or both a filter and a post filter', () => {
    expect(() => createFacets({ filters: { page: termsFilter('page') } })).toThrow(TypeError);
    expect(() => createFacets({ filters: { t: termsFilter('t') }, postFilters: { t: termsFilter('t') } })).toThrow(TypeError);
  });

  it('describes its facets for UIs', () => {
    expect(createFacets(threeFacets).describe()).toEqual([
      { name: 'facet_1', aggregation: true },
      { name: 'facet_2', aggregation: true },
      { name: 'facet_3', aggregation: true },
      { name: 'subtype', aggregation: false, filter: 'filter', filterInfo: { type: 'terms', field: 'subtype' } },
      { name: 'type', aggregation: false, filter: 'post_filter', filterInfo: { type: 'terms', field: 'type' } },
    ]);
  });
});

describe('createFacets with propagate (disjunctive faceting)', () => {
  const config = {
    aggs: {
      brand: { terms: { field: 'brand' } },
      color: { terms: { field: 'color' } },
      year: { terms: { field: 'year' } },
    },
    postFilters: { brand: termsFilter('brand'), color: termsFilter('color') },
    propagate: true,
  };

  it("filters an aggregation by the other facets' selections, not its own (Invenio's wrapper)", () => {
    const result = createFacets(config).apply(params('brand=ferrari&color=red'));
    expect(result.aggs?.brand).toEqual({
      filter: { bool: { must: [{ terms: { color: ['red'] } }] } },
      aggs: { filtered: { terms: { field: 'brand' } } },
    });
    expect(result.aggs?.color).toEqual({
      filter: { bool: { must: [{ terms: { brand: ['ferrari'] } }] } },
      aggs: { filtered: { terms: { field: 'color' } } },
    });
    expect(result.postFilter).toEqual({ bool: { must: [{ terms: { brand: ['ferrari'] } }, { terms: { color: ['red'] } }] } });
  });

  it('wraps a facet with nothing else selected in an empty filter, so the response shape never changes', () => {
    const result = createFacets(config).apply(params('brand=ferrari'));
    expect(result.aggs?.brand).toEqual({ filter: { bool: { must: [] } }, aggs: { filtered: { terms: { field: 'brand' } } } });
  });

  it('filters an aggregation without a post filter of its name by every selection (a difference from Invenio)', () => {
    const result = createFacets(config).apply(params('brand=ferrari&color=red'));
    expect(result.aggs?.year).toEqual({
      filter: { bool: { must: [{ terms: { brand: ['ferrari'] } }, { terms: { color: ['red'] } }] } },
      aggs: { filtered: { terms: { field: 'year' } } },
    });
  });

  it('wraps aggregation functions after calling them', () => {
    const result = createFacets({ ...config, aggs: { brand: () => ({ terms: { field: 'brand' } }) } }).apply(params('color=red'));
    expect(result.aggs?.brand).toEqual({
      filter: { bool: { must: [{ terms: { color: ['red'] } }] } },
      aggs: { filtered: { terms: { field: 'brand' } } },
    });
  });
});
