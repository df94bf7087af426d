// The load generator: autocannon, in this process (pinned to the load CPU), with the same connections and
// duration for every server and scenario. A scenario is one kind of request (or a generator of them); the
// expected status is part of it, so a 404 or 412 storm shows up as errors instead of as speed.
import autocannon from 'autocannon';
import { cpuSeconds, waitIdle } from './process.ts';

/** One request, as autocannon sends it. */
export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Scenario {
  name: string;
  /** What a correct answer looks like; anything else counts as an error. */
  expectStatus: number;
  /** The same request every time... */
  request?: LoadRequest;
  /**
   * ...or a new one per request. `done` is called with the response status and headers, for scenarios
   * that carry state from a response to a later request (the ETag for the next If-Match).
   */
  next?: () => { request: LoadRequest; done?: (status: number, headers: Record<string, string | string[]>) => void };
  /**
   * Called before each load run. A run ends with requests in flight whose responses are never seen;
   * a stateful scenario re-reads what they may have changed here.
   */
  prepare?: () => Promise<void>;
}

export interface LoadOptions {
  connections: number;
  /** Seconds. */
  duration: number;
  /** Seconds of unrecorded load first (0 for none). */
  warmup: number;
}

export interface LoadResult {
  /** Completed responses per second over the measured run. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and responses whose status was not the expected one. */
  errors: number;
  requests: number;
  statuses: Record<string, number>;
  /**
   * Share of one core the server process was busy during the measured run (0..1), when its pid is known.
   * Well below 1 means the server waited for requests: the load generator, not the server, set the pace.
   */
  serverCpu?: number;
}

type Context = { done?: (status: number, headers: Record<string, string | string[]>) => void };

function requestsOf(scenario: Scenario): autocannon.Request[] {
  const next = scenario.next;
  if (next) {
    return [
      {
        // Keep what autocannon filled in (host, port): without them the request says `Host: undefined:undefined`.
        setupRequest: (defaults, context) => {
          const { request, done } = next();
          (context as Context).done = done;
          return {
            ...defaults,
            method: request.method,
            path: request.path,
            headers: { ...defaults.headers, ...request.headers },
            body: request.body ?? '',
          };
        },
        onResponse: (status, _body, context, headers) => {
          (context as Context).done?.(status, (headers ?? {}) as Record<string, string | string[]>);
        },
      },
    ];
  }
  const request = scenario.request;
  if (!request) throw new Error(`scenario ${scenario.name}: neither request nor next`);
  return [{ method: request.method, path: request.path, headers: request.headers ?? {}, ...(request.body ? { body: request.body } : {}) }];
}

interface Slice {
  seconds: number;
  /** CPU seconds the server used during the slice. */
  serverCpuSeconds?: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
}

/**
 * One autocannon run. Latencies are taken from every response as it arrives (in ms, with autocannon's
 * hrtime precision) instead of from its histogram, which rounds to whole milliseconds and cannot be
 * merged across runs.
 */
async function fire(
  url: string,
  scenario: Scenario,
  connections: number,
  seconds: number,
  latencies?: number[],
  pid?: number,
): Promise<Slice> {
  await scenario.prepare?.();
  const cpuBefore = pid === undefined ? undefined : cpuSeconds(pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, pipelining: 1, timeout: 10, requests: requestsOf(scenario) },
      (error, result) => {
        if (error) return reject(error);
        const statuses: Record<string, number> = {};
        let unexpected = 0;
        for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) {
          const count = stat?.count ?? 0;
          statuses[status] = count;
          if (Number(status) !== scenario.expectStatus) unexpected += count;
        }
        const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
        const cpuAfter = pid === undefined ? undefined : cpuSeconds(pid);
        resolve({
          seconds: result.duration,
          requests,
          errors: result.errors + unexpected,
          statuses,
          ...(cpuBefore !== undefined && cpuAfter !== undefined ? { serverCpuSeconds: cpuAfter - cpuBefore } : {}),
        });
      },
    );
    if (latencies) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function combine(slices: Slice[], latencies: number[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const slice of slices) for (const [status, n] of Object.entries(slice.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const requests = slices.reduce((a, s) => a + s.requests, 0);
  const seconds = slices.reduce((a, s) => a + s.seconds, 0);
  const sorted = Float64Array.from(latencies).sort();
  const cpu = slices.every((s) => s.serverCpuSeconds !== undefined) ? slices.reduce((a, s) => a + (s.serverCpuSeconds ?? 0), 0) : undefined;
  return {
    ...(cpu !== undefined ? { serverCpu: cpu / seconds } : {}),
    reqPerSec: requests / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors: slices.reduce((a, s) => a + s.errors, 0),
    requests,
    statuses,
  };
}

/** Warm up, then measure one scenario against one server (`pid`: the server's, for its CPU share). */
export async function runScenario(url: string, scenario: Scenario, options: LoadOptions, pid?: number): Promise<LoadResult> {
  if (options.warmup > 0) await fire(url, scenario, options.connections, options.warmup);
  if (pid !== undefined) await waitIdle(pid);
  const latencies: number[] = [];
  const slice = await fire(url, scenario, options.connections, options.duration, latencies, pid);
  return combine([slice], latencies);
}

/**
 * Measure a scenario and its baseline interleaved: `rounds` slices of each, alternating which goes
 * first (B T, T B, B T...), so load that other processes put on the machine during the run falls on both
 * alike. Each side's figures are over all its slices; the ratio of the two is the paired ratio.
 */
export async function runPaired(
  baseline: { url: string; scenario: Scenario; pid?: number },
  target: { url: string; scenario: Scenario; pid?: number },
  options: LoadOptions & { rounds: number },
): Promise<{ baseline: LoadResult; target: LoadResult }> {
  if (options.warmup > 0) {
    await fire(baseline.url, baseline.scenario, options.connections, options.warmup);
    await fire(target.url, target.scenario, options.connections, options.warmup);
  }
  if (target.pid !== undefined) await waitIdle(target.pid);
  const seconds = Math.max(1, Math.round(options.duration / options.rounds));
  const sides = {
    baseline: { slices: [] as Slice[], latencies: [] as number[] },
    target: { slices: [] as Slice[], latencies: [] as number[] },
  };
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? (['baseline', 'target'] as const) : (['target', 'baseline'] as const);
    for (const side of order) {
      const { url, scenario, pid } = side === 'baseline' ? baseline : target;
      sides[side].slices.push(await fire(url, scenario, options.connections, seconds, sides[side].latencies, pid));
      if (pid !== undefined) await waitIdle(pid);
    }
  }
  return {
    baseline: combine(sides.baseline.slices, sides.baseline.latencies),
    target: combine(sides.target.slices, sides.target.latencies),
  };
}

/** One request outside the load run (setup and checks): status, headers and body text. */
export async function request(
  url: string,
  init: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${url}${init.path}`, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
