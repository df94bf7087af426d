import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { Distribution } from './engine.js';
import { toSearchError } from './errors.js';
import { OpenSearchTransport } from './opensearch-transport.js';

/**
 * Ask a cluster which server it is: Elasticsearch answers every request with
 * `X-elastic-product: Elasticsearch`, OpenSearch does not. Reads `GET /_cluster/health` (which every
 * node has, even one without `GET /`). A cluster that cannot be reached is a 503 (see `toSearchError`).
 *
 * @example
 * ```ts
 * const url = process.env.ELASTICSEARCH_URL!; // Elasticsearch or OpenSearch
 * const search = new ElasticsearchSearchEngine({ node: url, distribution: await detectDistribution(url) });
 * ```
 */
export async function detectDistribution(
  node: string | string[],
  options: Omit<ClientOptions, 'node' | 'nodes' | 'Transport'> = {},
): Promise<Distribution> {
  // The OpenSearch transport has no product check, so it can talk to both and read the header itself.
  const client = new Client({ maxRetries: 1, requestTimeout: 10_000, ...options, node, Transport: OpenSearchTransport });
  try {
    const result = await client.transport.request({ method: 'GET', path: '/_cluster/health' }, { meta: true });
    return result.headers['x-elastic-product'] === 'Elasticsearch' ? 'elasticsearch' : 'opensearch';
  } catch (error) {
    throw toSearchError(error, { operation: 'admin' });
  } finally {
    await client.close();
  }
}
