// Micro-benchmarks: every `src/micro-*.ts`, each in its own process (a fresh heap and JIT, no state
// from an earlier benchmark), on the server CPU. Each one prints its table and saves its own JSON
// through report.ts; this suite only runs them and collects the files.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onServerCpu } from '../lib/pinning.ts';
import { RESULTS_DIR } from '../report.ts';

const SRC = join(import.meta.dirname, '..');

/** The micro-benchmark files present (micro-query.ts joins when query-builder's engineer adds it). */
export function microBenchmarks(): string[] {
  return readdirSync(SRC)
    .filter((f) => /^micro-.*\.ts$/.test(f))
    .sort();
}

/** Run every micro-benchmark; returns the saved JSON paths and the failures (file: reason). */
export function microSuite(): { files: string[]; failures: string[] } {
  const files: string[] = [];
  const failures: string[] = [];
  for (const file of microBenchmarks()) {
    console.log(`\n# ${file}`);
    const started = Date.now();
    const [command, args] = onServerCpu(process.execPath, [join(SRC, file)]);
    const r = spawnSync(command, args, { stdio: 'inherit', cwd: join(SRC, '..') });
    const saved = join(RESULTS_DIR, `${file.replace(/\.ts$/, '')}.json`);
    if (r.status === 0 && existsSync(saved) && statSync(saved).mtimeMs >= started) files.push(saved);
    else failures.push(`${file}: exit ${r.status ?? r.signal}`);
  }
  return { files, failures };
}
