// Scale: the search scenario (text + two facets + sort) on the reference server at several dataset
// sizes, to show how its cost grows. Each size's ratio is to the smallest size.
import { dataset } from '../lib/datasets.ts';
import { type LoadOptions, runScenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { searchUnavailable, startReference } from '../lib/reference.ts';
import { matches, searchQueries } from '../lib/reference-scenarios.ts';
import { search } from '../lib/scenarios.ts';
import { type Row, report } from '../report.ts';

const label = (n: number, connections: number) =>
  `search at ${n.toLocaleString('en-US')} records, ${connections} connection${connections === 1 ? '' : 's'}`;

/**
 * Run the scale series; returns the saved JSON path. Each size is measured twice: with one connection
 * (latency is the engine's service time) and with `--connections` (throughput; latency then includes
 * queueing behind the other connections, the server being one thread).
 */
export async function scaleSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(`\n# scale: search at ${options.sizes.map((n) => n.toLocaleString('en-US')).join(', ')} records`);
  const notes = [pinning.description];
  const rows: Row[] = [];
  const why = await searchUnavailable();
  if (why) notes.push(`scale series: skipped, the reference server's search is not available: ${why}`);
  else {
    const smallest = options.sizes[0];
    const concurrencies = [...new Set([1, options.connections])];
    for (const size of options.sizes) {
      const { dir } = await dataset(size, { reuse: options.reuseData });
      const server = await startReference({ dataDir: dir });
      try {
        const queries = searchQueries();
        const totals = await Promise.all(queries.map((q) => matches(server.url, q)));
        for (const connections of concurrencies) {
          const load: LoadOptions = { connections, duration: options.duration, warmup: options.warmup };
          const result = await runScenario(server.url, search(queries), load, server.pid);
          console.log(
            `${label(size, connections)}: ${result.reqPerSec.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, ` +
              `p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors`,
          );
          rows.push({
            name: label(size, connections),
            ...(size !== smallest && smallest !== undefined ? { baseline: label(smallest, connections) } : {}),
            opsPerSec: result.reqPerSec,
            ...(result.requests > 0 ? { p50Ms: result.p50Ms, p99Ms: result.p99Ms } : {}),
            errors: result.errors,
            extra: {
              meanHits: Math.round(totals.reduce((a, b) => a + b, 0) / totals.length),
              responses: result.requests,
              ...(result.serverCpu !== undefined ? { serverCpu: `${Math.round(result.serverCpu * 100)}%` } : {}),
            },
          });
        }
      } finally {
        const { peakRssMiB } = await server.stop();
        if (peakRssMiB !== undefined)
          notes.push(`search at ${size.toLocaleString('en-US')} records: server peak RSS ${peakRssMiB.toFixed(0)} MiB`);
      }
    }
    notes.push(
      `The search scenario cycles over ${searchQueries().length} queries (q, type, language, sort; see lib/reference-scenarios.ts); ` +
        'meanHits is the mean total they match. With one connection, latency is the service time of one search; with more, it includes ' +
        'waiting behind the others. A request unanswered after 10 s is an error (autocannon timeout).',
    );
  }
  return report('scale', rows, notes, {
    sizes: options.sizes,
    connections: options.connections,
    durationSeconds: options.duration,
    pinning,
  });
}
