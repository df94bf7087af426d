// Engine comparisons, each behind an availability check: the embedded default against PostgreSQL
// (DATABASE_URL) for import, and against Elasticsearch (ELASTICSEARCH_URL) for import and the search
// scenario. Without the variable, or when the reference server cannot use the engine yet, the row is
// skipped with a line saying why. The URLs should name an empty database and a cluster without the
// bench's indices: the datasets are loaded into them as they are.
import { dataset } from '../lib/datasets.ts';
import { type LoadOptions, runScenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { searchUnavailable, startReference } from '../lib/reference.ts';
import { searchQueries } from '../lib/reference-scenarios.ts';
import { search } from '../lib/scenarios.ts';
import { type Row, report } from '../report.ts';

interface Engine {
  name: string;
  variable: 'DATABASE_URL' | 'ELASTICSEARCH_URL' | undefined;
  env: NodeJS.ProcessEnv;
}

/** Run the engine comparisons; returns the saved JSON path. */
export async function enginesSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log('\n# engines: embedded default against PostgreSQL and Elasticsearch');
  const notes = [pinning.description];
  const rows: Row[] = [];
  const why = await searchUnavailable();
  if (why) {
    notes.push(`engine comparisons: skipped, the reference server's search is not available: ${why}`);
    return report('engines', rows, notes, { pinning });
  }
  const engines: Engine[] = [{ name: 'embedded (SQLite)', variable: undefined, env: {} }];
  const pg = process.env.DATABASE_URL?.trim();
  const es = process.env.ELASTICSEARCH_URL?.trim();
  if (pg) engines.push({ name: 'PostgreSQL store + embedded search', variable: 'DATABASE_URL', env: { DATABASE_URL: pg } });
  else notes.push('PostgreSQL: skipped, DATABASE_URL is not set (scripts/services/postgres.sh up prints one)');
  if (es) engines.push({ name: 'embedded store + Elasticsearch', variable: 'ELASTICSEARCH_URL', env: { ELASTICSEARCH_URL: es } });
  else notes.push('Elasticsearch: skipped, ELASTICSEARCH_URL is not set (tools/ has the launcher that starts one)');
  for (const note of notes.slice(1)) console.log(note);

  const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup };
  const [embedded] = engines;
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
        opsPerSec: loaded.load.recordsPerSec,
        extra: loaded.load.peakRssMiB !== undefined ? { peakRssMiB: Math.round(loaded.load.peakRssMiB) } : {},
      });
    }
    const server = await startReference({ dataDir: loaded.dir, env: engine.env });
    try {
      const result = await runScenario(server.url, search(searchQueries()), load);
      rows.push({
        name: `search: ${engine.name}`,
        ...(engine !== embedded && embedded ? { baseline: `search: ${embedded.name}` } : {}),
        opsPerSec: result.reqPerSec,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        errors: result.errors,
      });
    } finally {
      await server.stop();
    }
  }
  notes.push(
    `Same dataset (${options.records.toLocaleString('en-US')} demo records), same search scenario, connections and duration on every engine. ` +
      'The services themselves are not pinned: on a 2-core machine they share the cores with the server and the load generator.',
  );
  return report('engines', rows, notes, { records: options.records, pinning, engines: engines.map((e) => e.name) });
}
