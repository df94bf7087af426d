import { createHash } from 'node:crypto';
import type { JsonObject, RecordsService, StoredRecord } from '@recordkit/records-service';
import { isRestError } from '@recordkit/rest-errors';

/** One line that was not imported, and why. */
export interface RejectedLine {
  /** 1-based line number in the source. */
  line: number;
  /** One reason per problem (`title: Missing data for required field.`). */
  reasons: string[];
}

/** Counters of an import, as reported while it runs and at the end. */
export interface ImportProgress {
  /** Lines read so far (blank lines excluded). */
  processed: number;
  /** Records written by this run. */
  accepted: number;
  /** Lines already imported by an earlier run of the same source (resumed or repeated import). */
  skipped: number;
  rejected: number;
}

/** The outcome of an import. */
export interface ImportReport extends ImportProgress {
  rejectedLines: RejectedLine[];
}

/** One input record: its line number and its text (JSON) or an already parsed object. */
export interface ImportLine {
  line: number;
  text?: string;
  value?: unknown;
}

/** Options of {@link importRecords}. */
export interface ImportOptions {
  /** Endpoint whose records these are. */
  endpoint: string;
  /**
   * Identifies the source (e.g. the SHA-256 of the file). With the line number it determines each
   * record's id, which is what makes an import resumable and repeatable without duplicates.
   */
  source: string;
  /** Owner given to records that have none (the create hook's identity). */
  owner?: string;
  /** Progress callback, called every `progressEvery` lines and at the end. */
  onProgress?: (progress: ImportProgress) => void;
  progressEvery?: number;
  /** Keep at most this many rejected lines in the report (default 10000; the count is always exact). */
  maxRejectedLines?: number;
}

/**
 * Load records in bulk, through the same minter, schema validation, create hook and index document as
 * `POST`, one store transaction per record: a record is stored with its PID and its index entry, or
 * not at all. Bad lines are reported with their line number and reasons and do not stop the import.
 *
 * Each record's id is derived from `source` and its line number, so running the same import again (for
 * instance after an interruption) skips what is already stored and writes only the rest. Records are
 * created with new PIDs; a PID field in the input is rejected as on `POST`, and in export lines
 * (`{ id, metadata, links, ... }`) it is dropped and re-minted.
 *
 * @example
 * const report = await importRecords(service, lines, { endpoint: 'recid', source: sha256OfFile });
 * console.log(`${report.accepted} imported, ${report.rejected} rejected`);
 */
export async function importRecords(
  service: RecordsService,
  lines: AsyncIterable<ImportLine> | Iterable<ImportLine>,
  options: ImportOptions,
): Promise<ImportReport> {
  const endpoint = service.endpoint(options.endpoint);
  const store = service.store;
  const indexing = endpoint.indexer && service.search !== undefined;
  const every = options.progressEvery ?? 500;
  const maxRejected = options.maxRejectedLines ?? 10_000;
  const report: ImportReport = { processed: 0, accepted: 0, skipped: 0, rejected: 0, rejectedLines: [] };
  const pidField = endpoint.minter.field;
  const reject = (line: number, reasons: string[]) => {
    report.rejected++;
    if (report.rejectedLines.length < maxRejected) report.rejectedLines.push({ line, reasons });
  };

  for await (const input of lines) {
    report.processed++;
    let value: unknown = input.value;
    if (input.text !== undefined) {
      try {
        value = JSON.parse(input.text);
      } catch (e) {
        reject(input.line, [`not valid JSON: ${(e as Error).message}`]);
        progress();
        continue;
      }
    }
    let metadata = asMetadata(value, pidField);
    if (typeof metadata === 'string') {
      reject(input.line, [metadata]);
      progress();
      continue;
    }
    const id = recordIdFor(options.source, input.line);
    if (await store.get(id)) {
      report.skipped++;
      progress();
      continue;
    }
    try {
      const identity = options.owner ? { id: options.owner, roles: [] } : undefined;
      metadata = (await endpoint.hooks.beforeCreate?.({ endpoint: endpoint.name, identity, metadata })) ?? metadata;
      const minted = await endpoint.minter({ recordId: id, metadata, pidType: endpoint.pidType, store });
      if (endpoint.schema !== undefined) service.validator.validate(minted.metadata, endpoint.schema);
      const now = new Date();
      const draft: StoredRecord = {
        id,
        metadata: minted.metadata,
        revision: 0,
        created: now.toISOString(),
        updated: now.toISOString(),
        deleted: false,
      };
      await store.create({
        id,
        metadata: minted.metadata,
        pids: [minted.pid],
        now,
        ...(indexing ? { index: { index: endpoint.searchIndex, document: endpoint.indexDocument(draft, minted.pid) } } : {}),
      });
      report.accepted++;
    } catch (e) {
      if (!isRestError(e) || e.status >= 500) throw e;
      reject(input.line, e.errors.length ? e.errors.map((f) => `${f.field}: ${f.message}`) : [e.message]);
    }
    if (report.processed % every === 0 && indexing && !store.indexesInTransaction) await service.processIndexQueue();
    progress();
  }
  if (indexing && !store.indexesInTransaction) await service.processIndexQueue();
  options.onProgress?.(counters());
  return report;

  function counters(): ImportProgress {
    return { processed: report.processed, accepted: report.accepted, skipped: report.skipped, rejected: report.rejected };
  }
  function progress() {
    if (report.processed % every === 0) options.onProgress?.(counters());
  }
}

/**
 * The record id of line `line` of `source`: a UUID (version 8, RFC 9562 §5.8) made of the SHA-256 of
 * both, so the same line of the same source always maps to the same record.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.8 RFC 9562 §5.8 UUID version 8
 * @example
 * recordIdFor('demo:seed=1', 1); // always the same UUID
 */
export function recordIdFor(source: string, line: number): string {
  const bytes = createHash('sha256').update(`${source}\0${line}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The metadata of an input value (a metadata object, or an export line), or why there is none. */
function asMetadata(value: unknown, pidField: string | undefined): JsonObject | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected a JSON object (the record's metadata), got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  const object = value as JsonObject;
  const inner = object.metadata;
  const exported = inner !== null && typeof inner === 'object' && !Array.isArray(inner) && ('links' in object || 'revision' in object);
  if (!exported) return object;
  const metadata = { ...(inner as JsonObject) };
  if (pidField !== undefined) delete metadata[pidField];
  return metadata;
}
