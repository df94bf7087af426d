// Soak: the reference server under a steady mixed load for minutes, to see what a short benchmark does
// not: errors that appear only after a while, memory that grows, latency that drifts. Not a CI test and
// not part of `src/run.ts`; run it by hand after a build:
//
//   node bench/src/soak.ts [--duration=300] [--warmup=60] [--records=10000] [--share=0.7] [--slice=10] [--probe=15]
//                          [--connections=16] [--json=FILE]
//
// 1. loads --records demo records and starts `recordkit serve` on them (like the other suites);
// 2. measures capacity: the mixed load, closed loop, --connections at once, for --probe seconds;
// 3. offers --share of that rate, open loop (arrivals on a fixed schedule), for --warmup then --duration
//    seconds: 60% GET a record, 20% search (text + a facet + sort), 10% merge-patch a record, 10% create;
// 4. prints one line per --slice seconds (requests, errors, p50, p99, server RSS) and a summary over the
//    --duration part: errors, RSS growth from its first slice to its last, and the spread of p99 across
//    its slices. The warm-up slices are printed (marked `w`) but left out of the summary: the first
//    minute fills SQLite's page cache, sizes V8's heap and compiles the hot paths, which is start-up
//    cost, not growth (errors during warm-up still count as errors).
// The server runs pinned to one CPU and this load generator to the other (taskset), as in the bench.
// The summary is written to --json (default bench/results/soak.json) with the machine's facts.
// Latency is measured from each request's scheduled start, so a server that falls behind shows it
// (no coordinated omission). An arrival that would exceed 8 x --connections requests in flight is
// counted as dropped instead of queued without bound.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataset } from './lib/datasets.ts';
import { setUpPinning } from './lib/pinning.ts';
import { rssMiB } from './lib/process.ts';
import { startReference, WRITE_HEADERS } from './lib/reference.ts';
import { machineFacts } from './report.ts';

interface Options {
  duration: number;
  warmup: number;
  records: number;
  share: number;
  slice: number;
  probe: number;
  connections: number;
  json?: string;
}

function parse(argv: string[]): Options {
  const options: Options = {
    duration: 300,
    warmup: 60,
    records: 10_000,
    share: 0.7,
    slice: 10,
    probe: 15,
    connections: 16,
    json: join(import.meta.dirname, '..', 'results', 'soak.json'),
  };
  for (const arg of argv) {
    const match = /^--(duration|warmup|records|share|slice|probe|connections|json)=(.+)$/.exec(arg);
    if (!match) throw new Error(`soak: unknown argument ${arg}`);
    const [, name, value] = match as unknown as [string, keyof Options, string];
    if (name === 'json') options.json = value;
    else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || (n === 0 && name !== 'warmup')) throw new Error(`soak: --${name} must be a positive number`);
      options[name] = n;
    }
  }
  return options;
}

const WORDS = ['coral', 'glacier', 'ocean', 'climate', 'protein', 'software', 'galaxy', 'soil', 'river', 'neural'];
const TYPES = ['dataset', 'article', 'software', 'report'];

function makeClient(url: string, ids: string[]) {
  let n = 0;
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<number> => {
    const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    await res.arrayBuffer();
    return res.status;
  };
  /** One request of the mix; resolves with its status (network errors become status 0). */
  return async function one(): Promise<number> {
    const r = Math.random();
    n++;
    try {
      if (r < 0.6) return await call('GET', `/records/${pick(ids)}`);
      if (r < 0.8) return await call('GET', `/records/?q=${pick(WORDS)}&type=${pick(TYPES)}&sort=-publication_date&size=10`);
      if (r < 0.9) {
        return await call(
          'PATCH',
          `/records/${pick(ids)}`,
          { ...WRITE_HEADERS, 'content-type': 'application/merge-patch+json' },
          JSON.stringify({ description: `soak update ${n}` }),
        );
      }
      const status = await call(
        'POST',
        '/records/',
        { ...WRITE_HEADERS, 'content-type': 'application/json' },
        JSON.stringify({
          title: `Soak record ${n} about ${pick(WORDS)}`,
          creators: [{ name: 'Soak, Test' }],
          type: pick(TYPES),
          publication_date: '2024-06-01',
          access: 'public',
        }),
      );
      return status;
    } catch {
      return 0;
    }
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const pinning = setUpPinning();
  console.log(`soak: ${pinning.description}`);
  console.log(`soak: loading ${options.records} demo records`);
  const data = await dataset(options.records, { reuse: false, name: `soak-${options.records}` });
  const server = await startReference({ dataDir: data.dir });
  try {
    const ids: string[] = [];
    for (let page = 1; ids.length < Math.min(options.records, 1000); page++) {
      const res = await fetch(`${server.url}/records/?size=100&page=${page}&sort=mostrecent`);
      const body = (await res.json()) as { hits: { hits: { id: string }[] } };
      if (!body.hits.hits.length) break;
      ids.push(...body.hits.hits.map((h) => h.id));
    }
    const one = makeClient(server.url, ids);

    // Capacity: closed loop, every connection sends its next request when the last one is answered.
    let done = 0;
    const probeEnd = Date.now() + options.probe * 1000;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (Date.now() < probeEnd) {
          await one();
          done++;
        }
      }),
    );
    const capacity = done / options.probe;
    const rate = capacity * options.share;
    console.log(
      `soak: capacity ${capacity.toFixed(0)} req/s (mixed, ${options.connections} connections); offering ${rate.toFixed(0)} req/s for ${options.warmup} s of warm-up, then ${options.duration} s measured`,
    );

    interface Slice {
      at: number;
      requests: number;
      errors: number;
      dropped: number;
      p50: number;
      p99: number;
      rssMiB: number | undefined;
      warmup: boolean;
    }
    const slices: Slice[] = [];
    let latencies: number[] = [];
    let errors = 0;
    let dropped = 0;
    const statuses = new Map<number, number>();
    let inFlight = 0;
    const start = performance.now();
    const warmupEnd = start + options.warmup * 1000;
    const end = warmupEnd + options.duration * 1000;
    let nextSlice = start + options.slice * 1000;
    let scheduled = 0;
    const pending = new Set<Promise<void>>();
    console.log('   t(s)  requests  errors  dropped  p50(ms)  p99(ms)  RSS(MiB)');
    while (performance.now() < end) {
      const now = performance.now();
      // Arrivals due by now, each with its scheduled time.
      while (start + (scheduled * 1000) / rate <= now) {
        const due = start + (scheduled * 1000) / rate;
        scheduled++;
        if (inFlight >= options.connections * 8) {
          dropped++;
          continue;
        }
        inFlight++;
        const p: Promise<void> = one().then((status) => {
          inFlight--;
          latencies.push(performance.now() - due);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 0 || status >= 400) errors++;
          pending.delete(p);
        });
        pending.add(p);
      }
      if (now >= nextSlice) flush(now);
      await new Promise((r) => setTimeout(r, 2));
    }
    // The requests still in flight belong to the last slice: wait for them, then close it.
    await Promise.all(pending);
    if (latencies.length > 0 || errors > 0 || dropped > 0) flush(performance.now());

    /** Close the slice that ends now: print it and start the next one. */
    function flush(now: number): void {
      const sorted = latencies.sort((a, b) => a - b);
      const slice = {
        at: Math.round((now - start) / 1000),
        requests: sorted.length,
        errors,
        dropped,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        rssMiB: rssMiB(server.pid),
        // A slice is warm-up when it started before the warm-up ended.
        warmup: nextSlice - options.slice * 1000 < warmupEnd,
      };
      slices.push(slice);
      console.log(
        `${String(slice.at).padStart(6)}${slice.warmup ? 'w' : ' '}  ${String(slice.requests).padStart(8)}  ${String(slice.errors).padStart(6)}  ${String(slice.dropped).padStart(7)}  ${slice.p50.toFixed(1).padStart(7)}  ${slice.p99.toFixed(1).padStart(7)}  ${slice.rssMiB?.toFixed(0).padStart(8) ?? '       ?'}`,
      );
      latencies = [];
      errors = 0;
      dropped = 0;
      nextSlice += options.slice * 1000;
    }

    const measured = slices.filter((s) => !s.warmup);
    const totalErrors = slices.reduce((s, x) => s + x.errors, 0);
    const totalDropped = slices.reduce((s, x) => s + x.dropped, 0);
    const totalRequests = slices.reduce((s, x) => s + x.requests, 0);
    const rss = measured.map((s) => s.rssMiB).filter((v): v is number => v !== undefined);
    const growth = rss.length >= 2 ? (rss.at(-1)! / rss[0]! - 1) * 100 : Number.NaN;
    const p99s = measured.map((s) => s.p99).sort((a, b) => a - b);
    const summary = {
      machine: machineFacts(),
      pinning: pinning.description,
      warmupSec: options.warmup,
      warmupErrors: slices.filter((s) => s.warmup).reduce((s, x) => s + x.errors, 0),
      capacityReqPerSec: Math.round(capacity),
      offeredReqPerSec: Math.round(rate),
      durationSec: options.duration,
      records: options.records,
      requests: totalRequests,
      errors: totalErrors,
      dropped: totalDropped,
      statuses: Object.fromEntries(statuses),
      rssAtStartMiB: slices[0]?.rssMiB,
      rssFirstMiB: rss[0],
      rssLastMiB: rss.at(-1),
      rssGrowthPercent: Number(growth.toFixed(1)),
      p99MinMs: p99s[0],
      p99MedianMs: percentile(p99s, 50),
      p99MaxMs: p99s.at(-1),
      slices,
    };
    console.log(
      `\nsoak: ${totalRequests} requests, ${totalErrors} errors, ${totalDropped} dropped; statuses ${JSON.stringify(summary.statuses)}\n` +
        `soak: RSS ${summary.rssAtStartMiB?.toFixed(0)} MiB at the first slice; over the measured ${options.duration} s ` +
        `${summary.rssFirstMiB?.toFixed(0)} -> ${summary.rssLastMiB?.toFixed(0)} MiB (${summary.rssGrowthPercent}%); ` +
        `p99 per ${options.slice} s slice: min ${summary.p99MinMs?.toFixed(1)}, median ${summary.p99MedianMs.toFixed(1)}, max ${summary.p99MaxMs?.toFixed(1)} ms`,
    );
    if (options.json) writeFileSync(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await server.stop();
  }
}

await main();
