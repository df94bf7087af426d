import { ConfigError, type ConfigIssue, type EnvironmentOverrides } from './define-config.js';

/**
 * The environment variables the server reads, with what each one does. The README's configuration
 * reference is generated from the same list's wording.
 */
export const ENVIRONMENT_VARIABLES = {
  PORT: 'port to listen on (default 5000; 0 picks a free port)',
  HOST: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)',
  RECORDKIT_CONFIG:
    'path of the configuration file (default: recordkit.config.ts, .mts, .js or .mjs in the working directory, when present)',
  RECORDKIT_DATA_DIR: 'directory of the embedded SQLite database and the development token (default ./.data)',
  RECORDKIT_BASE_URL: 'absolute base URL for links and Location, when the server is behind a proxy (default: from the Host header)',
  RECORDKIT_TOKENS: 'bearer tokens: <token>:<user>:<role>+<role>,... (e.g. s3cret-token-1:alice:curator)',
  RECORDKIT_CORS_ORIGINS: 'allowed CORS origins: * or a comma-separated list of origins',
  RECORDKIT_CURSOR_SECRET: 'key that signs search cursors, the same for every server process (default: random per process)',
  DATABASE_URL: 'PostgreSQL connection string: the record store moves to PostgreSQL',
  ELASTICSEARCH_URL: 'Elasticsearch or OpenSearch URL: search moves there',
  RECORDKIT_DATABASE_SCHEMA: 'PostgreSQL schema of the tables (default recordkit)',
  RECORDKIT_INDEX_PREFIX: 'prefix of the index names on Elasticsearch/OpenSearch (default none)',
  REDIS_URL: 'Redis URL: rate-limit counters are shared by every server process',
  LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace or silent',
} as const;

/**
 * Read the server's environment variables, checking each one. Throws a {@link ConfigError} naming the
 * variable (never echoing a token) when one is malformed.
 *
 * @example
 * const config = resolveConfig(fileConfig, readEnvironment(process.env));
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentOverrides {
  const issues: ConfigIssue[] = [];
  const out: EnvironmentOverrides = {};
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const port = value('PORT');
  if (port !== undefined) {
    const n = Number(port);
    if (/^\d+$/.test(port) && n <= 65535) out.port = n;
    else issues.push({ key: 'PORT', message: `must be an integer from 0 to 65535, got ${JSON.stringify(port)}` });
  }
  const host = value('HOST');
  if (host !== undefined) out.host = host;
  const dataDir = value('RECORDKIT_DATA_DIR');
  if (dataDir !== undefined) out.dataDir = dataDir;
  const baseUrl = value('RECORDKIT_BASE_URL');
  if (baseUrl !== undefined) {
    if (/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(baseUrl)) out.baseUrl = baseUrl;
    else
      issues.push({ key: 'RECORDKIT_BASE_URL', message: `must be an absolute http(s) URL without query, got ${JSON.stringify(baseUrl)}` });
  }
  const cursorSecret = value('RECORDKIT_CURSOR_SECRET');
  if (cursorSecret !== undefined) {
    if (cursorSecret.length >= 16) out.cursorSecret = cursorSecret;
    else issues.push({ key: 'RECORDKIT_CURSOR_SECRET', message: 'must be at least 16 characters' });
  }
  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined) {
    if (/^postgres(ql)?:\/\//.test(databaseUrl)) out.databaseUrl = databaseUrl;
    else issues.push({ key: 'DATABASE_URL', message: 'must be a postgres:// or postgresql:// URL' });
  }
  const elasticsearchUrl = value('ELASTICSEARCH_URL');
  if (elasticsearchUrl !== undefined) {
    if (/^https?:\/\//.test(elasticsearchUrl)) out.elasticsearchUrl = elasticsearchUrl;
    else issues.push({ key: 'ELASTICSEARCH_URL', message: 'must be an http:// or https:// URL' });
  }
  const databaseSchema = value('RECORDKIT_DATABASE_SCHEMA');
  if (databaseSchema !== undefined) {
    if (/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) out.databaseSchema = databaseSchema;
    else
      issues.push({
        key: 'RECORDKIT_DATABASE_SCHEMA',
        message: 'must be a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)',
      });
  }
  const indexPrefix = value('RECORDKIT_INDEX_PREFIX');
  if (indexPrefix !== undefined) {
    if (/^[a-z0-9._-]*$/.test(indexPrefix)) out.indexPrefix = indexPrefix;
    else issues.push({ key: 'RECORDKIT_INDEX_PREFIX', message: 'must use a-z, 0-9, ., _ and - only' });
  }
  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined) {
    if (/^rediss?:\/\//.test(redisUrl)) out.redisUrl = redisUrl;
    else issues.push({ key: 'REDIS_URL', message: 'must be a redis:// or rediss:// URL' });
  }
  const tokens = value('RECORDKIT_TOKENS');
  if (tokens !== undefined) {
    try {
      out.tokens = parseTokens(tokens);
    } catch (e) {
      if (e instanceof ConfigError) issues.push(...e.issues);
      else throw e;
    }
  }
  const origins = value('RECORDKIT_CORS_ORIGINS');
  if (origins !== undefined) {
    if (origins === '*') out.corsOrigins = '*';
    else {
      const list = origins.split(',').map((o) => o.trim().replace(/\/+$/, ''));
      const bad = list.find((o) => !/^https?:\/\/[^/]+$/.test(o));
      if (bad === undefined) out.corsOrigins = list;
      else issues.push({ key: 'RECORDKIT_CORS_ORIGINS', message: `${JSON.stringify(bad)} is not an origin (scheme://host[:port])` });
    }
  }
  const level = value('LOG_LEVEL');
  if (level !== undefined) {
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
    const found = levels.find((l) => l === level.toLowerCase());
    if (found) out.logLevel = found;
    else issues.push({ key: 'LOG_LEVEL', message: `must be one of ${levels.join(', ')}, got ${JSON.stringify(level)}` });
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}

/**
 * Parse `RECORDKIT_TOKENS`: comma-separated `<token>:<user>:<role>+<role>` entries (roles optional).
 * Errors name the entry by position and never contain the token.
 *
 * @example
 * parseTokens('s3cret-token-1:alice:curator+admin,guest-token-22:bob');
 * // [{ token: 's3cret-token-1', user: 'alice', roles: ['curator', 'admin'] }, { token: 'guest-token-22', user: 'bob', roles: [] }]
 */
export function parseTokens(text: string): { token: string; user: string; roles: string[] }[] {
  const issues: ConfigIssue[] = [];
  const tokens: { token: string; user: string; roles: string[] }[] = [];
  text.split(',').forEach((raw, i) => {
    const entry = raw.trim();
    const where = `RECORDKIT_TOKENS (entry ${i + 1})`;
    if (entry === '') {
      issues.push({ key: where, message: 'is empty (remove the extra comma)' });
      return;
    }
    const parts = entry.split(':');
    if (parts.length < 2 || parts.length > 3) {
      issues.push({ key: where, message: 'must be <token>:<user>:<role>+<role> (roles optional)' });
      return;
    }
    const [token = '', user = '', roles = ''] = parts;
    if (!/^[A-Za-z0-9._~+/=-]{8,}$/.test(token)) {
      issues.push({ key: where, message: 'the token must be at least 8 characters of A-Z a-z 0-9 . _ ~ + / = -' });
      return;
    }
    if (!/^[A-Za-z0-9._@-]+$/.test(user)) {
      issues.push({ key: where, message: `the user ${JSON.stringify(user)} must be non-empty and use A-Z a-z 0-9 . _ @ -` });
      return;
    }
    const roleList = roles === '' ? [] : roles.split('+');
    const badRole = roleList.find((r) => !/^[A-Za-z0-9._-]+$/.test(r));
    if (badRole !== undefined) {
      issues.push({ key: where, message: `the role ${JSON.stringify(badRole)} must be non-empty and use A-Z a-z 0-9 . _ -` });
      return;
    }
    tokens.push({ token, user, roles: roleList });
  });
  if (issues.length) throw new ConfigError(issues);
  return tokens;
}
