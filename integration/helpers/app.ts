// A RecordsService and RecordsResource over a real SQLite file in a temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anyOf,
  authenticated,
  type EndpointConfig,
  hasRole,
  type JsonObject,
  ownerOf,
  RecordsService,
  type RecordsServiceOptions,
} from '@recordkit/records-service';
import { RecordsResource, type RecordsResourceOptions } from '@recordkit/records-service/http';
import { SqliteRecordStore } from '@recordkit/sqlite';

export const RECORD_SCHEMA: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['title'],
  properties: {
    title: { type: 'string', minLength: 1 },
    year: { type: 'integer' },
    count: { type: 'integer' },
    owner: { type: 'string' },
    access: { enum: ['public', 'restricted'] },
    type: { type: 'string' },
    control_number: { type: 'string' },
    $schema: { type: 'string' },
  },
};

/** The endpoint most suites use: recid PIDs under /records/, writes for authenticated users, owners and curators. */
export const RECORDS_ENDPOINT: EndpointConfig = {
  pidType: 'recid',
  listRoute: '/records/',
  itemRoute: '/records/:pid',
  schema: RECORD_SCHEMA,
  permissions: {
    create: authenticated,
    update: anyOf(hasRole('curator'), ownerOf('owner')),
    delete: anyOf(hasRole('curator'), ownerOf('owner')),
  },
  sort: {
    options: {
      mostrecent: { fields: ['-_created'], title: 'Most recent', order: 2, defaultOrder: 'asc' },
      bestmatch: { fields: ['_score'], title: 'Best match', order: 1, defaultOrder: 'desc' },
    },
    default: { query: 'bestmatch', noquery: 'mostrecent' },
  },
};

export interface TestApp {
  store: SqliteRecordStore;
  service: RecordsService;
  resource: RecordsResource;
  dir: string;
  close: () => Promise<void>;
}

export function createTestApp(
  options: Partial<Omit<RecordsServiceOptions, 'store'>> & { resource?: Omit<RecordsResourceOptions, 'service'> } = {},
): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'rk-integration-'));
  const store = new SqliteRecordStore({ path: join(dir, 'records.db') });
  const { resource: resourceOptions, ...serviceOptions } = options;
  const service = new RecordsService({
    store,
    baseUrl: 'http://records.test/api',
    endpoints: { recid: RECORDS_ENDPOINT },
    ...serviceOptions,
  });
  const resource = new RecordsResource({ service, ...resourceOptions });
  return {
    store,
    service,
    resource,
    dir,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
