import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenConfig } from '../config/types.js';

/** File in the data directory holding the development token (mode 0600). */
export const DEV_TOKEN_FILE = 'dev-token';

/** The development token and whether this call created it (then, and only then, it is printed). */
export interface DevToken {
  token: TokenConfig;
  created: boolean;
  file: string;
}

/**
 * The development admin token of the embedded default: user `admin` with role `curator`. Created with
 * 32 random bytes on first start and kept in `<dataDir>/dev-token` (readable by the owner only); later
 * starts read it back, so scripts keep working and the token is printed only once.
 *
 * @example
 * const { token, created } = ensureDevToken(config.storage.dataDir);
 * if (created) console.log(`token: ${token.token}`);
 */
export function ensureDevToken(dataDir: string): DevToken {
  const file = join(dataDir, DEV_TOKEN_FILE);
  const user = 'admin';
  const roles = ['curator'];
  const existing = readToken(file);
  if (existing !== undefined) return { token: { token: existing, user, roles }, created: false, file };
  mkdirSync(dataDir, { recursive: true });
  const token = `rk_dev_${randomBytes(32).toString('base64url')}`;
  // `wx`: if another process created it in the meantime, use theirs rather than overwrite it.
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const raced = (e as NodeJS.ErrnoException).code === 'EEXIST' ? readToken(file) : undefined;
    if (raced !== undefined) return { token: { token: raced, user, roles }, created: false, file };
    throw e;
  }
  return { token: { token, user, roles }, created: true, file };
}

function readToken(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!/^[A-Za-z0-9_-]{16,}$/.test(text)) throw new Error(`${file} does not hold a valid token; delete it and restart to create a new one`);
  return text;
}
