// Benchmark: the embedded SQLite search engine at 100k generated records. Import rate through
// `bulk` (documents analyzed and written with FTS5, value and sort tables), then p50/p99 of a search
// with a text query, two terms facets and a sort on a date, as the reference server sends it.
// Baselines in the same run: inserting the same JSON into one plain table (no index), and counting the
// FTS5 matches of the same text alone (no facets, no sort, no response building).
//
// Run after `pnpm --filter @recordkit/sqlite build`: node bench/src/sqlite-search.ts [--count 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { type Row, report } from './report.ts';

// The bench package does not depend on @recordkit/sqlite: its build output is loaded by path, typed
// here by the few methods this benchmark calls (so type checks pass before the package is built).
interface Engine {
  createIndex(index: string, mapping: unknown): Promise<void>;
  bulk(index: string, operations: { action: 'index'; id: string; version: number; document: unknown }[]): Promise<{ errors: boolean }>;
  search(index: string, request: unknown): Promise<{ hits: { total: { value: number } } }>;
  close(): Promise<void>;
}
const { SqliteSearchEngine } = (await import(new URL('../../packages/sqlite/dist/index.js', import.meta.url).href)) as {
  SqliteSearchEngine: new (options: { path: string }) => Engine;
};

const { values: args } = parseArgs({
  options: { count: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' } },
});
const COUNT = Number(args.count);
const QUERIES = Number(args.queries);
const BATCH = 1000;

// A deterministic generator: words with a Zipf-like frequency, so some terms are common and most rare.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const VOCABULARY = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
const zipf = () => VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(Math.exp(random() * Math.log(VOCABULARY.length))) - 1)]!;
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
const words = (n: number) => Array.from({ length: n }, zipf).join(' ');
const TYPES = ['article', 'book', 'thesis', 'dataset', 'software', 'report', 'poster', 'image'];
const LANGUAGES = Array.from({ length: 40 }, (_, i) => `lang${i}`);
const KEYWORDS = Array.from({ length: 300 }, (_, i) => `kw${i}`);

function record(i: number) {
  return {
    id: `rec-${i}`,
    title: words(8),
    description: words(40),
    type: pick(TYPES),
    language: pick(LANGUAGES),
    keywords: [pick(KEYWORDS), pick(KEYWORDS)],
    year: 1990 + Math.floor(random() * 35),
    published: new Date(Date.UTC(1990, 0, 1) + Math.floor(random() * 35 * 365 * 86_400_000)).toISOString(),
    open_access: random() < 0.6,
  };
}

const MAPPING = {
  mappings: {
    properties: {
      id: { type: 'keyword' },
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      description: { type: 'text' },
      type: { type: 'keyword' },
      language: { type: 'keyword' },
      keywords: { type: 'keyword' },
      year: { type: 'integer' },
      published: { type: 'date' },
      open_access: { type: 'boolean' },
    },
  },
} as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dir = mkdtempSync(join(tmpdir(), 'rk-bench-search-'));
const rows: Row[] = [];
try {
  const records = Array.from({ length: COUNT }, (_, i) => record(i));

  // Baseline import: the same JSON, one row per record, one transaction per batch.
  {
    const db = new DatabaseSync(join(dir, 'baseline.db'));
    db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE docs (rid INTEGER PRIMARY KEY, id TEXT UNIQUE, source TEXT)',
    );
    const insert = db.prepare('INSERT INTO docs (id, source) VALUES (?, ?)');
    const start = performance.now();
    for (let i = 0; i < COUNT; i += BATCH) {
      db.exec('BEGIN');
      for (const r of records.slice(i, i + BATCH)) insert.run(r.id, JSON.stringify(r));
      db.exec('COMMIT');
    }
    const seconds = (performance.now() - start) / 1000;
    rows.push({
      name: 'import: plain JSON rows (baseline)',
      opsPerSec: COUNT / seconds,
      extra: { records: COUNT, seconds: seconds.toFixed(1) },
    });
    db.close();
  }

  const engine = new SqliteSearchEngine({ path: join(dir, 'search.db') });
  await engine.createIndex('records', MAPPING);
  const start = performance.now();
  for (let i = 0; i < COUNT; i += BATCH) {
    const result = await engine.bulk(
      'records',
      records.slice(i, i + BATCH).map((document) => ({ action: 'index' as const, id: document.id, version: 1, document })),
    );
    if (result.errors) throw new Error('bulk import failed');
  }
  const importSeconds = (performance.now() - start) / 1000;
  rows.push({
    name: 'import: SqliteSearchEngine.bulk',
    baseline: 'import: plain JSON rows (baseline)',
    opsPerSec: COUNT / importSeconds,
    extra: { records: COUNT, seconds: importSeconds.toFixed(1) },
  });

  // Query texts from three frequency bands: common (top 20 words), medium, rare.
  const bands: [string, () => string][] = [
    ['common term', () => VOCABULARY[Math.floor(random() * 20)]!],
    ['medium term', () => VOCABULARY[200 + Math.floor(random() * 800)]!],
    ['rare term', () => VOCABULARY[5000 + Math.floor(random() * 10_000)]!],
  ];
  const db = new DatabaseSync(join(dir, 'search.db'), { readOnly: true });
  for (const [band, text] of bands) {
    const texts = Array.from({ length: QUERIES }, text);
    // Baseline: the FTS5 match count of the same text, nothing else.
    const ftsTable = (db.prepare("SELECT ordinal FROM search_indexes WHERE name = 'records'").get() as { ordinal: number }).ordinal;
    const count = db.prepare(`SELECT count(*) AS c FROM search_${ftsTable}_fts WHERE search_${ftsTable}_fts MATCH ?`);
    const baseTimes: number[] = [];
    for (const t of texts) {
      const s = performance.now();
      count.get(`"${t}"`);
      baseTimes.push(performance.now() - s);
    }
    const times: number[] = [];
    let hits = 0;
    for (const t of texts) {
      const s = performance.now();
      const response = await engine.search('records', {
        query: { query_string: { query: t } },
        aggs: { type: { terms: { field: 'type' } }, language: { terms: { field: 'language' } } },
        sort: [{ published: 'desc' }],
        size: 10,
        track_total_hits: true,
      });
      times.push(performance.now() - s);
      hits += response.hits.total.value;
    }
    baseTimes.sort((a, b) => a - b);
    times.sort((a, b) => a - b);
    const baseName = `query ${band}: FTS5 count only (baseline)`;
    rows.push({
      name: baseName,
      opsPerSec: 1000 / (baseTimes.reduce((a, b) => a + b, 0) / baseTimes.length),
      p50Ms: percentile(baseTimes, 50),
      p99Ms: percentile(baseTimes, 99),
    });
    rows.push({
      name: `query ${band}: text + 2 facets + sort`,
      baseline: baseName,
      opsPerSec: 1000 / (times.reduce((a, b) => a + b, 0) / times.length),
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      extra: { meanHits: Math.round(hits / texts.length), queries: texts.length },
    });
  }
  db.close();
  await engine.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

report('sqlite-search', rows, [
  `${COUNT} generated records (8-word title, 40-word description, type/language/keywords facets, date); import in bulk batches of ${BATCH}.`,
  'Query: query_string on all fields, terms aggregations on type and language, sort on published desc, size 10, exact total.',
]);
