// The permission matrix on the real reference server with its own policy (decision 096): anonymous, a
// user without roles, the owner, another owner and a curator, against every route. Search totals,
// aggregation counts, cursor pages, suggestions, NDJSON and CSV exports and error bodies hold exactly
// the records the caller may read; only curators write. integration/permission-matrix.test.ts runs a
// similar matrix over the service with a test policy (owners write); this one runs the CLI's server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from '../support/serve.js';
import { type RawResponse, send } from './support/raw.js';

interface Seed {
  key: string;
  owner: string;
  access: 'public' | 'restricted';
  type: string;
}

const SEEDS: Seed[] = [
  { key: 'alicepublic', owner: 'alice', access: 'public', type: 'dataset' },
  { key: 'alicesecret', owner: 'alice', access: 'restricted', type: 'software' },
  { key: 'bobpublic', owner: 'bob', access: 'public', type: 'article' },
  { key: 'bobsecret', owner: 'bob', access: 'restricted', type: 'thesis' },
  { key: 'carolsecret', owner: 'carol-curator', access: 'restricted', type: 'report' },
];

const CALLERS = {
  anonymous: undefined,
  rita: TOKENS.reader,
  alice: TOKENS.alice,
  bob: TOKENS.bob,
  curator: TOKENS.curator,
} as const;
type Who = keyof typeof CALLERS;
const WHO = Object.keys(CALLERS) as Who[];

const canRead = (who: Who, seed: Seed) => seed.access === 'public' || who === 'curator' || seed.owner === who;
const auth = (who: Who): Record<string, string> => (CALLERS[who] ? { Authorization: `Bearer ${CALLERS[who]}` } : {});

describeBackends('permission matrix of the reference server', (backend) => {
  const instance = backend.instance('perm');
  let app: ServedApp;
  const pids = new Map<string, string>();
  let before: string;

  beforeAll(async () => {
    app = await serve({ args: ['--no-demo'], backend: instance });
    for (const seed of SEEDS) {
      const res = await send(app.url, {
        method: 'POST',
        path: '/records/',
        headers: { ...auth('curator'), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          title: `Quagga ${seed.key}`,
          creators: [{ name: `Creator ${seed.key}` }],
          type: seed.type,
          publication_date: '2024-01-01',
          access: seed.access,
          owner: seed.owner,
          subjects: [`subject-${seed.key}`],
        }),
      });
      expect(res.status).toBe(201);
      pids.set(seed.key, (JSON.parse(res.text) as { id: string }).id);
    }
    before = (await instance.digest(app.dataDir)).digest;
  });

  afterAll(async () => {
    if (app) {
      await app.stop();
      removeDir(app.dataDir);
    }
    await instance.drop();
  });

  const get = (who: Who, path: string, headers: Record<string, string> = {}) =>
    send(app.url, { method: 'GET', path, headers: { ...auth(who), ...headers } });
  const visibleIds = (who: Who) =>
    SEEDS.filter((s) => canRead(who, s))
      .map((s) => pids.get(s.key))
      .sort();

  /** Nothing of a record the caller may not read: not its key (in title, creator, subject), not its id. */
  function expectNothingHidden(who: Who, res: RawResponse, route: string): void {
    for (const seed of SEEDS.filter((s) => !canRead(who, s))) {
      expect(res.text, `${route} as ${who} leaks ${seed.key}`).not.toContain(seed.key);
      expect(res.text, `${route} as ${who} leaks the id of ${seed.key}`).not.toMatch(
        new RegExp(`"(id|_id|control_number)":"${pids.get(seed.key)}"`),
      );
    }
  }

  describe.each(WHO)('as %s', (who) => {
    it('search: hits, total and every aggregation count are those of the readable records', async () => {
      const res = await get(who, '/records/?q=quagga&size=100');
      expect(res.status).toBe(200);
      expectNothingHidden(who, res, 'search');
      const body = JSON.parse(res.text) as {
        hits: { hits: { id: string }[]; total: number };
        aggregations: Record<string, { buckets: { key: string; doc_count: number }[] }>;
      };
      expect(body.hits.total).toBe(visibleIds(who).length);
      expect(body.hits.hits.map((h) => h.id).sort()).toEqual(visibleIds(who));
      const types = Object.fromEntries(body.aggregations.type!.buckets.map((b) => [b.key, b.doc_count]));
      expect(types).toEqual(Object.fromEntries(SEEDS.filter((s) => canRead(who, s)).map((s) => [s.type, 1])));
      const subjects = body.aggregations.subjects!.buckets.map((b) => b.key).sort();
      expect(subjects).toEqual(
        SEEDS.filter((s) => canRead(who, s))
          .map((s) => `subject-${s.key}`)
          .sort(),
      );
    });

    it('search for a hidden record by its words, facet value or id finds nothing', async () => {
      for (const seed of SEEDS.filter((s) => !canRead(who, s))) {
        for (const query of [`q=${seed.key}`, `q=control_number:${pids.get(seed.key)}`, `type=${seed.type}`]) {
          const res = await get(who, `/records/?${query}`);
          expect(res.status, query).toBe(200);
          const body = JSON.parse(res.text) as { hits: { total: number }; aggregations: unknown };
          expect(body.hits.total, query).toBe(0);
          // The links echo the caller's own query; hits and aggregations must hold nothing of the record.
          expectNothingHidden(who, { ...res, text: JSON.stringify([body.hits, body.aggregations]) }, `search ${query}`);
        }
      }
    });

    it('pages of one hit, followed through the next links, reach only readable records', async () => {
      const seen: string[] = [];
      let path: string | undefined = '/records/?q=quagga&size=1&sort=title';
      for (let i = 0; path && i < 10; i++) {
        const res = await get(who, path);
        expect(res.status).toBe(200);
        expectNothingHidden(who, res, 'page');
        const body = JSON.parse(res.text) as { hits: { hits: { id: string }[] }; links: { next?: string } };
        seen.push(...body.hits.hits.map((h) => h.id));
        path = body.links.next ? new URL(body.links.next).pathname + new URL(body.links.next).search : undefined;
      }
      expect(seen.sort()).toEqual(visibleIds(who));
    });

    it('suggest completes only readable titles', async () => {
      const res = await get(who, '/records/_suggest?title=quag&size=20');
      expect(res.status).toBe(200);
      expectNothingHidden(who, res, 'suggest');
      const body = JSON.parse(res.text) as { title: { options: { text: string }[] }[] };
      expect(body.title[0]!.options.map((o) => o.text).sort()).toEqual(
        SEEDS.filter((s) => canRead(who, s))
          .map((s) => `Quagga ${s.key}`)
          .sort(),
      );
    });

    it('export (NDJSON and CSV) holds only readable records', async () => {
      const ndjson = await get(who, '/records/_export?format=ndjson');
      expect(ndjson.status).toBe(200);
      expectNothingHidden(who, ndjson, 'export ndjson');
      const ids = ndjson.text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids.sort()).toEqual(visibleIds(who));
      const csv = await get(who, '/records/_export', { Accept: 'text/csv' });
      expect(csv.status).toBe(200);
      expectNothingHidden(who, csv, 'export csv');
      expect(csv.text.trim().split('\r\n')).toHaveLength(visibleIds(who).length + 1);
    });

    it('options and OpenAPI reveal no record', async () => {
      for (const path of ['/records/_options', '/openapi.json']) {
        const res = await get(who, path);
        expect(res.status).toBe(200);
        expectNothingHidden(who, res, path);
      }
    });

    it.each(SEEDS.map((s) => [s.key, s] as const))(
      'item %s: GET and HEAD only when readable, writes only for curators',
      async (_key, seed) => {
        const path = `/records/${pids.get(seed.key)}`;
        const refused = who === 'anonymous' ? 401 : 403;
        const read = await get(who, path);
        expect(read.status).toBe(canRead(who, seed) ? 200 : refused);
        if (!canRead(who, seed)) expectNothingHidden(who, read, `GET ${seed.key}`);
        const head = await send(app.url, { method: 'HEAD', path, headers: auth(who) });
        expect(head.status).toBe(canRead(who, seed) ? 200 : refused);
        // A stale If-Match: the curator gets 412 (nothing written), everyone else 401/403.
        const stale = { ...auth(who), 'If-Match': '"999"' };
        const writes = [
          await send(app.url, {
            method: 'PUT',
            path,
            headers: { ...stale, 'Content-Type': 'application/json' },
            body: JSON.stringify({
              title: 'overwritten',
              creators: [{ name: 'x' }],
              type: 'book',
              publication_date: '2020-01-01',
              access: 'public',
            }),
          }),
          await send(app.url, {
            method: 'PATCH',
            path,
            headers: { ...stale, 'Content-Type': 'application/merge-patch+json' },
            body: '{"access":"public"}',
          }),
          await send(app.url, { method: 'DELETE', path, headers: stale }),
        ];
        for (const res of writes) {
          expect(res.status).toBe(who === 'curator' ? 412 : refused);
          expectNothingHidden(who, res, `write ${seed.key}`);
        }
      },
    );

    it('a refused create writes nothing and reveals nothing', async () => {
      // The curator may create: a body without the required fields keeps the store unchanged for them too.
      const res = await send(app.url, {
        method: 'POST',
        path: '/records/',
        headers: { ...auth(who), 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'Intruder', access: 'public' }),
      });
      expect(res.status).toBe(who === 'anonymous' ? 401 : who === 'curator' ? 400 : 403);
      expectNothingHidden(who, res, 'POST');
    });
  });

  it('leaves every table of the store unchanged after the whole matrix', async () => {
    const after = await instance.digest(app.dataDir);
    expect(after.records).toBe(SEEDS.length);
    expect(after.digest).toBe(before);
  });

  it('every seeded record is still at revision 0 with its title', async () => {
    for (const seed of SEEDS) {
      const res = await get('curator', `/records/${pids.get(seed.key)}`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ revision: 0, metadata: { title: `Quagga ${seed.key}`, access: seed.access } });
    }
  });
});
