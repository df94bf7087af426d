// Elasticsearch query DSL compiled to SQL. Each clause becomes a condition on the current entity (a
// document `d.rid`, or a nested object `n<k>.rid` inside a `nested` query) plus, where the request
// needs scores, a score expression: bm25 from FTS5 for full-text clauses, the clause's boost for
// term-level clauses, sums for bool, max for dis_max. Field names are looked up in the compiled
// mapping and only their numeric ids reach SQL; every value is a bound parameter.

import type { JsonObject } from '@recordkit/records-service';
import { fold, ftsString, prefixUpperBound, tokenize, wildcardToGlob } from './analysis.js';
import { compileDateFormats, type DateFormat, parseTimeZone, resolveDateMath, type TimeZone, UTC } from './dates.js';
import { at, boolean, checkKeys, invalid, isObject, number, querySyntax, singleKey, string, unsupported } from './errors.js';
import { type FieldDef, fieldPatternMatches, type IndexSchema } from './mapping.js';
import { type Occur, parseQueryString, parseSimpleFlags, parseSimpleQueryString, type QSNode } from './query-string.js';
import type { IndexTables } from './schema.js';
import { and, FALSE, ident, join, not, or, Sql, sql, TRUE } from './sql.js';
import { queryValue, storedNumber, ValueError } from './values.js';

/** What the compiler needs to know about the index and the request. */
export interface QueryContext {
  schema: IndexSchema;
  tables: IndexTables;
  /** Request time, for `now` in date math. */
  now: number;
  /** Wildcard expansion: the distinct FTS terms of some columns matching a GLOB (run against the index). */
  expandTerms(nested: boolean, columns: number[], glob: string, prefix: string, limit: number): string[];
}

/** The entity a clause is evaluated on. */
export interface Scope {
  /** Nested path, or null for root documents. */
  nested: string | null;
  /** SQL alias of the entity row (`d`, `n1`, ...); `<alias>.rid` is the entity id. */
  alias: Sql;
}

/** A compiled clause: its condition and (when scoring) its score for matching rows. */
export interface Compiled {
  /** The condition; a {@link RidSet} when it can also be computed as a set of entity ids. */
  where: Sql;
  score: Sql | null;
  /** True when `score` is already 0 for rows that do not match (FTS leaves), so `should` needs no CASE. */
  zeroWhenUnmatched?: boolean;
}

const MATCH_NONE: Compiled = { where: FALSE, score: null };

/**
 * A condition `<alias>.rid IN (<select>)` that also carries its `select` (a query of entity ids in a
 * column `rid`), so AND, OR and NOT of such conditions can run as INTERSECT, UNION and EXCEPT of
 * index lookups instead of testing every document.
 */
export class RidSet extends Sql {
  constructor(
    readonly alias: Sql,
    readonly select: Sql,
    /** True when `select` yields each id once. */
    readonly distinct: boolean,
    /**
     * Set when this is "every entity of the scope except these sets" (a bool of only must_not): a bool
     * that intersects it with other sets subtracts `minus` from them instead of reading the universe.
     */
    readonly complement?: { universe: RidSet; minus: readonly RidSet[] },
    /** The set as term lookups combined with and/or/except, when it is one: doc values can test it (decision 121). */
    readonly plan?: SetPlan,
    /** How an INTERSECT or EXCEPT set was made, so doc values can take over the parts they can test. */
    readonly parts?: { kind: 'and'; of: readonly RidSet[] } | { kind: 'except'; base: RidSet; minus: readonly RidSet[] },
  ) {
    const where = sql`${alias}.rid IN (${select})`;
    super(where.text, where.params);
  }
}

/**
 * A set of root documents described by its term lookups: `values` is "has one of these values in this
 * field" (the values as the value table stores them), `all` every document.
 */
export type SetPlan =
  | { kind: 'values'; field: FieldDef; values: readonly (string | number)[] }
  | { kind: 'all' }
  | { kind: 'and' | 'or'; parts: readonly SetPlan[] }
  | { kind: 'except'; base: SetPlan; minus: readonly SetPlan[] };

/** A set condition on the entity of `alias`. */
export function inSet(alias: Sql, select: Sql, distinct = false, plan?: SetPlan): RidSet {
  return new RidSet(alias, select, distinct, undefined, plan);
}

function plans(parts: readonly RidSet[]): SetPlan[] | undefined {
  return parts.every((p) => p.plan !== undefined) ? parts.map((p) => p.plan!) : undefined;
}

function compound(parts: RidSet[], operator: 'UNION' | 'INTERSECT'): RidSet {
  if (parts.length === 1) return parts[0]!;
  const op = operator === 'UNION' ? sql` UNION ` : sql` INTERSECT `;
  const partPlans = plans(parts);
  return new RidSet(
    parts[0]!.alias,
    join(
      parts.map((p) => sql`SELECT rid FROM (${p.select})`),
      op,
    ),
    true,
    undefined,
    partPlans && { kind: operator === 'UNION' ? 'or' : 'and', parts: partPlans },
    operator === 'INTERSECT' ? { kind: 'and', of: parts } : undefined,
  );
}

function except(base: RidSet, minus: RidSet[], universe?: RidSet): RidSet {
  if (minus.length === 0) return base;
  const parts = [base, ...minus].map((p) => sql`SELECT rid FROM (${p.select})`);
  const complement = base === universe ? { universe: base, minus } : undefined;
  const minusPlans = plans(minus);
  const plan: SetPlan | undefined = base.plan && minusPlans ? { kind: 'except', base: base.plan, minus: minusPlans } : undefined;
  return new RidSet(base.alias, join(parts, sql` EXCEPT `), true, complement, plan, { kind: 'except', base, minus });
}

/** OR of conditions: a UNION when every part is a set. */
function orConditions(parts: Sql[]): Sql {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.length > 0 && kept.every((p) => p instanceof RidSet)) return compound(kept as RidSet[], 'UNION');
  return or(parts);
}
const MAX_EXPANSIONS = 4096;

/** Compiles one request's queries; holds the alias counter. */
export class QueryCompiler {
  #aliases = 0;

  /**
   * The bm25 scores of the request's full-text leaves: each is read in one pass over its matches into
   * a temporary table before the search runs (`materializeScores`), and a leaf's score is a lookup in
   * it. Scoring each row by its own `MATCH ... AND rowid = ?` re-read the term's whole doclist per row:
   * quadratic, 5-50 s for a text query at 100 000 documents (decision 123).
   */
  readonly scoreTables: { name: Sql; fill: Sql }[] = [];

  constructor(readonly ctx: QueryContext) {}

  /** A fresh alias for a nested entity. */
  nextAlias(): Sql {
    this.#aliases += 1;
    return ident(`n${this.#aliases}`);
  }

  /** Every entity of a scope, as a set: all documents, or all nested objects of the path. */
  universe(scope: Scope): RidSet {
    if (scope.nested === null) return inSet(scope.alias, sql`SELECT rid FROM ${this.ctx.tables.sort}`, true, { kind: 'all' });
    const def = this.ctx.schema.nested.get(scope.nested)!;
    return inSet(scope.alias, sql`SELECT rid FROM ${this.ctx.tables.nested} WHERE path = ${def.id}`, true);
  }

  /** The value table of a scope. */
  valTable(scope: Scope): Sql {
    return scope.nested === null ? this.ctx.tables.val : this.ctx.tables.nval;
  }

  /**
   * Compile a query clause found at `path` of the request.
   *
   * @example
   * compiler.compile({ term: { type: 'book' } }, 'query', { nested: null, alias: ident('d') }, true);
   */
  compile(query: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    const [kind, body] = singleKey(query, path, 'a query clause');
    const here = at(path, kind);
    switch (kind) {
      case 'match_all':
        return this.#matchAll(body, here, scoring);
      case 'match_none':
        if (!isObject(body)) invalid(here, 'Expected an object.');
        checkKeys(body, ['_name'], here);
        rejectName(body, here);
        return MATCH_NONE;
      case 'bool':
        return this.#bool(body, here, scope, scoring);
      case 'term':
        return this.#term(body, here, scope, scoring);
      case 'terms':
        return this.#terms(body, here, scope, scoring);
      case 'range':
        return this.#range(body, here, scope, scoring);
      case 'exists':
        return this.#exists(body, here, scope, scoring);
      case 'prefix':
        return this.#prefixOrWildcard(body, here, scope, scoring, 'prefix');
      case 'wildcard':
        return this.#prefixOrWildcard(body, here, scope, scoring, 'wildcard');
      case 'ids':
        return this.#ids(body, here, scope, scoring);
      case 'match':
        return this.#match(body, here, scope, scoring, 'match');
      case 'match_phrase':
        return this.#match(body, here, scope, scoring, 'phrase');
      case 'match_phrase_prefix':
        return this.#match(body, here, scope, scoring, 'phrase_prefix');
      case 'multi_match':
        return this.#multiMatch(body, here, scope, scoring);
      case 'query_string':
        return this.#queryString(body, here, scope, scoring);
      case 'simple_query_string':
        return this.#simpleQueryString(body, here, scope, scoring);
      case 'nested':
        return this.#nested(body, here, scope, scoring);
      case 'constant_score':
        return this.#constantScore(body, here, scope, scoring);
      case 'dis_max':
        return this.#disMax(body, here, scope, scoring);
      default:
        unsupported(here);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Compound clauses
  // -------------------------------------------------------------------------------------------------

  #matchAll(body: unknown, path: string, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['boost', '_name'], path);
    rejectName(body, path);
    return { where: TRUE, score: scoring ? constant(boostOf(body, path)) : null };
  }

  #bool(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', '_name', 'adjust_pure_negative'], path);
    rejectName(body, path);
    const list = (key: string): unknown[] => {
      const v = body[key];
      if (v === undefined) return [];
      return Array.isArray(v) ? v : [v];
    };
    const must = list('must').map((q, i) => this.compile(q, at(path, 'must', Array.isArray(body.must) ? i : ''), scope, scoring));
    const filter = list('filter').map((q, i) => this.compile(q, at(path, 'filter', Array.isArray(body.filter) ? i : ''), scope, false));
    const should = list('should').map((q, i) => this.compile(q, at(path, 'should', Array.isArray(body.should) ? i : ''), scope, scoring));
    const mustNot = list('must_not').map((q, i) =>
      this.compile(q, at(path, 'must_not', Array.isArray(body.must_not) ? i : ''), scope, false),
    );
    const msm =
      body.minimum_should_match === undefined
        ? should.length > 0 && must.length === 0 && filter.length === 0
          ? 1
          : 0
        : minimumShouldMatch(body.minimum_should_match, should.length, at(path, 'minimum_should_match'));
    return combineBool({ must, filter, should, mustNot, msm, boost: boostOf(body, path), scoring, universe: this.universe(scope) });
  }

  #constantScore(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['filter', 'boost', '_name'], path);
    rejectName(body, path);
    if (body.filter === undefined) invalid(at(path, 'filter'), 'A filter is required.');
    const inner = this.compile(body.filter, at(path, 'filter'), scope, false);
    return { where: inner.where, score: scoring ? constant(boostOf(body, path)) : null };
  }

  #disMax(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['queries', 'tie_breaker', 'boost', '_name'], path);
    rejectName(body, path);
    if (!Array.isArray(body.queries)) invalid(at(path, 'queries'), 'Expected an array of queries.');
    const parts = body.queries.map((q, i) => this.compile(q, at(path, 'queries', i), scope, scoring));
    const tie = body.tie_breaker === undefined ? 0 : number(body.tie_breaker, at(path, 'tie_breaker'));
    return disMax(parts, tie, boostOf(body, path), scoring);
  }

  #nested(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['path', 'query', 'score_mode', 'ignore_unmapped', 'boost', '_name'], path);
    rejectName(body, path);
    const nestedPath = string(body.path, at(path, 'path'));
    const def = this.ctx.schema.nested.get(nestedPath);
    if (!def) {
      if (body.ignore_unmapped === true) return MATCH_NONE;
      invalid(at(path, 'path'), `[${nestedPath}] is not a nested path of the index mapping.`);
    }
    if (body.query === undefined) invalid(at(path, 'query'), 'A query is required.');
    const scoreMode = body.score_mode === undefined ? 'avg' : string(body.score_mode, at(path, 'score_mode'));
    if (!['avg', 'sum', 'max', 'min', 'none'].includes(scoreMode))
      invalid(at(path, 'score_mode'), `Unknown score mode ${JSON.stringify(scoreMode)}.`);
    let link: Sql;
    if (scope.nested === null) link = ident('doc');
    else if (def.parent === scope.nested) link = ident('parent');
    else if (isAncestor(scope.nested, nestedPath))
      unsupported(at(path, 'path'), 'A nested query must name the next nested level, not skip one.');
    else invalid(at(path, 'path'), `[${nestedPath}] is not inside the nested path [${scope.nested}].`);
    const alias = this.nextAlias();
    const inner = this.compile(body.query, at(path, 'query'), { nested: nestedPath, alias }, scoring && scoreMode !== 'none');
    const nestedTable = this.ctx.tables.nested;
    const where = inSet(
      scope.alias,
      sql`SELECT ${alias}.${link} AS rid FROM ${nestedTable} ${alias} WHERE ${alias}.path = ${def.id} AND ${inner.where}`,
    );
    if (!scoring) return { where, score: null };
    const boost = boostOf(body, path);
    if (scoreMode === 'none' || inner.score === null) return { where, score: constant(0) };
    const fn = ident(scoreMode === 'avg' ? 'avg' : scoreMode === 'sum' ? 'sum' : scoreMode === 'max' ? 'max' : 'min');
    const score = sql`(coalesce((SELECT ${fn}(${inner.score}) FROM ${nestedTable} ${alias} WHERE ${alias}.${link} = ${scope.alias}.rid AND ${alias}.path = ${def.id} AND ${inner.where}), 0) * ${boost})`;
    return { where, score };
  }

  // -------------------------------------------------------------------------------------------------
  // Term-level clauses
  // -------------------------------------------------------------------------------------------------

  #term(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    const { name, options, fieldPath } = fieldBody(body, path, ['value', 'boost', 'case_insensitive', '_name'], 'value');
    if (options.case_insensitive === true) unsupported(at(fieldPath, 'case_insensitive'));
    if (options.value === undefined || options.value === null) invalid(at(fieldPath, 'value'), 'A value is required.');
    const field = this.field(name, fieldPath, scope);
    const where = this.termCondition(field, options.value, scope, fieldPath);
    return leaf(where, boostOf(options, fieldPath), scoring);
  }

  #terms(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    rejectName(body, path);
    const names = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
    if (names.length !== 1) invalid(path, 'A terms query takes exactly one field.');
    const name = names[0]!;
    const values = body[name];
    if (!Array.isArray(values)) {
      if (isObject(values)) unsupported(at(path, name), 'Terms lookup.');
      invalid(at(path, name), 'Expected an array of values.');
    }
    const field = this.field(name, at(path, name), scope);
    const where = this.termsCondition(field, values, scope, at(path, name));
    return leaf(where, boostOf(body, path), scoring);
  }

  #range(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    const { name, options, fieldPath } = fieldBody(
      body,
      path,
      ['gt', 'gte', 'lt', 'lte', 'from', 'to', 'include_lower', 'include_upper', 'format', 'time_zone', 'boost', 'relation', '_name'],
      undefined,
    );
    if (options.relation !== undefined && String(options.relation).toLowerCase() !== 'intersects') unsupported(at(fieldPath, 'relation'));
    const field = this.field(name, fieldPath, scope);
    const bounds: Bounds = {};
    const includeLower = options.include_lower === undefined ? true : boolean(options.include_lower, at(fieldPath, 'include_lower'));
    const includeUpper = options.include_upper === undefined ? true : boolean(options.include_upper, at(fieldPath, 'include_upper'));
    if (options.from !== undefined && options.from !== null) bounds[includeLower ? 'gte' : 'gt'] = options.from;
    if (options.to !== undefined && options.to !== null) bounds[includeUpper ? 'lte' : 'lt'] = options.to;
    for (const key of ['gt', 'gte', 'lt', 'lte'] as const)
      if (options[key] !== undefined && options[key] !== null) bounds[key] = options[key];
    const format = options.format === undefined ? undefined : string(options.format, at(fieldPath, 'format'));
    const zone = options.time_zone === undefined ? undefined : string(options.time_zone, at(fieldPath, 'time_zone'));
    const where = this.rangeCondition(field, bounds, scope, fieldPath, { format, zone });
    return leaf(where, boostOf(options, fieldPath), scoring);
  }

  #exists(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['field', 'boost', '_name'], path);
    rejectName(body, path);
    const name = string(body.field, at(path, 'field'));
    return leaf(this.existsCondition(name, scope, at(path, 'field')), boostOf(body, path), scoring);
  }

  #prefixOrWildcard(body: unknown, path: string, scope: Scope, scoring: boolean, kind: 'prefix' | 'wildcard'): Compiled {
    const { name, options, fieldPath } = fieldBody(
      body,
      path,
      ['value', 'wildcard', 'boost', 'case_insensitive', 'rewrite', '_name'],
      'value',
    );
    if (options.case_insensitive === true) unsupported(at(fieldPath, 'case_insensitive'));
    const raw = options.value ?? (kind === 'wildcard' ? options.wildcard : undefined);
    const value = string(raw, at(fieldPath, 'value'));
    const field = this.field(name, fieldPath, scope);
    const where =
      kind === 'prefix'
        ? this.prefixCondition(field, value, scope, fieldPath, false)
        : this.wildcardCondition(field, value, scope, fieldPath, false);
    return leaf(where, boostOf(options, fieldPath), scoring);
  }

  #ids(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(body, ['values', 'boost', '_name', 'type'], path);
    rejectName(body, path);
    if (scope.nested !== null) unsupported(path, 'An ids query inside a nested query.');
    if (!Array.isArray(body.values)) invalid(at(path, 'values'), 'Expected an array of ids.');
    const ids = body.values.map((v, i) => (typeof v === 'number' ? String(v) : string(v, at(path, 'values', i))));
    const where = inSet(
      scope.alias,
      sql`SELECT rid FROM ${this.ctx.tables.doc} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      true,
    );
    return leaf(where, boostOf(body, path), scoring);
  }

  // -------------------------------------------------------------------------------------------------
  // Full-text clauses
  // -------------------------------------------------------------------------------------------------

  #match(body: unknown, path: string, scope: Scope, scoring: boolean, mode: 'match' | 'phrase' | 'phrase_prefix'): Compiled {
    const allowed =
      mode === 'match'
        ? [
            'query',
            'operator',
            'minimum_should_match',
            'zero_terms_query',
            'boost',
            'lenient',
            'analyzer',
            'fuzziness',
            'auto_generate_synonyms_phrase_query',
            'fuzzy_transpositions',
            'max_expansions',
            'prefix_length',
            '_name',
          ]
        : ['query', 'slop', 'boost', 'analyzer', 'zero_terms_query', 'max_expansions', '_name'];
    const { name, options, fieldPath } = fieldBody(body, path, allowed, 'query');
    const field = this.field(name, fieldPath, scope);
    const opts = this.#fullTextOptions(options, fieldPath, mode === 'match');
    if (mode !== 'match' && options.slop !== undefined && number(options.slop, at(fieldPath, 'slop')) !== 0)
      unsupported(at(fieldPath, 'slop'));
    if (options.query === undefined || options.query === null) invalid(at(fieldPath, 'query'), 'A query is required.');
    if (isObject(options.query) || Array.isArray(options.query)) invalid(at(fieldPath, 'query'), 'Expected a string, number or boolean.');
    const text = String(options.query);
    return this.fieldsQuery(
      [{ field, boost: 1 }],
      text,
      mode === 'match' ? 'best_fields' : mode,
      opts,
      scope,
      at(fieldPath, 'query'),
      scoring,
    );
  }

  #multiMatch(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(
      body,
      [
        'query',
        'fields',
        'type',
        'operator',
        'minimum_should_match',
        'tie_breaker',
        'boost',
        'lenient',
        'zero_terms_query',
        'analyzer',
        'fuzziness',
        'slop',
        'auto_generate_synonyms_phrase_query',
        'fuzzy_transpositions',
        'max_expansions',
        'prefix_length',
        '_name',
      ],
      path,
    );
    rejectName(body, path);
    if (body.query === undefined || body.query === null || isObject(body.query) || Array.isArray(body.query)) {
      invalid(at(path, 'query'), 'A query string is required.');
    }
    const type = body.type === undefined ? 'best_fields' : string(body.type, at(path, 'type'));
    if (!['best_fields', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix'].includes(type))
      unsupported(at(path, 'type'), `type ${type}.`);
    if (body.slop !== undefined && number(body.slop, at(path, 'slop')) !== 0) unsupported(at(path, 'slop'));
    const fieldSpecs = body.fields === undefined ? this.ctx.schema.defaultFields : body.fields;
    if (!Array.isArray(fieldSpecs)) invalid(at(path, 'fields'), 'Expected an array of field names.');
    const refs = this.resolveFieldList(fieldSpecs, at(path, 'fields'), scope);
    const lenientDefault = fieldSpecs.some(isAllFields);
    const opts = this.#fullTextOptions(body, path, true, lenientDefault);
    if (body.tie_breaker !== undefined) opts.tieBreaker = number(body.tie_breaker, at(path, 'tie_breaker'));
    const compiled = this.fieldsQuery(refs, String(body.query), type as FieldsMode, opts, scope, at(path, 'query'), scoring);
    return scaleScore(compiled, boostOf(body, path));
  }

  #fullTextOptions(options: Record<string, unknown>, path: string, allowOperator: boolean, lenientDefault = false): TextOptions {
    if (options.fuzziness !== undefined && String(options.fuzziness) !== '0') unsupported(at(path, 'fuzziness'));
    if (options.analyzer !== undefined && !['standard', 'default'].includes(String(options.analyzer)))
      unsupported(at(path, 'analyzer'), `Analyzer ${JSON.stringify(options.analyzer)}.`);
    const operator = options.operator === undefined ? 'or' : string(options.operator, at(path, 'operator')).toLowerCase();
    if (operator !== 'or' && operator !== 'and') invalid(at(path, 'operator'), 'Expected AND or OR.');
    if (!allowOperator && options.operator !== undefined) unsupported(at(path, 'operator'));
    const zero =
      options.zero_terms_query === undefined ? 'none' : string(options.zero_terms_query, at(path, 'zero_terms_query')).toLowerCase();
    if (zero !== 'none' && zero !== 'all') invalid(at(path, 'zero_terms_query'), 'Expected none or all.');
    return {
      operator: operator as 'or' | 'and',
      msm: options.minimum_should_match,
      msmPath: at(path, 'minimum_should_match'),
      zeroTerms: zero as 'none' | 'all',
      lenient: options.lenient === undefined ? lenientDefault : boolean(options.lenient, at(path, 'lenient')),
      boost: boostOf(options, path),
      tieBreaker: 0,
    };
  }

  /**
   * A full-text query over several fields: text fields share one FTS5 expression (with a column filter),
   * keyword fields compare the whole text, numeric, date and boolean fields parse it (skipped when
   * lenient and it does not parse). The per-field results are OR-ed (dis_max, or sum for most_fields).
   */
  fieldsQuery(refs: FieldRef[], text: string, mode: FieldsMode, opts: TextOptions, scope: Scope, path: string, scoring: boolean): Compiled {
    const textRefs = refs.filter((r) => r.field.kind === 'text');
    const otherRefs = refs.filter((r) => r.field.kind !== 'text');
    const parts: Compiled[] = [];
    const tokens = tokenize(text);
    if (textRefs.length > 0) {
      if (tokens.length === 0) {
        if (opts.zeroTerms === 'all') parts.push({ where: TRUE, score: scoring ? constant(opts.boost) : null });
      } else if (mode === 'phrase' || mode === 'phrase_prefix') {
        parts.push(this.ftsLeaf(scope, textRefs, { kind: 'phrase', tokens, prefix: mode === 'phrase_prefix' }, opts.boost, scoring));
      } else if (mode === 'cross_fields') {
        const termLeaves = tokens.map((t) => this.ftsLeaf(scope, textRefs, { kind: 'any', terms: [t] }, opts.boost, scoring));
        const msm =
          opts.msm === undefined
            ? opts.operator === 'and'
              ? tokens.length
              : 1
            : minimumShouldMatch(opts.msm, tokens.length, opts.msmPath);
        parts.push(atLeast(termLeaves, msm, scoring));
      } else {
        const msm =
          opts.msm === undefined
            ? opts.operator === 'and'
              ? tokens.length
              : 1
            : minimumShouldMatch(opts.msm, tokens.length, opts.msmPath);
        if (msm <= 1 || tokens.length === 1) {
          parts.push(msm > tokens.length ? MATCH_NONE : this.ftsLeaf(scope, textRefs, { kind: 'any', terms: tokens }, opts.boost, scoring));
        } else if (msm >= tokens.length) {
          parts.push(this.ftsLeaf(scope, textRefs, { kind: 'all', terms: tokens }, opts.boost, scoring));
        } else {
          // Per field, at least `msm` of the terms: one leaf per field and term, counted.
          const perField = textRefs.map((ref) =>
            atLeast(
              tokens.map((t) => this.ftsLeaf(scope, [ref], { kind: 'any', terms: [t] }, opts.boost, scoring)),
              msm,
              scoring,
            ),
          );
          parts.push(disMax(perField, opts.tieBreaker, 1, scoring));
        }
      }
    }
    for (const ref of otherRefs) {
      if (mode === 'cross_fields') unsupported(path, 'cross_fields over non-text fields.');
      let where: Sql;
      try {
        if (ref.field.kind === 'keyword' && mode === 'phrase_prefix') where = this.prefixCondition(ref.field, text, scope, path, false);
        else where = this.termCondition(ref.field, text, scope, path, true);
      } catch (error) {
        if (error instanceof LenientSkip && opts.lenient) continue;
        if (error instanceof LenientSkip) invalid(path, error.message);
        throw error;
      }
      parts.push(leaf(where, opts.boost * ref.boost, scoring));
    }
    if (parts.length === 0) return MATCH_NONE;
    if (mode === 'most_fields') return sumOf(parts, scoring);
    return disMax(parts, opts.tieBreaker, 1, scoring);
  }

  /** A full-text leaf on some text fields of the scope: `rid IN (FTS MATCH)`, scored with bm25. */
  ftsLeaf(scope: Scope, refs: FieldRef[], expr: TextExpr, boost: number, scoring: boolean): Compiled {
    const table = scope.nested === null ? this.ctx.tables.fts : this.ctx.tables.nfts;
    if (!table) return MATCH_NONE;
    const columns = [...new Set(refs.map((r) => r.field.column!))];
    const match = ftsExpression(expr, columns);
    if (match === undefined) return MATCH_NONE;
    const where = inSet(scope.alias, sql`SELECT rowid AS rid FROM ${table} WHERE ${table} MATCH ${match}`, true);
    if (!scoring) return { where, score: null };
    const total = scope.nested === null ? this.ctx.schema.rootTextColumns : this.ctx.schema.nestedTextColumns;
    const weights = new Array<number>(total).fill(1);
    let weighted = false;
    for (const ref of refs) {
      const w = ref.boost * ref.field.boost;
      if (w !== 1) weighted = true;
      weights[ref.field.column!] = w;
    }
    const bm25 = weighted
      ? sql`bm25(${table}, ${join(
          weights.map((w) => sql`${w}`),
          sql`, `,
        )})`
      : sql`bm25(${table})`;
    const name = ident(`search_score_${this.scoreTables.length}`);
    this.scoreTables.push({ name, fill: sql`SELECT rowid AS rid, -${bm25} AS s FROM ${table} WHERE ${table} MATCH ${match}` });
    const score = sql`(coalesce((SELECT s FROM temp.${name} WHERE rid = ${scope.alias}.rid), 0) * ${boost})`;
    return { where, score, zeroWhenUnmatched: true };
  }

  // -------------------------------------------------------------------------------------------------
  // query_string and simple_query_string
  // -------------------------------------------------------------------------------------------------

  #queryString(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(
      body,
      [
        'query',
        'default_field',
        'fields',
        'default_operator',
        'analyze_wildcard',
        'allow_leading_wildcard',
        'lenient',
        'minimum_should_match',
        'boost',
        'type',
        'tie_breaker',
        'time_zone',
        'auto_generate_synonyms_phrase_query',
        'enable_position_increments',
        'escape',
        'fuzziness',
        'fuzzy_max_expansions',
        'fuzzy_prefix_length',
        'fuzzy_transpositions',
        'max_determinized_states',
        'phrase_slop',
        'rewrite',
        'quote_analyzer',
        'analyzer',
        '_name',
      ],
      path,
    );
    rejectName(body, path);
    const query = string(body.query, at(path, 'query'));
    if (body.type !== undefined && body.type !== 'best_fields' && body.type !== 'most_fields')
      unsupported(at(path, 'type'), `type ${String(body.type)}.`);
    if (body.phrase_slop !== undefined && number(body.phrase_slop, at(path, 'phrase_slop')) !== 0) unsupported(at(path, 'phrase_slop'));
    if (body.quote_analyzer !== undefined || (body.analyzer !== undefined && !['standard', 'default'].includes(String(body.analyzer)))) {
      unsupported(at(path, body.analyzer !== undefined ? 'analyzer' : 'quote_analyzer'));
    }
    const operator = body.default_operator === undefined ? 'or' : string(body.default_operator, at(path, 'default_operator')).toLowerCase();
    if (operator !== 'or' && operator !== 'and') invalid(at(path, 'default_operator'), 'Expected AND or OR.');
    const ast = parseQueryString(query, operator as 'or' | 'and');
    const defaults =
      body.fields !== undefined
        ? body.fields
        : body.default_field !== undefined
          ? [string(body.default_field, at(path, 'default_field'))]
          : this.ctx.schema.defaultFields;
    if (!Array.isArray(defaults)) invalid(at(path, 'fields'), 'Expected an array of field names.');
    const lenientDefault = defaults.some(isAllFields);
    const zone = body.time_zone === undefined ? undefined : string(body.time_zone, at(path, 'time_zone'));
    const options: QSOptions = {
      query,
      defaults: defaults as unknown[],
      operator: operator as 'or' | 'and',
      lenient: body.lenient === undefined ? lenientDefault : boolean(body.lenient, at(path, 'lenient')),
      allowLeadingWildcard:
        body.allow_leading_wildcard === undefined ? true : boolean(body.allow_leading_wildcard, at(path, 'allow_leading_wildcard')),
      zone,
      path,
      mostFields: body.type === 'most_fields',
      tieBreaker: body.tie_breaker === undefined ? 0 : number(body.tie_breaker, at(path, 'tie_breaker')),
    };
    let compiled = this.#qsNode(ast, null, options, scope, scoring, true);
    if (body.minimum_should_match !== undefined && ast.kind === 'bool') {
      compiled = this.#qsBool(ast, null, options, scope, scoring, body.minimum_should_match);
    }
    return scaleScore(compiled, boostOf(body, path));
  }

  #simpleQueryString(body: unknown, path: string, scope: Scope, scoring: boolean): Compiled {
    if (!isObject(body)) invalid(path, 'Expected an object.');
    checkKeys(
      body,
      [
        'query',
        'fields',
        'default_operator',
        'analyze_wildcard',
        'lenient',
        'minimum_should_match',
        'boost',
        'flags',
        'auto_generate_synonyms_phrase_query',
        'fuzzy_max_expansions',
        'fuzzy_prefix_length',
        'fuzzy_transpositions',
        'quote_field_suffix',
        'analyzer',
        '_name',
      ],
      path,
    );
    rejectName(body, path);
    if (body.quote_field_suffix !== undefined) unsupported(at(path, 'quote_field_suffix'));
    if (body.analyzer !== undefined && !['standard', 'default'].includes(String(body.analyzer))) unsupported(at(path, 'analyzer'));
    const query = string(body.query, at(path, 'query'));
    const operator = body.default_operator === undefined ? 'or' : string(body.default_operator, at(path, 'default_operator')).toLowerCase();
    if (operator !== 'or' && operator !== 'and') invalid(at(path, 'default_operator'), 'Expected AND or OR.');
    const flags = parseSimpleFlags(body.flags === undefined ? undefined : string(body.flags, at(path, 'flags')));
    if (!flags) invalid(at(path, 'flags'), `Unknown flags ${JSON.stringify(body.flags)}.`);
    const ast = parseSimpleQueryString(query, operator as 'or' | 'and', flags);
    const defaults = body.fields ?? this.ctx.schema.defaultFields;
    if (!Array.isArray(defaults)) invalid(at(path, 'fields'), 'Expected an array of field names.');
    const options: QSOptions = {
      query,
      defaults,
      operator: operator as 'or' | 'and',
      lenient: body.lenient === undefined ? true : boolean(body.lenient, at(path, 'lenient')),
      allowLeadingWildcard: true,
      zone: undefined,
      path,
      mostFields: false,
      tieBreaker: 0,
      simple: true,
    };
    if (ast === null) return MATCH_NONE;
    let compiled = this.#qsNode(ast, null, options, scope, scoring, false);
    if (body.minimum_should_match !== undefined && ast.kind === 'bool') {
      compiled = this.#qsBool(ast, null, options, scope, scoring, body.minimum_should_match);
    }
    return scaleScore(compiled, boostOf(body, path));
  }

  #qsBool(
    node: Extract<QSNode, { kind: 'bool' }>,
    field: string | null,
    options: QSOptions,
    scope: Scope,
    scoring: boolean,
    msmRaw?: unknown,
  ): Compiled {
    const buckets: Record<Occur, Compiled[]> = { must: [], should: [], must_not: [] };
    for (const clause of node.clauses) {
      buckets[clause.occur].push(this.#qsNode(clause.node, field, options, scope, scoring && clause.occur !== 'must_not', false));
    }
    const should = buckets.should;
    const msm =
      msmRaw === undefined
        ? should.length > 0 && buckets.must.length === 0
          ? 1
          : 0
        : minimumShouldMatch(msmRaw, should.length, at(options.path, 'minimum_should_match'));
    return combineBool({
      must: buckets.must,
      filter: [],
      should,
      mustNot: buckets.must_not,
      msm,
      boost: node.boost ?? 1,
      scoring,
      universe: this.universe(scope),
    });
  }

  #qsNode(node: QSNode, field: string | null, options: QSOptions, scope: Scope, scoring: boolean, top: boolean): Compiled {
    void top;
    switch (node.kind) {
      case 'bool':
        if (node.clauses.length === 0) return MATCH_NONE;
        return this.#qsBool(node, field, options, scope, scoring);
      case 'all':
        return { where: TRUE, score: scoring ? constant(node.boost ?? 1) : null };
      case 'exists': {
        const where = this.existsCondition(node.field, scope, options.path, options.query);
        return leaf(where, node.boost ?? 1, scoring);
      }
      default: {
        const fieldName = node.field ?? field;
        const refs = this.#qsFields(fieldName, options, scope, node.position);
        return scaleScore(this.#qsLeaf(node, refs, options, scope, scoring), node.boost ?? 1);
      }
    }
  }

  #qsFields(name: string | null, options: QSOptions, scope: Scope, position: number): FieldRef[] {
    if (name === null) return this.resolveFieldList(options.defaults, at(options.path, 'fields'), scope);
    if (name.includes('*')) return this.resolveFieldList([name], at(options.path, 'query'), scope);
    try {
      return [{ field: this.field(name, at(options.path, 'query'), scope), boost: 1 }];
    } catch (error) {
      const reason =
        error instanceof Error && 'errors' in error
          ? String((error as { errors: { message: string }[] }).errors[0]?.message)
          : String(error);
      querySyntax(options.query, reason, position);
    }
  }

  #qsLeaf(
    node: Exclude<QSNode, { kind: 'bool' | 'all' | 'exists' }>,
    refs: FieldRef[],
    options: QSOptions,
    scope: Scope,
    scoring: boolean,
  ): Compiled {
    const fail = (reason: string): never => querySyntax(options.query, reason, node.position);
    const parts: Compiled[] = [];
    const textRefs = refs.filter((r) => r.field.kind === 'text');
    const otherRefs = refs.filter((r) => r.field.kind !== 'text');
    const perField = (ref: FieldRef, build: () => Sql) => {
      try {
        parts.push(leaf(build(), ref.boost, scoring));
      } catch (error) {
        if (error instanceof LenientSkip) {
          if (!options.lenient) fail(error.message);
          return;
        }
        throw error;
      }
    };
    if (node.kind === 'range') {
      for (const ref of refs) {
        if (ref.field.kind === 'text') {
          if (options.lenient) continue;
          unsupported(at(options.path, 'query'), `Ranges on the text field [${ref.field.path}].`);
        }
        const bounds: Bounds = {};
        if (node.lower !== null) bounds[node.includeLower ? 'gte' : 'gt'] = node.lower;
        if (node.upper !== null) bounds[node.includeUpper ? 'lte' : 'lt'] = node.upper;
        perField(ref, () =>
          this.rangeCondition(ref.field, bounds, scope, at(options.path, 'query'), { zone: options.zone, lenient: true }),
        );
      }
      return disMax(parts, options.tieBreaker, 1, scoring);
    }
    if (node.kind === 'phrase') {
      const tokens = tokenize(node.text);
      if (textRefs.length > 0 && tokens.length > 0)
        parts.push(this.ftsLeaf(scope, textRefs, { kind: 'phrase', tokens, prefix: false }, 1, scoring));
      for (const ref of otherRefs) perField(ref, () => this.termCondition(ref.field, node.text, scope, at(options.path, 'query'), true));
      return options.mostFields ? sumOf(parts, scoring) : disMax(parts, options.tieBreaker, 1, scoring);
    }
    // A term, maybe with wildcards, maybe a `>=x` range.
    const comparison = node.wildcard === 'none' && !options.simple ? /^(>=|<=|>|<)(.+)$/s.exec(node.text) : null;
    if (comparison) {
      const op = comparison[1]!;
      const bound = comparison[2]!;
      const bounds: Bounds = op === '>=' ? { gte: bound } : op === '>' ? { gt: bound } : op === '<=' ? { lte: bound } : { lt: bound };
      return this.#qsLeaf(
        { kind: 'range', field: node.field, position: node.position, ...rangeFromBounds(bounds) },
        refs,
        options,
        scope,
        scoring,
      );
    }
    if (node.wildcard !== 'none') {
      if (!options.allowLeadingWildcard && /^[*?]/.test(node.text))
        fail('Leading wildcards are not allowed (allow_leading_wildcard is false).');
      const isPrefix = node.wildcard === 'prefix';
      const literal = isPrefix ? unescapeWildcard(node.text.slice(0, -1)) : '';
      if (textRefs.length > 0) {
        if (isPrefix) {
          const prefixTokens = tokenize(literal);
          const normalized = fold(literal);
          if (prefixTokens.length === 1 && fold(prefixTokens[0]!) === normalized) {
            parts.push(this.ftsLeaf(scope, textRefs, { kind: 'prefix', token: normalized }, 1, false));
          } else if (literal === '') {
            parts.push({
              where: this.existsCondition(
                textRefs.map((r) => r.field.path),
                scope,
                options.path,
              ),
              score: null,
            });
          }
        } else {
          parts.push(this.#textWildcard(fold(node.text), textRefs, scope));
        }
        // Wildcard and prefix queries score a constant (Elasticsearch's constant_score rewrite).
        const last = parts[parts.length - 1];
        if (last && scoring) parts[parts.length - 1] = { where: last.where, score: constant(1) };
      }
      for (const ref of otherRefs) {
        if (ref.field.kind !== 'keyword') {
          if (options.lenient) continue;
          fail(`Wildcard and prefix queries work on keyword and text fields only; [${ref.field.path}] is ${ref.field.type}.`);
        }
        perField(ref, () =>
          isPrefix
            ? this.prefixCondition(ref.field, literal, scope, options.path, true)
            : this.wildcardCondition(ref.field, node.text, scope, options.path, true),
        );
      }
      return disMax(parts, options.tieBreaker, 1, scoring);
    }
    const tokens = tokenize(node.text);
    if (textRefs.length > 0 && tokens.length > 0) {
      const expr: TextExpr =
        tokens.length === 1 || options.operator === 'or' ? { kind: 'any', terms: tokens } : { kind: 'all', terms: tokens };
      parts.push(this.ftsLeaf(scope, textRefs, expr, 1, scoring));
    }
    for (const ref of otherRefs) perField(ref, () => this.termCondition(ref.field, node.text, scope, at(options.path, 'query'), true));
    if (parts.length === 0 && textRefs.length > 0 && tokens.length === 0) return MATCH_NONE;
    return options.mostFields ? sumOf(parts, scoring) : disMax(parts, options.tieBreaker, 1, scoring);
  }

  #textWildcard(pattern: string, refs: FieldRef[], scope: Scope): Compiled {
    const { glob, prefix } = wildcardToGlob(pattern);
    const columns = [...new Set(refs.map((r) => r.field.column!))];
    const terms = this.ctx.expandTerms(scope.nested !== null, columns, glob, prefix, MAX_EXPANSIONS + 1);
    if (terms.length > MAX_EXPANSIONS)
      unsupported('wildcard expansion', `The pattern ${JSON.stringify(pattern)} matches more than ${MAX_EXPANSIONS} terms.`);
    if (terms.length === 0) return MATCH_NONE;
    return this.ftsLeaf(scope, refs, { kind: 'exact', terms }, 1, false);
  }

  // -------------------------------------------------------------------------------------------------
  // Field conditions (shared by the clauses above and by aggregations)
  // -------------------------------------------------------------------------------------------------

  /**
   * Look up a field by name for use in `scope`; 400 when unknown, not indexed, or in another nested scope.
   */
  field(name: string, path: string, scope: Scope): FieldDef {
    const field = this.ctx.schema.fields.get(name);
    if (!field) {
      const type = this.ctx.schema.unsupportedTypes.get(name);
      if (type) unsupported(path, `Fields of type ${type} (field [${name}]).`);
      if (this.ctx.schema.objects.has(name)) invalid(path, `[${name}] is an object, not a field.`);
      invalid(path, `Unknown field [${name}]: it is not in the index mapping.`);
    }
    if (field.kind === 'completion') invalid(path, `[${name}] is a completion field; use a completion suggester.`);
    if (!field.indexed) invalid(path, `Cannot search on field [${name}] since it is not indexed.`);
    checkScope(field, scope, path);
    return field;
  }

  /** Expand field names and patterns (`title^2`, `meta.*`) to fields of the scope. */
  resolveFieldList(specs: unknown[], path: string, scope: Scope): FieldRef[] {
    const refs: FieldRef[] = [];
    specs.forEach((spec, i) => {
      const text = string(spec, at(path, i));
      const m = /^(.*?)(?:\^(\d+(?:\.\d+)?))?$/.exec(text)!;
      const name = m[1]!;
      const boost = m[2] === undefined ? 1 : Number(m[2]);
      if (name.includes('*')) {
        for (const field of this.ctx.schema.fields.values()) {
          if (field.kind === 'completion' || !field.indexed || field.nested !== scope.nested) continue;
          if (fieldPatternMatches(name, field.path) && !refs.some((r) => r.field === field)) refs.push({ field, boost });
        }
      } else {
        refs.push({ field: this.field(name, at(path, i), scope), boost });
      }
    });
    return refs;
  }

  /** `term` semantics for one field. With `fromText`, a value the field cannot take raises {@link LenientSkip}. */
  termCondition(field: FieldDef, raw: unknown, scope: Scope, path: string, fromText = false): Sql {
    if (field.kind === 'text') {
      const value = String(raw);
      const tokens = tokenize(value);
      if (fromText) {
        if (tokens.length === 0) return FALSE;
        return this.ftsLeaf(scope, [{ field, boost: 1 }], { kind: 'all', terms: tokens }, 1, false).where;
      }
      // A term query is not analyzed: only a value that is exactly one indexed token can match.
      if (tokens.length !== 1 || tokens[0] !== value || value !== value.toLowerCase()) return FALSE;
      return this.ftsLeaf(scope, [{ field, boost: 1 }], { kind: 'exact', terms: [value] }, 1, false).where;
    }
    if (field.kind === 'date') {
      return this.rangeCondition(field, { gte: raw, lte: raw }, scope, path, { lenient: fromText });
    }
    const value = this.#convert(field, raw, path, fromText);
    if (value === undefined) return FALSE;
    return inSet(
      scope.alias,
      sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${field.id} AND value = ${value}`,
      true,
      rootValues(field, [value]),
    );
  }

  /** `terms` semantics for one field. */
  termsCondition(field: FieldDef, raws: unknown[], scope: Scope, path: string): Sql {
    if (field.kind === 'text' || field.kind === 'date')
      return orConditions(raws.map((r, i) => this.termCondition(field, r, scope, at(path, i))));
    const values: (string | number)[] = [];
    raws.forEach((raw, i) => {
      if (raw === null) invalid(at(path, i), 'A terms value cannot be null.');
      const v = this.#convert(field, raw, at(path, i), false);
      if (v !== undefined) values.push(v);
    });
    if (values.length === 0) return FALSE;
    return inSet(
      scope.alias,
      sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${field.id} AND value IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
      false,
      rootValues(field, values),
    );
  }

  /** A value converted for comparison; undefined when it can never match (a decimal on an integer field). */
  #convert(field: FieldDef, raw: unknown, path: string, fromText: boolean): string | number | undefined {
    if (isObject(raw) || Array.isArray(raw)) invalid(path, `Expected a single value for [${field.path}]; got ${JSON.stringify(raw)}.`);
    if (field.kind === 'number' && field.integer) {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isFinite(n) && !Number.isInteger(n)) return undefined;
    }
    try {
      return queryValue(field, raw);
    } catch (error) {
      if (error instanceof ValueError) {
        if (fromText) throw new LenientSkip(error.message);
        invalid(path, error.message);
      }
      throw error;
    }
  }

  /** `range` semantics for one field. */
  rangeCondition(
    field: FieldDef,
    bounds: Bounds,
    scope: Scope,
    path: string,
    options: { format?: string | undefined; zone?: string | undefined; lenient?: boolean },
  ): Sql {
    if (field.kind === 'text') unsupported(path, `Ranges on the text field [${field.path}].`);
    const conditions: Sql[] = [];
    let formats: readonly DateFormat[] | undefined;
    let zone: TimeZone = UTC;
    if (field.kind === 'date') {
      formats = options.format === undefined ? field.formats : compileDateFormats(options.format);
      if (!formats) unsupported(at(path, 'format'), `Date format ${JSON.stringify(options.format)}.`);
      if (options.zone !== undefined) {
        const z = parseTimeZone(options.zone);
        if (!z) invalid(at(path, 'time_zone'), `Unknown time zone ${JSON.stringify(options.zone)}.`);
        zone = z;
      }
    } else if (options.format !== undefined) {
      invalid(at(path, 'format'), `A format only applies to date fields; [${field.path}] is ${field.type}.`);
    }
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const raw = bounds[op];
      if (raw === undefined) continue;
      let value: string | number;
      if (field.kind === 'date') {
        if (typeof raw !== 'string' && typeof raw !== 'number') invalid(at(path, op), `Expected a date; got ${JSON.stringify(raw)}.`);
        const text = typeof raw === 'number' ? String(raw) : raw;
        const millis = resolveDateMath(text, { formats: formats!, roundUp: op === 'gt' || op === 'lte', zone, now: this.ctx.now });
        if (millis === undefined) {
          const reason = `Failed to parse date ${JSON.stringify(raw)} for [${field.path}] with format [${formats!.map((f) => f.name).join('||')}].`;
          if (options.lenient) throw new LenientSkip(reason);
          invalid(at(path, op), reason);
        }
        value = millis;
      } else if (field.kind === 'number') {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
        if (!Number.isFinite(n)) {
          const reason = `Expected a number for [${field.path}]; got ${JSON.stringify(raw)}.`;
          if (options.lenient) throw new LenientSkip(reason);
          invalid(at(path, op), reason);
        }
        value = field.numeric === 'float' || field.numeric === 'half_float' ? storedNumber(field, n) : n;
      } else {
        try {
          value = queryValue(field, raw);
        } catch (error) {
          if (error instanceof ValueError) {
            if (options.lenient) throw new LenientSkip(error.message);
            invalid(at(path, op), error.message);
          }
          throw error;
        }
      }
      const sign = op === 'gt' ? sql`>` : op === 'gte' ? sql`>=` : op === 'lt' ? sql`<` : sql`<=`;
      conditions.push(sql`value ${sign} ${value}`);
    }
    const valueCondition = conditions.length === 0 ? sql`` : sql` AND ${and(conditions)}`;
    return inSet(scope.alias, sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${field.id}${valueCondition}`);
  }

  /** `exists` semantics: any of the fields named (or under the object path, or matching the pattern) has a value. */
  existsCondition(names: string | string[], scope: Scope, path: string, query?: string): Sql {
    const ids: number[] = [];
    for (const name of Array.isArray(names) ? names : [names]) {
      const direct = this.ctx.schema.fields.get(name);
      if (direct && !name.includes('*')) {
        if (direct.kind === 'completion') invalid(path, `[${name}] is a completion field.`);
        try {
          checkScope(direct, scope, path);
        } catch (error) {
          if (query !== undefined) querySyntax(query, `Field [${name}] is in another nested scope.`);
          throw error;
        }
        if (direct.indexed) ids.push(direct.id);
        continue;
      }
      const isObjectPath = this.ctx.schema.objects.has(name);
      if (!isObjectPath && !name.includes('*')) {
        if (this.ctx.schema.unsupportedTypes.has(name))
          unsupported(path, `exists on a ${this.ctx.schema.unsupportedTypes.get(name)} field.`);
        if (query !== undefined) querySyntax(query, `Unknown field [${name}]: it is not in the index mapping.`);
        invalid(path, `Unknown field [${name}]: it is not in the index mapping.`);
      }
      for (const field of this.ctx.schema.fields.values()) {
        if (field.kind === 'completion' || !field.indexed || field.nested !== scope.nested) continue;
        if (isObjectPath ? field.path.startsWith(`${name}.`) : fieldPatternMatches(name, field.path)) ids.push(field.id);
      }
    }
    if (ids.length === 0) return FALSE;
    if (ids.length === 1) return inSet(scope.alias, sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${ids[0]!}`);
    return inSet(
      scope.alias,
      sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
    );
  }

  /** `prefix` semantics. `normalize` folds the prefix (query_string) instead of taking it verbatim (prefix query). */
  prefixCondition(field: FieldDef, prefix: string, scope: Scope, path: string, normalize: boolean): Sql {
    if (field.kind === 'text') {
      const token = normalize ? fold(prefix) : prefix;
      const tokens = tokenize(token);
      if (token === '') return this.existsCondition(field.path, scope, path);
      if (tokens.length !== 1 || tokens[0] !== token || token !== token.toLowerCase()) return FALSE;
      return this.ftsLeaf(scope, [{ field, boost: 1 }], { kind: 'prefix', token }, 1, false).where;
    }
    if (field.kind !== 'keyword') invalid(path, `Prefix queries work on keyword and text fields only; [${field.path}] is ${field.type}.`);
    const value = field.normalizer ? (queryValue(field, prefix) as string) : prefix;
    const upper = prefixUpperBound(value);
    const range = upper === undefined ? sql`value >= ${value}` : sql`value >= ${value} AND value < ${upper}`;
    return inSet(scope.alias, sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${field.id} AND ${range}`);
  }

  /** `wildcard` semantics (`*`, `?`, `\` escapes). */
  wildcardCondition(field: FieldDef, pattern: string, scope: Scope, path: string, normalize: boolean): Sql {
    if (field.kind === 'text') {
      const p = normalize ? fold(pattern) : pattern;
      return this.#textWildcard(p, [{ field, boost: 1 }], scope).where;
    }
    if (field.kind !== 'keyword') invalid(path, `Wildcard queries work on keyword and text fields only; [${field.path}] is ${field.type}.`);
    const p = field.normalizer ? (queryValue(field, pattern) as string) : pattern;
    const { glob, prefix, matchesAll } = wildcardToGlob(p);
    if (matchesAll) return this.existsCondition(field.path, scope, path);
    const upper = prefix === '' ? undefined : prefixUpperBound(prefix);
    const range =
      prefix === '' ? sql`` : upper === undefined ? sql` AND value >= ${prefix}` : sql` AND value >= ${prefix} AND value < ${upper}`;
    return inSet(
      scope.alias,
      sql`SELECT eid AS rid FROM ${this.valTable(scope)} WHERE field = ${field.id}${range} AND typeof(value) = 'text' AND value GLOB ${glob}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/** A field with the boost a request gave it (`title^2`). */
export interface FieldRef {
  field: FieldDef;
  boost: number;
}

type FieldsMode = 'best_fields' | 'most_fields' | 'cross_fields' | 'phrase' | 'phrase_prefix';

interface TextOptions {
  operator: 'or' | 'and';
  msm: unknown;
  msmPath: string;
  zeroTerms: 'none' | 'all';
  lenient: boolean;
  boost: number;
  tieBreaker: number;
}

interface QSOptions {
  query: string;
  defaults: unknown[];
  operator: 'or' | 'and';
  lenient: boolean;
  allowLeadingWildcard: boolean;
  zone: string | undefined;
  path: string;
  mostFields: boolean;
  tieBreaker: number;
  simple?: boolean;
}

/** Range bounds as given in a request. */
export type Bounds = Partial<Record<'gt' | 'gte' | 'lt' | 'lte', unknown>>;

function rangeFromBounds(b: Bounds): { lower: string | null; upper: string | null; includeLower: boolean; includeUpper: boolean } {
  return {
    lower: b.gte !== undefined ? String(b.gte) : b.gt !== undefined ? String(b.gt) : null,
    upper: b.lte !== undefined ? String(b.lte) : b.lt !== undefined ? String(b.lt) : null,
    includeLower: b.gt === undefined,
    includeUpper: b.lt === undefined,
  };
}

/** A value that does not fit a field, found while expanding a text query over several fields. */
class LenientSkip extends Error {}

/** An FTS5 expression form. */
export type TextExpr =
  | { kind: 'any'; terms: string[] }
  | { kind: 'all'; terms: string[] }
  | { kind: 'exact'; terms: string[] }
  | { kind: 'phrase'; tokens: string[]; prefix: boolean }
  | { kind: 'prefix'; token: string };

/** The FTS5 MATCH text for an expression restricted to some columns. */
export function ftsExpression(expr: TextExpr, columns: number[]): string | undefined {
  if (columns.length === 0) return undefined;
  const spec = (cols: number[]) => `{${cols.map((c) => `c${c}`).join(' ')}}`;
  let inner: string;
  switch (expr.kind) {
    case 'any':
    case 'exact':
      if (expr.terms.length === 0) return undefined;
      inner = expr.terms.map(ftsString).join(' OR ');
      break;
    case 'all':
      if (expr.terms.length === 0) return undefined;
      inner = expr.terms.map(ftsString).join(' AND ');
      if (expr.terms.length > 1 && columns.length > 1) {
        // Every term in the same field: distribute the column filter.
        return columns.map((c) => `(${spec([c])} : (${inner}))`).join(' OR ');
      }
      break;
    case 'phrase':
      if (expr.tokens.length === 0) return undefined;
      inner = `${ftsString(expr.tokens.join(' '))}${expr.prefix ? ' *' : ''}`;
      break;
    case 'prefix':
      inner = `${ftsString(expr.token)} *`;
      break;
  }
  return `${spec(columns)} : (${inner})`;
}

/** The plan of a term lookup on a root field (nested objects have no doc values). */
function rootValues(field: FieldDef, values: (string | number)[]): SetPlan | undefined {
  return field.nested === null ? { kind: 'values', field, values } : undefined;
}

function checkScope(field: FieldDef, scope: Scope, path: string): void {
  if (field.nested === scope.nested) return;
  if (field.nested !== null && (scope.nested === null || isAncestor(scope.nested, field.nested))) {
    invalid(path, `Field [${field.path}] is inside the nested path [${field.nested}]; wrap the clause in a nested query with that path.`);
  }
  invalid(path, `Field [${field.path}] is outside the nested path [${scope.nested}] this clause is evaluated in.`);
}

function isAncestor(ancestor: string, path: string): boolean {
  return path.startsWith(`${ancestor}.`);
}

function rejectName(body: Record<string, unknown>, path: string): void {
  if (body._name !== undefined) unsupported(at(path, '_name'), 'Named queries (matched_queries).');
}

/** The `{ field: value }` or `{ field: { value, ...options } }` body of a term-level or match clause. */
function fieldBody(
  body: unknown,
  path: string,
  allowed: string[],
  shortKey: string | undefined,
): { name: string; options: Record<string, unknown>; fieldPath: string } {
  if (!isObject(body)) invalid(path, 'Expected an object.');
  const names = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (names.length !== 1) invalid(path, `Expected exactly one field; got ${names.length === 0 ? 'none' : names.join(', ')}.`);
  const name = names[0]!;
  const fieldPath = at(path, name);
  const raw = body[name];
  let options: Record<string, unknown>;
  if (isObject(raw)) {
    options = { ...raw };
    checkKeys(options, allowed, fieldPath);
    rejectName(options, fieldPath);
  } else {
    if (shortKey === undefined) invalid(fieldPath, 'Expected an object of bounds and options.');
    options = { [shortKey]: raw };
  }
  if (body.boost !== undefined && options.boost === undefined) options.boost = body.boost;
  return { name, options, fieldPath };
}

function boostOf(options: Record<string, unknown>, path: string): number {
  if (options.boost === undefined) return 1;
  const b = number(options.boost, at(path, 'boost'));
  if (b < 0) invalid(at(path, 'boost'), 'A boost cannot be negative.');
  return b;
}

function constant(value: number): Sql {
  return sql`${value}`;
}

/** A term-level leaf: a condition scored with a constant (its boost). */
function leaf(where: Sql, boost: number, scoring: boolean): Compiled {
  return { where, score: scoring ? constant(boost) : null };
}

function scaleScore(compiled: Compiled, boost: number): Compiled {
  if (boost === 1 || compiled.score === null) return compiled;
  return { ...compiled, score: sql`(${compiled.score} * ${boost})` };
}

function scoreWhenMatched(part: Compiled): Sql {
  if (part.score === null) return sql`0`;
  if (part.zeroWhenUnmatched) return part.score;
  return sql`(CASE WHEN ${part.where} THEN ${part.score} ELSE 0 END)`;
}

/** The bool query combinator. */
function combineBool(input: {
  must: Compiled[];
  filter: Compiled[];
  should: Compiled[];
  mustNot: Compiled[];
  msm: number;
  boost: number;
  scoring: boolean;
  universe?: RidSet;
}): Compiled {
  const { must, filter, should, mustNot, msm, boost, scoring } = input;
  if (must.length === 0 && filter.length === 0 && should.length === 0 && mustNot.length === 0) {
    return { where: TRUE, score: scoring ? constant(boost) : null };
  }
  if (msm > should.length) return MATCH_NONE;
  const where = boolSet(input) ?? boolCondition(input);
  if (!scoring) return { where, score: null };
  const scores = [
    ...must.filter((c) => c.score !== null).map((c) => c.score!),
    ...should.filter((c) => c.score !== null).map(scoreWhenMatched),
  ];
  const sum = scores.length === 0 ? sql`0` : scores.length === 1 ? scores[0]! : sql`(${join(scores, sql` + `)})`;
  return { where, score: boost === 1 ? sum : sql`(${sum} * ${boost})` };
}

function boolCondition(input: { must: Compiled[]; filter: Compiled[]; should: Compiled[]; mustNot: Compiled[]; msm: number }): Sql {
  const { must, filter, should, mustNot, msm } = input;
  const conditions = [...must.map((c) => c.where), ...filter.map((c) => c.where), ...mustNot.map((c) => not(c.where))];
  if (msm === 1) conditions.push(or(should.map((c) => c.where)));
  else if (msm > 1)
    conditions.push(
      countAtLeast(
        should.map((c) => c.where),
        msm,
      ),
    );
  return and(conditions);
}

/**
 * The bool query as set operations when its clauses are sets: INTERSECT of must and filter (and of
 * the UNION of should when one is required), EXCEPT each must_not; a bool of only must_not clauses
 * starts from the scope's universe. Undefined when some clause is not a set.
 */
function boolSet(input: {
  must: Compiled[];
  filter: Compiled[];
  should: Compiled[];
  mustNot: Compiled[];
  msm: number;
  universe?: RidSet;
}): RidSet | undefined {
  const { must, filter, should, mustNot, msm, universe } = input;
  const positives = [...must, ...filter].map((c) => c.where);
  if (positives.includes(FALSE)) return undefined;
  const kept = positives.filter((w) => w !== TRUE);
  if (msm > 1) return undefined;
  if (msm === 1) {
    const union = orConditions(should.map((c) => c.where));
    if (union === TRUE) return undefined;
    kept.push(union);
  }
  const negatives = mustNot.map((c) => c.where).filter((w) => w !== FALSE);
  if (!kept.every((w) => w instanceof RidSet) || !negatives.every((w) => w instanceof RidSet)) return undefined;
  // A required clause that is a complement ("all but X", e.g. a permission filter of must_not clauses)
  // becomes "EXCEPT X" on the other required sets: A ∩ (U − X) = A − X, since A is within the scope U.
  // Reading U would cost a pass over every document; see decision 120.
  const sets = kept as RidSet[];
  const direct = sets.filter((w) => w.complement === undefined);
  const minus = [...sets.flatMap((w) => w.complement?.minus ?? []), ...(negatives as RidSet[])];
  let base: RidSet | undefined = direct.length > 0 ? compound(direct, 'INTERSECT') : (sets[0]?.complement?.universe ?? universe);
  if (!base) return undefined;
  if (minus.length > 0) base = except(base, minus, direct.length > 0 ? undefined : (sets[0]?.complement?.universe ?? universe));
  return base;
}

function countAtLeast(conditions: Sql[], k: number): Sql {
  const terms = conditions.map((c) => sql`(CASE WHEN ${c} THEN 1 ELSE 0 END)`);
  return sql`((${join(terms, sql` + `)}) >= ${k})`;
}

/** At least `k` of the parts match; the score is the sum of the matching parts. */
function atLeast(parts: Compiled[], k: number, scoring: boolean): Compiled {
  if (k > parts.length) return MATCH_NONE;
  const where =
    k <= 1
      ? orConditions(parts.map((p) => p.where))
      : k === parts.length
        ? and(parts.map((p) => p.where))
        : countAtLeast(
            parts.map((p) => p.where),
            k,
          );
  if (!scoring) return { where, score: null };
  return { where, score: sql`(${join(parts.map(scoreWhenMatched), sql` + `)})` };
}

/** dis_max: any part matches; score = best part + tie_breaker * the others. */
function disMax(parts: Compiled[], tieBreaker: number, boost: number, scoring: boolean): Compiled {
  if (parts.length === 0) return MATCH_NONE;
  if (parts.length === 1) return scaleScore(parts[0]!, boost);
  const where = orConditions(parts.map((p) => p.where));
  if (!scoring) return { where, score: null };
  const scores = parts.map(scoreWhenMatched);
  let score = sql`max(${join(scores, sql`, `)})`;
  if (tieBreaker !== 0) score = sql`(${score} + ${tieBreaker} * ((${join(scores, sql` + `)}) - ${score}))`;
  return { where, score: boost === 1 ? score : sql`(${score} * ${boost})` };
}

function sumOf(parts: Compiled[], scoring: boolean): Compiled {
  if (parts.length === 0) return MATCH_NONE;
  if (parts.length === 1) return parts[0]!;
  const where = orConditions(parts.map((p) => p.where));
  if (!scoring) return { where, score: null };
  return { where, score: sql`(${join(parts.map(scoreWhenMatched), sql` + `)})` };
}

/** `*` (all fields), as a field list entry: it makes full-text queries lenient by default. */
function isAllFields(spec: unknown): boolean {
  return typeof spec === 'string' && /^\*(\^[\d.]+)?$/.test(spec);
}

function unescapeWildcard(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/**
 * Elasticsearch's `minimum_should_match`: an integer, a negative integer, a percentage, a negative
 * percentage, or conditional forms such as `3<90%` and `2<-25% 9<-3`.
 */
export function minimumShouldMatch(raw: unknown, optional: number, path: string): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  if (text === undefined || text === '') invalid(path, `Expected a number or a percentage; got ${JSON.stringify(raw)}.`);
  const one = (spec: string): number => {
    const m = /^(-?)(\d+)(%?)$/.exec(spec);
    if (!m) invalid(path, `Invalid minimum_should_match ${JSON.stringify(raw)}.`);
    const negative = m[1] === '-';
    const value = Number(m[2]);
    const amount = m[3] === '%' ? Math.floor((optional * value) / 100) : value;
    const result = negative ? optional - amount : amount;
    return Math.max(result, 0);
  };
  if (!text.includes('<')) return one(text);
  let result = optional;
  for (const part of text.split(/\s+/)) {
    const m = /^(\d+)<(.+)$/.exec(part);
    if (!m) invalid(path, `Invalid minimum_should_match ${JSON.stringify(raw)}.`);
    if (optional > Number(m[1])) result = one(m[2]!);
  }
  return result;
}

/** Every query clause name the compiler accepts, for documentation and tests. */
export const SUPPORTED_QUERIES = [
  'match_all',
  'match_none',
  'bool',
  'term',
  'terms',
  'range',
  'exists',
  'prefix',
  'wildcard',
  'ids',
  'match',
  'match_phrase',
  'match_phrase_prefix',
  'multi_match',
  'query_string',
  'simple_query_string',
  'nested',
  'constant_score',
  'dis_max',
] as const;

/** The root scope: documents, alias `d`. */
export function rootScope(): Scope {
  return { nested: null, alias: ident('d') };
}

/** Compile a whole `query` (absent means match_all). */
export function compileTopQuery(compiler: QueryCompiler, query: JsonObject | undefined, path: string, scoring: boolean): Compiled {
  if (query === undefined) return { where: TRUE, score: scoring ? constant(1) : null };
  return compiler.compile(query, path, rootScope(), scoring);
}

export { Sql };
