// A document turned into the rows the index stores: FTS5 column texts, typed values per field, the
// min/max sort keys, nested objects (each with its own texts and values) and completion inputs.
// All of it is computed before anything is written, so a document that does not fit the mapping
// fails without touching the database.

import type { JsonObject } from '@recordkit/records-service';
import { FieldError, ValidationError } from '@recordkit/rest-errors';
import { compareUtf8, completionKey, joinTextValues } from './analysis.js';
import { isObject } from './errors.js';
import type { FieldDef, IndexSchema, MappingNode } from './mapping.js';
import { indexValue, ValueError } from './values.js';

/** Values of one entity (the root document or one nested object). */
export interface EntityRows {
  /** FTS column texts, by column number (null when the field has no value). */
  text: (string | null)[];
  /** Distinct `[fieldId, value]` pairs. */
  values: [number, string | number][];
}

/** One nested object. */
export interface NestedRows extends EntityRows {
  pathId: number;
  /** Index of the parent nested object in {@link AnalyzedDocument.nested}, or -1 for the root. */
  parent: number;
}

/** One completion input. */
export interface CompletionRow {
  field: number;
  key: string;
  input: string;
  weight: number;
  /** `[contextName, value]` pairs. */
  contexts: [string, string][];
}

/** A document ready to be written. */
export interface AnalyzedDocument {
  source: string;
  root: EntityRows;
  /** `[lo, hi]` per sort slot, flattened: `sort[2 * slot]` is the minimum, `sort[2 * slot + 1]` the maximum. */
  sort: (string | number | null)[];
  nested: NestedRows[];
  completions: CompletionRow[];
}

/** 400 raised for a document that does not fit the mapping (Elasticsearch's `document_parsing_exception`). */
export class DocumentParsingError extends ValidationError {
  /** Elasticsearch's error type for the same failure, as bulk items report it. */
  readonly exceptionType = 'document_parsing_exception';
  constructor(path: string, reason: string) {
    super([new FieldError(path, reason, 'document_parsing_exception')], `Failed to index the document: ${reason}`);
  }
}

interface Scope {
  raw: Map<FieldDef, unknown[]>;
  nestedIndex: number;
}

/**
 * Analyze a document against a compiled mapping.
 *
 * @example
 * analyzeDocument(schema, { title: 'Hello', year: 2020 }).root.values; // [[2, 2020], ...]
 */
export function analyzeDocument(schema: IndexSchema, document: JsonObject): AnalyzedDocument {
  if (!isObject(document)) throw new DocumentParsingError('', 'The document must be a JSON object.');
  const nested: NestedRows[] = [];
  const nestedScopes: Scope[] = [];
  const rootScope: Scope = { raw: new Map(), nestedIndex: -1 };
  const completionRaw: { field: FieldDef; value: unknown }[] = [];

  const push = (scope: Scope, field: FieldDef, value: unknown) => {
    let list = scope.raw.get(field);
    if (!list) {
      list = [];
      scope.raw.set(field, list);
    }
    list.push(value);
  };

  const leaf = (node: MappingNode, value: unknown, scope: Scope) => {
    if (value === null || value === undefined) {
      if (node.field?.nullValue !== undefined) leaf(node, node.field.nullValue, scope);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) leaf(node, item, scope);
      return;
    }
    if (node.unsupportedType !== undefined) return;
    const field = node.field!;
    if (field.kind === 'completion') {
      completionRaw.push({ field, value });
      return;
    }
    if (isObject(value)) {
      throw new DocumentParsingError(
        node.path,
        `Failed to parse field [${node.path}] of type [${field.type}]: found an object where a value was expected.`,
      );
    }
    push(scope, field, value);
    for (const sub of node.multiFields) push(scope, sub, value);
    for (const target of field.copyTo) push(scope, schema.fields.get(target)!, value);
  };

  const object = (node: MappingNode, value: unknown, scope: Scope) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) object(node, item, scope);
      return;
    }
    if (!isObject(value)) {
      throw new DocumentParsingError(
        node.path,
        `Object mapping for [${node.path}] tried to parse field [${node.path}] as object, but found a concrete value.`,
      );
    }
    if (!node.enabled) return;
    let target = scope;
    if (node.nested) {
      const def = schema.nested.get(node.path)!;
      const index = nested.length;
      nested.push({ pathId: def.id, parent: scope.nestedIndex, text: [], values: [] });
      target = { raw: new Map(), nestedIndex: index };
      nestedScopes.push(target);
    }
    properties(node, value, target);
  };

  const properties = (node: MappingNode, value: Record<string, unknown>, scope: Scope) => {
    for (const [key, child] of Object.entries(value)) {
      const childNode = node.properties?.get(key);
      if (childNode) {
        visit(childNode, child, scope);
        continue;
      }
      const dot = key.indexOf('.');
      if (dot > 0 && node.properties?.has(key.slice(0, dot))) {
        properties(node, { [key.slice(0, dot)]: { [key.slice(dot + 1)]: child } }, scope);
        continue;
      }
      if (node.dynamic === 'strict') {
        const path = node.path === '' ? key : `${node.path}.${key}`;
        throw new DocumentParsingError(
          path,
          `Mapping set to strict, dynamic introduction of [${key}] within [${node.path || '_doc'}] is not allowed.`,
        );
      }
    }
  };

  const visit = (node: MappingNode, value: unknown, scope: Scope) => {
    if (node.properties) object(node, value, scope);
    else leaf(node, value, scope);
  };

  properties(schema.root, document, rootScope);

  const sort: (string | number | null)[] = new Array(schema.sortSlots * 2).fill(null);
  const root = entityRows(schema, rootScope, schema.rootTextColumns, sort);
  nestedScopes.forEach((scope, i) => {
    const rows = entityRows(schema, scope, schema.nestedTextColumns, undefined);
    nested[i]!.text = rows.text;
    nested[i]!.values = rows.values;
  });

  const completions: CompletionRow[] = [];
  for (const { field, value } of completionRaw) completions.push(...completionRows(field, value, document));

  return { source: JSON.stringify(document), root, sort, nested, completions };
}

function entityRows(schema: IndexSchema, scope: Scope, textColumns: number, sort: (string | number | null)[] | undefined): EntityRows {
  const text: (string | null)[] = new Array(textColumns).fill(null);
  const values: [number, string | number][] = [];
  for (const [field, raws] of scope.raw) {
    if (!field.indexed) continue;
    const converted: (string | number)[] = [];
    for (const raw of raws) {
      let v: string | number | undefined;
      try {
        v = indexValue(field, raw);
      } catch (error) {
        if (error instanceof ValueError) throw new DocumentParsingError(field.path, error.message);
        throw error;
      }
      if (v !== undefined) converted.push(v);
    }
    if (converted.length === 0) continue;
    if (field.kind === 'text') {
      text[field.column!] = joinTextValues(converted as string[]);
      values.push([field.id, 1]);
      continue;
    }
    const distinct = [...new Set(converted)];
    for (const v of distinct) values.push([field.id, v]);
    if (sort && field.sortSlot !== undefined) {
      let lo = distinct[0]!;
      let hi = distinct[0]!;
      for (const v of distinct) {
        if (compare(v, lo) < 0) lo = v;
        if (compare(v, hi) > 0) hi = v;
      }
      sort[2 * field.sortSlot] = lo;
      sort[2 * field.sortSlot + 1] = hi;
    }
  }
  void schema;
  return { text, values };
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareUtf8(String(a), String(b));
}

function completionRows(field: FieldDef, value: unknown, document: JsonObject): CompletionRow[] {
  const spec = field.completion!;
  const rows: CompletionRow[] = [];
  const pathContexts: [string, string][] = [];
  for (const ctx of spec.contexts) {
    if (ctx.path === undefined) continue;
    for (const v of valuesAtPath(document, ctx.path)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') pathContexts.push([ctx.name, String(v)]);
    }
  }
  const add = (input: unknown, weight: number, contexts: [string, string][]) => {
    if (typeof input !== 'string')
      throw new DocumentParsingError(field.path, `Completion input of [${field.path}] must be a string; got ${JSON.stringify(input)}.`);
    const text = input.slice(0, spec.maxInputLength);
    const key = completionKey(text, spec.analyzer);
    if (key === '') return;
    rows.push({ field: field.id, key, input, weight, contexts });
  };
  const entry = (item: unknown) => {
    if (typeof item === 'string') {
      add(item, 1, pathContexts);
      return;
    }
    if (!isObject(item))
      throw new DocumentParsingError(field.path, `Invalid completion value for [${field.path}]: ${JSON.stringify(item)}.`);
    for (const key of Object.keys(item)) {
      if (key !== 'input' && key !== 'weight' && key !== 'contexts') {
        throw new DocumentParsingError(`${field.path}.${key}`, `Unknown field name [${key}] in completion field [${field.path}].`);
      }
    }
    let weight = 1;
    if (item.weight !== undefined) {
      const w = typeof item.weight === 'string' ? Number(item.weight) : item.weight;
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 2147483647) {
        throw new DocumentParsingError(
          `${field.path}.weight`,
          `Weight must be a non-negative integer; got ${JSON.stringify(item.weight)}.`,
        );
      }
      weight = w;
    }
    const contexts: [string, string][] = [...pathContexts];
    if (item.contexts !== undefined) {
      if (!isObject(item.contexts)) throw new DocumentParsingError(`${field.path}.contexts`, 'Contexts must be an object.');
      for (const [name, values] of Object.entries(item.contexts)) {
        if (!spec.contexts.some((c) => c.name === name))
          throw new DocumentParsingError(`${field.path}.contexts.${name}`, `Unknown context [${name}].`);
        for (const v of Array.isArray(values) ? values : [values]) contexts.push([name, String(v)]);
      }
    }
    const inputs = Array.isArray(item.input) ? item.input : [item.input];
    for (const input of inputs) add(input, weight, contexts);
  };
  if (Array.isArray(value)) for (const item of value) entry(item);
  else entry(value);
  return rows;
}

/** Every value at a dotted path, through arrays. */
export function valuesAtPath(document: unknown, path: string): unknown[] {
  let current: unknown[] = [document];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const node of current) {
      if (Array.isArray(node)) {
        for (const item of node) if (isObject(item) && key in item) next.push(item[key]);
      } else if (isObject(node) && key in node) next.push(node[key]);
    }
    current = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
  }
  return current.filter((v) => v !== null && v !== undefined);
}
