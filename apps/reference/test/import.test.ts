// importRecords in batches, on the real embedded store (a SQLite file in a temporary directory): bad
// lines in the middle of a batch, re-runs, rejected lines and recids, and a store without the bulk
// methods (the fallback third-party stores get).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordStore, RecordsService } from '@recordkit/records-service';
import { afterAll, describe, expect, it } from 'vitest';
import { withService } from '../src/cli/context.js';
import { checkIndex } from '../src/cli/index-commands.js';
import { resolveConfig } from '../src/config/define-config.js';
import { type ImportLine, importRecords, recordIdFor } from '../src/records/importer.js';
import { removeDir } from './support/serve.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

function embedded<T>(job: (service: RecordsService) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rk-import-'));
  dirs.push(dir);
  return withService(resolveConfig({}, { dataDir: dir }), {}, job);
}

const good = (title: string) => ({
  title,
  creators: [{ name: 'Okafor, Amara' }],
  type: 'article',
  publication_date: '2021-03-04',
  access: 'public',
});

/** Twelve lines; 3, 5, 6 and 9 are bad (JSON, schema, a PID field, not an object). */
function mixedLines(): ImportLine[] {
  return Array.from({ length: 12 }, (_, i): ImportLine => {
    const line = i + 1;
    if (line === 3) return { line, text: '{"title": "broken' };
    if (line === 5) return { line, text: JSON.stringify({ ...good(`Line ${line}`), type: undefined }) };
    if (line === 6) return { line, text: JSON.stringify({ ...good(`Line ${line}`), control_number: '99' }) };
    if (line === 9) return { line, text: '[1, 2]' };
    return { line, text: JSON.stringify(good(`Line ${line}`)) };
  });
}

/** Every stored record's title and recid, by title. */
async function stored(service: RecordsService): Promise<Map<string, string>> {
  const records = await service.store.list({ limit: 1000 });
  return new Map(records.map((r) => [r.metadata.title as string, r.metadata.control_number as string]));
}

/** The service with its store seen through `hide`: the bulk methods absent, as in a third-party store. */
function withoutBulkMethods(service: RecordsService): RecordsService {
  const store = new Proxy(service.store, {
    get(target, key) {
      if (key === 'createMany' || key === 'reserveSequenceValues') return undefined;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as RecordStore;
  return new Proxy(service, {
    get(target, key) {
      if (key === 'store') return store;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('importRecords', () => {
  for (const [name, view] of [
    ['with the store bulk methods', (s: RecordsService) => s],
    ['through a store without createMany and reserveSequenceValues', withoutBulkMethods],
  ] as const) {
    it(`imports the good lines of batches with bad lines in the middle and reports the bad ones by line number (${name})`, async () => {
      await embedded(async (service) => {
        const progress: number[] = [];
        const report = await importRecords(view(service), mixedLines(), {
          endpoint: 'recid',
          source: 'mixed',
          batchSize: 4,
          onProgress: (p) => progress.push(p.processed),
        });
        expect(report).toMatchObject({ processed: 12, accepted: 8, skipped: 0, rejected: 4 });
        expect(report.rejectedLines.map((r) => r.line)).toEqual([3, 5, 6, 9]);
        expect(report.rejectedLines[0]!.reasons[0]).toMatch(/^not valid JSON/);
        expect(report.rejectedLines[1]!.reasons.join()).toMatch(/^type: /);
        expect(report.rejectedLines[2]!.reasons).toEqual([
          'control_number: control_number is assigned by the server and cannot be set by the client.',
        ]);
        expect(report.rejectedLines[3]!.reasons).toEqual(["expected a JSON object (the record's metadata), got an array"]);
        expect(progress).toEqual([4, 8, 12, 12]);

        // Rejected lines consume no recid: the 8 records hold 1..8, in line order.
        const recids = await stored(service);
        expect([...recids.keys()].sort()).toEqual(['Line 1', 'Line 10', 'Line 11', 'Line 12', 'Line 2', 'Line 4', 'Line 7', 'Line 8']);
        expect(['Line 1', 'Line 2', 'Line 4', 'Line 7', 'Line 8', 'Line 10', 'Line 11', 'Line 12'].map((t) => recids.get(t))).toEqual([
          '1',
          '2',
          '3',
          '4',
          '5',
          '6',
          '7',
          '8',
        ]);
        // Each stored line under the id derived from its line number, resolvable through its PID, indexed.
        const record = await service.store.get(recordIdFor('mixed', 7));
        expect(record?.metadata.title).toBe('Line 7');
        expect((await service.store.getPID({ type: 'recid', value: recids.get('Line 7')! }))?.recordId).toBe(record!.id);
        expect(await checkIndex(service, 'recid', { repair: false })).toMatchObject({
          storeCount: 8,
          indexCount: 8,
          missing: [],
          stale: [],
          extra: [],
        });
      });
    });
  }

  it('run again, skips exactly the lines already stored and stores the others once', async () => {
    await embedded(async (service) => {
      const lines = Array.from({ length: 25 }, (_, i) => ({ line: i + 1, value: good(`Record ${i + 1}`) }));
      const some = lines.filter((l) => l.line % 3 === 0 || l.line > 20);
      const first = await importRecords(service, some, { endpoint: 'recid', source: 'file-a', batchSize: 4 });
      expect(first).toMatchObject({ accepted: some.length, skipped: 0, rejected: 0 });

      const again = await importRecords(service, lines, { endpoint: 'recid', source: 'file-a', batchSize: 7 });
      expect(again).toMatchObject({ processed: 25, accepted: 25 - some.length, skipped: some.length, rejected: 0 });
      const records = await service.store.list({ limit: 1000 });
      expect(records).toHaveLength(25);
      expect(new Set(records.map((r) => r.metadata.control_number)).size).toBe(25);
      for (const { line } of lines) expect((await service.store.get(recordIdFor('file-a', line)))?.metadata.title).toBe(`Record ${line}`);

      const third = await importRecords(service, lines, { endpoint: 'recid', source: 'file-a' });
      expect(third).toMatchObject({ accepted: 0, skipped: 25, rejected: 0 });
      expect(await service.store.count()).toBe(25);
    });
  });

  it('refuses a batch size below 1', async () => {
    await embedded(async (service) => {
      await expect(importRecords(service, [], { endpoint: 'recid', source: 'x', batchSize: 0 })).rejects.toThrow(
        'batchSize must be a positive integer',
      );
    });
  });
});
