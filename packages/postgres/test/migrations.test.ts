import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openPostgresRecordStore, PostgresRecordStore } from '../src/index.js';
import { databaseUrl, dropSchema, noDatabase, uniqueSchema, withAdmin } from './support.js';

describe.skipIf(noDatabase)('migrate', () => {
  const schemas: string[] = [];
  const schema = () => {
    const name = uniqueSchema('migrate');
    schemas.push(name);
    return name;
  };

  afterEach(async () => {
    for (const name of schemas.splice(0)) await dropSchema(name);
  });

  const tables = (name: string) =>
    withAdmin(async (client) =>
      (await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [name])).rows.map(
        (r) => r.table_name,
      ),
    );

  it('creates the schema and its tables, then has nothing left to do', async () => {
    const name = schema();
    expect(await migrate({ connectionString: databaseUrl, schema: name })).toEqual({ applied: [1], version: 1 });
    expect(await tables(name)).toEqual(['index_outbox', 'pids', 'record_revisions', 'records', 'schema_migrations']);
    expect(await migrate({ connectionString: databaseUrl, schema: name })).toEqual({ applied: [], version: 1 });
  });

  it('applies each migration exactly once when many processes start at the same moment', async () => {
    const name = schema();
    // Eight independent pools are eight sessions, as eight server processes would be.
    const results = await Promise.all(Array.from({ length: 8 }, () => migrate({ connectionString: databaseUrl, schema: name })));
    expect(results.filter((r) => r.applied.length > 0)).toEqual([{ applied: [1], version: 1 }]);
    expect(results.every((r) => r.version === 1)).toBe(true);
    const rows = await withAdmin((client) => client.query(`SELECT version FROM "${name}".schema_migrations`));
    expect(rows.rows).toEqual([{ version: 1 }]);
  });

  it('refuses to run against a schema whose applied migration was changed', async () => {
    const name = schema();
    await migrate({ connectionString: databaseUrl, schema: name });
    await withAdmin((client) => client.query(`UPDATE "${name}".schema_migrations SET checksum = 'edited' WHERE version = 1`));
    await expect(migrate({ connectionString: databaseUrl, schema: name })).rejects.toThrow(/must never change/);
  });

  it('is applied on start by openPostgresRecordStore', async () => {
    const name = schema();
    const store = await openPostgresRecordStore({ connectionString: databaseUrl, schema: name });
    try {
      expect(await store.count()).toBe(0);
      expect(await tables(name)).toContain('records');
    } finally {
      await store.close();
    }
  });

  it('works in a schema created beforehand by someone else', async () => {
    const name = schema();
    await withAdmin((client) => client.query(`CREATE SCHEMA "${name}"`));
    expect((await migrate({ connectionString: databaseUrl, schema: name })).applied).toEqual([1]);
  });

  it('rejects a schema name that is not a plain lower-case identifier before connecting', () => {
    expect(() => new PostgresRecordStore({ connectionString: databaseUrl, schema: 'Robert"; DROP TABLE x; --' })).toThrow(TypeError);
  });
});
