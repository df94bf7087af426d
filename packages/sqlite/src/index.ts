export type { IndexWrite, SqliteIndexWriter } from './index-writer.js';
export type { SqliteSearchEngineOptions } from './search/engine.js';
export { SqliteSearchEngine } from './search/engine.js';
export type { Durability, OpenDatabaseOptions } from './store/database.js';
export { openDatabase } from './store/database.js';
export type { OpenSqliteOptions, SqliteBackend } from './store/open.js';
export { openSqlite } from './store/open.js';
export type { SqliteRecordStoreOptions } from './store/record-store.js';
export { SqliteRecordStore } from './store/record-store.js';
