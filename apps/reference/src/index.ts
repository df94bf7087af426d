// The reference server's programmatic API: what a `recordkit.config.ts` file imports, and what tests
// and embedding applications use to start the server.

export type { RunningServer, StartServerOptions } from './app.js';
export { devTokenFor, startServer } from './app.js';
export type { CliIO } from './cli/main.js';
export { main, StartupError, UsageError } from './cli/main.js';
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
  FacetConfig,
  IdentityConfig,
  JsonObject,
  JsonValue,
  LoggingConfig,
  MediaTypesConfig,
  RateLimitConfig,
  RateLimitRule,
  ReferenceConfig,
  ResolvedConfig,
  ResolvedEndpoint,
  ServerConfig,
  SortOptionConfig,
  StorageConfig,
  SuggesterConfig,
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
