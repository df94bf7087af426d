// Micro-benchmark: evaluatePreconditions() against `fresh` on the GET path, the one both answer (is this
// GET a 304?). Each task runs a batch of calls so that one sample is well above the timer's resolution;
// ops/s are calls per second. Run after `pnpm --filter @recordkit/conditional-requests build`.
import { evaluatePreconditions } from '@recordkit/conditional-requests';
import fresh from 'fresh';
import { Bench } from 'tinybench';
import { type Row, report } from './report.ts';

const BATCH = 1_000;
const ETAG = '"3"';
const LAST_MODIFIED = new Date('2024-05-01T10:00:00Z');
const LAST_MODIFIED_TEXT = LAST_MODIFIED.toUTCString();

/** Request headers as Node hands them over, plus the conditional ones of a scenario. */
const request = (conditional: Record<string, string>) => ({
  host: 'localhost:5000',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0',
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-US,en;q=0.5',
  connection: 'keep-alive',
  ...conditional,
});

const scenarios: [string, Record<string, string>, boolean][] = [
  ['unconditional GET', {}, false],
  ['If-None-Match matches (304)', { 'if-none-match': ETAG }, true],
  ['If-None-Match list, no match', { 'if-none-match': '"1", "2", W/"4"' }, false],
  ['If-Modified-Since, not modified (304)', { 'if-modified-since': LAST_MODIFIED_TEXT }, true],
];

const resHeaders = { etag: ETAG, 'last-modified': LAST_MODIFIED_TEXT };
const resource = { etag: ETAG, lastModified: LAST_MODIFIED };
const ours = (headers: Record<string, string>) => {
  const result = evaluatePreconditions({ method: 'GET', headers }, resource);
  return !result.proceed && result.status === 304;
};

// Both must give the same answer for every scenario, or the comparison means nothing.
for (const [name, conditional, expected] of scenarios) {
  const headers = request(conditional);
  if (fresh(headers, resHeaders) !== expected || ours(headers) !== expected) {
    throw new Error(`scenario "${name}": fresh and evaluatePreconditions disagree with the expected ${expected}`);
  }
}

const bench = new Bench({ time: 1_000, warmup: true });
let sink = 0;
for (const [name, conditional, notModified] of scenarios) {
  const headers = request(conditional);
  bench.add(`fresh: ${name}`, () => {
    for (let i = 0; i < BATCH; i++) if (fresh(headers, resHeaders)) sink++;
  });
  bench.add(`evaluatePreconditions: ${name}`, () => {
    for (let i = 0; i < BATCH; i++) if (ours(headers)) sink++;
  });
  if (notModified) {
    // What a server pays when it renders the 304 through rest-errors: the error (and its stack trace) is built.
    bench.add(`evaluatePreconditions + error: ${name}`, () => {
      for (let i = 0; i < BATCH; i++) {
        const result = evaluatePreconditions({ method: 'GET', headers }, resource);
        if (!result.proceed && result.error.status === 304) sink++;
      }
    });
  }
}
await bench.run();

const rows: Row[] = [];
for (const [name, , notModified] of scenarios) {
  const labels: [string, string | undefined][] = [
    [`fresh: ${name}`, undefined],
    [`evaluatePreconditions: ${name}`, `fresh: ${name}`],
  ];
  if (notModified) labels.push([`evaluatePreconditions + error: ${name}`, `fresh: ${name}`]);
  for (const [label, baseline] of labels) {
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
}

const file = report('micro-preconditions', rows, [
  `ops/s are calls per second (each sample is a batch of ${BATCH} calls; p50/p99 are per call). ` +
    'evaluatePreconditions also validates the resource ETag and the whole If-None-Match list, and reads header names case-insensitively; ' +
    'its 304/412 error object is built on first access, so "+ error" rows add what rendering the 304 through rest-errors costs.',
  `checksum ${sink}`,
]);
console.log(`\nsaved ${file}`);
