// Bulk import on the embedded default: records/s and peak RSS of `recordkit demo --count N` (the app's
// fastest loading path: records generated in-process, each one minted, validated, stored and indexed),
// against a bare node:sqlite INSERT of the same generated records as the ceiling.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataset } from '../lib/datasets.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { runWorker } from '../lib/process.ts';
import { DATA_ROOT, dataDir, ROOT, referenceUnavailable } from '../lib/reference.ts';
import { type Row, report } from '../report.ts';

const BASELINE = 'node:sqlite bare INSERT (same records, JSON text only)';

async function sqliteBaseline(count: number): Promise<Row> {
  const file = join(dataDir('sqlite-baseline'), 'baseline.sqlite');
  const worker = join(import.meta.dirname, '..', 'workers', 'sqlite-baseline.ts');
  const result = await runWorker([worker, String(count), file], { cwd: ROOT });
  rmSync(join(DATA_ROOT, 'sqlite-baseline'), { recursive: true, force: true });
  if (result.code !== 0) throw new Error(`sqlite baseline failed (exit ${result.code}): ${result.stderr.slice(-1000)}`);
  const figures = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { elapsedMs: number; maxRssMiB: number };
  return {
    name: BASELINE,
    opsPerSec: count / (figures.elapsedMs / 1000),
    extra: {
      records: count,
      seconds: Number((figures.elapsedMs / 1000).toFixed(2)),
      peakRssMiB: Math.round(Math.max(figures.maxRssMiB, result.peakRssMiB ?? 0)),
    },
  };
}

/** Run the import suite; returns the saved JSON path. */
export async function importSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(`\n# import: ${options.records.toLocaleString('en-US')} demo records`);
  const notes = [pinning.description];
  const rows: Row[] = [await sqliteBaseline(options.records)];
  const why = await referenceUnavailable();
  if (why) notes.push(`reference import: skipped, ${why}`);
  else {
    const loaded = await dataset(options.records, { reuse: options.reuseData });
    if (!loaded.load) notes.push('reference import: not measured, the dataset of an earlier run was reused (--reuse-data)');
    else {
      rows.push({
        name: 'recordkit demo --count N (SQLite store + search)',
        baseline: BASELINE,
        opsPerSec: loaded.load.cliRecordsPerSec ?? loaded.load.recordsPerSec,
        extra: {
          records: options.records,
          seconds: Number((loaded.load.elapsedMs / 1000).toFixed(2)),
          withStartUpRecordsPerSec: Math.round(loaded.load.recordsPerSec),
          ...(loaded.load.peakRssMiB !== undefined ? { peakRssMiB: Math.round(loaded.load.peakRssMiB) } : {}),
        },
      });
    }
  }
  notes.push(
    'ops/s are records per second of the load loop: as the CLI reports it for recordkit demo, timed inside the worker for the baseline ' +
      '(withStartUpRecordsPerSec counts the whole process, Node start-up and configuration included). Peak RSS is the process high-water mark (VmHWM). ' +
      'The baseline generates the same records and writes their JSON into one table, 1000 rows per transaction, synchronous=FULL.',
  );
  return report('import', rows, notes, { records: options.records, pinning });
}
