import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { ResolvedConfig } from '../config/types.js';

export type { Logger } from 'pino';

/**
 * The server's structured logger: one JSON object per line on stdout (pino), with `reqId` on every
 * line written while handling a request. Authorization headers and tokens are never logged.
 *
 * @example
 * const log = createLogger(config.logging);
 * log.info({ port }, 'listening');
 */
export function createLogger(options: ResolvedConfig['logging'], destination?: DestinationStream): Logger {
  const settings = {
    level: options.level,
    base: { service: 'recordkit' },
    redact: { paths: ['req.headers.authorization', 'token', '*.token'], censor: '[redacted]' },
  };
  return destination ? pino(settings, destination) : pino(settings);
}

const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * The request id: the client's `X-Request-Id` when it is a short token-like string (so a gateway's id
 * carries through), otherwise a new UUID. Echoed in the response's `X-Request-Id`.
 *
 * @example
 * const id = requestIdOf(req); res.setHeader('X-Request-Id', id);
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
