// Command-line options of the bench runner. Every figure that decides how long a run takes is here, so a
// quick run and a long one are the same harness with different numbers.
import { parseArgs } from 'node:util';

/** The suites `run.ts` knows, in the order a run executes them. `profile` runs only when named or with --profile. */
export const SUITES = ['micro', 'import', 'scale', 'http', 'profile', 'engines'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  suites: SuiteName[];
  /** Seconds each load scenario runs (after its warm-up). */
  duration: number;
  /** Seconds of warm-up load before each measured scenario (not recorded). */
  warmup: number;
  /** Concurrent connections of the load generator, the same for every server and scenario. */
  connections: number;
  /** Alternating slices of baseline and scenario that make up one paired HTTP measurement. */
  rounds: number;
  /** Records loaded for the HTTP scenarios, the import figure and the engine comparison. */
  records: number;
  /** Record counts of the scale series. */
  sizes: number[];
  /** Keep and reuse datasets under bench/.data between runs (faster, but the import is not re-measured). */
  reuseData: boolean;
  /** http: run only the scenarios whose name contains one of these (case-insensitive); undefined runs all. */
  scenarios?: string[];
}

export const DEFAULT_SIZES = [10_000, 100_000];
export const LARGE_SIZES = [10_000, 100_000, 1_000_000];

export const USAGE = `usage: node src/run.ts [suite...] [options]

suites: ${SUITES.join(', ')} (default: all but profile, in that order)

options:
  --duration=S      seconds per load scenario (default 10)
  --warmup=S        seconds of unrecorded warm-up load before each scenario (default 2)
  --connections=N   concurrent connections, the same for every server (default 16)
  --rounds=N        http: each scenario and the baseline alternate in N slices of duration/N (default 3)
  --records=N       records for the HTTP scenarios and the import (default 100000)
  --sizes=A,B,...   record counts of the scale series (default 10000,100000)
  --large           the scale series at 10000,100000,1000000 (the 1M import takes long on 2 cores)
  --profile         add the profile suite: the reference server under --cpu-prof for GET and search
  --reuse-data      reuse datasets kept under bench/.data by an earlier run (skips re-importing)
  --scenarios=A,B   http: only the scenarios whose name contains one of these words (e.g. GET,304)
  --help            this text

environment: ELASTICSEARCH_URL and DATABASE_URL enable the engine comparisons.`;

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** Parse the runner's arguments; throws an Error naming the bad option. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      records: { type: 'string' },
      sizes: { type: 'string' },
      large: { type: 'boolean' },
      profile: { type: 'boolean' },
      'reuse-data': { type: 'boolean' },
      scenarios: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  for (const name of positionals) {
    if (!(SUITES as readonly string[]).includes(name)) throw new Error(`unknown suite "${name}" (known: ${SUITES.join(', ')})`);
  }
  const suites =
    positionals.length > 0 ? SUITES.filter((s) => positionals.includes(s)) : SUITES.filter((s) => s !== 'profile' || values.profile);
  const sizes = values.sizes
    ? values.sizes.split(',').map((s) => positiveInt('sizes', s.trim(), 0))
    : values.large
      ? LARGE_SIZES
      : DEFAULT_SIZES;
  return {
    suites,
    duration: positiveInt('duration', values.duration, 10),
    warmup: positiveInt('warmup', values.warmup, 2, 0),
    connections: positiveInt('connections', values.connections, 16),
    rounds: positiveInt('rounds', values.rounds, 3),
    records: positiveInt('records', values.records, 100_000),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    reuseData: values['reuse-data'] ?? false,
    ...(values.scenarios ? { scenarios: scenarioFilter(values.scenarios) } : {}),
  };
}

function scenarioFilter(value: string): string[] {
  const words = value
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) throw new Error('--scenarios needs at least one word, e.g. --scenarios=GET,304');
  return words;
}
