import { createHash } from 'node:crypto';
import type {
  CreateManyResult,
  CreateRecordInput,
  JsonObject,
  PIDRef,
  RecordStore,
  RecordsService,
  StoredRecord,
} from '@recordkit/records-service';
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
  /** Progress callback, called after each batch and at the end. */
  onProgress?: (progress: ImportProgress) => void;
  /** Keep at most this many rejected lines in the report (default 10000; the count is always exact). */
  maxRejectedLines?: number;
  /**
   * Lines written per store transaction (default 1000). Each record stays atomic on its own; a batch
   * only shares the commit, so a crash loses at most the batch being written, which the next run of
   * the same import writes again.
   */
  batchSize?: number;
}

/** A line that passed parsing, the create hook, the minter's checks and the schema. */
interface Candidate {
  line: number;
  id: string;
  /** Metadata after the create hook, before minting. */
  metadata: JsonObject;
  /** The dry run of the minter: its result, and the sequences it asked for (in order). */
  minted: { pid: PIDRef; metadata: JsonObject };
  sequences: string[];
}

const DEFAULT_BATCH_SIZE = 1000;

/**
 * Load records in bulk, through the same create hook, minter, schema validation and index document as
 * `POST`. A record is stored with its PID and its index entry, or not at all. Bad lines are reported
 * with their line number and reasons and do not stop the import; a line is validated before its PID
 * is minted, so rejected lines consume no `recid`.
 *
 * Lines are written in batches (`batchSize`, default 1000): one store transaction per batch through
 * `RecordStore.createMany` when the store has it (one `create` per record otherwise), the batch's
 * "already imported?" check is one `getMany`, and its `recid`s come from one
 * `RecordStore.reserveSequenceValues` when the store has it.
 *
 * Each record's id is derived from `source` and its line number, so running the same import again (for
 * instance after an interruption) skips what is already stored and writes only the rest. Records are
 * created with new PIDs; a PID field in the input is rejected as on `POST`, and in export lines
 * (`{ id, metadata, links, ... }`) it is dropped and re-minted. The minter is called twice per record
 * (a dry run before validation, then with the reserved sequence values), so it must not write to the
 * store other than through `nextSequenceValue` (the shipped minters do not).
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
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('importRecords: batchSize must be a positive integer');
  const maxRejected = options.maxRejectedLines ?? 10_000;
  const report: ImportReport = { processed: 0, accepted: 0, skipped: 0, rejected: 0, rejectedLines: [] };
  const pidField = endpoint.minter.field;
  const identity = options.owner ? { id: options.owner, roles: [] } : undefined;

  let batch: ImportLine[] = [];
  try {
    for await (const input of lines) {
      batch.push(input);
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        await writeBatch(full);
      }
    }
  } catch (error) {
    // The source failed (a read error, a closed stream): what it gave so far is still imported, so a
    // re-run resumes after it.
    if (batch.length > 0) await writeBatch(batch);
    throw error;
  }
  if (batch.length > 0) await writeBatch(batch);
  if (indexing && !store.indexesInTransaction) await service.processIndexQueue();
  options.onProgress?.(counters());
  return report;

  async function writeBatch(inputs: ImportLine[]): Promise<void> {
    const rejects: RejectedLine[] = [];
    const reject = (line: number, reasons: string[]) => rejects.push({ line, reasons });
    const reasonsOf = (e: unknown): string[] => {
      if (!isRestError(e) || e.status >= 500) throw e;
      return e.errors.length ? e.errors.map((f) => `${f.field}: ${f.message}`) : [e.message];
    };

    // 1. Parse, and skip what an earlier run stored (one query for the batch).
    const parsed: { line: number; id: string; metadata: JsonObject }[] = [];
    for (const input of inputs) {
      let value: unknown = input.value;
      if (input.text !== undefined) {
        try {
          value = JSON.parse(input.text);
        } catch (e) {
          reject(input.line, [`not valid JSON: ${(e as Error).message}`]);
          continue;
        }
      }
      const metadata = asMetadata(value, pidField);
      if (typeof metadata === 'string') reject(input.line, [metadata]);
      else parsed.push({ line: input.line, id: recordIdFor(options.source, input.line), metadata });
    }
    const stored = new Set(parsed.length ? (await store.getMany(parsed.map((p) => p.id))).map((r) => r.id) : []);

    // 2. Create hook, a dry run of the minter (its checks, and the PID field for the schema), schema.
    const candidates: Candidate[] = [];
    for (const { line, id, metadata: raw } of parsed) {
      if (stored.has(id)) {
        report.skipped++;
        continue;
      }
      try {
        const metadata = (await endpoint.hooks.beforeCreate?.({ endpoint: endpoint.name, identity, metadata: raw })) ?? raw;
        const sequences: string[] = [];
        const minted = await endpoint.minter({ recordId: id, metadata, pidType: endpoint.pidType, store: dryRun(store, sequences) });
        if (endpoint.schema !== undefined) service.validator.validate(minted.metadata, endpoint.schema);
        candidates.push({ line, id, metadata, minted, sequences });
      } catch (e) {
        reject(line, reasonsOf(e));
      }
    }

    // 3. Mint for real: the batch's sequence values in one step, then the same minter calls on them.
    const drafts: { candidate: Candidate; input: CreateRecordInput }[] = [];
    const reserved = await reserve(candidates);
    const now = new Date();
    const created = now.toISOString();
    for (const candidate of candidates) {
      try {
        let minted = candidate.minted;
        if (candidate.sequences.length > 0) {
          minted = await endpoint.minter({
            recordId: candidate.id,
            metadata: candidate.metadata,
            pidType: endpoint.pidType,
            store: fromReserved(store, reserved),
          });
          if (endpoint.schema !== undefined) service.validator.validate(minted.metadata, endpoint.schema);
        }
        const input: CreateRecordInput = { id: candidate.id, metadata: minted.metadata, pids: [minted.pid], now };
        if (indexing) {
          const draft: StoredRecord = {
            id: candidate.id,
            metadata: minted.metadata,
            revision: 0,
            created,
            updated: created,
            deleted: false,
          };
          input.index = { index: endpoint.searchIndex, document: endpoint.indexDocument(draft, minted.pid) };
        }
        drafts.push({ candidate, input });
      } catch (e) {
        reject(candidate.line, reasonsOf(e));
      }
    }

    // 4. Write: one transaction for the batch when the store can, each record atomic on its own.
    const results = await createAll(drafts.map((d) => d.input));
    results.forEach((result, i) => {
      if (result.ok) report.accepted++;
      else reject(drafts[i]!.candidate.line, reasonsOf(result.error));
    });

    report.processed += inputs.length;
    report.rejected += rejects.length;
    rejects.sort((a, b) => a.line - b.line);
    for (const r of rejects) if (report.rejectedLines.length < maxRejected) report.rejectedLines.push(r);
    if (indexing && !store.indexesInTransaction) await service.processIndexQueue();
    options.onProgress?.(counters());
  }

  /** The sequence values the batch's minters asked for in their dry runs, reserved in one step per sequence. */
  async function reserve(candidates: Candidate[]): Promise<Map<string, number[]>> {
    const counts = new Map<string, number>();
    for (const c of candidates) for (const name of c.sequences) counts.set(name, (counts.get(name) ?? 0) + 1);
    const reserved = new Map<string, number[]>();
    for (const [name, count] of counts) {
      let values: number[] = [];
      if (store.reserveSequenceValues) values = [...(await store.reserveSequenceValues(name, count))];
      else for (let i = 0; i < count; i++) values.push(await store.nextSequenceValue(name));
      reserved.set(name, values.reverse());
    }
    return reserved;
  }

  async function createAll(inputs: CreateRecordInput[]): Promise<CreateManyResult[]> {
    if (inputs.length === 0) return [];
    if (store.createMany) return store.createMany(inputs);
    const results: CreateManyResult[] = [];
    for (const input of inputs) {
      try {
        results.push({ ok: true, record: await store.create(input) });
      } catch (error) {
        if (!isRestError(error) || error.status >= 500) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  function counters(): ImportProgress {
    return { processed: report.processed, accepted: report.accepted, skipped: report.skipped, rejected: report.rejected };
  }
}

/** The store as a minter's dry run sees it: sequence values are noted, not taken (1, 2, 3 ... stand in). */
function dryRun(store: RecordStore, sequences: string[]): RecordStore {
  return withSequence(store, async (name) => {
    sequences.push(name);
    return sequences.length;
  });
}

/** The store as a minter sees it on the real run: sequence values come from the batch's reservation. */
function fromReserved(store: RecordStore, reserved: Map<string, number[]>): RecordStore {
  return withSequence(store, async (name) => reserved.get(name)?.pop() ?? store.nextSequenceValue(name));
}

/** `store` with another `nextSequenceValue` (its other methods still run on the store itself). */
function withSequence(store: RecordStore, next: (name: string) => Promise<number>): RecordStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'nextSequenceValue') return next;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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
