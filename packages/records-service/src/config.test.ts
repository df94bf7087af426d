import { describe, expect, it } from 'vitest';
import { defaultEndpoints, type EndpointConfig, resolveEndpoint } from './config.js';

const base: EndpointConfig = { pidType: 'recid', listRoute: '/records/', itemRoute: '/records/:pid' };

describe('resolveEndpoint', () => {
  it("applies Invenio's defaults", () => {
    const endpoint = resolveEndpoint('recid', base);
    expect(endpoint.maxResultWindow).toBe(10_000);
    expect(endpoint.defaultResultsSize).toBe(10);
    expect(endpoint.useOptionsView).toBe(true);
    expect(endpoint.searchIndex).toBe('recid');
    expect(endpoint.minter.field).toBe('control_number');
    expect(endpoint.fetcher('id', { control_number: '5' })).toEqual({ type: 'recid', value: '5' });
    expect(Object.keys(endpoint.recordSerializers)).toEqual(['application/json']);
  });

  it.each([
    ['an unknown key', { ...base, colour: 'red' }, /endpoints\.e\.colour: unknown key/],
    ["Invenio's snake_case key", { ...base, list_route: '/x/' }, /endpoints\.e\.list_route: .*listRoute/],
    ['a missing pidType', { ...base, pidType: '' }, /endpoints\.e\.pidType/],
    ['a bad itemRoute', { ...base, itemRoute: '/records/' }, /endpoints\.e\.itemRoute/],
    ['a bad minter', { ...base, pidMinter: 'doi' }, /endpoints\.e\.pidMinter/],
    ['a non-positive maxResultWindow', { ...base, maxResultWindow: 0 }, /endpoints\.e\.maxResultWindow/],
    ['an unknown permission action', { ...base, permissions: { publish: () => true } }, /endpoints\.e\.permissions\.publish/],
    [
      'an alias to an unregistered type',
      { ...base, recordSerializersAliases: { xml: 'application/xml' } },
      /recordSerializersAliases\.xml/,
    ],
    ['a sort option without fields', { ...base, sort: { options: { newest: {} } } }, /endpoints\.e\.sort: /],
    [
      'a facet config that is not valid',
      { ...base, facets: { aggs: { q: { terms: { field: 'q' } } }, postFilters: { q: { type: 'terms', field: 'q' } } } },
      /endpoints\.e\.facets: /,
    ],
    ['a suggester without field', { ...base, suggesters: { title: { completion: {} } } }, /suggesters\.title\.completion\.field/],
    [
      'a default media type that is not registered',
      { ...base, recordSerializers: { 'application/json': () => '', 'application/xml': () => '' }, defaultMediaType: 'text/html' },
      /defaultMediaType/,
    ],
  ])('refuses %s, naming the key', (_name, config, message) => {
    expect(() => resolveEndpoint('e', config as unknown as EndpointConfig)).toThrow(message);
  });
});

describe('defaultEndpoints', () => {
  const doi = (name: string, extra: Partial<EndpointConfig> = {}) =>
    resolveEndpoint(name, { pidType: 'doi', listRoute: `/${name}/`, itemRoute: `/${name}/*pid`, pidMinter: 'uuid', ...extra });

  it('prefers defaultEndpointPrefix, then the endpoint named like the PID type, then the only one', () => {
    expect(defaultEndpoints([doi('a'), doi('b', { defaultEndpointPrefix: true })]).get('doi')).toBe('b');
    expect(defaultEndpoints([doi('a'), doi('doi')]).get('doi')).toBe('doi');
    expect(defaultEndpoints([doi('a')]).get('doi')).toBe('a');
  });

  it('refuses two defaults or an ambiguous choice', () => {
    expect(() => defaultEndpoints([doi('a', { defaultEndpointPrefix: true }), doi('b', { defaultEndpointPrefix: true })])).toThrow(
      /more than one/,
    );
    expect(() => defaultEndpoints([doi('a'), doi('b')])).toThrow(/defaultEndpointPrefix/);
  });
});
