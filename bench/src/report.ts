// Shared reporting for benchmarks: a printed table with each figure's ratio to its baseline, and a JSON
// file under bench/results/ with the machine facts, so runs can be compared later.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Row {
  /** What was measured, e.g. `negotiate() cached`. */
  name: string;
  /** The row this one is compared with; omit on the baseline itself. */
  baseline?: string;
  /**
   * The baseline's throughput measured interleaved with this row (a paired run); when present the ratio
   * uses it instead of the baseline row's overall figure.
   */
  baselineOpsPerSec?: number;
  /** Operations or requests per second (higher is better). */
  opsPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  errors?: number;
  /** Free-form extra figures (records/s, RSS MB, ...). */
  extra?: Record<string, number | string>;
}

export function machineFacts() {
  return {
    node: process.version,
    // The machine's CPUs; a process pinned with taskset sees fewer (availableParallelism follows affinity).
    cpuCount: cpus().length,
    cpusForThisProcess: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}

/** Ratio of a row's throughput to its baseline's (1.0 = as fast as the baseline). */
export function ratio(rows: Row[], row: Row): number | undefined {
  const base = row.baselineOpsPerSec ?? rows.find((r) => r.name === row.baseline)?.opsPerSec;
  if (!base || !row.opsPerSec || !row.baseline) return undefined;
  return row.opsPerSec / base;
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? '' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Where results go: `bench/results/`. */
export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

/** What a saved `bench/results/<suite>.json` holds. */
export interface SuiteResult {
  suite: string;
  machine: ReturnType<typeof machineFacts>;
  /** How the suite was run (connections, duration, CPU pinning, dataset sizes...). */
  meta?: Record<string, unknown>;
  rows: (Row & { ratio?: number })[];
  notes: string[];
}

/**
 * Print the table and save `bench/results/<suite>.json`. Returns the saved path. `meta` records how the
 * suite ran (connections, duration, pinning) in the JSON; say what matters to a reader in `notes`.
 */
export function report(suite: string, rows: Row[], notes: string[] = [], meta?: Record<string, unknown>): string {
  console.log(`\n## ${suite}\n`);
  console.log('| name | ops/s | p50 ms | p99 ms | errors | ratio to baseline | extra |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const r = ratio(rows, row);
    const extra = row.extra
      ? Object.entries(row.extra)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '';
    console.log(
      `| ${row.name} | ${fmt(row.opsPerSec)} | ${fmt(row.p50Ms, 3)} | ${fmt(row.p99Ms, 3)} | ${row.errors ?? ''} | ${r === undefined ? (rows.some((other) => other.baseline === row.name) ? 'baseline' : '') : `${r.toFixed(2)}x vs ${row.baseline}${row.baselineOpsPerSec ? ' (paired)' : ''}`} | ${extra} |`,
    );
  }
  for (const note of notes) console.log(`\n> ${note}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${suite}.json`);
  const result: SuiteResult = {
    suite,
    machine: machineFacts(),
    ...(meta ? { meta } : {}),
    rows: rows.map((r) => ({ ...r, ratio: ratio(rows, r) })),
    notes,
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
