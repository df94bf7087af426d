import { RateLimitedError } from '@recordkit/rest-errors';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitRule } from '../config/types.js';

/** Which limits apply: per client address for guests, per user once authenticated. */
export type RateLimitClass = 'guest' | 'authenticated';

/** The outcome of counting one request: headers to send, and whether the request may go on. */
export interface RateLimitOutcome {
  allowed: boolean;
  /** `RateLimit-Policy`, `RateLimit`, `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`. */
  headers: Record<string, string>;
  /** When not allowed: the 429 error (with `Retry-After`). */
  error?: RateLimitedError;
}

interface Policy {
  rule: RateLimitRule;
  limiter: RateLimiterAbstract;
}

/**
 * Counts requests against several windows at once (Invenio's `"60 per minute;1000 per hour"`) with
 * rate-limiter-flexible, in memory or in Redis. Every response carries the IETF `RateLimit-Policy` and
 * `RateLimit` fields (one member per window) and the de-facto `X-RateLimit-*` headers of the most
 * restrictive window, which is what Invenio (Flask-Limiter) sends and exposes through CORS.
 *
 * When Redis is unreachable, counting falls back to memory (rate-limiter-flexible's insurance
 * limiter) so an outage of the counter store never takes the API down.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/ RateLimit header fields for HTTP (draft 10)
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 RFC 6585 §4 429 Too Many Requests
 * @example
 * const limiter = new RequestRateLimiter({ guest: [{ name: 'minute', limit: 60, windowSeconds: 60 }], authenticated: [...] });
 * const outcome = await limiter.consume('guest', '203.0.113.7');
 * if (!outcome.allowed) throw outcome.error;
 */
export class RequestRateLimiter {
  readonly #policies: Record<RateLimitClass, Policy[]>;
  readonly #policyHeader: Record<RateLimitClass, string>;

  constructor(rules: Record<RateLimitClass, readonly RateLimitRule[]>, options: { redis?: Redis; keyPrefix?: string } = {}) {
    const prefix = options.keyPrefix ?? 'recordkit-rl';
    const make = (kind: RateLimitClass, rule: RateLimitRule): RateLimiterAbstract => {
      const base = { points: rule.limit, duration: rule.windowSeconds, keyPrefix: `${prefix}:${kind}:${rule.name}` };
      if (!options.redis) return new RateLimiterMemory(base);
      return new RateLimiterRedis({
        ...base,
        storeClient: options.redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(base),
      });
    };
    this.#policies = {
      guest: rules.guest.map((rule) => ({ rule, limiter: make('guest', rule) })),
      authenticated: rules.authenticated.map((rule) => ({ rule, limiter: make('authenticated', rule) })),
    };
    this.#policyHeader = {
      guest: rules.guest.map((r) => `"${r.name}";q=${r.limit};w=${r.windowSeconds}`).join(', '),
      authenticated: rules.authenticated.map((r) => `"${r.name}";q=${r.limit};w=${r.windowSeconds}`).join(', '),
    };
  }

  /** Count one request of `key` (a client address or a user id) against every window of its class. */
  async consume(kind: RateLimitClass, key: string): Promise<RateLimitOutcome> {
    const policies = this.#policies[kind];
    const results = await Promise.all(
      policies.map(async ({ rule, limiter }) => {
        try {
          return { rule, res: await limiter.consume(key), exceeded: false };
        } catch (rejection) {
          if (rejection instanceof RateLimiterRes) return { rule, res: rejection, exceeded: true };
          throw rejection;
        }
      }),
    );
    const now = Date.now();
    const view = results.map(({ rule, res, exceeded }) => ({
      rule,
      exceeded,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
    }));
    // The window that runs out first decides the X-RateLimit-* headers: least remaining, then soonest reset.
    const tightest = [...view].sort((a, b) => a.remaining - b.remaining || a.resetSeconds - b.resetSeconds)[0]!;
    const headers: Record<string, string> = {
      'RateLimit-Policy': this.#policyHeader[kind],
      RateLimit: view.map((v) => `"${v.rule.name}";r=${v.remaining};t=${v.resetSeconds}`).join(', '),
      'X-RateLimit-Limit': String(tightest.rule.limit),
      'X-RateLimit-Remaining': String(tightest.remaining),
      'X-RateLimit-Reset': String(Math.ceil(now / 1000) + tightest.resetSeconds),
    };
    const exceeded = view.filter((v) => v.exceeded);
    if (exceeded.length === 0) return { allowed: true, headers };
    const retryAfter = Math.max(1, ...exceeded.map((v) => v.resetSeconds));
    return { allowed: false, headers, error: new RateLimitedError(retryAfter, { headers }) };
  }
}
