// Raw HTTP for the reliability suites: node:http sends the path, headers and body bytes exactly as
// given (fetch would normalise `..`, re-encode the path and refuse some header values), so malformed
// requests reach the server as a hostile client would send them.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { DatabaseSync } from 'node:sqlite';

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Declare the body's Content-Length but send only the headers, and wait for the answer. For bodies
   * the server must refuse by their declared size (413): had the bytes been sent, the server closing
   * the connection with them unread would reset it, and the reset may overtake the answer.
   */
  declareOnly?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Send one request on a fresh connection and read the whole answer. */
export function send(base: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string> = { Connection: 'close', ...req.headers };
    if (body !== undefined) headers['Content-Length'] = String(body.length);
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    if (req.declareOnly) r.flushHeaders();
    else r.end(body);
  });
}

/**
 * A digest of every table of the embedded store (records, revisions, PIDs, sequences, outbox and the
 * search index tables) except those named in `exclude`: rows are serialised and sorted, so the digest
 * changes if and only if a row does. `tables` holds one digest per table, to tell which one changed.
 */
export function storeDigest(
  file: string,
  exclude: readonly string[] = [],
): { digest: string; rows: Record<string, number>; tables: Record<string, string> } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((t) => String(t.name));
    const hash = createHash('sha256');
    const rows: Record<string, number> = {};
    const digests: Record<string, string> = {};
    for (const table of tables) {
      if (exclude.includes(table)) continue;
      const serialised = db
        .prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`)
        .all()
        .map((row) =>
          JSON.stringify(row, (_key, value: unknown) =>
            typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
          ),
        )
        .sort();
      rows[table] = serialised.length;
      const text = `${table}\n${serialised.join('\n')}\n`;
      digests[table] = createHash('sha256').update(text).digest('hex');
      hash.update(text);
    }
    return { digest: hash.digest('hex'), rows, tables: digests };
  } finally {
    db.close();
  }
}
