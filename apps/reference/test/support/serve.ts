// Start the real `recordkit serve` in-process (the same code path as the CLI) on a loopback port with a
// temporary data directory, and stop it with a simulated SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { BackendInstance } from './backends.js';

/** Tokens every e2e server knows: a curator, two owners of demo records and a reader without roles. */
export const TOKENS = {
  curator: 'curator-token-0001',
  alice: 'alice-token-00001',
  bob: 'bob-token-000001',
  reader: 'reader-token-0001',
};
export const TOKENS_ENV = `${TOKENS.curator}:carol-curator:curator,${TOKENS.alice}:alice,${TOKENS.bob}:bob,${TOKENS.reader}:rita`;

export interface ServedApp {
  url: string;
  dataDir: string;
  /** Everything written to stdout (JSON logs) and stderr (messages) so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM: graceful shutdown; resolves with the exit code. */
  stop(): Promise<number>;
}

export interface ServeOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a data directory (e.g. to start a second time). */
  dataDir?: string;
  cwd?: string;
  /** The store and search engine to run on (./backends.ts); default: the embedded SQLite file. */
  backend?: BackendInstance;
}

export async function serve(options: ServeOptions = {}): Promise<ServedApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rk-e2e-'));
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  let listening!: (url: string) => void;
  let failed!: (e: Error) => void;
  const started = new Promise<string>((resolve, reject) => {
    listening = resolve;
    failed = reject;
  });
  err.on('data', (c: Buffer) => {
    stderr += c.toString();
    const match = /listening on (http:\/\/[^/\s]+)\//.exec(stderr);
    if (match) listening(match[1]!);
  });
  let stop!: (signal: string) => void;
  const stopSignal = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const exit = main(['serve', '--port', '0', ...(options.args ?? [])], {
    stdout: out,
    stderr: err,
    env: { RECORDKIT_DATA_DIR: dataDir, RECORDKIT_TOKENS: TOKENS_ENV, ...options.backend?.env, ...options.env },
    cwd: options.cwd ?? dataDir,
    stopSignal,
  });
  exit.then(
    (code) => failed(new Error(`serve exited with ${code} before listening:\n${stderr}`)),
    (e: Error) => failed(e),
  );
  const url = await started;
  const backend = options.backend?.backend;
  // The server logs which store and search engine it opened (at info level, so unless LOG_LEVEL is lower):
  // a suite meant for PostgreSQL or Elasticsearch must not pass on the embedded default by mistake.
  if (backend) await new Promise((resolve) => setImmediate(resolve));
  if (backend && (/"msg":"backends"/.test(stdout) || options.env?.LOG_LEVEL === undefined)) {
    if (!stdout.includes(`"store":"${backend.store}","search":"${backend.search}"`)) {
      stop('SIGTERM');
      await exit;
      throw new Error(`expected the server on ${backend.name}, its log says:\n${stdout}`);
    }
  }
  return {
    url,
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      stop('SIGTERM');
      return exit;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
