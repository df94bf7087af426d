import type { BulkOperation, IndexMapping, JsonValue, RecordsService, SearchEngine } from '@recordkit/records-service';
import { StartupError } from '../records/backends.js';
import { type CliIO, loadConfig, parse, pickEndpoint, str, withService } from './context.js';
import { progressBar } from './progress.js';

const BATCH = 500;

function engineOf(service: RecordsService): SearchEngine {
  if (!service.search) throw new StartupError('this deployment has no search engine to index into');
  return service.search;
}

/** Live records of an endpoint from the store: id, revision, and the PID that makes it part of the endpoint. */
async function* liveRecords(service: RecordsService, endpointName: string) {
  const endpoint = service.endpoint(endpointName);
  let after: string | undefined;
  for (;;) {
    const page = await service.store.list({ limit: BATCH, ...(after ? { after } : {}) });
    if (page.length === 0) return;
    for (const record of page) {
      const pid = (await service.store.recordPIDs(record.id)).find((p) => p.type === endpoint.pidType && p.status === 'registered');
      if (pid) yield { record, pid };
    }
    after = page.at(-1)!.id;
  }
}

/**
 * Rebuild an endpoint's index from the store, every live record with its revision as version. On
 * Elasticsearch/OpenSearch a new index is built and the alias swapped when it is complete (searches
 * never see a partial index); on the embedded engine the index is dropped and rebuilt. Writes that
 * happen meanwhile are safe: an older version never overwrites a newer one.
 *
 * @example
 * await reindex(service, 'recid', (n) => bar.update(n));
 */
export async function reindex(service: RecordsService, endpointName: string, onProgress?: (done: number) => void): Promise<number> {
  const engine = engineOf(service);
  const endpoint = service.endpoint(endpointName);
  if (!endpoint.mapping) throw new StartupError(`endpoint "${endpointName}" has no mapping to create its index from`);
  let done = 0;
  async function* operations(): AsyncGenerator<BulkOperation> {
    for await (const { record, pid } of liveRecords(service, endpointName)) {
      yield { action: 'index', id: record.id, version: record.revision, document: endpoint.indexDocument(record, pid) };
      if (++done % BATCH === 0) onProgress?.(done);
    }
  }
  if (hasAliasReindex(engine)) {
    // Elasticsearch/OpenSearch: build a new index behind the scenes and swap the alias when it is complete.
    const result = await engine.reindex(endpoint.searchIndex, endpoint.mapping, operations());
    if (!result.swapped) throw new StartupError(`reindex failed; the index "${endpoint.searchIndex}" was left as it was`);
    onProgress?.(done);
    return done;
  }
  if (await engine.indexExists(endpoint.searchIndex)) await engine.deleteIndex(endpoint.searchIndex);
  await engine.createIndex(endpoint.searchIndex, endpoint.mapping);
  let batch: BulkOperation[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await engine.bulk(endpoint.searchIndex, batch);
    const failed = result.items.filter((i) => i.status >= 300 && i.result !== 'stale');
    if (failed.length)
      throw new StartupError(
        `indexing failed for ${failed.length} records, e.g. ${failed[0]!.id}: ${failed[0]!.error?.reason ?? failed[0]!.status}`,
      );
    batch = [];
  };
  for await (const operation of operations()) {
    batch.push(operation);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  onProgress?.(done);
  await engine.refresh(endpoint.searchIndex);
  return done;
}

/** An engine that can rebuild an index behind an alias without downtime (@recordkit/elasticsearch). */
interface AliasReindex {
  reindex(index: string, mapping: IndexMapping, source: AsyncIterable<BulkOperation>): Promise<{ swapped: boolean }>;
}

function hasAliasReindex(engine: SearchEngine): engine is SearchEngine & AliasReindex {
  return typeof (engine as Partial<AliasReindex>).reindex === 'function';
}

/** What {@link checkIndex} found. */
export interface CheckReport {
  storeCount: number;
  indexCount: number;
  /** Live records the index does not have. */
  missing: string[];
  /** Records indexed at another revision than the store's. */
  stale: string[];
  /** Index documents with no live record behind them. */
  extra: string[];
  /** True when `repair` fixed the differences. */
  repaired: boolean;
}

/**
 * Compare an endpoint's store and index: the same live records at the same revisions. With `repair`,
 * index the missing and stale records and remove the extra documents.
 *
 * @example
 * const report = await checkIndex(service, 'recid', { repair: false });
 */
export async function checkIndex(service: RecordsService, endpointName: string, options: { repair: boolean }): Promise<CheckReport> {
  const engine = engineOf(service);
  const endpoint = service.endpoint(endpointName);
  const stored = new Map<string, number>();
  for await (const { record } of liveRecords(service, endpointName)) stored.set(record.id, record.revision);

  const indexed = new Map<string, number>();
  if (await engine.indexExists(endpoint.searchIndex)) {
    await engine.refresh(endpoint.searchIndex);
    const pit = await engine.openPointInTime(endpoint.searchIndex, '2m');
    try {
      let after: JsonValue[] | undefined;
      for (;;) {
        const response = await engine.search(endpoint.searchIndex, {
          query: { match_all: {} },
          size: BATCH,
          sort: ['_doc'],
          _source: false,
          version: true,
          track_total_hits: false,
          pit: { id: pit, keep_alive: '2m' },
          ...(after ? { search_after: after } : {}),
        });
        for (const hit of response.hits.hits) indexed.set(hit._id, hit._version ?? -1);
        const last = response.hits.hits.at(-1);
        if (response.hits.hits.length < BATCH || !last?.sort) break;
        after = last.sort;
      }
    } finally {
      await engine.closePointInTime(pit);
    }
  }
  const missing = [...stored.keys()].filter((id) => !indexed.has(id));
  const stale = [...stored].filter(([id, revision]) => indexed.has(id) && indexed.get(id) !== revision).map(([id]) => id);
  const extra = [...indexed.keys()].filter((id) => !stored.has(id));
  const report: CheckReport = { storeCount: stored.size, indexCount: indexed.size, missing, stale, extra, repaired: false };
  if (!options.repair || missing.length + stale.length + extra.length === 0) return report;

  const operations: BulkOperation[] = [];
  for (const id of [...missing, ...stale]) {
    const record = await service.store.get(id);
    const pid = (await service.store.recordPIDs(id)).find((p) => p.type === endpoint.pidType);
    if (record && pid) operations.push({ action: 'index', id, version: record.revision, document: endpoint.indexDocument(record, pid) });
  }
  for (const id of extra) {
    const record = await service.store.get(id);
    // A deleted record's last revision is newer than what was indexed; an unknown one just goes.
    operations.push({ action: 'delete', id, version: record ? record.revision : (indexed.get(id) ?? 0) + 1 });
  }
  for (let i = 0; i < operations.length; i += BATCH) await engine.bulk(endpoint.searchIndex, operations.slice(i, i + BATCH));
  await engine.refresh(endpoint.searchIndex);
  report.repaired = true;
  return report;
}

/** `recordkit reindex [--endpoint NAME]` */
export async function reindexCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { endpoint: { type: 'string' } });
  const { config } = await loadConfig(str(values.config), io);
  const name = pickEndpoint(config, str(values.endpoint));
  return withService(config, {}, async (service) => {
    const total = await service.store.count();
    const bar = progressBar(io.stderr, 'reindex', total);
    let done: number;
    try {
      done = await reindex(service, name, (n) => bar.update(n));
    } finally {
      bar.stop();
    }
    io.stderr.write(`recordkit: reindex: ${done} records indexed into "${service.endpoint(name).searchIndex}"\n`);
    return 0;
  });
}

/** `recordkit check [--endpoint NAME] [--repair]`: exit 0 when store and index agree (or were repaired), 1 otherwise. */
export async function checkCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { endpoint: { type: 'string' }, repair: { type: 'boolean' } });
  const { config } = await loadConfig(str(values.config), io);
  const name = pickEndpoint(config, str(values.endpoint));
  return withService(config, {}, async (service) => {
    const report = await checkIndex(service, name, { repair: values.repair === true });
    const differences = report.missing.length + report.stale.length + report.extra.length;
    const sample = (ids: string[]) => (ids.length ? ` (e.g. ${ids.slice(0, 3).join(', ')})` : '');
    io.stdout.write(
      `store: ${report.storeCount} records\nindex: ${report.indexCount} documents\n` +
        `missing from the index: ${report.missing.length}${sample(report.missing)}\n` +
        `indexed at another revision: ${report.stale.length}${sample(report.stale)}\n` +
        `in the index but not in the store: ${report.extra.length}${sample(report.extra)}\n` +
        (differences === 0
          ? 'store and index agree\n'
          : report.repaired
            ? `repaired ${differences} differences\n`
            : 'run with --repair to fix the index\n'),
    );
    return differences === 0 || report.repaired ? 0 : 1;
  });
}
