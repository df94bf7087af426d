export type { RecordStoreFixture } from './record-store-contract.js';
export { recordStoreContract } from './record-store-contract.js';
