import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchEngineContract } from '@recordkit/records-service/testing';
import { SqliteSearchEngine } from './engine.js';

searchEngineContract('SqliteSearchEngine (file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rk-contract-'));
  return {
    engine: new SqliteSearchEngine({ path: join(dir, 'search.db') }),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

searchEngineContract('SqliteSearchEngine (:memory:)', () => ({ engine: new SqliteSearchEngine({ path: ':memory:' }) }));
