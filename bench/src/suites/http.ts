// HTTP load: the bare node:http baseline and the servers under test, one at a time, on the server CPU,
// with the same connections, duration and warm-up. The baseline runs first and last; its row is the mean
// of both runs (both are in the JSON), so drift from other load on the machine shows.
import { join } from 'node:path';
import { type LoadOptions, type LoadResult, runScenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { startServer } from '../lib/process.ts';
import { referenceTarget } from '../lib/reference-scenarios.ts';
import { conditionalGet, getRecord, postCreate, putIfMatch, type RecordsApi, type Target } from '../lib/scenarios.ts';
import { type Row, report } from '../report.ts';

const SERVERS = join(import.meta.dirname, '..', 'servers');
export const BASELINE = 'node:http baseline (fixed 1 KB JSON)';

function row(name: string, result: LoadResult, baseline?: string, extra?: Row['extra']): Row {
  return {
    name,
    ...(baseline ? { baseline } : {}),
    opsPerSec: result.reqPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors,
    extra: {
      requests: result.requests,
      statuses: Object.entries(result.statuses)
        .map(([s, n]) => `${s}:${n}`)
        .join(','),
      ...extra,
    },
  };
}

async function measureBaseline(load: LoadOptions): Promise<LoadResult> {
  const server = await startServer({ name: 'baseline', nodeArgs: [join(SERVERS, 'baseline.ts')], ready: /listening on (\S+)/ });
  try {
    return await runScenario(server.url, { name: 'GET', expectStatus: 200, request: { method: 'GET', path: '/records/1' } }, load);
  } finally {
    await server.stop();
  }
}

/** node:http + the header packages over an in-memory Map (see servers/packages.ts). */
export function packagesTarget(connections: number): Target {
  const records = 10_000;
  return {
    name: 'packages (in-memory)',
    describe: 'node:http + content-negotiation + conditional-requests + rest-errors, records in a Map',
    start: () =>
      startServer({
        name: 'packages server',
        nodeArgs: [join(SERVERS, 'packages.ts')],
        env: { RECORDS: String(records) },
        ready: /listening on (\S+)/,
      }),
    scenarios: async (server) => {
      const api: RecordsApi = {
        url: server.url,
        ids: Array.from({ length: records }, (_, i) => String(i + 1)),
        newRecord: (i) => ({ title: `New record ${i}`, access: 'public', keywords: ['bench'] }),
      };
      return [getRecord(api), await conditionalGet(api), postCreate(api), await putIfMatch(api, connections)];
    },
  };
}

/** Run the HTTP suite; returns the saved JSON path. */
export async function httpSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(`\n# http: ${options.connections} connections, ${options.duration} s per scenario after ${options.warmup} s warm-up`);
  console.log(pinning.description);
  const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup };
  const notes: string[] = [pinning.description];

  const before = await measureBaseline(load);
  console.log(`baseline (first run): ${before.reqPerSec.toFixed(0)} req/s`);

  const targets: Target[] = [packagesTarget(options.connections)];
  const reference = await referenceTarget(options);
  if (typeof reference === 'string') {
    notes.push(`reference server: skipped, ${reference}`);
    console.log(`reference server: skipped, ${reference}`);
  } else targets.push(reference);

  const measured: Row[] = [];
  const peakRss: Record<string, number> = {};
  for (const target of targets) {
    const server = await target.start();
    try {
      for (const scenario of await target.scenarios(server)) {
        const result = await runScenario(server.url, scenario, load);
        console.log(
          `${target.name}: ${scenario.name}: ${result.reqPerSec.toFixed(0)} req/s, p99 ${result.p99Ms} ms, ${result.errors} errors`,
        );
        measured.push(row(`${target.name}: ${scenario.name}`, result, BASELINE));
      }
    } finally {
      const { peakRssMiB } = await server.stop();
      if (peakRssMiB !== undefined) {
        notes.push(`${target.name}: peak RSS ${peakRssMiB.toFixed(0)} MiB over all its scenarios`);
        peakRss[target.name] = peakRssMiB;
      }
    }
    if (target.describe) notes.push(`${target.name}: ${target.describe}`);
  }

  const after = await measureBaseline(load);
  console.log(`baseline (last run): ${after.reqPerSec.toFixed(0)} req/s`);
  const mean = (a: number, b: number) => (a + b) / 2;
  const baselineRow = row(
    BASELINE,
    {
      reqPerSec: mean(before.reqPerSec, after.reqPerSec),
      p50Ms: mean(before.p50Ms, after.p50Ms),
      p99Ms: mean(before.p99Ms, after.p99Ms),
      errors: before.errors + after.errors,
      requests: before.requests + after.requests,
      statuses: {},
    },
    undefined,
    { firstRunReqPerSec: Math.round(before.reqPerSec), lastRunReqPerSec: Math.round(after.reqPerSec) },
  );
  delete baselineRow.extra?.statuses;
  notes.push(
    "Latencies are autocannon's, in whole milliseconds. Errors are connection errors, timeouts and every status other than the scenario's expected one. " +
      'The baseline row is the mean of a run before and a run after the servers under test.',
  );
  return report('http', [baselineRow, ...measured], notes, {
    connections: options.connections,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    pinning,
    baselineRuns: [before, after],
    peakRssMiB: peakRss,
  });
}
