// Completion suggesters: prefix lookups on the analyzed inputs of `completion` fields, best weight
// first, one option per document (its best input), optional category contexts and skip_duplicates.
// The response is Elasticsearch's: per suggester a one-entry list `{ text, offset, length, options }`.

import type { JsonObject } from '@recordkit/records-service';
import { completionKey, prefixUpperBound } from './analysis.js';
import type { Connection } from './connection.js';
import { at, boolean, checkKeys, invalid, isObject, nonNegativeInteger, string, unsupported } from './errors.js';
import type { IndexSchema } from './mapping.js';
import type { IndexTables } from './schema.js';
import { applySourceFilter, type SourceFilter } from './source-filter.js';
import { sql } from './sql.js';

/** One suggester's result, as in Elasticsearch's `suggest` section. */
export type SuggestEntry = { text: string; offset: number; length: number; options: JsonObject[] };

/** Run every suggester of a `suggest` section. */
export function runSuggest(
  conn: Connection,
  index: string,
  schema: IndexSchema,
  tables: IndexTables,
  suggest: unknown,
  sourceFilter: SourceFilter,
): Record<string, SuggestEntry[]> {
  if (!isObject(suggest)) invalid('suggest', 'Expected an object of named suggesters.');
  const globalText = suggest.text === undefined ? undefined : string(suggest.text, 'suggest.text');
  const result: Record<string, SuggestEntry[]> = {};
  for (const [name, body] of Object.entries(suggest)) {
    if (name === 'text') continue;
    const path = at('suggest', name);
    if (!isObject(body)) invalid(path, 'Expected a suggester object.');
    for (const key of Object.keys(body)) {
      if (key === 'term' || key === 'phrase') unsupported(at(path, key), 'Term and phrase suggesters.');
      if (!['prefix', 'text', 'completion', 'regex'].includes(key)) unsupported(at(path, key));
    }
    if (body.regex !== undefined) unsupported(at(path, 'regex'));
    const text =
      body.prefix !== undefined
        ? string(body.prefix, at(path, 'prefix'))
        : body.text !== undefined
          ? string(body.text, at(path, 'text'))
          : globalText;
    if (text === undefined) invalid(path, 'A prefix (or text) is required.');
    if (!isObject(body.completion)) invalid(at(path, 'completion'), 'Expected a completion suggester.');
    result[name] = [completion(conn, index, schema, tables, text, body.completion, at(path, 'completion'), sourceFilter)];
  }
  return result;
}

function completion(
  conn: Connection,
  index: string,
  schema: IndexSchema,
  tables: IndexTables,
  text: string,
  spec: Record<string, unknown>,
  path: string,
  sourceFilter: SourceFilter,
): SuggestEntry {
  checkKeys(spec, ['field', 'size', 'skip_duplicates', 'contexts', 'fuzzy', 'analyzer'], path);
  if (spec.fuzzy !== undefined && spec.fuzzy !== false) unsupported(at(path, 'fuzzy'));
  if (spec.analyzer !== undefined) unsupported(at(path, 'analyzer'));
  const name = string(spec.field, at(path, 'field'));
  const field = schema.fields.get(name);
  if (!field) invalid(at(path, 'field'), `Unknown field [${name}]: it is not in the index mapping.`);
  if (field.kind !== 'completion') invalid(at(path, 'field'), `Field [${name}] is not a completion field.`);
  const size = spec.size === undefined ? 5 : nonNegativeInteger(spec.size, at(path, 'size'));
  if (size < 1) invalid(at(path, 'size'), '[size] must be greater than 0.');
  const skipDuplicates = spec.skip_duplicates === undefined ? false : boolean(spec.skip_duplicates, at(path, 'skip_duplicates'));
  const contextFilter: [string, string[]][] = [];
  if (spec.contexts !== undefined) {
    if (!isObject(spec.contexts)) invalid(at(path, 'contexts'), 'Expected an object of context values.');
    for (const [ctx, values] of Object.entries(spec.contexts)) {
      if (!field.completion!.contexts.some((c) => c.name === ctx))
        invalid(at(path, 'contexts', ctx), `Unknown context [${ctx}] for [${name}].`);
      const list = (Array.isArray(values) ? values : [values]).map((v, i) => {
        if (isObject(v)) {
          for (const k of Object.keys(v))
            if (k !== 'context') unsupported(at(path, 'contexts', ctx, i, k), 'Context boost and prefix options.');
          return String(v.context);
        }
        return String(v);
      });
      contextFilter.push([ctx, list]);
    }
  }

  const key = completionKey(text, field.completion!.analyzer);
  const upper = prefixUpperBound(key);
  const range = upper === undefined ? sql`key >= ${key}` : sql`key >= ${key} AND key < ${upper}`;
  let contextCondition = sql``;
  for (const [ctx, values] of contextFilter) {
    contextCondition = sql`${contextCondition} AND EXISTS (SELECT 1 FROM json_each(c.contexts) j WHERE j.value ->> 0 = ${ctx} AND j.value ->> 1 IN (SELECT value FROM json_each(${JSON.stringify(values)})))`;
  }
  const rows = conn.iterate(
    sql`SELECT c.rid, c.input, c.weight, c.contexts, d.id, d.source FROM ${tables.comp} c JOIN ${tables.doc} d ON d.rid = c.rid WHERE c.field = ${field.id} AND ${range}${contextCondition} ORDER BY c.weight DESC, c.input ASC, d.id ASC`,
  );
  const options: JsonObject[] = [];
  const seenDocs = new Set<number>();
  const seenTexts = new Set<string>();
  for (const row of rows) {
    const rid = Number(row.rid);
    const input = String(row.input);
    if (seenDocs.has(rid)) continue;
    if (skipDuplicates && seenTexts.has(input)) continue;
    seenDocs.add(rid);
    seenTexts.add(input);
    const option: JsonObject = { text: input, _index: index, _id: String(row.id), _score: Number(row.weight) };
    const source = applySourceFilter(JSON.parse(String(row.source)) as JsonObject, sourceFilter);
    if (source !== undefined) option._source = source;
    if (field.completion!.contexts.length > 0) option.contexts = matchedContexts(String(row.contexts ?? '[]'), contextFilter);
    options.push(option);
    if (options.length >= size) break;
  }
  return { text, offset: 0, length: text.length, options };
}

/** The context values of an input, limited to the asked ones when the request names contexts. */
function matchedContexts(stored: string, filter: [string, string[]][]): JsonObject {
  const pairs = JSON.parse(stored) as [string, string][];
  const out: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const asked = filter.find(([n]) => n === name);
    if (filter.length > 0 && !asked?.[1].includes(value)) continue;
    const list = out[name] ?? [];
    list.push(value);
    out[name] = list;
  }
  return out;
}
