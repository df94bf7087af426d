// Micro-benchmark: ContentNegotiator.negotiate() against a raw negotiator call on the same mix of Accept
// headers (API clients, curl, axios, browsers). Each sample runs the whole mix several times so that it is
// well above the timer's resolution; ops/s are negotiations per second. Run after
// `pnpm --filter @recordkit/content-negotiation build`.
import { ContentNegotiator } from '@recordkit/content-negotiation';
import Negotiator from 'negotiator';
import { Bench } from 'tinybench';
import { type Row, report } from './report.ts';

const PASSES = 100;
const OFFERS = ['application/json', 'application/ld+json', 'application/xml', 'text/csv'];

/** Request headers as Node hands them over, with the Accept of a scenario. */
const request = (accept: string) => ({
  host: 'localhost:5000',
  'user-agent': 'bench',
  accept,
  'accept-encoding': 'gzip, deflate, br',
  connection: 'keep-alive',
});

// [Accept, what negotiate() answers, what negotiator answers]. They differ where negotiator has a known
// defect or our policy differs (docs/decisions/010-negotiation-policy.md); the work is comparable anyway.
const scenarios: [string, string, string | undefined][] = [
  ['application/json', 'application/json', 'application/json'],
  ['*/*', 'application/json', 'application/json'],
  ['application/json, text/plain, */*', 'application/json', 'application/json'],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json', 'application/xml'],
  ['application/xml', 'application/xml', 'application/xml'],
  ['text/csv;q=0.9, application/json;q=0.5', 'text/csv', 'text/csv'],
  ['application/ld+json', 'application/ld+json', 'application/ld+json'],
  ['application/json; charset=utf-8', 'application/json', undefined],
];
const inputs = scenarios.map(([accept]) => request(accept));

const serializers = Object.fromEntries(OFFERS.map((type) => [type, type]));
const cached = new ContentNegotiator({ serializers, defaultMediaType: 'application/json' });
const uncached = new ContentNegotiator({ serializers, defaultMediaType: 'application/json', cacheSize: 0 });
const raw = (headers: Record<string, string>) => new Negotiator({ headers }).mediaType(OFFERS);

for (const [accept, ours, theirs] of scenarios) {
  for (const [label, negotiator] of [
    ['cached', cached],
    ['uncached', uncached],
  ] as const) {
    const got = negotiator.negotiate({ method: 'GET', headers: request(accept) }).mediaType;
    if (got !== ours) throw new Error(`Accept "${accept}": negotiate() ${label} gave ${got}, expected ${ours}`);
  }
  const got = raw(request(accept));
  if (got !== theirs) throw new Error(`Accept "${accept}": negotiator gave ${got}, expected ${theirs}`);
}

const BATCH = PASSES * inputs.length;
const bench = new Bench({ time: 1_000, warmup: true });
let sink = 0;
bench.add('negotiator.mediaType()', () => {
  for (let pass = 0; pass < PASSES; pass++) for (const headers of inputs) sink += raw(headers)?.length ?? 0;
});
bench.add('negotiate() cached', () => {
  for (let pass = 0; pass < PASSES; pass++)
    for (const headers of inputs) sink += cached.negotiate({ method: 'GET', headers }).mediaType.length;
});
bench.add('negotiate() uncached', () => {
  for (let pass = 0; pass < PASSES; pass++)
    for (const headers of inputs) sink += uncached.negotiate({ method: 'GET', headers }).mediaType.length;
});
await bench.run();

const rows: Row[] = [];
for (const [label, baseline] of [
  ['negotiator.mediaType()', undefined],
  ['negotiate() cached', 'negotiator.mediaType()'],
  ['negotiate() uncached', 'negotiator.mediaType()'],
] as const) {
  const result = bench.getTask(label)?.result;
  if (result?.state !== 'completed') throw new Error(`${label}: ${result?.state ?? 'missing'}`);
  rows.push({
    name: label,
    ...(baseline ? { baseline } : {}),
    opsPerSec: result.throughput.mean * BATCH,
    p50Ms: result.latency.p50 / BATCH,
    p99Ms: result.latency.p99 / BATCH,
  });
}

const file = report('micro-negotiation', rows, [
  `ops/s are negotiations per second over a mix of ${inputs.length} Accept headers (each sample is ${BATCH} negotiations; p50/p99 are per negotiation). ` +
    'negotiate() also reads the header from the request object and returns the serializer and Vary header; "uncached" parses and matches every time (cacheSize: 0).',
  `checksum ${sink}`,
]);
console.log(`\nsaved ${file}`);
