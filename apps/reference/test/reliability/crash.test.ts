// Crash consistency: the built CLI (`apps/reference/dist/cli.js`, built by the test command before
// vitest) runs on an embedded SQLite store in a child process and is killed with SIGKILL (no shutdown
// hook runs) in the middle of a bulk import and in the middle of concurrent writes. After the crash
// `recordkit check` finds store and index in agreement, SQLite's integrity check passes, every write the
// server acknowledged is there, nothing is half-written (every record resolves through its PID, at the
// revision the export shows), and an interrupted import, run again, ends with every line stored exactly
// once (docs/security.md, finding 8).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, TOKENS, TOKENS_ENV } from '../support/serve.js';
import { send } from './support/raw.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rk-crash-'));
  dirs.push(dir);
  // No rate limit: the writers below send hundreds of requests from one address.
  writeFileSync(join(dir, 'recordkit.config.mjs'), 'export default { rateLimit: false };\n');
  return dir;
}

// The embedded store only, whatever the shell or the test command exports for other suites
// (DATABASE_URL, ELASTICSEARCH_URL, ...); the configuration file is the one in the working directory.
function envFor(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RECORDKIT_DATA_DIR: join(dir, 'data'),
    RECORDKIT_TOKENS: TOKENS_ENV,
    LOG_LEVEL: 'silent',
  };
  for (const name of [
    'DATABASE_URL',
    'ELASTICSEARCH_URL',
    'OPENSEARCH_URL',
    'REDIS_URL',
    'RECORDKIT_CONFIG',
    'PORT',
    'HOST',
    'RECORDKIT_BASE_URL',
  ]) {
    delete env[name];
  }
  return env;
}

/** Run a CLI command to its end. */
function run(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: envFor(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start `serve` in a child process; resolves once it listens. */
function startServer(dir: string): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-demo'], {
      cwd: dir,
      env: envFor(dir),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((done) => child.on('exit', done));
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const match = /listening on (http:\/\/[^/\s]+)\//.exec(stderr);
      if (match) resolve({ child, url: match[1]!, exited });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
}

function openStore(dir: string): DatabaseSync {
  return new DatabaseSync(join(dir, 'data', 'recordkit.sqlite'), { readOnly: true });
}

function countRecords(dir: string): number {
  try {
    const db = openStore(dir);
    try {
      return Number(db.prepare('SELECT count(*) AS n FROM records').get()!.n);
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

function integrity(dir: string): string {
  const db = openStore(dir);
  try {
    return String(db.prepare('PRAGMA integrity_check').get()!.integrity_check);
  } finally {
    db.close();
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

interface Exported {
  id: string;
  revision: number;
  metadata: { title: string; control_number: string };
}

async function exportAll(dir: string): Promise<Exported[]> {
  const out = await run(dir, ['export', '--format', 'ndjson']);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Exported);
}

/** `recordkit check` (which opens the store read-write, recovering its WAL) agrees, then SQLite's own check; returns the store's record count. */
async function expectConsistent(dir: string): Promise<number> {
  const check = await run(dir, ['check']);
  expect(check.stdout + check.stderr).toContain('store and index agree');
  expect(check.code).toBe(0);
  expect(integrity(dir)).toBe('ok');
  return Number(/store: (\d+) records/.exec(check.stdout + check.stderr)?.[1]);
}

describe('SIGKILL during a bulk import', () => {
  it('leaves a consistent store each time, and the last run stores every line exactly once', async () => {
    const dir = workDir();
    const lines = 5000;
    const demo = await run(dir, ['demo', '--count', String(lines), '--jsonl']);
    expect(demo.code).toBe(0);
    const file = join(dir, 'demo.jsonl');
    writeFileSync(file, demo.stdout);
    const titles = demo.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { title: string }).title)
      .sort();
    expect(titles).toHaveLength(lines);

    // Killed twice, each time a few batches (of 100 lines) after the last kill.
    let stored = 0;
    for (let kill = 1; kill <= 2; kill++) {
      const before = stored;
      const child = spawn(process.execPath, [CLI, 'import', file, '--batch-size', '100'], { cwd: dir, env: envFor(dir), stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await waitFor(() => countRecords(dir) >= before + 300);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      stored = await expectConsistent(dir);
      expect(stored).toBe(countRecords(dir));
      expect(stored).toBeGreaterThanOrEqual(before + 300);
      expect(stored).toBeLessThan(lines);
    }

    const again = await run(dir, ['import', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${lines - stored} imported, ${stored} already imported, 0 rejected`);
    expect(await expectConsistent(dir)).toBe(lines);
    const records = await exportAll(dir);
    expect(records).toHaveLength(lines);
    expect(new Set(records.map((r) => r.id)).size).toBe(lines);
    expect(new Set(records.map((r) => r.metadata.control_number)).size).toBe(lines);
    expect(records.map((r) => r.metadata.title).sort()).toEqual(titles);
  }, 180_000);
});

describe('SIGKILL during concurrent writes', () => {
  it('keeps every acknowledged create and update; nothing is half-written', async () => {
    const dir = workDir();
    const server = await startServer(dir);
    const headers = { Authorization: `Bearer ${TOKENS.curator}`, 'Content-Type': 'application/json' };
    const metadata = (title: string) =>
      JSON.stringify({ title, creators: [{ name: 'Writer, A' }], type: 'dataset', publication_date: '2024-02-02', access: 'public' });
    /** id -> the latest acknowledged revision and title. */
    const acknowledged = new Map<string, { revision: number; title: string }>();
    let killed = false;

    async function writer(n: number): Promise<void> {
      for (let i = 0; !killed; i++) {
        try {
          const title = `writer ${n} record ${i}`;
          const created = await send(server.url, { method: 'POST', path: '/records/', headers, body: metadata(title) });
          if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.text}`);
          const id = (JSON.parse(created.text) as { id: string }).id;
          acknowledged.set(id, { revision: 0, title });
          for (let revision = 1; revision <= 2 && !killed; revision++) {
            const updated = await send(server.url, {
              method: 'PUT',
              path: `/records/${id}`,
              headers: { ...headers, 'If-Match': `"${revision - 1}"` },
              body: metadata(`${title} v${revision}`),
            });
            if (updated.status !== 200) throw new Error(`update answered ${updated.status}: ${updated.text}`);
            acknowledged.set(id, { revision, title: `${title} v${revision}` });
          }
        } catch (e) {
          if (killed) return; // the connection died with the server: this write was not acknowledged
          throw e;
        }
      }
    }

    const writers = Array.from({ length: 6 }, (_, n) => writer(n));
    await waitFor(() => acknowledged.size >= 60);
    killed = true;
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(writers);

    await expectConsistent(dir);
    const records = new Map((await exportAll(dir)).map((r) => [r.id, r]));
    for (const [id, ack] of acknowledged) {
      const record = records.get(id);
      expect(record, `acknowledged record ${id} is missing`).toBeDefined();
      // An update in flight at the kill may have committed without its answer arriving: never older.
      expect(record!.revision, id).toBeGreaterThanOrEqual(ack.revision);
      if (record!.revision === ack.revision) expect(record!.metadata.title).toBe(ack.title);
    }

    // After a restart every stored record resolves through its PID, at the revision the export shows.
    const restarted = await startServer(dir);
    try {
      for (const record of records.values()) {
        const res = await send(restarted.url, { method: 'GET', path: `/records/${record.metadata.control_number}` });
        expect(res.status).toBe(200);
        expect(res.headers.etag).toBe(`"${record.revision}"`);
      }
      const search = await send(restarted.url, { method: 'GET', path: '/records/?size=1' });
      expect((JSON.parse(search.text) as { hits: { total: number } }).hits.total).toBe(records.size);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  }, 180_000);
});
