// Acceptance tests of the reference server on PostgreSQL (DATABASE_URL), run as an operator runs it: the
// built CLI (`apps/reference/dist/cli.js`, built by the test command before vitest) in child processes.
// Two servers share one database under concurrent If-Match writers; an import killed with SIGKILL leaves
// only whole records behind. Each suite has its own schema, dropped afterwards. Without DATABASE_URL the
// suite is skipped loudly, and with RECORDKIT_REQUIRE_SERVICES=1 a missing service is a failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withService } from '../src/cli/context.js';
import { resolveConfig } from '../src/config/define-config.js';
import { readEnvironment } from '../src/config/environment.js';
import { generateDemoRecords } from '../src/demo/generate.js';
import { recordIdFor } from '../src/records/importer.js';
import { removeDir, TOKENS, TOKENS_ENV } from './support/serve.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
if (!databaseUrl) {
  if (process.env.RECORDKIT_REQUIRE_SERVICES === '1')
    throw new Error('PostgreSQL is required (RECORDKIT_REQUIRE_SERVICES=1): run scripts/services/postgres.sh up');
  console.warn(
    '\n!!! @recordkit/reference: PostgreSQL acceptance suite SKIPPED: run `bash scripts/services/postgres.sh up` and export the DATABASE_URL it prints.\n',
  );
}

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const curator = { Authorization: `Bearer ${TOKENS.curator}` };

/** A data directory with a configuration file that turns rate limits off (50 writers are not an attack). */
function dataDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'recordkit.test.config.mjs'), "export default { rateLimit: false, logging: { level: 'warn' } };\n");
  return dir;
}

function environment(dataDir: string, schema: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    RECORDKIT_DATABASE_SCHEMA: schema,
    RECORDKIT_DATA_DIR: dataDir,
    RECORDKIT_CONFIG: join(dataDir, 'recordkit.test.config.mjs'),
    RECORDKIT_TOKENS: TOKENS_ENV,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
}

interface CliProcess {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string): CliProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the reference server first (pnpm exec turbo run build)`);
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, stdout: () => out, exited };
}

interface ServerProcess {
  url: string;
  process: CliProcess;
  stop(): Promise<number | null>;
}

async function startServer(env: NodeJS.ProcessEnv, cwd: string): Promise<ServerProcess> {
  const server = runCli(['serve', '--no-demo', '--port', '0'], env, cwd);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/[^/\s]+)/.exec(server.stderr());
      if (match) {
        server.child.stderr?.off('data', onData);
        resolve(match[1]!);
      }
    };
    server.child.stderr?.on('data', onData);
    server.exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${server.stderr()}`)));
  });
  return {
    url,
    process: server,
    stop: async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
      return server.exited;
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

interface RecordBody {
  id: string;
  revision: number;
  metadata: { title: string };
}

describe.runIf(databaseUrl)('two reference servers on one PostgreSQL database', () => {
  const schema = `rk_accept_lu_${randomBytes(4).toString('hex')}`;
  const dirs = [dataDirectory('rk-pg-lu-a-'), dataDirectory('rk-pg-lu-b-')];
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    // One after the other: the first creates the schema, the second finds it migrated.
    for (const dir of dirs) servers.push(await startServer(environment(dir, schema), dir));
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await dropSchema(schema);
    for (const dir of dirs) removeDir(dir);
  });

  it('loses no update when 50 writers increment one counter with If-Match through both servers', async () => {
    const created = await fetch(`${servers[0]!.url}/records/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...curator },
      body: JSON.stringify({
        title: 'Counter 0',
        creators: [{ name: 'Okafor, Ngozi' }],
        type: 'dataset',
        publication_date: '2023-03-01',
        access: 'public',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as RecordBody;

    const WRITERS = 50;
    const statuses: number[] = [];
    // One read-modify-write: read the counter and its ETag, write counter + 1 under If-Match, and start
    // over from the read when another writer got there first (412).
    async function increment(writer: number): Promise<void> {
      const base = servers[writer % 2]!.url;
      for (let attempt = 0; attempt < 500; attempt++) {
        const read = await fetch(`${base}/records/${id}`, { headers: curator });
        expect(read.status).toBe(200);
        const etag = read.headers.get('etag')!;
        const count = Number(((await read.json()) as RecordBody).metadata.title.replace('Counter ', ''));
        const written = await fetch(`${base}/records/${id}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': etag, ...curator },
          body: JSON.stringify({ title: `Counter ${count + 1}` }),
        });
        statuses.push(written.status);
        await written.arrayBuffer();
        if (written.status === 200) return;
        if (written.status !== 412) throw new Error(`writer ${writer}: PATCH answered ${written.status}`);
      }
      throw new Error(`writer ${writer} never got its write in`);
    }
    await Promise.all(Array.from({ length: WRITERS }, (_, writer) => increment(writer)));

    expect(statuses.filter((s) => s === 200)).toHaveLength(WRITERS);
    expect(statuses.filter((s) => s !== 200 && s !== 412)).toEqual([]);
    for (const server of servers) {
      const final = await fetch(`${server.url}/records/${id}`, { headers: curator });
      expect(final.headers.get('etag')).toBe(`"${WRITERS}"`);
      const body = (await final.json()) as RecordBody;
      expect(body.metadata.title).toBe(`Counter ${WRITERS}`);
      expect(body.revision).toBe(WRITERS);
    }
  }, 120_000);
});

describe.runIf(databaseUrl)('recordkit import on PostgreSQL killed with SIGKILL', () => {
  const schema = `rk_accept_imp_${randomBytes(4).toString('hex')}`;
  const dataDir = dataDirectory('rk-pg-imp-');
  const env = environment(dataDir, schema);
  const file = join(dataDir, 'records.jsonl');
  // Far more lines than the import gets through before the first progress report: the kill lands mid-way.
  const LINES = 20_000;
  let server: ServerProcess | undefined;
  let source = '';

  beforeAll(() => {
    const lines = Array.from(generateDemoRecords({ count: LINES, seed: 7 }), (r) => JSON.stringify(r));
    writeFileSync(file, `${lines.join('\n')}\n`);
    // The file's identity as the import computes it (sha256 of its lines): it makes the ids of line n's record.
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    source = `file:sha256:${hash.digest('hex')}`;
  });
  afterAll(async () => {
    await server?.stop();
    await dropSchema(schema);
    removeDir(dataDir);
  });

  it('keeps every acknowledged record, whole, and store and index agree after a restart', async () => {
    const importing = runCli(['import', file], env, dataDir);
    // Off a terminal the progress bar prints `import [...] N% | done/total | ...` every few seconds: the
    // first line with 0 < done < total is the import acknowledging `done` lines; kill it right then.
    const acknowledged = await new Promise<number>((resolve, reject) => {
      const onData = () => {
        for (const match of importing.stderr().matchAll(/\| (\d+)\/(\d+) \|/g)) {
          const done = Number(match[1]);
          if (done > 0 && done < LINES) {
            importing.child.stderr?.off('data', onData);
            importing.child.kill('SIGKILL');
            resolve(done);
            return;
          }
        }
      };
      importing.child.stderr?.on('data', onData);
      importing.exited.then((code) => reject(new Error(`import ended (${code}) before it was killed:\n${importing.stderr()}`)));
    });
    await importing.exited;
    expect(importing.child.signalCode).toBe('SIGKILL');
    expect(importing.stderr()).not.toContain('recordkit: import:');

    server = await startServer(env, dataDir);
    const config = resolveConfig({}, readEnvironment(env as Record<string, string>), dataDir);
    const recordSchema = config.endpoints[0]?.schema;
    if (recordSchema === undefined) throw new Error('the default endpoint has a JSON Schema to validate against');
    const stored = await withService(config, {}, async (service) => {
      const records: { id: string; pid: string | undefined; metadata: unknown; invalid: string | undefined }[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await service.store.list({ limit: 500, ...(after ? { after } : {}) });
        if (page.length === 0) break;
        for (const record of page) {
          const pid = (await service.store.recordPIDs(record.id)).find((p) => p.status === 'registered');
          let invalid: string | undefined;
          try {
            service.validator.validate(record.metadata, recordSchema);
          } catch (e) {
            invalid = (e as Error).message;
          }
          records.push({ id: record.id, pid: pid?.value, metadata: record.metadata, invalid });
        }
        after = page.at(-1)!.id;
      }
      return records;
    });

    // Every acknowledged line is stored; what is stored is exactly lines 1..M (the import is sequential,
    // one transaction per record), with M at least the acknowledged count.
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged);
    expect(stored.length).toBeLessThan(LINES);
    const expectedIds = new Set(Array.from({ length: stored.length }, (_, i) => recordIdFor(source, i + 1)));
    expect(new Set(stored.map((r) => r.id))).toEqual(expectedIds);
    // Nothing half-written: each record validates, carries its PID, and that PID serves the same metadata.
    expect(stored.filter((r) => r.invalid !== undefined || r.pid === undefined)).toEqual([]);
    for (const record of stored) {
      const read = await fetch(`${server.url}/records/${record.pid}`, { headers: curator });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { metadata: unknown }).metadata).toEqual(record.metadata);
    }
    expect(await server.stop()).toBe(0);
    server = undefined;

    let check = runCli(['check'], env, dataDir);
    if ((await check.exited) !== 0) {
      const repair = runCli(['check', '--repair'], env, dataDir);
      await repair.exited;
      check = runCli(['check'], env, dataDir);
      await check.exited;
    }
    expect(check.stdout()).toContain('store and index agree');
    expect(check.child.exitCode).toBe(0);
  }, 120_000);
});
