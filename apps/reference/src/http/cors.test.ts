import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import { afterEach, describe, expect, it } from 'vitest';
import { corsApplier, EXPOSED_HEADERS } from './cors.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Status and raw header lines (name and value, in order) of one request, without Date. */
function rawHeaders(port: number, method: string, headers: Record<string, string>): Promise<[number, string[]]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/x', headers, agent: false }, (res) => {
      res.resume();
      const lines: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        if (res.rawHeaders[i] !== 'Date') lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      }
      res.on('end', () => resolve([res.statusCode ?? 0, lines]));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('corsApplier', () => {
  // The same options createCors gives the cors package.
  const packageOptions = (credentials: boolean) => ({
    origin: '*',
    credentials,
    maxAge: 600,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: EXPOSED_HEADERS,
    preflightContinue: true,
  });

  it.each([false, true])(
    'sets exactly the headers of the cors package, in its order, with origins "*" (credentials %s)',
    async (credentials) => {
      const apply = corsApplier({ origins: '*', credentials, maxAge: 600 });
      const ours = await serve(async (req, res) => {
        if (await apply(req, res)) return;
        res.end('ok');
      });
      const middleware = cors(packageOptions(credentials));
      const theirs = await serve((req, res) => {
        middleware(req, res, () => {
          const preflight = req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'];
          if (preflight) {
            res.statusCode = 204;
            res.setHeader('Content-Length', '0');
            res.end();
            return;
          }
          res.end('ok');
        });
      });
      const cases: [string, Record<string, string>][] = [
        ['GET', {}],
        ['GET', { Origin: 'https://app.example' }],
        ['POST', { Origin: 'https://app.example' }],
        ['DELETE', {}],
        ['OPTIONS', {}],
        [
          'OPTIONS',
          { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'if-match' },
        ],
      ];
      for (const [method, headers] of cases) {
        const [status, lines] = await rawHeaders(ours, method, headers);
        expect([status, lines], `${method} ${JSON.stringify(headers)}`).toEqual(await rawHeaders(theirs, method, headers));
      }
      const [, lines] = await rawHeaders(ours, 'GET', {});
      expect(lines).toContain('Access-Control-Allow-Origin: *');
      expect(lines.includes('Access-Control-Allow-Credentials: true')).toBe(credentials);
    },
  );

  it('answers a preflight (true) through the package, and never touches a response when CORS is off', async () => {
    const apply = corsApplier({ origins: '*', credentials: false, maxAge: 600 });
    const off = corsApplier(false);
    const port = await serve(async (req, res) => {
      if (req.headers['x-off']) {
        expect(off(req, res)).toBe(false);
        res.end();
        return;
      }
      if (!(await apply(req, res))) res.end('route');
    });
    const [status, lines] = await rawHeaders(port, 'OPTIONS', { Origin: 'https://a.example', 'Access-Control-Request-Method': 'GET' });
    expect(status).toBe(204);
    expect(lines).toContain('Access-Control-Allow-Methods: GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS');
    const [, offLines] = await rawHeaders(port, 'GET', { 'x-off': '1', Origin: 'https://a.example' });
    expect(offLines.some((l) => l.startsWith('Access-Control'))).toBe(false);
  });
});
