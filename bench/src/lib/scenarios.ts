// The HTTP scenarios of issue 12, built against any server that speaks the records wire format
// (`/records/:id` with ETag, POST to `/records/`, PUT with If-Match, search and export on the list
// route). Each scenario cycles over many records or queries, so no answer is served from one hot row.
import { type LoadRequest, request, type Scenario } from './load.ts';
import type { ServerProcess } from './process.ts';

/** A server under test: how to start it and what to send it. */
export interface Target {
  /** Row label prefix. */
  name: string;
  start(): Promise<ServerProcess>;
  /** The scenarios to run against a started server, in order (reads before writes). */
  scenarios(server: ServerProcess): Promise<Scenario[]>;
  /** One line on what this server is, for the notes. */
  describe?: string;
}

export interface RecordsApi {
  url: string;
  /** Ids of records that exist and that the scenarios may read (and, the last ones, overwrite). */
  ids: string[];
  /** Extra headers for writes (`Authorization`). */
  writeHeaders?: Record<string, string>;
  /** A new record's metadata, different for each `i`. */
  newRecord: (i: number) => Record<string, unknown>;
}

const JSON_HEADERS = { accept: 'application/json' };

function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to cycle over');
  let i = 0;
  return () => items[i++ % items.length] as T;
}

/** A response header by name, whatever case the server wrote it in. */
function headerValue(headers: Record<string, string | string[]>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  return undefined;
}

/** GET a record, 200. */
export function getRecord(api: RecordsApi): Scenario {
  const paths = api.ids.slice(0, 5_000).map((id) => `/records/${id}`);
  const next = cycle(paths);
  return { name: 'GET a record', expectStatus: 200, next: () => ({ request: { method: 'GET', path: next(), headers: JSON_HEADERS } }) };
}

/** Fetch the current ETag of each record (in parallel, a few at a time). */
async function etagsOf(api: RecordsApi, ids: string[]): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 16) {
    await Promise.all(
      ids.slice(i, i + 16).map(async (id) => {
        const r = await request(api.url, { path: `/records/${id}`, headers: JSON_HEADERS });
        const etag = r.headers.get('etag');
        if (r.status !== 200 || !etag)
          throw new Error(`GET /records/${id}: ${r.status}, ETag ${etag ?? 'missing'}: ${r.text.slice(0, 200)}`);
        etags.set(id, etag);
      }),
    );
  }
  return etags;
}

/** GET a record with the If-None-Match of its current ETag, 304. */
export async function conditionalGet(api: RecordsApi): Promise<Scenario> {
  const etags = await etagsOf(api, api.ids.slice(0, 500));
  const requests: LoadRequest[] = [...etags].map(([id, etag]) => ({
    method: 'GET',
    path: `/records/${id}`,
    headers: { ...JSON_HEADERS, 'if-none-match': etag },
  }));
  const next = cycle(requests);
  return { name: 'conditional GET (304)', expectStatus: 304, next: () => ({ request: next() }) };
}

/** POST a new record, 201. */
export function postCreate(api: RecordsApi): Scenario {
  const bodies = Array.from({ length: 1_000 }, (_, i) => JSON.stringify(api.newRecord(i)));
  const next = cycle(bodies);
  return {
    name: 'POST create',
    expectStatus: 201,
    next: () => ({
      request: {
        method: 'POST',
        path: '/records/',
        headers: { ...JSON_HEADERS, 'content-type': 'application/json', ...api.writeHeaders },
        body: next(),
      },
    }),
  };
}

/**
 * PUT a record with If-Match of its current ETag, 200. Each connection takes a record nobody else is
 * writing, sends its ETag, and hands it back with the new ETag from the response, so a 412 means the
 * server lost an update, not that two bench connections raced. Records whose response a run never saw
 * (in flight when it stopped) get their ETag re-read before the next run.
 */
export async function putIfMatch(api: RecordsApi, connections: number): Promise<Scenario> {
  const pool = api.ids.slice(-Math.max(4 * connections, 64));
  const etags = await etagsOf(api, pool);
  const bodies = new Map<string, string>();
  for (const id of pool) {
    const r = await request(api.url, { path: `/records/${id}`, headers: JSON_HEADERS });
    bodies.set(id, JSON.stringify((JSON.parse(r.text) as { metadata: Record<string, unknown> }).metadata));
  }
  const free = [...pool];
  const inFlight = new Set<string>();
  let fallback = 0;
  return {
    name: 'PUT with If-Match',
    expectStatus: 200,
    prepare: async () => {
      const unseen = [...inFlight];
      inFlight.clear();
      for (const [id, etag] of await etagsOf(api, unseen)) etags.set(id, etag);
      free.push(...unseen);
    },
    next: () => {
      // Only when more connections than records are in flight; then a 412 is possible.
      const id = free.shift() ?? (pool[fallback++ % pool.length] as string);
      inFlight.add(id);
      return {
        request: {
          method: 'PUT',
          path: `/records/${id}`,
          headers: { ...JSON_HEADERS, 'content-type': 'application/json', 'if-match': etags.get(id) ?? '*', ...api.writeHeaders },
          body: bodies.get(id) ?? '{}',
        },
        done: (status, headers) => {
          const etag = headerValue(headers, 'etag');
          if (status === 200 && etag) etags.set(id, etag);
          inFlight.delete(id);
          free.push(id);
        },
      };
    },
  };
}

/** A search with text, two facet filters and a sort, cycling over `queries` (paths with query strings). */
export function search(queries: string[]): Scenario {
  const next = cycle(queries);
  return {
    name: 'search: text + 2 facets + sort',
    expectStatus: 200,
    next: () => ({ request: { method: 'GET', path: next(), headers: JSON_HEADERS } }),
  };
}

/** One page of the export route, cycling over `paths`. */
export function exportPage(paths: string[]): Scenario {
  const next = cycle(paths);
  return { name: 'export: one page', expectStatus: 200, next: () => ({ request: { method: 'GET', path: next() } }) };
}
