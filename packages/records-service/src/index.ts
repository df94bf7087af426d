export type {
  BuiltSearch,
  EndpointConfig,
  RecordHooks,
  ResolvedEndpoint,
  SearchFactory,
  SearchFactoryContext,
  SuggesterConfig,
} from './config.js';
export { defaultEndpoints, defaultIndexDocument, resolveEndpoint } from './config.js';
export type { LinksContext, LinksFactory } from './links.js';
export { defaultLinksFactory, linkHeader, linksWithAdditional } from './links.js';
export {
  applyJsonPatch,
  applyMergePatch,
  assertRecordBody,
  assertSafeJson,
  JSON_MEDIA_TYPE,
  JSON_PATCH_MEDIA_TYPE,
  loadJsonPatch,
  loadMergePatch,
  loadRecordJson,
  MAX_BODY_DEPTH,
  MERGE_PATCH_MEDIA_TYPE,
  parseJson,
} from './loaders.js';
export type { Action, Identity, Permission, PermissionContext, SearchFilter } from './permissions.js';
export { allowAll, anyOf, authenticated, DEFAULT_PERMISSIONS, denyAll, hasRole, ownerOf, requirePermission } from './permissions.js';
export type { Fetcher, MintContext, Minter, RecidMinterOptions, ResolvedPID } from './pids.js';
export { fieldFetcher, providedMinter, recidMinter, resolvePID, uuidFetcher, uuidMinter } from './pids.js';
export type {
  BulkOperation,
  BulkResult,
  CreateManyResult,
  CreateRecordInput,
  DeleteRecordInput,
  FieldMapping,
  IndexIntent,
  IndexMapping,
  IndexOptions,
  IndexResult,
  IndexTask,
  JsonObject,
  JsonValue,
  ListRecordsOptions,
  PID,
  PIDRef,
  PIDStatus,
  RecordRevision,
  RecordStore,
  Refresh,
  SearchEngine,
  SearchHit,
  SearchRequest,
  SearchResponse,
  StoredRecord,
  UpdateRecordInput,
} from './ports.js';
export type { ItemRoute } from './routes.js';
export { compileItemRoute } from './routes.js';
export { queryBuilderSearchFactory, withFilter } from './search.js';
export type {
  CsvOptions,
  ExportSerializer,
  RecordSerializer,
  RecordView,
  SearchSerializer,
  SearchView,
  SerializeOptions,
} from './serializers.js';
export { csvExportSerializer, flatten, jsonRecordSerializer, jsonSearchSerializer, ndjsonExportSerializer } from './serializers.js';
export type {
  ActionContext,
  PreconditionCheck,
  RecordResult,
  RecordsServiceOptions,
  RefusedIndexEntry,
  SearchResult,
  SuggestResponse,
} from './service.js';
export { IndexRefusedError, RecordsService } from './service.js';
export { SchemaValidator, toFieldErrors } from './validation.js';
