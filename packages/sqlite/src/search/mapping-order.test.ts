// An index created from a mapping whose keys are not in sorted order must number its fields the same way
// in the creating process, in a second connection, and after a restart: every one of them compiles the
// stored (canonical) mapping. Before the fix, the creating engine numbered fields in the caller's key
// order and every other connection in sorted order, so documents written by one were found under the
// wrong fields by the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchRequest } from '@recordkit/records-service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSearchEngine } from './engine.js';

// Keys deliberately out of order: zeta before alpha, so sorted and given order differ.
const UNSORTED = {
  mappings: {
    properties: {
      zeta: { type: 'keyword' },
      title: { type: 'text' },
      alpha: { type: 'keyword' },
      year: { type: 'integer' },
    },
  },
} as const;

describe('field numbering of an index created from an unsorted mapping', () => {
  let dir: string;
  let path: string;
  const open: SqliteSearchEngine[] = [];
  const engine = () => {
    const e = new SqliteSearchEngine({ path });
    open.push(e);
    return e;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rk-mapping-order-'));
    path = join(dir, 'search.db');
  });
  afterEach(async () => {
    for (const e of open.splice(0)) await e.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = async (e: SqliteSearchEngine, request: SearchRequest) =>
    (await e.search('items', { sort: ['alpha'], ...request })).hits.hits.map((h) => h._id);

  it('finds, by each field, documents written by the creating engine, a second engine and a restarted one', async () => {
    const creator = engine();
    await creator.createIndex('items', UNSORTED);
    await creator.index('items', 'a', { zeta: 'z1', title: 'coral reef', alpha: 'a1', year: 2001 }, { version: 1 });
    const second = engine();
    await second.index('items', 'b', { zeta: 'z2', title: 'coral atoll', alpha: 'a2', year: 2002 }, { version: 1 });
    await creator.close();
    open.splice(open.indexOf(creator), 1);
    const restarted = engine();
    await restarted.index('items', 'c', { zeta: 'z1', title: 'kelp forest', alpha: 'a3', year: 2003 }, { version: 1 });

    for (const e of [second, restarted]) {
      await e.refresh('items');
      expect(await ids(e, { query: { term: { zeta: 'z1' } } })).toEqual(['a', 'c']);
      expect(await ids(e, { query: { term: { alpha: 'a2' } } })).toEqual(['b']);
      expect(await ids(e, { query: { match: { title: 'coral' } } })).toEqual(['a', 'b']);
      expect(await ids(e, { query: { range: { year: { gte: 2002 } } } })).toEqual(['b', 'c']);
      const aggs = await e.search('items', { size: 0, aggs: { z: { terms: { field: 'zeta' } } } });
      expect(aggs.aggregations?.z).toMatchObject({
        buckets: [
          { key: 'z1', doc_count: 2 },
          { key: 'z2', doc_count: 1 },
        ],
      });
    }
  });

  it("numbers fields in the creating engine as every other connection does (search in the creator sees the others' writes)", async () => {
    const creator = engine();
    await creator.createIndex('items', UNSORTED);
    const other = engine();
    await other.index('items', 'x', { zeta: 'only-zeta', title: 'sponge', alpha: 'only-alpha', year: 1999 }, { version: 1 });
    await creator.refresh('items');
    expect(await ids(creator, { query: { term: { zeta: 'only-zeta' } } })).toEqual(['x']);
    expect(await ids(creator, { query: { term: { alpha: 'only-alpha' } } })).toEqual(['x']);
    expect(await ids(creator, { query: { term: { alpha: 'only-zeta' } } })).toEqual([]);
  });
});
