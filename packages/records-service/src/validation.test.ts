import { isRestError, type RestError } from '@recordkit/rest-errors';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from './ports.js';
import { SchemaValidator } from './validation.js';

function errorOf(validator: SchemaValidator, data: JsonValue, schema: JsonObject | string): RestError {
  try {
    validator.validate(data, schema);
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

const draft07: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['title'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1 },
    year: { type: 'integer' },
    creators: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    email: { type: 'string', format: 'email' },
  },
};

const draft2020: JsonObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { tags: { type: 'array', prefixItems: [{ const: 'first' }], items: { type: 'string' } } },
  unevaluatedProperties: false,
};

describe('SchemaValidator', () => {
  const validator = new SchemaValidator({ schemas: { 'https://example.org/schemas/record-v1.json': draft07 } });

  it('accepts valid data', () => {
    expect(() => validator.validate({ title: 'A', year: 2020, creators: [{ name: 'X' }] }, draft07)).not.toThrow();
  });

  it('gives one field error per violation, with the dotted field and its JSON Pointer', () => {
    const error = errorOf(validator, { year: 'x', creators: [{ name: 1 }, {}], email: 'nope', extra: true }, draft07);
    expect(error.status).toBe(400);
    expect(error.message).toBe('Validation error.');
    const byField = Object.fromEntries(error.errors.map((e) => [e.field, [e.message, e.pointer, e.code]]));
    expect(byField).toEqual({
      title: ['Missing data for required field.', '/title', 'required'],
      extra: ['Unknown field.', '/extra', 'additionalProperties'],
      year: ['Must be integer.', '/year', 'type'],
      'creators.0.name': ['Must be string.', '/creators/0/name', 'type'],
      'creators.1.name': ['Missing data for required field.', '/creators/1/name', 'required'],
      email: ['Must match format "email".', '/email', 'format'],
    });
  });

  it('validates against a registered schema URI and reports an unknown one on $schema', () => {
    expect(errorOf(validator, {}, 'https://example.org/schemas/record-v1.json').errors[0]?.field).toBe('title');
    const unknown = errorOf(validator, {}, 'https://example.org/nope.json');
    expect(unknown.errors[0]).toMatchObject({ field: '$schema', code: 'unknown_schema' });
  });

  it('supports draft 2020-12 keywords', () => {
    expect(() => validator.validate({ tags: ['first', 'x'] }, draft2020)).not.toThrow();
    const error = errorOf(validator, { tags: ['second'], other: 1 }, draft2020);
    expect(error.errors.map((e) => e.field).sort()).toEqual(['other', 'tags.0']);
  });

  it('escapes ~ and / in pointers', () => {
    const schema = { type: 'object', properties: { 'a/b': { type: 'object', properties: { 'c~d': { type: 'string' } } } } };
    expect(errorOf(validator, { 'a/b': { 'c~d': 1 } }, schema).errors[0]?.pointer).toBe('/a~1b/c~0d');
  });

  it('refuses a broken schema or an unknown dialect at construction, naming it', () => {
    expect(() => new SchemaValidator({ schemas: { 'x:broken': { type: 'nonsense' } } })).toThrow(/schemas\["x:broken"\]/);
    expect(() => new SchemaValidator({ schemas: { 'x:old': { $schema: 'http://json-schema.org/draft-03/schema#' } } })).toThrow(
      /unsupported \$schema/,
    );
  });
});
