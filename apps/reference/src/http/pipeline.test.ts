import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/define-config.js';
import { TokenRegistry } from '../identity/tokens.js';
import { createLogger } from './logger.js';
import { createRequestListener, type RouteHandler } from './pipeline.js';
import { type ListeningServer, listen } from './server.js';

let running: ListeningServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(level: 'info' | 'warn', routes: RouteHandler[]): Promise<{ url: string; lines: () => Record<string, unknown>[] }> {
  const written: string[] = [];
  const config = resolveConfig({ server: { port: 0 }, rateLimit: false, logging: { level } });
  const logger = createLogger(config.logging, { write: (line: string) => written.push(line) });
  running = await listen(createRequestListener({ config, logger, tokens: new TokenRegistry([]), routes }), config);
  return { url: running.url, lines: () => written.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const json = (body: unknown) => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('createRequestListener: logs and the abort signal', () => {
  it('writes the request line at info, with the request id and client address', async () => {
    const { url, lines } = await start('info', [async () => json({ ok: true })]);
    await (await fetch(`${url}/a`, { headers: { 'X-Request-Id': 'info-1' } })).text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines().find((l) => l.reqId === 'info-1')).toMatchObject({ msg: 'request', status: 200, url: '/a', ip: '127.0.0.1' });
  });

  it('above info, writes no line for a 200 but still the request line and the failure of a 500, with the request id', async () => {
    const { url, lines } = await start('warn', [
      async (ctx) => {
        if (ctx.url.pathname === '/crash') throw new Error('internal detail');
        return json({ ok: true });
      },
    ]);
    await (await fetch(`${url}/ok`, { headers: { 'X-Request-Id': 'warn-ok' } })).text();
    const crash = await fetch(`${url}/crash`, { headers: { 'X-Request-Id': 'warn-500' } });
    expect(crash.status).toBe(500);
    expect(await crash.text()).not.toContain('internal detail');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines().filter((l) => l.reqId === 'warn-ok')).toEqual([]);
    const failed = lines().filter((l) => l.reqId === 'warn-500');
    expect(failed.map((l) => l.msg).sort()).toEqual(['request', 'request failed']);
    expect(failed.find((l) => l.msg === 'request')).toMatchObject({ status: 500, ip: '127.0.0.1' });
  });

  it('aborts the signal of a route whose client went away, also when the route asks for it late', async () => {
    let early: AbortSignal | undefined;
    let late: AbortSignal | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const arrived = new Map<string, () => void>();
    const arrival = (path: string) =>
      new Promise<void>((resolve) => {
        arrived.set(path, resolve);
      });
    const { url } = await start('warn', [
      async (ctx) => {
        if (ctx.url.pathname === '/early') early = ctx.signal;
        arrived.get(ctx.url.pathname)?.();
        await gate;
        if (ctx.url.pathname === '/late') late = ctx.signal;
        return json({ done: true });
      },
    ]);
    const { port } = new URL(url);
    for (const path of ['/early', '/late']) {
      const here = arrival(path);
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      await here;
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(early?.aborted).toBe(true);
    expect(late?.aborted).toBe(true);
  });
});

describe('createRequestListener: the request URL', () => {
  /** Send a raw request line (targets fetch would normalise) and read the body. */
  function raw(port: number, target: string, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(data.slice(data.indexOf('\r\n\r\n') + 4)));
      socket.on('error', reject);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
  }

  it('is what new URL(target, origin of the Host) gives, for plain, dotted, encoded, query and // targets', async () => {
    const { url } = await start('warn', [async (ctx) => json({ href: ctx.url.href, base: ctx.baseUrl })]);
    const port = Number(new URL(url).port);
    const targets = ['/records/1', '/', '/a/../b?x=1&y=%20', '/%2e%2e/x', '/a/./b/', '//evil.example/path', '/r?q=a/b#frag', '/caf%C3%A9'];
    for (const host of [`127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      for (const target of targets) {
        const body = JSON.parse(await raw(port, target, host)) as { href: string; base: string };
        expect(body, `${host} ${target}`).toEqual({ href: new URL(target, new URL(`http://${host}`).origin).href, base: `http://${host}` });
      }
    }
  });
});
