// End to end: search, facets, sort, pagination, suggest and export on the real server with the 1,000
// demo records of the first start, for each kind of caller (restricted records stay invisible to
// everyone but their owner and curators: in hits, totals, aggregation counts, suggestions and exports).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSource } from '../src/cli/records-commands.js';
import { generateDemoRecords } from '../src/demo/generate.js';
import { recordIdFor } from '../src/records/importer.js';
import { describeBackends, loadDemo } from './support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from './support/serve.js';

const demo = [...generateDemoRecords({ count: 1000, seed: 1 })];
const restrictedIds = new Set(demo.flatMap((r, i) => (r.access === 'restricted' ? [recordIdFor(demoSource(1), i + 1)] : [])));
const publicCount = demo.filter((r) => r.access === 'public').length;
const aliceRestricted = demo.filter((r) => r.access === 'restricted' && r.owner === 'alice').length;

type Hit = { id: string; metadata: Record<string, unknown> & { title: string; access: string; owner?: string } };
type Page = {
  hits: { hits: Hit[]; total: number };
  links: Record<string, string>;
  aggregations: Record<string, { buckets: { key: string; doc_count: number }[] }>;
};

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * A data directory whose configuration turns rate limits off: one suite sends a few hundred requests a
 * minute as one user (the endpoint stays the default one, so the embedded first start loads the demo).
 */
function dataDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rk-e2e-'));
  writeFileSync(join(dir, 'recordkit.config.mjs'), 'export default { rateLimit: false };\n');
  return dir;
}

/** The embedded default with the same 1,000 records: what every other backend must answer (started once). */
let embeddedReference: Promise<ServedApp> | undefined;
afterAll(async () => {
  if (!embeddedReference) return;
  const reference = await embeddedReference;
  expect(await reference.stop()).toBe(0);
  removeDir(reference.dataDir);
});

/**
 * Requests whose answer must not depend on the engine (as a curator, `anonymous:` as nobody): totals,
 * hits in order (as a set where relevance orders them: scores are the engine's own), aggregation counts
 * and bucket order, pages, error statuses. Known, documented differences (fuzzy and regex terms, unknown
 * fields in q: packages/elasticsearch/README.md) are not here.
 */
const AGREEMENT = [
  'size=30&sort=title',
  'size=30&sort=-title',
  'size=30&sort=publication_date',
  'size=30&sort=-publication_date',
  'size=30&sort=mostrecent',
  'size=7&page=3&sort=title',
  'size=20&sort=title&page=50',
  'size=15&sort=-title&page=4&type=article',
  'anonymous:size=25&sort=title&type=dataset',
  'anonymous:q=coral&size=1000',
  'q=coral&size=1000',
  'q=%22coral%20reef%22&size=1000',
  'q=coral%20AND%20reef&size=1000',
  'q=coral%20-reef&size=1000',
  'q=title:coral*&size=1000',
  'q=gl%3Fcier&size=1000',
  'q=Mensah&size=1000',
  'q=creators.name:%22Mensah,%20Kofi%22&size=1000',
  'q=title:coral%20AND%20NOT%20type:dataset&size=1000',
  'q=muller&size=1000',
  'q=publication_date:[2020%20TO%202021]&size=1000',
  'q=publication_date:%7B2020%20TO%202021%7D&size=1000',
  'q=publication_date:%3E2020&size=1000',
  'q=publication_date:2020-05&size=1000',
  'q=type:dataset%20OR%20type:software&size=1000',
  'q=subjects:%22Marine%20biology%22&size=1000',
  'q=control_number:[1%20TO%2020]&size=1000',
  'q=_exists_:description&size=10&sort=title',
  'q=coral&sort=title&size=50',
  'type=dataset&subjects=Oceanography&size=1000&sort=title',
  'language=eng&language=fra&size=50&sort=title',
  'q=zzzzzz',
  'q=title:(coral',
  'q=%22unclosed&size=1000',
  'sort=nope',
  'page=1001&size=10',
];

/** Suggestions (text and record, in order) and exports (records, in order) that must not depend on the engine. */
const AGREEMENT_ELSEWHERE = [
  '_suggest?title=cor&size=10',
  'anonymous:_suggest?title=gla&size=10',
  '_export?format=ndjson&q=coral',
  '_export?format=ndjson&type=software&sort=title',
  'anonymous:_export?format=ndjson&q=glacier',
];

// Every test on every backend of the matrix (support/backends.ts): totals, facet counts, order and
// visibility after a write are part of the contract, whatever the engine.
describeBackends('search', (backend) => {
  async function search(query: string, headers: Record<string, string> = {}): Promise<{ res: Response; page: Page }> {
    const res = await fetch(`${base}/records/?${query}`, { headers });
    const page = (await res.json()) as Page;
    return { res, page };
  }

  const instance = backend.instance('search');
  let app: ServedApp;
  let base: string;

  beforeAll(async () => {
    if (backend.name === 'embedded') {
      // The quick start: the first start of the embedded default loads the 1,000 demo records itself.
      app = await serve({ dataDir: dataDirectory() });
    } else {
      // Other backends never load demo data on their own: the same records through `recordkit demo`.
      const dataDir = dataDirectory();
      await loadDemo(instance, dataDir, 1000);
      app = await serve({ dataDir, backend: instance, args: ['--no-demo'] });
    }
    base = app.url;
  });

  afterAll(async () => {
    try {
      expect(await app.stop()).toBe(0);
      removeDir(app.dataDir);
    } finally {
      await instance.drop();
    }
  });

  if (backend.name !== 'embedded') {
    it.each(AGREEMENT)('answers %s as the embedded engine does', async (request) => {
      embeddedReference ??= serve({ dataDir: dataDirectory() });
      const reference = await embeddedReference;
      const [who, query] = request.startsWith('anonymous:') ? [{}, request.slice(10)] : [auth(TOKENS.curator), request];
      const answer = async (url: string) => {
        const res = await fetch(`${url}/records/?${query}`, { headers: who });
        const body = (await res.json()) as Partial<Page> & { errors?: { field: string }[] };
        if (!body.hits) return { status: res.status, errors: body.errors?.map((e) => e.field) };
        const ids = body.hits.hits.map((h) => h.id);
        const aggregations = body.aggregations ?? {};
        return {
          status: res.status,
          total: body.hits.total,
          ids: /(^|&)q=/.test(query) && !/(^|&)sort=/.test(query) ? ids.sort() : ids,
          aggregations: Object.fromEntries(
            Object.keys(aggregations)
              .sort()
              .map((k) => [k, aggregations[k]]),
          ),
        };
      };
      expect(await answer(base)).toEqual(await answer(reference.url));
    });

    it.each(AGREEMENT_ELSEWHERE)('answers %s as the embedded engine does', async (request) => {
      embeddedReference ??= serve({ dataDir: dataDirectory() });
      const reference = await embeddedReference;
      const [who, path] = request.startsWith('anonymous:') ? [{}, request.slice(10)] : [auth(TOKENS.curator), request];
      const answer = async (url: string) => {
        const res = await fetch(`${url}/records/${path}`, { headers: who });
        const text = await res.text();
        if (path.startsWith('_export')) {
          const ids = text
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { id: string }).id);
          return { status: res.status, ids };
        }
        const body = JSON.parse(text) as { title: { options: { text: string; _id: string }[] }[] };
        return { status: res.status, options: body.title[0]!.options.map((o) => [o.text, o._id]) };
      };
      const expected = await answer(reference.url);
      expect(expected.ids ?? expected.options).not.toHaveLength(0);
      expect(await answer(base)).toEqual(expected);
    });
  }

  describe('search (GET /records/)', () => {
    it("answers Invenio's shape: hits, total, links and aggregations, with a Link header", async () => {
      const { res, page } = await search('size=5');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(page.hits.hits).toHaveLength(5);
      expect(page.hits.total).toBe(publicCount);
      expect(page.hits.hits[0]).toMatchObject({
        id: expect.any(String),
        metadata: expect.any(Object),
        links: { self: expect.stringContaining(`${base}/records/`) },
      });
      expect(page.links.self).toBe(`${base}/records/?sort=mostrecent&size=5&page=1`);
      expect(page.links.next).toBe(`${base}/records/?sort=mostrecent&size=5&page=2`);
      expect(page.links).not.toHaveProperty('prev');
      expect(res.headers.get('link')).toContain(`<${page.links.next}>; rel="next"`);
      expect(Object.keys(page.aggregations).sort()).toEqual(['language', 'subjects', 'type']);
    });

    it('counts only what the caller may read: anonymous, an owner, a curator', async () => {
      const anonymous = (await search('size=1')).page;
      const alice = (await search('size=1', auth(TOKENS.alice))).page;
      const curator = (await search('size=1', auth(TOKENS.curator))).page;
      expect(anonymous.hits.total).toBe(publicCount);
      expect(alice.hits.total).toBe(publicCount + aliceRestricted);
      expect(curator.hits.total).toBe(1000);
      const sum = (page: Page) => page.aggregations.type!.buckets.reduce((n, b) => n + b.doc_count, 0);
      expect(sum(anonymous)).toBe(publicCount);
      expect(sum(alice)).toBe(publicCount + aliceRestricted);
      expect(sum(curator)).toBe(1000);
    });

    it('never returns a restricted record to someone else', async () => {
      const { page } = await search('size=1000', auth(TOKENS.bob));
      for (const hit of page.hits.hits) {
        if (hit.metadata.access === 'restricted') expect(hit.metadata.owner).toBe('bob');
      }
      const anonymous = (await search('size=1000')).page;
      expect(anonymous.hits.hits.every((h) => h.metadata.access === 'public')).toBe(true);
    });

    it('searches q in the configured fields, relevance first', async () => {
      const { page } = await search('q=coral&size=50');
      expect(page.hits.total).toBeGreaterThan(0);
      for (const hit of page.hits.hits) {
        expect(JSON.stringify(hit.metadata).toLowerCase()).toContain('coral');
      }
      expect(page.links.self).toContain('sort=bestmatch');
    });

    it('searches date ranges by year in q', async () => {
      const { page } = await search('q=publication_date:[2020 TO 2021]&size=200');
      expect(page.hits.total).toBeGreaterThan(0);
      for (const hit of page.hits.hits) expect(hit.metadata.publication_date as string).toMatch(/^202[01]-/);
    });

    it('answers 400 naming q for a syntax error', async () => {
      const { res, page } = await search('q=title:(coral');
      expect(res.status).toBe(400);
      expect(page).toMatchObject({ status: 400, errors: [{ field: 'q' }] });
    });

    it('filters with facets (values ORed) while the aggregation counts stay those of the query', async () => {
      const all = (await search('size=1')).page;
      const datasets = all.aggregations.type!.buckets.find((b) => b.key === 'dataset')!.doc_count;
      const software = all.aggregations.type!.buckets.find((b) => b.key === 'software')!.doc_count;
      const { page } = await search('type=dataset&type=software&size=1000');
      expect(page.hits.total).toBe(datasets + software);
      expect(new Set(page.hits.hits.map((h) => h.metadata.type))).toEqual(new Set(['dataset', 'software']));
      expect(page.aggregations.type!.buckets).toEqual(all.aggregations.type!.buckets);
      expect(page.links.self).toContain('type=dataset&type=software');
    });

    it('sorts by an option, and reverses it with -', async () => {
      const titles = (await search('sort=title&size=20')).page.hits.hits.map((h) => h.metadata.title);
      expect(titles).toEqual([...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const dates = (await search('sort=publication_date&size=20')).page.hits.hits.map((h) => h.metadata.publication_date as string);
      expect(dates).toEqual([...dates].sort().reverse());
      const reversed = (await search('sort=-publication_date&size=20')).page.hits.hits.map((h) => h.metadata.publication_date as string);
      expect(reversed).toEqual([...reversed].sort());
    });

    it('answers 400 naming the parameter for a bad sort, size or page, and past the result window', async () => {
      expect((await search('sort=nope')).page).toMatchObject({ status: 400, errors: [{ field: 'sort' }] });
      expect((await search('size=abc')).page).toMatchObject({ status: 400, errors: [{ field: 'size' }] });
      expect((await search('page=0')).page).toMatchObject({ status: 400, errors: [{ field: 'page' }] });
      const window = await search('page=1001&size=10');
      expect(window.res.status).toBe(400);
      expect(window.page).toMatchObject({ message: 'Maximum number of 10000 results have been reached.' });
    });

    it('pages with page/size and from/size, with prev and next links', async () => {
      const first = (await search('sort=title&size=7&page=1')).page.hits.hits.map((h) => h.id);
      const second = await search('sort=title&size=7&page=2');
      expect(second.page.hits.hits.map((h) => h.id)).not.toEqual(first);
      expect(second.page.links.prev).toBe(`${base}/records/?sort=title&size=7&page=1`);
      const from = (await search('sort=title&size=7&from=8')).page.hits.hits.map((h) => h.id);
      expect(from).toEqual(second.page.hits.hits.map((h) => h.id));
    });

    it('serves HEAD and ?format=json, and answers 406 to an unknown media type', async () => {
      expect((await fetch(`${base}/records/?format=json`)).status).toBe(200);
      const head = await fetch(`${base}/records/`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      expect((await fetch(`${base}/records/`, { headers: { Accept: 'text/html' } })).status).toBe(406);
    });

    it('folds diacritics in full text on every engine: muller finds Müller', async () => {
      const folded = (await search('q=muller&size=1', auth(TOKENS.curator))).page.hits.total;
      expect(folded).toBeGreaterThan(0);
      expect(folded).toBe((await search(`q=${encodeURIComponent('Müller')}&size=1`, auth(TOKENS.curator))).page.hits.total);
    });

    it('finds a new record at once and forgets a deleted one', async () => {
      const res = await fetch(`${base}/records/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...auth(TOKENS.curator) },
        body: JSON.stringify({
          title: 'Zyzzyva pollination',
          creators: [{ name: 'Kim, Mei' }],
          type: 'article',
          publication_date: '2025-02-02',
          access: 'public',
        }),
      });
      const created = (await res.json()) as { id: string };
      expect((await search('q=zyzzyva')).page.hits.total).toBe(1);
      await fetch(`${base}/records/${created.id}`, { method: 'DELETE', headers: auth(TOKENS.curator) });
      expect((await search('q=zyzzyva')).page.hits.total).toBe(0);
    });
  });

  describe('suggest (GET /records/_suggest)', () => {
    it('completes titles, and only with records the caller may read', async () => {
      const prefixes = [...new Set(demo.map((r) => r.title.slice(0, 3)))].filter((p) => /^[A-Za-z]{3}$/.test(p)).slice(0, 15);
      let options = 0;
      for (const prefix of prefixes) {
        const res = await fetch(`${base}/records/_suggest?title=${encodeURIComponent(prefix)}&size=50`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { title: { text: string; options: { _id: string; text: string }[] }[] };
        for (const option of body.title[0]!.options) {
          options++;
          expect(option.text.toLowerCase().startsWith(prefix.toLowerCase()), `${prefix} -> ${option.text}`).toBe(true);
          expect(restrictedIds.has(option._id)).toBe(false);
        }
      }
      expect(options).toBeGreaterThan(0);
    });

    it("answers 400 with Invenio's message when no suggester parameter is given", async () => {
      const res = await fetch(`${base}/records/_suggest`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ message: 'No completions requested. (options: title)' });
    });
  });

  describe('export (GET /records/_export)', () => {
    it('streams NDJSON of every matching record the caller may read', async () => {
      const res = await fetch(`${base}/records/_export?format=ndjson`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="recid.ndjson"');
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Hit);
      expect(lines).toHaveLength(publicCount);
      expect(lines.every((l) => l.metadata.access === 'public')).toBe(true);
      const curator = await fetch(`${base}/records/_export?format=ndjson&type=dataset`, { headers: auth(TOKENS.curator) });
      const datasets = (await curator.text()).trim().split('\n');
      expect(datasets).toHaveLength(demo.filter((r) => r.type === 'dataset').length);
    });

    it('streams CSV with the configured columns, negotiated by Accept', async () => {
      const res = await fetch(`${base}/records/_export?q=glacier`, { headers: { Accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv');
      const rows = (await res.text()).trim().split('\r\n');
      expect(rows[0]!.split(',').slice(0, 3)).toEqual(['id', 'metadata_title', 'metadata_creators_0_name']);
      expect(rows.length - 1).toBe((await search('q=glacier&size=1')).page.hits.total);
    });
  });
});
