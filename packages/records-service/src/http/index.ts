export type { FetchHandlerOptions, NodeHandlerOptions } from './adapters.js';
export { createFetchHandler, createNodeHandler, nodeRequest, toFetchResponse, writeNodeResponse } from './adapters.js';
export type { ErrorHandler, ErrorHandlerEntry, RecordsResourceOptions } from './resource.js';
export { RecordsResource } from './resource.js';
export type { RequestBody, RequestHeaders, ResourceRequest, ResourceResponse } from './types.js';
