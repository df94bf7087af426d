// The import ceiling: the same demo records, generated the same way, written as JSON text into one
// node:sqlite table (WAL, synchronous=FULL like the store's default, 1000 rows per transaction), with no
// PIDs, validation, revisions or search index. Prints one JSON line with the figures.
// Usage: node src/workers/sqlite-baseline.ts <count> <file>
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { generateDemoRecords } from '@recordkit/reference';

const count = Number(process.argv[2] ?? 100_000);
const file = process.argv[3];
if (!Number.isInteger(count) || count < 1 || !file) throw new Error('usage: sqlite-baseline.ts <count> <file>');
for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

const started = performance.now();
const db = new DatabaseSync(file);
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('CREATE TABLE records (id INTEGER PRIMARY KEY, json TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO records (id, json) VALUES (?, ?)');
let id = 0;
db.exec('BEGIN');
for (const record of generateDemoRecords({ count })) {
  insert.run(++id, JSON.stringify(record));
  if (id % 1000 === 0) {
    db.exec('COMMIT');
    db.exec('BEGIN');
  }
}
db.exec('COMMIT');
db.close();
const elapsedMs = performance.now() - started;
console.log(JSON.stringify({ count, elapsedMs, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
