// Shared by the integration suites: which real engines are running (the URLs the service scripts
// print), a unique index prefix per suite so runs sharing an engine never see each other's indices, and
// the loud skip (or failure, under RECORDKIT_REQUIRE_SERVICES=1) when an engine is missing.
import { randomBytes } from 'node:crypto';
import { type Distribution, ElasticsearchSearchEngine, type ElasticsearchSearchEngineOptions } from '../src/index.js';

/** One real engine the suites run against. */
export interface EngineUnderTest {
  label: string;
  distribution: Distribution;
  url: string | undefined;
  variable: string;
  script: string;
  /** Required when RECORDKIT_REQUIRE_SERVICES=1 (the test command under CI=true). */
  required: boolean;
}

const env = (name: string) => process.env[name] || undefined;

export const ENGINES: EngineUnderTest[] = [
  {
    label: 'Elasticsearch',
    distribution: 'elasticsearch',
    url: env('ELASTICSEARCH_URL'),
    variable: 'ELASTICSEARCH_URL',
    script: 'bash scripts/services/elasticsearch.sh up',
    required: true,
  },
  {
    label: 'OpenSearch',
    distribution: 'opensearch',
    url: env('OPENSEARCH_URL'),
    variable: 'OPENSEARCH_URL',
    script: 'bash scripts/services/opensearch.sh up',
    required: true,
  },
  {
    label: 'OpenSearch 2',
    distribution: 'opensearch',
    url: env('OPENSEARCH2_URL'),
    variable: 'OPENSEARCH2_URL',
    script: 'bash scripts/services/opensearch.sh up',
    required: true,
  },
];

const requireServices = process.env.RECORDKIT_REQUIRE_SERVICES === '1';
for (const engine of ENGINES) {
  if (engine.url) continue;
  if (engine.required && requireServices) {
    throw new Error(
      `${engine.label} is required (RECORDKIT_REQUIRE_SERVICES=1) but ${engine.variable} is not set: run \`${engine.script}\` and export the URL it prints.`,
    );
  }
  const level = engine.required ? '!!!' : '(optional)';
  console.warn(
    `\n${level} @recordkit/elasticsearch: ${engine.label} suites SKIPPED: ${engine.variable} is not set. Start it with \`${engine.script}\` and export the URL it prints.\n`,
  );
}

/** A prefix no other suite or run uses: `rk-<label>-<pid>-<random>-`. */
export function uniquePrefix(label: string): string {
  return `rk-${label}-${process.pid}-${randomBytes(3).toString('hex')}-`;
}

/** An engine on `target` with a fresh prefix and test-friendly index settings (no replicas on one node). */
export function engineFor(
  target: EngineUnderTest,
  label: string,
  options: Partial<ElasticsearchSearchEngineOptions> = {},
): ElasticsearchSearchEngine {
  return new ElasticsearchSearchEngine({
    node: target.url,
    distribution: target.distribution,
    prefix: uniquePrefix(label),
    indexSettings: { number_of_shards: 1, number_of_replicas: 0 },
    ...options,
  });
}

/** The rejection of a promise (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Delete every index whose name starts with the engine's prefix (by name: wildcard deletes may be refused). */
export async function dropAll(engine: ElasticsearchSearchEngine): Promise<void> {
  const found = await engine.client.transport.request<Record<string, unknown>>({
    method: 'GET',
    path: `/${engine.prefix}*/_alias`,
    querystring: { allow_no_indices: 'true', expand_wildcards: 'all' },
  });
  const names = Object.keys(found ?? {});
  if (names.length > 0) await engine.client.transport.request({ method: 'DELETE', path: `/${names.join(',')}` });
}

/** Physical indices and aliases under the engine's prefix: `{ physicalName: [aliases] }`. */
export async function physicalIndices(engine: ElasticsearchSearchEngine): Promise<Record<string, string[]>> {
  const found = await engine.client.transport.request<Record<string, { aliases?: Record<string, unknown> }>>({
    method: 'GET',
    path: `/${engine.prefix}*/_alias`,
    querystring: { allow_no_indices: 'true', expand_wildcards: 'all' },
  });
  return Object.fromEntries(Object.entries(found ?? {}).map(([name, value]) => [name, Object.keys(value.aliases ?? {}).sort()]));
}
