import { demoMapping } from '../demo/mapping.js';
import { demoRecordSchema } from '../demo/schema.js';
import type { EndpointConfig, JsonObject, RateLimitRule } from './types.js';

/**
 * Invenio's default endpoint (`RECORDS_REST_ENDPOINTS['recid']` with the `records` sort options,
 * default sort and `type` facet), serving the demo schema: `recid` PIDs in `control_number`, list at
 * `/records/`, items at `/records/<pid>`, JSON, 10 results per page, `max_result_window` 10000,
 * `bestmatch` (default with `q`) and `mostrecent` (default without), `?format=` aliases.
 *
 * Two deliberate differences: `bestmatch` (`["_score"]`, as Invenio writes it) sorts the best matches
 * first (Invenio's sorter turns it into an ascending sort, worst first), and facets, sorts and the default sort apply (Invenio's shipped defaults key
 * them by an index name its default endpoint does not use, so none of them applies).
 *
 * @example
 * defineConfig({ endpoints: { recid: { ...defaultEndpoint, defaultResultsSize: 25 } } });
 */
export const defaultEndpoint: EndpointConfig = {
  pidType: 'recid',
  pidMinter: 'recid',
  pidField: 'control_number',
  listRoute: '/records/',
  itemRoute: '/records/:pid',
  searchIndex: 'records',
  schema: demoRecordSchema as unknown as JsonObject,
  mapping: demoMapping as unknown as JsonObject,
  defaultMediaType: 'application/json',
  recordSerializersAliases: { json: 'application/json' },
  searchSerializersAliases: { json: 'application/json' },
  exportSerializersAliases: { ndjson: 'application/x-ndjson', csv: 'text/csv' },
  defaultResultsSize: 10,
  maxResultWindow: 10000,
  maxResultsSize: 1000,
  queryFields: ['title^2', 'creators.name', 'subjects', 'description'],
  sortOptions: {
    bestmatch: { title: 'Best match', fields: ['_score'], defaultOrder: 'desc', order: 1 },
    mostrecent: { title: 'Most recent', fields: ['-_created'], defaultOrder: 'asc', order: 2 },
    title: { title: 'Title', fields: ['title.raw'], defaultOrder: 'asc', order: 3 },
    publication_date: { title: 'Publication date', fields: ['-publication_date'], defaultOrder: 'asc', order: 4 },
  },
  defaultSort: { query: 'bestmatch', noquery: 'mostrecent' },
  facets: {
    aggs: {
      type: { terms: { field: 'type' } },
      subjects: { terms: { field: 'subjects.raw', size: 20 } },
      language: { terms: { field: 'language' } },
    },
    postFilters: {
      type: { type: 'terms', field: 'type' },
      subjects: { type: 'terms', field: 'subjects.raw' },
      language: { type: 'terms', field: 'language' },
    },
  },
  suggesters: {
    title: { completion: { field: 'suggest_title', size: 5, skip_duplicates: true } },
  },
  useOptionsView: true,
  requireIfMatch: false,
  strictParameters: false,
  csvColumns: [
    'id',
    'metadata_title',
    'metadata_creators_0_name',
    'metadata_type',
    'metadata_subjects_0',
    'metadata_publication_date',
    'metadata_language',
    'metadata_access',
    'metadata_owner',
    'created',
    'updated',
    'revision',
  ],
  permissions: 'reference',
  ownerField: 'owner',
  accessField: 'access',
  curatorRole: 'curator',
  service: {
    // The title suggester reads a completion field filled from the title at indexing time.
    indexDocument: (record) => {
      const title = record.metadata.title;
      return {
        ...record.metadata,
        ...(typeof title === 'string' ? { suggest_title: { input: [completionInput(title)] } } : {}),
        _created: record.created,
        _updated: record.updated,
      };
    },
  },
};

/**
 * A completion input Elasticsearch and OpenSearch accept: they refuse the whole document when an input
 * holds one of the characters their completion field reserves (U+0000, U+001E, U+001F), so the record
 * would be stored but never found. The title itself is indexed as it is; only its suggestion loses them.
 */
function completionInput(text: string): string {
  let input = text;
  for (const reserved of ['\u0000', '\u001e', '\u001f']) input = input.replaceAll(reserved, ' ');
  return input;
}

/** Invenio-app's `RATELIMIT_GUEST_USER`: 60 per minute and 1000 per hour, per client address. */
export const defaultGuestLimits: RateLimitRule[] = [
  { name: 'minute', limit: 60, windowSeconds: 60 },
  { name: 'hour', limit: 1000, windowSeconds: 3600 },
];

/** Invenio-app's `RATELIMIT_AUTHENTICATED_USER`: 100 per minute and 5000 per hour, per user. */
export const defaultAuthenticatedLimits: RateLimitRule[] = [
  { name: 'minute', limit: 100, windowSeconds: 60 },
  { name: 'hour', limit: 5000, windowSeconds: 3600 },
];

/** The port the server listens on when neither `PORT` nor `server.port` says otherwise. */
export const DEFAULT_PORT = 5000;
/** The interface the server listens on by default (loopback: nothing is exposed by accident). */
export const DEFAULT_HOST = '127.0.0.1';
/** The data directory when neither `RECORDKIT_DATA_DIR` nor `storage.dataDir` says otherwise (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.data';
