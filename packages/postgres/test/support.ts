// Shared by the PostgreSQL integration suites: where the server is, a schema of their own per suite,
// and the loud skip (or failure, under RECORDKIT_REQUIRE_SERVICES=1) when there is no server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresRecordStore, type PostgresRecordStoreOptions } from '../src/index.js';

/** The real PostgreSQL the suites run against (scripts/services/postgres.sh prints it). */
export const databaseUrl = process.env.DATABASE_URL || undefined;

/** True when there is no PostgreSQL: the suites skip, loudly. */
export const noDatabase = databaseUrl === undefined;

if (noDatabase) {
  if (process.env.RECORDKIT_REQUIRE_SERVICES === '1') {
    throw new Error(
      'PostgreSQL is required (RECORDKIT_REQUIRE_SERVICES=1) but DATABASE_URL is not set: run `bash scripts/services/postgres.sh up` and export the URL it prints.',
    );
  }
  console.warn(
    '\n!!! @recordkit/postgres: PostgreSQL suites SKIPPED: DATABASE_URL is not set. Start the service with `bash scripts/services/postgres.sh up` and export the DATABASE_URL it prints.\n',
  );
}

/** A fresh schema name, unique per call, so suites and tests never see each other's rows. */
export function uniqueSchema(label: string): string {
  return `rk_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A short-lived admin connection for setting up and inspecting what the store cannot show. */
export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A store on its own fresh schema, migrated, with a quiet background-error hook unless one is given. */
export async function freshStore(
  label: string,
  options: PostgresRecordStoreOptions = {},
): Promise<{ store: PostgresRecordStore; schema: string; open: (more?: PostgresRecordStoreOptions) => Promise<PostgresRecordStore> }> {
  const schema = options.schema ?? uniqueSchema(label);
  const open = async (more: PostgresRecordStoreOptions = {}) => {
    const store = new PostgresRecordStore({ connectionString: databaseUrl, onBackgroundError: () => {}, ...options, schema, ...more });
    await store.migrate();
    return store;
  };
  return { store: await open(), schema, open };
}
