import type { Identity } from '../permissions.js';

/** Request headers: a Fetch `Headers`, or a plain object such as `node:http`'s `req.headers`. */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** A request body, read only once the route, the negotiation and the Content-Type have been accepted. */
export type RequestBody = string | Uint8Array | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array> | null | undefined;

/** A framework-independent request, as the adapters build it. */
export interface ResourceRequest {
  method: string;
  /** The request target: a path with its query (`/records/1?prettyprint=1`) or an absolute URL. */
  url: string;
  headers: RequestHeaders;
  body?: RequestBody;
  /** Who is asking (from your authentication layer); undefined is anonymous. */
  identity?: Identity | null;
}

/** A framework-independent response. `body` may be a string or a stream of chunks (exports). */
export interface ResourceResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | AsyncIterable<string | Uint8Array>;
}
