// The HTTP resource over the real SQLite store, through node:http, Express, Fastify, Koa and Hono.
// Each test names the Invenio behaviour it checks (reference/invenio-catalog.md §2.4, §2.5) and says
// "difference:" where RecordKit deliberately answers otherwise (README, "Differences from Invenio").
import { providedMinter } from '@recordkit/records-service';
import { PIDDoesNotExistError } from '@recordkit/rest-errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, RECORDS_ENDPOINT, type TestApp } from './helpers/app.js';
import { client } from './helpers/client.js';
import { type Running, STACKS, startStack } from './helpers/stacks.js';

describe.each(STACKS)('records over HTTP (%s)', (stack) => {
  let app: TestApp;
  let server: Running;
  const call = client(() => server.url);

  beforeAll(async () => {
    app = createTestApp({
      endpoints: {
        recid: RECORDS_ENDPOINT,
        dois: {
          pidType: 'doi',
          listRoute: '/dois/',
          itemRoute: '/dois/*pid',
          pidMinter: providedMinter({ field: 'doi' }),
          permissions: { create: () => true, update: () => true, delete: () => true },
        },
        locked: { pidType: 'lock', listRoute: '/locked/', itemRoute: '/locked/:pid', pidMinter: 'uuid', useOptionsView: false },
        strict: {
          pidType: 'strict',
          listRoute: '/strict/',
          itemRoute: '/strict/:pid',
          requireIfMatch: true,
          permissions: { create: () => true, update: () => true, delete: () => true },
        },
      },
      resource: {
        errorHandlers: {
          dois: [
            {
              match: PIDDoesNotExistError,
              handle: (error) => ({ status: 404, headers: { 'Content-Type': 'text/plain' }, body: `no DOI: ${error.message}` }),
            },
          ],
        },
      },
    });
    server = await startStack(stack, app.resource);
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  async function create(body: Record<string, unknown> = { title: 'A record' }, user = 'alice') {
    const res = await call('POST', '/records/', { user, body: { owner: user, ...body } });
    expect(res.status).toBe(201);
    return res.record;
  }

  describe('POST list (create), §2.5.2', () => {
    it('creates a record: 201, Location = links.self, ETag "0", Last-Modified, Cache-Control, Link, body with revision', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: { title: 'First', owner: 'alice' } });
      expect(res.status).toBe(201);
      const body = res.record;
      expect(body).toMatchObject({ metadata: { title: 'First', owner: 'alice', control_number: body.id }, revision: 0 });
      expect(body.id).toMatch(/^\d+$/);
      expect(body.links.self).toBe(`http://records.test/api/records/${body.id}`);
      expect(res.headers.get('location')).toBe(body.links.self);
      expect(res.headers.get('etag')).toBe('"0"');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(new Date(res.headers.get('last-modified') ?? '').getTime()).toBe(Math.floor(Date.parse(body.updated) / 1000) * 1000);
      expect(res.headers.get('link')).toBe(`<${body.links.self}>; rel="self"`);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(body.created).toBe(body.updated);
    });

    it('mints sequential recids', async () => {
      const a = await create();
      const b = await create();
      expect(Number(b.id)).toBe(Number(a.id) + 1);
    });

    it('answers 401 with WWW-Authenticate to an anonymous client', async () => {
      const res = await call('POST', '/records/', { body: { title: 'x' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 401 with the challenge when the adapter refuses the credentials, before anything else', async () => {
      const res = await call('POST', '/records/', { headers: { Authorization: 'Bearer forged' }, body: { title: 'x' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.error.message).toBe('The access token is invalid.');
    });

    it("answers 401 anonymous and 403 authenticated with Invenio's default deny_all", async () => {
      expect((await call('POST', '/locked/', { body: { title: 'x' } })).status).toBe(401);
      expect((await call('POST', '/locked/', { user: 'bob', body: { title: 'x' } })).status).toBe(403);
    });

    it('answers 415 to a body that is not application/json, listing what is accepted; charset parameters are fine', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: 'title=x', contentType: 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.error.message).toContain('application/json');
      const ok = await call('POST', '/records/', {
        user: 'alice',
        body: { title: 'x', owner: 'alice' },
        contentType: 'application/json; charset=utf-8',
      });
      expect(ok.status).toBe(201);
    });

    it('answers 415 to a body without Content-Type (Invenio: 415 with an empty media type)', async () => {
      const response = await fetch(`${server.url}/records/`, {
        method: 'POST',
        headers: { Authorization: 'Bearer alice' },
        body: new Uint8Array([123, 125]),
      });
      expect(response.status).toBe(415);
    });

    it('difference: invalid JSON is a 400 naming the position (Invenio sends a generic message)', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: '{"title": "x",}' });
      expect(res.status).toBe(400);
      expect(res.error.message).toMatch(/at position 14 \(line 1, column 15\)/);
      expect(res.error.errors?.[0]?.field).toBe('body');
    });

    it('answers 400 to an empty body and to null (Invenio: "Could not load data.")', async () => {
      expect((await call('POST', '/records/', { user: 'alice', body: '', contentType: 'application/json' })).status).toBe(400);
      expect((await call('POST', '/records/', { user: 'alice', body: 'null' })).status).toBe(400);
    });

    it('difference: a JSON array body is a 400 (Invenio: 500)', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: '[]' });
      expect(res.status).toBe(400);
      expect(res.error.message).toMatch(/must be a JSON object/);
    });

    it('difference: a client-supplied control_number is a 400 naming the field (Invenio: 500)', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: { title: 'x', control_number: '999' } });
      expect(res.status).toBe(400);
      expect(res.error.errors).toEqual([expect.objectContaining({ field: 'control_number', code: 'read_only' })]);
    });

    it('answers 400 with one field error per schema violation', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: { year: 'old', owner: 'alice' } });
      expect(res.status).toBe(400);
      expect(res.error.message).toBe('Validation error.');
      expect(res.error.errors?.map((e) => e.field).sort()).toEqual(['title', 'year']);
    });

    it('refuses __proto__ keys with 400 and pollutes nothing', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: '{"title":"x","__proto__":{"polluted":true}}' });
      expect(res.status).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('difference: an unacceptable Accept is a 406 before anything is written (Invenio creates, then 406)', async () => {
      const before = await app.store.count();
      const res = await call('POST', '/records/', {
        user: 'alice',
        body: { title: 'x', owner: 'alice' },
        headers: { Accept: 'application/xml' },
      });
      expect(res.status).toBe(406);
      expect(await app.store.count()).toBe(before);
    });

    it('answers 413 to a body over the limit', async () => {
      const res = await call('POST', '/records/', { user: 'alice', body: { title: 'x'.repeat(1024 * 1024 + 10) } });
      expect(res.status).toBe(413);
    });
  });

  describe('GET/HEAD item, §2.5.3', () => {
    it('returns the record with ETag, Last-Modified, Cache-Control, Link and Content-Type', async () => {
      const created = await create({ title: 'Readable' });
      const res = await call('GET', `/records/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.record).toEqual(created);
      expect(res.headers.get('etag')).toBe('"0"');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('link')).toBe(`<${created.links.self}>; rel="self"`);
      expect(res.headers.get('last-modified')).toBeTruthy();
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const created = await create();
      const res = await call('HEAD', `/records/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe('"0"');
      const get = await call('GET', `/records/${created.id}`);
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(get.text)));
    });

    it('answers 404 "PID does not exist." for an unknown PID', async () => {
      const res = await call('GET', '/records/999999');
      expect(res.status).toBe(404);
      expect(res.error.message).toBe('PID does not exist.');
    });

    it('answers 404 "PID is not registered." for a reserved PID', async () => {
      await app.store.createPID({ type: 'recid', value: 'reserved-1', status: 'reserved' });
      const res = await call('GET', '/records/reserved-1');
      expect(res.status).toBe(404);
      expect(res.error.message).toBe('PID is not registered.');
    });

    it('answers 301 to a redirected PID with the absolute Location of the target', async () => {
      const from = await create({ title: 'old' });
      const to = await create({ title: 'new' });
      await app.store.redirectPID({ type: 'recid', value: from.id }, { type: 'recid', value: to.id });
      const res = await call('GET', `/records/${from.id}`);
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe(`http://records.test/api/records/${to.id}`);
    });

    it('answers 304 to a matching If-None-Match, with the ETag and no body', async () => {
      const created = await create();
      const res = await call('GET', `/records/${created.id}`, { headers: { 'If-None-Match': '"0"' } });
      expect(res.status).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe('"0"');
    });

    it('answers 304 to If-Modified-Since at or after Last-Modified', async () => {
      const created = await create();
      const first = await call('GET', `/records/${created.id}`);
      const res = await call('GET', `/records/${created.id}`, {
        headers: { 'If-Modified-Since': first.headers.get('last-modified') ?? '' },
      });
      expect(res.status).toBe(304);
    });

    it('answers 412 to an If-Match that does not match', async () => {
      const created = await create();
      expect((await call('GET', `/records/${created.id}`, { headers: { 'If-Match': '"7"' } })).status).toBe(412);
    });

    it('difference: a weak If-Match never matches (strong comparison, RFC 9110); Invenio ignores weak tags', async () => {
      const created = await create();
      expect((await call('GET', `/records/${created.id}`, { headers: { 'If-Match': 'W/"0"' } })).status).toBe(412);
    });

    it('answers 406 to an Accept it cannot serve, listing what it can', async () => {
      const created = await create();
      const res = await call('GET', `/records/${created.id}`, { headers: { Accept: 'application/xml' } });
      expect(res.status).toBe(406);
      expect(res.error.available).toEqual(['application/json']);
    });

    it('indents the body with ?prettyprint=1', async () => {
      const created = await create();
      const res = await call('GET', `/records/${created.id}?prettyprint=1`);
      expect(res.text).toContain('\n  "metadata": {');
      expect(JSON.parse(res.text)).toEqual(created);
    });

    it('renders errors as RFC 9457 problem details when the client asks for them', async () => {
      const res = await call('GET', '/records/424242', { headers: { Accept: 'application/problem+json, application/json;q=0.9' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.json).toMatchObject({ status: 404, title: 'Not Found', detail: 'PID does not exist.', code: 'pid_does_not_exist' });
    });
  });

  describe('PUT item, §2.5.4', () => {
    it('replaces the metadata (full replacement), keeps control_number, answers with ETag "1"', async () => {
      const created = await create({ title: 'v0', year: 2000 });
      const res = await call('PUT', `/records/${created.id}`, {
        user: 'alice',
        body: { title: 'v1', owner: 'alice' },
        headers: { 'If-Match': '"0"' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"1"');
      expect(res.record.metadata).toEqual({ title: 'v1', owner: 'alice', control_number: created.id });
      expect(res.record.revision).toBe(1);
      expect((await call('GET', `/records/${created.id}`)).record.metadata.year).toBeUndefined();
    });

    it('answers 412 to a stale If-Match and keeps the record', async () => {
      const created = await create({ title: 'v0' });
      await call('PUT', `/records/${created.id}`, { user: 'alice', body: { title: 'v1', owner: 'alice' } });
      const res = await call('PUT', `/records/${created.id}`, {
        user: 'alice',
        body: { title: 'stale', owner: 'alice' },
        headers: { 'If-Match': '"0"' },
      });
      expect(res.status).toBe(412);
      expect((await call('GET', `/records/${created.id}`)).record.metadata.title).toBe('v1');
    });

    it('answers 400, not 412, to invalid JSON with a stale If-Match (the body is parsed first, as in Invenio)', async () => {
      const created = await create();
      const res = await call('PUT', `/records/${created.id}`, { user: 'alice', body: '{', headers: { 'If-Match': '"9"' } });
      expect(res.status).toBe(400);
    });

    it('answers 401 to anonymous and 403 to a user who is neither owner nor curator; a curator may', async () => {
      const created = await create();
      const body = { title: 'x', owner: 'alice' };
      expect((await call('PUT', `/records/${created.id}`, { body })).status).toBe(401);
      expect((await call('PUT', `/records/${created.id}`, { user: 'bob', body })).status).toBe(403);
      expect((await call('PUT', `/records/${created.id}`, { user: 'carol', body })).status).toBe(200);
    });

    it('answers 403, not 412, to a stranger with a stale If-Match: preconditions cannot probe records', async () => {
      const created = await create();
      const res = await call('PUT', `/records/${created.id}`, { user: 'bob', body: { title: 'x' }, headers: { 'If-Match': '"9"' } });
      expect(res.status).toBe(403);
    });

    it('answers 404 before the permission check for an unknown PID', async () => {
      expect((await call('PUT', '/records/888888', { body: { title: 'x' } })).status).toBe(404);
    });

    it('difference: 415 comes before PID resolution (Invenio resolves first)', async () => {
      const res = await call('PUT', '/records/888888', { user: 'alice', body: 'x', contentType: 'text/plain' });
      expect(res.status).toBe(415);
    });

    it('difference: a changed control_number is a 400 naming it', async () => {
      const created = await create();
      const res = await call('PUT', `/records/${created.id}`, { user: 'alice', body: { title: 'x', owner: 'alice', control_number: '1' } });
      expect(res.status).toBe(400);
      expect(res.error.errors?.[0]?.field).toBe('control_number');
    });

    it('difference: a non-object body is a 400 (Invenio: 500)', async () => {
      const created = await create();
      expect((await call('PUT', `/records/${created.id}`, { user: 'alice', body: '"text"' })).status).toBe(400);
    });

    it('difference: an unacceptable Accept is a 406 and nothing is written (Invenio commits, then 406)', async () => {
      const created = await create({ title: 'v0' });
      const res = await call('PUT', `/records/${created.id}`, {
        user: 'alice',
        body: { title: 'v1', owner: 'alice' },
        headers: { Accept: 'text/html' },
      });
      expect(res.status).toBe(406);
      expect((await call('GET', `/records/${created.id}`)).record.revision).toBe(0);
    });

    it('answers 428 without If-Match when the endpoint requires it (RFC 6585)', async () => {
      const created = await call('POST', '/strict/', { body: { title: 'x' } });
      expect(created.status).toBe(201);
      const path = `/strict/${created.record.id}`;
      expect((await call('PUT', path, { body: { title: 'y' } })).status).toBe(428);
      expect((await call('PUT', path, { body: { title: 'y' }, headers: { 'If-Match': '"0"' } })).status).toBe(200);
      expect((await call('DELETE', path)).status).toBe(428);
    });
  });

  describe('PATCH item, §2.5.5', () => {
    it('applies a JSON Patch (RFC 6902)', async () => {
      const created = await create({ title: 'v0', year: 1 });
      const res = await call('PATCH', `/records/${created.id}`, {
        user: 'alice',
        body: [
          { op: 'replace', path: '/title', value: 'v1' },
          { op: 'remove', path: '/year' },
        ],
        contentType: 'application/json-patch+json',
        headers: { 'If-Match': '"0"' },
      });
      expect(res.status).toBe(200);
      expect(res.record.metadata).toEqual({ title: 'v1', owner: 'alice', control_number: created.id });
      expect(res.headers.get('etag')).toBe('"1"');
    });

    it('applies a JSON Merge Patch (RFC 7396)', async () => {
      const created = await create({ title: 'v0', year: 1 });
      const res = await call('PATCH', `/records/${created.id}`, {
        user: 'alice',
        body: { title: 'merged', year: null },
        contentType: 'application/merge-patch+json',
      });
      expect(res.status).toBe(200);
      expect(res.record.metadata).toEqual({ title: 'merged', owner: 'alice', control_number: created.id });
    });

    it('answers 415 with Accept-Patch to another content type, before PID resolution (as Invenio)', async () => {
      const res = await call('PATCH', '/records/777777', { user: 'alice', body: { title: 'x' } });
      expect(res.status).toBe(415);
      expect(res.headers.get('accept-patch')).toBe('application/json-patch+json, application/merge-patch+json');
    });

    it('answers 400 "Could not patch JSON." to a failing operation and writes nothing', async () => {
      const created = await create({ title: 'v0' });
      const res = await call('PATCH', `/records/${created.id}`, {
        user: 'alice',
        body: [{ op: 'test', path: '/title', value: 'other' }],
        contentType: 'application/json-patch+json',
      });
      expect(res.status).toBe(400);
      expect(res.error.message).toBe('Could not patch JSON.');
      expect((await call('GET', `/records/${created.id}`)).record.revision).toBe(0);
    });

    it('answers 412 to a stale If-Match', async () => {
      const created = await create();
      const res = await call('PATCH', `/records/${created.id}`, {
        user: 'alice',
        body: [{ op: 'add', path: '/year', value: 2 }],
        contentType: 'application/json-patch+json',
        headers: { 'If-Match': '"3"' },
      });
      expect(res.status).toBe(412);
    });

    it('refuses to remove control_number, and a patch that breaks the schema, with 400', async () => {
      const created = await create();
      const patch = (body: unknown) =>
        call('PATCH', `/records/${created.id}`, { user: 'alice', body, contentType: 'application/json-patch+json' });
      expect((await patch([{ op: 'remove', path: '/control_number' }])).error.errors?.[0]?.field).toBe('control_number');
      expect((await patch([{ op: 'remove', path: '/title' }])).error.errors?.[0]?.field).toBe('title');
    });

    it('advertises Accept-Patch on GET and OPTIONS', async () => {
      const created = await create();
      expect((await call('GET', `/records/${created.id}`)).headers.get('accept-patch')).toContain('application/merge-patch+json');
      expect((await call('OPTIONS', `/records/${created.id}`)).headers.get('accept-patch')).toContain('application/json-patch+json');
    });
  });

  describe('DELETE item, §2.5.6', () => {
    it("difference: compares If-Match with the ETag GET sent (Invenio compares version_id, so GET's ETag fails)", async () => {
      const created = await create();
      const etag = (await call('GET', `/records/${created.id}`)).headers.get('etag') ?? '';
      const res = await call('DELETE', `/records/${created.id}`, { user: 'alice', headers: { 'If-Match': etag } });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBeNull();
    });

    it('answers 410 "PID has been deleted." afterwards, to GET and to DELETE', async () => {
      const created = await create();
      expect((await call('DELETE', `/records/${created.id}`, { user: 'alice' })).status).toBe(204);
      const get = await call('GET', `/records/${created.id}`);
      expect(get.status).toBe(410);
      expect(get.error.message).toBe('PID has been deleted.');
      expect((await call('DELETE', `/records/${created.id}`, { user: 'alice' })).status).toBe(410);
      expect((await app.store.getPID({ type: 'recid', value: created.id }))?.status).toBe('deleted');
    });

    it('answers 412 to a stale If-Match and deletes nothing', async () => {
      const created = await create();
      expect((await call('DELETE', `/records/${created.id}`, { user: 'alice', headers: { 'If-Match': '"1"' } })).status).toBe(412);
      expect((await call('GET', `/records/${created.id}`)).status).toBe(200);
    });

    it('difference: DELETE is never negotiated (Invenio answers 406 after deleting when every Accept entry has q=0)', async () => {
      const created = await create();
      expect((await call('DELETE', `/records/${created.id}`, { user: 'alice', headers: { Accept: 'application/json;q=0' } })).status).toBe(
        204,
      );
    });

    it('answers 401 to anonymous and 403 to a stranger', async () => {
      const created = await create();
      expect((await call('DELETE', `/records/${created.id}`)).status).toBe(401);
      expect((await call('DELETE', `/records/${created.id}`, { user: 'bob' })).status).toBe(403);
    });
  });

  describe('routes, §2.4', () => {
    it('difference: 405 keeps its Allow header (Invenio drops it)', async () => {
      const created = await create();
      const res = await call('POST', `/records/${created.id}`, { user: 'alice', body: {} });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
      expect((await call('PUT', '/records/', { user: 'alice', body: {} })).headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    });

    it('answers OPTIONS with 200, Allow and an empty body, without resolving the PID', async () => {
      const res = await call('OPTIONS', '/records/does-not-exist');
      expect(res.status).toBe(200);
      expect(res.headers.get('allow')).toContain('PATCH');
      expect(res.text).toBe('');
    });

    it('answers 404 to a path outside every route', async () => {
      expect((await call('GET', '/nowhere')).status).toBe(404);
    });

    it('serves the options view at <list>_options: sort fields by order, max_result_window, media types', async () => {
      const res = await call('GET', '/records/_options');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        default_media_type: 'application/json',
        export_media_types: ['application/x-ndjson', 'text/csv'],
        facets: [],
        item_media_types: ['application/json'],
        max_result_window: 10000,
        search_media_types: ['application/json'],
        sort_fields: [
          { bestmatch: { title: 'Best match', default_order: 'desc' } },
          { mostrecent: { title: 'Most recent', default_order: 'asc' } },
        ],
      });
    });

    it('with useOptionsView off or no suggesters, <list>_options and <list>_suggest are item PIDs (404), as in Invenio', async () => {
      expect((await call('GET', '/locked/_options')).error.message).toBe('PID does not exist.');
      expect((await call('GET', '/records/_suggest')).error.message).toBe('PID does not exist.');
    });

    it('serves PIDs with slashes (DOIs) on a *pid route, with links that keep the slashes', async () => {
      const created = await call('POST', '/dois/', { body: { doi: '10.1234/abc.def', title: 'DOI record' } });
      expect(created.status).toBe(201);
      expect(created.record.id).toBe('10.1234/abc.def');
      expect(created.headers.get('location')).toBe('http://records.test/api/dois/10.1234/abc.def');
      const read = await call('GET', '/dois/10.1234/abc.def');
      expect(read.status).toBe(200);
      expect(read.record.metadata.title).toBe('DOI record');
      expect((await call('POST', '/dois/', { body: { doi: '10.1234/abc.def' } })).status).toBe(409);
    });

    it("applies an endpoint's error handler to its own routes only (Invenio turns other endpoints' errors into 500s)", async () => {
      const doi = await call('GET', '/dois/10.9999/missing');
      expect(doi.status).toBe(404);
      expect(doi.text).toBe('no DOI: PID does not exist.');
      const recid = await call('GET', '/records/123456789');
      expect(recid.status).toBe(404);
      expect(recid.error.message).toBe('PID does not exist.');
      expect((await call('GET', '/dois/', { headers: { Accept: 'text/html' } })).status).toBe(406);
    });
  });
});
