// The HTTP-layer packages alone: node:http + @recordkit/content-negotiation + @recordkit/conditional-requests
// + @recordkit/rest-errors over records kept in a Map. No store, no search, no validation: the gap between
// this server and the bare baseline is what negotiation, preconditions and error rendering cost per
// request; the gap between it and the reference server is everything else. Prints its address when
// listening. RECORDS (default 1000) records are generated at start-up.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evaluatePreconditions, formatHttpDate, revisionETag } from '@recordkit/conditional-requests';
import { ContentNegotiator, requireContentType } from '@recordkit/content-negotiation';
import { InvalidDataError, MethodNotAllowedError, NotFoundError, toResponse } from '@recordkit/rest-errors';

interface StoredRecord {
  id: string;
  revision: number;
  created: Date;
  updated: Date;
  metadata: Record<string, unknown>;
}

type Serializer = (record: StoredRecord, base: string) => string;

const json: Serializer = (record, base) =>
  JSON.stringify({
    id: record.id,
    metadata: record.metadata,
    links: { self: `${base}/records/${record.id}` },
    created: record.created.toISOString(),
    updated: record.updated.toISOString(),
    revision: record.revision,
  });

const negotiator = new ContentNegotiator<Serializer>({
  serializers: { 'application/json': json, 'application/x-ndjson': (record, base) => `${json(record, base)}\n` },
  defaultMediaType: 'application/json',
});

const records = new Map<string, StoredRecord>();
const count = Number(process.env.RECORDS ?? 1000);
const started = new Date('2024-05-01T10:00:00Z');
for (let i = 1; i <= count; i++) {
  records.set(String(i), {
    id: String(i),
    revision: 1,
    created: started,
    updated: started,
    metadata: { control_number: String(i), title: `Record number ${i}`, access: 'public', keywords: ['bench', `k${i % 50}`] },
  });
}
let nextId = count + 1;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseMetadata(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidDataError(`The body is not JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidDataError('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function representation(req: IncomingMessage, record: StoredRecord, base: string) {
  const { mediaType, serializer, headers: vary } = negotiator.negotiate({ method: req.method ?? 'GET', headers: req.headers });
  const headers: Record<string, string> = {
    'Content-Type': mediaType,
    ETag: revisionETag(record.revision, mediaType),
    'Last-Modified': formatHttpDate(record.updated),
    'Cache-Control': 'no-cache',
    ...vary,
  };
  return { headers, body: () => serializer(record, base) };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const base = `http://${req.headers.host ?? '127.0.0.1'}`;
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  if (path === '/records/' || path === '/records') {
    if (req.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    requireContentType(req.headers, ['application/json']);
    const metadata = parseMetadata(await readBody(req));
    const now = new Date();
    const record: StoredRecord = { id: String(nextId++), revision: 1, created: now, updated: now, metadata };
    const { headers, body } = representation(req, record, base);
    records.set(record.id, record);
    res.writeHead(201, { ...headers, Location: `${base}/records/${record.id}` }).end(body());
    return;
  }
  const id = /^\/records\/([^/]+)$/.exec(path)?.[1];
  const record = id === undefined ? undefined : records.get(id);
  if (!record) throw new NotFoundError('The record does not exist.');
  if (req.method === 'GET' || req.method === 'HEAD') {
    const { headers, body } = representation(req, record, base);
    const result = evaluatePreconditions(
      { method: req.method, headers: req.headers },
      { etag: headers.ETag, lastModified: record.updated, headers },
    );
    if (!result.proceed) throw result.error;
    res.writeHead(200, headers).end(body());
    return;
  }
  if (req.method === 'PUT') {
    requireContentType(req.headers, ['application/json']);
    const current = representation(req, record, base);
    const result = evaluatePreconditions(
      { method: 'PUT', headers: req.headers },
      { etag: current.headers.ETag, lastModified: record.updated, headers: current.headers },
    );
    if (!result.proceed) throw result.error;
    record.metadata = parseMetadata(await readBody(req));
    record.revision += 1;
    record.updated = new Date();
    const { headers, body } = representation(req, record, base);
    res.writeHead(200, headers).end(body());
    return;
  }
  throw new MethodNotAllowedError(['GET', 'HEAD', 'PUT']);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    const response = toResponse(error, { accept: req.headers.accept ?? null });
    if (!req.complete) req.resume();
    res.writeHead(response.status, response.headers).end(response.body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
