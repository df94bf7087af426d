/**
 * JSON Schema (draft 2020-12) of the demo records the default configuration serves: a bibliographic
 * record in the spirit of Invenio's demo data. `control_number` is minted by the server (`recid`), so
 * a client must not send it on create; `owner` defaults to the creating user.
 *
 * @example
 * import { demoRecordSchema } from '@recordkit/reference';
 * new Ajv2020().compile(demoRecordSchema)(record);
 */
export const demoRecordSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://recordkit.dev/schemas/records/record-v1.0.0.json',
  title: 'RecordKit demo record',
  type: 'object',
  additionalProperties: false,
  required: ['title', 'creators', 'type', 'publication_date', 'access'],
  properties: {
    $schema: { type: 'string', description: 'URI of this schema.' },
    control_number: { type: 'string', description: 'The recid, minted by the server.' },
    title: { type: 'string', minLength: 1, maxLength: 500 },
    creators: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'Family name, given names.' },
          affiliation: { type: 'string', maxLength: 300 },
          orcid: { type: 'string', pattern: '^\\d{4}-\\d{4}-\\d{4}-\\d{3}[\\dX]$' },
        },
      },
    },
    type: {
      type: 'string',
      enum: ['article', 'book', 'conference-paper', 'dataset', 'image', 'report', 'software', 'thesis'],
    },
    subjects: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } },
    publication_date: { type: 'string', format: 'date', description: 'ISO 8601 date, YYYY-MM-DD.' },
    description: { type: 'string', maxLength: 20000 },
    language: { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO 639-3 code, e.g. eng.' },
    access: { type: 'string', enum: ['public', 'restricted'] },
    owner: { type: 'string', minLength: 1, maxLength: 100, description: 'User id of the owner; defaults to the creator.' },
  },
} as const;

/** The record types of the demo schema, in the order of the `type` enum. */
export const demoRecordTypes = demoRecordSchema.properties.type.enum;

/** A demo record's metadata, as the schema describes it. */
export interface DemoRecord {
  $schema?: string;
  control_number?: string;
  title: string;
  creators: { name: string; affiliation?: string; orcid?: string }[];
  type: (typeof demoRecordTypes)[number];
  subjects?: string[];
  publication_date: string;
  description?: string;
  language?: string;
  access: 'public' | 'restricted';
  owner?: string;
}
