// Datasets of demo records for the reference server, loaded through the app's own fastest path
// (`recordkit demo --count N`: generated in-process, no JSON file to parse) into a data directory under
// bench/.data. A dataset is loaded once per run and shared by the suites that need it (import, scale,
// http); with --reuse-data, one left by an earlier run is reused.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWorker } from './process.ts';
import { CLI, dataDir, environment, ROOT } from './reference.ts';

export interface Dataset {
  count: number;
  dir: string;
  /** How it was loaded, when it was loaded in this run. */
  load?: {
    /** Wall time of the whole `recordkit demo` process, start-up included. */
    elapsedMs: number;
    /** Records per second over that wall time. */
    recordsPerSec: number;
    /** Records per second as the CLI reports them (its load loop only), when it prints them. */
    cliRecordsPerSec?: number;
    peakRssMiB: number | undefined;
  };
}

const loaded = new Map<string, Dataset>();
const MARKER = 'bench-dataset.json';

/** The data directory of a loaded dataset of `count` demo records on the embedded default. */
export async function dataset(count: number, options: { reuse: boolean; env?: NodeJS.ProcessEnv; name?: string }): Promise<Dataset> {
  const name = options.name ?? `embedded-${count}`;
  const known = loaded.get(name);
  if (known) return known;
  const marker = join(dataDir(name, true), MARKER);
  // A dataset that lives partly in PostgreSQL or Elasticsearch is dropped there after its run: never reuse it.
  const external = Boolean(options.env?.DATABASE_URL || options.env?.ELASTICSEARCH_URL);
  if (options.reuse && !external && existsSync(marker)) {
    const kept = JSON.parse(readFileSync(marker, 'utf8')) as { count: number };
    if (kept.count === count) {
      const reused: Dataset = { count, dir: dataDir(name, true) };
      loaded.set(name, reused);
      console.log(`dataset ${name}: reusing ${reused.dir}`);
      return reused;
    }
  }
  const dir = dataDir(name);
  console.log(`dataset ${name}: loading ${count.toLocaleString('en-US')} demo records (recordkit demo --count ${count})...`);
  const result = await runWorker([CLI, 'demo', '--count', String(count)], { env: environment(dir, options.env), cwd: ROOT });
  if (result.code !== 0) {
    throw new Error(`recordkit demo --count ${count} failed (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
  }
  const recordsPerSec = count / (result.elapsedMs / 1000);
  // `recordkit: demo: 100000 records loaded, 0 already there (1800 records/s)`
  const reported = /demo: (\d+) records loaded.*\((\d+) records\/s\)/.exec(result.stderr);
  if (reported && Number(reported[1]) !== count) {
    throw new Error(`recordkit demo --count ${count} loaded ${reported[1]} records into a fresh directory:\n${result.stderr.slice(-2000)}`);
  }
  const made: Dataset = {
    count,
    dir,
    load: {
      elapsedMs: result.elapsedMs,
      recordsPerSec,
      ...(reported ? { cliRecordsPerSec: Number(reported[2]) } : {}),
      peakRssMiB: result.peakRssMiB,
    },
  };
  writeFileSync(marker, `${JSON.stringify({ count, loadedAt: new Date().toISOString(), load: made.load })}\n`);
  console.log(
    `dataset ${name}: ${count.toLocaleString('en-US')} records in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(recordsPerSec).toLocaleString('en-US')} records/s with start-up, ` +
      `${made.load?.cliRecordsPerSec?.toLocaleString('en-US') ?? '?'} records/s as the CLI reports them, peak RSS ${result.peakRssMiB?.toFixed(0) ?? '?'} MiB)`,
  );
  loaded.set(name, made);
  return made;
}
