// The load generator: autocannon, in this process (pinned to the load CPU), with the same connections and
// duration for every server and scenario. A scenario is one kind of request (or a generator of them); the
// expected status is part of it, so a 404 or 412 storm shows up as errors instead of as speed.
import autocannon from 'autocannon';

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
}

type Context = { done?: (status: number, headers: Record<string, string | string[]>) => void };

function requestsOf(scenario: Scenario): autocannon.Request[] {
  const next = scenario.next;
  if (next) {
    return [
      {
        setupRequest: (_request, context) => {
          const { request, done } = next();
          (context as Context).done = done;
          return {
            method: request.method,
            path: request.path,
            headers: request.headers ?? {},
            ...(request.body ? { body: request.body } : {}),
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

async function fire(url: string, scenario: Scenario, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    requests: requestsOf(scenario),
  });
}

/** Warm up, then measure one scenario against one server. */
export async function runScenario(url: string, scenario: Scenario, options: LoadOptions): Promise<LoadResult> {
  if (options.warmup > 0) await fire(url, scenario, options.connections, options.warmup);
  const result = await fire(url, scenario, options.connections, options.duration);
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) {
    const count = stat?.count ?? 0;
    statuses[status] = count;
    if (Number(status) !== scenario.expectStatus) unexpected += count;
  }
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    reqPerSec: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + unexpected,
    requests,
    statuses,
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
