// A write on a deleted PID checks the write permission before it reveals the deletion (decision 041):
// anonymous callers get 401, authenticated callers who may not write get 403, and only those who may
// write learn 410. GET still answers 410 to everyone, as Invenio does. Through every framework stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { client } from './helpers/client.js';
import { type Running, STACKS, startStack } from './helpers/stacks.js';

describe.each(STACKS)('writes on a deleted PID (%s)', (stack) => {
  let app: TestApp;
  let server: Running;
  let deleted: string;
  const call = client(() => server.url);

  beforeAll(async () => {
    app = createTestApp();
    server = await startStack(stack, app.resource);
    const created = await call('POST', '/records/', { user: 'alice', body: { title: 'Soon gone', owner: 'alice' } });
    expect(created.status).toBe(201);
    deleted = created.record.id;
    expect((await call('DELETE', `/records/${deleted}`, { user: 'alice' })).status).toBe(204);
  });

  afterAll(async () => {
    await server.close();
    await app.close();
  });

  const writes = [
    { method: 'DELETE' },
    { method: 'PUT', body: { title: 'Back', owner: 'alice' } },
    { method: 'PATCH', body: [{ op: 'replace', path: '/title', value: 'Back' }], contentType: 'application/json-patch+json' },
    { method: 'PATCH', body: { title: 'Back' }, contentType: 'application/merge-patch+json' },
  ];

  it.each(writes)('$method $contentType: 401 anonymous, 403 for a user who may not write, 410 for the owner and a curator', async (w) => {
    const path = `/records/${deleted}`;
    const send = (user?: string) => call(w.method, path, { ...(user ? { user } : {}), body: w.body, contentType: w.contentType });
    const anonymous = await send();
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('deleted');
    const other = await send('bob');
    expect(other.status).toBe(403);
    expect(other.text).not.toContain('deleted');
    for (const user of ['alice', 'carol']) {
      const allowed = await send(user);
      expect(allowed.status).toBe(410);
      expect(allowed.error.message).toBe('PID has been deleted.');
    }
    // Nothing was written: the PID is still deleted and GET says so to everyone.
    expect((await call('GET', path)).status).toBe(410);
    expect((await app.store.getPID({ type: 'recid', value: deleted }))?.status).toBe('deleted');
  });
});
