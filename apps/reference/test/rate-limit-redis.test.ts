// Rate-limit counters in Redis are shared by several server processes: two servers, one budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/app.js';
import { resolveConfig } from '../src/config/define-config.js';
import type { RouteHandler } from '../src/http/pipeline.js';
import { type RedisProcess, redisAvailable, startRedis } from './support/redis.js';

const ok: RouteHandler = async () => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
const quiet = { write: () => undefined };

describe.runIf(redisAvailable())('rate limiting with REDIS_URL', () => {
  let redis: RedisProcess;
  const servers: RunningServer[] = [];

  // Unique per run, so a shared Redis (REDIS_URL) holds no counters of an earlier run.
  const prefix = `rk-test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      const config = resolveConfig(
        {
          server: { port: 0 },
          rateLimit: {
            guest: [{ name: 'minute', limit: 3, windowSeconds: 60 }],
            authenticated: [{ name: 'minute', limit: 5, windowSeconds: 60 }],
            keyPrefix: prefix,
          },
        },
        { redisUrl: redis.url },
      );
      servers.push(await startServer({ config, routes: [ok], logDestination: quiet }));
    }
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    await redis?.stop();
  });

  it('counts requests to either server against one budget', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    expect((await fetch(`${a.url}/x`)).headers.get('x-ratelimit-remaining')).toBe('2');
    expect((await fetch(`${b.url}/x`)).headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await fetch(`${a.url}/x`)).status).toBe(200);
    const refused = await fetch(`${b.url}/x`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it.runIf(!process.env.REDIS_URL)('keeps answering from memory when Redis goes away', async () => {
    await redis.stop();
    const res = await fetch(`${servers[0]!.url}/x`, { headers: { Authorization: 'Bearer none' } });
    // Counting falls back to the in-memory insurance limiter; the request itself is answered (401 here, not 500).
    expect(res.status).toBe(401);
    expect(res.headers.get('ratelimit-policy')).toBe('"minute";q=3;w=60');
  });
});
