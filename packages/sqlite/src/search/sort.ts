// `sort` and `search_after`. A sort key is an SQL expression per hit: the score, the document's row id
// (`_doc`), or a field's min/max from the narrow sort table (`s.lo<k>` / `s.hi<k>`), with
// Elasticsearch's defaults (ascending uses the minimum of a multi-valued field, descending the maximum;
// missing values last). `search_after` becomes a strict lexicographic "after this tuple" condition
// that treats missing values exactly as the ORDER BY does.

import type { JsonValue } from '@recordkit/records-service';
import { parseWithFormats, UTC } from './dates.js';
import { at, invalid, isObject, string, unsupported } from './errors.js';
import type { FieldDef } from './mapping.js';
import type { QueryCompiler, Scope } from './query.js';
import { and, FALSE, ident, or, type Sql, sql, TRUE } from './sql.js';
import { queryValue, ValueError } from './values.js';

/** One compiled sort key. */
export interface SortKey {
  kind: 'score' | 'doc' | 'field';
  order: 'asc' | 'desc';
  field?: FieldDef;
  /** The key's value per hit (may be NULL when missing); refers to `h.rid`, `h.score` and `s.*`. */
  expr: Sql;
  /** Where hits without a value go, unless `missingValue` replaces them. */
  missing: 'first' | 'last';
  /** The sort-table column (`lo3`, `hi3`) when `expr` is just that column: an index can then order the hits. */
  column?: string;
  /** Output of the `sort` array for a value read from `expr`. */
  output(value: unknown): JsonValue;
  /** A `search_after` value converted for comparison with `expr`; null means "missing". */
  parseAfter(value: unknown, path: string): string | number | null;
}

/** Long.MAX_VALUE / MIN_VALUE, Elasticsearch's sort value for a missing long, date or boolean (2^63 as a double). */
const LONG_MAX = 2 ** 63;
const LONG_MIN = -(2 ** 63);
/** Integer.MAX_VALUE / MIN_VALUE, Elasticsearch's sort value for a missing integer, short or byte. */
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);
/** Mapping types whose sort values Elasticsearch reads as Java ints. */
const INT_SORTED_TYPES = new Set(['integer', 'short', 'byte']);

/** What sorting needs from the search: a way to resolve fields and build nested sort subqueries. */
export interface SortContext {
  compiler: QueryCompiler;
  /** True when the request has a point in time (then `_shard_doc` is allowed and added). */
  pit: boolean;
}

/** Parse `sort` into keys. An absent sort is `_score` descending (the caller adds nothing to hits then). */
export function parseSort(raw: unknown, ctx: SortContext): SortKey[] {
  const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const keys: SortKey[] = [];
  items.forEach((item, i) => {
    const path = at('sort', Array.isArray(raw) ? i : '');
    let name: string;
    let options: Record<string, unknown> = {};
    if (typeof item === 'string') {
      name = item;
    } else if (isObject(item)) {
      const names = Object.keys(item);
      if (names.length !== 1) invalid(path, 'Each sort entry names exactly one field.');
      name = names[0]!;
      const value = item[name];
      if (typeof value === 'string') options = { order: value };
      else if (isObject(value)) options = value;
      else invalid(at(path, name), 'Expected "asc", "desc" or an object of sort options.');
    } else {
      invalid(path, 'Expected a field name or an object.');
    }
    keys.push(sortKey(name, options, at(path, name), ctx));
  });
  if (ctx.pit && !keys.some((k) => k.kind === 'doc')) keys.push(sortKey('_shard_doc', {}, 'sort', ctx));
  return keys;
}

function parseOrder(options: Record<string, unknown>, path: string, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  if (options.order === undefined) return fallback;
  const order = string(options.order, at(path, 'order')).toLowerCase();
  if (order !== 'asc' && order !== 'desc') invalid(at(path, 'order'), `Expected asc or desc; got ${JSON.stringify(options.order)}.`);
  return order;
}

function sortKey(name: string, options: Record<string, unknown>, path: string, ctx: SortContext): SortKey {
  if (name === '_score') {
    for (const key of Object.keys(options)) if (key !== 'order') unsupported(at(path, key));
    return {
      kind: 'score',
      order: parseOrder(options, path, 'desc'),
      expr: sql`h.score`,
      missing: 'last',
      output: (v) => Number(v),
      parseAfter: (v, p) => {
        if (typeof v !== 'number') invalid(p, `Expected a score (a number); got ${JSON.stringify(v)}.`);
        return v;
      },
    };
  }
  if (name === '_doc' || name === '_shard_doc') {
    for (const key of Object.keys(options)) if (key !== 'order') unsupported(at(path, key));
    if (name === '_shard_doc' && !ctx.pit) invalid(path, '_shard_doc sorting requires a point in time (pit).');
    return {
      kind: 'doc',
      order: parseOrder(options, path, 'asc'),
      expr: sql`h.rid`,
      missing: 'last',
      output: (v) => Number(v),
      parseAfter: (v, p) => {
        const n = typeof v === 'string' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isInteger(n))
          invalid(p, `Expected a document position (an integer); got ${JSON.stringify(v)}.`);
        return n;
      },
    };
  }
  if (name === '_id') unsupported(path, 'Sorting on _id (disabled on Elasticsearch too); sort on a keyword field holding the id.');
  for (const key of Object.keys(options)) {
    if (!['order', 'missing', 'mode', 'unmapped_type', 'nested', 'format', 'numeric_type'].includes(key)) unsupported(at(path, key));
  }
  if (options.numeric_type !== undefined) unsupported(at(path, 'numeric_type'));
  if (options.format !== undefined) unsupported(at(path, 'format'));
  const schema = ctx.compiler.ctx.schema;
  const field = schema.fields.get(name);
  if (!field) {
    if (schema.unsupportedTypes.has(name)) unsupported(path, `Sorting on a ${schema.unsupportedTypes.get(name)} field.`);
    invalid(path, `No mapping found for [${name}] in order to sort on.`);
  }
  if (field.kind === 'text') invalid(path, `Text fields cannot be sorted on ([${name}]); sort on a keyword sub-field.`);
  if (field.kind === 'completion') invalid(path, `Completion fields cannot be sorted on ([${name}]).`);
  if (!field.indexed) invalid(path, `Cannot sort on field [${name}] since it is not indexed.`);
  const order = parseOrder(options, path, 'asc');
  const mode = options.mode === undefined ? (order === 'asc' ? 'min' : 'max') : string(options.mode, at(path, 'mode'));
  if (!['min', 'max', 'avg', 'sum', 'median'].includes(mode)) invalid(at(path, 'mode'), `Unknown sort mode ${JSON.stringify(mode)}.`);
  if (mode !== 'min' && mode !== 'max' && field.kind !== 'number') invalid(at(path, 'mode'), `Sort mode ${mode} needs a numeric field.`);
  if (mode === 'median') unsupported(at(path, 'mode'), 'Sort mode median.');

  let expr: Sql;
  let column: string | undefined;
  if (field.nested !== null || options.nested !== undefined) {
    expr = nestedSortExpression(field, options.nested, mode, at(path, 'nested'), ctx);
  } else if (mode === 'min' || mode === 'max') {
    column = `${mode === 'min' ? 'lo' : 'hi'}${field.sortSlot!}`;
    expr = sql`s.${ident(column)}`;
  } else {
    expr = sql`(SELECT ${ident(mode)}(value) FROM ${ctx.compiler.ctx.tables.val} WHERE eid = h.rid AND field = ${field.id})`;
  }

  let missing: 'first' | 'last' = 'last';
  let missingValue: string | number | undefined;
  if (options.missing !== undefined && options.missing !== '_last') {
    if (options.missing === '_first') missing = 'first';
    else {
      try {
        missingValue = field.kind === 'date' ? dateValue(field, options.missing) : queryValue(field, options.missing);
      } catch (error) {
        if (error instanceof ValueError) invalid(at(path, 'missing'), error.message);
        throw error;
      }
      expr = sql`coalesce(${expr}, ${missingValue})`;
      column = undefined;
    }
  }
  const numericLike = field.kind === 'number' || field.kind === 'date' || field.kind === 'boolean';
  const integral = field.kind !== 'number' || field.integer;
  const intSorted = field.kind === 'number' && INT_SORTED_TYPES.has(field.type);
  const sentinel = (first: boolean): JsonValue => {
    const high = (order === 'asc') !== first;
    if (intSorted) return high ? INT_MAX : INT_MIN;
    if (integral) return high ? LONG_MAX : LONG_MIN;
    return high ? 'Infinity' : '-Infinity';
  };
  return {
    kind: 'field',
    order,
    field,
    expr,
    missing,
    ...(column !== undefined && { column }),
    output: (v) => {
      if (v === null || v === undefined) return numericLike ? sentinel(missing === 'first') : null;
      if (typeof v === 'bigint') return Number(v);
      return v as JsonValue;
    },
    parseAfter: (v, p) => {
      if (v === null) return null;
      if (numericLike) {
        if (v === 'Infinity' || v === '-Infinity') return null;
        if (typeof v === 'number' && (v >= LONG_MAX || v <= LONG_MIN)) return null;
        // An integer/short/byte field's missing documents carry the int sentinels; a real integer at the
        // type's extreme is read as missing too (it ties with the missing documents on Elasticsearch).
        if (intSorted && typeof v === 'number' && (v >= INT_MAX || v <= INT_MIN)) return null;
        if (field.kind === 'date' && typeof v === 'string' && !/^-?\d+$/.test(v)) return dateValue(field, v, p);
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n)) invalid(p, `Expected a number for [${field.path}]; got ${JSON.stringify(v)}.`);
        return n;
      }
      if (typeof v !== 'string') invalid(p, `Expected a string for [${field.path}]; got ${JSON.stringify(v)}.`);
      return v;
    },
  };
}

function dateValue(field: FieldDef, raw: unknown, path = 'sort'): number {
  if (typeof raw === 'number') return Math.trunc(raw);
  if (typeof raw !== 'string') invalid(path, `Expected a date for [${field.path}]; got ${JSON.stringify(raw)}.`);
  const v = parseWithFormats(raw, field.formats ?? [], false, UTC);
  if (v === undefined) invalid(path, `Failed to parse date ${JSON.stringify(raw)} for [${field.path}].`);
  return v;
}

function nestedSortExpression(field: FieldDef, nested: unknown, mode: string, path: string, ctx: SortContext): Sql {
  if (!isObject(nested))
    invalid(path, `Field [${field.path}] is inside the nested path [${field.nested}]; add "nested": { "path": "${field.nested}" }.`);
  for (const key of Object.keys(nested)) if (key !== 'path' && key !== 'filter') unsupported(at(path, key));
  const nestedPath = string(nested.path, at(path, 'path'));
  const def = ctx.compiler.ctx.schema.nested.get(nestedPath);
  if (!def) invalid(at(path, 'path'), `[${nestedPath}] is not a nested path of the index mapping.`);
  if (def.parent !== null) unsupported(at(path, 'path'), 'Sorting on fields of multi-level nested objects.');
  if (field.nested !== nestedPath) invalid(at(path, 'path'), `Field [${field.path}] is not inside the nested path [${nestedPath}].`);
  const alias = ctx.compiler.nextAlias();
  const scope: Scope = { nested: nestedPath, alias };
  const filter = nested.filter === undefined ? TRUE : ctx.compiler.compile(nested.filter, at(path, 'filter'), scope, false).where;
  const t = ctx.compiler.ctx.tables;
  return sql`(SELECT ${ident(mode)}(v.value) FROM ${t.nested} ${alias} JOIN ${t.nval} v ON v.eid = ${alias}.rid AND v.field = ${field.id} WHERE ${alias}.doc = h.rid AND ${alias}.path = ${def.id} AND ${filter})`;
}

/** ORDER BY terms for the keys, with missing values placed as asked, and the row id as final tiebreak. */
export function orderBy(keys: SortKey[], scoreDefault: boolean, tiebreak: Sql = sql`h.rid`): Sql {
  const parts: Sql[] = [];
  const effective = keys.length === 0 && scoreDefault ? [{ expr: sql`h.score`, order: 'desc' as const, missing: 'last' as const }] : keys;
  for (const key of effective) {
    const dir = key.order === 'asc' ? sql`ASC` : sql`DESC`;
    parts.push(sql`(${key.expr} IS NULL) ${key.missing === 'last' ? sql`ASC` : sql`DESC`}`, sql`${key.expr} ${dir}`);
  }
  if (!effective.some((k) => 'kind' in k && k.kind === 'doc')) parts.push(sql`${tiebreak} ASC`);
  return joinComma(parts);
}

function joinComma(parts: Sql[]): Sql {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc}, ${p}`));
}

/** The condition "strictly after `values`" in the order of `keys`. */
export function searchAfterCondition(keys: SortKey[], values: unknown[], path: string): Sql {
  if (keys.length === 0) invalid(path, 'search_after needs an explicit sort.');
  if (values.length !== keys.length) invalid(path, `search_after has ${values.length} values but the sort has ${keys.length} keys.`);
  const parsed = keys.map((k, i) => k.parseAfter(values[i], at(path, i)));
  const build = (i: number): Sql => {
    if (i === keys.length) return FALSE;
    const key = keys[i]!;
    const c = parsed[i]!;
    const cmp = key.order === 'asc' ? sql`>` : sql`<`;
    let gt: Sql;
    let eq: Sql;
    if (c === null) {
      gt = key.missing === 'last' ? FALSE : sql`(${key.expr} IS NOT NULL)`;
      eq = sql`(${key.expr} IS NULL)`;
    } else {
      gt = key.missing === 'last' ? sql`(${key.expr} IS NULL OR ${key.expr} ${cmp} ${c})` : sql`(${key.expr} ${cmp} ${c})`;
      eq = sql`(${key.expr} = ${c})`;
    }
    return or([gt, and([eq, build(i + 1)])]);
  };
  return build(0);
}

/**
 * The index that lets SQLite read hits already in the order of a sort key on the sort table (the key's
 * column with missing values last), or undefined when the key cannot use one.
 */
export function sortIndexFor(key: SortKey | undefined, sortTable: Sql): { name: Sql; ddl: Sql } | undefined {
  if (key?.kind !== 'field' || key.column === undefined || key.missing !== 'last') return undefined;
  const name = ident(`${sortTable.text}_${key.column}_${key.order}`);
  const col = ident(key.column);
  const ddl = sql`CREATE INDEX IF NOT EXISTS ${name} ON ${sortTable} ((${col} IS NULL), ${col} ${key.order === 'asc' ? sql`ASC` : sql`DESC`}, rid)`;
  return { name, ddl };
}
