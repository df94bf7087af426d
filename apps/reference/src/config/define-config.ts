import { resolve } from 'node:path';
import { resolveEndpoint as serviceResolveEndpoint } from '@recordkit/records-service';
import { Ajv, type ErrorObject } from 'ajv';
import { toServiceEndpoint } from '../records/endpoint.js';
import { configSchema } from './config-schema.js';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultAuthenticatedLimits,
  defaultEndpoint,
  defaultGuestLimits,
} from './default-config.js';
import type { EndpointConfig, JsonObject, JsonValue, ReferenceConfig, ResolvedConfig, ResolvedEndpoint } from './types.js';

/** One problem found in a configuration: the dotted key and what is wrong with it. */
export interface ConfigIssue {
  /** Dotted path of the key (`endpoints.recid.defaultResultsSize`), or the environment variable's name. */
  key: string;
  message: string;
}

/**
 * Thrown at start-up when the configuration or the environment is invalid. The message lists every
 * problem, one per line, each naming its key; nothing is started.
 *
 * @example
 * try { resolveConfig(config) } catch (e) { if (e instanceof ConfigError) console.error(e.message) }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

/**
 * Type a configuration file. Returns its argument unchanged; validation happens when the server or a
 * CLI command starts ({@link resolveConfig}), so a bad key is reported by name before anything runs.
 *
 * @example
 * // recordkit.config.ts
 * import { defineConfig, defaultEndpoint } from '@recordkit/reference';
 * export default defineConfig({
 *   endpoints: { recid: { ...defaultEndpoint, defaultResultsSize: 25 } },
 *   cors: { origins: ['https://app.example.org'] },
 * });
 */
export function defineConfig(config: ReferenceConfig): ReferenceConfig {
  return config;
}

/** Values taken from the environment; they win over the configuration file. */
export interface EnvironmentOverrides {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  redisUrl?: string;
  baseUrl?: string;
  cursorSecret?: string;
  databaseSchema?: string;
  indexPrefix?: string;
  tokens?: { token: string; user: string; roles: string[] }[];
  corsOrigins?: '*' | string[];
  logLevel?: NonNullable<ReferenceConfig['logging']>['level'];
}

let validateSchema: ReturnType<Ajv['compile']> | undefined;

/**
 * Validate a configuration and fill every default; environment overrides (see `readEnvironment`) win
 * over the file. Throws {@link ConfigError} listing every bad key.
 *
 * @example
 * const config = resolveConfig(defineConfig({}), readEnvironment(process.env));
 * config.server.port; // 5000, or $PORT
 */
export function resolveConfig(input: ReferenceConfig = {}, env: EnvironmentOverrides = {}, cwd = process.cwd()): ResolvedConfig {
  validateSchema ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(configSchema);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError([
      { key: '(root)', message: 'the configuration must be an object (did the file `export default defineConfig({...})`?)' },
    ]);
  }
  if (!validateSchema(input)) throw new ConfigError(schemaIssues(validateSchema.errors ?? []));

  const issues: ConfigIssue[] = [];
  const endpointInputs = input.endpoints ?? { recid: defaultEndpoint };
  const endpoints = Object.entries(endpointInputs).map(([name, e]) => resolveEndpoint(name, e, issues));
  checkEndpointsTogether(endpoints, issues);
  if (issues.length === 0) checkWithPackages(endpoints, issues);

  const tokens = [...(input.identity?.tokens ?? []), ...(env.tokens ?? [])].map((t) => ({
    token: t.token,
    user: t.user,
    roles: t.roles ?? [],
  }));
  const seen = new Set<string>();
  tokens.forEach((t, i) => {
    if (seen.has(t.token))
      issues.push({ key: `identity.tokens[${i}].token`, message: `the same token is configured twice (user "${t.user}")` });
    seen.add(t.token);
  });

  const corsInput = input.cors ?? {};
  const cors =
    corsInput === false
      ? (false as const)
      : {
          origins: env.corsOrigins ?? corsInput.origins ?? '*',
          credentials: corsInput.credentials ?? false,
          maxAge: corsInput.maxAge ?? 600,
        };
  if (cors !== false && cors.credentials && cors.origins === '*') {
    issues.push({
      key: 'cors.credentials',
      message: 'credentials cannot be allowed with origins "*" (the Fetch standard forbids it); list the origins',
    });
  }

  const server = {
    port: env.port ?? input.server?.port ?? DEFAULT_PORT,
    host: env.host ?? input.server?.host ?? DEFAULT_HOST,
    bodyLimit: input.server?.bodyLimit ?? 10 * 1024 * 1024,
    headersTimeout: input.server?.headersTimeout ?? 10_000,
    requestTimeout: input.server?.requestTimeout ?? 30_000,
    keepAliveTimeout: input.server?.keepAliveTimeout ?? 5_000,
    shutdownTimeout: input.server?.shutdownTimeout ?? 10_000,
    trustProxy: input.server?.trustProxy ?? false,
    ...((env.cursorSecret ?? input.server?.cursorSecret) ? { cursorSecret: (env.cursorSecret ?? input.server?.cursorSecret)! } : {}),
    ...((env.baseUrl ?? input.server?.baseUrl) ? { baseUrl: (env.baseUrl ?? input.server?.baseUrl)!.replace(/\/+$/, '') } : {}),
  };
  if (server.requestTimeout !== 0 && server.headersTimeout > server.requestTimeout) {
    issues.push({ key: 'server.headersTimeout', message: `must not exceed server.requestTimeout (${server.requestTimeout} ms)` });
  }

  const rateLimitInput = input.rateLimit ?? {};
  const redisUrl = env.redisUrl ?? (rateLimitInput === false ? undefined : rateLimitInput.redisUrl);
  const rateLimit =
    rateLimitInput === false
      ? (false as const)
      : {
          guest: rateLimitInput.guest ?? defaultGuestLimits,
          authenticated: rateLimitInput.authenticated ?? defaultAuthenticatedLimits,
          keyPrefix: rateLimitInput.keyPrefix ?? 'recordkit-rl',
          ...(redisUrl ? { redisUrl } : {}),
        };
  if (rateLimit) {
    for (const kind of ['guest', 'authenticated'] as const) {
      const names = rateLimit[kind].map((r) => r.name);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) issues.push({ key: `rateLimit.${kind}`, message: `policy name "${dup}" is used twice` });
    }
  }

  if (issues.length) throw new ConfigError(issues);

  const databaseUrl = env.databaseUrl ?? input.storage?.databaseUrl;
  const elasticsearchUrl = env.elasticsearchUrl ?? input.storage?.elasticsearchUrl;
  return {
    endpoints,
    server,
    storage: {
      dataDir: resolve(cwd, env.dataDir ?? input.storage?.dataDir ?? DEFAULT_DATA_DIR),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(elasticsearchUrl ? { elasticsearchUrl } : {}),
      databaseSchema: env.databaseSchema ?? input.storage?.databaseSchema ?? 'recordkit',
      indexPrefix: env.indexPrefix ?? input.storage?.indexPrefix ?? '',
    },
    identity: { tokens, devToken: input.identity?.devToken ?? true },
    cors,
    rateLimit,
    errors: { format: input.errors?.format ?? 'invenio' },
    logging: { level: env.logLevel ?? input.logging?.level ?? 'info' },
    openapi: {
      title: input.openapi?.title ?? 'RecordKit reference server',
      version: input.openapi?.version ?? '1.0.0',
      description:
        input.openapi?.description ??
        'REST API over JSON records with persistent identifiers and faceted search, compatible with Invenio-Records-REST.',
    },
  };
}

function resolveEndpoint(name: string, e: EndpointConfig, issues: ConfigIssue[]): ResolvedEndpoint {
  const at = (key: string) => `endpoints.${name}.${key}`;
  const fields = mappingFields(e.mapping);
  if (fields.size === 0) issues.push({ key: at('mapping'), message: 'has no properties (expected { mappings: { properties: {...} } })' });
  const checkField = (key: string, field: string, allowed: (type: string) => string | undefined) => {
    const type = fields.get(field);
    if (type === undefined) issues.push({ key: at(key), message: `"${field}" is not a field of the mapping` });
    else {
      const problem = allowed(type);
      if (problem) issues.push({ key: at(key), message: `"${field}" is a ${type} field; ${problem}` });
    }
  };
  const aggregatable = (type: string) =>
    type === 'text' || type === 'completion' || type === 'object' || type === 'nested'
      ? 'facets need a keyword, numeric, date or boolean field'
      : undefined;

  const sortOptions = e.sortOptions ?? {};
  for (const [key, option] of Object.entries(sortOptions)) {
    option.fields.forEach((f, i) => {
      if (typeof f !== 'string') return;
      const field = f.replace(/^-/, '');
      if (field === '_score' || field === '_doc') return;
      checkField(`sortOptions.${key}.fields[${i}]`, field, (type) =>
        type === 'text' ? 'text fields cannot be sorted on; use a keyword sub-field' : undefined,
      );
    });
  }
  const defaultSort = e.defaultSort ?? {};
  for (const which of ['query', 'noquery'] as const) {
    const option = defaultSort[which]?.replace(/^-/, '');
    if (option !== undefined && !(option in sortOptions)) {
      issues.push({
        key: at(`defaultSort.${which}`),
        message: `"${option}" is not one of sortOptions (${Object.keys(sortOptions).join(', ') || 'none'})`,
      });
    }
  }
  const facets = e.facets ?? {};
  for (const [agg, definition] of Object.entries(facets.aggs ?? {})) {
    const field = (definition as { terms?: { field?: unknown } }).terms?.field;
    if (typeof field === 'string') checkField(`facets.aggs.${agg}.terms.field`, field, aggregatable);
  }
  for (const kind of ['filters', 'postFilters'] as const) {
    for (const [param, spec] of Object.entries(facets[kind] ?? {})) {
      if (typeof spec === 'function') continue;
      if (typeof spec.field === 'string') checkField(`facets.${kind}.${param}.field`, spec.field, aggregatable);
      if (RESERVED_PARAMETERS.has(param))
        issues.push({ key: at(`facets.${kind}.${param}`), message: `"${param}" is a reserved query parameter` });
    }
  }
  for (const [param, suggester] of Object.entries(e.suggesters ?? {})) {
    if (fields.get(suggester.completion.field) !== 'completion') {
      issues.push({
        key: at(`suggesters.${param}.completion.field`),
        message: `"${suggester.completion.field}" is not a completion field of the mapping`,
      });
    }
  }
  (e.queryFields ?? []).forEach((f, i) => {
    const field = f.replace(/\^[\d.]+$/, '');
    if (!fields.has(field) && !field.includes('*'))
      issues.push({ key: at(`queryFields[${i}]`), message: `"${field}" is not a field of the mapping` });
  });
  const pidMinter = e.pidMinter ?? 'recid';
  const pidField = e.pidField ?? 'control_number';
  if (pidMinter === 'recid' && fields.size > 0 && !fields.has(pidField)) {
    issues.push({ key: at('pidField'), message: `"${pidField}" is not a field of the mapping (the recid minter stores the PID there)` });
  }
  const ownerField = e.ownerField ?? 'owner';
  const accessField = e.accessField ?? 'access';
  if ((e.permissions ?? 'reference') === 'reference') {
    for (const [key, field] of [
      ['ownerField', ownerField],
      ['accessField', accessField],
    ] as const) {
      if (fields.size > 0 && fields.get(field) !== 'keyword') {
        issues.push({
          key: at(key),
          message: `"${field}" must be a keyword field of the mapping (the reference policy filters searches on it)`,
        });
      }
    }
  }

  return {
    name,
    pidType: e.pidType,
    pidMinter,
    pidField,
    listRoute: e.listRoute,
    itemRoute: e.itemRoute,
    searchIndex: e.searchIndex ?? name,
    ...(e.schema ? { schema: e.schema } : {}),
    mapping: e.mapping,
    defaultMediaType: e.defaultMediaType ?? 'application/json',
    recordSerializersAliases: e.recordSerializersAliases ?? { json: 'application/json' },
    searchSerializersAliases: e.searchSerializersAliases ?? { json: 'application/json' },
    exportSerializersAliases: e.exportSerializersAliases ?? { ndjson: 'application/x-ndjson', csv: 'text/csv' },
    defaultResultsSize: e.defaultResultsSize ?? 10,
    maxResultWindow: e.maxResultWindow ?? 10000,
    maxResultsSize: e.maxResultsSize ?? 1000,
    ...(e.queryFields ? { queryFields: e.queryFields } : {}),
    ...(e.queryDefaultOperator ? { queryDefaultOperator: e.queryDefaultOperator } : {}),
    sortOptions,
    defaultSort,
    facets,
    suggesters: e.suggesters ?? {},
    useOptionsView: e.useOptionsView ?? true,
    requireIfMatch: e.requireIfMatch ?? false,
    strictParameters: e.strictParameters ?? false,
    ...(e.csvColumns ? { csvColumns: e.csvColumns } : {}),
    permissions: e.permissions ?? 'reference',
    ownerField,
    accessField,
    curatorRole: e.curatorRole ?? 'curator',
    service: e.service ?? {},
  };
}

/**
 * Build each endpoint the way the server will (records-service's own validation, which also builds its
 * query builder, facets and sort options), so a problem they find is reported by key like the others.
 */
function checkWithPackages(endpoints: ResolvedEndpoint[], issues: ConfigIssue[]): void {
  for (const endpoint of endpoints) {
    try {
      serviceResolveEndpoint(endpoint.name, toServiceEndpoint(endpoint));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const match = /^(endpoints\.[^:]+): (.*)$/s.exec(message);
      issues.push(match ? { key: match[1]!, message: match[2]! } : { key: `endpoints.${endpoint.name}`, message });
    }
  }
}

/** Query parameters the server itself reads; a facet cannot take one of these names. */
const RESERVED_PARAMETERS = new Set(['q', 'page', 'from', 'size', 'sort', 'format', 'prettyprint', 'facets', 'cursor']);

function checkEndpointsTogether(endpoints: ResolvedEndpoint[], issues: ConfigIssue[]): void {
  const byRoute = new Map<string, string>();
  const byPidType = new Map<string, string>();
  for (const e of endpoints) {
    const itemPrefix = e.itemRoute.slice(0, e.itemRoute.indexOf(':pid'));
    for (const [route, key] of [
      [e.listRoute, 'listRoute'],
      [`item:${itemPrefix}`, 'itemRoute'],
    ] as const) {
      const other = byRoute.get(route);
      if (other)
        issues.push({
          key: `endpoints.${e.name}.${key}`,
          message: `"${route.replace(/^item:/, '')}" is already used by endpoint "${other}"`,
        });
      byRoute.set(route, e.name);
    }
    const other = byPidType.get(e.pidType);
    if (other) issues.push({ key: `endpoints.${e.name}.pidType`, message: `"${e.pidType}" is already served by endpoint "${other}"` });
    byPidType.set(e.pidType, e.name);
  }
}

/**
 * Every field path of an Elasticsearch mapping with its type, multi-fields included (`title.raw`).
 *
 * @example
 * mappingFields(demoMapping).get('title.raw'); // 'keyword'
 */
export function mappingFields(mapping: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  const root = (isObject(mapping.mappings) ? mapping.mappings.properties : mapping.properties) as JsonValue | undefined;
  const walk = (properties: JsonValue | undefined, prefix: string) => {
    if (!isObject(properties)) return;
    for (const [key, def] of Object.entries(properties)) {
      if (!isObject(def)) continue;
      const path = prefix + key;
      const type = typeof def.type === 'string' ? def.type : 'object';
      out.set(path, type);
      if (isObject(def.properties)) walk(def.properties, `${path}.`);
      if (isObject(def.fields)) {
        for (const [sub, subDef] of Object.entries(def.fields)) {
          if (isObject(subDef) && typeof subDef.type === 'string') out.set(`${path}.${sub}`, subDef.type);
        }
      }
    }
  };
  walk(root, '');
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function schemaIssues(errors: ErrorObject[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const keyOf = (e: ErrorObject) =>
    e.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
      .join('') || '(root)';
  // `anyOf` branches (`false` or an object) report one error per branch; keep the informative ones.
  const informative = errors.filter(
    (e) =>
      !(
        (e.keyword === 'const' || e.keyword === 'anyOf') &&
        errors.some((o) => o !== e && o.keyword !== 'const' && o.keyword !== 'anyOf' && o.instancePath.startsWith(e.instancePath))
      ),
  );
  for (const e of informative) {
    const key = keyOf(e);
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const near = closest(extra, known);
      issues.push({
        key: key === '(root)' ? extra : `${key}.${extra}`,
        message: `unknown key${near ? ` (did you mean "${near}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
      });
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      issues.push({ key: key === '(root)' ? missing : `${key}.${missing}`, message: 'is required' });
    } else if (e.keyword === 'enum') {
      issues.push({
        key,
        message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}`,
      });
    } else if (e.keyword === 'pattern') {
      issues.push({ key, message: `${JSON.stringify(e.data)} does not match ${describePattern(e.schema as string)}` });
    } else if (e.keyword === 'propertyNames') {
    } else {
      issues.push({
        key,
        message: `${e.message ?? 'is invalid'}${e.data !== undefined && typeof e.data !== 'object' ? `, got ${JSON.stringify(e.data)}` : ''}`,
      });
    }
  }
  return dedupe(issues);
}

function describePattern(pattern: string): string {
  const known: Record<string, string> = {
    '^/([A-Za-z0-9._~-]+/)+$': 'a path starting and ending with "/" (e.g. "/records/")',
    '^/([A-Za-z0-9._~-]+/)*:pid$': 'a path ending with ":pid" (e.g. "/records/:pid")',
    '^postgres(ql)?://': 'a postgres:// URL',
    '^https?://': 'an http:// or https:// URL',
    '^rediss?://': 'a redis:// URL',
    '^https?://[^/]+$': 'an origin (scheme://host[:port], e.g. "https://app.example.org")',
  };
  return known[pattern] ?? `the pattern ${pattern}`;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.key}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
