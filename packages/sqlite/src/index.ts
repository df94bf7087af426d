export type { IndexWrite, SqliteIndexWriter } from './index-writer.js';
export type { Durability, OpenDatabaseOptions } from './store/database.js';
export { openDatabase } from './store/database.js';
export type { SqliteRecordStoreOptions } from './store/record-store.js';
export { SqliteRecordStore } from './store/record-store.js';
