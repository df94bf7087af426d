// The ceiling: a bare node:http server answering every request with the same ~1 KB JSON body, built
// once. It reads and discards request bodies (so POST and PUT cost what they cost the transport) and
// does nothing else. Started by the bench on the server CPU; prints its address when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A record-shaped JSON document of exactly 1024 bytes, as a GET of a record would return. */
const BODY = recordOfSize(1024);

function recordOfSize(bytes: number): Buffer {
  const record = {
    id: '1',
    created: '2024-05-01T10:00:00.000000+00:00',
    updated: '2024-05-01T10:00:00.000000+00:00',
    revision: 3,
    links: { self: 'http://127.0.0.1:5000/records/1' },
    metadata: {
      control_number: '1',
      title: 'On the measurement of throughput in small record services, with a note on tail latency',
      creators: [
        { name: 'Doe, Jane', affiliation: 'Institute of Measurements' },
        { name: 'Roe, Richard', affiliation: 'Laboratory of Baselines' },
      ],
      description: '',
      keywords: ['benchmark', 'baseline', 'http', 'records'],
      resource_type: 'article',
      access: 'public',
      publication_date: '2024-05-01',
    },
  };
  const pad = bytes - Buffer.byteLength(JSON.stringify(record));
  record.metadata.description = 'A fixed body shaped like a record. '.repeat(Math.ceil(pad / 35)).slice(0, Math.max(0, pad));
  return Buffer.from(JSON.stringify(record));
}

const headers = {
  'content-type': 'application/json',
  'content-length': String(BODY.length),
};

const server = createServer((req, res) => {
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.writeHead(200, headers).end(BODY);
    return;
  }
  req.resume();
  req.once('end', () => res.writeHead(200, headers).end(BODY));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
