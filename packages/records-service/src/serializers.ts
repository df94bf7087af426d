import type { JsonObject, JsonValue } from './ports.js';

/** A record as serializers see it: Invenio's JSON v1 fields plus `revision`. */
export interface RecordView {
  /** The PID value (Invenio's `id`). */
  id: string;
  metadata: JsonObject;
  links: Record<string, string>;
  created: string;
  updated: string;
  revision: number;
}

/** A page of search results as serializers see it. */
export interface SearchView {
  hits: RecordView[];
  total: number;
  /** `gte` when the engine only counted up to a bound (`track_total_hits`). */
  totalRelation?: 'eq' | 'gte';
  aggregations: Record<string, JsonObject>;
  links: Record<string, string>;
}

/** Options every serializer receives (from the query string). */
export interface SerializeOptions {
  /** `?prettyprint=1`: indent by 2. */
  prettyprint?: boolean;
}

/** Turns one record into a response body. */
export type RecordSerializer = (record: RecordView, options: SerializeOptions) => string;
/** Turns a page of search results into a response body. */
export type SearchSerializer = (result: SearchView, options: SerializeOptions) => string;
/**
 * Turns a stream of records into a stream of body chunks (export). Must not hold more than a bounded
 * number of records at a time.
 */
export type ExportSerializer = (records: AsyncIterable<RecordView>, options: SerializeOptions) => AsyncIterable<string>;

function stringify(value: unknown, options: SerializeOptions): string {
  return options.prettyprint ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}

function recordJson(record: RecordView): JsonObject {
  return {
    id: record.id,
    metadata: record.metadata,
    links: record.links,
    created: record.created,
    updated: record.updated,
    revision: record.revision,
  };
}

/**
 * Invenio's JSON v1 record body, plus `revision`: `{ id, metadata, links, created, updated, revision }`.
 * Compact, or indented with `?prettyprint`.
 *
 * @example
 * jsonRecordSerializer(view, {}); // '{"id":"1","metadata":{...},"links":{"self":"..."},...,"revision":0}'
 */
export const jsonRecordSerializer: RecordSerializer = (record, options) => stringify(recordJson(record), options);

/**
 * Invenio's JSON v1 search body: `{ hits: { hits: [record...], total }, links, aggregations }`.
 *
 * @example
 * jsonSearchSerializer({ hits: [], total: 0, aggregations: {}, links: { self } }, {});
 */
export const jsonSearchSerializer: SearchSerializer = (result, options) =>
  stringify(
    { hits: { hits: result.hits.map(recordJson), total: result.total }, links: result.links, aggregations: result.aggregations },
    options,
  );

/**
 * Newline-delimited JSON export: one JSON v1 record per line (`application/x-ndjson`).
 *
 * @see https://github.com/ndjson/ndjson-spec NDJSON
 * @example
 * for await (const line of ndjsonExportSerializer(records, {})) res.write(line);
 */
export const ndjsonExportSerializer: ExportSerializer = async function* (records) {
  for await (const record of records) yield `${JSON.stringify(recordJson(record))}\n`;
};

/** Options of {@link csvExportSerializer}. */
export interface CsvOptions {
  /**
   * Columns, as flattened keys (`id`, `metadata_title`, `metadata_creators_0_name`). Default: the keys
   * of the first `sampleSize` records, sorted (Invenio sorts the union of all keys, which needs every
   * record in memory; a bounded sample keeps the export streaming).
   */
  columns?: readonly string[];
  /** Joins nested keys. Default `_` (Invenio's `header_separator`). */
  separator?: string;
  /** Records read ahead to infer the columns when `columns` is not given. Default 100. */
  sampleSize?: number;
  /**
   * Prefix cells that start with `=`, `+`, `-`, `@`, tab or CR with `'` so spreadsheets do not run them
   * as formulas (OWASP CSV injection). Default true.
   */
  escapeFormulae?: boolean;
}

/**
 * Flatten a JSON value Invenio's way: objects as `a_b`, arrays as `a_0_b`.
 * @example
 * flatten({ a: { b: 1 }, c: [{ d: 'x' }] }); // { a_b: '1', c_0_d: 'x' }
 */
export function flatten(value: JsonValue, separator = '_', prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0 && prefix !== '') out[prefix] = '';
    for (const [key, child] of entries) flatten(child as JsonValue, separator, prefix === '' ? key : `${prefix}${separator}${key}`, out);
    return out;
  }
  if (prefix !== '') out[prefix] = value === null ? '' : String(value);
  return out;
}

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(text: string, escapeFormulae: boolean): string {
  const safe = escapeFormulae && FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * CSV export (RFC 4180, CRLF line ends): a header line, then one line per record, flattened as Invenio's
 * `CSVSerializer` does. Streams: at most `sampleSize` records are held, to infer the columns.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4180#section-2 RFC 4180 §2
 * @example
 * csvExportSerializer({ columns: ['id', 'metadata_title'] })
 */
export function csvExportSerializer(options: CsvOptions = {}): ExportSerializer {
  const separator = options.separator ?? '_';
  const sampleSize = options.sampleSize ?? 100;
  const escapeFormulae = options.escapeFormulae ?? true;
  return async function* (records) {
    const iterator = records[Symbol.asyncIterator]();
    const sample: Record<string, string>[] = [];
    let done = false;
    if (!options.columns) {
      while (sample.length < sampleSize) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        sample.push(flatten(recordJson(next.value), separator));
      }
    }
    const columns = options.columns ?? [...new Set(sample.flatMap((row) => Object.keys(row)))].sort();
    const line = (row: Record<string, string>) => `${columns.map((c) => csvCell(row[c] ?? '', escapeFormulae)).join(',')}\r\n`;
    yield `${columns.map((c) => csvCell(c, false)).join(',')}\r\n`;
    for (const row of sample) yield line(row);
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      yield line(flatten(recordJson(next.value), separator));
    }
  };
}
