export { detectDistribution } from './detect.js';
export type { Distribution, ElasticsearchSearchEngineOptions, ReindexResult } from './engine.js';
export { ElasticsearchSearchEngine } from './engine.js';
export type { SearchErrorOptions } from './errors.js';
export { toSearchError } from './errors.js';
export { OpenSearchTransport } from './opensearch-transport.js';
