import type { RecordsService, ResolvedEndpoint as ServiceEndpoint } from '@recordkit/records-service';
import type { JsonObject, ResolvedConfig, ResolvedEndpoint } from '../config/types.js';

type Json = JsonObject;

const ref = (name: string, kind = 'schemas'): Json => ({ $ref: `#/components/${kind}/${name}` });

/** Statuses every route may answer, besides its own. */
const COMMON_ERRORS = ['400', '401', '406', '429', '500', '503'];

const ERROR_TEXT: Record<string, string> = {
  '301': 'The PID was redirected: follow `Location`.',
  '304': 'Not modified (If-None-Match or If-Modified-Since matched).',
  '400': 'Bad request: invalid JSON, parameters, query syntax or metadata (each field error names the field).',
  '401': 'Authentication required or invalid Bearer token.',
  '403': 'The authenticated user may not do this.',
  '404': 'No such PID (or not registered), or no such route.',
  '405': 'Method not allowed (see `Allow`).',
  '406': 'None of the acceptable media types (Accept or ?format=) is offered; the body lists the available ones.',
  '409': 'Conflict: the PID already exists.',
  '410': 'The PID was deleted (tombstone).',
  '412': 'Precondition failed: If-Match does not match the current ETag (someone else wrote first).',
  '413': 'The request body is larger than the limit.',
  '415': 'Unsupported Content-Type (or Content-Encoding); the expected types are listed.',
  '428': 'This deployment requires If-Match on writes.',
  '429': 'Rate limit exceeded: retry after `Retry-After` seconds.',
  '500': 'Internal error (the details are only in the server log).',
  '503': 'A dependency (store or search engine) is unavailable, or the server is starting or stopping.',
};

/**
 * The OpenAPI 3.1 document of the reference server, generated from its configuration: every route of
 * every endpoint with its parameters (facets, sort options and suggesters included), media types,
 * headers (ETag, Link, Location, RateLimit, ...), error responses in both the Invenio and the RFC 9457
 * shape, the Bearer security scheme, and the endpoint's JSON Schema as the record metadata schema.
 *
 * @see https://spec.openapis.org/oas/v3.1.0 OpenAPI Specification 3.1.0
 * @example
 * const document = openapiDocument(config, service);
 * JSON.stringify(document); // served at /openapi.json
 */
export function openapiDocument(config: ResolvedConfig, service: RecordsService): Json {
  const paths: Json = {};
  const schemas: Json = {
    FieldError: {
      type: 'object',
      required: ['field', 'message'],
      properties: { field: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
    },
    Error: {
      type: 'object',
      description: "Invenio's error body.",
      required: ['status', 'message'],
      properties: { status: { type: 'integer' }, message: { type: 'string' }, errors: { type: 'array', items: ref('FieldError') } },
      additionalProperties: true,
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (with `Accept: application/problem+json`, or always when configured).',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string', format: 'uri-reference' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        code: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { detail: { type: 'string' }, pointer: { type: 'string' }, field: { type: 'string' }, code: { type: 'string' } },
          },
        },
      },
      additionalProperties: true,
    },
    JsonPatch: {
      type: 'array',
      description: 'RFC 6902 JSON Patch.',
      items: {
        type: 'object',
        required: ['op', 'path'],
        properties: {
          op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
          path: { type: 'string' },
          from: { type: 'string' },
          value: {},
        },
      },
    },
    MergePatch: { type: 'object', description: 'RFC 7396 JSON Merge Patch: members to set, null to remove.' },
    Health: {
      type: 'object',
      properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } },
    },
  };
  const responses: Json = {};
  for (const [status, description] of Object.entries(ERROR_TEXT)) {
    if (status === '301' || status === '304') continue;
    const headers: Json = { 'X-Request-Id': ref('X-Request-Id', 'headers') };
    if (status === '401') headers['WWW-Authenticate'] = { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string' } };
    if (status === '405') headers.Allow = ref('Allow', 'headers');
    if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After', 'headers');
    if (status === '429') Object.assign(headers, rateLimitHeaders());
    responses[`Error${status}`] = {
      description,
      headers,
      content: { 'application/json': { schema: ref('Error') }, 'application/problem+json': { schema: ref('Problem') } },
    };
  }

  for (const endpoint of config.endpoints) {
    const resolved = service.endpoint(endpoint.name);
    const name = pascal(endpoint.name);
    schemas[`${name}Metadata`] = metadataSchema(endpoint);
    schemas[`${name}Record`] = {
      type: 'object',
      description: "Invenio's JSON v1 record, plus `revision`.",
      required: ['id', 'metadata', 'links', 'created', 'updated'],
      properties: {
        id: { type: 'string', description: `The ${endpoint.pidType} PID value.` },
        metadata: ref(`${name}Metadata`),
        links: { type: 'object', properties: { self: { type: 'string', format: 'uri' } }, additionalProperties: { type: 'string' } },
        created: { type: 'string', format: 'date-time' },
        updated: { type: 'string', format: 'date-time' },
        revision: { type: 'integer', minimum: 0 },
      },
    };
    schemas[`${name}SearchResult`] = {
      type: 'object',
      required: ['hits', 'links', 'aggregations'],
      properties: {
        hits: {
          type: 'object',
          required: ['hits', 'total'],
          properties: { hits: { type: 'array', items: ref(`${name}Record`) }, total: { type: 'integer', minimum: 0 } },
        },
        links: {
          type: 'object',
          properties: {
            self: { type: 'string', format: 'uri' },
            prev: { type: 'string', format: 'uri' },
            next: { type: 'string', format: 'uri' },
          },
        },
        aggregations: { type: 'object', additionalProperties: { type: 'object' } },
      },
    };
    Object.assign(paths, endpointPaths(endpoint, resolved, name));
  }

  paths['/health'] = {
    get: {
      tags: ['operations'],
      summary: 'Liveness: the process answers.',
      operationId: 'health',
      responses: { '200': { description: 'Alive.', content: { 'application/json': { schema: ref('Health') } } } },
    },
  };
  paths['/ready'] = {
    get: {
      tags: ['operations'],
      summary: 'Readiness: the store and the search engine answer.',
      operationId: 'ready',
      responses: {
        '200': { description: 'Ready.', content: { 'application/json': { schema: ref('Health') } } },
        '503': ref('Error503', 'responses'),
      },
    },
  };
  paths['/openapi.json'] = {
    get: {
      tags: ['operations'],
      summary: 'This document.',
      operationId: 'openapi',
      responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };

  return {
    openapi: '3.1.0',
    info: { title: config.openapi.title, version: config.openapi.version, description: config.openapi.description },
    servers: [{ url: service.baseUrl }],
    tags: [
      ...config.endpoints.map((e) => ({ name: e.name, description: `Records of the ${e.pidType} endpoint at ${e.listRoute}.` })),
      { name: 'operations', description: 'Health, readiness and this document.' },
    ],
    paths,
    components: {
      schemas,
      responses,
      parameters: commonParameters(),
      headers: commonHeaders(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from RECORDKIT_TOKENS or the development token.' },
      },
    },
    security: [{}, { bearer: [] }],
  };
}

function endpointPaths(endpoint: ResolvedEndpoint, resolved: ServiceEndpoint, name: string): Json {
  const tag = [endpoint.name];
  const list = endpoint.listRoute;
  const item = endpoint.itemRoute.replace(':pid', '{pid}');
  const recordMedia = Object.keys(resolved.recordSerializers);
  const searchMedia = Object.keys(resolved.searchSerializers);
  const exportMedia = Object.keys(resolved.exportSerializers);
  const recordContent = Object.fromEntries(recordMedia.map((m) => [m, { schema: ref(`${name}Record`) }]));
  const searchContent = Object.fromEntries(searchMedia.map((m) => [m, { schema: ref(`${name}SearchResult`) }]));
  const errors = (...statuses: string[]) =>
    Object.fromEntries([...COMMON_ERRORS, ...statuses].sort().map((s) => [s, ref(`Error${s}`, 'responses')]));
  const format = (aliases: Record<string, string>): Json[] =>
    Object.keys(aliases).length
      ? [{ name: 'format', in: 'query', description: 'Media type alias, instead of Accept.', schema: { enum: Object.keys(aliases) } }]
      : [];
  const recordHeaders = {
    ETag: ref('ETag', 'headers'),
    'Last-Modified': ref('Last-Modified', 'headers'),
    'Cache-Control': { description: 'Always `no-cache`: revalidate with the ETag.', schema: { type: 'string' } },
    Link: ref('Link', 'headers'),
    Vary: ref('Vary', 'headers'),
    'Accept-Patch': { description: 'The patch formats PATCH accepts.', schema: { type: 'string' } },
    ...rateLimitRefs(),
  };
  const pidParam = {
    name: 'pid',
    in: 'path',
    required: true,
    description: `The ${endpoint.pidType} PID value.`,
    schema: { type: 'string' },
  };
  const ifMatch = {
    name: 'If-Match',
    in: 'header',
    required: endpoint.requireIfMatch,
    description: `The ETag of the revision the change is based on (412 if it is not current${endpoint.requireIfMatch ? '; 428 without it' : ''}).`,
    schema: { type: 'string' },
  };
  const facetParams: Json[] = [...Object.keys(endpoint.facets.postFilters ?? {}), ...Object.keys(endpoint.facets.filters ?? {})].map(
    (facet) => ({
      name: facet,
      in: 'query',
      description: `Facet filter; repeat to select several values (ORed). Different facets are ANDed.`,
      schema: { type: 'array', items: { type: 'string' } },
      style: 'form',
      explode: true,
    }),
  );
  const sortKeys = Object.keys(endpoint.sortOptions);
  const searchParams: Json[] = [
    ref('q', 'parameters'),
    ref('page', 'parameters'),
    ref('from', 'parameters'),
    {
      name: 'size',
      in: 'query',
      description: `Page size (default ${endpoint.defaultResultsSize}); page * size may not exceed ${endpoint.maxResultWindow}.`,
      schema: { type: 'integer', minimum: 1, maximum: endpoint.maxResultsSize },
    },
    ...(sortKeys.length
      ? [
          {
            name: 'sort',
            in: 'query',
            description: `Sort option, \`-\` prefix reverses. Default: ${endpoint.defaultSort.query ?? 'none'} with q, ${endpoint.defaultSort.noquery ?? 'none'} without.`,
            schema: { enum: [...sortKeys, ...sortKeys.map((k) => `-${k}`)] },
          },
        ]
      : []),
    ...(Object.keys(endpoint.facets.aggs ?? {}).length
      ? [
          {
            name: 'facets',
            in: 'query',
            description: 'Aggregations to compute (comma-separated; all by default).',
            schema: { type: 'string' },
          },
        ]
      : []),
    ...facetParams,
    ref('prettyprint', 'parameters'),
  ];

  const paths: Json = {};
  paths[list] = {
    get: {
      tags: tag,
      operationId: `${endpoint.name}Search`,
      summary: 'Search records.',
      description: 'Records the caller may read: hits, totals and aggregations never include restricted records of others.',
      parameters: [...searchParams, ...format(endpoint.searchSerializersAliases)],
      responses: {
        '200': {
          description: 'A page of results.',
          headers: { Link: ref('Link', 'headers'), Vary: ref('Vary', 'headers'), ...rateLimitRefs() },
          content: searchContent,
        },
        ...errors(),
      },
    },
    post: {
      tags: tag,
      operationId: `${endpoint.name}Create`,
      summary: 'Create a record (curators).',
      parameters: [ref('prettyprint', 'parameters'), ...format(endpoint.recordSerializersAliases)],
      requestBody: { required: true, content: { 'application/json': { schema: ref(`${name}Metadata`) } } },
      responses: {
        '201': {
          description: 'Created.',
          headers: { Location: ref('Location', 'headers'), ...recordHeaders },
          content: recordContent,
        },
        ...errors('403', '409', '413', '415'),
      },
      security: [{ bearer: [] }],
    },
    options: optionsOperation(`${endpoint.name}ListOptions`, tag),
  };
  paths[item] = {
    parameters: [pidParam],
    get: {
      tags: tag,
      operationId: `${endpoint.name}Read`,
      summary: 'Read a record.',
      parameters: [
        { name: 'If-None-Match', in: 'header', description: 'ETag(s) held: 304 when current.', schema: { type: 'string' } },
        { name: 'If-Modified-Since', in: 'header', description: 'HTTP date: 304 when not modified since.', schema: { type: 'string' } },
        ref('prettyprint', 'parameters'),
        ...format(endpoint.recordSerializersAliases),
      ],
      responses: {
        '200': { description: 'The record.', headers: recordHeaders, content: recordContent },
        '301': {
          description: ERROR_TEXT['301']!,
          headers: { Location: ref('Location', 'headers') },
          content: { 'application/json': { schema: ref('Error') } },
        },
        '304': { description: ERROR_TEXT['304']!, headers: { ETag: ref('ETag', 'headers') } },
        ...errors('403', '404', '410', '412'),
      },
    },
    put: {
      tags: tag,
      operationId: `${endpoint.name}Replace`,
      summary: 'Replace a record (curators).',
      parameters: [ifMatch, ref('prettyprint', 'parameters'), ...format(endpoint.recordSerializersAliases)],
      requestBody: { required: true, content: { 'application/json': { schema: ref(`${name}Metadata`) } } },
      responses: {
        '200': { description: 'The new revision.', headers: recordHeaders, content: recordContent },
        ...errors('403', '404', '410', '412', '413', '415', '428'),
      },
      security: [{ bearer: [] }],
    },
    patch: {
      tags: tag,
      operationId: `${endpoint.name}Patch`,
      summary: 'Patch a record with JSON Patch or JSON Merge Patch (curators).',
      parameters: [ifMatch, ref('prettyprint', 'parameters'), ...format(endpoint.recordSerializersAliases)],
      requestBody: {
        required: true,
        content: {
          'application/json-patch+json': { schema: ref('JsonPatch') },
          'application/merge-patch+json': { schema: ref('MergePatch') },
        },
      },
      responses: {
        '200': { description: 'The new revision.', headers: recordHeaders, content: recordContent },
        ...errors('403', '404', '410', '412', '413', '415', '428'),
      },
      security: [{ bearer: [] }],
    },
    delete: {
      tags: tag,
      operationId: `${endpoint.name}Delete`,
      summary: 'Delete a record (curators); its PID then answers 410.',
      parameters: [ifMatch],
      responses: { '204': { description: 'Deleted.' }, ...errors('403', '404', '410', '412', '428') },
      security: [{ bearer: [] }],
    },
    options: optionsOperation(`${endpoint.name}ItemOptions`, tag),
  };
  if (endpoint.useOptionsView) {
    paths[`${list}_options`] = {
      get: {
        tags: tag,
        operationId: `${endpoint.name}Options`,
        summary: 'Sort options, result window and media types of the endpoint.',
        responses: {
          '200': {
            description: "Invenio's options view.",
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    sort_fields: { type: 'array', items: { type: 'object' } },
                    max_result_window: { type: 'integer' },
                    default_media_type: { type: 'string' },
                    search_media_types: { type: 'array', items: { type: 'string' } },
                    item_media_types: { type: 'array', items: { type: 'string' } },
                    export_media_types: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          ...errors(),
        },
      },
    };
  }
  const suggesters = Object.keys(endpoint.suggesters);
  if (suggesters.length) {
    paths[`${list}_suggest`] = {
      get: {
        tags: tag,
        operationId: `${endpoint.name}Suggest`,
        summary: 'Completion suggestions (only of records the caller may read).',
        parameters: [
          ...suggesters.map((s) => ({ name: s, in: 'query', description: `Prefix for the ${s} suggester.`, schema: { type: 'string' } })),
          { name: 'size', in: 'query', description: 'Number of suggestions.', schema: { type: 'integer', minimum: 1 } },
        ],
        responses: {
          '200': {
            description: "Elasticsearch's suggest entries by suggester.",
            content: {
              'application/json': { schema: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object' } } } },
            },
          },
          ...errors(),
        },
      },
    };
  }
  if (exportMedia.length) {
    paths[`${list}_export`] = {
      get: {
        tags: tag,
        operationId: `${endpoint.name}Export`,
        summary: 'Every matching record the caller may read, streamed.',
        parameters: [ref('q', 'parameters'), ...facetParams, ...format(endpoint.exportSerializersAliases)],
        responses: {
          '200': {
            description: 'A stream of records.',
            headers: { 'Content-Disposition': { description: 'attachment; filename=...', schema: { type: 'string' } }, ...rateLimitRefs() },
            content: Object.fromEntries(exportMedia.map((m) => [m, { schema: { type: 'string' } }])),
          },
          ...errors(),
        },
      },
    };
  }
  return paths;
}

function optionsOperation(operationId: string, tags: string[]): Json {
  return {
    tags,
    operationId,
    summary: 'The methods this route allows (and CORS preflight).',
    responses: {
      '200': { description: 'Allowed methods.', headers: { Allow: ref('Allow', 'headers') } },
      '204': { description: 'CORS preflight answered.' },
    },
  };
}

function metadataSchema(endpoint: ResolvedEndpoint): Json {
  if (!endpoint.schema) return { type: 'object', description: 'Record metadata (no schema configured).' };
  // Keep the JSON Schema as the endpoint validates it; OpenAPI 3.1 schemas are JSON Schema 2020-12.
  const { $schema: _dialect, $id: _id, ...schema } = endpoint.schema;
  return schema;
}

function commonParameters(): Json {
  return {
    q: {
      name: 'q',
      in: 'query',
      description: 'Query in Elasticsearch query_string syntax (`title:coral AND type:dataset`).',
      schema: { type: 'string' },
    },
    page: { name: 'page', in: 'query', description: 'Page number, from 1.', schema: { type: 'integer', minimum: 1 } },
    from: {
      name: 'from',
      in: 'query',
      description: 'Index of the first hit, from 1 (instead of page).',
      schema: { type: 'integer', minimum: 1 },
    },
    prettyprint: { name: 'prettyprint', in: 'query', description: 'Indent the JSON body.', schema: { type: 'string' } },
  };
}

function commonHeaders(): Json {
  return {
    ETag: { description: 'Strong validator of the revision (`"3"` for JSON).', schema: { type: 'string' } },
    'Last-Modified': { description: 'When the record was last updated.', schema: { type: 'string' } },
    Link: { description: 'RFC 8288 links (self, prev, next).', schema: { type: 'string' } },
    Location: { description: 'URL of the record.', schema: { type: 'string', format: 'uri' } },
    Vary: { description: 'Request headers the representation depends on (Accept).', schema: { type: 'string' } },
    Allow: { description: 'Allowed methods.', schema: { type: 'string' } },
    'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
    'X-Request-Id': { description: 'Request id, also in the server log.', schema: { type: 'string' } },
    RateLimit: { description: 'IETF RateLimit field: remaining quota and reset per policy.', schema: { type: 'string' } },
    'RateLimit-Policy': { description: 'IETF RateLimit-Policy field: quota and window per policy.', schema: { type: 'string' } },
    'X-RateLimit-Limit': { description: 'Requests allowed in the tightest window.', schema: { type: 'integer' } },
    'X-RateLimit-Remaining': { description: 'Requests left in the tightest window.', schema: { type: 'integer' } },
    'X-RateLimit-Reset': { description: 'Unix time when the tightest window resets.', schema: { type: 'integer' } },
  };
}

function rateLimitRefs(): Json {
  return Object.fromEntries(
    ['RateLimit', 'RateLimit-Policy', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'].map((h) => [h, ref(h, 'headers')]),
  );
}

function rateLimitHeaders(): Json {
  return rateLimitRefs();
}

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/gi, (_m, _sep, c: string) => c.toUpperCase());
}
