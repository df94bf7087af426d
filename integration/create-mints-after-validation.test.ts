// A create the service refuses consumes no PID: the body is validated (with a placeholder in the PID
// field) before the minter runs, so the recid sequence has no gaps from refused creates (docs/security.md,
// finding 1). Over the real SQLite store.
import { allowAll, type EndpointConfig, type JsonObject, recidMinter } from '@recordkit/records-service';
import { isRestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, RECORD_SCHEMA, type TestApp } from './helpers/app.js';

const open: TestApp[] = [];
afterEach(async () => {
  for (const app of open.splice(0)) await app.close();
});

const ctx = { endpoint: 'e', identity: { id: 'u' } };
const endpoint = (schema: JsonObject): EndpointConfig => ({
  pidType: 'recid',
  listRoute: '/e/',
  itemRoute: '/e/:pid',
  permissions: { create: allowAll, update: allowAll, delete: allowAll },
  pidMinter: recidMinter({ field: 'control_number' }),
  schema,
});

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRestError(error)) throw new Error(`expected a RestError, got ${String(error)}`);
  return { status: error.status, fields: error.errors.map((e) => e.field) };
}

describe('RecordsService.create', () => {
  it('mints no recid for bodies the schema refuses, so the next record gets the next number', async () => {
    const app = createTestApp({ endpoints: { e: endpoint(RECORD_SCHEMA) } });
    open.push(app);
    expect((await app.service.create(ctx, { title: 'first' })).pid.value).toBe('1');
    const bodies: JsonObject[] = [
      {},
      { title: '' },
      { title: 'x', year: 'soon' },
      { title: 'x', control_number: '7' },
      { title: 'x', access: 'secret' },
    ];
    for (const body of bodies) {
      expect((await refusal(app.service.create(ctx, body))).status).toBe(400);
    }
    const second = await app.service.create(ctx, { title: 'second' });
    expect(second.pid.value).toBe('2');
    expect(second.record.metadata.control_number).toBe('2');
    expect(await app.store.nextSequenceValue('recid')).toBe(3);
  });

  it('accepts a schema that requires the PID field (validated with a placeholder, then with the minted value)', async () => {
    const schema: JsonObject = { ...RECORD_SCHEMA, required: ['title', 'control_number'] };
    const app = createTestApp({ endpoints: { e: endpoint(schema) } });
    open.push(app);
    expect((await app.service.create(ctx, { title: 'first' })).record.metadata.control_number).toBe('1');
    // The refusal names the field at fault, not the PID field the client could not send.
    expect(await refusal(app.service.create(ctx, { title: 3 }))).toEqual({ status: 400, fields: ['title'] });
    expect((await app.service.create(ctx, { title: 'second' })).pid.value).toBe('2');
  });

  it('still refuses the minted value when the schema constrains it, naming the PID field', async () => {
    const schema: JsonObject = {
      ...RECORD_SCHEMA,
      properties: { ...(RECORD_SCHEMA.properties as JsonObject), control_number: { type: 'string', pattern: '^9' } },
    };
    const app = createTestApp({ endpoints: { e: endpoint(schema) } });
    open.push(app);
    expect(await refusal(app.service.create(ctx, { title: 'x' }))).toEqual({ status: 400, fields: ['control_number'] });
  });
});
