// One `_search` request, start to finish: validate the body, compile query / post_filter / sort /
// search_after, run the hits, total, aggregations and suggesters, and shape Elasticsearch's response.
// When the request has aggregations, the query's matches are first materialized into a temporary
// table (one pass over the index), so every aggregation and the hits read from it.

import type { JsonObject, SearchHit, SearchRequest, SearchResponse } from '@recordkit/records-service';
import { MaxResultWindowError } from '@recordkit/rest-errors';
import { Aggregator } from './aggs.js';
import type { Connection } from './connection.js';
import { beginSearch, type DocValues, docValuesFor, endSearch } from './docvalues.js';
import { boolean, invalid, isObject, nonNegativeInteger, unsupported } from './errors.js';
import { type Compiled, compileTopQuery, type QueryCompiler, RidSet, rootScope } from './query.js';
import { orderBy, parseSort, type SortKey, searchAfterCondition, sortIndexFor } from './sort.js';
import { applySourceFilter, parseSourceFilter } from './source-filter.js';
import { and, FALSE, ident, type Sql, sql, TRUE } from './sql.js';
import { runSuggest } from './suggest.js';
import type { IndexRuntime } from './writer.js';

const REQUEST_KEYS = [
  'query',
  'post_filter',
  'aggs',
  'aggregations',
  'sort',
  'from',
  'size',
  'search_after',
  'track_total_hits',
  'track_scores',
  '_source',
  'suggest',
  'pit',
  'version',
  'timeout',
  'explain',
  'profile',
  'seq_no_primary_term',
];

/** Execute a search request on one index. */
export function executeSearch(
  conn: Connection,
  rt: IndexRuntime,
  compiler: QueryCompiler,
  request: SearchRequest,
  options: { pitId?: string },
): SearchResponse {
  const started = performance.now();
  if (!isObject(request)) invalid('', 'The search request must be a JSON object.');
  for (const key of Object.keys(request)) {
    if (!REQUEST_KEYS.includes(key)) unsupported(key);
  }
  for (const flag of ['explain', 'profile', 'seq_no_primary_term'] as const) {
    if (request[flag] !== undefined && boolean(request[flag], flag)) unsupported(flag);
  }
  if (request.timeout !== undefined && typeof request.timeout !== 'string') invalid('timeout', 'Expected a time value such as "1s".');
  if (request.aggs !== undefined && request.aggregations !== undefined) invalid('aggregations', 'Use aggs or aggregations, not both.');
  const aggs = request.aggs ?? request.aggregations;
  const aggsPath = request.aggs !== undefined ? 'aggs' : 'aggregations';

  const from = request.from === undefined ? 0 : nonNegativeInteger(request.from, 'from');
  const size = request.size === undefined ? 10 : nonNegativeInteger(request.size, 'size');
  const window = rt.schema.maxResultWindow;
  if (from + size > window) throw new MaxResultWindowError(window, from > 0 ? 'from' : 'size');
  const trackTotal = parseTrackTotalHits(request.track_total_hits);
  const trackScores = request.track_scores === undefined ? false : boolean(request.track_scores, 'track_scores');
  const version = request.version === undefined ? false : boolean(request.version, 'version');
  const sourceFilter = parseSourceFilter(request._source);

  const keys: SortKey[] = parseSort(request.sort, { compiler, pit: options.pitId !== undefined });
  const explicitSort = request.sort !== undefined || options.pitId !== undefined;
  const scoreSort = !explicitSort || keys.some((k) => k.kind === 'score');
  const scoring = scoreSort || trackScores;

  let after: Sql = TRUE;
  if (request.search_after !== undefined) {
    if (!Array.isArray(request.search_after)) invalid('search_after', 'Expected an array of sort values.');
    if (from !== 0) invalid('from', 'from must be 0 when search_after is used.');
    after = searchAfterCondition(keys, request.search_after, 'search_after');
  }

  const query: Compiled = compileTopQuery(compiler, request.query, 'query', scoring);
  const postFilter =
    request.post_filter === undefined ? TRUE : compiler.compile(request.post_filter, 'post_filter', rootScope(), false).where;
  const t = rt.tables;

  const hasAggs = aggs !== undefined && isObject(aggs) && Object.keys(aggs).length > 0;
  if (aggs !== undefined && !isObject(aggs)) invalid(aggsPath, 'Expected an object of named aggregations.');

  // Point-in-time connections hold a snapshot and keep no doc values.
  const state = options.pitId === undefined ? beginSearch(conn) : undefined;
  // A search's own writes (temporary tables, a sort index) are settled also when it fails half-way.
  try {
    materializeScores(conn, compiler);
    const docValues = state !== undefined && hasAggs ? docValuesFor(conn, rt, state) : undefined;
    if (docValues && !scoring && request.search_after === undefined) {
      const response = searchWithDocValues(conn, rt, compiler, docValues, {
        query,
        postFilter,
        keys,
        from,
        size,
        trackTotal,
        aggs,
        aggsPath,
      });
      const result = respond(conn, rt, request, response, {
        started,
        keys,
        explicitSort,
        scoring,
        version,
        sourceFilter,
        pitId: options.pitId,
        from,
      });
      return result;
    }

    let hitSource: Sql;
    let aggregations: JsonObject | undefined;
    let matchRids: number[] | undefined;
    const { source, residual } = matchSource(query, rt);
    if (hasAggs) {
      conn.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_match (rid INTEGER PRIMARY KEY, score REAL)');
      conn.run(sql`DELETE FROM temp.search_match`);
      conn.run(
        sql`INSERT INTO temp.search_match (rid, score) SELECT d.rid, ${query.score ?? sql`NULL`} FROM ${source} d WHERE ${residual}`,
      );
      hitSource = sql`SELECT d.rid AS rid, d.score AS score FROM temp.search_match d WHERE ${postFilter}`;
      let tested = false;
      if (docValues) {
        // Relevance-sorted or search_after pages keep this plan, but doc values still count the terms and
        // test the post_filter (decision 121).
        matchRids = JSON.parse(String(conn.get(sql`SELECT json_group_array(rid) AS j FROM temp.search_match`)?.j ?? '[]')) as number[];
        const test = postFilter instanceof RidSet && postFilter.plan ? docValues.predicate(postFilter.plan) : undefined;
        if (test) {
          tested = true;
          const hits = JSON.stringify(matchRids.filter(test));
          hitSource = sql`SELECT d.rid AS rid, d.score AS score FROM temp.search_match d WHERE d.rid IN (SELECT value FROM json_each(${hits}))`;
        }
      }
      if (postFilter !== TRUE && !tested) {
        // The post_filter is evaluated once, into a table of hits that the page, the total and the
        // maximum score all read (each evaluated it again before).
        conn.db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hit (rid INTEGER PRIMARY KEY, score REAL)');
        conn.run(sql`DELETE FROM temp.search_hit`);
        conn.run(sql`INSERT INTO temp.search_hit (rid, score) ${hitSource}`);
        hitSource = sql`SELECT d.rid AS rid, d.score AS score FROM temp.search_hit d`;
      }
    } else {
      hitSource = sql`SELECT d.rid AS rid, ${scoring ? (query.score ?? sql`0`) : sql`NULL`} AS score FROM ${source} d WHERE ${and([residual, postFilter])}`;
    }
    // Hits. Normally the matches drive (one sort-table lookup each, then a top-k sort). When they are many
    // and the first sort key is a plain field, an index in that order (created on first use) drives
    // instead, and reading stops after the page: see decision 077.
    const matchCount = hasAggs ? Number(conn.get(sql`SELECT count(*) AS c FROM temp.search_match`)?.c ?? 0) : undefined;
    const needsSortTable = keys.some((k) => k.kind === 'field' && k.field?.nested === null && k.field.sortSlot !== undefined);
    const keyColumns = keys.map((k, i) => sql`, ${k.expr} AS ${ident(`k${i}`)}`).reduce((a, b) => sql`${a}${b}`, sql``);
    let hitsFrom = needsSortTable ? sql`(${hitSource}) h CROSS JOIN ${t.sort} s ON s.rid = h.rid` : sql`(${hitSource}) h`;
    let tiebreak = sql`h.rid`;
    const index = sortIndexFor(keys[0], t.sort);
    if (
      index &&
      matchCount !== undefined &&
      size > 0 &&
      matchCount * matchCount > (from + size) * universeSize(conn, rt) &&
      ensureIndex(conn, index.ddl)
    ) {
      hitsFrom = sql`${t.sort} s INDEXED BY ${index.name} CROSS JOIN (${hitSource}) h ON h.rid = s.rid`;
      tiebreak = sql`s.rid`;
    }
    let pageRows: { rid: number; score: number | null; keys: unknown[] }[] = [];
    if (size > 0) {
      const rows = conn.all(
        sql`SELECT h.rid AS rid, h.score AS score${keyColumns} FROM ${hitsFrom} WHERE ${after} ORDER BY ${orderBy(keys, !explicitSort, tiebreak)} LIMIT ${size} OFFSET ${from}`,
      );
      pageRows = rows.map((row) => ({
        rid: Number(row.rid),
        score: row.score === null || row.score === undefined ? null : Number(row.score),
        keys: keys.map((_, i) => row[`k${i}`]),
      }));
    }

    // Total.
    let total: { value: number; relation: 'eq' | 'gte' } | undefined;
    if (trackTotal !== false) {
      const limit = trackTotal === true ? -1 : trackTotal + 1;
      // As on Elasticsearch, the total counts every match, also those before a search_after position.
      const counted = Number(conn.get(sql`SELECT count(*) AS c FROM (SELECT 1 FROM (${hitSource}) h LIMIT ${limit})`)?.c ?? 0);
      total = trackTotal !== true && counted > trackTotal ? { value: trackTotal, relation: 'gte' } : { value: counted, relation: 'eq' };
    }

    // Scores.
    let maxScore: number | null = null;
    if (scoring && size > 0 && pageRows.length > 0) {
      const firstIsScoreDesc = !explicitSort || (keys[0]?.kind === 'score' && keys[0].order === 'desc');
      if (firstIsScoreDesc && from === 0 && request.search_after === undefined) maxScore = pageRows[0]!.score;
      else {
        const row = conn.get(sql`SELECT max(h.score) AS m FROM (${hitSource}) h`);
        maxScore = row?.m === null || row?.m === undefined ? null : Number(row.m);
      }
    }

    if (hasAggs) {
      const aggregator = new Aggregator(conn, compiler, sql`SELECT rid FROM ${t.doc}`, docValues);
      aggregations = aggregator.run(
        aggs,
        aggsPath,
        { nested: null, select: sql`SELECT rid FROM temp.search_match`, size: matchCount ?? 0, ...(matchRids ? { rids: matchRids } : {}) },
        true,
      );
    } else if (aggs !== undefined) {
      aggregations = {};
    }

    const result = respond(
      conn,
      rt,
      request,
      { pageRows, total, maxScore, aggregations },
      { started, keys, explicitSort, scoring, version, sourceFilter, pitId: options.pitId, from },
    );
    return result;
  } finally {
    if (state !== undefined) endSearch(conn, state);
  }
}

/** What a plan computed: the page's rows (row id, score, sort key values), the total, aggregations. */
interface Computed {
  pageRows: { rid: number; score: number | null; keys: unknown[] }[];
  total: { value: number; relation: 'eq' | 'gte' } | undefined;
  maxScore: number | null;
  aggregations: JsonObject | undefined;
}

/** Read the page's documents and shape Elasticsearch's response. */
function respond(
  conn: Connection,
  rt: IndexRuntime,
  request: SearchRequest,
  computed: Computed,
  options: {
    started: number;
    keys: SortKey[];
    explicitSort: boolean;
    scoring: boolean;
    version: boolean;
    sourceFilter: ReturnType<typeof parseSourceFilter>;
    pitId: string | undefined;
    from?: number;
  },
): SearchResponse {
  const { pageRows, total, maxScore, aggregations } = computed;
  const { keys, explicitSort, scoring, version, sourceFilter } = options;
  const from = options.from ?? 0;
  const t = rt.tables;
  // Documents of the page.
  const docs = new Map<number, { id: string; version: number; source: string }>();
  if (pageRows.length > 0) {
    const ids = JSON.stringify(pageRows.map((r) => r.rid));
    for (const row of conn.all(sql`SELECT rid, id, version, source FROM ${t.doc} WHERE rid IN (SELECT value FROM json_each(${ids}))`)) {
      docs.set(Number(row.rid), { id: String(row.id), version: Number(row.version), source: String(row.source) });
    }
  }
  const hits: SearchHit[] = pageRows.map((row) => {
    const doc = docs.get(row.rid)!;
    const hit: SearchHit = { _index: rt.name, _id: doc.id, _score: null };
    if (version) hit._version = doc.version;
    hit._score = scoring ? (row.score ?? 0) : null;
    const source = applySourceFilter(JSON.parse(doc.source) as JsonObject, sourceFilter);
    if (source !== undefined) hit._source = source;
    if (explicitSort) hit.sort = keys.map((k, i) => k.output(row.keys[i]));
    return hit;
  });

  const response: SearchResponse = {
    took: Math.round(performance.now() - options.started),
    timed_out: false,
    // Without tracking, Elasticsearch sends no total; the port keeps one: "at least the hits returned".
    hits: { total: total ?? { value: from + hits.length, relation: 'gte' }, max_score: maxScore, hits },
  };
  if (aggregations !== undefined && Object.keys(aggregations).length > 0)
    response.aggregations = aggregations as Record<string, JsonObject>;
  if (request.suggest !== undefined) response.suggest = runSuggest(conn, rt.name, rt.schema, t, request.suggest, sourceFilter);
  if (options.pitId !== undefined) response.pit_id = options.pitId;
  return response;
}

/**
 * A search with aggregations and a field sort, on doc values (decision 121): the matches come from SQL
 * once, as a list of row ids; the post_filter, the top hits and the terms counts are loops over that
 * list. Every part the columns cannot do (a post_filter clause that is not a term lookup, a sort key
 * that is not a plain field, any other aggregation) runs in SQL over the same list.
 */
function searchWithDocValues(
  conn: Connection,
  rt: IndexRuntime,
  compiler: QueryCompiler,
  docValues: DocValues,
  input: {
    query: Compiled;
    postFilter: Sql;
    keys: SortKey[];
    from: number;
    size: number;
    trackTotal: number | boolean;
    aggs: unknown;
    aggsPath: string;
  },
): Computed {
  const { query, postFilter, keys, from, size, trackTotal } = input;
  const t = rt.tables;
  // Parts of the query that doc values can test (a permission filter's term) are tested on the ids the
  // other parts look up, instead of being looked up too.
  let matchJson: string;
  let matches: number[];
  const split = query.where instanceof RidSet ? docValues.split(query.where) : undefined;
  if (split && split.tests.length > 0) {
    const { source } = matchSource({ where: split.lookup, score: null }, rt);
    const tests = split.tests;
    const found = JSON.parse(String(conn.get(sql`SELECT json_group_array(d.rid) AS j FROM ${source} d`)?.j ?? '[]')) as number[];
    matches = found.filter((rid) => tests.every((test) => test(rid)));
    matchJson = JSON.stringify(matches);
  } else {
    const { source, residual } = matchSource(query, rt);
    matchJson = String(conn.get(sql`SELECT json_group_array(d.rid) AS j FROM ${source} d WHERE ${residual}`)?.j ?? '[]');
    matches = JSON.parse(matchJson) as number[];
  }

  let hits: number[] | undefined;
  let hitJson: string | undefined;
  if (postFilter === TRUE) {
    hits = matches;
    hitJson = matchJson;
  } else if (postFilter === FALSE) hits = [];
  else if (postFilter instanceof RidSet && postFilter.plan) {
    const test = docValues.predicate(postFilter.plan);
    if (test) hits = matches.filter(test);
  }
  if (!hits) {
    hitJson = String(
      conn.get(sql`SELECT json_group_array(d.rid) AS j FROM (SELECT value AS rid FROM json_each(${matchJson})) d WHERE ${postFilter}`)?.j ??
        '[]',
    );
    hits = JSON.parse(hitJson) as number[];
  }

  let pageRows: Computed['pageRows'] = [];
  if (size > 0 && hits.length > from) {
    const keyColumns = keys.map((k, i) => sql`, ${k.expr} AS ${ident(`k${i}`)}`).reduce((a, b) => sql`${a}${b}`, sql``);
    let page: number[];
    // Rank columns cost a read of the whole sort column; a few hundred hits sort faster in SQL than that.
    const rankable = keys.every((k) => k.kind === 'doc' || (k.kind === 'field' && k.column !== undefined));
    if (rankable && (hits.length >= RANKS_FROM || keys.every((k) => k.column === undefined || docValues.hasRanks(k.column)))) {
      page = topHits(
        hits,
        keys,
        keys.map((k) => (k.column === undefined ? undefined : docValues.ranks(k.column))),
        from + size,
      ).slice(from);
    } else {
      hitJson ??= JSON.stringify(hits);
      page = conn
        .all(
          sql`SELECT h.rid AS rid FROM (SELECT value AS rid FROM json_each(${hitJson})) h CROSS JOIN ${t.sort} s ON s.rid = h.rid ORDER BY ${orderBy(keys, false)} LIMIT ${size} OFFSET ${from}`,
        )
        .map((row) => Number(row.rid));
    }
    const values = new Map<number, unknown[]>();
    for (const row of conn.all(
      sql`SELECT h.rid AS rid${keyColumns} FROM (SELECT value AS rid FROM json_each(${JSON.stringify(page)})) h CROSS JOIN ${t.sort} s ON s.rid = h.rid`,
    )) {
      values.set(
        Number(row.rid),
        keys.map((_, i) => row[`k${i}`]),
      );
    }
    pageRows = page.map((rid) => ({ rid, score: null, keys: values.get(rid) ?? keys.map(() => null) }));
  }

  let total: Computed['total'];
  if (trackTotal !== false) {
    const counted = trackTotal === true ? hits.length : Math.min(hits.length, trackTotal + 1);
    total = trackTotal !== true && counted > trackTotal ? { value: trackTotal, relation: 'gte' } : { value: counted, relation: 'eq' };
  }

  const aggregator = new Aggregator(conn, compiler, sql`SELECT rid FROM ${t.doc}`, docValues);
  const aggregations = aggregator.run(
    input.aggs,
    input.aggsPath,
    { nested: null, select: sql`SELECT value AS rid FROM json_each(${matchJson})`, size: matches.length, rids: matches },
    true,
  );
  return { pageRows, total, maxScore: null, aggregations };
}

/** From how many hits a sort reads (and keeps) rank columns rather than sorting the hits in SQL. */
const RANKS_FROM = 512;

/**
 * The first `k` of `rids` in the order of the sort keys, as the SQL plan orders them: per key, missing
 * values first or last whatever the direction, then the value's rank; the row id breaks ties.
 */
function topHits(rids: readonly number[], keys: SortKey[], ranks: (Int32Array | undefined)[], k: number): number[] {
  const compare = (a: number, b: number): number => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let c: number;
      const column = ranks[i];
      if (column === undefined) c = a - b;
      else {
        const ra = column[a] ?? -1;
        const rb = column[b] ?? -1;
        if (ra === -1 || rb === -1) {
          if (ra !== rb) return (ra === -1) === (key.missing === 'last') ? 1 : -1;
          c = 0;
        } else c = ra - rb;
      }
      if (c !== 0) return key.order === 'asc' ? c : -c;
    }
    return a - b;
  };
  if (k > 256 || k >= rids.length / 4) return [...rids].sort(compare).slice(0, k);
  // A bounded, sorted buffer: most rows lose against its last entry and cost one comparison.
  const top: number[] = [];
  for (const rid of rids) {
    if (top.length === k && compare(rid, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(rid, top[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    top.splice(lo, 0, rid);
    if (top.length > k) top.pop();
  }
  return top;
}

/** Read the scores of the request's full-text leaves into their temporary tables (see `QueryCompiler.scoreTables`). */
function materializeScores(conn: Connection, compiler: QueryCompiler): void {
  for (const { name, fill } of compiler.scoreTables) {
    conn.db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${name.text} (rid INTEGER PRIMARY KEY, s REAL)`);
    conn.run(sql`DELETE FROM temp.${name}`);
    conn.run(sql`INSERT INTO temp.${name} (rid, s) ${fill}`);
  }
}

/** Count the documents matching a query (the `_count` API). */
export function executeCount(conn: Connection, rt: IndexRuntime, compiler: QueryCompiler, query: JsonObject | undefined): number {
  const { source, residual } = matchSource(compileTopQuery(compiler, query, 'query', false), rt);
  return Number(conn.get(sql`SELECT count(*) AS c FROM ${source} d WHERE ${residual}`)?.c ?? 0);
}

/**
 * Where the matches of a query come from: its id set when it compiled to one (index lookups combined
 * with INTERSECT / UNION / EXCEPT), otherwise every document of the narrow sort table, filtered by the
 * query's condition.
 */
function matchSource(query: Compiled, rt: IndexRuntime): { source: Sql; residual: Sql } {
  if (query.where instanceof RidSet) {
    const select = query.where.distinct ? query.where.select : sql`SELECT DISTINCT rid FROM (${query.where.select})`;
    return { source: sql`(${select})`, residual: TRUE };
  }
  return { source: rt.tables.sort, residual: query.where };
}

/** About how many documents the index has (the highest row id). */
function universeSize(conn: Connection, rt: IndexRuntime): number {
  return Number(conn.get(sql`SELECT max(rid) AS n FROM ${rt.tables.sort}`)?.n ?? 0);
}

/** Create a sort index if it is missing; false where DDL is impossible (a read-only snapshot connection). */
function ensureIndex(conn: Connection, ddl: Sql): boolean {
  try {
    conn.run(ddl);
    return true;
  } catch {
    return false;
  }
}

function parseTrackTotalHits(raw: unknown): number | boolean {
  if (raw === undefined) return 10_000;
  if (raw === true || raw === false) return raw;
  const n = nonNegativeInteger(raw, 'track_total_hits');
  return n;
}
