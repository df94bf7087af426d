import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { RecordsService, RecordView } from '@recordkit/records-service';
import { generateDemoRecords } from '../demo/generate.js';
import { type ImportLine, type ImportReport, importRecords } from '../records/importer.js';
import { type CliIO, integerOption, loadConfig, parse, pickEndpoint, str, UsageError, withService } from './context.js';
import { progressBar } from './progress.js';

/** How many demo records the first start of the embedded default loads. */
export const FIRST_START_DEMO_COUNT = 1000;

/**
 * The import source of demo records: the same seed always gives the same record ids.
 *
 * @example
 * recordIdFor(demoSource(1), 1); // the id of the first demo record
 */
export const demoSource = (seed: number) => `recordkit-demo:seed=${seed}`;

/**
 * Load `count` demo records (records `0 .. count-1` of the seed) into an endpoint. Records already
 * loaded by an earlier run are skipped, so `demo --count 100000` after the first start adds 99,000.
 *
 * @example
 * await loadDemo(service, 'recid', { count: 1000, seed: 1 });
 */
export async function loadDemo(
  service: RecordsService,
  endpoint: string,
  options: { count: number; seed: number; batchSize?: number; onProgress?: (done: number) => void },
): Promise<ImportReport> {
  function* lines(): Generator<ImportLine> {
    let line = 0;
    for (const value of generateDemoRecords({ count: options.count, seed: options.seed })) yield { line: ++line, value };
  }
  return importRecords(service, lines(), {
    endpoint,
    source: demoSource(options.seed),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.onProgress ? { onProgress: (p) => options.onProgress?.(p.processed) } : {}),
  });
}

/** `recordkit demo [--count N] [--seed S] [--jsonl] [--endpoint NAME] [--batch-size N]` */
export async function demoCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, {
    count: { type: 'string' },
    seed: { type: 'string' },
    jsonl: { type: 'boolean' },
    endpoint: { type: 'string' },
    'batch-size': { type: 'string' },
  });
  const count = integerOption(values.count, 'count', 0) ?? FIRST_START_DEMO_COUNT;
  const batchSize = integerOption(values['batch-size'], 'batch-size', 1);
  const seed = integerOption(values.seed, 'seed', 0) ?? 1;
  if (values.jsonl) {
    for (const record of generateDemoRecords({ count, seed })) {
      if (!io.stdout.write(`${JSON.stringify(record)}\n`)) await new Promise((r) => io.stdout.once('drain', r));
    }
    return 0;
  }
  const { config } = await loadConfig(str(values.config), io);
  const endpoint = pickEndpoint(config, str(values.endpoint));
  const started = performance.now();
  const report = await withService(config, {}, async (service) => {
    const bar = progressBar(io.stderr, 'demo', count);
    try {
      return await loadDemo(service, endpoint, {
        count,
        seed,
        ...(batchSize !== undefined ? { batchSize } : {}),
        onProgress: (done) => bar.update(done),
      });
    } finally {
      bar.stop();
    }
  });
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(
    `recordkit: demo: ${report.accepted} records loaded, ${report.skipped} already there (${Math.round(report.accepted / Math.max(seconds, 0.001))} records/s)\n`,
  );
  if (report.rejected)
    io.stderr.write(`recordkit: demo: ${report.rejected} records rejected by the endpoint's schema: ${formatRejects(report)}\n`);
  return report.rejected ? 1 : 0;
}

/** `recordkit import <file.jsonl> [--endpoint NAME] [--owner USER] [--rejects FILE] [--batch-size N]` */
export async function importCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(
    args,
    { endpoint: { type: 'string' }, owner: { type: 'string' }, rejects: { type: 'string' }, 'batch-size': { type: 'string' } },
    1,
  );
  const batchSize = integerOption(values['batch-size'], 'batch-size', 1);
  const file = positionals[0];
  if (!file) throw new UsageError('import needs a file: recordkit import records.jsonl');
  const path = resolve(io.cwd, file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${file} is not a readable file`);
  const { config } = await loadConfig(str(values.config), io);
  const endpoint = pickEndpoint(config, str(values.endpoint));

  // First pass: the file's digest (which makes the import resumable) and its number of records.
  const hash = createHash('sha256');
  let total = 0;
  for await (const line of readLines(path)) {
    hash.update(line).update('\n');
    if (line.trim() !== '') total++;
  }
  const digest = hash.digest('hex');

  const started = performance.now();
  const report = await withService(config, {}, async (service) => {
    const bar = progressBar(io.stderr, 'import', total);
    async function* lines(): AsyncGenerator<ImportLine> {
      let number = 0;
      for await (const text of readLines(path)) {
        number++;
        if (text.trim() !== '') yield { line: number, text };
      }
    }
    try {
      return await importRecords(service, lines(), {
        endpoint,
        source: `file:sha256:${digest}`,
        ...(str(values.owner) ? { owner: str(values.owner)! } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        onProgress: (p) => bar.update(p.processed),
      });
    } finally {
      bar.stop();
    }
  });
  const seconds = (performance.now() - started) / 1000;
  io.stderr.write(
    `recordkit: import: ${report.accepted} imported, ${report.skipped} already imported, ${report.rejected} rejected ` +
      `(${report.processed} lines in ${seconds.toFixed(1)} s, ${Math.round(report.accepted / Math.max(seconds, 0.001))} records/s)\n`,
  );
  if (report.rejected) {
    io.stderr.write(formatRejects(report, 50));
    const rejects = str(values.rejects);
    if (rejects) {
      const out = createWriteStream(rejects);
      for (const r of report.rejectedLines) out.write(`${JSON.stringify(r)}\n`);
      out.end();
      await finished(out);
      io.stderr.write(`recordkit: import: rejected lines written to ${rejects}\n`);
    }
  }
  return report.rejected ? 1 : 0;
}

/** `recordkit export [--endpoint NAME] [--format ndjson|csv] [--output FILE]`: every record, restricted ones included. */
export async function exportCommand(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { endpoint: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' } });
  const format = str(values.format) ?? 'ndjson';
  const { config } = await loadConfig(str(values.config), io);
  const name = pickEndpoint(config, str(values.endpoint));
  const endpoint = config.endpoints.find((e) => e.name === name)!;
  const mediaType = endpoint.exportSerializersAliases[format];
  if (!mediaType)
    throw new UsageError(`--format must be one of ${Object.keys(endpoint.exportSerializersAliases).join(', ')}, got "${format}"`);
  return withService(config, {}, async (service) => {
    const serializer = service.endpoint(name).exportSerializers[mediaType];
    if (!serializer) throw new UsageError(`the endpoint has no export serializer for ${mediaType}`);
    const output = str(values.output);
    const out: NodeJS.WritableStream = output ? createWriteStream(output) : io.stdout;
    let count = 0;
    async function* views(): AsyncGenerator<RecordView> {
      for await (const view of storedRecords(service, name)) {
        count++;
        yield view;
      }
    }
    for await (const chunk of serializer(views(), {})) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    if (output) {
      out.end();
      await finished(out as NodeJS.WritableStream & NodeJS.EventEmitter);
    }
    io.stderr.write(`recordkit: export: ${count} records${output ? ` written to ${output}` : ''}\n`);
    return 0;
  });
}

/**
 * Every live record of an endpoint, from the store (not the index), in id order.
 *
 * @example
 * for await (const view of storedRecords(service, 'recid')) console.log(view.id);
 */
export async function* storedRecords(service: RecordsService, endpointName: string): AsyncGenerator<RecordView> {
  const endpoint = service.endpoint(endpointName);
  let after: string | undefined;
  for (;;) {
    const page = await service.store.list({ limit: 500, ...(after ? { after } : {}) });
    if (page.length === 0) return;
    for (const record of page) {
      const pid = (await service.store.recordPIDs(record.id)).find((p) => p.type === endpoint.pidType && p.status === 'registered');
      if (pid) yield service.result(endpointName, pid, record).view;
    }
    after = page.at(-1)!.id;
  }
}

function formatRejects(report: ImportReport, limit = 10): string {
  const shown = report.rejectedLines.slice(0, limit).map((r) => `  line ${r.line}: ${r.reasons.join('; ')}\n`);
  const more = report.rejected > shown.length ? `  ... and ${report.rejected - shown.length} more\n` : '';
  return `${shown.join('')}${more}`;
}

function readLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
}
