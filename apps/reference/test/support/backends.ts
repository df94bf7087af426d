// The backend matrix of the end-to-end suites (decision 140): each suite is written once and runs on every
// combination of record store and search engine the reference server supports, chosen, as in production,
// by the environment only (decision 097):
//
//   embedded                 SQLite store + SQLite search in one file (the default; always runs)
//   postgres                 PostgreSQL store (DATABASE_URL) + the embedded search in the data directory
//   elasticsearch            SQLite store + Elasticsearch (ELASTICSEARCH_URL)
//   opensearch               SQLite store + OpenSearch 3 (OPENSEARCH_URL)
//   postgres+elasticsearch   PostgreSQL + Elasticsearch, the production combination
//
// A backend whose service variable is absent is skipped with a loud message naming the service script,
// except with RECORDKIT_REQUIRE_SERVICES=1 (the test command under CI=true), where it fails the file.
// Every instance works in a schema / index prefix of its own, dropped by `drop()`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe } from 'vitest';
import { main } from '../../src/cli/main.js';
import { storeDigest as sqliteDigest } from '../reliability/support/raw.js';

export type BackendName = 'embedded' | 'postgres' | 'elasticsearch' | 'opensearch' | 'postgres+elasticsearch';

/** One combination of record store and search engine, and the services it needs. */
export interface Backend {
  name: BackendName;
  store: 'sqlite' | 'postgres';
  search: 'sqlite' | 'elasticsearch' | 'opensearch';
  /** Environment variables this backend needs, absent ones listed in `missing`. */
  missing: string[];
  /** A fresh schema / index prefix on this backend (call `drop()` when done). */
  instance(label?: string): BackendInstance;
}

/** A backend with a schema and an index prefix of its own. */
export interface BackendInstance {
  backend: Backend;
  /** Variables to give the server (and CLI commands) on top of RECORDKIT_DATA_DIR. */
  env: Record<string, string>;
  /**
   * True when two servers must share one data directory to share the backend: the SQLite store, or the
   * embedded search index beside PostgreSQL (the store's outbox is applied once, by whichever server
   * drains it, so servers with an index each would each miss the other's writes). Only PostgreSQL with
   * Elasticsearch/OpenSearch keeps nothing in the data directory.
   */
  sharedDataDir: boolean;
  /** Digest of every row of the record store (and of an embedded index), to prove nothing was written. */
  digest(dataDir: string): Promise<{ digest: string; records: number }>;
  /** Drop the schema and the indices of this instance. */
  drop(): Promise<void>;
}

const SCRIPTS: Record<string, string> = {
  DATABASE_URL: 'postgres.sh',
  ELASTICSEARCH_URL: 'elasticsearch.sh',
  OPENSEARCH_URL: 'opensearch.sh',
};

const variable = (name: string) => process.env[name]?.trim() || undefined;

function make(name: BackendName, store: Backend['store'], search: Backend['search'], needs: string[]): Backend {
  const backend: Backend = {
    name,
    store,
    search,
    missing: needs.filter((n) => !variable(n)),
    instance: (label = 'e2e') => {
      const id = randomBytes(4).toString('hex');
      const schema = `rk_${label}_${id}`.replace(/[^a-z0-9_]/g, '_');
      const prefix = `rk-${label}-${id}-`.replace(/[^a-z0-9-]/g, '-');
      const databaseUrl = store === 'postgres' ? variable('DATABASE_URL') : undefined;
      const searchUrl =
        search === 'elasticsearch' ? variable('ELASTICSEARCH_URL') : search === 'opensearch' ? variable('OPENSEARCH_URL') : undefined;
      const env: Record<string, string> = {};
      if (databaseUrl) Object.assign(env, { DATABASE_URL: databaseUrl, RECORDKIT_DATABASE_SCHEMA: schema });
      if (searchUrl) Object.assign(env, { ELASTICSEARCH_URL: searchUrl, RECORDKIT_INDEX_PREFIX: prefix });
      return {
        backend,
        env,
        sharedDataDir: store === 'sqlite' || search === 'sqlite',
        digest: async (dataDir) => {
          const parts: { digest: string; records: number }[] = [];
          if (databaseUrl) parts.push(await postgresDigest(databaseUrl, schema));
          else {
            const file = sqliteDigest(join(dataDir, 'recordkit.sqlite'), ['sequences']);
            parts.push({ digest: file.digest, records: file.rows.records ?? 0 });
          }
          const searchFile = join(dataDir, 'search.sqlite');
          if (databaseUrl && !searchUrl && existsSync(searchFile)) parts.push({ ...sqliteDigest(searchFile), records: 0 });
          return {
            digest: createHash('sha256')
              .update(parts.map((p) => p.digest).join('\n'))
              .digest('hex'),
            records: parts[0]!.records,
          };
        },
        drop: async () => {
          if (databaseUrl) await dropSchema(databaseUrl, schema);
          if (searchUrl) await dropIndices(searchUrl, prefix);
        },
      };
    },
  };
  return backend;
}

const ALL: Backend[] = [
  make('embedded', 'sqlite', 'sqlite', []),
  make('postgres', 'postgres', 'sqlite', ['DATABASE_URL']),
  make('elasticsearch', 'sqlite', 'elasticsearch', ['ELASTICSEARCH_URL']),
  make('opensearch', 'sqlite', 'opensearch', ['OPENSEARCH_URL']),
  make('postgres+elasticsearch', 'postgres', 'elasticsearch', ['DATABASE_URL', 'ELASTICSEARCH_URL']),
];

let warned = false;

/**
 * Every backend of the matrix (or those named). A backend whose service is missing is returned too, with
 * `missing` set: {@link describeBackends} skips it loudly, or throws under RECORDKIT_REQUIRE_SERVICES=1.
 */
export function backends(only?: readonly BackendName[]): Backend[] {
  const list = only ? ALL.filter((b) => only.includes(b.name)) : ALL;
  const missing = [...new Set(list.flatMap((b) => b.missing))];
  if (missing.length && process.env.RECORDKIT_REQUIRE_SERVICES === '1') {
    throw new Error(
      `${missing.join(', ')} required (RECORDKIT_REQUIRE_SERVICES=1): run ${missing.map((m) => `scripts/services/${SCRIPTS[m]} up`).join(', ')}`,
    );
  }
  if (missing.length && !warned) {
    warned = true;
    console.warn(
      `\n!!! @recordkit/reference e2e: backends ${list
        .filter((b) => b.missing.length)
        .map((b) => b.name)
        .join(', ')} SKIPPED: ${missing.map((m) => `run \`bash scripts/services/${SCRIPTS[m]} up\` and export ${m}`).join('; ')}.\n`,
    );
  }
  return list;
}

/**
 * `describe` once per backend (`on <name>`), skipped when the backend's service is missing. The body gets
 * the backend; it creates its own instances (one schema / prefix each) in `beforeAll`.
 */
export function describeBackends(title: string, body: (backend: Backend) => void, only?: readonly BackendName[]): void {
  for (const backend of backends(only)) {
    describe.skipIf(backend.missing.length > 0)(`${title} on ${backend.name}`, () => body(backend));
  }
}

/** Run a `recordkit` command in-process on an instance and a data directory. */
export async function recordkit(
  args: string[],
  instance: BackendInstance,
  dataDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  err.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await main(args, { stdout: out, stderr: err, env: { ...instance.env, RECORDKIT_DATA_DIR: dataDir }, cwd: dataDir });
  return { code, stdout, stderr };
}

/** `recordkit demo --count N` (seed 1, the records of the embedded first start) into an instance. */
export async function loadDemo(instance: BackendInstance, dataDir: string, count: number): Promise<void> {
  const run = await recordkit(['demo', '--count', String(count), '--seed', '1'], instance, dataDir);
  if (run.code !== 0) throw new Error(`recordkit demo failed (${run.code}):\n${run.stderr}`);
}

async function withPostgres<T>(url: string, use: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  await withPostgres(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

async function postgresDigest(url: string, schema: string): Promise<{ digest: string; records: number }> {
  return withPostgres(url, async (client) => {
    const tables = (
      await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
        [schema],
      )
    ).rows.map((r) => r.table_name);
    const hash = createHash('sha256');
    let records = 0;
    for (const table of tables) {
      const rows = (await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${schema}"."${table}" t`)).rows
        .map((r) => r.row)
        .sort();
      if (table === 'records') records = rows.length;
      hash.update(`${table}\n${rows.join('\n')}\n`);
    }
    return { digest: hash.digest('hex'), records };
  });
}

async function dropIndices(url: string, prefix: string): Promise<void> {
  // Wildcard deletes are refused by default (action.destructive_requires_name): list, then delete by name.
  const listed = await fetch(`${url}/_cat/indices/${prefix}*?format=json&h=index&expand_wildcards=all`);
  if (!listed.ok) throw new Error(`cannot list the indices ${prefix}*: ${listed.status} ${await listed.text()}`);
  const names = ((await listed.json()) as { index: string }[]).map((i) => i.index);
  if (names.length === 0) return;
  const deleted = await fetch(`${url}/${names.map(encodeURIComponent).join(',')}`, { method: 'DELETE' });
  if (!deleted.ok) throw new Error(`cannot delete the indices ${names.join(', ')}: ${deleted.status} ${await deleted.text()}`);
}
