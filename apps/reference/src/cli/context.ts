import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { RecordsService } from '@recordkit/records-service';
import { resolveConfig } from '../config/define-config.js';
import { readEnvironment } from '../config/environment.js';
import { loadConfigFile } from '../config/load-config.js';
import type { ReferenceConfig, ResolvedConfig } from '../config/types.js';
import { type Backends, type OpenBackendsOptions, openBackends } from '../records/backends.js';
import { toServiceEndpoint } from '../records/endpoint.js';

/** Where the CLI writes: data to `stdout`, messages for people to `stderr`. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT); `serve` then shuts down gracefully. */
  stopSignal?: Promise<string>;
}

/** Thrown for a wrong command line; exit code 2 with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parsed options: strings, booleans, and the positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse a command's arguments strictly (`--config` is accepted everywhere); unknown options are a {@link UsageError}. */
export function parse(args: readonly string[], options: ParseArgsOptionsConfig, positionals = 0): ParsedArgs {
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

/** A string option's value. */
export const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** An integer option's value, checked. */
export function integerOption(value: string | boolean | undefined, name: string, min: number): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return Number(value);
}

/** The configuration file as written and the configuration resolved with the environment. */
export interface LoadedConfig {
  file: ReferenceConfig;
  config: ResolvedConfig;
}

/** Load the configuration file (`--config`, `$RECORDKIT_CONFIG` or `recordkit.config.*`) and resolve it with the environment. */
export async function loadConfig(
  configPath: string | undefined,
  io: CliIO,
  overrides: { port?: number; host?: string } = {},
): Promise<LoadedConfig> {
  const env = readEnvironment(io.env);
  const { config: file } = await loadConfigFile(configPath ?? io.env.RECORDKIT_CONFIG, io.cwd);
  return { file, config: resolveConfig(file, { ...env, ...overrides }, io.cwd) };
}

/** The endpoint a command works on: `--endpoint NAME`, or the only one. */
export function pickEndpoint(config: ResolvedConfig, name: string | undefined): string {
  if (name !== undefined) {
    if (!config.endpoints.some((e) => e.name === name)) {
      throw new UsageError(`unknown endpoint "${name}" (configured: ${config.endpoints.map((e) => e.name).join(', ')})`);
    }
    return name;
  }
  if (config.endpoints.length > 1) {
    throw new UsageError(
      `several endpoints are configured (${config.endpoints.map((e) => e.name).join(', ')}); choose one with --endpoint`,
    );
  }
  return config.endpoints[0]!.name;
}

/**
 * A records service over the configured backends for a command-line job, closed afterwards. Its
 * links use `server.baseUrl` (or the configured host and port).
 */
export async function withService<T>(
  config: ResolvedConfig,
  options: OpenBackendsOptions,
  job: (service: RecordsService, backends: Backends) => Promise<T>,
): Promise<T> {
  const backends = await openBackends(config, options);
  try {
    const service = new RecordsService({
      store: backends.store,
      search: backends.search,
      baseUrl: config.server.baseUrl ?? `http://${config.server.host}:${config.server.port}`,
      endpoints: Object.fromEntries(
        config.endpoints.map((e) => [
          e.name,
          toServiceEndpoint(e, config.server.cursorSecret ? { cursorSecret: config.server.cursorSecret } : {}),
        ]),
      ),
    });
    await service.setup();
    return await job(service, backends);
  } finally {
    await backends.close();
  }
}
