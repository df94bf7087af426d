import type { DestinationStream } from 'pino';
import { devTokenFor, type RunningServer, startServer } from '../app.js';
import { ConfigError } from '../config/define-config.js';
import { createLogger } from '../http/logger.js';
import type { RouteHandler } from '../http/pipeline.js';
import { openapiRoute } from '../openapi/route.js';
import { openBackends, StartupError } from '../records/backends.js';
import { createRecordsApp, type RecordsApp } from '../records/records-app.js';
import { type CliIO, integerOption, loadConfig, parse, str, UsageError, withService } from './context.js';
import { checkCommand, reindexCommand } from './index-commands.js';
import { demoCommand, exportCommand, FIRST_START_DEMO_COUNT, importCommand, loadDemo } from './records-commands.js';

export { StartupError } from '../records/backends.js';
export type { CliIO } from './context.js';
export { UsageError } from './context.js';

/** The text of `recordkit help`. */
export const USAGE = `Usage: recordkit <command> [options]

Commands:
  serve [--port N] [--host H] [--no-demo]
        start the server; on the embedded default, the first start loads ${FIRST_START_DEMO_COUNT} demo records
  import <file.jsonl> [--endpoint E] [--owner USER] [--rejects FILE] [--batch-size N]
        load records (one JSON object per line); bad lines are reported with their numbers and reasons,
        good ones are stored, N per transaction (default 1000); running it again resumes (lines already
        imported are skipped)
  export [--endpoint E] [--format ndjson|csv] [--output FILE]
        write every record (restricted ones included) to stdout or FILE
  reindex [--endpoint E]
        rebuild the search index from the store
  check [--endpoint E] [--repair]
        compare the store and the index (counts and revisions); --repair fixes the index
  demo [--count N] [--seed S] [--endpoint E] [--jsonl] [--batch-size N]
        load N deterministic demo records (default ${FIRST_START_DEMO_COUNT}); --jsonl prints them instead
  help  show this text

Every command reads --config FILE (default: $RECORDKIT_CONFIG, else recordkit.config.ts in the working
directory) and the environment: PORT, HOST, RECORDKIT_DATA_DIR, DATABASE_URL, ELASTICSEARCH_URL,
REDIS_URL, RECORDKIT_TOKENS, RECORDKIT_BASE_URL, RECORDKIT_CORS_ORIGINS, LOG_LEVEL.
Exit status: 0 success, 1 failure (or rejected lines), 2 wrong usage or configuration.
`;

/**
 * Run one CLI command. Returns the exit code (0 success, 1 failure, 2 usage or configuration error);
 * `serve` resolves once the server has stopped (after `io.stopSignal`).
 *
 * @example
 * process.exitCode = await main(['demo', '--count', '100'], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'import':
        return await importCommand(rest, io);
      case 'export':
        return await exportCommand(rest, io);
      case 'reindex':
        return await reindexCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        (command === undefined ? io.stderr : io.stdout).write(USAGE);
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

async function serve(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' } });
  const port = integerOption(values.port, 'port', 0);
  const host = str(values.host);
  const { file, config } = await loadConfig(str(values.config), io, { ...(port !== undefined ? { port } : {}), ...(host ? { host } : {}) });
  const logger = createLogger(config.logging, io.stdout as unknown as DestinationStream);

  // First start of the quick start: the embedded default with the demo endpoint and an empty store.
  const firstStart = await (async () => {
    if (values['no-demo'] || file.endpoints !== undefined || config.storage.databaseUrl) return false;
    const probe = await openBackends(config);
    try {
      return probe.embedded && (await probe.store.count({ includeDeleted: true })) === 0;
    } finally {
      await probe.close();
    }
  })();
  if (firstStart) {
    io.stderr.write(`recordkit: first start: loading ${FIRST_START_DEMO_COUNT} demo records (recordkit serve --no-demo skips this)\n`);
    await withService(config, {}, (service) => loadDemo(service, config.endpoints[0]!.name, { count: FIRST_START_DEMO_COUNT, seed: 1 }));
  }

  const backends = await openBackends(config);
  let records: RecordsApp | undefined;
  let running: RunningServer;
  try {
    const dev = backends.embedded ? devTokenFor(config) : undefined;
    running = await startServer({
      config,
      logger,
      ...(dev ? { extraTokens: [dev.token] } : {}),
      ready: backends.ready,
      routes: async (url): Promise<RouteHandler[]> => {
        records = await createRecordsApp({ config, backends, baseUrl: config.server.baseUrl ?? publicUrl(url), logger });
        return [openapiRoute(config, records.service), records.route];
      },
      onClose: async () => {
        records?.close();
        await backends.close();
      },
    });
    if (dev?.created) {
      io.stderr.write(
        `\nrecordkit: created a development token for user "admin" (role curator). It is shown only this once;\n` +
          `it is kept in ${dev.file}. Use it as:\n\n  curl -H 'Authorization: Bearer ${dev.token.token}' ${running.url}/records/\n\n`,
      );
    }
  } catch (e) {
    await backends.close();
    throw e;
  }
  logger.info({ store: backends.describe.store, search: backends.describe.search, location: backends.describe.location }, 'backends');
  io.stderr.write(`recordkit: listening on ${running.url}/ (records at ${running.url}${config.endpoints[0]!.listRoute})\n`);
  const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
  running.logger.info({ signal }, 'signal received');
  await running.close();
  return 0;
}

/**
 * The URL links are built on when no base URL is configured: a wildcard address becomes localhost.
 *
 * @example
 * publicUrl('http://0.0.0.0:5000'); // 'http://localhost:5000'
 */
export function publicUrl(listeningUrl: string): string {
  return listeningUrl.replace('//0.0.0.0:', '//localhost:').replace('//[::]:', '//localhost:');
}
