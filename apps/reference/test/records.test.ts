// End to end: the real `recordkit serve` on a loopback port with a temporary data directory, exercised
// over HTTP like a client would: Invenio's wire format, statuses and headers, and our deviations.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends, recordkit } from './support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from './support/serve.js';

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const json = { 'Content-Type': 'application/json' };
const curator = auth(TOKENS.curator);

const record = (overrides: Record<string, unknown> = {}) => ({
  title: 'Coral reef resilience in the Great Barrier Reef',
  creators: [{ name: 'Mensah, Kofi', affiliation: 'CERN' }],
  type: 'dataset',
  subjects: ['Marine biology'],
  publication_date: '2024-05-01',
  language: 'eng',
  access: 'public',
  ...overrides,
});

async function body(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

// Every test on every backend of the matrix (support/backends.ts): the wire format must not depend on it.
describeBackends('records', (backend) => {
  async function create(body: unknown, headers: Record<string, string> = curator): Promise<Response> {
    return fetch(`${base}/records/`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
  }

  const instance = backend.instance('records');
  let app: ServedApp;
  let base: string;

  beforeAll(async () => {
    app = await serve({ args: ['--no-demo'], backend: instance });
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

  describe('create (POST /records/)', () => {
    it('answers 201 with the record, Location, ETag "0", Last-Modified, Cache-Control and Link', async () => {
      const res = await create(record());
      expect(res.status).toBe(201);
      const created = await body(res);
      expect(created).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        metadata: { ...record(), control_number: created.id, owner: 'carol-curator' },
        links: { self: `${base}/records/${created.id}` },
        revision: 0,
      });
      expect(new Date(created.created as string).toISOString()).toBe(created.created);
      expect(res.headers.get('location')).toBe(`${base}/records/${created.id}`);
      expect(res.headers.get('etag')).toBe('"0"');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(new Date(res.headers.get('last-modified')!).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(res.headers.get('link')).toBe(`<${base}/records/${created.id}>; rel="self"`);
      expect(res.headers.get('content-type')).toBe('application/json');
    });

    it('mints sequential recids', async () => {
      const a = await body(await create(record()));
      const b = await body(await create(record()));
      expect(Number(b.id)).toBe(Number(a.id) + 1);
    });

    it('needs a curator: 401 anonymous (with WWW-Authenticate), 403 for another user', async () => {
      const anonymous = await create(record(), {});
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      expect((await create(record(), auth(TOKENS.reader))).status).toBe(403);
    });

    it('refuses a client-supplied recid with a 400 naming the field (Invenio: 500)', async () => {
      const res = await create(record({ control_number: '999' }));
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({
        status: 400,
        errors: [{ field: 'control_number', message: 'control_number is assigned by the server and cannot be set by the client.' }],
      });
    });

    it('validates the metadata against the schema, one field error per problem', async () => {
      const res = await create({ ...record({ type: 'poem' }), title: undefined });
      expect(res.status).toBe(400);
      const errors = (await body(res)).errors as { field: string }[];
      expect(errors.map((e) => e.field).sort()).toEqual(['title', 'type']);
    });

    it('answers 400 to invalid JSON and to a body that is not an object', async () => {
      const bad = await fetch(`${base}/records/`, { method: 'POST', headers: { ...json, ...curator }, body: '{"title": ' });
      expect(bad.status).toBe(400);
      expect((await create([1, 2])).status).toBe(400);
    });

    it('answers 415 to another Content-Type, listing the expected one', async () => {
      const res = await fetch(`${base}/records/`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...curator }, body: 'x' });
      expect(res.status).toBe(415);
      expect((await body(res)).message).toContain('application/json');
    });

    it('answers 406 before writing anything when the Accept header cannot be satisfied (Invenio writes first)', async () => {
      const before = await body(await create(record()));
      const res = await fetch(`${base}/records/`, {
        method: 'POST',
        headers: { ...json, ...curator, Accept: 'application/xml' },
        body: JSON.stringify(record()),
      });
      expect(res.status).toBe(406);
      const after = await body(await create(record()));
      expect(Number(after.id)).toBe(Number(before.id) + 1);
    });
  });

  describe('read (GET /records/<pid>)', () => {
    let id: string;
    beforeAll(async () => {
      id = (await body(await create(record()))).id as string;
    });

    it('answers 200 with ETag, Last-Modified, Cache-Control: no-cache, Link and Vary', async () => {
      const res = await fetch(`${base}/records/${id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"0"');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('last-modified')).toMatch(/GMT$/);
      expect(res.headers.get('link')).toBe(`<${base}/records/${id}>; rel="self"`);
      expect(await body(res)).toMatchObject({ id, metadata: { title: record().title, control_number: id } });
    });

    it('answers 304 without a body to If-None-Match with the current ETag, and to If-Modified-Since', async () => {
      const first = await fetch(`${base}/records/${id}`);
      const notModified = await fetch(`${base}/records/${id}`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('etag')).toBe('"0"');
      expect(await notModified.text()).toBe('');
      const since = await fetch(`${base}/records/${id}`, { headers: { 'If-Modified-Since': first.headers.get('last-modified')! } });
      expect(since.status).toBe(304);
      expect((await fetch(`${base}/records/${id}`, { headers: { 'If-None-Match': '"7"' } })).status).toBe(200);
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await fetch(`${base}/records/${id}`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"0"');
      expect(await res.text()).toBe('');
    });

    it('honours ?format=json and answers 406 listing what is available', async () => {
      expect((await fetch(`${base}/records/${id}?format=json`)).status).toBe(200);
      const res = await fetch(`${base}/records/${id}`, { headers: { Accept: 'application/xml' } });
      expect(res.status).toBe(406);
      expect(await body(res)).toMatchObject({ status: 406, available: ['application/json'] });
    });

    it('indents the body with ?prettyprint=1', async () => {
      expect(await (await fetch(`${base}/records/${id}?prettyprint=1`)).text()).toMatch(/^\{\n {2}"id"/);
    });

    it("answers 404 with Invenio's message for an unknown PID", async () => {
      const res = await fetch(`${base}/records/987654`);
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual({ status: 404, message: 'PID does not exist.' });
    });
  });

  describe('update (PUT and PATCH) with If-Match', () => {
    let id: string;
    beforeAll(async () => {
      id = (await body(await create(record()))).id as string;
    });

    it('replaces with PUT when If-Match is current, and answers 412 to a stale one', async () => {
      const put = await fetch(`${base}/records/${id}`, {
        method: 'PUT',
        headers: { ...json, ...curator, 'If-Match': '"0"' },
        body: JSON.stringify(record({ title: 'Replaced title' })),
      });
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe('"1"');
      expect(await body(put)).toMatchObject({ revision: 1, metadata: { title: 'Replaced title', control_number: id } });
      const stale = await fetch(`${base}/records/${id}`, {
        method: 'PUT',
        headers: { ...json, ...curator, 'If-Match': '"0"' },
        body: JSON.stringify(record({ title: 'Lost update' })),
      });
      expect(stale.status).toBe(412);
      expect((await body(await fetch(`${base}/records/${id}`))).metadata).toMatchObject({ title: 'Replaced title' });
    });

    it('applies a JSON Patch (RFC 6902) and a JSON Merge Patch (RFC 7396)', async () => {
      const etag = (await fetch(`${base}/records/${id}`)).headers.get('etag')!;
      const jsonPatch = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json-patch+json', ...curator, 'If-Match': etag },
        body: JSON.stringify([{ op: 'replace', path: '/title', value: 'Patched title' }]),
      });
      expect(jsonPatch.status).toBe(200);
      expect(await body(jsonPatch)).toMatchObject({ metadata: { title: 'Patched title' } });
      const merge = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', ...curator, 'If-Match': jsonPatch.headers.get('etag')! },
        body: JSON.stringify({ description: 'Added by merge patch', subjects: null }),
      });
      expect(merge.status).toBe(200);
      const merged = (await body(merge)).metadata as Record<string, unknown>;
      expect(merged.description).toBe('Added by merge patch');
      expect(merged).not.toHaveProperty('subjects');
    });

    it('answers 415 with Accept-Patch to PATCH with another Content-Type, and 400 to a failing patch', async () => {
      const wrong = await fetch(`${base}/records/${id}`, { method: 'PATCH', headers: { ...json, ...curator }, body: '{}' });
      expect(wrong.status).toBe(415);
      expect(wrong.headers.get('accept-patch')).toBe('application/json-patch+json, application/merge-patch+json');
      const failing = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json-patch+json', ...curator },
        body: JSON.stringify([{ op: 'test', path: '/title', value: 'not the title' }]),
      });
      expect(failing.status).toBe(400);
    });

    it('keeps the recid server-managed', async () => {
      const res = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json-patch+json', ...curator },
        body: JSON.stringify([{ op: 'replace', path: '/control_number', value: '1' }]),
      });
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ errors: [{ field: 'control_number' }] });
    });
  });

  describe('delete', () => {
    it('answers 204, then 410 for the PID; If-Match is the ETag GET returned (Invenio compares another number)', async () => {
      const created = await create(record());
      const { id } = await body(created);
      const stale = await fetch(`${base}/records/${id}`, { method: 'DELETE', headers: { ...curator, 'If-Match': '"1"' } });
      expect(stale.status).toBe(412);
      const res = await fetch(`${base}/records/${id}`, {
        method: 'DELETE',
        headers: { ...curator, 'If-Match': created.headers.get('etag')! },
      });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      const gone = await fetch(`${base}/records/${id}`);
      expect(gone.status).toBe(410);
      expect(await body(gone)).toEqual({ status: 410, message: 'PID has been deleted.' });
      expect((await fetch(`${base}/records/${id}`, { method: 'DELETE', headers: curator })).status).toBe(410);
    });

    it('needs a curator', async () => {
      const { id } = await body(await create(record()));
      expect((await fetch(`${base}/records/${id}`, { method: 'DELETE' })).status).toBe(401);
      expect((await fetch(`${base}/records/${id}`, { method: 'DELETE', headers: auth(TOKENS.alice) })).status).toBe(403);
    });
  });

  describe('text a store cannot hold', () => {
    it('is kept as given where the store can (SQLite), a 400 naming the field where it cannot (PostgreSQL), never a 500', async () => {
      const title = 'Nul\u0000byte and lone \ud800 surrogate';
      const res = await create(record({ title }));
      if (backend.store === 'postgres') {
        expect(res.status).toBe(400);
        expect(await body(res)).toMatchObject({ status: 400, errors: [{ field: 'metadata.title' }] });
        // Nothing half-written: no record, no index entry.
        const found = (await body(await fetch(`${base}/records/?q=surrogate`, { headers: curator }))) as { hits: { total: number } };
        expect(found.hits.total).toBe(0);
      } else {
        expect(res.status).toBe(201);
        const { id } = await body(res);
        expect(((await body(await fetch(`${base}/records/${id}`))).metadata as { title: string }).title).toBe(title);
      }
    });
  });

  describe('visibility after a write', () => {
    it('a record made restricted leaves anonymous search, suggestions and export at once', async () => {
      const created = await create(record({ title: 'Wombat burrow survey' }));
      const { id } = await body(created);
      const total = async (path: string, headers: Record<string, string> = {}) =>
        ((await body(await fetch(`${base}/records/${path}`, { headers }))) as { hits: { total: number } }).hits.total;
      expect(await total('?q=wombat')).toBe(1);
      const patched = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', ...curator, 'If-Match': created.headers.get('etag')! },
        body: JSON.stringify({ access: 'restricted' }),
      });
      expect(patched.status).toBe(200);
      expect(await total('?q=wombat')).toBe(0);
      expect(await total('?q=wombat', curator)).toBe(1);
      const suggested = (await body(await fetch(`${base}/records/_suggest?title=womb`))) as { title: { options: unknown[] }[] };
      expect(suggested.title[0]!.options).toEqual([]);
      expect((await (await fetch(`${base}/records/_export?format=ndjson&q=wombat`)).text()).trim()).toBe('');
    });
  });

  describe('a title with a control character', () => {
    it('is found and suggested (Elasticsearch refuses U+001F in completion inputs: the suggestion drops it)', async () => {
      const res = await create(record({ title: 'Quokka\u001fcensus on Rottnest' }));
      expect(res.status).toBe(201);
      const { id } = await body(res);
      const found = (await body(await fetch(`${base}/records/?q=quokka`, { headers: curator }))) as { hits: { hits: { id: string }[] } };
      expect(found.hits.hits.map((h) => h.id)).toEqual([id]);
      const suggested = (await body(await fetch(`${base}/records/_suggest?title=quok`, { headers: curator }))) as {
        title: { options: { _id: string }[] }[];
      };
      expect(suggested.title[0]!.options).toHaveLength(1);
      expect((await body(await fetch(`${base}/records/${id}`))).metadata).toMatchObject({ title: 'Quokka\u001fcensus on Rottnest' });
    });
  });

  describe('restricted records', () => {
    let id: string;
    beforeAll(async () => {
      id = (await body(await create(record({ access: 'restricted', owner: 'alice' })))).id as string;
    });

    it('are readable by their owner and curators only', async () => {
      expect((await fetch(`${base}/records/${id}`)).status).toBe(401);
      expect((await fetch(`${base}/records/${id}`, { headers: auth(TOKENS.bob) })).status).toBe(403);
      expect((await fetch(`${base}/records/${id}`, { headers: auth(TOKENS.alice) })).status).toBe(200);
      expect((await fetch(`${base}/records/${id}`, { headers: curator })).status).toBe(200);
    });

    it('cannot be changed by their owner (only curators write)', async () => {
      const res = await fetch(`${base}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', ...auth(TOKENS.alice) },
        body: JSON.stringify({ title: 'Mine' }),
      });
      expect(res.status).toBe(403);
    });
  });

  describe('methods and routes', () => {
    it('answers OPTIONS with Allow (and Accept-Patch on items)', async () => {
      const list = await fetch(`${base}/records/`, { method: 'OPTIONS' });
      expect(list.status).toBe(200);
      expect(list.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      const item = await fetch(`${base}/records/1`, { method: 'OPTIONS' });
      expect(item.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
      expect(item.headers.get('accept-patch')).toBe('application/json-patch+json, application/merge-patch+json');
    });

    it('answers 405 with Allow to an unsupported method (Invenio drops Allow)', async () => {
      const res = await fetch(`${base}/records/1`, { method: 'POST', headers: { ...json, ...curator }, body: '{}' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
    });

    it('serves the options view', async () => {
      const res = await fetch(`${base}/records/_options`);
      expect(res.status).toBe(200);
      expect(await body(res)).toEqual({
        default_media_type: 'application/json',
        export_media_types: ['application/x-ndjson', 'text/csv'],
        facets: ['type', 'subjects', 'language'],
        item_media_types: ['application/json'],
        max_result_window: 10000,
        search_media_types: ['application/json'],
        sort_fields: [
          { bestmatch: { title: 'Best match', default_order: 'desc' } },
          { mostrecent: { title: 'Most recent', default_order: 'asc' } },
          { title: { title: 'Title', default_order: 'asc' } },
          { publication_date: { title: 'Publication date', default_order: 'asc' } },
        ],
      });
    });

    it('answers 404 in Invenio JSON for an unknown path', async () => {
      const res = await fetch(`${base}/nothing/here`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
    });
  });

  describe('/openapi.json', () => {
    it('is a valid OpenAPI 3.1 document covering every route of the endpoint', async () => {
      const res = await fetch(`${base}/openapi.json`);
      expect(res.status).toBe(200);
      const document = await body(res);
      const result = await new Validator().validate(document);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(document.openapi).toBe('3.1.0');
      const paths = document.paths as Record<string, Record<string, unknown>>;
      expect(Object.keys(paths).sort()).toEqual(
        [
          '/health',
          '/openapi.json',
          '/ready',
          '/records/',
          '/records/_export',
          '/records/_options',
          '/records/_suggest',
          '/records/{pid}',
        ].sort(),
      );
      expect(Object.keys(paths['/records/{pid}']!).sort()).toEqual(['delete', 'get', 'options', 'parameters', 'patch', 'put']);
      expect(Object.keys(paths['/records/']!).sort()).toEqual(['get', 'options', 'post']);
      const search = paths['/records/']!.get as { parameters: { name?: string; $ref?: string }[] };
      const names = search.parameters.map((p) => p.name ?? p.$ref?.split('/').at(-1));
      expect(names).toEqual(expect.arrayContaining(['q', 'page', 'size', 'sort', 'type', 'subjects', 'language', 'format']));
    });
  });

  // Last: every write above, refused or not, left the store and the index in agreement.
  describe('after every write of this suite', () => {
    it('finds store and index in agreement (recordkit check)', async () => {
      const check = await recordkit(['check'], instance, app.dataDir);
      expect(check.stdout).toContain('store and index agree');
      expect(check.code).toBe(0);
    });
  });
});
