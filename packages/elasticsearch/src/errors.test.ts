import { errors } from '@elastic/elasticsearch';
import { BadRequestError, isRestError, toResponse } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import { engineCauses, toSearchError } from './errors.js';

// Real error classes of the client's transport, carrying the bodies Elasticsearch sends.
const responseError = (statusCode: number, body: unknown) =>
  new errors.ResponseError({ statusCode, body, headers: {}, warnings: null, meta: {} } as unknown as ConstructorParameters<
    typeof errors.ResponseError
  >[0]);

const shardFailure = (type: string, reason: string, causedBy?: object) => ({
  error: {
    root_cause: [{ type, reason }],
    type: 'search_phase_execution_exception',
    reason: 'all shards failed',
    failed_shards: [{ shard: 0, index: 'rk-records-v1', reason: { type, reason, ...(causedBy ? { caused_by: causedBy } : {}) } }],
  },
  status: 400,
});

describe('toSearchError', () => {
  it.each([
    ['connection refused', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200')],
    ['timeout', new errors.TimeoutError('Request timed out')],
    ['no living connection', new errors.NoLivingConnectionsError('There are no living connections', {} as never)],
    ['502 from a proxy', responseError(502, 'Bad Gateway')],
    ['503 cluster block', responseError(503, { error: { type: 'cluster_block_exception', reason: 'blocked' }, status: 503 })],
    [
      '429 rejected execution',
      responseError(429, { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 }),
    ],
    [
      'circuit breaker',
      responseError(500, { error: { type: 'circuit_breaking_exception', reason: '[parent] Data too large' }, status: 500 }),
    ],
  ])('maps %s to 503 with Retry-After and a message that names nothing internal', (_case, error) => {
    const mapped = toSearchError(error, { retryAfterSeconds: 12 });
    expect(mapped.status).toBe(503);
    expect(mapped.headers['Retry-After']).toBe('12');
    expect(mapped.cause).toBe(error);
    expect(JSON.stringify(toResponse(mapped).body)).not.toMatch(/ECONNREFUSED|9200|queue|Data too large|blocked|Gateway/);
  });

  it('defaults Retry-After to 5 seconds', () => {
    expect(toSearchError(new errors.ConnectionError('down')).headers['Retry-After']).toBe('5');
  });

  it.each([
    [
      'query_shard_exception',
      shardFailure('query_shard_exception', 'Failed to parse query [title:]', { type: 'parse_exception', reason: 'Cannot parse' }),
    ],
    [
      'query_parsing_exception',
      { error: { root_cause: [{ type: 'query_parsing_exception', reason: 'x' }], type: 'query_parsing_exception' } },
    ],
  ])('maps %s to 400 "Invalid query syntax." on the q field', (_type, body) => {
    const mapped = toSearchError(responseError(400, body));
    expect(mapped.status).toBe(400);
    expect(mapped.code).toBe('invalid_query_syntax');
    expect(mapped.message).toBe('Invalid query syntax.');
    expect(mapped.errors.map((e) => e.field)).toEqual(['q']);
    expect(JSON.stringify(toResponse(mapped).body)).not.toMatch(/parse|shard|title:/i);
  });

  it('names another field for query syntax errors when asked', () => {
    const mapped = toSearchError(responseError(400, shardFailure('query_shard_exception', 'Failed to parse query')), {
      queryField: 'query',
    });
    expect(mapped.errors.map((e) => e.field)).toEqual(['query']);
  });

  it('maps the result-window error to MaxResultWindowError with the window Elasticsearch reports', () => {
    const reason = 'Result window is too large, from + size must be less than or equal to: [5000] but was [5010].';
    const mapped = toSearchError(responseError(400, shardFailure('illegal_argument_exception', reason)));
    expect(mapped.code).toBe('max_result_window');
    expect(mapped.message).toBe('Maximum number of 5000 results have been reached.');
  });

  it.each([
    ['search', 'search_request_rejected', 'The search engine rejected the search request.'],
    ['write', 'document_rejected', 'The search engine rejected the document.'],
    ['admin', 'index_operation_rejected', 'The search engine rejected the index operation.'],
  ] as const)('maps any other 400 of a %s to a 400 without the engine reason', (operation, code, message) => {
    const body = {
      error: { root_cause: [{ type: 'parsing_exception', reason: 'unknown query [nope]' }], type: 'parsing_exception' },
      status: 400,
    };
    const mapped = toSearchError(responseError(400, body), { operation });
    expect(mapped).toBeInstanceOf(BadRequestError);
    expect([mapped.code, mapped.message]).toEqual([code, message]);
    expect(JSON.stringify(toResponse(mapped).body)).not.toMatch(/nope|parsing/);
  });

  it('does not treat a parse failure of a document write as query syntax', () => {
    const body = {
      error: { type: 'document_parsing_exception', reason: 'failed to parse', caused_by: { type: 'parse_exception', reason: 'x' } },
    };
    expect(toSearchError(responseError(400, body), { operation: 'write' }).code).toBe('document_rejected');
  });

  it('maps a missing index to 404 naming the logical index', () => {
    const body = { error: { type: 'index_not_found_exception', reason: 'no such index [rk-records]', index: 'rk-records' }, status: 404 };
    const mapped = toSearchError(responseError(404, body), { index: 'records' });
    expect([mapped.status, mapped.message]).toEqual([404, 'No such index [records].']);
  });

  it.each([
    [
      '401 security exception',
      responseError(401, { error: { type: 'security_exception', reason: 'unable to authenticate user [elastic]' } }),
    ],
    ['500 engine failure', responseError(500, { error: { type: 'null_pointer_exception', reason: 'boom' } })],
    ['a server that is not Elasticsearch', new errors.ProductNotSupportedError('Elasticsearch', {} as never)],
    ['a programming error', new TypeError('x is undefined')],
  ])('maps %s to a 500 that says nothing', (_case, error) => {
    const mapped = toSearchError(error);
    expect(mapped.status).toBe(500);
    expect(mapped.expose).toBe(false);
    expect(JSON.stringify(toResponse(mapped).body)).not.toMatch(/elastic|boom|undefined|authenticate/i);
  });

  it('passes a RestError through unchanged', () => {
    const original = new BadRequestError('Mine.');
    expect(toSearchError(original)).toBe(original);
    expect(isRestError(toSearchError(original))).toBe(true);
  });
});

describe('engineCauses', () => {
  it('collects the top level, root causes, caused_by chains and shard failures', () => {
    const causes = engineCauses(
      shardFailure('query_shard_exception', 'Failed to parse query [a:]', { type: 'parse_exception', reason: 'p' }),
    );
    expect(causes.map((cause) => cause.type)).toEqual([
      'search_phase_execution_exception',
      'query_shard_exception',
      'query_shard_exception',
      'parse_exception',
    ]);
  });

  it('returns nothing for a body that is not an engine error', () => {
    expect(engineCauses('Bad Gateway')).toEqual([]);
    expect(engineCauses(null)).toEqual([]);
  });
});
