// The reference server (apps/reference) as the bench drives it: its built CLI, a data directory per
// dataset under bench/.data, rate limits and request logs off (a benchmark is not a client to throttle,
// and a log line per request would measure pino), and a curator token for the writes.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from './load.ts';
import { type ServerProcess, startServer } from './process.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const CLI = join(ROOT, 'apps', 'reference', 'dist', 'cli.js');
export const DATA_ROOT = join(import.meta.dirname, '..', '..', '.data');
export const TOKEN = 'bench-curator-token-0123456789';
export const WRITE_HEADERS = { authorization: `Bearer ${TOKEN}` };

/** The configuration file the bench starts the reference server with (written under bench/.data). */
function configFile(): string {
  mkdirSync(DATA_ROOT, { recursive: true });
  const file = join(DATA_ROOT, 'recordkit.bench.config.mjs');
  writeFileSync(
    file,
    `// Written by bench/src/lib/reference.ts: the default server with rate limits and request logs off.
export default { rateLimit: false, logging: { level: 'warn' }, identity: { devToken: false } };
`,
  );
  return file;
}

export function environment(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    RECORDKIT_CONFIG: configFile(),
    RECORDKIT_DATA_DIR: dataDir,
    RECORDKIT_TOKENS: `${TOKEN}:bench:curator`,
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    // The engine comparisons set these explicitly; a developer's shell must not switch engines silently.
    DATABASE_URL: '',
    ELASTICSEARCH_URL: '',
    ...extra,
  };
}

/** A data directory for a dataset of `count` records; emptied unless `keep`. */
export function dataDir(name: string, keep = false): string {
  const dir = join(DATA_ROOT, name);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The Node flags the `recordkit` command starts with (the shebang of apps/reference/src/cli.ts and
 * `./recordkit start`): the server is measured as it is deployed. Decision 138.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=16'];

export interface StartReference {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Extra `node` flags before the script (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
}

/** Start `recordkit serve` without demo records (the dataset is loaded beforehand). */
export function startReference(options: StartReference): Promise<ServerProcess> {
  return startServer({
    name: 'reference server',
    nodeArgs: [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? []), CLI, 'serve', '--no-demo', '--port', '0'],
    env: environment(options.dataDir, options.env),
    cwd: ROOT,
    ready: /listening on (http:\/\/[^\s/]+)/,
    timeoutMs: 120_000,
  });
}

export interface ReferenceStatus {
  /** Why the reference server cannot be benchmarked at all, or undefined when it can. */
  unavailable?: string;
  /** Why its list route (search, export) cannot be, or undefined when it answers. */
  searchUnavailable?: string;
}

let probed: Promise<ReferenceStatus> | undefined;

/**
 * Whether the reference server can be benchmarked: it is built, starts on an empty data directory and
 * answers an item route (404 for a missing record) and, for the search scenarios, its list route. Probed
 * once per run.
 */
export function referenceStatus(): Promise<ReferenceStatus> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<ReferenceStatus> {
  if (!existsSync(CLI)) return { unavailable: `apps/reference is not built (${CLI} is missing; ./recordkit bench builds it)` };
  const dir = dataDir('probe');
  let server: ServerProcess | undefined;
  try {
    server = await startReference({ dataDir: dir });
    const item = await request(server.url, { path: '/records/1', headers: { accept: 'application/json' } });
    if (item.status !== 404)
      return { unavailable: `GET /records/1 on an empty store answers ${item.status}, not 404: ${item.text.slice(0, 200)}` };
    const list = await request(server.url, { path: '/records/?size=1', headers: { accept: 'application/json' } });
    return list.status === 200 ? {} : { searchUnavailable: `GET /records/ answers ${list.status}: ${list.text.slice(0, 200)}` };
  } catch (e) {
    return { unavailable: `it does not start: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}` };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Why the reference server cannot be benchmarked at all, or undefined. */
export async function referenceUnavailable(): Promise<string | undefined> {
  return (await referenceStatus()).unavailable;
}

/** Why its search cannot be benchmarked (server or list route unavailable), or undefined. */
export async function searchUnavailable(): Promise<string | undefined> {
  const status = await referenceStatus();
  return status.unavailable ?? status.searchUnavailable;
}
