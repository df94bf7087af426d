#!/usr/bin/env node
// Dependency audit of what the published packages and the reference server install:
// `pnpm audit --prod --json`, judged here so the outcome is one of three, each with its own exit status:
//
//   0  clean: the advisory database knows no vulnerability in any production dependency, or only ones
//      justified in pnpm-workspace.yaml (`auditConfig.ignoreGhsas`, each with its reason in
//      docs/security.md, "Dependency audit")
//   1  findings: each printed as `package@version GHSA-… severity title (patched: range)`
//   3  not run: the registry's advisory endpoint could not be reached or refused the request (some
//      registry mirrors answer `405` to its POST); the test command counts this as skipped, not passed
//
//   node scripts/audit.mjs [--json FILE] [--from REPORT]
//
// --json writes the outcome as JSON; --from judges a saved `pnpm audit --prod --json` report instead of
// running pnpm (to check this script itself, or an audit taken on a machine that reaches the endpoint).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const jsonIndex = process.argv.indexOf('--json');
const jsonFile = jsonIndex > 0 ? process.argv[jsonIndex + 1] : undefined;

const fromIndex = process.argv.indexOf('--from');
const r =
  fromIndex > 0
    ? { status: 0, stdout: readFileSync(process.argv[fromIndex + 1], 'utf8'), stderr: '' }
    : spawnSync('pnpm', ['audit', '--prod', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const output = `${r.stdout ?? ''}`;
let report;
try {
  report = JSON.parse(output);
} catch {
  report = undefined;
}

function finish(status, summary, findings = []) {
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ status, summary, findings }, null, 2)}\n`);
  console.log(summary);
  process.exit(status === 'clean' ? 0 : status === 'findings' ? 1 : 3);
}

if (!report || report.error || !report.advisories) {
  const reason = `${report?.error?.message ?? ''}${r.stderr ?? ''}${report ? '' : output}`.trim().split('\n')[0];
  finish('unavailable', `dependency audit NOT RUN: the advisory endpoint could not be used (${reason || `exit ${r.status}`})`);
}

const findings = Object.values(report.advisories).map((a) => ({
  package: a.module_name,
  versions: [...new Set((a.findings ?? []).map((f) => f.version))],
  ghsa: a.github_advisory_id ?? String(a.id),
  severity: a.severity,
  title: a.title,
  patched: a.patched_versions,
}));
for (const f of findings) {
  console.log(`${f.package}@${f.versions.join(',')} ${f.ghsa} ${f.severity} ${f.title} (patched: ${f.patched})`);
}
const counted = report.metadata?.dependencies ?? 'all';
if (findings.length === 0) finish('clean', `dependency audit: no known vulnerability in ${counted} production dependencies`);
finish(
  'findings',
  `dependency audit: ${findings.length} advisories (fix, or justify in pnpm-workspace.yaml and docs/security.md)`,
  findings,
);
