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

const endpoint = {
  type: 'object',
  additionalProperties: false,
  required: ['pidType', 'listRoute', 'itemRoute', 'index', 'mapping'],
  properties: {
    pidType: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,20}$' },
    pidMinter: { enum: ['recid', 'uuid'] },
    pidField: name,
    listRoute: { type: 'string', pattern: '^/([A-Za-z0-9._~-]+/)+$' },
    itemRoute: { type: 'string', pattern: '^/([A-Za-z0-9._~-]+/)*:pid$' },
    index: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    schema: { type: 'object' },
    mapping: { type: 'object' },
    queryFields: { type: 'array', items: name },
    mediaTypes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: { type: 'string', pattern: '^[a-z]+/[A-Za-z0-9.+-]+$' },
        formatAliases: {
          anyOf: [
            { const: false },
            {
              type: 'object',
              propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
              additionalProperties: { type: 'string', pattern: '^[a-z]+/[A-Za-z0-9.+-]+$' },
            },
          ],
        },
      },
    },
    defaultResultsSize: positiveInt,
    maxResultWindow: positiveInt,
    sortOptions: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'fields'],
        properties: {
          title: name,
          fields: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^-?[A-Za-z0-9_.$]+$' } },
          defaultOrder: { enum: ['asc', 'desc'] },
          order: { type: 'number' },
        },
      },
    },
    defaultSort: {
      type: 'object',
      additionalProperties: false,
      properties: { query: { type: 'string', pattern: '^-?[A-Za-z0-9_-]+$' }, noquery: { type: 'string', pattern: '^-?[A-Za-z0-9_-]+$' } },
    },
    facets: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: { field: name, size: positiveInt, filter: { enum: ['post', 'filter'] }, title: name },
      },
    },
    suggesters: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['field'],
        properties: { field: name, size: positiveInt },
      },
    },
    useOptionsView: { type: 'boolean' },
    requireIfMatch: { type: 'boolean' },
    strictQueryParameters: { type: 'boolean' },
    csvFields: { type: 'array', minItems: 1, items: name },
    permissions: { enum: ['reference', 'open'] },
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
      },
    },
    storage: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dataDir: name,
        databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
        elasticsearchUrl: { type: 'string', pattern: '^https?://' },
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
