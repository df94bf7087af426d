// The tables of one search index. Table names come from the index's ordinal number in the registry,
// never from its name, so no index name or field name is ever part of SQL text.
//
//   search_<n>_doc     one row per document: _id, external version, _source (JSON text)
//   search_<n>_tomb    versions of deleted documents, so a stale write cannot resurrect them
//   search_<n>_fts     FTS5 (contentless, deletable): one column per root text field
//   search_<n>_val     (entity, field, value) for keyword/number/date/boolean values and text presence
//   search_<n>_sort    per document, min and max of every root sortable field (narrow, for ORDER BY)
//   search_<n>_nested  nested objects: (document, parent object, path)
//   search_<n>_nval / search_<n>_nfts   values and texts of nested objects
//   search_<n>_comp    completion inputs: analyzed key, weight, contexts

import type { Migration } from '../store/migrations.js';
import { FTS_TOKENIZER } from './analysis.js';
import type { IndexSchema } from './mapping.js';
import { ident, type Sql } from './sql.js';

/**
 * The engine's schema steps (component `search` in the store's `schema_migrations`). Append new steps;
 * never edit a released one. Per-index tables are created by `createIndex`, not here.
 */
export const SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'search index registry',
    sql: `
      CREATE TABLE search_indexes (
        name TEXT PRIMARY KEY NOT NULL,
        ordinal INTEGER NOT NULL UNIQUE,
        mapping TEXT NOT NULL,
        created TEXT NOT NULL
      ) STRICT;
    `,
  },
];

/** The identifiers of one index's tables. */
export interface IndexTables {
  doc: Sql;
  tomb: Sql;
  fts: Sql | undefined;
  vocab: Sql | undefined;
  val: Sql;
  sort: Sql;
  nested: Sql;
  nval: Sql;
  nfts: Sql | undefined;
  nvocab: Sql | undefined;
  comp: Sql;
}

/** Table identifiers for the index with this ordinal. */
export function indexTables(ordinal: number, schema: IndexSchema): IndexTables {
  if (!Number.isSafeInteger(ordinal) || ordinal < 1) throw new Error(`Bad index ordinal ${ordinal}`);
  const t = (suffix: string) => ident(`search_${ordinal}_${suffix}`);
  return {
    doc: t('doc'),
    tomb: t('tomb'),
    fts: schema.rootTextColumns > 0 ? t('fts') : undefined,
    vocab: schema.rootTextColumns > 0 ? t('vocab') : undefined,
    val: t('val'),
    sort: t('sort'),
    nested: t('nested'),
    nval: t('nval'),
    nfts: schema.nestedTextColumns > 0 ? t('nfts') : undefined,
    nvocab: schema.nestedTextColumns > 0 ? t('nvocab') : undefined,
    comp: t('comp'),
  };
}

function columns(count: number): string {
  return Array.from({ length: count }, (_, i) => `c${i}`).join(', ');
}

/** DDL that creates the tables of an index. */
export function createIndexDdl(tables: IndexTables, schema: IndexSchema): string {
  const sortColumns = Array.from({ length: schema.sortSlots }, (_, i) => `, lo${i}, hi${i}`).join('');
  const statements = [
    `CREATE TABLE ${tables.doc.text} (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL, source TEXT NOT NULL)`,
    `CREATE TABLE ${tables.tomb.text} (id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE ${tables.val.text} (eid INTEGER NOT NULL, field INTEGER NOT NULL, value NOT NULL, PRIMARY KEY (eid, field, value)) WITHOUT ROWID`,
    `CREATE INDEX ${tables.val.text}_fv ON ${tables.val.text} (field, value)`,
    `CREATE TABLE ${tables.sort.text} (rid INTEGER PRIMARY KEY${sortColumns})`,
    `CREATE TABLE ${tables.nested.text} (rid INTEGER PRIMARY KEY, doc INTEGER NOT NULL, parent INTEGER, path INTEGER NOT NULL)`,
    `CREATE INDEX ${tables.nested.text}_doc ON ${tables.nested.text} (doc, path)`,
    `CREATE INDEX ${tables.nested.text}_parent ON ${tables.nested.text} (parent)`,
    `CREATE TABLE ${tables.nval.text} (eid INTEGER NOT NULL, field INTEGER NOT NULL, value NOT NULL, PRIMARY KEY (eid, field, value)) WITHOUT ROWID`,
    `CREATE INDEX ${tables.nval.text}_fv ON ${tables.nval.text} (field, value)`,
    `CREATE TABLE ${tables.comp.text} (field INTEGER NOT NULL, key TEXT NOT NULL, rid INTEGER NOT NULL, input TEXT NOT NULL, weight INTEGER NOT NULL, contexts TEXT)`,
    `CREATE INDEX ${tables.comp.text}_key ON ${tables.comp.text} (field, key)`,
    `CREATE INDEX ${tables.comp.text}_rid ON ${tables.comp.text} (rid)`,
  ];
  if (tables.fts) {
    statements.push(
      `CREATE VIRTUAL TABLE ${tables.fts.text} USING fts5(${columns(schema.rootTextColumns)}, tokenize='${FTS_TOKENIZER}', content='', contentless_delete=1)`,
      `CREATE VIRTUAL TABLE ${tables.vocab!.text} USING fts5vocab(${tables.fts.text}, 'col')`,
    );
  }
  if (tables.nfts) {
    statements.push(
      `CREATE VIRTUAL TABLE ${tables.nfts.text} USING fts5(${columns(schema.nestedTextColumns)}, tokenize='${FTS_TOKENIZER}', content='', contentless_delete=1)`,
      `CREATE VIRTUAL TABLE ${tables.nvocab!.text} USING fts5vocab(${tables.nfts.text}, 'col')`,
    );
  }
  return `${statements.join(';\n')};`;
}

/** DDL that drops the tables of an index. */
export function dropIndexDdl(tables: IndexTables): string {
  const names = [
    tables.vocab,
    tables.nvocab,
    tables.fts,
    tables.nfts,
    tables.doc,
    tables.tomb,
    tables.val,
    tables.sort,
    tables.nested,
    tables.nval,
    tables.comp,
  ];
  return names
    .filter((n): n is Sql => n !== undefined)
    .map((n) => `DROP TABLE IF EXISTS ${n.text};`)
    .join('\n');
}
