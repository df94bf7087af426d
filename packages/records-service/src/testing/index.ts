export type { RecordStoreFixture } from './record-store-contract.js';
export { recordStoreContract } from './record-store-contract.js';
export type { ConformanceCase, ConformanceCompare, ConformanceCorpus, SearchEngineFixture } from './search-engine-contract.js';
export { checkConformance, loadConformanceCorpus, searchConformance, searchEngineContract } from './search-engine-contract.js';
