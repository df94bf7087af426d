// Aggregations over a set of entities (documents, or nested objects under a `nested` aggregation).
// A set is an SQL query returning `rid`; a bucket narrows it with a condition, so sub-aggregations
// are the same code run on a smaller set. Responses have Elasticsearch's shapes: `buckets` with
// `key`, `key_as_string`, `doc_count`, `sum_other_doc_count`, metrics as `{ value }`.

import type { JsonObject, JsonValue } from '@recordkit/records-service';
import { compareUtf8 } from './analysis.js';
import type { Connection } from './connection.js';
import {
  addUnits,
  calendarUnit,
  compileDateFormats,
  type DateFormat,
  type DateUnit,
  floorTo,
  parseTimeValue,
  parseTimeZone,
  resolveDateMath,
  type TimeZone,
  UTC,
} from './dates.js';
import type { DocValues } from './docvalues.js';
import { at, boolean, checkKeys, invalid, isObject, nonNegativeInteger, number, string, unsupported } from './errors.js';
import type { FieldDef } from './mapping.js';
import type { QueryCompiler, Scope } from './query.js';
import { and, ident, type Sql, sql, TRUE } from './sql.js';
import { queryValue, ValueError } from './values.js';

/** A set of entities in one scope. */
export interface EntitySet {
  /** Nested path, or null for documents. */
  nested: string | null;
  /** `SELECT rid ...` of the set. */
  select: Sql;
  /** Number of entities, when known: decides how values are read (see `#joined`). */
  size?: number;
  /** The row ids of the set, when the search holds them (then doc values can count terms, decision 121). */
  rids?: readonly number[];
}

/** Registered on each connection: the date_histogram bucket of a value. */
export const DATE_BUCKET_FUNCTION = 'search_date_bucket';

const BUCKET_AGGS = [
  'terms',
  'range',
  'date_range',
  'histogram',
  'date_histogram',
  'filter',
  'filters',
  'nested',
  'reverse_nested',
  'global',
  'missing',
];
const METRIC_AGGS = ['min', 'max', 'avg', 'sum', 'value_count', 'cardinality', 'stats'];

/** Agg names as Elasticsearch accepts them. */
const AGG_NAME = /^[^[\]>]+$/;

interface Bucket {
  key: JsonValue;
  keyAsString?: string;
  docCount: number;
  /** Narrows the parent set to this bucket. */
  condition: Sql;
  extra?: JsonObject;
  sub?: JsonObject;
}

/** Runs the `aggs` of one request. */
export class Aggregator {
  constructor(
    readonly conn: Connection,
    readonly compiler: QueryCompiler,
    readonly allDocuments: Sql,
    readonly docValues?: DocValues,
  ) {}

  /**
   * Run every aggregation of `aggs` on `set`.
   *
   * @example
   * aggregator.run({ types: { terms: { field: 'type' } } }, 'aggs', { nested: null, select: sql`SELECT rid FROM ...` }, true);
   */
  run(aggs: unknown, path: string, set: EntitySet, topLevel: boolean): JsonObject {
    if (!isObject(aggs)) invalid(path, 'Expected an object of named aggregations.');
    const result: JsonObject = {};
    for (const [name, body] of Object.entries(aggs)) {
      if (!AGG_NAME.test(name)) invalid(at(path, name), 'Aggregation names cannot contain [, ] or >.');
      result[name] = this.one(body, at(path, name), set, topLevel);
    }
    return result;
  }

  one(body: unknown, path: string, set: EntitySet, topLevel: boolean): JsonObject {
    if (!isObject(body)) invalid(path, 'Expected an aggregation object.');
    const subs = body.aggs ?? body.aggregations;
    if (body.aggs !== undefined && body.aggregations !== undefined) invalid(path, 'Use aggs or aggregations, not both.');
    const types = Object.keys(body).filter((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (types.length !== 1) invalid(path, `Expected exactly one aggregation type; got ${types.length === 0 ? 'none' : types.join(', ')}.`);
    const type = types[0]!;
    const spec = body[type];
    const here = at(path, type);
    if (!BUCKET_AGGS.includes(type) && !METRIC_AGGS.includes(type)) unsupported(here);
    if (METRIC_AGGS.includes(type) && subs !== undefined) invalid(at(path, 'aggs'), `A ${type} aggregation cannot have sub-aggregations.`);
    if (!isObject(spec)) invalid(here, 'Expected an object.');
    const subPath = at(path, body.aggs !== undefined ? 'aggs' : 'aggregations');
    let result: JsonObject;
    switch (type) {
      case 'terms':
        result = this.#terms(spec, here, set, subs, subPath);
        break;
      case 'range':
      case 'date_range':
        result = this.#range(spec, here, set, subs, subPath, type === 'date_range');
        break;
      case 'histogram':
        result = this.#histogram(spec, here, set, subs, subPath);
        break;
      case 'date_histogram':
        result = this.#dateHistogram(spec, here, set, subs, subPath);
        break;
      case 'filter':
        result = this.#single(set, this.#filterCondition(spec, here, set), subs, subPath);
        break;
      case 'filters':
        result = this.#filters(spec, here, set, subs, subPath);
        break;
      case 'missing': {
        checkKeys(spec, ['field'], here);
        const field = this.#field(spec.field, at(here, 'field'), set);
        const condition = lacks(this.#val(set), field);
        result = this.#single(set, condition, subs, subPath);
        break;
      }
      case 'nested':
        result = this.#nested(spec, here, set, subs, subPath);
        break;
      case 'reverse_nested':
        result = this.#reverseNested(spec, here, set, subs, subPath);
        break;
      case 'global': {
        checkKeys(spec, [], here);
        if (!topLevel) invalid(here, 'A global aggregation must be at the top level.');
        const all: EntitySet = { nested: null, select: this.allDocuments };
        result = { doc_count: this.#count(all), ...this.#subs(subs, subPath, all) };
        break;
      }
      default:
        result = this.#metric(type, spec, here, set);
    }
    if (body.meta !== undefined) {
      if (!isObject(body.meta)) invalid(at(path, 'meta'), 'Expected an object.');
      result = { meta: body.meta as JsonObject, ...result };
    }
    return result;
  }

  // -------------------------------------------------------------------------------------------------

  #val(set: EntitySet): Sql {
    return set.nested === null ? this.compiler.ctx.tables.val : this.compiler.ctx.tables.nval;
  }

  #scope(set: EntitySet): Scope {
    return { nested: set.nested, alias: ident('b') };
  }

  #field(raw: unknown, path: string, set: EntitySet, kinds?: FieldDef['kind'][]): FieldDef {
    const name = string(raw, path);
    const field = this.compiler.field(name, path, this.#scope(set));
    if (field.kind === 'text')
      invalid(path, `Text fields are not optimised for aggregations ([${name}]); aggregate on a keyword sub-field.`);
    if (kinds && !kinds.includes(field.kind))
      invalid(path, `Field [${name}] of type [${field.type}] is not supported here; expected ${kinds.join(' or ')}.`);
    return field;
  }

  /**
   * The values of `field` for the entities of `set`, driven from the set (CROSS JOIN keeps it the outer
   * loop), so a small set costs a few index lookups, not a scan of the field's values. Ends in a
   * WHERE clause that callers may extend with `AND ...`.
   */
  #joined(set: EntitySet, val: Sql, field: FieldDef): Sql {
    // A set holding a large part of the scope is cheaper the other way round: walk the field's values
    // in index order (no sort for GROUP BY) and test membership in the set.
    if (set.size !== undefined && set.size * 4 > this.#universeSize(set.nested)) {
      return sql`${val} WHERE field = ${field.id} AND eid IN (${set.select})`;
    }
    return sql`(${set.select}) m CROSS JOIN ${val} v ON v.eid = m.rid AND v.field = ${field.id} WHERE 1`;
  }

  readonly #universe = new Map<string | null, number>();

  /** About how many entities the scope has (the highest row id; cheap and good enough for a ratio). */
  #universeSize(nested: string | null): number {
    let size = this.#universe.get(nested);
    if (size === undefined) {
      const t = this.compiler.ctx.tables;
      size = Number(
        this.conn.get(nested === null ? sql`SELECT max(rid) AS n FROM ${t.sort}` : sql`SELECT max(rid) AS n FROM ${t.nested}`)?.n ?? 0,
      );
      this.#universe.set(nested, size);
    }
    return size;
  }

  #narrow(set: EntitySet, condition: Sql): EntitySet {
    return { nested: set.nested, select: sql`SELECT b.rid FROM (${set.select}) b WHERE ${condition}` };
  }

  #count(set: EntitySet): number {
    return Number(this.conn.get(sql`SELECT count(*) AS c FROM (${set.select})`)?.c ?? 0);
  }

  #subs(subs: unknown, path: string, set: EntitySet): JsonObject {
    if (subs === undefined) return {};
    return this.run(subs, path, set, false);
  }

  #single(set: EntitySet, condition: Sql, subs: unknown, subPath: string): JsonObject {
    const narrowed = this.#narrow(set, condition);
    narrowed.size = this.#count(narrowed);
    return { doc_count: narrowed.size, ...this.#subs(subs, subPath, narrowed) };
  }

  #filterCondition(spec: Record<string, unknown>, path: string, set: EntitySet): Sql {
    return this.compiler.compile(spec, path, this.#scope(set), false).where;
  }

  /** Render buckets: compute their sub-aggregations and shape them. */
  #renderBuckets(
    buckets: Bucket[],
    set: EntitySet,
    subs: unknown,
    subPath: string,
    keyed: boolean,
    keyOf: (b: Bucket) => string,
  ): JsonValue {
    const shaped = buckets.map((b) => {
      const body: JsonObject = {};
      if (b.keyAsString !== undefined && !keyed) body.key_as_string = b.keyAsString;
      if (!keyed) body.key = b.key;
      else if (b.keyAsString !== undefined) body.key_as_string = b.keyAsString;
      Object.assign(body, b.extra ?? {});
      body.doc_count = b.docCount;
      Object.assign(body, b.sub ?? this.#subs(subs, subPath, this.#narrow(set, b.condition)));
      return [keyOf(b), body] as const;
    });
    if (keyed) return Object.fromEntries(shaped);
    return shaped.map(([, body]) => body);
  }

  // -------------------------------------------------------------------------------------------------
  // terms
  // -------------------------------------------------------------------------------------------------

  #terms(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(
      spec,
      [
        'field',
        'size',
        'shard_size',
        'order',
        'min_doc_count',
        'shard_min_doc_count',
        'missing',
        'include',
        'exclude',
        'execution_hint',
        'collect_mode',
        'show_term_doc_count_error',
        'value_type',
        'format',
      ],
      path,
    );
    if (spec.show_term_doc_count_error === true) unsupported(at(path, 'show_term_doc_count_error'));
    if (spec.format !== undefined) unsupported(at(path, 'format'));
    const field = this.#field(spec.field, at(path, 'field'), set);
    const size = spec.size === undefined ? 10 : nonNegativeInteger(spec.size, at(path, 'size'));
    if (size < 1) invalid(at(path, 'size'), '[size] must be greater than 0.');
    const minDocCount = spec.min_doc_count === undefined ? 1 : nonNegativeInteger(spec.min_doc_count, at(path, 'min_doc_count'));
    const order = parseBucketOrder(spec.order, at(path, 'order'), [{ key: '_count', dir: 'desc' }]);
    const filter = this.#includeExclude(spec, path, field);
    const val = this.#val(set);

    const column = set.rids && filter.text === '' ? this.docValues?.terms(field) : undefined;
    let counts: Map<string | number, number>;
    if (column && set.rids) counts = this.docValues!.count(column, set.rids);
    else {
      const rows = this.conn.all(sql`SELECT value, count(*) AS c FROM ${this.#joined(set, val, field)}${filter} GROUP BY value`);
      counts = new Map<string | number, number>();
      for (const row of rows) counts.set(normalizeKey(row.value), Number(row.c));
    }
    let missingKey: string | number | undefined;
    let missingCount = 0;
    if (spec.missing !== undefined) {
      missingKey = this.#convert(field, spec.missing, at(path, 'missing'));
      missingCount = this.#countLacking(set, val, field);
      if (missingCount > 0) counts.set(missingKey, (counts.get(missingKey) ?? 0) + missingCount);
    }
    if (minDocCount === 0) {
      for (const row of this.conn.all(sql`SELECT DISTINCT value FROM ${val} WHERE field = ${field.id}${filter}`)) {
        const k = normalizeKey(row.value);
        if (!counts.has(k)) counts.set(k, 0);
      }
    }
    let buckets: Bucket[] = [];
    for (const [key, docCount] of counts) {
      if (docCount < minDocCount) continue;
      let condition = sql`b.rid IN (SELECT eid FROM ${val} WHERE field = ${field.id} AND value = ${key})`;
      if (missingKey !== undefined && key === missingKey && missingCount > 0) {
        condition = sql`(${condition} OR ${lacks(val, field)})`;
      }
      buckets.push({ ...keyOf(field, key), docCount, condition });
    }
    const total = buckets.reduce((n, b) => n + b.docCount, 0);
    buckets = this.#sortBuckets(buckets, order, set, subs, subPath, path);
    const shown = buckets.slice(0, size);
    const other = total - shown.reduce((n, b) => n + b.docCount, 0);
    return {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: other,
      buckets: this.#renderBuckets(shown, set, subs, subPath, false, () => ''),
    };
  }

  #includeExclude(spec: Record<string, unknown>, path: string, field: FieldDef): Sql {
    let filter = sql``;
    for (const key of ['include', 'exclude'] as const) {
      const raw = spec[key];
      if (raw === undefined) continue;
      if (!Array.isArray(raw)) unsupported(at(path, key), 'Regular expression and partition forms; give an array of values.');
      const values = raw.map((v, i) => this.#convert(field, v, at(path, key, i)));
      filter = sql`${filter} AND value ${key === 'include' ? sql`IN` : sql`NOT IN`} (SELECT value FROM json_each(${JSON.stringify(values)}))`;
    }
    return filter;
  }

  #convert(field: FieldDef, raw: unknown, path: string): string | number {
    try {
      if (field.kind === 'date') {
        const v = resolveDateMath(typeof raw === 'number' ? raw : string(raw, path), {
          formats: field.formats ?? [],
          roundUp: false,
          zone: UTC,
          now: this.compiler.ctx.now,
        });
        if (v === undefined) invalid(path, `Failed to parse date ${JSON.stringify(raw)} for [${field.path}].`);
        return v;
      }
      return queryValue(field, raw);
    } catch (error) {
      if (error instanceof ValueError) invalid(path, error.message);
      throw error;
    }
  }

  /** Sort buckets by the order criteria; `_key` ties last. Computes sub-aggregations first when an order needs them. */
  #sortBuckets(buckets: Bucket[], order: BucketOrder[], set: EntitySet, subs: unknown, subPath: string, path: string): Bucket[] {
    const needsSubs = order.some((o) => o.key !== '_count' && o.key !== '_key');
    if (needsSubs) {
      for (const b of buckets) b.sub = this.#subs(subs, subPath, this.#narrow(set, b.condition));
    }
    const criteria = [...order];
    if (!criteria.some((o) => o.key === '_key')) criteria.push({ key: '_key', dir: 'asc' });
    const bucketValue = (b: Bucket, o: BucketOrder): number | string | null => {
      if (o.key === '_count') return b.docCount;
      if (o.key === '_key') return b.key as number | string;
      return subAggValue(b.sub ?? {}, o.key, at(path, 'order'));
    };
    return [...buckets].sort((a, b) => {
      for (const o of criteria) {
        const x = bucketValue(a, o);
        const y = bucketValue(b, o);
        let c: number;
        if (x === null || y === null) c = x === y ? 0 : x === null ? 1 : -1;
        else if (typeof x === 'number' && typeof y === 'number') c = x - y;
        else c = compareUtf8(String(x), String(y));
        if (c !== 0 && !(x === null || y === null)) return o.dir === 'asc' ? c : -c;
        if (c !== 0) return c;
      }
      return 0;
    });
  }

  // -------------------------------------------------------------------------------------------------
  // range and date_range
  // -------------------------------------------------------------------------------------------------

  #range(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string, dates: boolean): JsonObject {
    checkKeys(spec, ['field', 'ranges', 'keyed', 'format', 'time_zone', 'missing'], path);
    if (spec.missing !== undefined) unsupported(at(path, 'missing'));
    const field = this.#field(spec.field, at(path, 'field'), set, dates ? ['date'] : ['number', 'date']);
    if (!Array.isArray(spec.ranges) || spec.ranges.length === 0) invalid(at(path, 'ranges'), 'Expected a non-empty array of ranges.');
    const keyed = spec.keyed === undefined ? false : boolean(spec.keyed, at(path, 'keyed'));
    const isDate = field.kind === 'date';
    let formats: readonly DateFormat[] = field.formats ?? [];
    if (spec.format !== undefined) {
      if (!isDate) unsupported(at(path, 'format'), 'A format on a numeric range aggregation.');
      const f = compileDateFormats(string(spec.format, at(path, 'format')));
      if (!f) unsupported(at(path, 'format'), `Date format ${JSON.stringify(spec.format)}.`);
      formats = f;
    }
    let zone: TimeZone = UTC;
    if (spec.time_zone !== undefined) {
      if (!isDate) invalid(at(path, 'time_zone'), 'A time zone applies to date fields only.');
      const z = parseTimeZone(string(spec.time_zone, at(path, 'time_zone')));
      if (!z) invalid(at(path, 'time_zone'), `Unknown time zone ${JSON.stringify(spec.time_zone)}.`);
      zone = z;
    }
    const printer = formats[0]!;
    const bound = (raw: unknown, p: string): number | undefined => {
      if (raw === undefined || raw === null) return undefined;
      if (isDate) {
        if (typeof raw !== 'string' && typeof raw !== 'number') invalid(p, `Expected a date; got ${JSON.stringify(raw)}.`);
        const v = resolveDateMath(typeof raw === 'number' ? String(raw) : raw, {
          formats,
          roundUp: false,
          zone,
          now: this.compiler.ctx.now,
        });
        if (v === undefined) invalid(p, `Failed to parse date ${JSON.stringify(raw)}.`);
        return v;
      }
      return number(raw, p);
    };
    const ranges = spec.ranges.map((r, i) => {
      const p = at(path, 'ranges', i);
      if (!isObject(r)) invalid(p, 'Expected an object with from and/or to.');
      checkKeys(r, ['from', 'to', 'key'], p);
      return {
        from: bound(r.from, at(p, 'from')),
        to: bound(r.to, at(p, 'to')),
        key: r.key === undefined ? undefined : string(r.key, at(p, 'key')),
      };
    });
    ranges.sort((a, b) => (a.from ?? -Infinity) - (b.from ?? -Infinity) || (a.to ?? Infinity) - (b.to ?? Infinity));
    const val = this.#val(set);
    const text = (v: number | undefined) => (v === undefined ? '*' : isDate ? printer.format(v, zone) : javaDouble(v));
    const buckets: Bucket[] = ranges.map((r) => {
      const conditions: Sql[] = [];
      if (r.from !== undefined) conditions.push(sql`value >= ${r.from}`);
      if (r.to !== undefined) conditions.push(sql`value < ${r.to}`);
      const valueCondition = conditions.length === 0 ? TRUE : and(conditions);
      const condition = sql`b.rid IN (SELECT eid FROM ${val} WHERE field = ${field.id} AND ${valueCondition})`;
      const key = r.key ?? `${text(r.from)}-${text(r.to)}`;
      const extra: JsonObject = {};
      if (r.from !== undefined) {
        extra.from = r.from;
        if (isDate) extra.from_as_string = printer.format(r.from, zone);
      }
      if (r.to !== undefined) {
        extra.to = r.to;
        if (isDate) extra.to_as_string = printer.format(r.to, zone);
      }
      const docCount = this.#count(this.#narrow(set, condition));
      return { key, docCount, condition, extra };
    });
    return { buckets: this.#renderBuckets(buckets, set, subs, subPath, keyed, (b) => String(b.key)) };
  }

  // -------------------------------------------------------------------------------------------------
  // histogram and date_histogram
  // -------------------------------------------------------------------------------------------------

  #histogram(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(spec, ['field', 'interval', 'offset', 'min_doc_count', 'extended_bounds', 'hard_bounds', 'order', 'keyed', 'missing'], path);
    const field = this.#field(spec.field, at(path, 'field'), set, ['number']);
    const interval = number(spec.interval, at(path, 'interval'));
    if (!(interval > 0)) invalid(at(path, 'interval'), '[interval] must be greater than 0.');
    const offset = spec.offset === undefined ? 0 : number(spec.offset, at(path, 'offset'));
    const keyOfValue = (v: number) => Math.floor((v - offset) / interval) * interval + offset;
    const keyed = spec.keyed === undefined ? false : boolean(spec.keyed, at(path, 'keyed'));
    const minDocCount = spec.min_doc_count === undefined ? 0 : nonNegativeInteger(spec.min_doc_count, at(path, 'min_doc_count'));
    const val = this.#val(set);
    const rows = this.conn.all(
      sql`SELECT floor((value - ${offset}) / ${interval}) AS k, count(DISTINCT eid) AS c FROM ${this.#joined(set, val, field)} GROUP BY k`,
    );
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(Number(row.k) * interval + offset, Number(row.c));
    let missingKey: number | undefined;
    if (spec.missing !== undefined) {
      missingKey = keyOfValue(number(spec.missing, at(path, 'missing')));
      const n = this.#countLacking(set, val, field);
      if (n > 0) counts.set(missingKey, (counts.get(missingKey) ?? 0) + n);
      else missingKey = undefined;
    }
    const bounds = this.#bounds(spec, path, (raw, p) => number(raw, p));
    const step = (k: number) => k + interval;
    const buckets = this.#histogramBuckets(counts, minDocCount, bounds, keyOfValue, step, (k) => {
      let condition = sql`b.rid IN (SELECT eid FROM ${val} WHERE field = ${field.id} AND value >= ${k} AND value < ${k + interval})`;
      if (missingKey === k) condition = sql`(${condition} OR ${lacks(val, field)})`;
      return { key: k, condition };
    });
    const order = parseBucketOrder(spec.order, at(path, 'order'), [{ key: '_key', dir: 'asc' }]);
    const sorted = this.#sortBuckets(buckets, order, set, subs, subPath, path);
    return { buckets: this.#renderBuckets(sorted, set, subs, subPath, keyed, (b) => javaDouble(b.key as number)) };
  }

  #dateHistogram(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(
      spec,
      [
        'field',
        'calendar_interval',
        'fixed_interval',
        'interval',
        'format',
        'time_zone',
        'offset',
        'min_doc_count',
        'extended_bounds',
        'hard_bounds',
        'order',
        'keyed',
        'missing',
      ],
      path,
    );
    if (spec.interval !== undefined) unsupported(at(path, 'interval'), 'Use calendar_interval or fixed_interval.');
    const field = this.#field(spec.field, at(path, 'field'), set, ['date']);
    let unit: DateUnit | undefined;
    let fixed: number | undefined;
    if (spec.calendar_interval !== undefined && spec.fixed_interval !== undefined)
      invalid(path, 'Give calendar_interval or fixed_interval, not both.');
    if (spec.calendar_interval !== undefined) {
      unit = calendarUnit(string(spec.calendar_interval, at(path, 'calendar_interval')));
      if (!unit)
        invalid(
          at(path, 'calendar_interval'),
          `Unknown calendar interval ${JSON.stringify(spec.calendar_interval)}; use minute, hour, day, week, month, quarter or year.`,
        );
    } else if (spec.fixed_interval !== undefined) {
      fixed = parseTimeValue(string(spec.fixed_interval, at(path, 'fixed_interval')));
      if (!fixed)
        invalid(
          at(path, 'fixed_interval'),
          `Invalid fixed interval ${JSON.stringify(spec.fixed_interval)}; use e.g. 30d, 12h, 90m, 10s, 500ms.`,
        );
    } else {
      invalid(path, 'A calendar_interval or fixed_interval is required.');
    }
    let zone: TimeZone = UTC;
    if (spec.time_zone !== undefined) {
      const z = parseTimeZone(string(spec.time_zone, at(path, 'time_zone')));
      if (!z) invalid(at(path, 'time_zone'), `Unknown time zone ${JSON.stringify(spec.time_zone)}.`);
      zone = z;
    }
    let offset = 0;
    if (spec.offset !== undefined) {
      const text = string(spec.offset, at(path, 'offset'));
      const m = /^([+-]?)(.+)$/.exec(text)!;
      const ms = parseTimeValue(m[2]!);
      if (ms === undefined) invalid(at(path, 'offset'), `Invalid offset ${JSON.stringify(text)}.`);
      offset = m[1] === '-' ? -ms : ms;
    }
    let formats = field.formats ?? [];
    if (spec.format !== undefined) {
      const f = compileDateFormats(string(spec.format, at(path, 'format')));
      if (!f) unsupported(at(path, 'format'), `Date format ${JSON.stringify(spec.format)}.`);
      formats = f;
    }
    const printer = formats[0]!;
    const keyed = spec.keyed === undefined ? false : boolean(spec.keyed, at(path, 'keyed'));
    const minDocCount = spec.min_doc_count === undefined ? 0 : nonNegativeInteger(spec.min_doc_count, at(path, 'min_doc_count'));
    const keyOfValue = (v: number): number => {
      const shifted = v - offset;
      if (fixed !== undefined) {
        const local = shifted + zone.offsetAt(shifted);
        const flooredLocal = Math.floor(local / fixed) * fixed;
        return flooredLocal - zone.offsetAt(shifted) + offset;
      }
      return floorTo(shifted, unit!, zone) + offset;
    };
    const step = (k: number): number => (fixed !== undefined ? k + fixed : addUnits(k - offset, 1, unit!, zone) + offset);
    const val = this.#val(set);
    const rows = this.conn.all(
      sql`SELECT ${ident(DATE_BUCKET_FUNCTION)}(value, ${unit ?? ''}, ${fixed ?? 0}, ${zone.name}, ${offset}) AS k, count(DISTINCT eid) AS c FROM ${this.#joined(set, val, field)} GROUP BY k`,
    );
    const counts = new Map<number, number>();
    for (const row of rows) counts.set(Number(row.k), Number(row.c));
    let missingKey: number | undefined;
    if (spec.missing !== undefined) {
      const m = this.#convert(field, spec.missing, at(path, 'missing')) as number;
      missingKey = keyOfValue(m);
      const n = this.#countLacking(set, val, field);
      if (n > 0) counts.set(missingKey, (counts.get(missingKey) ?? 0) + n);
      else missingKey = undefined;
    }
    const bounds = this.#bounds(spec, path, (raw, p) => {
      const v = resolveDateMath(typeof raw === 'number' ? raw : string(raw, p), {
        formats,
        roundUp: false,
        zone,
        now: this.compiler.ctx.now,
      });
      if (v === undefined) invalid(p, `Failed to parse date ${JSON.stringify(raw)}.`);
      return v;
    });
    const buckets = this.#histogramBuckets(counts, minDocCount, bounds, keyOfValue, step, (k) => {
      let condition = sql`b.rid IN (SELECT eid FROM ${val} WHERE field = ${field.id} AND value >= ${k} AND value < ${step(k)})`;
      if (missingKey === k) condition = sql`(${condition} OR ${lacks(val, field)})`;
      return { key: k, keyAsString: printer.format(k, zone), condition };
    });
    const order = parseBucketOrder(spec.order, at(path, 'order'), [{ key: '_key', dir: 'asc' }]);
    const sorted = this.#sortBuckets(buckets, order, set, subs, subPath, path);
    return { buckets: this.#renderBuckets(sorted, set, subs, subPath, keyed, (b) => b.keyAsString ?? String(b.key)) };
  }

  #bounds(
    spec: Record<string, unknown>,
    path: string,
    parse: (raw: unknown, p: string) => number,
  ): { extended?: { min?: number; max?: number }; hard?: { min?: number; max?: number } } {
    const read = (key: 'extended_bounds' | 'hard_bounds') => {
      const raw = spec[key];
      if (raw === undefined) return undefined;
      if (!isObject(raw)) invalid(at(path, key), 'Expected an object with min and/or max.');
      checkKeys(raw, ['min', 'max'], at(path, key));
      const out: { min?: number; max?: number } = {};
      if (raw.min !== undefined && raw.min !== null) out.min = parse(raw.min, at(path, key, 'min'));
      if (raw.max !== undefined && raw.max !== null) out.max = parse(raw.max, at(path, key, 'max'));
      return out;
    };
    const result: { extended?: { min?: number; max?: number }; hard?: { min?: number; max?: number } } = {};
    const extended = read('extended_bounds');
    const hard = read('hard_bounds');
    if (extended) result.extended = extended;
    if (hard) result.hard = hard;
    return result;
  }

  #histogramBuckets(
    counts: Map<number, number>,
    minDocCount: number,
    bounds: { extended?: { min?: number; max?: number }; hard?: { min?: number; max?: number } },
    keyOfValue: (v: number) => number,
    step: (k: number) => number,
    make: (k: number) => { key: number; keyAsString?: string; condition: Sql },
  ): Bucket[] {
    const keys = [...counts.keys()];
    if (bounds.hard) {
      const { min, max } = bounds.hard;
      for (const k of keys) {
        if ((min !== undefined && step(k) <= min) || (max !== undefined && k > max)) counts.delete(k);
      }
    }
    if (minDocCount === 0) {
      let lo = counts.size > 0 ? Math.min(...counts.keys()) : undefined;
      let hi = counts.size > 0 ? Math.max(...counts.keys()) : undefined;
      if (bounds.extended?.min !== undefined) {
        const k = keyOfValue(bounds.extended.min);
        lo = lo === undefined ? k : Math.min(lo, k);
        hi = hi ?? k;
      }
      if (bounds.extended?.max !== undefined) {
        const k = keyOfValue(bounds.extended.max);
        hi = hi === undefined ? k : Math.max(hi, k);
        lo = lo ?? k;
      }
      if (lo !== undefined && hi !== undefined) {
        let guard = 0;
        for (let k = lo; k <= hi; k = step(k)) {
          if (!counts.has(k)) counts.set(k, 0);
          if (++guard > 100_000) invalid('aggs', 'Too many buckets (more than 100000).');
        }
      }
    }
    const buckets: Bucket[] = [];
    for (const [k, docCount] of [...counts.entries()].sort((a, b) => a[0] - b[0])) {
      if (docCount < minDocCount) continue;
      buckets.push({ ...make(k), docCount });
    }
    return buckets;
  }

  // -------------------------------------------------------------------------------------------------
  // filters, nested, reverse_nested
  // -------------------------------------------------------------------------------------------------

  #filters(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(spec, ['filters', 'other_bucket', 'other_bucket_key', 'keyed'], path);
    const filters = spec.filters;
    const named = isObject(filters);
    if (!named && !Array.isArray(filters)) invalid(at(path, 'filters'), 'Expected an object of named filters or an array.');
    const entries: [string, unknown][] = named ? Object.entries(filters) : (filters as unknown[]).map((f, i) => [String(i), f]);
    const keyed = spec.keyed === undefined ? named : boolean(spec.keyed, at(path, 'keyed'));
    const otherKey = spec.other_bucket_key === undefined ? '_other_' : string(spec.other_bucket_key, at(path, 'other_bucket_key'));
    const other =
      spec.other_bucket === undefined ? spec.other_bucket_key !== undefined : boolean(spec.other_bucket, at(path, 'other_bucket'));
    const conditions = entries.map(
      ([name, q]) => [name, this.#filterCondition(q as Record<string, unknown>, at(path, 'filters', name), set)] as const,
    );
    const buckets: Bucket[] = conditions.map(([name, condition]) => ({
      key: name,
      docCount: this.#count(this.#narrow(set, condition)),
      condition,
    }));
    if (other) {
      const condition = and(conditions.map(([, c]) => sql`NOT (${c})`));
      buckets.push({ key: otherKey, docCount: this.#count(this.#narrow(set, condition)), condition });
    }
    if (keyed) return { buckets: this.#renderBuckets(buckets, set, subs, subPath, true, (b) => String(b.key)) as JsonObject };
    const rendered = this.#renderBuckets(buckets, set, subs, subPath, false, () => '') as JsonObject[];
    // Anonymous filters have no key in their buckets (Elasticsearch omits it for the array form).
    return { buckets: named ? rendered : rendered.map(({ key: _key, ...rest }) => rest) };
  }

  #nested(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(spec, ['path'], path);
    const nestedPath = string(spec.path, at(path, 'path'));
    const def = this.compiler.ctx.schema.nested.get(nestedPath);
    if (!def) invalid(at(path, 'path'), `[${nestedPath}] is not a nested path of the index mapping.`);
    const t = this.compiler.ctx.tables;
    let select: Sql;
    if (set.nested === null) select = sql`SELECT n.rid FROM ${t.nested} n WHERE n.path = ${def.id} AND n.doc IN (${set.select})`;
    else if (def.parent === set.nested)
      select = sql`SELECT n.rid FROM ${t.nested} n WHERE n.path = ${def.id} AND n.parent IN (${set.select})`;
    else invalid(at(path, 'path'), `[${nestedPath}] is not a nested path directly under [${set.nested}].`);
    const inner: EntitySet = { nested: nestedPath, select };
    inner.size = this.#count(inner);
    return { doc_count: inner.size, ...this.#subs(subs, subPath, inner) };
  }

  #reverseNested(spec: Record<string, unknown>, path: string, set: EntitySet, subs: unknown, subPath: string): JsonObject {
    checkKeys(spec, ['path'], path);
    if (set.nested === null) invalid(path, 'A reverse_nested aggregation must be inside a nested aggregation.');
    const t = this.compiler.ctx.tables;
    let target: EntitySet;
    if (spec.path === undefined) {
      target = { nested: null, select: sql`SELECT DISTINCT n.doc AS rid FROM ${t.nested} n WHERE n.rid IN (${set.select})` };
    } else {
      const targetPath = string(spec.path, at(path, 'path'));
      const current = this.compiler.ctx.schema.nested.get(set.nested);
      if (current?.parent !== targetPath) unsupported(at(path, 'path'), 'reverse_nested to a nested path other than the direct parent.');
      target = { nested: targetPath, select: sql`SELECT DISTINCT n.parent AS rid FROM ${t.nested} n WHERE n.rid IN (${set.select})` };
    }
    return { doc_count: this.#count(target), ...this.#subs(subs, subPath, target) };
  }

  // -------------------------------------------------------------------------------------------------
  // metrics
  // -------------------------------------------------------------------------------------------------

  /** How many documents of `set` have no value for `field`. */
  #countLacking(set: EntitySet, val: Sql, field: FieldDef): number {
    return Number(this.conn.get(sql`SELECT count(*) AS c FROM (${set.select}) b WHERE ${lacks(val, field)}`)?.c ?? 0);
  }

  #metric(type: string, spec: Record<string, unknown>, path: string, set: EntitySet): JsonObject {
    checkKeys(spec, ['field', 'missing', 'precision_threshold', 'format'], path);
    if (spec.format !== undefined) unsupported(at(path, 'format'));
    if (spec.precision_threshold !== undefined && type !== 'cardinality') unsupported(at(path, 'precision_threshold'));
    const numericOnly = type !== 'value_count' && type !== 'cardinality';
    const field = this.#field(spec.field, at(path, 'field'), set, numericOnly ? ['number', 'date', 'boolean'] : undefined);
    const val = this.#val(set);
    const base = sql`FROM ${this.#joined(set, val, field)}`;
    let missingValue: string | number | undefined;
    let missingDocs = 0;
    if (spec.missing !== undefined) {
      missingValue = this.#convert(field, spec.missing, at(path, 'missing'));
      missingDocs = this.#countLacking(set, val, field);
    }
    const row =
      this.conn.get(
        sql`SELECT min(value) AS mn, max(value) AS mx, sum(value) AS sm, count(value) AS ct, count(DISTINCT value) AS cd ${base}`,
      ) ?? {};
    let min = row.mn === null || row.mn === undefined ? null : (row.mn as number | string);
    let max = row.mx === null || row.mx === undefined ? null : (row.mx as number | string);
    let sum = Number(row.sm ?? 0);
    let count = Number(row.ct ?? 0);
    let distinct = Number(row.cd ?? 0);
    if (missingValue !== undefined && missingDocs > 0) {
      const m = missingValue;
      if (typeof m === 'number') {
        min = min === null || m < (min as number) ? m : min;
        max = max === null || m > (max as number) ? m : max;
        sum += m * missingDocs;
      }
      if (count === 0 || !this.#hasValue(val, field, m, set)) distinct += 1;
      count += missingDocs;
    }
    const isDate = field.kind === 'date';
    const printer = field.formats?.[0];
    const withString = (value: number | null): JsonObject => {
      const out: JsonObject = { value };
      if (value !== null && isDate && printer) out.value_as_string = printer.format(value, UTC);
      if (value !== null && field.kind === 'boolean' && (type === 'min' || type === 'max'))
        out.value_as_string = value === 1 ? 'true' : 'false';
      return out;
    };
    switch (type) {
      case 'min':
        return withString(min === null ? null : Number(min));
      case 'max':
        return withString(max === null ? null : Number(max));
      case 'sum':
        return withString(sum);
      case 'avg':
        return withString(count === 0 ? null : sum / count);
      case 'value_count':
        return { value: count };
      case 'cardinality':
        return { value: distinct };
      default: {
        const stats: JsonObject = {
          count,
          min: min === null ? null : Number(min),
          max: max === null ? null : Number(max),
          avg: count === 0 ? null : sum / count,
          sum,
        };
        if (isDate && printer && count > 0) {
          stats.min_as_string = printer.format(Number(min), UTC);
          stats.max_as_string = printer.format(Number(max), UTC);
          stats.avg_as_string = printer.format(sum / count, UTC);
          stats.sum_as_string = printer.format(sum, UTC);
        }
        return stats;
      }
    }
  }

  #hasValue(val: Sql, field: FieldDef, value: string | number, set: EntitySet): boolean {
    return (
      this.conn.get(sql`SELECT 1 AS x FROM ${val} WHERE field = ${field.id} AND value = ${value} AND eid IN (${set.select}) LIMIT 1`) !==
      undefined
    );
  }
}

// ---------------------------------------------------------------------------------------------------

interface BucketOrder {
  key: string;
  dir: 'asc' | 'desc';
}

function parseBucketOrder(raw: unknown, path: string, fallback: BucketOrder[]): BucketOrder[] {
  if (raw === undefined) return fallback;
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item, i) => {
    const p = Array.isArray(raw) ? at(path, i) : path;
    if (!isObject(item) || Object.keys(item).length !== 1) invalid(p, 'Expected { "<key>": "asc" | "desc" }.');
    const [key, dir] = Object.entries(item)[0]!;
    if (dir !== 'asc' && dir !== 'desc') invalid(at(p, key), `Expected asc or desc; got ${JSON.stringify(dir)}.`);
    if (key === '_term') return { key: '_key', dir };
    return { key, dir };
  });
}

/** A sub-aggregation value named by an order path: `metric`, `stats.avg`, `single>metric`, `single._count`. */
function subAggValue(subs: JsonObject, orderPath: string, path: string): number | null {
  const [head, ...rest] = orderPath.split('>');
  let node: JsonObject = subs;
  let name = head!;
  for (const step of rest) {
    const inner: unknown = node[name];
    if (!isObject(inner) || inner.doc_count === undefined)
      invalid(path, `[${name}] in order path ${JSON.stringify(orderPath)} is not a single-bucket aggregation.`);
    node = inner as JsonObject;
    name = step;
  }
  const dot = name.indexOf('.');
  const aggName = dot < 0 ? name : name.slice(0, dot);
  const metric = dot < 0 ? undefined : name.slice(dot + 1);
  const agg = node[aggName];
  if (!isObject(agg)) invalid(path, `No sub-aggregation [${aggName}] to order by.`);
  let value: unknown;
  if (metric === undefined) value = 'value' in agg ? agg.value : agg.doc_count;
  else if (metric === '_count') value = agg.doc_count;
  else value = agg[metric];
  if (value === undefined) invalid(path, `Cannot order by ${JSON.stringify(orderPath)}: it is not a single value.`);
  return value === null ? null : Number(value);
}

/** The bucket document `b` has no value for `field` (what `missing` counts and buckets). */
function lacks(val: Sql, field: FieldDef): Sql {
  return sql`b.rid NOT IN (SELECT eid FROM ${val} WHERE field = ${field.id})`;
}

function normalizeKey(value: unknown): string | number {
  if (typeof value === 'bigint') return Number(value);
  return value as string | number;
}

function keyOf(field: FieldDef, key: string | number): { key: JsonValue; keyAsString?: string } {
  if (field.kind === 'date') return { key, keyAsString: field.formats![0]!.format(key as number, UTC) };
  if (field.kind === 'boolean') return { key, keyAsString: key === 1 ? 'true' : 'false' };
  return { key };
}

/** Java's `Double.toString`, which Elasticsearch uses in range keys (`100.0`, `1.5`, `1.0E10`). */
export function javaDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return `${value}.0`;
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e');
  const m = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** The JS side of {@link DATE_BUCKET_FUNCTION}: the bucket start of a date value. */
export function dateBucket(value: number, unit: string, fixed: number, zoneName: string, offset: number): number {
  const zone = parseTimeZone(zoneName) ?? UTC;
  const shifted = value - offset;
  if (fixed > 0) {
    const local = shifted + zone.offsetAt(shifted);
    return Math.floor(local / fixed) * fixed - zone.offsetAt(shifted) + offset;
  }
  return floorTo(shifted, unit as DateUnit, zone) + offset;
}
