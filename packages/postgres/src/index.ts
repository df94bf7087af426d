export type { MigrateResult } from './migrations.js';
export type { PostgresRecordStoreOptions } from './store.js';
export { migrate, openPostgresRecordStore, PostgresRecordStore } from './store.js';
