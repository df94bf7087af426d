import { describe, expect, it } from 'vitest';
import { RequestRateLimiter } from './rate-limit.js';

describe('RequestRateLimiter', () => {
  const rules = {
    guest: [
      { name: 'minute', limit: 3, windowSeconds: 60 },
      { name: 'hour', limit: 10, windowSeconds: 3600 },
    ],
    authenticated: [{ name: 'minute', limit: 5, windowSeconds: 60 }],
  };

  it('sends the IETF RateLimit fields for every window and X-RateLimit-* for the tightest one', async () => {
    const limiter = new RequestRateLimiter(rules);
    const before = Math.floor(Date.now() / 1000);
    const outcome = await limiter.consume('guest', 'ip:192.0.2.1');
    expect(outcome.allowed).toBe(true);
    expect(outcome.headers['RateLimit-Policy']).toBe('"minute";q=3;w=60, "hour";q=10;w=3600');
    expect(outcome.headers.RateLimit).toMatch(/^"minute";r=2;t=(59|60), "hour";r=9;t=(3599|3600)$/);
    expect(outcome.headers['X-RateLimit-Limit']).toBe('3');
    expect(outcome.headers['X-RateLimit-Remaining']).toBe('2');
    const reset = Number(outcome.headers['X-RateLimit-Reset']);
    expect(reset).toBeGreaterThanOrEqual(before + 59);
    expect(reset).toBeLessThanOrEqual(before + 62);
  });

  it('refuses the request past the limit with a 429 carrying Retry-After and the same headers', async () => {
    const limiter = new RequestRateLimiter(rules);
    for (let i = 0; i < 3; i++) expect((await limiter.consume('guest', 'ip:192.0.2.2')).allowed).toBe(true);
    const refused = await limiter.consume('guest', 'ip:192.0.2.2');
    expect(refused.allowed).toBe(false);
    expect(refused.headers['X-RateLimit-Remaining']).toBe('0');
    expect(refused.error).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(refused.error!.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.error!.headers.RateLimit).toBe(refused.headers.RateLimit);
  });

  it('counts each key and each class separately', async () => {
    const limiter = new RequestRateLimiter(rules);
    for (let i = 0; i < 3; i++) await limiter.consume('guest', 'ip:192.0.2.3');
    expect((await limiter.consume('guest', 'ip:192.0.2.4')).allowed).toBe(true);
    const user = await limiter.consume('authenticated', 'ip:192.0.2.3');
    expect(user.allowed).toBe(true);
    expect(user.headers['RateLimit-Policy']).toBe('"minute";q=5;w=60');
    expect(user.headers['X-RateLimit-Remaining']).toBe('4');
  });
});
