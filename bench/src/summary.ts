// bench/results/SUMMARY.md: the latest run in a page. The targets of issue 12 first (each measured,
// met or not, or why it was not measured), then every suite's table as it was printed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ProfileSummary } from './lib/cpu-profile.ts';
import { RESULTS_DIR, type SuiteResult } from './report.ts';

const MB_IN_MIB = 1e6 / 2 ** 20; // the issue states RSS in MB (10^6 bytes); VmHWM is read in MiB

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? '' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Target {
  target: string;
  measured: string;
  verdict: 'met' | 'not met' | 'not measured';
}

function find(results: SuiteResult[], suite: string) {
  return results.find((r) => r.suite === suite);
}

/** The targets of issue 12 against the results of this run. */
export function targets(results: SuiteResult[]): Target[] {
  const out: Target[] = [];
  const http = find(results, 'http');
  const referenceRow = (scenario: string) => http?.rows.find((r) => r.name.startsWith('reference') && r.name.endsWith(scenario));
  const ratioTarget = (label: string, scenario: string, goal: number) => {
    const row = referenceRow(scenario);
    out.push(
      row?.ratio === undefined
        ? { target: `${label} >= ${goal}x node:http`, measured: 'reference server not measured', verdict: 'not measured' }
        : {
            target: `${label} >= ${goal}x node:http`,
            measured: `${row.ratio.toFixed(2)}x (${fmt(row.opsPerSec)} req/s)`,
            verdict: row.ratio >= goal ? 'met' : 'not met',
          },
    );
  };
  ratioTarget('GET record', 'GET a record', 0.75);
  ratioTarget('conditional GET (304)', 'conditional GET (304)', 0.85);

  // One connection: the engine's service time. The loaded figure (queueing included) is shown beside it.
  const scaleRows = find(results, 'scale')?.rows ?? [];
  const single = scaleRows.find((r) => r.name === 'search at 100,000 records, 1 connection');
  const loaded =
    scaleRows.find((r) => r.name.startsWith('search at 100,000 records,') && r !== single) ??
    referenceRow('search: text + 2 facets + sort');
  const searchTarget = 'search at 100k records: p99 <= 50 ms';
  const describe = (row: typeof single, what: string) =>
    row === undefined
      ? ''
      : row.p99Ms === undefined
        ? `${what}: no response within 10 s (${row.errors ?? 0} errors)`
        : `${what}: p50 ${fmt(row.p50Ms, 1)} ms, p99 ${fmt(row.p99Ms, 1)} ms, ${fmt(row.opsPerSec, 1)} req/s`;
  out.push(
    single === undefined && loaded === undefined
      ? { target: searchTarget, measured: 'not measured', verdict: 'not measured' }
      : {
          target: searchTarget,
          measured: [describe(single, '1 connection'), describe(loaded, 'under load')].filter(Boolean).join('; '),
          verdict: (single ?? loaded)?.p99Ms !== undefined && ((single ?? loaded)?.p99Ms ?? Infinity) <= 50 ? 'met' : 'not met',
        },
  );

  // The newest engines suite that measured Elasticsearch (engines-elasticsearch, engines-postgres-elasticsearch).
  const engines = results
    .filter((r) => r.suite.startsWith('engines') && r.rows.some((row) => row.name.includes('Elasticsearch')))
    .sort((a, b) => b.machine.date.localeCompare(a.machine.date))[0];
  const embeddedSearch = engines?.rows.find((r) => r.name === 'search: embedded (SQLite), 1 connection');
  const esSearch = engines?.rows.find((r) => r.name === 'search: embedded store + Elasticsearch, 1 connection');
  out.push(
    embeddedSearch?.p50Ms === undefined || esSearch?.p50Ms === undefined
      ? {
          target: 'search p50 embedded <= Elasticsearch',
          measured:
            find(results, 'engines')?.notes.find((n) => n.startsWith('Elasticsearch')) ?? 'not measured (run with ELASTICSEARCH_URL set)',
          verdict: 'not measured',
        }
      : {
          target: 'search p50 embedded <= Elasticsearch',
          measured: `1 connection: embedded ${fmt(embeddedSearch.p50Ms, 1)} ms, Elasticsearch ${fmt(esSearch.p50Ms, 1)} ms`,
          verdict: embeddedSearch.p50Ms <= esSearch.p50Ms ? 'met' : 'not met',
        },
  );

  const imported = find(results, 'import')?.rows.find((r) => r.baseline !== undefined);
  out.push(
    imported?.opsPerSec === undefined
      ? { target: 'import >= 20,000 records/s (embedded)', measured: 'not measured', verdict: 'not measured' }
      : {
          target: 'import >= 20,000 records/s (embedded)',
          measured: `${fmt(imported.opsPerSec)} records/s (${imported.extra?.records ?? '?'} records, peak RSS ${imported.extra?.peakRssMiB ?? '?'} MiB)`,
          verdict: imported.opsPerSec >= 20_000 ? 'met' : 'not met',
        },
  );

  const rss = Object.entries((http?.meta?.peakRssMiB ?? {}) as Record<string, number>).find(([name]) => name.startsWith('reference'));
  out.push(
    rss === undefined
      ? { target: 'peak RSS <= 250 MB serving 100k records', measured: 'not measured', verdict: 'not measured' }
      : {
          target: 'peak RSS <= 250 MB serving 100k records',
          measured: `${fmt(rss[1] / MB_IN_MIB)} MB (${fmt(rss[1])} MiB) over every HTTP scenario, ${rss[0]}`,
          verdict: rss[1] / MB_IN_MIB <= 250 ? 'met' : 'not met',
        },
  );
  return out;
}

function table(result: SuiteResult): string[] {
  const lines = [`### ${result.suite}`, '', '| name | ops/s | p50 ms | p99 ms | errors | ratio |', '|---|---:|---:|---:|---:|---:|'];
  for (const row of result.rows) {
    const isBaseline = result.rows.some((other) => other.baseline === row.name);
    const ratio = row.ratio === undefined ? (isBaseline ? 'baseline' : '') : `${row.ratio.toFixed(2)}x`;
    lines.push(`| ${row.name} | ${fmt(row.opsPerSec)} | ${fmt(row.p50Ms, 3)} | ${fmt(row.p99Ms, 3)} | ${row.errors ?? ''} | ${ratio} |`);
  }
  const hotspots = result.meta?.hotspots as Record<string, ProfileSummary> | undefined;
  for (const [scenario, summary] of Object.entries(hotspots ?? {})) {
    lines.push('', `Top self time under ${scenario}:`, '', '| self % | function (file:line) |', '|---:|---|');
    for (const h of summary.hotspots.slice(0, 10)) lines.push(`| ${(h.share * 100).toFixed(1)} | ${h.where} |`);
    lines.push(
      '',
      `By package: ${summary.byPackage
        .slice(0, 8)
        .map((p) => `${p.name} ${(p.share * 100).toFixed(0)}%`)
        .join(', ')}`,
    );
  }
  const skipped = result.notes.filter((n) => /skipped|not measured|not applied/.test(n));
  if (skipped.length > 0) lines.push('', ...skipped.map((n) => `- ${n}`));
  return [...lines, ''];
}

/** Suite files under bench/results/, in run order (micro first), newest figures of each suite. */
function allSuiteFiles(): string[] {
  const order = ['micro', 'import', 'scale', 'http', 'profile', 'engines'];
  const rank = (f: string) => {
    const i = order.findIndex((o) => basename(f).startsWith(o));
    return i === -1 ? order.length : i;
  };
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(RESULTS_DIR, f))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Write bench/results/SUMMARY.md: the latest result of every suite under bench/results/ (this run's
 * and, for suites it did not run, earlier ones, each with its date); returns its path.
 */
export function writeSummary(files: string[], options: { command: string; failures: string[] }): string {
  const thisRun = new Set(files);
  const results = allSuiteFiles().map((f) => ({ ...(JSON.parse(readFileSync(f, 'utf8')) as SuiteResult), current: thisRun.has(f) }));
  const machine = results.find((r) => r.current)?.machine ?? results[0]?.machine;
  const pinning = results.map((r) => (r.meta?.pinning as { description?: string } | undefined)?.description).find(Boolean);
  const earlier = results.filter((r) => !r.current);
  const lines = [
    '# Benchmark summary',
    '',
    `Latest run: \`${options.command}\`${machine ? `, ${machine.date}` : ''} (suites: ${
      results
        .filter((r) => r.current)
        .map((r) => r.suite)
        .join(', ') || 'none'
    }).`,
    earlier.length > 0 ? `Also shown, from earlier runs: ${earlier.map((r) => `${r.suite} (${r.machine.date})`).join(', ')}.` : '',
    machine ? `Machine: ${machine.cpuCount} CPU (${machine.cpuModel}), ${machine.totalMemGiB} GiB, Node ${machine.node}.` : '',
    pinning ? `${pinning}.` : '',
    'Every figure was measured beside its baseline in the same run; ratios are to that baseline (1.00x = as fast).',
    'Full figures, notes and settings: the JSON files next to this one.',
    '',
    '## Targets (issue 12)',
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    ...targets(results).map((t) => `| ${t.target} | ${t.measured} | ${t.verdict} |`),
    '',
    '## Suites',
    '',
    ...results.flatMap(table),
  ];
  if (options.failures.length > 0) lines.push('## Failures', '', ...options.failures.map((f) => `- ${f}`), '');
  const file = join(RESULTS_DIR, 'SUMMARY.md');
  writeFileSync(file, `${lines.filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n')}\n`);
  return file;
}
