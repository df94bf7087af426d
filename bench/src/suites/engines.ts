// Engine comparisons, each behind an availability check: the embedded default against PostgreSQL
// (DATABASE_URL) for import, and against Elasticsearch (ELASTICSEARCH_URL) for import and the search
// scenario. Without the variable, or when the reference server cannot use the engine yet, the row is
// skipped with a line saying why. The bench writes into a schema (`bench_<run>`) and indices
// (`bench-<run>-*`) of its own, so it never meets a test's data or an earlier run's, and drops them
// when it is done (the schema through psql, when psql is installed).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataset } from '../lib/datasets.ts';
import { type LoadOptions, runScenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { DATA_ROOT, searchUnavailable, startReference } from '../lib/reference.ts';
import { searchQueries } from '../lib/reference-scenarios.ts';
import { search } from '../lib/scenarios.ts';
import { type Row, report } from '../report.ts';

interface Engine {
  name: string;
  variable: 'DATABASE_URL' | 'ELASTICSEARCH_URL' | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * Run the engine comparisons; returns the saved JSON path. The suite is named after the engines it
 * compared (`engines-elasticsearch`, `engines-postgres`, both, or `engines` when none was configured), so
 * runs against one engine do not overwrite the figures of another.
 */
export async function enginesSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log('\n# engines: embedded default against PostgreSQL and Elasticsearch');
  const notes = [pinning.description];
  const rows: Row[] = [];
  const pg = process.env.DATABASE_URL?.trim();
  const es = process.env.ELASTICSEARCH_URL?.trim();
  const suite = ['engines', ...(pg ? ['postgres'] : []), ...(es ? ['elasticsearch'] : [])].join('-');
  const why = await searchUnavailable();
  if (why) {
    notes.push(`engine comparisons: skipped, the reference server's search is not available: ${why}`);
    return report(suite, rows, notes, { pinning });
  }
  const engines: Engine[] = [{ name: 'embedded (SQLite)', variable: undefined, env: {} }];
  const run = Date.now().toString(36);
  const schema = `bench_${run}`;
  const prefix = `bench-${run}-`;
  if (pg) {
    engines.push({
      name: 'PostgreSQL store + embedded search',
      variable: 'DATABASE_URL',
      env: { DATABASE_URL: pg, RECORDKIT_DATABASE_SCHEMA: schema },
    });
  } else notes.push('PostgreSQL: skipped, DATABASE_URL is not set (bash scripts/services/postgres.sh up prints one)');
  if (es) {
    engines.push({
      name: 'embedded store + Elasticsearch',
      variable: 'ELASTICSEARCH_URL',
      env: { ELASTICSEARCH_URL: es, RECORDKIT_INDEX_PREFIX: prefix },
    });
  } else notes.push('Elasticsearch: skipped, ELASTICSEARCH_URL is not set (bash scripts/services/elasticsearch.sh up prints one)');
  for (const note of notes.slice(1)) console.log(note);
  if (engines.length === 1) return report(suite, rows, notes, { pinning });

  const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup };
  const [embedded] = engines;
  try {
    await compare(engines, embedded, options, load, rows, notes);
  } finally {
    if (pg) dropSchema(pg, schema, notes);
    if (es) await dropIndices(es, prefix, notes);
    // Their local halves are useless without what was just dropped (and never reused).
    for (const engine of engines) {
      if (engine.variable) rmSync(join(DATA_ROOT, `${engine.variable.toLowerCase()}-${options.records}`), { recursive: true, force: true });
    }
  }
  notes.push(
    `Same dataset (${options.records.toLocaleString('en-US')} demo records), same search scenario, connections and duration on every engine. ` +
      'The services themselves are not pinned: on a 2-core machine they share the cores with the server and the load generator.',
  );
  return report(suite, rows, notes, { records: options.records, pinning, engines: engines.map((e) => e.name) });
}

function dropSchema(url: string, schema: string, notes: string[]): void {
  const r = spawnSync('psql', [url, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { encoding: 'utf8' });
  if (r.status !== 0)
    notes.push(`PostgreSQL: could not drop the bench schema ${schema} (${r.error?.message ?? r.stderr.trim()}); drop it by hand`);
}

/** Delete the bench's indices by name (clusters refuse wildcard deletes by default). */
async function dropIndices(url: string, prefix: string, notes: string[]): Promise<void> {
  const base = url.replace(/\/$/, '');
  try {
    const listed = await fetch(`${base}/_cat/indices/${prefix}*?format=json&h=index`);
    if (!listed.ok) throw new Error(`listing: ${listed.status} ${await listed.text()}`);
    for (const { index } of (await listed.json()) as { index: string }[]) {
      if (!index.startsWith(prefix)) continue;
      const r = await fetch(`${base}/${encodeURIComponent(index)}`, { method: 'DELETE' });
      if (!r.ok && r.status !== 404) throw new Error(`${index}: ${r.status} ${await r.text()}`);
    }
  } catch (e) {
    notes.push(`Elasticsearch: could not delete the bench indices ${prefix}* (${(e as Error).message}); delete them by hand`);
  }
}

async function compare(
  engines: Engine[],
  embedded: Engine | undefined,
  options: BenchOptions,
  load: LoadOptions,
  rows: Row[],
  notes: string[],
): Promise<void> {
  for (const engine of engines) {
    let loaded: Awaited<ReturnType<typeof dataset>>;
    try {
      loaded = await dataset(options.records, {
        reuse: options.reuseData,
        env: engine.env,
        ...(engine.variable ? { name: `${engine.variable.toLowerCase()}-${options.records}` } : {}),
      });
    } catch (e) {
      const line = `${engine.name}: skipped, loading the dataset failed: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`;
      notes.push(line);
      console.log(line);
      continue;
    }
    if (loaded.load) {
      rows.push({
        name: `import: ${engine.name}`,
        ...(engine !== embedded && embedded ? { baseline: `import: ${embedded.name}` } : {}),
        opsPerSec: loaded.load.cliRecordsPerSec ?? loaded.load.recordsPerSec,
        extra: loaded.load.peakRssMiB !== undefined ? { peakRssMiB: Math.round(loaded.load.peakRssMiB) } : {},
      });
    }
    const server = await startReference({ dataDir: loaded.dir, env: engine.env });
    try {
      // One connection compares the engines' service times; --connections their throughput.
      for (const connections of [...new Set([1, load.connections])]) {
        const result = await runScenario(server.url, search(searchQueries()), { ...load, connections }, server.pid);
        const name = (e: Engine) => `search: ${e.name}, ${connections} connection${connections === 1 ? '' : 's'}`;
        console.log(
          `${name(engine)}: ${result.reqPerSec.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`,
        );
        rows.push({
          name: name(engine),
          ...(engine !== embedded && embedded ? { baseline: name(embedded) } : {}),
          opsPerSec: result.reqPerSec,
          ...(result.requests > 0 ? { p50Ms: result.p50Ms, p99Ms: result.p99Ms } : {}),
          errors: result.errors,
        });
      }
    } finally {
      await server.stop();
    }
  }
}
