// Benchmark: the embedded search engine alone, on the `_search` bodies the reference server sends for
// the 12 URLs of its search scenario (`reference-scenarios.ts`: text + two selected facets + a sort,
// three terms aggregations, the anonymous permission filter), captured from the server and kept in
// `lib/reference-search-requests.json`. No HTTP: for iterating on the engine (decisions 120-123).
// Baseline in the same run: the FTS5 match count of the same text (nothing else).
//
// After `pnpm --filter @recordkit/sqlite build` and a bench run that left the dataset in bench/.data:
//   node bench/src/sqlite-reference-search.ts [--records 100000] [--rounds 10] [--relevance]
// --relevance drops the sort (the server's default for a text query: relevance). The engine may add a
// sort index to the dataset on first use, as the server does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';

interface Engine {
  search(index: string, request: unknown): Promise<{ hits: { total: { value: number } } }>;
  close(): Promise<void>;
}
const { SqliteSearchEngine } = (await import(new URL('../../packages/sqlite/dist/index.js', import.meta.url).href)) as {
  SqliteSearchEngine: new (options: { path: string }) => Engine;
};

const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '10' }, relevance: { type: 'boolean' } },
});
const file = join(import.meta.dirname, '..', '.data', `embedded-${args.records}`, 'recordkit.sqlite');
if (!existsSync(file)) throw new Error(`no dataset at ${file}: run \`node src/run.ts scale --sizes=${args.records}\` in bench/ first`);
const requests = (
  JSON.parse(readFileSync(join(import.meta.dirname, 'lib', 'reference-search-requests.json'), 'utf8')) as Record<string, unknown>[]
).map((request) => {
  if (!args.relevance) return request;
  const { sort: _sort, ...rest } = request;
  return rest;
});
const texts = requests.map((r) => (r.query as { bool: { must: { query_string: { query: string } }[] } }).bool.must[0]!.query_string.query);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} ms`;
};

const engine = new SqliteSearchEngine({ path: file });
const timed = async (request: unknown) => {
  const start = performance.now();
  await engine.search('records', structuredClone(request));
  return performance.now() - start;
};
// The first search after opening takes the SQL plan; the second reads the doc values it needs (121).
console.log(
  `first search: ${(await timed(requests[0])).toFixed(0)} ms; second (reads doc values): ${(await timed(requests[0])).toFixed(0)} ms`,
);
for (const request of requests) await timed(request);

const db = new DatabaseSync(file, { readOnly: true });
const ordinal = (db.prepare("SELECT ordinal FROM search_indexes WHERE name = 'records'").get() as { ordinal: number }).ordinal;
const fts = db.prepare(`SELECT count(*) AS c FROM search_${ordinal}_fts WHERE search_${ordinal}_fts MATCH ?`);
const search: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [i, request] of requests.entries()) {
    search.push(await timed(request));
    const start = performance.now();
    fts.get(
      texts[i]!.split(' ')
        .map((w) => `"${w}"`)
        .join(' OR '),
    );
    baseline.push(performance.now() - start);
  }
}
console.log(`${args.relevance ? 'relevance-sorted' : 'field-sorted'} reference searches at ${args.records} records: ${summary(search)}`);
console.log(`baseline, FTS5 match count of the same text: ${summary(baseline)}`);
db.close();
await engine.close();
