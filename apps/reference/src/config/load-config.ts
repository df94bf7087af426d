import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './define-config.js';
import type { ReferenceConfig } from './types.js';

/** File names looked for in the working directory when no configuration file is named. */
export const CONFIG_FILE_NAMES = ['recordkit.config.ts', 'recordkit.config.mts', 'recordkit.config.js', 'recordkit.config.mjs'];

/**
 * Load a configuration file (its default export). TypeScript files are loaded by Node's own type
 * stripping (Node 22.18+, 23.6+, 24), so no build step is needed. Without a path, the first of
 * {@link CONFIG_FILE_NAMES} found in `cwd` is used; with none, the default configuration (`{}`).
 *
 * @example
 * const { config, file } = await loadConfigFile(process.env.RECORDKIT_CONFIG);
 */
export async function loadConfigFile(path?: string, cwd = process.cwd()): Promise<{ config: ReferenceConfig; file?: string }> {
  const file = path ? resolve(cwd, path) : CONFIG_FILE_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
  if (!file) return { config: {} };
  if (!existsSync(file)) throw new ConfigError([{ key: 'RECORDKIT_CONFIG', message: `the file ${file} does not exist` }]);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new ConfigError([{ key: file, message: `could not be loaded: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (mod.default === undefined) {
    throw new ConfigError([{ key: file, message: 'has no default export (write `export default defineConfig({ ... })`)' }]);
  }
  return { config: mod.default as ReferenceConfig, file };
}
