#!/usr/bin/env node
// The whole test run: build, lint, type-check, start the external services the suites need,
// run every vitest suite, fuzz the reference server's OpenAPI contract with schemathesis, run the
// packaging check, then print one closing line
// `N passed, N failed[, N skipped]` and exit non-zero on any failure.
//
// Services: every executable `scripts/services/<name>.sh` is called as `<name>.sh up`; it prints
// `KEY=VALUE` lines (e.g. DATABASE_URL=...) that are passed to the tests. If a service cannot be had,
// its suites skip with a loud message, except when CI=true, where that is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const ci = process.env.CI === 'true';
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

function step(name, cmd, args, options = {}) {
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...options.env } });
  const ok = r.status === 0;
  if (options.count !== false) {
    if (ok) passed++;
    else {
      failed++;
      failures.push(name);
    }
  }
  return ok;
}

// Contract fuzzing (scripts/schemathesis.sh) of the built reference server: one passed/failed count per
// operation (and one for the stateful phase) from schemathesis's JUnit report. Deterministic generation
// with 25 examples per operation keeps it under two minutes. Without Python 3 + venv (or PyPI for the
// first install) the script exits 3: a loud skip, or a failure under CI=true, as for the services.
function schemathesisStep() {
  const reportDir = join(resultsDir, 'schemathesis');
  console.log('\n=== contract fuzzing (scripts/schemathesis.sh)');
  const r = spawnSync('bash', [join(root, 'scripts', 'schemathesis.sh')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MAX_EXAMPLES: '25', SCHEMATHESIS_REPORT_DIR: reportDir, NO_COLOR: '1' },
  });
  if (r.status === 3) {
    if (ci) {
      failed++;
      failures.push('schemathesis could not run (Python 3 with venv, or PyPI, unavailable; CI=true: this is a failure, not a skip)');
    } else {
      skipped++;
      console.warn('\n!!! contract fuzzing SKIPPED: Python 3 with venv (or PyPI, for the first install) is unavailable; see above.\n');
    }
    return;
  }
  const report = existsSync(reportDir) ? readdirSync(reportDir).find((f) => f.endsWith('.xml')) : undefined;
  const cases = report
    ? [...readFileSync(join(reportDir, report), 'utf8').matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)]
    : [];
  if (cases.length === 0) {
    failed++;
    failures.push(`schemathesis produced no report (exit ${r.status})`);
    return;
  }
  for (const [, name, , inner = ''] of cases) {
    if (/<(failure|error)\b/.test(inner)) {
      failed++;
      failures.push(`schemathesis: ${name.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>')}`);
    } else passed++;
  }
  if (r.status !== 0 && !cases.some(([, , , inner = '']) => /<(failure|error)\b/.test(inner))) {
    failed++;
    failures.push(`schemathesis exited ${r.status} with every operation passing`);
  }
}

const env = {};
const down = [];
const servicesDir = join(root, 'scripts', 'services');
for (const file of existsSync(servicesDir) ? readdirSync(servicesDir).sort() : []) {
  if (!file.endsWith('.sh')) continue;
  const name = file.slice(0, -3);
  console.log(`\n=== service ${name}: starting`);
  const r = spawnSync('bash', [join(servicesDir, file), 'up'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env },
  });
  if (r.status === 0) {
    for (const line of r.stdout.split('\n')) {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (m) env[m[1]] = m[2];
    }
    down.push(file);
    passed++;
    console.log(`service ${name}: up (${Object.keys(env).join(', ')})`);
  } else if (ci) {
    failed++;
    failures.push(`service ${name} could not be started (CI=true: this is a failure, not a skip)`);
  } else {
    console.warn(
      `\n!!! service ${name} could not be started: its suites will be SKIPPED. Run \`bash scripts/services/${file} up\` to see why.\n`,
    );
  }
}

try {
  if (!step('build (turbo run build)', 'pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'])) {
    console.error('build failed: later steps may fail for the same reason');
  }
  step('lint (biome check)', 'pnpm', ['exec', 'biome', 'check', '.']);
  step('typecheck (turbo run typecheck)', 'pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']);

  const vitestJson = join(resultsDir, 'vitest.json');
  step(
    'vitest',
    'pnpm',
    ['exec', 'vitest', 'run', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
    {
      count: false,
      env: { ...env, RECORDKIT_REQUIRE_SERVICES: ci ? '1' : '' },
    },
  );
  if (existsSync(vitestJson)) {
    const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    if (report.numFailedTests) failures.push(`${report.numFailedTests} vitest test(s)`);
    // A suite that fails to load has no tests to count: count the file itself as failed.
    const broken = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
    failed += broken.length;
    for (const f of broken) failures.push(`test file failed to run: ${f.name}`);
  } else {
    failed++;
    failures.push('vitest produced no report');
  }

  schemathesisStep();

  const packJson = join(resultsDir, 'packaging.json');
  console.log('\n=== packaging check');
  spawnSync(process.execPath, [join(root, 'scripts', 'check-packages.mjs'), '--json', packJson], { cwd: root, stdio: 'inherit' });
  if (existsSync(packJson)) {
    const report = JSON.parse(readFileSync(packJson, 'utf8'));
    passed += report.passed;
    failed += report.failed;
    if (report.failed) failures.push(`${report.failed} packaging check(s)`);
  } else {
    failed++;
    failures.push('packaging check produced no report');
  }

  // Dependency audit (scripts/audit.mjs): passed when clean, failed on an unjustified advisory, skipped
  // (loudly) when the registry's advisory endpoint cannot be used from this machine.
  console.log('\n=== dependency audit (pnpm audit --prod)');
  const audit = spawnSync(process.execPath, [join(root, 'scripts', 'audit.mjs')], { cwd: root, stdio: 'inherit' });
  if (audit.status === 0) passed++;
  else if (audit.status === 3) {
    skipped++;
    console.warn('\n!!! dependency audit SKIPPED: see docs/security.md, "Dependency audit"\n');
  } else {
    failed++;
    failures.push('dependency audit');
  }
} finally {
  for (const file of down.reverse()) {
    spawnSync('bash', [join(servicesDir, file), 'down'], { cwd: root, stdio: 'inherit' });
  }
}

if (failures.length) console.log(`\nfailures:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed ? 1 : 0;
