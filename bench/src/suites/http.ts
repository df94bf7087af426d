// HTTP load: every scenario of every server under test is measured paired with the bare node:http
// baseline, in alternating slices (lib/load.ts runPaired), with the same connections, duration and
// warm-up, both servers on the server CPU. The machine is shared, so a ratio taken from runs minutes
// apart would mostly measure whatever else ran meanwhile; a paired ratio does not.
import { join } from 'node:path';
import { type LoadResult, runPaired, type Scenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { type ServerProcess, startServer } from '../lib/process.ts';
import { referenceTarget } from '../lib/reference-scenarios.ts';
import { conditionalGet, getRecord, postCreate, putIfMatch, type RecordsApi, type Target } from '../lib/scenarios.ts';
import { type Row, report } from '../report.ts';

const SERVERS = join(import.meta.dirname, '..', 'servers');
export const BASELINE = 'node:http baseline (fixed 1 KB JSON)';

/**
 * The baseline's side of a pair: the very same requests (so the load generator does the same work per
 * request on both sides; it is the bottleneck often enough on two cores for that to matter), answered
 * with the fixed 200.
 */
function baselineTwin(scenario: Scenario): Scenario {
  return { ...scenario, name: `baseline for ${scenario.name}`, expectStatus: 200 };
}

function row(name: string, result: LoadResult, extra?: Row['extra']): Row {
  return {
    name,
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

function startBaseline(): Promise<ServerProcess> {
  return startServer({ name: 'baseline', nodeArgs: [join(SERVERS, 'baseline.ts')], ready: /listening on (\S+)/ });
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

const pct = (share: number | undefined) => (share === undefined ? '?' : `${Math.round(share * 100)}%`);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Run the HTTP suite; returns the saved JSON path. */
export async function httpSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(
    `\n# http: ${options.connections} connections, ${options.duration} s per scenario in ${options.rounds} slices ` +
      `alternating with the baseline, after ${options.warmup} s warm-up`,
  );
  console.log(pinning.description);
  const load = { connections: options.connections, duration: options.duration, warmup: options.warmup, rounds: options.rounds };
  const notes: string[] = [pinning.description];

  const targets: Target[] = [packagesTarget(options.connections)];
  const reference = await referenceTarget(options);
  const skip = (line: string) => {
    notes.push(line);
    console.log(line);
  };
  if (typeof reference === 'string') skip(`reference server: skipped, ${reference}`);
  else {
    targets.push(reference.target);
    if (reference.skipped) skip(`${reference.target.name}: ${reference.skipped}`);
  }

  const baseline = await startBaseline();
  const baselineRuns: LoadResult[] = [];
  const measured: Row[] = [];
  const peakRss: Record<string, number> = {};
  try {
    for (const target of targets) {
      const server = await target.start();
      try {
        const wanted = options.scenarios;
        const scenarios = (await target.scenarios(server)).filter(
          (s) => !wanted || wanted.some((word) => s.name.toLowerCase().includes(word)),
        );
        for (const scenario of scenarios) {
          const pair = await runPaired(
            { url: baseline.url, scenario: baselineTwin(scenario), pid: baseline.pid },
            { url: server.url, scenario, pid: server.pid },
            load,
          );
          baselineRuns.push(pair.baseline);
          const r = pair.target.reqPerSec / pair.baseline.reqPerSec;
          console.log(
            `${target.name}: ${scenario.name}: ${pair.target.reqPerSec.toFixed(0)} req/s (baseline ${pair.baseline.reqPerSec.toFixed(0)}, ` +
              `${r.toFixed(2)}x), p50 ${pair.target.p50Ms.toFixed(2)} ms, p99 ${pair.target.p99Ms.toFixed(2)} ms, ${pair.target.errors} errors, ` +
              `server CPU ${pct(pair.target.serverCpu)} (baseline ${pct(pair.baseline.serverCpu)})`,
          );
          measured.push({
            ...row(`${target.name}: ${scenario.name}`, pair.target, {
              pairedBaselineP99Ms: Number(pair.baseline.p99Ms.toFixed(2)),
              ...(pair.target.serverCpu !== undefined ? { serverCpu: pct(pair.target.serverCpu) } : {}),
              ...(pair.baseline.serverCpu !== undefined ? { baselineCpu: pct(pair.baseline.serverCpu) } : {}),
            }),
            baseline: BASELINE,
            baselineOpsPerSec: pair.baseline.reqPerSec,
          });
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
  } finally {
    await baseline.stop();
  }

  const baselineRow: Row = {
    name: BASELINE,
    opsPerSec: mean(baselineRuns.map((r) => r.reqPerSec)),
    p50Ms: mean(baselineRuns.map((r) => r.p50Ms)),
    p99Ms: mean(baselineRuns.map((r) => r.p99Ms)),
    errors: baselineRuns.reduce((a, r) => a + r.errors, 0),
    extra: {
      pairedRuns: baselineRuns.length,
      minReqPerSec: Math.round(Math.min(...baselineRuns.map((r) => r.reqPerSec))),
      maxReqPerSec: Math.round(Math.max(...baselineRuns.map((r) => r.reqPerSec))),
    },
  };
  notes.push(
    `Each scenario ran ${options.rounds} slices of ${Math.max(1, Math.round(options.duration / options.rounds))} s alternating with slices of the baseline; ` +
      'its ratio is to the baseline measured in those slices (paired). The baseline row is the mean of all paired baseline runs; its min and max show how much ' +
      'the machine drifted during the suite. Latency percentiles are over every response (hrtime, sub-millisecond). ' +
      "Errors are connection errors, timeouts and every status other than the scenario's expected one. " +
      'The baseline receives the very same requests as the scenario (same client work per request) and answers each with the fixed 200. ' +
      'serverCpu is the share of its core the server was busy: well under 100% means the load generator, on its single core, set the pace.',
  );
  return report('http', [baselineRow, ...measured], notes, {
    connections: options.connections,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    rounds: options.rounds,
    pinning,
    peakRssMiB: peakRss,
  });
}
