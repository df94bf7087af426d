// A RecordsService and RecordsResource over a real SQLite file in a temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  anyOf,
  authenticated,
  type EndpointConfig,
  hasRole,
  type IndexMapping,
  type JsonObject,
  ownerOf,
  RecordsService,
  type RecordsServiceOptions,
  type StoredRecord,
} from '@recordkit/records-service';
import { RecordsResource, type RecordsResourceOptions } from '@recordkit/records-service/http';
import { openSqlite, type SqliteBackend, SqliteRecordStore } from '@recordkit/sqlite';

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
  /** The search engine, when the app was created with `withSearch`. */
  backend?: SqliteBackend;
  service: RecordsService;
  resource: RecordsResource;
  dir: string;
  close: () => Promise<void>;
}

export function createTestApp(
  options: Partial<Omit<RecordsServiceOptions, 'store'>> & {
    resource?: Omit<RecordsResourceOptions, 'service'>;
    /** Store and search engine in one file (`openSqlite`), index writes in the record transaction. */
    withSearch?: boolean;
  } = {},
): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'rk-integration-'));
  const { resource: resourceOptions, withSearch, ...serviceOptions } = options;
  const backend = withSearch ? openSqlite({ path: join(dir, 'records.db') }) : undefined;
  const store = backend?.store ?? new SqliteRecordStore({ path: join(dir, 'records.db') });
  const service = new RecordsService({
    store,
    ...(backend ? { search: backend.search } : {}),
    baseUrl: 'http://records.test/api',
    endpoints: { recid: RECORDS_ENDPOINT },
    ...serviceOptions,
  });
  const resource = new RecordsResource({ service, ...resourceOptions });
  const app: TestApp = {
    store,
    service,
    resource,
    dir,
    close: async () => {
      if (backend) await backend.close();
      else await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (backend) app.backend = backend;
  return app;
}

/** The Elasticsearch mapping of the test records. */
export const RECORD_MAPPING: IndexMapping = {
  mappings: {
    properties: {
      title: { type: 'text', fields: { raw: { type: 'keyword' } } },
      year: { type: 'integer' },
      count: { type: 'integer' },
      owner: { type: 'keyword' },
      access: { type: 'keyword' },
      type: { type: 'keyword' },
      control_number: { type: 'keyword' },
      suggest_title: { type: 'completion' },
      suggest_typed: { type: 'completion', contexts: [{ name: 'type', type: 'category', path: 'type' }] },
      _created: { type: 'date' },
      _updated: { type: 'date' },
    },
  },
};

/** Index document of the test records: metadata, timestamps and a completion input from the title. */
export function recordDocument(record: StoredRecord): JsonObject {
  const title = typeof record.metadata.title === 'string' ? record.metadata.title : '';
  return {
    ...record.metadata,
    _created: record.created,
    _updated: record.updated,
    suggest_title: { input: [title] },
    suggest_typed: { input: [title] },
  };
}

/** Readable: public records, one's own, everything for curators. */
export const canRead = anyOf(hasRole('curator'), ownerOf('owner'), ({ record }) => record?.metadata.access !== 'restricted');

/** The search-time half of `canRead`. */
export function readFilter(identity: { id: string; roles?: readonly string[] } | null | undefined): JsonObject | undefined {
  if (identity?.roles?.includes('curator')) return undefined;
  const visible: JsonObject[] = [{ bool: { must_not: [{ term: { access: 'restricted' } }] } }];
  if (identity) visible.push({ term: { owner: identity.id } });
  return { bool: { should: visible, minimum_should_match: 1 } };
}

/** The records endpoint with search: mapping, facets, sort, suggesters, read permissions and their search filter. */
export const SEARCH_ENDPOINT: EndpointConfig = {
  ...RECORDS_ENDPOINT,
  searchIndex: 'records',
  mapping: RECORD_MAPPING,
  indexDocument: recordDocument,
  permissions: { ...RECORDS_ENDPOINT.permissions, read: canRead },
  searchFilter: readFilter,
  facets: {
    aggs: { type: { terms: { field: 'type' } }, access: { terms: { field: 'access' } } },
    postFilters: { type: { type: 'terms', field: 'type' } },
  },
  suggesters: {
    title: { completion: { field: 'suggest_title' } },
    typed: { completion: { field: 'suggest_typed', contexts: { type: 'suggest_type' } } },
  },
};
