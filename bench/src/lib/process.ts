// Child processes of the bench: servers under test (started on the server CPU, ready when they print
// their address) and workers that run to completion. Peak RSS comes from the kernel (VmHWM), so it
// covers everything the process did, not a sample.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { onServerCpu } from './pinning.ts';

// Every child this process started and that still runs, so an interrupted bench does not leave
// servers behind: on SIGINT or SIGTERM they get SIGTERM, then the bench exits.
const live = new Set<ChildProcess>();
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (live.size === 1 && process.listenerCount('SIGINT') === 0) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const c of live) c.kill('SIGTERM');
        process.exit(130);
      });
    }
  }
}

/** Peak resident set size of a live process in MiB (`VmHWM` in /proc), or undefined off Linux. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Current resident set size of a live process in MiB (`VmRSS`). */
export function rssMiB(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;

/** CPU time (user + system) a live process has used so far, in seconds, from /proc; undefined off Linux. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * Wait until a process is (nearly) idle: under 10% of a core for two 250 ms samples in a row, at most
 * `maxMs`. After a load run stops, the server may still be working through requests whose clients are
 * gone; a measurement that starts before it is done queues behind them.
 */
export async function waitIdle(pid: number, maxMs = 60_000): Promise<void> {
  const until = performance.now() + maxMs;
  let quiet = 0;
  let last = cpuSeconds(pid);
  while (quiet < 2 && performance.now() < until && last !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(pid);
    if (now === undefined) return;
    quiet = now - last < 0.025 ? quiet + 1 : 0;
    last = now;
  }
}

export interface StartOptions {
  /** Shown in errors. */
  name: string;
  /** Arguments to `node` (script first). */
  nodeArgs: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Matched against stdout and stderr lines; group 1 is the base URL, e.g. `http://127.0.0.1:41234`. */
  ready: RegExp;
  timeoutMs?: number;
}

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Peak RSS so far, MiB. */
  peakRssMiB(): number | undefined;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the peak RSS measured just before the signal. */
  stop(): Promise<{ peakRssMiB: number | undefined }>;
  /** The last lines the process wrote (for error messages). */
  output(): string;
}

/** Start a server with `node` on the server CPU and wait until it prints its address. */
export function startServer(options: StartOptions): Promise<ServerProcess> {
  const [command, args] = onServerCpu(process.execPath, options.nodeArgs);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${options.name}: not ready after ${(options.timeoutMs ?? 60_000) / 1000} s\n${tail.join('\n')}`));
    }, options.timeoutMs ?? 60_000);
    const onLine = (line: string) => {
      remember(line);
      const url = options.ready.exec(line)?.[1];
      if (url && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(serverHandle(options.name, url.replace(/\/$/, ''), child, () => tail.join('\n')));
      }
    };
    lines(child.stdout, onLine);
    lines(child.stderr, onLine);
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${options.name}: could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${options.name}: exited before it was ready (code ${code}, signal ${signal})\n${tail.join('\n')}`));
    });
  });
}

function serverHandle(name: string, url: string, child: ChildProcess, output: () => string): ServerProcess {
  const pid = child.pid ?? -1;
  return {
    name,
    url,
    pid,
    peakRssMiB: () => peakRssMiB(pid),
    output,
    stop: async () => {
      const peak = peakRssMiB(pid);
      if (child.exitCode !== null || child.signalCode !== null) return { peakRssMiB: peak };
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return { peakRssMiB: peak };
    },
  };
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
}

export interface WorkerResult {
  code: number | null;
  /** Wall time, ms. */
  elapsedMs: number;
  /** Peak RSS of the worker, MiB, sampled every 200 ms and at exit (VmHWM, so no peak is missed). */
  peakRssMiB: number | undefined;
  stdout: string;
  stderr: string;
}

/** Run `node nodeArgs...` on the server CPU to completion, echoing its stderr, and measure it. */
export function runWorker(
  nodeArgs: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; echo?: boolean } = {},
): Promise<WorkerResult> {
  const [command, args] = onServerCpu(process.execPath, nodeArgs);
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let stdout = '';
  let stderr = '';
  let peak: number | undefined;
  const sample = () => {
    const now = child.pid ? peakRssMiB(child.pid) : undefined;
    if (now !== undefined) peak = Math.max(peak ?? 0, now);
  };
  const sampler = setInterval(sample, 200);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    sample();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (options.echo) process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.once('close', (code) => {
      clearInterval(sampler);
      resolve({ code, elapsedMs: performance.now() - started, peakRssMiB: peak, stdout, stderr });
    });
  });
}
