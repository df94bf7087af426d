// End to end with a configuration file: 428 when If-Match is required, strict query parameters, RFC 9457
// errors by configuration, a custom rate limit; and a redirected PID (301) written through the store.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withService } from '../src/cli/context.js';
import { resolveConfig } from '../src/config/define-config.js';
import { readEnvironment } from '../src/config/environment.js';
import { describeBackends } from './support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from './support/serve.js';

const curator = { Authorization: `Bearer ${TOKENS.curator}` };
const defaults = new URL('../src/config/default-config.ts', import.meta.url).pathname;
const configFile = `import { defaultEndpoint } from ${JSON.stringify(defaults)};
import type { ReferenceConfig } from ${JSON.stringify(new URL('../src/config/types.ts', import.meta.url).pathname)};

const config: ReferenceConfig = {
  endpoints: { recid: { ...defaultEndpoint, requireIfMatch: true, strictParameters: true } },
  errors: { format: 'problem' },
  rateLimit: { guest: [{ name: 'burst', limit: 1000, windowSeconds: 10 }], authenticated: [{ name: 'burst', limit: 2000, windowSeconds: 10 }] },
  openapi: { title: 'Configured test server' },
};
export default config;
`;
describeBackends('configuration file', (backend) => {
  const instance = backend.instance('configured');
  let dir: string;
  let app: ServedApp;
  let id: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-configured-'));
    writeFileSync(join(dir, 'recordkit.config.ts'), configFile);
    app = await serve({ dataDir: dir, cwd: dir, backend: instance });
    const res = await fetch(`${app.url}/records/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...curator },
      body: JSON.stringify({
        title: 'Configured',
        creators: [{ name: 'Rossi, Giulia' }],
        type: 'report',
        publication_date: '2019-09-09',
        access: 'public',
      }),
    });
    id = ((await res.json()) as { id: string }).id;
  });

  afterAll(async () => {
    try {
      await app?.stop();
      if (dir) removeDir(dir);
    } finally {
      await instance.drop();
    }
  });

  describe('a configured server', () => {
    it('loads the TypeScript configuration file and loads no demo data (the file defines endpoints)', async () => {
      expect(app.stderr()).not.toContain('first start');
      expect(((await (await fetch(`${app.url}/openapi.json`)).json()) as { info: { title: string } }).info.title).toBe(
        'Configured test server',
      );
    });

    it('answers 428 to a write without If-Match (RFC 6585 §3), in problem+json as configured', async () => {
      const res = await fetch(`${app.url}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', ...curator },
        body: JSON.stringify({ title: 'No precondition' }),
      });
      expect(res.status).toBe(428);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 428, title: 'Precondition Required', code: 'precondition_required' });
      const withIfMatch = await fetch(`${app.url}/records/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': '"0"', ...curator },
        body: JSON.stringify({ title: 'With precondition' }),
      });
      expect(withIfMatch.status).toBe(200);
    });

    it('rejects unknown query parameters, naming them, when strictParameters is on', async () => {
      const res = await fetch(`${app.url}/records/?q=x&colour=red`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ field: 'colour' }] });
      expect((await fetch(`${app.url}/records/?q=x&format=json&prettyprint=1`)).status).toBe(200);
    });

    it('sends the configured rate-limit policy', async () => {
      const res = await fetch(`${app.url}/records/${id}`);
      expect(res.headers.get('ratelimit-policy')).toBe('"burst";q=1000;w=10');
    });

    it('answers 301 with Location for a redirected PID, in the background of a running server', async () => {
      const res = await fetch(`${app.url}/records/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...curator },
        body: JSON.stringify({
          title: 'Target',
          creators: [{ name: 'Singh, Ravi' }],
          type: 'report',
          publication_date: '2019-09-10',
          access: 'public',
        }),
      });
      const target = ((await res.json()) as { id: string }).id;
      const config = resolveConfig({}, readEnvironment({ ...instance.env, RECORDKIT_DATA_DIR: dir }), dir);
      await withService(config, {}, async (service) => {
        await service.store.redirectPID({ type: 'recid', value: id }, { type: 'recid', value: target });
      });
      const moved = await fetch(`${app.url}/records/${id}`, { redirect: 'manual' });
      expect(moved.status).toBe(301);
      expect(moved.headers.get('location')).toBe(`${app.url}/records/${target}`);
    });
  });
});
