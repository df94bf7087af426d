import { SniffingTransport, type TransportOptions } from '@elastic/elasticsearch';

/** Plain JSON media types: OpenSearch refuses Elasticsearch's vendored `compatible-with` ones. */
const PLAIN_JSON = {
  jsonContentType: 'application/json',
  ndjsonContentType: 'application/x-ndjson',
  accept: 'application/json, text/plain',
} as const;

/**
 * A `Transport` for `@elastic/elasticsearch` 9 that talks to OpenSearch 2 and 3.
 *
 * The stock client refuses any server that does not answer with `X-elastic-product: Elasticsearch`
 * (its product check) and sends `application/vnd.elasticsearch+json; compatible-with=9`, which
 * OpenSearch does not accept. This transport turns the product check off and sends plain
 * `application/json` and `application/x-ndjson`. Everything else (connection pool, retries, sniffing)
 * is the client's own.
 *
 * @example
 * ```ts
 * import { Client } from '@elastic/elasticsearch';
 * import { OpenSearchTransport } from '@recordkit/elasticsearch';
 *
 * const client = new Client({ node: 'http://127.0.0.1:9200', Transport: OpenSearchTransport });
 * ```
 */
export class OpenSearchTransport extends SniffingTransport {
  constructor(options: TransportOptions) {
    // `productCheck: undefined` disables the check (the transport treats a missing product as "any").
    super({ ...options, productCheck: undefined, vendoredHeaders: { ...PLAIN_JSON } });
  }
}
