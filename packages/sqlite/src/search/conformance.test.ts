import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchConformance } from '@recordkit/records-service/testing';
import { SqliteSearchEngine } from './engine.js';

// The shared corpus that the Elasticsearch adapter runs against a real Elasticsearch.
searchConformance(
  'SqliteSearchEngine',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'rk-conformance-'));
    return {
      engine: new SqliteSearchEngine({ path: join(dir, 'search.db') }),
      teardown: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  join(import.meta.dirname, '../../../../fixtures/search-conformance'),
);
