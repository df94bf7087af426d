#!/usr/bin/env node
// Placeholder until the reference-app issue lands: a minimal server so the quick start runs end to end.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  const body = JSON.stringify({ status: 200, message: 'RecordKit reference server placeholder', path: req.url });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(port, host, () => {
  console.log(`recordkit: listening on http://${host}:${port}/`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
