// CPU pinning with taskset (util-linux): the load generator (this process) on one core, every server and
// worker process it starts on another, so they do not take turns on the same core. Whether it could be
// applied, and why not, is part of every result.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  applied: boolean;
  /** CPU of the load generator (this process), when applied. */
  loadCpu?: number;
  /** CPU of the servers and workers, when applied. */
  serverCpu?: number;
  /** One line for the output: what was done, or why not. */
  description: string;
}

let current: Pinning | undefined;

/** CPUs this process may run on, from `taskset -cp <pid>` (e.g. `0-1` or `0,2`). */
function allowedCpus(): number[] | undefined {
  const r = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const list = /:\s*([\d,\s-]+)$/.exec(r.stdout.trim())?.[1];
  if (!list) return undefined;
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to] = part.trim().split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/**
 * Pin this process (the load generator) to the first allowed CPU and remember the second for servers.
 * Idempotent. Never throws: without taskset or a second CPU the run goes on unpinned, and says so.
 */
export function setUpPinning(): Pinning {
  if (current) return current;
  const probe = spawnSync('taskset', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    current = { applied: false, description: 'CPU pinning not applied: taskset (util-linux) is not installed' };
    return current;
  }
  const cpus = allowedCpus();
  if (!cpus || cpus.length < 2) {
    current = {
      applied: false,
      description: `CPU pinning not applied: this process may use ${cpus?.length ?? availableParallelism()} CPU(s), two are needed`,
    };
    return current;
  }
  const [loadCpu, serverCpu] = cpus as [number, number];
  const pin = spawnSync('taskset', ['-cp', String(loadCpu), String(process.pid)], { encoding: 'utf8' });
  if (pin.status !== 0) {
    current = { applied: false, description: `CPU pinning not applied: taskset failed (${pin.stderr.trim()})` };
    return current;
  }
  current = {
    applied: true,
    loadCpu,
    serverCpu,
    description:
      `CPU pinning applied with taskset: load generator on CPU ${loadCpu}, server under test on CPU ${serverCpu}` +
      (cpus.length === 2 ? ' (both cores of this machine; other processes on it still compete for them)' : ''),
  };
  return current;
}

/** The command line that starts `command args` on the server CPU (unchanged when pinning is off). */
export function onServerCpu(command: string, args: string[]): [string, string[]] {
  const pinning = setUpPinning();
  if (!pinning.applied || pinning.serverCpu === undefined) return [command, args];
  return ['taskset', ['-c', String(pinning.serverCpu), command, ...args]];
}
