// JSON Schema of `ReferenceConfig` (draft-07, checked with ajv). Kept beside `types.ts`: a key added
// there must be added here, or validation rejects it as unknown (the config test checks both agree on
// the default configuration).

const positiveInt = { type: 'integer', minimum: 1 } as const;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const name = { type: 'string', minLength: 1 } as const;

const rateLimitRules = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'limit', 'windowSeconds'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
      limit: positiveInt,
      windowSeconds: positiveInt,
    },
  },
} as const;

const mediaType = { type: 'string', pattern: '^[a-z]+/[A-Za-z0-9.+-]+$' } as const;
const aliases = { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_-]+$' }, additionalProperties: mediaType } as const;
const sortKey = { type: 'string', pattern: '^-?[A-Za-z0-9_-]+$' } as const;

const endpoint = {
  type: 'object',
  additionalProperties: false,
  required: ['pidType', 'listRoute', 'itemRoute', 'mapping'],
  properties: {
    pidType: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,20}$' },
    pidMinter: { enum: ['recid', 'uuid'] },
    pidField: name,
    listRoute: { type: 'string', pattern: '^/([A-Za-z0-9._~-]+/)+$' },
    itemRoute: { type: 'string', pattern: '^/([A-Za-z0-9._~-]+/)*:pid$' },
    searchIndex: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    schema: { type: 'object' },
    mapping: { type: 'object' },
    defaultMediaType: mediaType,
    recordSerializersAliases: aliases,
    searchSerializersAliases: aliases,
    exportSerializersAliases: aliases,
    defaultResultsSize: positiveInt,
    maxResultWindow: positiveInt,
    maxResultsSize: positiveInt,
    queryFields: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_.*$]+(\\^[0-9.]+)?$' } },
    queryDefaultOperator: { enum: ['AND', 'OR'] },
    sortOptions: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'fields'],
        properties: {
          title: name,
          // Strings are checked against the mapping; clauses and functions are facets-sort's business.
          fields: {
            type: 'array',
            minItems: 1,
            items: { anyOf: [{ type: 'string', pattern: '^-?[A-Za-z0-9_.$]+$' }, { type: 'object' }] },
          },
          defaultOrder: { enum: ['asc', 'desc'] },
          order: { type: 'number' },
        },
      },
    },
    defaultSort: { type: 'object', additionalProperties: false, properties: { query: sortKey, noquery: sortKey } },
    facets: {
      type: 'object',
      additionalProperties: false,
      properties: {
        aggs: { type: 'object' },
        filters: { type: 'object' },
        postFilters: { type: 'object' },
        propagate: { type: 'boolean' },
      },
    },
    suggesters: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['completion'],
        properties: {
          completion: {
            type: 'object',
            required: ['field'],
            properties: {
              field: name,
              size: positiveInt,
              skip_duplicates: { type: 'boolean' },
              contexts: { type: 'object', additionalProperties: name },
            },
          },
        },
      },
    },
    useOptionsView: { type: 'boolean' },
    requireIfMatch: { type: 'boolean' },
    strictParameters: { type: 'boolean' },
    csvColumns: { type: 'array', minItems: 1, items: name },
    permissions: { enum: ['reference', 'open'] },
    ownerField: name,
    accessField: name,
    curatorRole: name,
    service: { type: 'object' },
  },
} as const;

/** The JSON Schema every configuration is validated against before anything starts. */
export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoints: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[A-Za-z0-9_-]+$' }, additionalProperties: endpoint },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        host: name,
        baseUrl: { type: 'string', pattern: '^https?://[^/?#]+(/[^?#]*)?$' },
        bodyLimit: positiveInt,
        headersTimeout: positiveInt,
        requestTimeout: nonNegativeInt,
        keepAliveTimeout: positiveInt,
        shutdownTimeout: nonNegativeInt,
        trustProxy: { type: 'boolean' },
        cursorSecret: { type: 'string', minLength: 16 },
      },
    },
    storage: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dataDir: name,
        databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
        elasticsearchUrl: { type: 'string', pattern: '^https?://' },
        databaseSchema: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
        indexPrefix: { type: 'string', pattern: '^[a-z0-9._-]*$' },
      },
    },
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tokens: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['token', 'user'],
            properties: {
              token: { type: 'string', pattern: '^[A-Za-z0-9._~+/=-]{8,}$' },
              user: { type: 'string', pattern: '^[A-Za-z0-9._@-]+$' },
              roles: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9._-]+$' } },
            },
          },
        },
        devToken: { type: 'boolean' },
      },
    },
    cors: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            origins: { anyOf: [{ const: '*' }, { type: 'array', items: { type: 'string', pattern: '^https?://[^/]+$' } }] },
            credentials: { type: 'boolean' },
            maxAge: nonNegativeInt,
          },
        },
      ],
    },
    rateLimit: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            guest: rateLimitRules,
            authenticated: rateLimitRules,
            redisUrl: { type: 'string', pattern: '^rediss?://' },
            keyPrefix: { type: 'string', pattern: '^[A-Za-z0-9:._-]+$' },
          },
        },
      ],
    },
    errors: { type: 'object', additionalProperties: false, properties: { format: { enum: ['invenio', 'problem'] } } },
    logging: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } },
    },
    openapi: {
      type: 'object',
      additionalProperties: false,
      properties: { title: name, version: name, description: { type: 'string' } },
    },
  },
} as const;
