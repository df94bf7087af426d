// The reference server as a target of the HTTP suite and the scale series: its dataset, its scenarios
// (the record ones of scenarios.ts plus search and export), and the queries they send.
import { dataset } from './datasets.ts';
import { request, type Scenario } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { ServerProcess } from './process.ts';
import { referenceStatus, startReference, WRITE_HEADERS } from './reference.ts';
import { conditionalGet, exportPage, getRecord, postCreate, putIfMatch, type RecordsApi, search, type Target } from './scenarios.ts';

// Text + two facets + a sort, over the demo vocabulary (apps/reference/src/demo/vocabulary.ts). Twelve
// different queries, so the engine cannot answer from one cached plan or page.
const TERMS = ['climate', 'coral reef', 'quantum', 'ecology', 'battery', 'learning', 'migration', 'public health'];
const TYPES = ['article', 'dataset', 'report', 'software'];
const LANGUAGES = ['eng', 'fra', 'deu'];
const SORTS = ['mostrecent', 'publication_date', 'title'];

/** Paths of the search scenario: `q`, `type`, `language` and `sort` on the list route. */
export function searchQueries(): string[] {
  const paths: string[] = [];
  for (let i = 0; i < 12; i++) {
    const params = new URLSearchParams({
      q: TERMS[i % TERMS.length] as string,
      type: TYPES[i % TYPES.length] as string,
      language: LANGUAGES[i % LANGUAGES.length] as string,
      sort: SORTS[i % SORTS.length] as string,
    });
    paths.push(`/records/?${params}`);
  }
  return paths;
}

/** Paths of the export scenario: NDJSON of one term and one type, a few hundred records each. */
export function exportQueries(): string[] {
  return TYPES.flatMap((type, i) => {
    const params = new URLSearchParams({ format: 'ndjson', q: TERMS[i] as string, type, language: 'eng' });
    return [`/records/_export?${params}`];
  });
}

/**
 * Ids of public records, found as an anonymous client would: GET /records/1, /2, ... (the demo's recids)
 * keeping those that answer 200 (restricted ones answer 401/404), a few requests at a time.
 */
export async function publicIds(url: string, wanted: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  const candidates = Math.min(count, Math.ceil(wanted * 1.4));
  for (let start = 1; start <= candidates && ids.length < wanted; start += 32) {
    const batch = Array.from({ length: Math.min(32, candidates - start + 1) }, (_, i) => String(start + i));
    const statuses = await Promise.all(
      batch.map(async (id) => (await request(url, { path: `/records/${id}`, headers: { accept: 'application/json' } })).status),
    );
    batch.forEach((id, i) => {
      if (statuses[i] === 200) ids.push(id);
    });
  }
  if (ids.length === 0) throw new Error('the reference server answers no GET /records/<n> with 200 (are the demo records loaded?)');
  return ids.slice(0, wanted);
}

/** How many records a path's search or export matches (for the notes). */
export async function matches(url: string, path: string): Promise<number> {
  const r = await request(url, { path, headers: { accept: 'application/json' } });
  if (path.includes('_export')) return r.text.split('\n').filter(Boolean).length;
  return (JSON.parse(r.text) as { hits: { total: number } }).hits.total;
}

/**
 * The reference server's scenarios against a started server, reads before writes; search and export
 * only when `withSearch`.
 */
export async function referenceScenarios(server: ServerProcess, options: BenchOptions, withSearch: boolean): Promise<Scenario[]> {
  const ids = await publicIds(server.url, 3_000, options.records);
  const api: RecordsApi = {
    url: server.url,
    ids,
    writeHeaders: WRITE_HEADERS,
    newRecord: (i) => ({
      title: `A benchmark record about coral reef resilience, number ${i}`,
      creators: [{ name: 'Bench, Mark' }],
      type: 'dataset',
      subjects: ['Ecology'],
      publication_date: '2024-05-01',
      description: 'Written by the bench POST scenario.',
      language: 'eng',
      access: 'public',
      owner: 'bench',
    }),
  };
  return [
    getRecord(api),
    await conditionalGet(api),
    ...(withSearch ? [search(searchQueries()), exportPage(exportQueries())] : []),
    postCreate(api),
    await putIfMatch(api, options.connections),
  ];
}

/**
 * The reference server on the embedded default with `options.records` demo records, or why not. `skipped`
 * lists the scenarios it cannot run yet, with the reason.
 */
export async function referenceTarget(options: BenchOptions): Promise<{ target: Target; skipped?: string } | string> {
  const status = await referenceStatus();
  if (status.unavailable) return status.unavailable;
  const { dir } = await dataset(options.records, { reuse: options.reuseData });
  const withSearch = status.searchUnavailable === undefined;
  return {
    target: {
      name: `reference (SQLite, ${options.records.toLocaleString('en-US')} records)`,
      describe: 'apps/reference serve on the embedded default: SQLite store and search, rate limits and request logs off',
      start: () => startReference({ dataDir: dir }),
      scenarios: (server) => referenceScenarios(server, options, withSearch),
    },
    ...(withSearch ? {} : { skipped: `search and export scenarios skipped: ${status.searchUnavailable}` }),
  };
}
