import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { devTokenFor, type RunningServer, startServer } from '../app.js';
import { ConfigError, resolveConfig } from '../config/define-config.js';
import { readEnvironment } from '../config/environment.js';
import { loadConfigFile } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/types.js';
import { generateDemoRecords } from '../demo/generate.js';

/** Where the CLI writes: data to `stdout`, messages for people to `stderr`. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Thrown for a wrong command line; exit code 2 with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: recordkit <command> [options]

Commands:
  serve                      start the server (1,000 demo records are loaded on the first start of the embedded default)
  demo [--count N] [--seed S] [--jsonl]
                             load N deterministic demo records (default 1000), or print them as JSON lines with --jsonl
  help                       show this text

Options for every command:
  --config FILE              configuration file (default: $RECORDKIT_CONFIG, else recordkit.config.ts in the working directory)

serve options:
  --port N, --host H         override PORT / HOST (default 127.0.0.1:5000)
  --no-demo                  do not load demo records on first start
`;

/**
 * Run one CLI command. Returns the process exit code (0 success, 1 failure, 2 usage or configuration
 * error); `serve` resolves only when the server has stopped (SIGTERM or SIGINT).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'demo':
        return await demo(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`recordkit: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      io.stderr.write(`recordkit: ${e.message}\n`);
      return 2;
    }
    if (e instanceof StartupError) {
      io.stderr.write(`recordkit: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** A start-up failure with a message meant for the operator (no stack trace). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

type ParsedArgs = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(args: readonly string[], options: ParseArgsOptionsConfig, positionals = 0): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { config: { type: 'string' }, ...options },
      allowPositionals: positionals > 0,
      strict: true,
    }) as ParsedArgs;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  return parsed;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

async function loadResolved(
  configPath: string | undefined,
  io: CliIO,
  overrides: { port?: number; host?: string } = {},
): Promise<ResolvedConfig> {
  const env = readEnvironment(io.env);
  const { config } = await loadConfigFile(configPath ?? io.env.RECORDKIT_CONFIG, io.cwd);
  return resolveConfig(config, { ...env, ...overrides }, io.cwd);
}

function integerOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return Number(value);
}

async function serve(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' } });
  const port = integerOption(str(values.port), 'port', 0);
  const config = await loadResolved(str(values.config), io, {
    ...(port !== undefined ? { port } : {}),
    ...(str(values.host) ? { host: str(values.host)! } : {}),
  });
  checkBackendsAvailable(config);
  const dev = devTokenFor(config);
  const running: RunningServer = await startServer({ config, ...(dev ? { extraTokens: [dev.token] } : {}) });
  if (dev?.created) {
    io.stderr.write(
      `\nrecordkit: created a development token for user "admin" (role curator). It is shown only this once;\n` +
        `it is stored in ${dev.file}. Use it as:\n\n  curl -H 'Authorization: Bearer ${dev.token.token}' ${running.url}/records/\n\n`,
    );
  }
  io.stderr.write(`recordkit: listening on ${running.url}/\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      running.logger.info({ signal }, 'signal received');
      running.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

async function demo(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { count: { type: 'string' }, seed: { type: 'string' }, jsonl: { type: 'boolean' } });
  const count = integerOption(str(values.count), 'count', 0) ?? 1000;
  const seed = integerOption(str(values.seed), 'seed', 0) ?? 1;
  if (!values.jsonl) throw new UsageError('loading demo records into the store needs the records service; use --jsonl to print them');
  for (const record of generateDemoRecords({ count, seed })) {
    if (!io.stdout.write(`${JSON.stringify(record)}\n`)) await new Promise((r) => io.stdout.once('drain', r));
  }
  return 0;
}

/**
 * PostgreSQL and Elasticsearch are wired once their packages export working adapters; until then a
 * set `DATABASE_URL` or `ELASTICSEARCH_URL` stops start-up with this message instead of a stack trace.
 */
function checkBackendsAvailable(config: ResolvedConfig): void {
  if (config.storage.databaseUrl) {
    throw new StartupError(
      'DATABASE_URL is set, but this build has no PostgreSQL record store yet (@recordkit/postgres exports no adapter).\n' +
        'Unset DATABASE_URL to use the embedded SQLite store.',
    );
  }
  if (config.storage.elasticsearchUrl) {
    throw new StartupError(
      'ELASTICSEARCH_URL is set, but this build has no Elasticsearch search engine yet (@recordkit/elasticsearch exports no adapter).\n' +
        'Unset ELASTICSEARCH_URL to use the embedded SQLite search.',
    );
  }
}
