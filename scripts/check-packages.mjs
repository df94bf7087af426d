#!/usr/bin/env node
// Packaging check: every public package is packed with `pnpm pack` (so publishConfig applies),
// installed from its tarball into a scratch project outside the workspace, imported with both
// `import` and `require`, and checked with publint and @arethetypeswrong/cli.
// Prints one line per check and, with --json FILE, writes {passed, failed, results} for scripts/test.mjs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });

const all = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);
const selected = all.filter(({ pkg }) => !only || pkg.name === only || pkg.name.endsWith(`/${only}`));
// With --only, the workspace packages the selected one depends on are packed and installed too (they
// are not on the registry), but only the selected package is checked.
const byName = new Map(all.map((p) => [p.pkg.name, p]));
const packages = [];
const visit = (p) => {
  if (packages.includes(p)) return;
  packages.push(p);
  for (const dep of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) {
    const workspaceDep = byName.get(dep);
    if (workspaceDep) visit(workspaceDep);
  }
};
for (const p of selected) visit(p);
const checked = new Set(selected.map((p) => p.pkg.name));

const scratch = mkdtempSync(join(tmpdir(), 'recordkit-pack-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
const results = [];
const record = (name, ok, detail = '') => {
  results.push({ name, ok, detail });
  console.log(`${ok ? '  ok  ' : ' FAIL '} ${name}${ok || !detail ? '' : `\n${detail.trim().replace(/^/gm, '        ')}`}`);
};
const errText = (e) => `${e.stdout ?? ''}${e.stderr ?? ''}` || String(e.message ?? e);

try {
  const files = new Map();
  for (const { dir, pkg } of packages) {
    try {
      const before = new Set(readdirSync(tarballs));
      run('pnpm', ['pack', '--pack-destination', tarballs], dir);
      const file = readdirSync(tarballs).find((f) => !before.has(f));
      files.set(pkg.name, join(tarballs, file));
      if (checked.has(pkg.name)) record(`${pkg.name}: pnpm pack`, true);
    } catch (e) {
      record(`${pkg.name}: pnpm pack`, false, errText(e));
    }
  }

  const app = join(scratch, 'app');
  mkdirSync(app);
  const overrides = Object.fromEntries([...files].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, dependencies: overrides, overrides }, null, 2));
  let installed = false;
  try {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app);
    installed = true;
    record('install every tarball into a scratch project', true);
  } catch (e) {
    record('install every tarball into a scratch project', false, errText(e));
  }

  for (const { pkg } of packages) {
    const file = files.get(pkg.name);
    if (!file || !checked.has(pkg.name)) continue;
    if (installed) {
      for (const [how, code, type] of [
        ['import', `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length);`, 'module'],
        ['require', `const m = require(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length);`, 'commonjs'],
      ]) {
        try {
          run(process.execPath, ['--input-type', type, '-e', code], app);
          record(`${pkg.name}: ${how}`, true);
        } catch (e) {
          record(`${pkg.name}: ${how}`, false, errText(e));
        }
      }
    }
    const unpacked = join(scratch, 'unpacked', pkg.name.replace('/', '+'));
    mkdirSync(unpacked, { recursive: true });
    try {
      run('tar', ['-xzf', file, '-C', unpacked, '--strip-components=1'], scratch);
      const out = run(bin('publint'), ['run', unpacked, '--strict'], root);
      record(`${pkg.name}: publint`, true, out);
    } catch (e) {
      record(`${pkg.name}: publint`, false, errText(e));
    }
    try {
      run(bin('attw'), [file, '--format', 'ascii', '--no-emoji'], root);
      record(`${pkg.name}: arethetypeswrong`, true);
    } catch (e) {
      record(`${pkg.name}: arethetypeswrong`, false, errText(e));
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ passed, failed, results }, null, 2));
console.log(`packaging: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
