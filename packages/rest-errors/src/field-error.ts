/** The JSON form of a {@link FieldError}: Invenio's `{ field, message, code? }`. */
export interface FieldErrorJSON {
  field: string;
  message: string;
  code?: string;
}

/**
 * One problem with one field of a request: a body property, a query parameter or a header.
 * Not an exception; a {@link RestError} carries a list of them (Invenio's `FieldError`).
 *
 * `field` is the name a client sees (`metadata.title`, `size`, `creators.0.name`); `pointer` is the same
 * location as an RFC 6901 JSON Pointer (`/metadata/title`), used by RFC 9457 problem details.
 *
 * @example
 * new FieldError('metadata.title', 'Missing data for required field.').toJSON();
 * // { field: 'metadata.title', message: 'Missing data for required field.' }
 */
export class FieldError {
  readonly field: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly pointer: string;

  constructor(field: string, message: string, code?: string, options: { pointer?: string } = {}) {
    this.field = field;
    this.message = message;
    this.code = code || undefined;
    this.pointer = options.pointer ?? fieldToPointer(field);
  }

  /** Invenio's shape: `code` only when set. */
  toJSON(): FieldErrorJSON {
    return this.code ? { field: this.field, message: this.message, code: this.code } : { field: this.field, message: this.message };
  }
}

/**
 * Turn a field path into an RFC 6901 JSON Pointer. A path that already is a pointer (starts with `/`)
 * is kept; otherwise dots separate segments, and `~` and `/` inside a segment are escaped.
 *
 * @example
 * fieldToPointer('metadata.creators.0.name'); // '/metadata/creators/0/name'
 */
export function fieldToPointer(field: string): string {
  if (field === '') return '';
  if (field.startsWith('/')) return field;
  return `/${field
    .split('.')
    .map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1'))
    .join('/')}`;
}
