// Micro-benchmark: what @recordkit/query-builder (with @recordkit/facets-sort) costs per search request,
// against parsing the same query string with URLSearchParams alone, the least any handler does. Each task
// runs a batch of calls so that one sample is well above the timer's resolution; ops/s are requests per
// second. Run after `pnpm --filter @recordkit/query-builder --filter @recordkit/facets-sort build`.
import { createFacetsSort } from '@recordkit/facets-sort';
import { createQueryBuilder, parseQueryString } from '@recordkit/query-builder';
import { Bench } from 'tinybench';
import { type Row, report } from './report.ts';

const BATCH = 200;
const BASE = 'https://example.org/records/';

const builder = createQueryBuilder({
  query: { fields: { map: { title: 'metadata.title' } } },
  cursor: { tiebreaker: 'id', secret: 'bench' },
  ...createFacetsSort({
    facets: {
      aggs: {
        type: { terms: { field: 'type' } },
        access: { terms: { field: 'access' } },
        year: { date_histogram: { field: 'created', calendar_interval: 'year' } },
      },
      filters: { access: { type: 'terms', field: 'access' } },
      postFilters: { type: { type: 'terms', field: 'type' }, year: { type: 'range', field: 'year', valueType: 'number' } },
    },
    sort: {
      options: { bestmatch: { fields: ['_score'] }, newest: { fields: ['-created'] } },
      default: { query: 'bestmatch', noquery: 'newest' },
    },
  }),
});

const scenarios: [string, string][] = [
  ['no parameters', ''],
  ['q and page', 'q=open+science&page=2&size=20'],
  [
    'fielded q, facets, sort',
    'q=title:(coral+OR+reef)+AND+year:[2000+TO+*]+AND+NOT+type:retracted&type=dataset&type=software&access=open&year=2010--2020&sort=-newest&facets=type,year&page=3',
  ],
];

// Parse each once up front: a scenario that throws would measure the error path instead.
for (const [name, query] of scenarios) {
  if (!builder.parse(query).body.size) throw new Error(`scenario "${name}" did not parse`);
}

const bench = new Bench({ time: 1_000, warmup: true });
let sink = 0;
for (const [name, query] of scenarios) {
  bench.add(`URLSearchParams: ${name}`, () => {
    for (let i = 0; i < BATCH; i++) for (const [, value] of new URLSearchParams(query)) sink += value.length;
  });
  bench.add(`parse(): ${name}`, () => {
    for (let i = 0; i < BATCH; i++) sink += builder.parse(query).body.size;
  });
  bench.add(`parse() + links(): ${name}`, () => {
    for (let i = 0; i < BATCH; i++) {
      const request = builder.parse(query);
      sink += builder.links(request, { baseUrl: BASE, total: 12345 }).self.length;
    }
  });
}
const q = 'title:(coral OR reef) AND year:[2000 TO *] AND NOT type:retracted';
bench.add('URLSearchParams: q only', () => {
  for (let i = 0; i < BATCH; i++) sink += new URLSearchParams(`q=${encodeURIComponent(q)}`).get('q')?.length ?? 0;
});
bench.add('parseQueryString(): q only', () => {
  for (let i = 0; i < BATCH; i++) sink += parseQueryString(q).clauses.length;
});
await bench.run();

const rows: Row[] = [];
const row = (label: string, baseline?: string) => {
  const result = bench.getTask(label)?.result;
  if (result?.state !== 'completed') throw new Error(`${label}: ${result?.state ?? 'missing'}`);
  rows.push({
    name: label,
    ...(baseline ? { baseline } : {}),
    opsPerSec: result.throughput.mean * BATCH,
    p50Ms: result.latency.p50 / BATCH,
    p99Ms: result.latency.p99 / BATCH,
  });
};
for (const [name] of scenarios) {
  row(`URLSearchParams: ${name}`);
  row(`parse(): ${name}`, `URLSearchParams: ${name}`);
  row(`parse() + links(): ${name}`, `URLSearchParams: ${name}`);
}
row('URLSearchParams: q only');
row('parseQueryString(): q only', 'URLSearchParams: q only');

const file = report('micro-query', rows, [
  `ops/s are requests per second (each sample is a batch of ${BATCH}; p50/p99 are per request). ` +
    'parse() validates every parameter, parses q, applies facets and sort and builds the body; links() adds five URLs. ' +
    'The baseline only splits and decodes the query string.',
  `checksum ${sink}`,
]);
console.log(`\nsaved ${file}`);
