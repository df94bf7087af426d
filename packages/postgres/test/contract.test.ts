import { recordStoreContract } from '@recordkit/records-service/testing';
import { describe } from 'vitest';
import { PostgresRecordStore } from '../src/index.js';
import { databaseUrl, dropSchema, noDatabase, uniqueSchema } from './support.js';

describe.skipIf(noDatabase)('PostgresRecordStore on a real PostgreSQL', () => {
  recordStoreContract('PostgresRecordStore', async () => {
    const schema = uniqueSchema('contract');
    const open = async () => {
      const store = new PostgresRecordStore({ connectionString: databaseUrl, schema, poolSize: 4 });
      await store.migrate();
      return store;
    };
    return { store: await open(), openAnother: open, teardown: () => dropSchema(schema) };
  });
});
