// Search, suggest, options and export through the HTTP resource over the embedded SQLite store and
// search engine (one file, index writes in the record transaction), through every stack.
// Invenio behaviours: reference/invenio-catalog.md §2.5.1, §2.5.7, §2.5.8, §2.8, §2.9, §2.11, §2.12.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SEARCH_ENDPOINT, type TestApp } from './helpers/app.js';
import { client } from './helpers/client.js';
import { type Running, STACKS, startStack } from './helpers/stacks.js';

const TYPES = ['dataset', 'article', 'dataset', 'software', 'dataset', 'article', 'dataset'];

describe.each(STACKS)('search over HTTP (%s)', (stack) => {
  let app: TestApp;
  let server: Running;
  const call = client(() => server.url);
  const ids: string[] = [];

  beforeAll(async () => {
    app = createTestApp({ withSearch: true, endpoints: { recid: SEARCH_ENDPOINT } });
    await app.service.setup();
    server = await startStack(stack, app.resource);
    for (const [i, type] of TYPES.entries()) {
      const res = await call('POST', '/records/', {
        user: 'alice',
        body: { title: `Coral reef survey ${i}`, type, year: 2000 + i, owner: 'alice', access: 'public' },
      });
      expect(res.status).toBe(201);
      ids.push(res.record.id);
    }
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  describe('GET list, §2.5.1', () => {
    it('answers the JSON v1 search body: hits as records, total, aggregations, links; Link header; no ETag', async () => {
      const res = await call('GET', '/records/?size=3');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('etag')).toBeNull();
      expect(res.search.hits.total).toBe(TYPES.length);
      expect(res.search.hits.hits).toHaveLength(3);
      const hit = res.search.hits.hits[0]!;
      expect(hit).toMatchObject({ revision: 0, links: { self: `http://records.test/api/records/${hit.id}` } });
      expect(hit.metadata.control_number).toBe(hit.id);
      expect(hit.metadata._created).toBeUndefined();
      expect(hit.created).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(res.search.links.self).toContain('page=1');
      expect(res.search.links.next).toContain('page=2');
      expect(res.search.links.prev).toBeUndefined();
      expect(res.headers.get('link')).toContain('rel="next"');
      const types = Object.fromEntries(res.search.aggregations.type!.buckets.map((b) => [b.key, b.doc_count]));
      expect(types).toEqual({ dataset: 4, article: 2, software: 1 });
    });

    it('finds records by q, and a record is searchable as soon as POST answered (index in the same transaction)', async () => {
      const created = await call('POST', '/records/', {
        user: 'bob',
        body: { title: 'Unique walrus census', owner: 'bob', type: 'other' },
      });
      const res = await call('GET', '/records/?q=walrus');
      expect(res.search.hits.hits.map((h) => h.id)).toEqual([created.record.id]);
      await call('DELETE', `/records/${created.record.id}`, { user: 'bob' });
      expect((await call('GET', '/records/?q=walrus')).search.hits.total).toBe(0);
    });

    it('shows the new revision in hits after PUT', async () => {
      const id = ids[6]!;
      const put = await call('PUT', `/records/${id}`, {
        user: 'alice',
        body: { title: 'Coral reef survey 6 revised', type: 'dataset', year: 2006, owner: 'alice', access: 'public' },
      });
      expect(put.status).toBe(200);
      const res = await call('GET', '/records/?q=revised');
      expect(res.search.hits.hits.map((h) => [h.id, h.revision])).toEqual([[id, 1]]);
    });

    it('applies a post filter to hits but not to the aggregation counts (§2.11)', async () => {
      const res = await call('GET', '/records/?type=article');
      expect(res.search.hits.total).toBe(2);
      expect(res.search.hits.hits.every((h) => h.metadata.type === 'article')).toBe(true);
      const types = Object.fromEntries(res.search.aggregations.type!.buckets.map((b) => [b.key, b.doc_count]));
      expect(types.dataset).toBe(4);
      expect(res.search.links.self).toContain('type=article');
    });

    it('pages with page/size and from/size, with prev and next links (§2.8)', async () => {
      const page2 = await call('GET', '/records/?page=2&size=3&sort=mostrecent');
      expect(page2.search.hits.hits).toHaveLength(3);
      expect(page2.search.links.prev).toContain('page=1');
      expect(page2.search.links.next).toContain('page=3');
      const from = await call('GET', '/records/?from=4&size=3&sort=mostrecent');
      expect(from.search.hits.hits.map((h) => h.id)).toEqual(page2.search.hits.hits.map((h) => h.id));
    });

    it("answers Invenio's pagination 400s", async () => {
      expect((await call('GET', '/records/?page=0')).error.message).toBe('Invalid pagination parameters.');
      expect((await call('GET', '/records/?size=abc')).status).toBe(400);
      const window = await call('GET', '/records/?page=100&size=101');
      expect(window.status).toBe(400);
      expect(window.error.message).toBe('Maximum number of 10000 results have been reached.');
      expect((await call('GET', '/records/?page=100&size=100')).status).toBe(200);
    });

    it('answers 400 to a query with a syntax error, naming the position (§2.13: q=test: is a 400)', async () => {
      const res = await call('GET', `/records/?q=${encodeURIComponent('title:')}`);
      expect(res.status).toBe(400);
      expect(res.error.message).toBe('Invalid query syntax.');
      expect((await call('GET', `/records/?q=${encodeURIComponent('test;')}`)).status).toBe(200);
    });

    it('sorts by a configured option, newest first for mostrecent (§2.12)', async () => {
      const res = await call('GET', '/records/?sort=mostrecent&size=20&q=coral');
      const created = res.search.hits.hits.map((h) => h.created);
      expect(created).toEqual([...created].sort().reverse());
    });

    it('difference: an unknown sort option is a 400 listing the valid ones (Invenio silently ignores it)', async () => {
      const res = await call('GET', '/records/?sort=nonsense');
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json)).toContain('mostrecent');
    });

    it('keeps q= in the links when sent empty, and leaves q out when absent (§2.5.1)', async () => {
      expect((await call('GET', '/records/?q=')).search.links.self).toMatch(/[?&]q=(&|$)/);
      expect((await call('GET', '/records/')).search.links.self).not.toContain('q=');
    });

    it('difference: /records without the trailing slash is the list (Invenio: 308 to /records/)', async () => {
      expect((await call('GET', '/records')).search.hits.total).toBeGreaterThanOrEqual(TYPES.length);
    });

    it('answers 406 to an Accept the search serializers cannot produce, before searching', async () => {
      expect((await call('GET', '/records/', { headers: { Accept: 'application/xml' } })).status).toBe(406);
    });

    it('answers HEAD with the headers of the search and no body', async () => {
      const res = await call('HEAD', '/records/?size=2');
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers.get('link')).toContain('rel="self"');
    });
  });

  describe('suggest, §2.5.7', () => {
    it('completes a prefix, in the Elasticsearch shape', async () => {
      const res = await call('GET', '/records/_suggest?title=cor&size=2');
      expect(res.status).toBe(200);
      const body = res.json as { title: { text: string; options: { text: string; _id: string }[] }[] };
      expect(body.title[0]?.text).toBe('cor');
      expect(body.title[0]?.options).toHaveLength(2);
      expect(body.title[0]?.options[0]?.text).toMatch(/^Coral reef survey/);
    });

    it('answers 400 "No completions requested. (options: title, typed)" without a prefix', async () => {
      const res = await call('GET', '/records/_suggest');
      expect(res.status).toBe(400);
      expect(res.error.message).toBe('No completions requested. (options: title, typed)');
    });

    it('filters by a context taken from its query parameter', async () => {
      const res = await call('GET', '/records/_suggest?typed=coral&suggest_type=software');
      expect(res.status).toBe(200);
      const body = res.json as { typed: { options: { text: string }[] }[] };
      expect(body.typed[0]?.options.map((o) => o.text)).toEqual(['Coral reef survey 3']);
    });

    it('difference: a missing context is a 400 naming its parameter (Invenio: "Missing  context.")', async () => {
      const res = await call('GET', '/records/_suggest?typed=coral');
      expect(res.status).toBe(400);
      expect(res.error.message).toBe('Missing "suggest_type" context.');
      expect(res.error.errors?.[0]?.field).toBe('suggest_type');
    });

    it('answers 400 to a bad size', async () => {
      expect((await call('GET', '/records/_suggest?title=cor&size=0')).error.errors?.[0]?.field).toBe('size');
    });
  });

  describe('options, §2.5.8', () => {
    it('lists the facets besides sort fields and media types', async () => {
      const res = await call('GET', '/records/_options');
      expect(res.json).toMatchObject({ facets: ['type', 'access'], max_result_window: 10000 });
    });
  });

  describe('export (beyond Invenio)', () => {
    it('streams every matching record as NDJSON', async () => {
      const res = await call('GET', '/records/_export?q=coral');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = res.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string });
      expect(lines.map((r) => r.id).sort()).toEqual([...ids].sort());
    });

    it('exports CSV with ?format=csv: header of flattened keys, one row per record', async () => {
      const res = await call('GET', '/records/_export?format=csv&q=title:3');
      expect(res.headers.get('content-type')).toBe('text/csv');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="recid.csv"');
      const [header, ...rows] = res.text.trim().split('\r\n');
      expect(header?.split(',')).toEqual(expect.arrayContaining(['id', 'metadata_title', 'metadata_type', 'revision', 'links_self']));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain('Coral reef survey 3');
      expect(rows[0]).toContain('software');
    });
  });
});
