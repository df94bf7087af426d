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

const label = (n: number) => `search at ${n.toLocaleString('en-US')} records`;

/** Run the scale series; returns the saved JSON path. */
export async function scaleSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(`\n# scale: search at ${options.sizes.map((n) => n.toLocaleString('en-US')).join(', ')} records`);
  const notes = [pinning.description];
  const rows: Row[] = [];
  const why = await searchUnavailable();
  if (why) notes.push(`scale series: skipped, the reference server's search is not available: ${why}`);
  else {
    const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup };
    const smallest = options.sizes[0];
    for (const size of options.sizes) {
      const { dir } = await dataset(size, { reuse: options.reuseData });
      const server = await startReference({ dataDir: dir });
      try {
        const queries = searchQueries();
        const totals = await Promise.all(queries.map((q) => matches(server.url, q)));
        const result = await runScenario(server.url, search(queries), load);
        console.log(`${label(size)}: ${result.reqPerSec.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
        const { peakRssMiB } = await server.stop();
        rows.push({
          name: label(size),
          ...(size !== smallest && smallest !== undefined ? { baseline: label(smallest) } : {}),
          opsPerSec: result.reqPerSec,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          errors: result.errors,
          extra: {
            meanHits: Math.round(totals.reduce((a, b) => a + b, 0) / totals.length),
            ...(peakRssMiB !== undefined ? { peakRssMiB: Math.round(peakRssMiB) } : {}),
          },
        });
      } finally {
        await server.stop();
      }
    }
    notes.push(
      `The search scenario cycles over ${searchQueries().length} queries (q, type, language, sort; see lib/reference-scenarios.ts); ` +
        'meanHits is the mean total they match. Peak RSS is the server process high-water mark.',
    );
  }
  return report('scale', rows, notes, {
    sizes: options.sizes,
    connections: options.connections,
    durationSeconds: options.duration,
    pinning,
  });
}
