import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultEndpoint } from './default-config.js';
import { ConfigError, defineConfig, mappingFields, resolveConfig } from './define-config.js';
import type { ReferenceConfig } from './types.js';

function issuesOf(config: unknown, env = {}): string[] {
  try {
    resolveConfig(config as ReferenceConfig, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('defineConfig', () => {
  it('returns its argument unchanged', () => {
    const config = { server: { port: 8080 } };
    expect(defineConfig(config)).toBe(config);
  });
});

describe('resolveConfig', () => {
  it("reproduces Invenio's default endpoint when given nothing", () => {
    const config = resolveConfig({});
    expect(config.endpoints).toHaveLength(1);
    const [recid] = config.endpoints;
    expect(recid).toMatchObject({
      name: 'recid',
      pidType: 'recid',
      pidMinter: 'recid',
      pidField: 'control_number',
      listRoute: '/records/',
      itemRoute: '/records/:pid',
      searchIndex: 'records',
      defaultResultsSize: 10,
      maxResultWindow: 10000,
      defaultSort: { query: 'bestmatch', noquery: 'mostrecent' },
      defaultMediaType: 'application/json',
      recordSerializersAliases: { json: 'application/json' },
      searchSerializersAliases: { json: 'application/json' },
      useOptionsView: true,
    });
    expect(Object.keys(recid!.sortOptions).slice(0, 2)).toEqual(['bestmatch', 'mostrecent']);
    expect(recid!.sortOptions.mostrecent).toEqual({ title: 'Most recent', fields: ['-_created'], defaultOrder: 'asc', order: 2 });
    expect(recid!.facets.aggs?.type).toEqual({ terms: { field: 'type' } });
    expect(recid!.facets.postFilters?.type).toEqual({ type: 'terms', field: 'type' });
  });

  it('fills server, storage, identity, CORS and rate-limit defaults', () => {
    const config = resolveConfig({}, {}, '/srv/app');
    expect(config.server).toMatchObject({ port: 5000, host: '127.0.0.1', bodyLimit: 10 * 1024 * 1024, trustProxy: false });
    expect(config.storage.dataDir).toBe(resolve('/srv/app', '.data'));
    expect(config.cors).toEqual({ origins: '*', credentials: false, maxAge: 600 });
    expect(config.rateLimit).toEqual({
      guest: [
        { name: 'minute', limit: 60, windowSeconds: 60 },
        { name: 'hour', limit: 1000, windowSeconds: 3600 },
      ],
      authenticated: [
        { name: 'minute', limit: 100, windowSeconds: 60 },
        { name: 'hour', limit: 5000, windowSeconds: 3600 },
      ],
      keyPrefix: 'recordkit-rl',
    });
    expect(config.errors.format).toBe('invenio');
  });

  it('lets the environment win over the file', () => {
    const config = resolveConfig(
      {
        server: { port: 8080, host: '0.0.0.0' },
        storage: { dataDir: 'from-file' },
        identity: { tokens: [{ token: 'file-token-1', user: 'a' }] },
      },
      {
        port: 9090,
        dataDir: '/var/lib/recordkit',
        tokens: [{ token: 'env-token-12', user: 'b', roles: ['curator'] }],
        corsOrigins: ['https://x.example'],
      },
    );
    expect(config.server.port).toBe(9090);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.storage.dataDir).toBe('/var/lib/recordkit');
    expect(config.identity.tokens.map((t) => t.user)).toEqual(['a', 'b']);
    expect(config.cors).toMatchObject({ origins: ['https://x.example'] });
  });

  it('names an unknown key and suggests the close one', () => {
    expect(issuesOf({ endpoints: { recid: { ...defaultEndpoint, defaultResultSize: 5 } } })).toEqual([
      'endpoints.recid.defaultResultSize: unknown key (did you mean "defaultResultsSize"?)',
    ]);
    expect(issuesOf({ sever: {} })[0]).toBe('sever: unknown key (did you mean "server"?)');
  });

  it('names every bad value with its key', () => {
    const issues = issuesOf({
      server: { port: 70000, bodyLimit: 0 },
      endpoints: { recid: { ...defaultEndpoint, listRoute: 'records', defaultResultsSize: 'ten' } },
      errors: { format: 'xml' },
    });
    expect(issues).toContain('server.port: must be <= 65535, got 70000');
    expect(issues).toContain('server.bodyLimit: must be >= 1, got 0');
    expect(issues).toContain('endpoints.recid.listRoute: "records" does not match a path starting and ending with "/" (e.g. "/records/")');
    expect(issues).toContain('endpoints.recid.defaultResultsSize: must be integer, got "ten"');
    expect(issues).toContain('errors.format: must be one of "invenio", "problem", got "xml"');
  });

  it('reports a missing required endpoint key', () => {
    const { mapping: _m, ...withoutMapping } = defaultEndpoint;
    expect(issuesOf({ endpoints: { recid: withoutMapping } })).toEqual(['endpoints.recid.mapping: is required']);
  });

  it('checks sort options, the default sort, facets and suggesters against the mapping', () => {
    const issues = issuesOf({
      endpoints: {
        recid: {
          ...defaultEndpoint,
          sortOptions: {
            ...defaultEndpoint.sortOptions,
            bytitle: { title: 'Title', fields: ['title'] },
            nope: { title: 'x', fields: ['missing'] },
          },
          defaultSort: { query: 'bestmatch', noquery: 'newest' },
          facets: {
            aggs: { creator: { terms: { field: 'creators.name' } } },
            postFilters: { creator: { type: 'terms', field: 'creators.name' }, q: { type: 'terms', field: 'type' } },
          },
          suggesters: { title: { completion: { field: 'title' } } },
        },
      },
    });
    expect(issues).toEqual([
      'endpoints.recid.sortOptions.bytitle.fields[0]: "title" is a text field; text fields cannot be sorted on; use a keyword sub-field',
      'endpoints.recid.sortOptions.nope.fields[0]: "missing" is not a field of the mapping',
      'endpoints.recid.defaultSort.noquery: "newest" is not one of sortOptions (bestmatch, mostrecent, title, publication_date, bytitle, nope)',
      'endpoints.recid.facets.aggs.creator.terms.field: "creators.name" is a text field; facets need a keyword, numeric, date or boolean field',
      'endpoints.recid.facets.postFilters.creator.field: "creators.name" is a text field; facets need a keyword, numeric, date or boolean field',
      'endpoints.recid.facets.postFilters.q: "q" is a reserved query parameter',
      'endpoints.recid.suggesters.title.completion.field: "title" is not a completion field of the mapping',
    ]);
  });

  it('rejects two endpoints on the same route or PID type', () => {
    const issues = issuesOf({ endpoints: { a: defaultEndpoint, b: { ...defaultEndpoint } } });
    expect(issues).toEqual([
      'endpoints.b.listRoute: "/records/" is already used by endpoint "a"',
      'endpoints.b.itemRoute: "/records/" is already used by endpoint "a"',
      'endpoints.b.pidType: "recid" is already served by endpoint "a"',
    ]);
  });

  it('rejects credentials with a wildcard origin and duplicate tokens', () => {
    const issues = issuesOf({
      cors: { credentials: true },
      identity: {
        tokens: [
          { token: 'same-token-1', user: 'a' },
          { token: 'same-token-1', user: 'b' },
        ],
      },
    });
    expect(issues).toEqual([
      'identity.tokens[1].token: the same token is configured twice (user "b")',
      'cors.credentials: credentials cannot be allowed with origins "*" (the Fetch standard forbids it); list the origins',
    ]);
  });

  it('reports a CORS object with a bad origin without the noise of the `false` branch', () => {
    expect(issuesOf({ cors: { origins: ['not an origin'] } })).toEqual([
      'cors.origins[0]: "not an origin" does not match an origin (scheme://host[:port], e.g. "https://app.example.org")',
    ]);
    expect(issuesOf({ rateLimit: { guest: [{ name: 'minute', limit: 0, windowSeconds: 60 }] } })).toEqual([
      'rateLimit.guest[0].limit: must be >= 1, got 0',
    ]);
  });

  it('rejects a configuration that is not an object', () => {
    expect(issuesOf(42)[0]).toMatch(/^\(root\): the configuration must be an object/);
  });
});

describe('mappingFields', () => {
  it('lists nested properties and multi-fields with their types', () => {
    const fields = mappingFields(defaultEndpoint.mapping);
    expect(fields.get('title')).toBe('text');
    expect(fields.get('title.raw')).toBe('keyword');
    expect(fields.get('creators')).toBe('object');
    expect(fields.get('creators.orcid')).toBe('keyword');
    expect(fields.get('publication_date')).toBe('date');
    expect(fields.get('suggest_title')).toBe('completion');
  });
});
