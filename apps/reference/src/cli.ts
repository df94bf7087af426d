#!/usr/bin/env node
// The `recordkit` command. Everything lives in cli/main.ts so tests can run commands in-process.
import { main } from './cli/main.js';

const stopSignal = new Promise<string>((resolve) => {
  process.once('SIGTERM', () => resolve('SIGTERM'));
  process.once('SIGINT', () => resolve('SIGINT'));
});

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stopSignal }).then(
  (code) => {
    process.exitCode = code;
    // Signal handlers and pooled connections must not keep a finished command alive.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`recordkit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
