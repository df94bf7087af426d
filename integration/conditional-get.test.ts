// GET and HEAD of a record answered 304 without building an error (docs/decisions/135): the answer must
// be the one the error path gives, header for header. An endpoint with an error handler still takes the
// error path (its handler may want to see the 304), so the same service behind two resources, one with
// a handler that never matches, gives both answers for every request.
import { anyOf, hasRole, jsonRecordSerializer, ownerOf, type RecordSerializer, RecordsService } from '@recordkit/records-service';
import { RecordsResource, type ResourceRequest, type ResourceResponse } from '@recordkit/records-service/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, RECORDS_ENDPOINT, type TestApp } from './helpers/app.js';

const ALICE = { id: 'alice' };

describe('conditional GET of a record (304 without an error)', () => {
  let app: TestApp;
  let fast: RecordsResource;
  let slow: RecordsResource;

  beforeAll(() => {
    app = createTestApp({
      endpoints: {
        recid: {
          ...RECORDS_ENDPOINT,
          permissions: { ...RECORDS_ENDPOINT.permissions, read: anyOf(hasRole('curator'), ownerOf('owner')) },
          recordSerializers: { 'application/json': jsonRecordSerializer, 'application/x-test+json': jsonRecordSerializer },
        },
      },
    });
    fast = app.resource;
    slow = new RecordsResource({ service: app.service, errorHandlers: { recid: [{ match: 499, handle: () => undefined }] } });
  });

  afterAll(async () => {
    await app.close();
  });

  async function both(request: ResourceRequest): Promise<ResourceResponse> {
    const a = await fast.handle(request);
    const b = await slow.handle(request);
    expect({ status: a.status, headers: a.headers, body: a.body }).toEqual({ status: b.status, headers: b.headers, body: b.body });
    expect(Object.keys(a.headers)).toEqual(Object.keys(b.headers));
    return a;
  }

  const get = (pid: string, headers: Record<string, string> = {}, method = 'GET'): ResourceRequest => ({
    method,
    url: `/records/${pid}`,
    headers,
    identity: ALICE,
  });

  async function create(title: string) {
    const created = await app.service.create({ endpoint: 'recid', identity: ALICE }, { title, owner: 'alice' });
    return { pid: created.pid.value, record: created.record };
  }

  it('answers 304 with Cache-Control, ETag and Vary only, as the error path does, for GET and HEAD', async () => {
    const { pid } = await create('A');
    const ok = await both(get(pid));
    expect(ok.status).toBe(200);
    const etag = ok.headers.ETag as string;
    for (const method of ['GET', 'HEAD']) {
      const res = await both(get(pid, { 'if-none-match': etag }, method));
      expect(res).toEqual({ status: 304, headers: { 'Cache-Control': 'no-cache', ETag: etag, Vary: 'Accept' } });
    }
    const byDate = await both(get(pid, { 'if-modified-since': ok.headers['Last-Modified'] as string }));
    expect(byDate.status).toBe(304);
    expect((await both(get(pid, { 'If-None-Match': `W/${etag}, "other"` }))).status).toBe(304);
  });

  it('uses the negotiated representation: the default ETag does not match another media type', async () => {
    const { pid } = await create('B');
    const json = await both(get(pid));
    const other = await both(get(pid, { accept: 'application/x-test+json' }));
    expect(other.headers.ETag).toBe('"0-application/x-test+json"');
    expect((await both(get(pid, { accept: 'application/x-test+json', 'if-none-match': json.headers.ETag as string }))).status).toBe(200);
    const notModified = await both(get(pid, { accept: 'application/x-test+json', 'if-none-match': other.headers.ETag as string }));
    expect(notModified).toEqual({ status: 304, headers: { 'Cache-Control': 'no-cache', ETag: other.headers.ETag, Vary: 'Accept' } });
  });

  it('answers 200 with the new ETag after an update, then 304 for that ETag', async () => {
    const { pid, record } = await create('C');
    const before = (await both(get(pid))).headers.ETag as string;
    await app.store.update({ id: record.id, expectedRevision: 0, metadata: { ...record.metadata, title: 'C2' } });
    const after = await both(get(pid, { 'if-none-match': before }));
    expect(after.status).toBe(200);
    expect(after.headers.ETag).toBe('"1"');
    expect(JSON.parse(after.body as string).metadata.title).toBe('C2');
    expect((await both(get(pid, { 'if-none-match': '"1"' }))).status).toBe(304);
  });

  it('keeps 410 for a deleted PID, 301 for a redirected one and 404 for an unknown one, whatever If-None-Match says', async () => {
    const deleted = await create('D');
    const target = await create('E');
    const moved = await create('F');
    await app.store.delete({ id: deleted.record.id, expectedRevision: 0 });
    await app.store.redirectPID({ type: 'recid', value: moved.pid }, { type: 'recid', value: target.pid });
    expect((await both(get(deleted.pid, { 'if-none-match': '"0"' }))).status).toBe(410);
    expect((await both(get(deleted.pid, { 'if-none-match': '*' }))).status).toBe(410);
    const redirect = await both(get(moved.pid, { 'if-none-match': '"0"' }));
    expect(redirect.status).toBe(301);
    expect(redirect.headers.Location).toBe(`http://records.test/api/records/${target.pid}`);
    expect((await both(get('999999', { 'if-none-match': '"0"' }))).status).toBe(404);
  });

  it('checks the read permission before the precondition: 401 and 403, never 304, to those who may not read', async () => {
    const { pid } = await create('G');
    expect((await both({ ...get(pid, { 'if-none-match': '"0"' }), identity: null })).status).toBe(401);
    expect((await both({ ...get(pid, { 'if-none-match': '"0"' }), identity: { id: 'bob' } })).status).toBe(403);
  });

  it('answers 412 to a GET whose If-Match fails, and 200 when it holds', async () => {
    const { pid } = await create('H');
    const failed = await both(get(pid, { 'if-match': '"7"' }));
    expect(failed.status).toBe(412);
    expect((await both(get(pid, { 'if-match': '"0"' }))).status).toBe(200);
  });

  it('still gives an endpoint error handler for 304 the 304 to handle', async () => {
    const { pid } = await create('I');
    const handled = new RecordsResource({
      service: app.service,
      errorHandlers: { recid: [{ match: 304, handle: (error) => ({ status: 304, headers: { ...error.headers, 'X-Handled': 'yes' } }) }] },
    });
    const res = await handled.handle(get(pid, { 'if-none-match': '"0"' }));
    expect(res).toEqual({ status: 304, headers: { 'Cache-Control': 'no-cache', ETag: '"0"', Vary: 'Accept', 'X-Handled': 'yes' } });
  });
});

describe('RecordsService.resolve with and without the store one-read method', () => {
  let app: TestApp;
  let fallback: RecordsService;

  beforeAll(() => {
    app = createTestApp();
    // The same store without getPIDWithRecord: the service falls back to getPID and get.
    const store = app.store;
    const withoutOneRead = new Proxy(store, {
      get(target, key) {
        if (key === 'getPIDWithRecord') return undefined;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    fallback = new RecordsService({ store: withoutOneRead, baseUrl: 'http://records.test/api', endpoints: { recid: RECORDS_ENDPOINT } });
  });

  afterAll(async () => {
    await app.close();
  });

  async function outcome(service: RecordsService, pid: string) {
    try {
      const resolved = await service.resolve('recid', pid);
      return { resolved };
    } catch (error) {
      const e = error as { status: number; message: string; headers: Record<string, string>; tombstone?: unknown };
      return { status: e.status, message: e.message, headers: e.headers, tombstone: e.tombstone };
    }
  }

  it('gives the same answer for registered, deleted, redirected, reserved and unknown PIDs', async () => {
    expect(typeof app.store.getPIDWithRecord).toBe('function');
    const context = { endpoint: 'recid', identity: ALICE };
    const a = await app.service.create(context, { title: 'A', owner: 'alice' });
    const b = await app.service.create(context, { title: 'B', owner: 'alice' });
    const c = await app.service.create(context, { title: 'C', owner: 'alice' });
    await app.store.delete({ id: b.record.id, expectedRevision: 0 });
    await app.store.redirectPID(c.pid, a.pid);
    await app.store.createPID({ type: 'recid', value: 'reserved-1', status: 'reserved' });
    const answers: unknown[] = [];
    for (const pid of [a.pid.value, b.pid.value, c.pid.value, 'reserved-1', 'missing']) {
      const one = await outcome(app.service, pid);
      expect(one, pid).toEqual(await outcome(fallback, pid));
      answers.push('status' in one ? one.status : 200);
    }
    expect(answers).toEqual([200, 410, 301, 404, 404]);
  });
});

// RFC 9110 §15.4.5: a 304 carries the Vary the 200 would have carried, and no other. An endpoint with
// one representation sends no `Vary: Accept` on its 200 (nothing was negotiated), so its 304 must not
// either; with two representations both carry it.
describe('the Vary of a 304 is the Vary of the 200', () => {
  const cases: { name: string; serializers: Record<string, RecordSerializer>; vary: string | undefined }[] = [
    { name: 'one representation', serializers: { 'application/json': jsonRecordSerializer }, vary: undefined },
    {
      name: 'two representations',
      serializers: { 'application/json': jsonRecordSerializer, 'application/x-test+json': jsonRecordSerializer },
      vary: 'Accept',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: 200 and 304 ${c.vary ? `both carry Vary: ${c.vary}` : 'carry no Vary'}, on the fast and the error path`, async () => {
      const app = createTestApp({ endpoints: { recid: { ...RECORDS_ENDPOINT, recordSerializers: c.serializers } } });
      try {
        const slow = new RecordsResource({ service: app.service, errorHandlers: { recid: [{ match: 499, handle: () => undefined }] } });
        const created = await app.service.create({ endpoint: 'recid', identity: ALICE }, { title: 'V', owner: 'alice' });
        const request = (headers: Record<string, string>): ResourceRequest => ({
          method: 'GET',
          url: `/records/${created.pid.value}`,
          headers,
          identity: ALICE,
        });
        const ok = await app.resource.handle(request({ accept: 'application/json' }));
        expect(ok.status).toBe(200);
        expect(ok.headers.Vary).toBe(c.vary);
        for (const resource of [app.resource, slow]) {
          const notModified = await resource.handle(request({ accept: 'application/json', 'if-none-match': ok.headers.ETag as string }));
          expect(notModified.status).toBe(304);
          expect(notModified.headers.Vary).toBe(c.vary);
        }
      } finally {
        await app.close();
      }
    });
  }
});
