import type { DatabaseSync } from 'node:sqlite';
import { writeTransaction } from './database.js';

/** One versioned schema step. Versions of a component are applied in ascending order, each once. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The record store's schema. Append new steps; never edit a released one (databases in the field have
 * already applied it). Table names carry no prefix the search engine could collide with: the engine
 * keeps its own tables and records its own component in `schema_migrations`.
 */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, revisions, pids, sequences, index outbox',
    sql: `
      CREATE TABLE records (
        id TEXT PRIMARY KEY NOT NULL,
        metadata TEXT NOT NULL,
        revision INTEGER NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE TABLE record_revisions (
        record_id TEXT NOT NULL REFERENCES records(id),
        revision INTEGER NOT NULL,
        metadata TEXT,
        updated TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (record_id, revision)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE pids (
        pid_type TEXT NOT NULL,
        pid_value TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('new', 'reserved', 'registered', 'redirected', 'deleted')),
        record_id TEXT REFERENCES records(id),
        redirect_type TEXT,
        redirect_value TEXT,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (pid_type, pid_value)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX pids_record ON pids(record_id);
      CREATE TABLE sequences (
        name TEXT PRIMARY KEY NOT NULL,
        value INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE index_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL,
        index_name TEXT NOT NULL,
        version INTEGER NOT NULL,
        document TEXT
      ) STRICT;
    `,
  },
];

/**
 * Apply the component's pending migrations in one transaction, recording each in
 * `schema_migrations(component, version)`. A database already migrated past what this code knows is
 * refused: an older library must not write into a newer schema.
 */
export function migrate(db: DatabaseSync, component: string, migrations: readonly Migration[]): number[] {
  return writeTransaction(db, () => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied TEXT NOT NULL,
      PRIMARY KEY (component, version)
    ) STRICT, WITHOUT ROWID`);
    const row = db.prepare('SELECT max(version) AS version FROM schema_migrations WHERE component = ?').get(component) as
      | { version: number | null }
      | undefined;
    const current = row?.version ?? 0;
    const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > known) {
      throw new Error(
        `The database's ${component} schema is at version ${current}, newer than this library knows (${known}); upgrade @recordkit/sqlite.`,
      );
    }
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (component, version, name, applied) VALUES (?, ?, ?, ?)');
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(component, migration.version, migration.name, new Date().toISOString());
      applied.push(migration.version);
    }
    return applied;
  });
}
