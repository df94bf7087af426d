import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RestError, statusTitle, toResponse } from '@recordkit/rest-errors';
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
      // An HTTP/1.1 request without Host is still a 400 (RFC 9112 §3.2), answered below with a JSON body:
      // Node's own check (requireHostHeader) answers with a bare status line.
      requireHostHeader: false,
    },
    (req, res) => {
      if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
        answerMissingHost(res, config);
        return;
      }
      listener(req, res);
    },
  );
  // The response in progress on each connection: a parser error after its head went out cannot be answered.
  const responses = new WeakMap<Socket, ServerResponse>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, responses.get(socket), config),
  );
  let closing = false;
  let inFlight = 0;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
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

/** The JSON error of a request refused before the application sees it, with `nosniff` and `Connection: close`. */
function clientErrorResponse(status: number, message: string, config: ResolvedConfig): { headers: Record<string, string>; body: Buffer } {
  const response = toResponse(new RestError(message, { status }), { format: config.errors.format });
  const body = Buffer.from(response.body ?? '', 'utf8');
  const headers = {
    ...response.headers,
    'Content-Length': String(body.length),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    Connection: 'close',
  };
  return { headers, body };
}

function answerMissingHost(res: ServerResponse, config: ResolvedConfig): void {
  const { headers, body } = clientErrorResponse(400, 'An HTTP/1.1 request needs a Host header (RFC 9112 §3.2).', config);
  res.shouldKeepAlive = false;
  res.writeHead(400, headers);
  res.end(body);
}

/** Node's parser errors (llhttp) and their answers; anything else it cannot parse is a 400. */
const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large (at most 16 KiB in all).' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  ERR_HTTP_REQUEST_HEADERS_TIMEOUT: { status: 408, message: 'The request headers were not received in time.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'The chunk extensions of the request body are too large.' },
};

/**
 * Answer a request Node's HTTP parser refused before the application saw it (malformed request line or
 * headers, oversized headers, timeouts) with the same JSON error as every other refusal: `nosniff`,
 * `Connection: close`, the configured error format. Node's own answer is a bare status line. Written to
 * the socket (there is no response object); nothing is written once the socket has sent anything, as
 * Node itself does. The message names the problem (llhttp's reason) but never the parser's internals.
 */
function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  current: ServerResponse | undefined,
  config: ResolvedConfig,
): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (error.code === 'ECONNRESET' || !socket.writable || (current?.headersSent && !current.writableFinished)) {
    socket.destroy();
    return;
  }
  const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
  const reason = (error as { reason?: unknown }).reason;
  const detail = typeof reason === 'string' ? reason.replace(/[^A-Za-z0-9 ,.'-]/g, '').slice(0, 100) : '';
  const { status, message } = known ?? {
    status: 400,
    message: `Malformed HTTP request${detail ? `: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}` : ''}.`,
  };
  const { headers, body } = clientErrorResponse(status, message, config);
  const head = `HTTP/1.1 ${status} ${statusTitle(status)}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  // Read and drop what the client is still sending (the rest of an oversized header block): closing
  // with unread bytes would reset the connection, and the reset can overtake the answer. The client
  // closes after the answer (Connection: close); one that does not is cut after a few seconds.
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** Connections already answered by {@link answerClientError} (the parser may report more than once). */
const answered = new WeakSet<Socket>();
