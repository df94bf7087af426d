// CPU profiles of the reference server under the GET, conditional GET and search scenarios (`node --cpu-prof`), one
// server run per scenario, summarized as the functions with the most self time (file:line in src/,
// through the source maps) and the share of each package. The .cpuprofile files stay in
// bench/results/profiles/ (not committed; open them in Chrome DevTools or speedscope).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicMicros, type ProfileSummary, summarizeProfile } from '../lib/cpu-profile.ts';
import { dataset } from '../lib/datasets.ts';
import { type LoadOptions, runScenario, type Scenario } from '../lib/load.ts';
import type { BenchOptions } from '../lib/options.ts';
import { setUpPinning } from '../lib/pinning.ts';
import { runWorker } from '../lib/process.ts';
import { CLI, dataDir, environment, ROOT, referenceStatus, startReference } from '../lib/reference.ts';
import { publicIds, searchQueries } from '../lib/reference-scenarios.ts';
import { conditionalGet, getRecord, search } from '../lib/scenarios.ts';
import { RESULTS_DIR, type Row, report } from '../report.ts';

const PROFILES = join(RESULTS_DIR, 'profiles');

function print(name: string, summary: ProfileSummary): void {
  console.log(`\n### profile: ${name} (${(summary.totalMs / 1000).toFixed(1)} s sampled)\n`);
  console.log('| self % | self ms | function (file:line) |');
  console.log('|---:|---:|---|');
  for (const h of summary.hotspots.slice(0, 15)) console.log(`| ${(h.share * 100).toFixed(1)} | ${h.selfMs.toFixed(0)} | ${h.where} |`);
  console.log('\n| self % | package |');
  console.log('|---:|---|');
  for (const p of summary.byPackage.slice(0, 12)) console.log(`| ${(p.share * 100).toFixed(1)} | ${p.name} |`);
}

/** `recordkit demo` loading a small fresh dataset under --cpu-prof: where import time goes. */
async function profileImport(options: BenchOptions, notes: string[], summaries: Record<string, ProfileSummary>): Promise<void> {
  const count = Math.min(options.records, 3_000);
  const name = `import (${count.toLocaleString('en-US')} records)`;
  const profileDir = join(PROFILES, 'import');
  mkdirSync(profileDir, { recursive: true });
  const dir = dataDir('profile-import');
  const result = await runWorker(['--cpu-prof', `--cpu-prof-dir=${profileDir}`, CLI, 'demo', '--count', String(count)], {
    env: environment(dir),
    cwd: ROOT,
  });
  rmSync(dir, { recursive: true, force: true });
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (result.code !== 0 || !file) {
    notes.push(`profile import: recordkit demo failed (exit ${result.code}) or wrote no profile: ${result.stderr.slice(-300)}`);
    return;
  }
  const summary = summarizeProfile(join(profileDir, file), ROOT, 25);
  summaries[name] = summary;
  print(name, summary);
  notes.push(`profile ${name}: bench/results/profiles/import/${file} (the whole process, start-up included, on a fresh data directory)`);
}

/** Profile the GET, conditional GET and search scenarios and an import; returns the saved JSON path. */
export async function profileSuite(options: BenchOptions): Promise<string> {
  const pinning = setUpPinning();
  console.log(`\n# profile: reference server under --cpu-prof, ${options.records.toLocaleString('en-US')} records`);
  const notes = [pinning.description];
  const rows: Row[] = [];
  const summaries: Record<string, ProfileSummary> = {};
  const status = await referenceStatus();
  if (status.unavailable) {
    notes.push(`profile: skipped, the reference server is not available: ${status.unavailable}`);
    return report('profile', rows, notes, { pinning });
  }
  rmSync(PROFILES, { recursive: true, force: true });
  mkdirSync(PROFILES, { recursive: true });
  const { dir } = await dataset(options.records, { reuse: options.reuseData });
  const load: LoadOptions = { connections: options.connections, duration: options.duration, warmup: options.warmup };
  const api = async (url: string) => ({ url, ids: await publicIds(url, 3_000, options.records), newRecord: () => ({}) });
  const scenarios: [string, (url: string) => Promise<Scenario>][] = [
    ['GET', async (url) => getRecord(await api(url))],
    ['conditional GET', async (url) => conditionalGet(await api(url))],
  ];
  if (status.searchUnavailable) notes.push(`profile search: skipped, ${status.searchUnavailable}`);
  else scenarios.push(['search', async () => search(searchQueries())]);
  for (const [name, make] of scenarios) {
    const profileDir = join(PROFILES, name.replaceAll(' ', '-'));
    mkdirSync(profileDir, { recursive: true });
    const server = await startReference({ dataDir: dir, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
    let scenario: Scenario;
    const window = { from: 0, to: Number.POSITIVE_INFINITY };
    try {
      scenario = await make(server.url);
      if (load.warmup > 0) await runScenario(server.url, scenario, { ...load, duration: load.warmup, warmup: 0 }, server.pid);
      window.from = monotonicMicros();
      const result = await runScenario(server.url, scenario, { ...load, warmup: 0 }, server.pid);
      window.to = monotonicMicros();
      rows.push({
        name: `${name} under --cpu-prof`,
        opsPerSec: result.reqPerSec,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        errors: result.errors,
      });
    } finally {
      await server.stop();
    }
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      notes.push(`profile ${name}: the server wrote no .cpuprofile (did it exit through a signal handler that calls process.exit?)`);
      continue;
    }
    const summary = summarizeProfile(join(profileDir, file), ROOT, 25, window);
    summaries[name] = summary;
    print(name, summary);
    notes.push(`profile ${name}: bench/results/profiles/${name.replaceAll(' ', '-')}/${file}`);
  }
  await profileImport(options, notes, summaries);
  notes.push(
    'Only samples taken during the measured run count (start-up, dataset checks and warm-up are left out); ' +
      '(idle) is time the server waited for requests. The profiler slows the server, so req/s here are not comparable to the http suite.',
  );
  return report('profile', rows, notes, { pinning, records: options.records, hotspots: summaries });
}
