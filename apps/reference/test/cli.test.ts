// The `recordkit` command line, run in-process with the real embedded store in a temporary directory.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { withService } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';
import { resolveConfig } from '../src/config/define-config.js';
import { importRecords } from '../src/records/importer.js';
import { removeDir, serve, TOKENS } from './support/serve.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rk-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

async function run(args: string[], env: Record<string, string> = {}, cwd = tempDir()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await main(args, { stdout, stderr, env, cwd });
  return { code, out, err };
}

const good = (title: string) => ({
  title,
  creators: [{ name: 'Okafor, Amara' }],
  type: 'article',
  publication_date: '2021-03-04',
  access: 'public',
});

describe('recordkit demo', () => {
  it('prints deterministic JSON lines with --jsonl', async () => {
    const a = await run(['demo', '--jsonl', '--count', '3']);
    const b = await run(['demo', '--jsonl', '--count', '5']);
    expect(a.code).toBe(0);
    const lines = a.out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(b.out.startsWith(a.out)).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ title: expect.any(String), access: expect.stringMatching(/^(public|restricted)$/) });
  });

  it('loads records into the store, and a second run skips what is there', async () => {
    const dir = tempDir();
    const env = { RECORDKIT_DATA_DIR: dir };
    const first = await run(['demo', '--count', '40'], env);
    expect(first.code).toBe(0);
    expect(first.err).toContain('demo: 40 records loaded, 0 already there');
    const second = await run(['demo', '--count', '50'], env);
    expect(second.err).toContain('demo: 10 records loaded, 40 already there');
    const exported = await run(['export'], env);
    expect(exported.out.trim().split('\n')).toHaveLength(50);
  });

  it('rejects a bad count', async () => {
    const res = await run(['demo', '--count', 'many']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('--count must be an integer >= 0, got "many"');
  });
});

describe('recordkit import', () => {
  it('stores the good lines, reports the bad ones with line numbers and reasons, and resumes without duplicates', async () => {
    const dir = tempDir();
    const env = { RECORDKIT_DATA_DIR: dir };
    const file = join(dir, 'records.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(good('First')),
        '{"title": "broken',
        '',
        JSON.stringify({ ...good('No type'), type: undefined }),
        JSON.stringify({ ...good('Has a recid'), control_number: '7' }),
        '[1, 2]',
        JSON.stringify(good('Last')),
      ].join('\n'),
    );
    const first = await run(['import', file, '--rejects', join(dir, 'rejects.jsonl')], env);
    expect(first.code).toBe(1);
    expect(first.err).toContain('import: 2 imported, 0 already imported, 4 rejected');
    expect(first.err).toMatch(/line 2: not valid JSON/);
    expect(first.err).toContain('line 4: type: ');
    expect(first.err).toContain('line 5: control_number: control_number is assigned by the server and cannot be set by the client.');
    expect(first.err).toContain('line 6: expected a JSON object');
    const rejects = readFileSync(join(dir, 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number });
    expect(rejects.map((r) => r.line)).toEqual([2, 4, 5, 6]);

    const again = await run(['import', file], env);
    expect(again.err).toContain('import: 0 imported, 2 already imported, 4 rejected');
    const exported = await run(['export'], env);
    const titles = exported.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { metadata: { title: string } }).metadata.title);
    expect(titles.sort()).toEqual(['First', 'Last']);
  });

  it('after an interruption, a second run writes only what is missing', async () => {
    const dir = tempDir();
    const config = resolveConfig({}, { dataDir: dir });
    const lines = Array.from({ length: 30 }, (_, i) => ({ line: i + 1, value: good(`Record ${i + 1}`) }));
    await withService(config, {}, async (service) => {
      async function* interrupted() {
        for (const line of lines) {
          if (line.line === 13) throw new Error('power cut');
          yield line;
        }
      }
      await expect(importRecords(service, interrupted(), { endpoint: 'recid', source: 'test-file' })).rejects.toThrow('power cut');
      expect(await service.store.count()).toBe(12);
      const resumed = await importRecords(service, lines, { endpoint: 'recid', source: 'test-file' });
      expect(resumed).toMatchObject({ accepted: 18, skipped: 12, rejected: 0 });
      expect(await service.store.count()).toBe(30);
    });
  });

  it('needs an existing file', async () => {
    const res = await run(['import', 'nope.jsonl']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('nope.jsonl is not a readable file');
  });
});

describe('recordkit export', () => {
  it('writes NDJSON or CSV, restricted records included, to stdout or a file', async () => {
    const dir = tempDir();
    const env = { RECORDKIT_DATA_DIR: dir };
    await run(['demo', '--count', '20'], env);
    const ndjson = await run(['export', '--format', 'ndjson'], env);
    const records = ndjson.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; metadata: { access: string } });
    expect(records).toHaveLength(20);
    expect(records.some((r) => r.metadata.access === 'restricted')).toBe(true);
    const csvFile = join(dir, 'out.csv');
    const csv = await run(['export', '--format', 'csv', '--output', csvFile], env);
    expect(csv.code).toBe(0);
    expect(csv.err).toContain(`export: 20 records written to ${csvFile}`);
    const rows = readFileSync(csvFile, 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe(
      'id,metadata_title,metadata_creators_0_name,metadata_type,metadata_subjects_0,metadata_publication_date,metadata_language,metadata_access,metadata_owner,created,updated,revision',
    );
    expect(rows).toHaveLength(21);
    expect((await run(['export', '--format', 'xml'], env)).code).toBe(2);
  });
});

describe('recordkit check and reindex', () => {
  it('finds store and index in agreement, reports a drift, repairs it, and rebuilds the index', async () => {
    const dir = tempDir();
    const env = { RECORDKIT_DATA_DIR: dir };
    await run(['demo', '--count', '25'], env);
    const clean = await run(['check'], env);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('store: 25 records\nindex: 25 documents\n');
    expect(clean.out).toContain('store and index agree');

    // Drift: one document removed from the index, one left at an old revision, one without a record.
    const config = resolveConfig({}, { dataDir: dir });
    await withService(config, {}, async (service) => {
      const [first, second] = await service.store.list({ limit: 2 });
      const engine = service.search!;
      await engine.delete('records', first!.id, { version: first!.revision });
      await service.store.update({
        id: second!.id,
        expectedRevision: second!.revision,
        metadata: { ...second!.metadata, title: 'Changed behind the index' },
      });
      await engine.index('records', 'not-a-record', { title: 'Orphan', access: 'public' }, { version: 3 });
    });
    const drift = await run(['check'], env);
    expect(drift.code).toBe(1);
    expect(drift.out).toContain('missing from the index: 1');
    expect(drift.out).toContain('indexed at another revision: 1');
    expect(drift.out).toContain('in the index but not in the store: 1 (e.g. not-a-record)');
    expect(drift.out).toContain('run with --repair to fix the index');

    const repaired = await run(['check', '--repair'], env);
    expect(repaired.code).toBe(0);
    expect(repaired.out).toContain('repaired 3 differences');
    const after = await run(['check'], env);
    expect(after.out).toContain('store and index agree');

    const reindexed = await run(['reindex'], env);
    expect(reindexed.code).toBe(0);
    expect(reindexed.err).toContain('reindex: 25 records indexed into "records"');
    expect((await run(['check'], env)).out).toContain('store: 25 records\nindex: 25 documents\n');
  });
});

describe('start-up errors', () => {
  it('names a bad configuration key and exits 2', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'recordkit.config.ts'), 'const config: { sever: object } = { sever: {} };\nexport default config;\n');
    const res = await run(['serve'], { RECORDKIT_DATA_DIR: cwd }, cwd);
    expect(res.code).toBe(2);
    expect(res.err).toContain('sever: unknown key (did you mean "server"?)');
  });

  it('says clearly when PostgreSQL cannot be reached, without a stack trace', async () => {
    const res = await run(['serve'], { DATABASE_URL: 'postgres://user:secret@127.0.0.1:1/recordkit' });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^recordkit: cannot use PostgreSQL at postgres:\/\/user:\*\*\*@127\.0\.0\.1:1\/recordkit: /);
    expect(res.err).not.toContain('secret');
    expect(res.err).not.toMatch(/\n\s+at /);
  });

  it('says clearly when Elasticsearch cannot be reached', async () => {
    const res = await run(['serve'], { ELASTICSEARCH_URL: 'http://127.0.0.1:1' });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^recordkit: cannot reach Elasticsearch\/OpenSearch at http:\/\/127\.0\.0\.1:1\/: /);
    expect(res.err).not.toMatch(/\n\s+at /);
  });

  it('prints the usage for an unknown command', async () => {
    const res = await run(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('unknown command "frobnicate"');
    expect(res.err).toContain('Usage: recordkit <command>');
  });
});

describe('recordkit serve, first start', () => {
  it('loads 1,000 demo records, prints the development token once, and does neither on the next start', async () => {
    const dataDir = tempDir();
    const first = await serve({ dataDir, env: { RECORDKIT_TOKENS: '' } });
    const stderr = first.stderr();
    expect(stderr).toContain('first start: loading 1000 demo records');
    const token = /Bearer (rk_dev_[A-Za-z0-9_-]+)/.exec(stderr)?.[1];
    expect(token).toBeDefined();
    const last = await fetch(`${first.url}/records/1000`, { headers: { Authorization: `Bearer ${token}` } });
    expect(last.status).toBe(200);
    expect((await fetch(`${first.url}/records/1001`)).status).toBe(404);
    expect(await first.stop()).toBe(0);

    const second = await serve({ dataDir, env: { RECORDKIT_TOKENS: '' } });
    expect(second.stderr()).not.toContain('first start');
    expect(second.stderr()).not.toContain('rk_dev_');
    expect((await fetch(`${second.url}/records/1000`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('uses configured tokens instead of a development token', async () => {
    const app = await serve();
    expect(app.stderr()).not.toContain('development token');
    expect((await fetch(`${app.url}/records/1`, { headers: { Authorization: `Bearer ${TOKENS.curator}` } })).status).toBe(200);
    expect(await app.stop()).toBe(0);
    removeDir(app.dataDir);
  });
});
