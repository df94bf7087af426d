// RecordsService configuration keys over the real SQLite store: record-class hooks, links factories,
// minters, schemas by URI, redirects across PID types.
import { allowAll, linksWithAdditional, uuidMinter } from '@recordkit/records-service';
import { isRestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, RECORD_SCHEMA, type TestApp } from './helpers/app.js';

const open: TestApp[] = [];
afterEach(async () => {
  for (const app of open.splice(0)) await app.close();
});

function app(options: Parameters<typeof createTestApp>[0]): TestApp {
  const created = createTestApp(options);
  open.push(created);
  return created;
}

const writable = { create: allowAll, update: allowAll, delete: allowAll };
const ctx = { endpoint: 'e', identity: { id: 'u' } };

async function statusOf(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (isRestError(error)) return error.status;
  throw new Error(`expected a RestError, got ${String(error)}`);
}

describe('RecordsService configuration', () => {
  it('runs record-class hooks around create, update and delete, letting before* hooks rewrite the metadata', async () => {
    const calls: string[] = [];
    const { service } = app({
      endpoints: {
        e: {
          pidType: 'recid',
          listRoute: '/e/',
          itemRoute: '/e/:pid',
          permissions: writable,
          recordClass: {
            beforeCreate: ({ metadata }) => {
              calls.push('beforeCreate');
              return { ...metadata, stamped: true };
            },
            afterCreate: ({ record }) => {
              calls.push(`afterCreate:${record.revision}`);
            },
            beforeUpdate: ({ metadata, record }) => {
              calls.push(`beforeUpdate:${record.revision}`);
              return { ...metadata, edits: ((record.metadata.edits as number) ?? 0) + 1 };
            },
            afterUpdate: ({ record }) => {
              calls.push(`afterUpdate:${record.revision}`);
            },
            beforeDelete: () => {
              calls.push('beforeDelete');
            },
            afterDelete: ({ record }) => {
              calls.push(`afterDelete:${record.deleted}`);
            },
          },
        },
      },
    });
    const created = await service.create(ctx, { title: 'x' });
    expect(created.record.metadata).toMatchObject({ title: 'x', stamped: true });
    const updated = await service.replace(ctx, created.pid.value, { title: 'y' });
    expect(updated.record.metadata).toMatchObject({ title: 'y', edits: 1 });
    await service.delete(ctx, created.pid.value);
    expect(calls).toEqual(['beforeCreate', 'afterCreate:0', 'beforeUpdate:0', 'afterUpdate:1', 'beforeDelete', 'afterDelete:true']);
  });

  it('a before hook that throws stops the write', async () => {
    const { service, store } = app({
      endpoints: {
        e: {
          pidType: 'recid',
          listRoute: '/e/',
          itemRoute: '/e/:pid',
          permissions: writable,
          recordClass: {
            beforeCreate: () => {
              throw new Error('refused by hook');
            },
          },
        },
      },
    });
    await expect(service.create(ctx, { title: 'x' })).rejects.toThrow('refused by hook');
    expect(await store.count()).toBe(0);
  });

  it('builds extra links from templates and puts every link in the record body', async () => {
    const { service } = app({
      endpoints: {
        e: {
          pidType: 'recid',
          listRoute: '/e/',
          itemRoute: '/e/:pid',
          permissions: writable,
          linksFactory: linksWithAdditional({ html: 'https://records.test/view/{pid}' }),
        },
      },
    });
    const created = await service.create(ctx, { title: 'x' });
    expect(created.links).toEqual({
      self: `http://records.test/api/e/${created.pid.value}`,
      html: `https://records.test/view/${created.pid.value}`,
    });
    expect(created.view.links).toEqual(created.links);
  });

  it('mints UUID PIDs with the uuid minter, optionally into a field', async () => {
    const { service } = app({
      endpoints: {
        e: {
          pidType: 'uuid',
          listRoute: '/e/',
          itemRoute: '/e/:pid',
          permissions: writable,
          pidMinter: uuidMinter({ field: 'uuid' }),
          pidFetcher: 'uuid',
        },
      },
    });
    const created = await service.create(ctx, { title: 'x' });
    expect(created.pid.value).toBe(created.record.id);
    expect(created.record.metadata.uuid).toBe(created.record.id);
    expect((await service.read(ctx, created.record.id)).record.id).toBe(created.record.id);
    expect(await statusOf(service.create(ctx, { uuid: 'mine' }))).toBe(400);
  });

  it("validates against a record's $schema when it names a registered schema; inline and unknown schemas are 400s", async () => {
    const uri = 'https://records.test/schemas/record-v1.json';
    const { service } = app({
      schemas: { [uri]: RECORD_SCHEMA },
      endpoints: { e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', permissions: writable } },
    });
    expect((await service.create(ctx, { $schema: uri, title: 'ok' })).record.metadata.title).toBe('ok');
    expect(await statusOf(service.create(ctx, { $schema: uri }))).toBe(400);
    expect(await statusOf(service.create(ctx, { $schema: 'https://records.test/other.json', title: 'x' }))).toBe(400);
    expect(await statusOf(service.create(ctx, { $schema: { type: 'object' }, title: 'x' }))).toBe(400);
    expect((await service.create(ctx, { title: 'no $schema: nothing to validate' })).record.revision).toBe(0);
  });

  it('refuses a configuration whose schema URI is not registered, naming the key', () => {
    expect(() =>
      createTestApp({
        endpoints: { e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', schema: 'https://nowhere/schema.json' } },
      }),
    ).toThrow(/endpoints\.e\.schema/);
  });

  it('redirects across PID types to the default endpoint of the target type', async () => {
    const { service, store } = app({
      endpoints: {
        e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', permissions: writable },
        d1: { pidType: 'doi', listRoute: '/d1/', itemRoute: '/d1/*pid', pidMinter: 'uuid', defaultEndpointPrefix: true },
        d2: { pidType: 'doi', listRoute: '/d2/', itemRoute: '/d2/*pid', pidMinter: 'uuid' },
      },
    });
    const created = await service.create(ctx, { title: 'x' });
    await store.createPID({ type: 'doi', value: '10.1/x', status: 'registered', recordId: created.record.id });
    await store.redirectPID({ type: 'recid', value: created.pid.value }, { type: 'doi', value: '10.1/x' });
    const error = await service.read(ctx, created.pid.value).catch((e: unknown) => e);
    expect(isRestError(error) && error.status).toBe(301);
    expect(isRestError(error) && error.headers.Location).toBe('http://records.test/api/d1/10.1/x');
  });

  it('answers 500 (a configuration error, as Invenio) when a redirect target has no endpoint', async () => {
    const { service, store } = app({
      endpoints: { e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', permissions: writable } },
    });
    const created = await service.create(ctx, { title: 'x' });
    await store.createPID({ type: 'ark', value: 'a1', status: 'registered', recordId: created.record.id });
    await store.redirectPID({ type: 'recid', value: created.pid.value }, { type: 'ark', value: 'a1' });
    expect(await statusOf(service.read(ctx, created.pid.value))).toBe(500);
  });

  it('answers 500, as Invenio, for a registered PID without a record (a data error, not a client one)', async () => {
    const { service, store } = app({
      endpoints: { e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', permissions: writable } },
    });
    await store.createPID({ type: 'recid', value: 'orphan', status: 'registered' });
    expect(await statusOf(service.read(ctx, 'orphan'))).toBe(500);
  });

  it('checks the list permission on search, suggest and export (Invenio checks none on suggest)', async () => {
    const { service } = app({
      withSearch: true,
      endpoints: {
        e: {
          pidType: 'recid',
          listRoute: '/e/',
          itemRoute: '/e/:pid',
          permissions: { ...writable, list: () => false },
          suggesters: { title: { completion: { field: 'suggest_title' } } },
        },
      },
    });
    expect(await statusOf(service.suggest({ endpoint: 'e', identity: undefined }, new URLSearchParams('title=x')))).toBe(401);
    expect(await statusOf(service.searchRecords({ endpoint: 'e', identity: { id: 'u' } }, new URLSearchParams()))).toBe(403);
    expect(await statusOf(service.exportRecords({ endpoint: 'e', identity: undefined }, new URLSearchParams()).next())).toBe(401);
  });

  it('keeps every revision of a record in the store', async () => {
    const { service, store } = app({
      endpoints: { e: { pidType: 'recid', listRoute: '/e/', itemRoute: '/e/:pid', permissions: writable } },
    });
    const created = await service.create(ctx, { title: 'v0' });
    await service.replace(ctx, created.pid.value, { title: 'v1' });
    await service.patch(ctx, created.pid.value, (current) => ({ ...current, title: 'v2' }));
    await service.delete(ctx, created.pid.value);
    const revisions = await store.revisions(created.record.id);
    expect(revisions.map((r) => r.metadata?.title ?? null)).toEqual(['v0', 'v1', 'v2', null]);
  });
});
