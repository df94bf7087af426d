import type { DestinationStream } from 'pino';
import type { ResolvedConfig, TokenConfig } from './config/types.js';
import { createLogger, type Logger } from './http/logger.js';
import { createRequestListener, type ReadinessCheck, type RouteHandler } from './http/pipeline.js';
import { RequestRateLimiter } from './http/rate-limit.js';
import { type ListeningServer, listen } from './http/server.js';
import { type DevToken, ensureDevToken } from './identity/dev-token.js';
import { TokenRegistry } from './identity/tokens.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  config: ResolvedConfig;
  /**
   * Routes tried in order after the built-in ones (`/health`, `/ready`), or a function that makes them
   * once the server listens and knows its URL (until it resolves, other requests get 503).
   */
  routes?: readonly RouteHandler[] | ((url: string) => Promise<readonly RouteHandler[]>);
  /** Dependency checks for `/ready`. */
  ready?: ReadinessCheck;
  /** Extra tokens (the development token). */
  extraTokens?: readonly TokenConfig[];
  /** Where JSON logs go (default stdout). */
  logDestination?: DestinationStream;
  logger?: Logger;
  /** Called once after the HTTP server has closed (release stores, Redis). */
  onClose?: () => Promise<void>;
}

/** A running reference server. */
export interface RunningServer extends ListeningServer {
  logger: Logger;
}

/**
 * Start the reference server's HTTP side: logger, tokens, rate limiter (memory, or Redis when
 * configured), the request pipeline and node:http with its timeouts. `close()` shuts down gracefully
 * and then releases the Redis connection and whatever `onClose` releases.
 *
 * @example
 * const running = await startServer({ config: resolveConfig({}), routes });
 * console.log(running.url);
 * await running.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logging, options.logDestination);
  const tokens = new TokenRegistry([...config.identity.tokens, ...(options.extraTokens ?? [])]);

  let rateLimiter: RequestRateLimiter | undefined;
  let closeRedis: (() => Promise<void>) | undefined;
  if (config.rateLimit) {
    const { guest, authenticated, redisUrl, keyPrefix } = config.rateLimit;
    if (redisUrl) {
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      redis.on('error', (e: Error) => logger.warn({ err: e }, 'redis: rate-limit counters fall back to memory'));
      // Count in Redis from the first request: wait (briefly) for the connection. If Redis is down, the
      // server still starts and counts in memory until it comes back.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        redis.once('ready', done);
        redis.once('error', done);
      });
      closeRedis = async () => {
        redis.disconnect();
      };
      rateLimiter = new RequestRateLimiter({ guest, authenticated }, { redis, keyPrefix });
    } else {
      rateLimiter = new RequestRateLimiter({ guest, authenticated }, { keyPrefix });
    }
  }

  let listening: ListeningServer | undefined;
  let routes: readonly RouteHandler[] | undefined = typeof options.routes === 'function' ? undefined : (options.routes ?? []);
  const listener = createRequestListener({
    config,
    logger,
    tokens,
    ...(rateLimiter ? { rateLimiter } : {}),
    routes: () => routes,
    ...(options.ready ? { ready: options.ready } : {}),
    isShuttingDown: () => listening?.closing ?? false,
  });
  listening = await listen(listener, config);
  const server = listening;
  if (typeof options.routes === 'function') {
    try {
      routes = await options.routes(server.url);
    } catch (e) {
      await server.close();
      await closeRedis?.();
      throw e;
    }
  }
  logger.info({ url: server.url, endpoints: config.endpoints.map((e) => e.listRoute) }, 'listening');

  let closed: Promise<void> | undefined;
  return {
    server: server.server,
    url: server.url,
    port: server.port,
    logger,
    get closing() {
      return server.closing;
    },
    close() {
      closed ??= (async () => {
        logger.info('shutting down: finishing in-flight requests');
        await server.close();
        await closeRedis?.();
        await options.onClose?.();
        logger.info('stopped');
      })();
      return closed;
    },
  };
}

/**
 * The development token, when the deployment wants one: the embedded default (no `DATABASE_URL`),
 * `identity.devToken` not false, and no token configured. Returns undefined otherwise.
 *
 * @example
 * const dev = devTokenFor(config); if (dev?.created) process.stderr.write(`token: ${dev.token.token}\n`);
 */
export function devTokenFor(config: ResolvedConfig): DevToken | undefined {
  if (!config.identity.devToken || config.identity.tokens.length > 0 || config.storage.databaseUrl) return undefined;
  return ensureDevToken(config.storage.dataDir);
}
