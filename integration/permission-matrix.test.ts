// Permission matrix: anonymous, authenticated (bob), owner (alice) and curator (carol), against every
// route, over the embedded store and search engine. No response (hits, totals, aggregation counts,
// suggestions, exports, item reads, refused writes, errors) may reveal a record the identity cannot read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SEARCH_ENDPOINT, type TestApp } from './helpers/app.js';
import { type CallResult, client } from './helpers/client.js';
import { type Running, startStack } from './helpers/stacks.js';

interface Seed {
  key: string;
  owner: string;
  access: 'public' | 'restricted';
  type: string;
}

const SEEDS: Seed[] = [
  { key: 'alicepublic', owner: 'alice', access: 'public', type: 'dataset' },
  { key: 'alicesecret', owner: 'alice', access: 'restricted', type: 'dataset' },
  { key: 'bobpublic', owner: 'bob', access: 'public', type: 'article' },
  { key: 'bobsecret', owner: 'bob', access: 'restricted', type: 'article' },
  { key: 'carolsecret', owner: 'carol', access: 'restricted', type: 'dataset' },
];

const IDENTITIES = ['anonymous', 'bob', 'alice', 'carol'] as const;
type Who = (typeof IDENTITIES)[number];

function canRead(who: Who, seed: Seed): boolean {
  return seed.access === 'public' || who === 'carol' || seed.owner === who;
}

function canWrite(who: Who, seed: Seed): boolean {
  return who === 'carol' || seed.owner === who;
}

describe('permission matrix', () => {
  let app: TestApp;
  let server: Running;
  const call = client(() => server.url);
  const pids = new Map<string, string>();

  beforeAll(async () => {
    app = createTestApp({ withSearch: true, endpoints: { recid: SEARCH_ENDPOINT } });
    await app.service.setup();
    server = await startStack('node:http', app.resource);
    for (const seed of SEEDS) {
      const res = await call('POST', '/records/', {
        user: seed.owner,
        body: { title: `Zebra ${seed.key}`, owner: seed.owner, access: seed.access, type: seed.type },
      });
      expect(res.status).toBe(201);
      pids.set(seed.key, res.record.id);
    }
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  const as = (who: Who) => (who === 'anonymous' ? {} : { user: who });
  const visible = (who: Who) => SEEDS.filter((seed) => canRead(who, seed));
  const hidden = (who: Who) => SEEDS.filter((seed) => !canRead(who, seed));

  /** Nothing of a hidden record in the response: not its title token, not its PID as a record id. */
  function expectNothingHidden(who: Who, res: CallResult, route: string): void {
    for (const seed of hidden(who)) {
      expect(res.text, `${route} as ${who} leaks ${seed.key}`).not.toContain(seed.key);
      expect(res.text, `${route} as ${who} leaks the PID of ${seed.key}`).not.toMatch(
        new RegExp(`"(id|control_number)":"${pids.get(seed.key)}"`),
      );
    }
  }

  describe.each(IDENTITIES)('as %s', (who) => {
    it('search: hits, total and aggregation counts cover exactly the readable records', async () => {
      const res = await call('GET', '/records/?q=zebra&size=50', as(who));
      expect(res.status).toBe(200);
      expectNothingHidden(who, res, 'search');
      const expected = visible(who);
      expect(res.search.hits.total).toBe(expected.length);
      expect(res.search.hits.hits.map((h) => h.id).sort()).toEqual(expected.map((s) => pids.get(s.key)).sort());
      const access = Object.fromEntries(res.search.aggregations.access!.buckets.map((b) => [b.key, b.doc_count]));
      const restricted = expected.filter((s) => s.access === 'restricted').length;
      expect(access.restricted ?? 0).toBe(restricted);
      expect(access.public).toBe(expected.length - restricted);
    });

    it('search with a post filter and paging one hit at a time never reaches a hidden record', async () => {
      const filtered = await call('GET', '/records/?q=zebra&type=dataset', as(who));
      expectNothingHidden(who, filtered, 'search with type=dataset');
      const types = Object.fromEntries(filtered.search.aggregations.type!.buckets.map((b) => [b.key, b.doc_count]));
      expect((types.dataset ?? 0) + (types.article ?? 0)).toBe(visible(who).length);
      const seen: string[] = [];
      for (let page = 1; page <= SEEDS.length + 1; page++) {
        const res = await call('GET', `/records/?q=zebra&size=1&page=${page}&sort=mostrecent`, as(who));
        expectNothingHidden(who, res, `search page ${page}`);
        seen.push(...res.search.hits.hits.map((h) => h.id));
        expect(res.search.hits.total).toBe(visible(who).length);
      }
      expect(seen.sort()).toEqual(
        visible(who)
          .map((s) => pids.get(s.key))
          .sort(),
      );
    });

    it('suggest offers only readable records', async () => {
      const res = await call('GET', '/records/_suggest?title=zeb&size=10', as(who));
      expect(res.status).toBe(200);
      expectNothingHidden(who, res, 'suggest');
      const options = (res.json as { title: { options: { text: string }[] }[] }).title[0]?.options ?? [];
      expect(options.map((o) => o.text).sort()).toEqual(
        visible(who)
          .map((s) => `Zebra ${s.key}`)
          .sort(),
      );
    });

    it('export (NDJSON and CSV) holds only readable records', async () => {
      const ndjson = await call('GET', '/records/_export?q=zebra', as(who));
      expectNothingHidden(who, ndjson, 'export ndjson');
      const ids = ndjson.text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids.sort()).toEqual(
        visible(who)
          .map((s) => pids.get(s.key))
          .sort(),
      );
      const csv = await call('GET', '/records/_export?q=zebra&format=csv', as(who));
      expectNothingHidden(who, csv, 'export csv');
      expect(csv.text.trim().split('\r\n')).toHaveLength(visible(who).length + 1);
    });

    it('options view and a refused create reveal nothing', async () => {
      expectNothingHidden(who, await call('GET', '/records/_options', as(who)), 'options');
      const create = await call('POST', '/records/', { ...as(who), body: { owner: 'x' } });
      expect(create.status).toBe(who === 'anonymous' ? 401 : 400);
      expectNothingHidden(who, create, 'POST');
    });

    it.each(SEEDS.map((seed) => [seed.key, seed] as const))(
      'item %s: GET/HEAD only when readable, writes only when permitted',
      async (_key, seed) => {
        const path = `/records/${pids.get(seed.key)}`;
        const refused = who === 'anonymous' ? 401 : 403;
        const get = await call('GET', path, as(who));
        expect(get.status).toBe(canRead(who, seed) ? 200 : refused);
        if (!canRead(who, seed)) expectNothingHidden(who, get, `GET ${seed.key}`);
        expect((await call('HEAD', path, as(who))).status).toBe(canRead(who, seed) ? 200 : refused);
        // A stale If-Match: a permitted writer gets 412 (nothing written), everyone else 401/403.
        const stale = { ...as(who), headers: { 'If-Match': '"999"' } };
        const writes = [
          await call('PUT', path, { ...stale, body: { title: 'overwritten', owner: seed.owner } }),
          await call('PATCH', path, { ...stale, body: { title: 'patched' }, contentType: 'application/merge-patch+json' }),
          await call('DELETE', path, stale),
        ];
        for (const res of writes) {
          expect(res.status).toBe(canWrite(who, seed) ? 412 : refused);
          expectNothingHidden(who, res, `write ${seed.key}`);
        }
      },
    );
  });

  it('leaves every record unchanged after the whole matrix', async () => {
    for (const seed of SEEDS) {
      const res = await call('GET', `/records/${pids.get(seed.key)}`, { user: 'carol' });
      expect(res.record.revision).toBe(0);
      expect(res.record.metadata.title).toBe(`Zebra ${seed.key}`);
    }
  });
});
