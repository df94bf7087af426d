import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedConfig } from '../config/types.js';

/** A listening server and how to stop it gracefully. */
export interface ListeningServer {
  server: Server;
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  port: number;
  /** True once {@link ListeningServer.close} has been called. */
  readonly closing: boolean;
  /**
   * Stop accepting connections, let in-flight requests finish (idle keep-alive connections are closed
   * at once, busy ones after their response), and cut whatever is left after `server.shutdownTimeout`.
   */
  close(): Promise<void>;
}

/**
 * Create and start the node:http server with the configured timeouts: `headersTimeout` and
 * `requestTimeout` (slow clients get 408 and are disconnected), `keepAliveTimeout`.
 *
 * @example
 * const listening = await listen(listener, config);
 * process.once('SIGTERM', () => listening.close());
 */
export async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  config: ResolvedConfig,
  hooks: { onClosing?: () => void } = {},
): Promise<ListeningServer> {
  const { server: options } = config;
  const server = createServer(
    {
      headersTimeout: options.headersTimeout,
      requestTimeout: options.requestTimeout,
      keepAliveTimeout: options.keepAliveTimeout,
      // How often node looks for connections past headersTimeout/requestTimeout (default 30 s, too coarse for short limits).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(options.headersTimeout / 2))),
      // Node's default (true) answers 400 to an HTTP/1.1 request without Host; keep it.
      requireHostHeader: true,
    },
    listener,
  );
  let closing = false;
  let inFlight = 0;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      // While shutting down, a connection that just finished its last response is idle: close it now.
      if (closing) server.closeIdleConnections();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    server,
    url: `http://${host}:${address.port}`,
    port: address.port,
    get closing() {
      return closing;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        hooks.onClosing?.();
        const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeout);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        if (inFlight === 0) server.closeAllConnections();
      });
      return closed;
    },
  };
}
