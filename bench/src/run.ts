// The bench runner: `node src/run.ts [suite...] [options]` (`./recordkit bench` builds first, then runs
// this). Runs the named suites (all by default), prints each table with absolute figures and ratios to
// its baseline, saves bench/results/<suite>.json with the machine facts and writes
// bench/results/SUMMARY.md for the run. A suite that fails is reported and the others still run.

import { type BenchOptions, parseOptions, USAGE } from './lib/options.ts';
import { setUpPinning } from './lib/pinning.ts';
import { enginesSuite } from './suites/engines.ts';
import { httpSuite } from './suites/http.ts';
import { importSuite } from './suites/import.ts';
import { microSuite } from './suites/micro.ts';
import { profileSuite } from './suites/profile.ts';
import { scaleSuite } from './suites/scale.ts';
import { writeSummary } from './summary.ts';

let parsed: BenchOptions | 'help';
try {
  parsed = parseOptions(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const options = parsed;
const started = performance.now();
console.log(`bench: suites ${options.suites.join(', ')}; ${setUpPinning().description}`);

const files: string[] = [];
const failures: string[] = [];

async function step(name: string, run: () => Promise<string | string[] | undefined>): Promise<void> {
  try {
    const saved = await run();
    if (typeof saved === 'string') files.push(saved);
    else if (saved) files.push(...saved);
  } catch (e) {
    const message = `${name}: ${(e as Error).stack ?? String(e)}`;
    failures.push(message.split('\n').slice(0, 4).join(' '));
    console.error(`\nbench: suite ${message}`);
  }
}

for (const suite of options.suites) {
  switch (suite) {
    case 'micro':
      await step('micro', async () => {
        const result = microSuite();
        failures.push(...result.failures);
        return result.files;
      });
      break;
    case 'import':
      await step('import', () => importSuite(options));
      break;
    case 'scale':
      await step('scale', () => scaleSuite(options));
      break;
    case 'http':
      await step('http', () => httpSuite(options));
      break;
    case 'profile':
      await step('profile', () => profileSuite(options));
      break;
    case 'engines':
      await step('engines', () => enginesSuite(options));
      break;
  }
}

const command = `node src/run.ts ${process.argv.slice(2).join(' ')}`.trim();
const summary = writeSummary(files, { command, failures });
console.log(`\nbench: ${files.length} result file(s) and ${summary} written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (failures.length > 0) {
  console.error(`bench: ${failures.length} failure(s):\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exitCode = 1;
}
