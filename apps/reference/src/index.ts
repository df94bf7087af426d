// The reference server's programmatic API: what a `recordkit.config.ts` file imports, and what tests
// and embedding applications use to start the server.

export type { RunningServer, StartServerOptions } from './app.js';
export { devTokenFor, startServer } from './app.js';
export type { CheckReport } from './cli/index-commands.js';
export { checkIndex, reindex } from './cli/index-commands.js';
export type { CliIO } from './cli/main.js';
export { main, publicUrl, StartupError, USAGE, UsageError } from './cli/main.js';
export { demoSource, FIRST_START_DEMO_COUNT, loadDemo, storedRecords } from './cli/records-commands.js';
export {
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  defaultAuthenticatedLimits,
  defaultEndpoint,
  defaultGuestLimits,
} from './config/default-config.js';
export type { ConfigIssue, EnvironmentOverrides } from './config/define-config.js';
export { ConfigError, defineConfig, mappingFields, resolveConfig } from './config/define-config.js';
export { ENVIRONMENT_VARIABLES, parseTokens, readEnvironment } from './config/environment.js';
export { CONFIG_FILE_NAMES, loadConfigFile } from './config/load-config.js';
export type {
  CorsConfig,
  EndpointConfig,
  ErrorsConfig,
  IdentityConfig,
  JsonObject,
  JsonValue,
  LoggingConfig,
  RateLimitConfig,
  RateLimitRule,
  ReferenceConfig,
  ResolvedConfig,
  ResolvedEndpoint,
  ServerConfig,
  SortOptionConfig,
  StorageConfig,
  TokenConfig,
} from './config/types.js';
export type { DemoOptions } from './demo/generate.js';
export { demoRecord, generateDemoRecords } from './demo/generate.js';
export { demoMapping } from './demo/mapping.js';
export type { DemoRecord } from './demo/schema.js';
export { demoRecordSchema, demoRecordTypes } from './demo/schema.js';
export { readBody } from './http/body.js';
export { createCors, EXPOSED_HEADERS } from './http/cors.js';
export type { Logger } from './http/logger.js';
export { createLogger, requestIdOf } from './http/logger.js';
export type { PipelineOptions, ReadinessCheck, RequestContext, ResponseDescription, RouteHandler } from './http/pipeline.js';
export { createRequestListener, write } from './http/pipeline.js';
export type { RateLimitClass, RateLimitOutcome } from './http/rate-limit.js';
export { RequestRateLimiter } from './http/rate-limit.js';
export type { ListeningServer } from './http/server.js';
export { listen } from './http/server.js';
export type { DevToken } from './identity/dev-token.js';
export { DEV_TOKEN_FILE, ensureDevToken } from './identity/dev-token.js';
export type { Identity } from './identity/tokens.js';
export { ANONYMOUS, TokenRegistry } from './identity/tokens.js';
export { openapiDocument } from './openapi/document.js';
export { openapiRoute } from './openapi/route.js';
export type { Backends, OpenBackendsOptions } from './records/backends.js';
export { EMBEDDED_DATABASE_FILE, openBackends, redactUrl } from './records/backends.js';
export type { ServiceEndpointOptions } from './records/endpoint.js';
export { toServiceEndpoint } from './records/endpoint.js';
export type { ImportLine, ImportOptions, ImportProgress, ImportReport, RejectedLine } from './records/importer.js';
export { importRecords, recordIdFor } from './records/importer.js';
export type { PolicyParts, ReferencePolicyOptions } from './records/policy.js';
export { openPolicy, referencePolicy } from './records/policy.js';
export type { RecordsApp } from './records/records-app.js';
export { createRecordsApp, toServiceIdentity } from './records/records-app.js';
