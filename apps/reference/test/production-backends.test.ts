// The reference server on PostgreSQL (DATABASE_URL) and on Elasticsearch/OpenSearch (ELASTICSEARCH_URL),
// switched by environment only. The services come from scripts/services/*.sh (scripts/test.mjs starts them
// and passes their URLs); without them these suites are skipped loudly, and with
// RECORDKIT_REQUIRE_SERVICES=1 a missing service is a failure.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withService } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';
import { resolveConfig } from '../src/config/define-config.js';
import { readEnvironment } from '../src/config/environment.js';
import { removeDir, type ServedApp, serve, TOKENS } from './support/serve.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const elasticsearchUrl = process.env.ELASTICSEARCH_URL || process.env.OPENSEARCH_URL || undefined;
for (const [name, url, script] of [
  ['PostgreSQL', databaseUrl, 'postgres.sh'],
  ['Elasticsearch', elasticsearchUrl, 'elasticsearch.sh'],
] as const) {
  if (url) continue;
  if (process.env.RECORDKIT_REQUIRE_SERVICES === '1')
    throw new Error(`${name} is required (RECORDKIT_REQUIRE_SERVICES=1): run scripts/services/${script} up`);
  console.warn(
    `\n!!! @recordkit/reference: ${name} suite SKIPPED: run \`bash scripts/services/${script} up\` and export the URL it prints.\n`,
  );
}

const curator = { Authorization: `Bearer ${TOKENS.curator}` };
const newRecord = (title: string) => ({
  title,
  creators: [{ name: 'Haddad, Leila' }],
  type: 'dataset',
  publication_date: '2022-06-01',
  access: 'public',
  subjects: ['Oceanography'],
});

async function cli(args: string[], env: Record<string, string>, cwd: string) {
  let err = '';
  let out = '';
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await main(args, { stdout, stderr, env, cwd });
  return { code, out, err };
}

describe.runIf(databaseUrl)('on PostgreSQL (DATABASE_URL), search in the data directory', () => {
  const schema = `rk_reference_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'rk-pg-'));
  const env = { DATABASE_URL: databaseUrl!, RECORDKIT_DATABASE_SCHEMA: schema };
  let app: ServedApp;

  beforeAll(async () => {
    app = await serve({ dataDir, env });
  });
  afterAll(async () => {
    await app?.stop();
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    removeDir(dataDir);
  });

  it('does not load demo data or create a development token', () => {
    expect(app.stderr()).not.toContain('first start');
    expect(app.stderr()).not.toContain('development token');
    expect(app.stdout()).toContain('"store":"postgres","search":"sqlite"');
  });

  it('creates, reads, finds, updates and deletes records, and keeps them across a restart', async () => {
    const created = await fetch(`${app.url}/records/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...curator },
      body: JSON.stringify(newRecord('Kelp forest carbon storage')),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(id).toBe('1');
    const found = (await (await fetch(`${app.url}/records/?q=kelp`)).json()) as { hits: { total: number } };
    expect(found.hits.total).toBe(1);
    const patched = await fetch(`${app.url}/records/${id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': '"0"', ...curator },
      body: JSON.stringify({ title: 'Kelp forest carbon storage, revised' }),
    });
    expect(patched.headers.get('etag')).toBe('"1"');

    expect(await app.stop()).toBe(0);
    app = await serve({ dataDir, env });
    const read = await fetch(`${app.url}/records/${id}`);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(((await read.json()) as { metadata: { title: string } }).metadata.title).toBe('Kelp forest carbon storage, revised');
    expect((await (await fetch(`${app.url}/ready`)).json()) as object).toEqual({ status: 'ready', checks: { store: 'ok', search: 'ok' } });

    expect((await fetch(`${app.url}/records/${id}`, { method: 'DELETE', headers: curator })).status).toBe(204);
    expect((await fetch(`${app.url}/records/${id}`)).status).toBe(410);
    expect(((await (await fetch(`${app.url}/records/?q=kelp`)).json()) as { hits: { total: number } }).hits.total).toBe(0);
  });

  it('imports with the CLI and finds store and index in agreement', async () => {
    const loaded = await cli(['demo', '--count', '30'], { ...env, RECORDKIT_DATA_DIR: dataDir }, dataDir);
    expect(loaded.code).toBe(0);
    const check = await cli(['check'], { ...env, RECORDKIT_DATA_DIR: dataDir }, dataDir);
    expect(check.out).toContain('store and index agree');
    expect(check.code).toBe(0);
  });
});

describe.runIf(elasticsearchUrl)('on Elasticsearch/OpenSearch (ELASTICSEARCH_URL)', () => {
  const prefix = `rk-ref-${randomBytes(3).toString('hex')}-`;
  const dataDir = mkdtempSync(join(tmpdir(), 'rk-es-'));
  const env = { ELASTICSEARCH_URL: elasticsearchUrl!, RECORDKIT_INDEX_PREFIX: prefix, RECORDKIT_DATA_DIR: dataDir };
  let app: ServedApp;

  beforeAll(async () => {
    expect((await cli(['demo', '--count', '120'], env, dataDir)).code).toBe(0);
    app = await serve({ dataDir, env, args: ['--no-demo'] });
  });
  afterAll(async () => {
    await app?.stop();
    const config = resolveConfig({}, readEnvironment(env), dataDir);
    await withService(config, {}, async (service) => {
      await service.search!.deleteIndex('records');
    });
    removeDir(dataDir);
  });

  it('searches, facets and sorts on the cluster', async () => {
    expect(app.stdout()).toMatch(/"search":"(elasticsearch|opensearch)"/);
    const page = (await (await fetch(`${app.url}/records/?size=5&sort=title`, { headers: curator })).json()) as {
      hits: { total: number; hits: { metadata: { title: string } }[] };
      aggregations: { type: { buckets: { doc_count: number }[] } };
    };
    expect(page.hits.total).toBe(120);
    const titles = page.hits.hits.map((h) => h.metadata.title);
    expect(titles).toEqual([...titles].sort());
    expect(page.aggregations.type.buckets.reduce((n, b) => n + b.doc_count, 0)).toBe(120);
    const anonymous = (await (await fetch(`${app.url}/records/?size=1`)).json()) as { hits: { total: number } };
    expect(anonymous.hits.total).toBeLessThan(120);
  });

  it('reindexes behind the alias and stays consistent with the store', async () => {
    const reindexed = await cli(['reindex'], env, dataDir);
    expect(reindexed.code).toBe(0);
    expect(reindexed.err).toContain('reindex: 120 records indexed');
    const check = await cli(['check'], env, dataDir);
    expect(check.out).toContain('store and index agree');
    const total = (await (await fetch(`${app.url}/records/?size=1`, { headers: curator })).json()) as { hits: { total: number } };
    expect(total.hits.total).toBe(120);
  });
});
