// Versioned SQL migrations. Each runs once per schema, in its own transaction, recorded in
// `<schema>.schema_migrations` with a checksum; `migrate` holds a PostgreSQL advisory lock for the whole
// run so that several processes starting at once apply each migration exactly once.
// An applied migration is never edited: a change is a new version (see docs/decisions/081).
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/** One schema version: `sql` is run as a whole, with `{schema}` replaced by the quoted schema name. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations this version of the package knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, revisions, pids, outbox',
    sql: `
CREATE TABLE {schema}.records (
  id uuid PRIMARY KEY,
  metadata jsonb NOT NULL,
  revision integer NOT NULL CHECK (revision >= 0),
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);

CREATE TABLE {schema}.record_revisions (
  record_id uuid NOT NULL REFERENCES {schema}.records (id) ON DELETE CASCADE,
  revision integer NOT NULL,
  metadata jsonb,
  updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (record_id, revision)
);

CREATE TABLE {schema}.pids (
  pid_type text NOT NULL,
  pid_value text NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'reserved', 'registered', 'redirected', 'deleted')),
  record_id uuid REFERENCES {schema}.records (id) ON DELETE SET NULL,
  redirect_type text,
  redirect_value text,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  ord bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (pid_type, pid_value),
  FOREIGN KEY (redirect_type, redirect_value) REFERENCES {schema}.pids (pid_type, pid_value),
  CHECK ((status = 'redirected') = (redirect_type IS NOT NULL AND redirect_value IS NOT NULL))
);
CREATE INDEX pids_record_id_idx ON {schema}.pids (record_id, ord) WHERE record_id IS NOT NULL;

CREATE TABLE {schema}.index_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id uuid NOT NULL,
  version integer NOT NULL,
  index_name text NOT NULL,
  document jsonb,
  created timestamptz NOT NULL DEFAULT now()
);
`,
  },
];

/**
 * What a migration run did.
 *
 * @example
 * const { applied, version } = await migrate({ schema: 'catalog' }); // { applied: [1], version: 1 }
 */
export interface MigrateResult {
  /** Versions applied by this call, oldest first (empty when the schema was up to date). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/** Quote an identifier for SQL. Schema names are also checked by {@link checkSchemaName}. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A schema name we accept: a lower-case SQL identifier, so it never needs care when quoted. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`@recordkit/postgres: schema must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(schema)}`);
  }
  return schema;
}

export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/** Advisory-lock key pair: a fixed class for RecordKit, and a hash of the schema name. */
export function migrationLockKey(schema: string): [number, number] {
  return [0x524b, createHash('sha256').update(schema).digest().readInt32BE(0)];
}

/**
 * Apply the missing migrations to `schema` on an already connected client. Takes a session advisory
 * lock first, so a second process waits and then finds nothing left to do.
 */
export async function applyMigrations(
  client: PoolClient,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  const q = quoteIdent(checkSchemaName(schema));
  const [lockClass, lockId] = migrationLockKey(schema);
  await client.query('SELECT pg_advisory_lock($1, $2)', [lockClass, lockId]);
  try {
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // Only create what is missing: a deployment may give the application no CREATE right on the database.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${q}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${q}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await client.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${q}.schema_migrations`);
    const known = new Map(done.rows.map((row) => [row.version, row.checksum]));
    const applied: number[] = [];
    for (const migration of migrations) {
      const sum = checksum(migration);
      const previous = known.get(migration.version);
      if (previous !== undefined) {
        if (previous !== sum) {
          throw new Error(
            `@recordkit/postgres: migration ${migration.version} (${migration.name}) differs from the one applied to schema ${schema}; applied migrations must never change`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql.replaceAll('{schema}', q));
        await client.query(`INSERT INTO ${q}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          sum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(migration.version);
      known.set(migration.version, sum);
    }
    return { applied, version: Math.max(0, ...known.keys()) };
  } finally {
    // A lost connection releases the lock by itself; ignore a failure to unlock on a dead one.
    await client.query('SELECT pg_advisory_unlock($1, $2)', [lockClass, lockId]).catch(() => undefined);
  }
}
