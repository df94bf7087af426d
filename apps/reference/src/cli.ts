#!/usr/bin/env -S node --max-semi-space-size=16
// The `recordkit` command. Everything lives in cli/main.ts so tests can run commands in-process.
// The flag caps V8's young generation: by default V8 sizes it by physical memory (128 MiB of new space
// on a 24 GiB machine), which alone put a busy server past 250 MB RSS; 16 MiB semi-spaces keep it near
// 180 MiB at 100k records (decision 138). `./recordkit start` and the bench start it the same way.
import { main } from './cli/main.js';

const stopSignal = new Promise<string>((resolve) => {
  process.once('SIGTERM', () => resolve('SIGTERM'));
  process.once('SIGINT', () => resolve('SIGINT'));
});

/**
 * Resolves once everything written to `stream` so far has been handed to the OS. On POSIX, writes to a
 * pipe are asynchronous: `process.exit` right after the last `write` drops whatever is still queued
 * (the tail of `recordkit export | ...`, or the summary line of an import read by a script).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

async function exit(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // Signal handlers and pooled connections must not keep a finished command alive.
  process.exit(code);
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stopSignal }).then(
  (code) => exit(code),
  (error: unknown) => {
    process.stderr.write(`recordkit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exit(1);
  },
);
