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
    JsonPointer: {
      type: 'string',
      description: 'RFC 6901 JSON Pointer: empty (the whole document) or `/`-separated tokens, `~0` for `~` and `~1` for `/`.',
      pattern: '^(/([^~]|~[01])*)*$',
    },
    JsonPatch: {
      type: 'array',
      description:
        'RFC 6902 JSON Patch, applied atomically. Array indexes are `0` or digits without a leading zero (RFC 6901 §4). The patched record must still satisfy the metadata schema, and `remove`/`replace`/`move`/`copy`/`test` need their target to exist (400 otherwise).',
      items: {
        oneOf: [
          {
            type: 'object',
            description: '`add`, `replace` and `test` need a `value`.',
            required: ['op', 'path', 'value'],
            properties: { op: { enum: ['add', 'replace', 'test'] }, path: ref('JsonPointer'), value: {} },
          },
          {
            type: 'object',
            required: ['op', 'path'],
            properties: { op: { const: 'remove' }, path: ref('JsonPointer') },
          },
          {
            type: 'object',
            description: '`move` and `copy` need a `from`.',
            required: ['op', 'from', 'path'],
            properties: { op: { enum: ['move', 'copy'] }, from: ref('JsonPointer'), path: ref('JsonPointer') },
          },
        ],
      },
    },
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
    schemas[`${name}MergePatch`] = mergePatchSchema(endpoint, schemas[`${name}Metadata`] as Json);
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
      ? [
          {
            name: 'format',
            in: 'query',
            description: 'Media type alias, instead of Accept. Empty: as if absent (Accept decides).',
            schema: { type: 'string', enum: [...Object.keys(aliases), ''] },
          },
        ]
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
    {
      name: 'size',
      in: 'query',
      description: `Page size (default ${endpoint.defaultResultsSize}); page * size (or from - 1 + size) may not exceed ${endpoint.maxResultWindow} (400; past it, use the cursor of the \`next\` link).`,
      schema: { type: 'integer', minimum: 1, maximum: endpoint.maxResultsSize, default: endpoint.defaultResultsSize },
      'x-max-result-window': endpoint.maxResultWindow,
    },
    ...(sortKeys.length
      ? [
          {
            name: 'sort',
            in: 'query',
            description: `Sort option, \`-\` prefix reverses; empty: the default. Default: ${endpoint.defaultSort.query ?? 'none'} with q, ${endpoint.defaultSort.noquery ?? 'none'} without.`,
            schema: { type: 'string', enum: [...sortKeys, ...sortKeys.map((k) => `-${k}`), ''] },
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
          'application/merge-patch+json': { schema: ref(`${name}MergePatch`) },
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
    options: optionsOperation(
      `${endpoint.name}ItemOptions`,
      tag,
      'Answered from the route alone, without looking the PID up (as Invenio, and so CORS preflights work): 200 with `Allow` for any PID value, deleted or unknown ones included.',
    ),
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
        description:
          suggesters.length > 1
            ? `Give at least one of ${suggesters.map((s) => `\`${s}\``).join(', ')} (400 otherwise).`
            : 'The prefix is required and may not be empty (400).',
        parameters: [
          ...suggesters.map((s) => ({
            name: s,
            in: 'query',
            description: `Prefix for the ${s} suggester (not empty).`,
            ...(suggesters.length === 1 ? { required: true } : {}),
            schema: { type: 'string', minLength: 1 },
          })),
          ...suggesterContexts(endpoint),
          {
            name: 'size',
            in: 'query',
            description: 'Number of suggestions.',
            schema: { type: 'integer', minimum: 1, maximum: endpoint.maxResultsSize },
          },
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

function optionsOperation(operationId: string, tags: string[], description?: string): Json {
  return {
    tags,
    operationId,
    summary: 'The methods this route allows (and CORS preflight).',
    ...(description ? { description } : {}),
    responses: {
      '200': { description: 'Allowed methods.', headers: { Allow: ref('Allow', 'headers') } },
      '204': { description: 'CORS preflight answered.' },
    },
  };
}

function metadataSchema(endpoint: ResolvedEndpoint): Json {
  if (!endpoint.schema) return { type: 'object', description: 'Record metadata (no schema configured).' };
  // Keep the JSON Schema as the endpoint validates it; OpenAPI 3.1 schemas are JSON Schema 2020-12.
  const { $schema: _dialect, $id: id, ...schema } = endpoint.schema;
  const properties = { ...((schema.properties as Json | undefined) ?? {}) };
  // The minted PID field is server-managed: never sent on create, kept as it is on replace (decision 044).
  if (endpoint.pidMinter === 'recid' && properties[endpoint.pidField]) {
    properties[endpoint.pidField] = {
      ...(properties[endpoint.pidField] as Json),
      readOnly: true,
      description: 'The PID value, minted by the server: not accepted on create; on replace, absent or unchanged.',
    };
  }
  // The reference server registers no schema by URI, so a `$schema` member is always refused (400
  // unknown_schema); with additionalProperties false, leaving it out of the document says so.
  delete properties.$schema;
  return { ...schema, ...(typeof id === 'string' ? { description: `Record metadata (${id}).` } : {}), properties };
}

/**
 * An RFC 7396 merge patch of the metadata: each member as the metadata schema has it, or `null` to
 * remove it (not for required members, nor the PID field); members the schema does not know are
 * refused as they are in the record.
 */
function mergePatchSchema(endpoint: ResolvedEndpoint, metadata: Json): Json {
  const description =
    'RFC 7396 JSON Merge Patch of the metadata: members to set, null to remove. The result must satisfy the metadata schema.';
  const properties = metadata.properties as Json | undefined;
  if (!properties) return { type: 'object', description };
  const required = new Set((metadata.required as string[] | undefined) ?? []);
  const members: Json = {};
  for (const [key, schema] of Object.entries(properties)) {
    if (key === endpoint.pidField && endpoint.pidMinter === 'recid') continue;
    members[key] = required.has(key) ? schema : { anyOf: [schema, { type: 'null' }] };
  }
  return {
    type: 'object',
    description,
    properties: members,
    ...(metadata.additionalProperties === false ? { additionalProperties: false } : {}),
  };
}

function suggesterContexts(endpoint: ResolvedEndpoint): Json[] {
  const params = new Set<string>();
  for (const suggester of Object.values(endpoint.suggesters))
    for (const param of Object.values(suggester.completion.contexts ?? {})) params.add(param);
  return [...params].map((name) => ({
    name,
    in: 'query',
    required: true,
    description: 'Context value a suggester needs (400 when missing).',
    schema: { type: 'string', minLength: 1 },
  }));
}

function commonParameters(): Json {
  return {
    q: {
      name: 'q',
      in: 'query',
      description:
        'Query in Elasticsearch query_string syntax (`title:coral AND type:dataset`); a query that does not parse is a 400 naming the position. The embedded engine runs a documented subset (no fuzzy `term~`, regex or proximity: 400).',
      schema: { type: 'string' },
    },
    // `page` and `from` as one form-exploded object (serialised `page=2` or `from=11`), so the document can
    // say that they exclude each other (the server answers 400 to both, as Invenio does).
    page: {
      name: 'pagination',
      in: 'query',
      style: 'form',
      explode: true,
      description: '`page` (page number, from 1) or `from` (index of the first hit, from 1), not both (400).',
      schema: {
        type: 'object',
        properties: {
          page: { type: 'integer', minimum: 1, description: 'Page number, from 1.' },
          from: { type: 'integer', minimum: 1, description: 'Index of the first hit, from 1 (instead of page).' },
        },
        not: { required: ['page', 'from'] },
      },
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
