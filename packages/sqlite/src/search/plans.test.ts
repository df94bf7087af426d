// The faster plans of decisions 120-121 against a brute-force oracle computed from the documents, on a
// real SQLite file: the reference server's search shape (text query, permission filter of must_not
// clauses, post_filter of selected facets, terms aggregations, a sort), with restricted records,
// multi-valued facets, missing values and ties in the sort keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexMapping, JsonObject, SearchRequest, SearchResponse } from '@recordkit/records-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteSearchEngine } from './engine.js';

// Keys in sorted order: a second engine on the same file compiles the stored, key-sorted copy of the
// mapping, and the creating engine must number the fields the same way (see the report on the mapping
// key order; the reference server sorts its mapping for the same reason).
const MAPPING = {
  mappings: {
    dynamic: 'strict',
    properties: {
      access: { type: 'keyword' },
      control_number: { type: 'keyword' },
      created: { type: 'date' },
      language: { type: 'keyword' },
      subjects: { fields: { raw: { type: 'keyword' } }, type: 'text' },
      title: { fields: { raw: { type: 'keyword' } }, type: 'text' },
      type: { type: 'keyword' },
      year: { type: 'integer' },
    },
  },
} as unknown as IndexMapping;

const WORDS = ['climate', 'coral', 'reef', 'quantum', 'ecology', 'battery'];
const TYPES = ['article', 'dataset', 'report', 'software', 'Zeta', 'été'];
const LANGUAGES = ['eng', 'fra', 'deu'];
const SUBJECTS = ['Physics', 'Biology', 'Chemistry', 'Art', 'art'];

interface Doc {
  control_number: string;
  title: string;
  access: string;
  type?: string;
  language?: string | string[];
  subjects?: string[];
  created?: string;
  year?: number;
}

/** A deterministic generator (the same documents every run). */
function documents(count: number): Doc[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const doc: Doc = {
      control_number: String(i + 1).padStart(4, '0'),
      title: `${pick(WORDS)} ${pick(WORDS)} study ${i % 7}`,
      access: random() < 0.25 ? 'restricted' : 'public',
    };
    if (random() < 0.9) doc.type = pick(TYPES);
    const lang = random();
    if (lang < 0.8) doc.language = pick(LANGUAGES);
    else if (lang < 0.9) doc.language = [pick(LANGUAGES), pick(LANGUAGES)];
    if (random() < 0.85) doc.subjects = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(SUBJECTS));
    // Few distinct dates and years: many ties, so the tiebreaks are exercised.
    if (random() < 0.9) doc.created = `2020-01-0${1 + Math.floor(random() * 5)}T00:00:00Z`;
    if (random() < 0.8) doc.year = 2000 + Math.floor(random() * 4);
    return doc;
  });
}

// Enough documents that broad queries have more hits than `RANKS_FROM` (rank columns) and narrow ones fewer (SQL sort).
const DOCS = documents(900);

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]);

/** The reference server's request for `q`, selected facets and a sort, as the records service builds it. */
function referenceRequest(q: string, selected: Record<string, string[]>, sort: JsonObject[], aggs?: JsonObject): SearchRequest {
  const must = Object.entries(selected).map(([field, list]) => ({ terms: { [field]: list } }));
  return {
    query: {
      bool: {
        must: [{ query_string: { query: q, fields: ['title^2', 'subjects'] } }],
        filter: [{ bool: { must_not: [{ term: { access: 'restricted' } }] } }],
      },
    },
    from: 0,
    size: 10,
    sort,
    aggs: aggs ?? {
      type: { terms: { field: 'type' } },
      subjects: { terms: { field: 'subjects.raw', size: 3 } },
      language: { terms: { field: 'language' } },
    },
    ...(must.length > 0 ? { post_filter: { bool: { must } } } : {}),
    track_total_hits: true,
  } as SearchRequest;
}

/** UTF-8 byte order, as SQLite compares text. */
function utf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** What the engine must answer, computed from the documents. */
function oracle(q: string, selected: Record<string, string[]>, sortField: 'created' | 'title.raw' | 'year', dir: 'asc' | 'desc') {
  const matches = DOCS.filter((d) => d.access !== 'restricted' && d.title.split(' ').includes(q));
  const fieldValues = (d: Doc, field: string): string[] =>
    field === 'subjects.raw' ? values(d.subjects) : values((d as unknown as Record<string, string | string[] | undefined>)[field]);
  const hits = matches.filter((d) =>
    Object.entries(selected).every(([field, list]) => fieldValues(d, field).some((v) => list.includes(v))),
  );
  const key = (d: Doc): string | number | undefined =>
    sortField === 'created' ? (d.created === undefined ? undefined : Date.parse(d.created)) : sortField === 'year' ? d.year : d.title;
  const ordered = [...hits].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) {
      if (x !== y) return x === undefined ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : utf8(String(x), String(y));
      return dir === 'asc' ? c : -c;
    }
    return utf8(a.control_number, b.control_number);
  });
  const terms = (field: string, size: number) => {
    const counts = new Map<string, number>();
    for (const d of matches) for (const v of fieldValues(d, field)) counts.set(v, (counts.get(v) ?? 0) + 1);
    const buckets = [...counts].sort((a, b) => b[1] - a[1] || utf8(a[0], b[0]));
    const shown = buckets.slice(0, size);
    return {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: buckets.slice(size).reduce((n, [, c]) => n + c, 0),
      buckets: shown.map(([key, doc_count]) => ({ key, doc_count })),
    };
  };
  return {
    total: hits.length,
    ids: ordered.slice(0, 10).map((d) => d.control_number),
    aggregations: { type: terms('type', 10), subjects: terms('subjects.raw', 3), language: terms('language', 10) },
  };
}

let dir: string;
let engine: SqliteSearchEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-plans-'));
  engine = new SqliteSearchEngine({ path: join(dir, 'search.sqlite') });
  await engine.createIndex('records', MAPPING);
  const result = await engine.bulk(
    'records',
    DOCS.map((d) => ({ action: 'index' as const, id: d.control_number, version: 1, document: d as unknown as JsonObject })),
  );
  expect(result.errors).toBe(false);
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (r: SearchResponse) => r.hits.hits.map((h) => h._id);

const CASES: {
  name: string;
  q: string;
  selected: Record<string, string[]>;
  sort: 'created' | 'title.raw' | 'year';
  dir: 'asc' | 'desc';
}[] = [
  {
    name: 'two facets selected, newest first',
    q: 'climate',
    selected: { type: ['article'], language: ['eng'] },
    sort: 'created',
    dir: 'desc',
  },
  { name: 'one facet, two values, title order', q: 'coral', selected: { type: ['dataset', 'report'] }, sort: 'title.raw', dir: 'asc' },
  { name: 'a multi-valued facet selected', q: 'quantum', selected: { 'subjects.raw': ['Art'] }, sort: 'year', dir: 'desc' },
  { name: 'nothing selected, oldest first', q: 'ecology', selected: {}, sort: 'created', dir: 'asc' },
  { name: 'a value that is not in the matches', q: 'battery', selected: { type: ['nope'] }, sort: 'year', dir: 'asc' },
  {
    name: 'non-ASCII and upper-case keys',
    q: 'reef',
    selected: { type: ['été', 'Zeta'], language: ['fra', 'deu'] },
    sort: 'title.raw',
    dir: 'desc',
  },
];

describe('reference-shaped search', () => {
  for (const c of CASES) {
    it(`answers as the oracle: ${c.name}`, async () => {
      const expected = oracle(c.q, c.selected, c.sort, c.dir);
      const sort = [{ [c.sort]: { order: c.dir } }, { control_number: { order: 'asc' } }];
      // Twice: the first search may take another plan than the following ones (caches built on use).
      for (let round = 0; round < 3; round++) {
        const response = await engine.search('records', referenceRequest(c.q, c.selected, sort));
        expect(response.hits.total).toEqual({ value: expected.total, relation: 'eq' });
        expect(ids(response)).toEqual(expected.ids);
        expect(response.aggregations).toEqual(expected.aggregations);
      }
    });
  }

  it('never returns a restricted record, in hits or counts', async () => {
    const request = referenceRequest('study', {}, [{ control_number: { order: 'asc' } }], {
      access: { terms: { field: 'access' } },
    });
    const response = await engine.search('records', { ...request, size: 500 } as SearchRequest);
    const restricted = new Set(DOCS.filter((d) => d.access === 'restricted').map((d) => d.control_number));
    expect(restricted.size).toBeGreaterThan(50);
    expect(ids(response).filter((id) => restricted.has(id))).toEqual([]);
    expect(response.hits.total).toEqual({ value: DOCS.length - restricted.size, relation: 'eq' });
    expect(response.aggregations).toEqual({
      access: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [{ key: 'public', doc_count: DOCS.length - restricted.size }],
      },
    });
  });

  it('sees a write made between two searches', async () => {
    const sort: JsonObject[] = [{ created: { order: 'desc' } }, { control_number: { order: 'asc' } }];
    const request = referenceRequest('climate', { type: ['article'] }, sort);
    const before = await engine.search('records', request);
    await engine.search('records', request);
    await engine.index(
      'records',
      '9999',
      { control_number: '9999', title: 'climate', access: 'public', type: 'article', created: '2030-01-01T00:00:00Z' },
      { version: 1 },
    );
    try {
      const after = await engine.search('records', request);
      expect(after.hits.total.value).toBe(before.hits.total.value + 1);
      expect(after.hits.hits[0]?._id).toBe('9999');
      const typeBuckets = (r: SearchResponse) =>
        (r.aggregations?.type as { buckets: { key: string; doc_count: number }[] } | undefined)?.buckets ?? [];
      const count = (r: SearchResponse) => typeBuckets(r).find((b) => b.key === 'article')?.doc_count ?? 0;
      expect(count(after)).toBe(count(before) + 1);
    } finally {
      await engine.delete('records', '9999', { version: 2 });
    }
    const again = await engine.search('records', request);
    expect(ids(again)).toEqual(ids(before));
  });
});

/** The same request on a fresh engine (its first search takes the SQL plan) and on the warm one. */
async function bothPlans(request: SearchRequest): Promise<{ sql: SearchResponse; warm: SearchResponse }> {
  const fresh = new SqliteSearchEngine({ path: join(dir, 'search.sqlite') });
  let sqlPlan: SearchResponse;
  try {
    sqlPlan = await fresh.search('records', structuredClone(request));
  } finally {
    await fresh.close();
  }
  await engine.search('records', structuredClone(request));
  const warm = await engine.search('records', structuredClone(request));
  const { took: _a, ...sqlRest } = sqlPlan;
  const { took: _b, ...warmRest } = warm;
  return { sql: sqlRest as SearchResponse, warm: warmRest as SearchResponse };
}

const NEWEST: JsonObject[] = [{ created: { order: 'desc' } }, { control_number: { order: 'asc' } }];

const VARIANTS: { name: string; request: SearchRequest }[] = [
  { name: 'the reference shape', request: referenceRequest('climate', { type: ['article', 'report'], language: ['eng'] }, NEWEST) },
  {
    name: 'a post_filter range (no doc values for it)',
    request: { ...referenceRequest('coral', {}, NEWEST), post_filter: { range: { created: { gte: '2020-01-03' } } } } as SearchRequest,
  },
  {
    name: 'a post_filter of should and must_not',
    request: {
      ...referenceRequest('study', {}, NEWEST),
      post_filter: {
        bool: {
          should: [{ term: { type: 'article' } }, { terms: { 'subjects.raw': ['Art', 'art'] } }],
          must_not: [{ term: { language: 'deu' } }],
        },
      },
    } as SearchRequest,
  },
  {
    name: 'missing values first, an integer sort, from and a small size',
    request: {
      ...referenceRequest('study', {}, [{ year: { order: 'desc', missing: '_first' } }, { control_number: 'desc' }]),
      from: 7,
      size: 4,
    } as SearchRequest,
  },
  {
    name: 'a sort with a missing value (no doc values for it) and _doc',
    request: referenceRequest('reef', { language: ['fra'] }, [{ year: { order: 'asc', missing: 1999 } }, '_doc' as unknown as JsonObject]),
  },
  {
    name: 'terms options: missing, include, key order, min_doc_count 0, sub-aggregations, metrics, a filter wrapper',
    request: referenceRequest('quantum', { type: ['dataset'] }, NEWEST, {
      type: { terms: { field: 'type', missing: 'none', order: { _key: 'desc' } } },
      language: { terms: { field: 'language', include: ['eng', 'fra'], min_doc_count: 0 } },
      subjects: {
        terms: { field: 'subjects.raw', size: 2 },
        aggs: { newest: { max: { field: 'created' } }, years: { terms: { field: 'year' } } },
      },
      wrapped: { filter: { bool: { must: [{ terms: { type: ['dataset'] } }] } }, aggs: { filtered: { terms: { field: 'language' } } } },
      years: { terms: { field: 'year', order: { _count: 'asc' } } },
    }),
  },
  {
    name: 'one sort key with many ties (the row id decides)',
    request: { ...referenceRequest('study', {}, [{ year: 'asc' }]), size: 40 } as SearchRequest,
  },
  {
    name: 'ties on a descending date, then _doc descending',
    request: {
      ...referenceRequest('study', { language: ['eng', 'deu'] }, [{ created: 'desc' }, { _doc: 'desc' }]),
      size: 30,
    } as SearchRequest,
  },
  {
    name: 'a query filter of terms beside the text (tested on the text matches)',
    request: {
      ...referenceRequest('study', { language: ['fra'] }, NEWEST),
      query: {
        bool: {
          must: [{ query_string: { query: 'coral', fields: ['title'] } }],
          filter: [{ terms: { type: ['article', 'dataset'] } }, { bool: { must_not: [{ term: { access: 'restricted' } }] } }],
        },
      },
    } as SearchRequest,
  },
  {
    name: 'a must_not range beside the permission filter (all looked up)',
    request: {
      ...referenceRequest('study', { language: ['fra'] }, NEWEST),
      query: {
        bool: {
          must: [{ query_string: { query: 'coral', fields: ['title'] } }],
          filter: [{ terms: { type: ['article', 'dataset'] } }, { bool: { must_not: [{ term: { access: 'restricted' } }] } }],
          must_not: [{ range: { year: { lt: 2001 } } }],
        },
      },
    } as SearchRequest,
  },
  {
    name: 'a must_not of text (looked up, not tested)',
    request: {
      ...referenceRequest('study', {}, NEWEST),
      query: {
        bool: { filter: [{ term: { language: 'eng' } }], must_not: [{ match: { title: 'reef' } }, { term: { access: 'restricted' } }] },
      },
    } as SearchRequest,
  },
  {
    name: 'relevance order (scores), facets selected',
    request: (() => {
      const { sort: _sort, ...rest } = referenceRequest('coral', { type: ['article', 'report'] }, NEWEST);
      return rest as SearchRequest;
    })(),
  },
  {
    name: 'search_after on a field sort',
    request: {
      ...referenceRequest('study', { language: ['eng'] }, [{ year: 'desc' }, { control_number: 'asc' }]),
      search_after: [2002, '0300'],
    } as SearchRequest,
  },
  { name: 'a total tracked up to 5', request: { ...referenceRequest('study', {}, NEWEST), track_total_hits: 5 } as SearchRequest },
  {
    name: 'no total, size 0',
    request: { ...referenceRequest('study', { type: ['report'] }, NEWEST), track_total_hits: false, size: 0 } as SearchRequest,
  },
  { name: 'a page past the hits', request: { ...referenceRequest('battery', { type: ['software'] }, NEWEST), from: 300 } as SearchRequest },
  {
    name: 'no query, a keyword sort on a multi-valued field',
    request: {
      sort: [{ language: { order: 'desc' } }, { control_number: 'asc' }],
      aggs: { type: { terms: { field: 'type' } } },
      post_filter: { terms: { 'subjects.raw': ['Physics'] } },
      size: 20,
    } as SearchRequest,
  },
];

describe('doc values (decision 121)', () => {
  for (const v of VARIANTS) {
    it(`answers as the SQL plan: ${v.name}`, async () => {
      const { sql: expected, warm } = await bothPlans(v.request);
      expect(warm).toEqual(expected);
      expect(expected.hits.hits.length + (expected.aggregations ? 1 : 0)).toBeGreaterThan(0);
    });
  }

  it('answers a 400 for a bad aggregation met half-way, and the next search as the SQL plan', async () => {
    const request = referenceRequest('reef', { type: ['article'] }, NEWEST);
    await engine.search('records', request);
    const bad = { ...request, aggs: { ...(request.aggs as JsonObject), broken: { terms: { field: 'nope' } } } } as SearchRequest;
    await expect(engine.search('records', bad)).rejects.toMatchObject({ status: 400 });
    const { sql: expected, warm } = await bothPlans(request);
    expect(warm).toEqual(expected);
  });

  it('sees a commit made by another connection', async () => {
    const request = referenceRequest('quantum', { type: ['article'] }, NEWEST);
    await engine.search('records', request);
    const before = await engine.search('records', request);
    const other = new SqliteSearchEngine({ path: join(dir, 'search.sqlite') });
    try {
      await other.index(
        'records',
        '8888',
        { control_number: '8888', title: 'quantum', access: 'public', type: 'article', created: '2031-01-01T00:00:00Z' },
        { version: 1 },
      );
      const after = await engine.search('records', request);
      expect(after.hits.total.value).toBe(before.hits.total.value + 1);
      expect(after.hits.hits[0]?._id).toBe('8888');
    } finally {
      await other.delete('records', '8888', { version: 2 });
      await other.close();
    }
    expect(ids(await engine.search('records', request))).toEqual(ids(before));
  });

  it('forgets a write that was rolled back', async () => {
    const request = referenceRequest('ecology', { type: ['thesis', 'article'] }, NEWEST);
    await engine.search('records', request);
    const before = await engine.search('records', request);
    engine.database.exec('BEGIN');
    try {
      await engine.index(
        'records',
        '7777',
        { control_number: '7777', title: 'ecology', access: 'public', type: 'thesis', created: '2032-01-01T00:00:00Z' },
        { version: 1 },
      );
      const inside = await engine.search('records', request);
      await engine.search('records', request);
      expect(inside.hits.hits[0]?._id).toBe('7777');
    } finally {
      engine.database.exec('ROLLBACK');
    }
    await engine.search('records', request);
    const after = await engine.search('records', request);
    expect(after.hits.total).toEqual(before.hits.total);
    expect(ids(after)).toEqual(ids(before));
    expect(after.aggregations).toEqual(before.aggregations);
  });
});

describe('scores of full-text leaves (decision 123)', () => {
  it('are bm25 of one pass over the matches, per hit, sorted by relevance', async () => {
    const response = await engine.search('records', {
      query: { bool: { must: [{ query_string: { query: 'coral', fields: ['title'] } }], filter: [{ term: { type: 'article' } }] } },
      size: 50,
      aggs: { language: { terms: { field: 'language' } } },
    } as SearchRequest);
    // The oracle: FTS5's own bm25 for the word, read straight from the index (only titles hold it).
    const rows = engine.database
      .prepare(
        "SELECT d.id AS id, -bm25(search_1_fts) AS score FROM search_1_fts f JOIN search_1_doc d ON d.rid = f.rowid WHERE search_1_fts MATCH 'coral'",
      )
      .all() as { id: string; score: number }[];
    const expected = new Map(rows.map((r) => [r.id, r.score]));
    const articles = new Set(DOCS.filter((d) => d.type === 'article' && d.title.split(' ').includes('coral')).map((d) => d.control_number));
    expect(response.hits.total.value).toBe(articles.size);
    expect(response.hits.hits.length).toBeGreaterThan(10);
    for (const hit of response.hits.hits) {
      expect(articles.has(hit._id)).toBe(true);
      expect(hit._score).toBeCloseTo(expected.get(hit._id)!, 12);
    }
    const scores = response.hits.hits.map((h) => h._score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(response.hits.max_score).toBe(scores[0]);
  });
});
