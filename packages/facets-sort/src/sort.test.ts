import { ValidationError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import type { SortClause } from './dsl.js';
import { createSorter, evalSortField, geoDistanceSort } from './sort.js';

const params = (query: string) => new URLSearchParams(query);

describe('evalSortField', () => {
  it('turns "f" and "-f" into clauses, inverted for descending (test_eval_field_string)', () => {
    expect(evalSortField('myfield', true)).toEqual({ myfield: { order: 'asc' } });
    expect(evalSortField('myfield', false)).toEqual({ myfield: { order: 'desc' } });
    expect(evalSortField('-myfield', true)).toEqual({ myfield: { order: 'desc' } });
    expect(evalSortField('-myfield', false)).toEqual({ myfield: { order: 'asc' } });
  });

  it('calls a function with the direction (test_eval_field_callable)', () => {
    const fn = (asc: boolean): SortClause => ({ afield: { order: asc ? 'asc' : 'desc' } });
    expect(evalSortField(fn, true)).toEqual({ afield: { order: 'asc' } });
    expect(evalSortField(fn, false)).toEqual({ afield: { order: 'desc' } });
  });

  it('uses a clause as is, reversing a copy for descending (test_eval_field_dict)', () => {
    const field: SortClause = { myfield: { order: 'asc', mode: 'avg' } };
    expect(evalSortField(field, true)).toEqual({ myfield: { order: 'asc', mode: 'avg' } });
    const computed = evalSortField(field, false);
    expect(computed).toEqual({ myfield: { order: 'desc', mode: 'avg' } });
    expect(field).toEqual({ myfield: { order: 'asc', mode: 'avg' } });
  });

  it('reverses a clause without an order from the default ascending', () => {
    expect(evalSortField({ price: { mode: 'min' } }, false)).toEqual({ price: { mode: 'min', order: 'desc' } });
  });

  it('sorts "_score" best match first, a deliberate difference from Invenio', () => {
    expect(evalSortField('_score', true)).toEqual({ _score: { order: 'desc' } });
    expect(evalSortField('_score', false)).toEqual({ _score: { order: 'asc' } });
    expect(evalSortField('-_score', true)).toEqual({ _score: { order: 'asc' } });
  });
});

describe('geoDistanceSort', () => {
  it('reads the points from the URL parameter (test_geolocation_sort)', () => {
    const sort = geoDistanceSort('pin.location', 'pin', 'km', { mode: 'avg', distanceType: 'arc' });
    expect(sort(true, { params: params('pin=10,20&pin=gcpuuz94kkp') })).toEqual({
      _geo_distance: { 'pin.location': ['10,20', 'gcpuuz94kkp'], order: 'asc', unit: 'km', mode: 'avg', distance_type: 'arc' },
    });
  });

  it('declares its parameter, so the sorter reads and carries it', () => {
    const sorter = createSorter({ options: { distance: { fields: [geoDistanceSort('loc', 'pin', 'km')] } } });
    expect(sorter.parameterNames).toEqual(['sort', 'pin']);
    const result = sorter.resolve(params('sort=-distance&pin=1,2'), { hasQuery: false });
    expect(result.sort).toEqual([{ _geo_distance: { loc: ['1,2'], order: 'desc', unit: 'km' } }]);
    expect(result.params).toEqual([['pin', '1,2']]);
  });
});

describe('createSorter', () => {
  // Invenio's tests/test_sorter.py::test_default_sorter_factory configuration.
  const sorter = createSorter({
    options: { myfield: { fields: ['field1', '-field2'] } },
    default: { query: '-myfield', noquery: 'myfield' },
  });

  it('applies ?sort=key', () => {
    expect(sorter.resolve(params('sort=myfield'), { hasQuery: false })).toEqual({
      sort: [{ field1: { order: 'asc' } }, { field2: { order: 'desc' } }],
      param: 'myfield',
      params: [],
    });
  });

  it('reverses every field for ?sort=-key', () => {
    expect(sorter.resolve(params('sort=-myfield'), { hasQuery: false })).toEqual({
      sort: [{ field1: { order: 'desc' } }, { field2: { order: 'asc' } }],
      param: '-myfield',
      params: [],
    });
  });

  it('uses the noquery default without a query, even for an empty ?sort=', () => {
    for (const query of ['', 'sort=']) {
      expect(sorter.resolve(params(query), { hasQuery: false })).toMatchObject({
        sort: [{ field1: { order: 'asc' } }, { field2: { order: 'desc' } }],
        param: 'myfield',
      });
    }
  });

  it('uses the query default with a query', () => {
    expect(sorter.resolve(params(''), { hasQuery: true })).toMatchObject({
      sort: [{ field1: { order: 'desc' } }, { field2: { order: 'asc' } }],
      param: '-myfield',
    });
  });

  it('applies no sort without options or defaults (default sort of another index)', () => {
    expect(createSorter().resolve(params(''), { hasQuery: true })).toEqual({ sort: [], params: [] });
  });

  it('answers an unknown key with a 400 listing the valid keys', () => {
    let error: unknown;
    try {
      sorter.resolve(params('sort=invalid'), { hasQuery: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.toJSON())).toEqual([
      { field: 'sort', message: 'Invalid sort option "invalid". Valid options: myfield (prefix "-" to reverse).', code: 'invalid_sort' },
    ]);
  });

  it('ignores an unknown key when configured, as Invenio does: no sort, no sort in links', () => {
    const lenient = createSorter({ options: { myfield: { fields: ['field1'] } }, onUnknown: 'ignore' });
    expect(lenient.resolve(params('sort=invalid'), { hasQuery: false })).toEqual({ sort: [], params: [] });
  });

  it('does not find options on the object prototype', () => {
    expect(() => sorter.resolve(params('sort=constructor'), { hasQuery: false })).toThrow(ValidationError);
    expect(() => sorter.resolve(params('sort=__proto__'), { hasQuery: false })).toThrow(ValidationError);
  });

  it("reproduces Invenio's shipped options, except that best match sorts best first", () => {
    const shipped = createSorter({
      options: {
        bestmatch: { title: 'Best match', fields: ['_score'], defaultOrder: 'desc', order: 1 },
        mostrecent: { title: 'Most recent', fields: ['-_created'], defaultOrder: 'asc', order: 2 },
      },
      default: { query: 'bestmatch', noquery: 'mostrecent' },
    });
    expect(shipped.resolve(params('q=x'), { hasQuery: true }).sort).toEqual([{ _score: { order: 'desc' } }]);
    expect(shipped.resolve(params(''), { hasQuery: false }).sort).toEqual([{ _created: { order: 'desc' } }]);
  });

  it('describes the options ordered by "order", for the options view', () => {
    const described = createSorter({
      options: {
        c: { fields: ['c'] },
        b: { fields: ['b'], title: 'B', order: 2, defaultOrder: 'desc' },
        a: { fields: ['a'], title: 'A', order: 1 },
      },
    }).describe();
    expect(described).toEqual([
      { key: 'a', title: 'A', defaultOrder: 'asc', order: 1 },
      { key: 'b', title: 'B', defaultOrder: 'desc', order: 2 },
      { key: 'c', title: 'c', defaultOrder: 'asc', order: undefined },
    ]);
  });

  it('rejects a bad configuration when created', () => {
    expect(() => createSorter({ options: { a: { fields: [] } } })).toThrow(TypeError);
    expect(() => createSorter({ options: { '-a': { fields: ['a'] } } })).toThrow(TypeError);
    expect(() => createSorter({ options: { a: { fields: ['a'] } }, default: { query: 'missing' } })).toThrow(TypeError);
  });
});
