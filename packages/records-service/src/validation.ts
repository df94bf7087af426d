import { FieldError, ValidationError } from '@recordkit/rest-errors';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject, JsonValue } from './ports.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv | Ajv2020) => void;

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = ['http://json-schema.org/draft-07/schema', 'http://json-schema.org/draft-07/schema#'];

function isDraft2020(schema: JsonObject): boolean {
  const dialect = schema.$schema;
  return typeof dialect === 'string' && dialect.replace(/#$/, '') === DRAFT_2020;
}

function checkDialect(schema: JsonObject, label: string): void {
  const dialect = schema.$schema;
  if (dialect === undefined || isDraft2020(schema) || (typeof dialect === 'string' && DRAFT_07.includes(dialect))) return;
  throw new TypeError(`${label}: unsupported $schema ${JSON.stringify(dialect)}; use draft-07 or ${DRAFT_2020}`);
}

/**
 * JSON Schema validation with `ajv`, draft-07 or 2020-12 (chosen by each schema's `$schema`; draft-07
 * when absent), with `ajv-formats`. Schemas are compiled once, at construction for registered ones, so a
 * broken schema fails when the service is configured, not on the first request.
 *
 * Each violation becomes one {@link FieldError} with the dotted field and its JSON Pointer; a
 * missing required property is reported on the property itself, not its parent.
 *
 * @see https://json-schema.org/draft/2020-12/json-schema-validation JSON Schema Validation 2020-12
 * @example
 * const validator = new SchemaValidator({ schemas: { 'https://example.org/record.json': schema } });
 * validator.validate(data, 'https://example.org/record.json'); // throws ValidationError (400)
 */
export class SchemaValidator {
  readonly #draft07: Ajv;
  readonly #draft2020: Ajv2020;
  readonly #byUri = new Map<string, ValidateFunction>();
  readonly #bySchema = new WeakMap<JsonObject, ValidateFunction>();

  constructor(options: { schemas?: Readonly<Record<string, JsonObject>> } = {}) {
    const common = { allErrors: true, strict: false, validateFormats: true } as const;
    this.#draft07 = new Ajv(common);
    this.#draft2020 = new Ajv2020(common);
    addFormats(this.#draft07);
    addFormats(this.#draft2020);
    for (const [uri, schema] of Object.entries(options.schemas ?? {})) {
      this.#byUri.set(uri, this.compile(schema, `schemas["${uri}"]`));
    }
  }

  /** Compile (and cache) a schema; a broken schema throws a `TypeError` naming `label`. */
  compile(schema: JsonObject, label = 'schema'): ValidateFunction {
    const cached = this.#bySchema.get(schema);
    if (cached) return cached;
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
      throw new TypeError(`${label}: a JSON Schema must be an object`);
    checkDialect(schema, label);
    const ajv = isDraft2020(schema) ? this.#draft2020 : this.#draft07;
    let validate: ValidateFunction;
    try {
      // A schema's own $id would clash when the same schema object is compiled twice; ajv keys by $id.
      const existing = typeof schema.$id === 'string' ? ajv.getSchema(schema.$id) : undefined;
      validate = existing ?? ajv.compile(schema);
    } catch (error) {
      throw new TypeError(`${label}: invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#bySchema.set(schema, validate);
    return validate;
  }

  /** True when a schema is registered under this URI. */
  has(uri: string): boolean {
    return this.#byUri.has(uri);
  }

  /**
   * Validate `data` against a schema object or a registered schema URI.
   *
   * @throws ValidationError (400) with one field error per violation.
   * @throws ValidationError (400) on `$schema` when the URI is not registered.
   */
  validate(data: JsonValue, schema: JsonObject | string): void {
    let validate: ValidateFunction | undefined;
    if (typeof schema === 'string') {
      validate = this.#byUri.get(schema);
      if (!validate) {
        throw new ValidationError([new FieldError('$schema', `Unknown schema ${JSON.stringify(schema)}.`, 'unknown_schema')]);
      }
    } else {
      validate = this.compile(schema);
    }
    if (validate(data)) return;
    throw new ValidationError(toFieldErrors(validate.errors ?? []));
  }
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * ajv errors to field errors: one per violation, on the property a client has to fix.
 * @example
 * toFieldErrors(validate.errors ?? []); // [FieldError('title', 'Missing data for required field.', 'required')]
 */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = decodePointer(error.instancePath);
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
      path.push(error.params.missingProperty);
      message = 'Missing data for required field.';
    } else if (error.keyword === 'additionalProperties' && typeof error.params.additionalProperty === 'string') {
      path.push(error.params.additionalProperty);
      message = 'Unknown field.';
    } else if (error.keyword === 'unevaluatedProperties' && typeof error.params.unevaluatedProperty === 'string') {
      path.push(error.params.unevaluatedProperty);
      message = 'Unknown field.';
    } else {
      message = `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
    }
    const field = path.join('.');
    const pointer = path.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(new FieldError(field, message, error.keyword, { pointer }));
  }
  return out;
}
