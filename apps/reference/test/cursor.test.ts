// Cursor pagination past the result window, end to end: a server whose window is 30 records, and the
// `next` links followed through signed cursors until the last record.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { describeBackends } from './support/backends.js';
import { removeDir, type ServedApp, serve, TOKENS } from './support/serve.js';

type Page = { hits: { hits: { id: string }[]; total: number }; links: Record<string, string> };
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describeBackends('cursor pagination past the result window', (backend) => {
  const instance = backend.instance('cursor');
  let small: ServedApp;
  let dir: string | undefined;
  beforeAll(async () => {
    const config = `import { defaultEndpoint } from ${JSON.stringify(new URL('../src/config/default-config.ts', import.meta.url).pathname)};
export default { endpoints: { recid: { ...defaultEndpoint, maxResultWindow: 30 } } };
`;
    dir = mkdtempSync(join(tmpdir(), 'rk-cursor-'));
    writeFileSync(join(dir, 'recordkit.config.ts'), config);
    small = await serve({ dataDir: dir, cwd: dir, backend: instance });
    expect(
      await main(['demo', '--count', '60'], {
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        env: { ...instance.env, RECORDKIT_DATA_DIR: dir },
        cwd: dir,
      }),
    ).toBe(0);
  });
  afterAll(async () => {
    try {
      await small?.stop();
      if (dir) removeDir(dir);
    } finally {
      await instance.drop();
    }
  });

  it('follows next links through signed cursors to the end, seeing every record once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${small.url}/records/?size=10&sort=title`;
    let pages = 0;
    while (url && pages < 20) {
      const res = await fetch(url, { headers: auth(TOKENS.curator) });
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      seen.push(...page.hits.hits.map((h) => h.id));
      url = page.links.next;
      pages++;
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
  });

  it('refuses a tampered cursor with a 400 naming cursor', async () => {
    const res = await fetch(`${small.url}/records/?size=10&cursor=bm90LWEtY3Vyc29y`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ field: 'cursor' }] });
  });
});
