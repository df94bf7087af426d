import { isOws, joinFieldLines, trimOws } from './headers.js';

// RFC 9110 §8.8.3: entity-tag = [ weak ] opaque-tag; weak = %s"W/"; opaque-tag = DQUOTE *etagc DQUOTE;
// etagc = %x21 / %x23-7E / obs-text (%x80-FF).
const QUOTE = 0x22;
const COMMA = 0x2c;
const SLASH = 0x2f;
const UPPER_W = 0x57;

function isEtagc(code: number): boolean {
  return code === 0x21 || (code >= 0x23 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

/**
 * Index just past the closing quote of the entity-tag that starts at `start`, or -1 when there is no
 * well-formed entity-tag there.
 */
function endOfEntityTag(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === UPPER_W) {
    if (text.charCodeAt(i + 1) !== SLASH) return -1;
    i += 2;
  }
  if (text.charCodeAt(i) !== QUOTE) return -1;
  for (i++; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    if (!isEtagc(code)) return -1;
  }
  return -1;
}

/**
 * Walk a `#entity-tag` list (RFC 9110 §5.6.1: OWS around commas, empty elements allowed), calling `visit`
 * with each tag's weakness and the bounds of its opaque characters. False when the list is malformed.
 */
function walkEntityTagList(text: string, visit: (weak: boolean, start: number, end: number) => void): boolean {
  const length = text.length;
  let i = 0;
  for (;;) {
    while (i < length && (isOws(text.charCodeAt(i)) || text.charCodeAt(i) === COMMA)) i++;
    if (i >= length) return true;
    const end = endOfEntityTag(text, i);
    if (end < 0) return false;
    const weak = text.charCodeAt(i) === UPPER_W;
    visit(weak, i + (weak ? 3 : 1), end - 1);
    i = end;
    while (i < length && isOws(text.charCodeAt(i))) i++;
    if (i < length && text.charCodeAt(i) !== COMMA) return false;
  }
}

/**
 * An entity tag (RFC 9110 §8.8.3): an opaque validator, strong (`"xyzzy"`) or weak (`W/"xyzzy"`).
 * `from()` and `toString()` round-trip; `parse()` reads a header value and never throws.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3 RFC 9110 §8.8.3 ETag
 * @example
 * const tag = EntityTag.from('W/"xyzzy"');
 * tag.weak; // true
 * tag.value; // 'xyzzy'
 * String(tag); // 'W/"xyzzy"'
 */
export class EntityTag {
  /** The opaque characters between the quotes. */
  readonly value: string;
  /** True for a weak validator (`W/` prefix). */
  readonly weak: boolean;
  readonly #text: string;

  /**
   * @param value the characters between the quotes (`%x21 / %x23-7E / %x80-FF`; no `"`, spaces or controls).
   * @throws TypeError when `value` contains a character an entity-tag cannot hold.
   */
  constructor(value: string, options: { weak?: boolean } = {}) {
    for (let i = 0; i < value.length; i++) {
      if (!isEtagc(value.charCodeAt(i))) {
        throw new TypeError(`An entity-tag cannot contain ${JSON.stringify(value[i])} (RFC 9110 §8.8.3): ${JSON.stringify(value)}`);
      }
    }
    this.value = value;
    this.weak = options.weak === true;
    this.#text = `${this.weak ? 'W/' : ''}"${value}"`;
  }

  /**
   * An entity tag from its header form (`"3"`, `W/"3"`), or a copy of one.
   *
   * @throws TypeError when the text is not a single well-formed entity-tag; use {@link EntityTag.parse}
   * for values that come from a request.
   * @example
   * EntityTag.from('"3"').toString(); // '"3"'
   */
  static from(value: string | EntityTag): EntityTag {
    if (value instanceof EntityTag) return value;
    const tag = EntityTag.parse(value);
    if (!tag) throw new TypeError(`Not an entity-tag (RFC 9110 §8.8.3; quote it, e.g. '"3"'): ${JSON.stringify(value)}`);
    return tag;
  }

  /**
   * Read one entity-tag from a header value; `undefined` when it is absent or malformed. Never throws.
   *
   * @example
   * EntityTag.parse(' W/"a" ')?.weak; // true
   * EntityTag.parse('a'); // undefined (not quoted)
   */
  static parse(value: string | null | undefined): EntityTag | undefined {
    if (typeof value !== 'string') return undefined;
    const text = trimOws(value);
    if (endOfEntityTag(text, 0) !== text.length) return undefined;
    const weak = text.charCodeAt(0) === UPPER_W;
    return new EntityTag(text.slice(weak ? 3 : 1, -1), { weak });
  }

  /**
   * Strong comparison (RFC 9110 §8.8.3.2): both tags are strong and their opaque values are equal.
   * Used by If-Match.
   *
   * @example
   * EntityTag.from('"1"').strongMatch('"1"'); // true
   * EntityTag.from('W/"1"').strongMatch('W/"1"'); // false
   */
  strongMatch(other: EntityTag | string): boolean {
    const that = typeof other === 'string' ? EntityTag.parse(other) : other;
    return that !== undefined && !this.weak && !that.weak && this.value === that.value;
  }

  /**
   * Weak comparison (RFC 9110 §8.8.3.2): the opaque values are equal, whatever the `W/` prefixes.
   * Used by If-None-Match.
   *
   * @example
   * EntityTag.from('W/"1"').weakMatch('"1"'); // true
   */
  weakMatch(other: EntityTag | string): boolean {
    const that = typeof other === 'string' ? EntityTag.parse(other) : other;
    return that !== undefined && this.value === that.value;
  }

  /** The header form: `"value"` or `W/"value"`. */
  toString(): string {
    return this.#text;
  }

  /** The header form, so `JSON.stringify` shows what goes on the wire. */
  toJSON(): string {
    return this.#text;
  }
}

const EMPTY: readonly EntityTag[] = Object.freeze([]);

/**
 * The value of an If-Match or If-None-Match field (RFC 9110 §13.1.1, §13.1.2): `*` or a list of entity
 * tags. `parse()` never throws: a malformed field becomes a list with `valid: false` that matches
 * nothing, so If-Match fails (412) and If-None-Match holds (the request proceeds).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.1 RFC 9110 §13.1.1 If-Match
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2 RFC 9110 §13.1.2 If-None-Match
 * @example
 * const list = EntityTagList.from('"xyzzy", "r2d2xxxx", "c3piozzzz"');
 * list.strongMatch('"r2d2xxxx"'); // true
 * String(list); // '"xyzzy", "r2d2xxxx", "c3piozzzz"'
 */
export class EntityTagList {
  /** True for `*`: any current representation matches. */
  readonly any: boolean;
  /** The listed entity tags (empty for `*` and for a malformed field). */
  readonly tags: readonly EntityTag[];
  /** False when the field value was not `*` nor a well-formed list; such a list matches nothing. */
  readonly valid: boolean;
  readonly #raw: string | undefined;

  static readonly #any = new EntityTagList(true, EMPTY);

  private constructor(any: boolean, tags: readonly EntityTag[], raw?: string) {
    this.any = any;
    this.tags = tags;
    this.valid = raw === undefined;
    this.#raw = raw;
  }

  /**
   * A list from its header form (`*`, `"a", W/"b"`) or from entity tags.
   *
   * @throws TypeError when the text is malformed; use {@link EntityTagList.parse} for request headers.
   * @example
   * EntityTagList.from(['"a"', EntityTag.from('W/"b"')]).toString(); // '"a", W/"b"'
   */
  static from(value: string | readonly (EntityTag | string)[]): EntityTagList {
    if (typeof value !== 'string') return new EntityTagList(false, Object.freeze(value.map((tag) => EntityTag.from(tag))));
    const list = EntityTagList.parse(value);
    if (!list?.valid) throw new TypeError(`Not "*" nor a list of entity-tags (RFC 9110 §13.1.1): ${JSON.stringify(value)}`);
    return list;
  }

  /**
   * Read an If-Match / If-None-Match field value. `undefined` when the field is absent or empty (an
   * empty value is treated as absent); a list with `valid: false` when it is malformed. Repeated field
   * lines (an array, as Node gives them) are joined with commas first. Never throws.
   *
   * @example
   * EntityTagList.parse('*')?.any; // true
   * EntityTagList.parse('"a", b')?.valid; // false (b is not quoted)
   */
  static parse(value: string | readonly string[] | null | undefined): EntityTagList | undefined {
    if (value === null || value === undefined) return undefined;
    const text = trimOws(joinFieldLines(value));
    if (text === '') return undefined;
    if (text === '*') return EntityTagList.#any;
    const tags: EntityTag[] = [];
    const ok = walkEntityTagList(text, (weak, start, end) => {
      tags.push(new EntityTag(text.slice(start, end), { weak }));
    });
    return ok ? new EntityTagList(false, Object.freeze(tags)) : new EntityTagList(false, EMPTY, text);
  }

  /**
   * If-Match semantics: true when `*` (and `current` is given) or when a listed tag matches `current`
   * by strong comparison (RFC 9110 §8.8.3.2). Pass `undefined` when there is no current representation.
   * @throws TypeError when `current` is a string that is not an entity-tag.
   *
   * @example
   * EntityTagList.from('W/"1"').strongMatch('"1"'); // false
   */
  strongMatch(current: EntityTag | string | undefined): boolean {
    if (current === undefined || !this.valid) return false;
    if (this.any) return true;
    const tag = EntityTag.from(current);
    return this.tags.some((listed) => listed.strongMatch(tag));
  }

  /**
   * If-None-Match semantics: true when `*` (and `current` is given) or when a listed tag matches
   * `current` by weak comparison (RFC 9110 §8.8.3.2).
   *
   * @example
   * EntityTagList.from('W/"1"').weakMatch('"1"'); // true
   */
  weakMatch(current: EntityTag | string | undefined): boolean {
    if (current === undefined || !this.valid) return false;
    if (this.any) return true;
    const tag = EntityTag.from(current);
    return this.tags.some((listed) => listed.weakMatch(tag));
  }

  /** The header form: `*`, the tags joined by `, `, or the original text of a malformed field. */
  toString(): string {
    if (this.#raw !== undefined) return this.#raw;
    return this.any ? '*' : this.tags.join(', ');
  }
}

/** Result of {@link matchEntityTagList}: the field is malformed, names the tag, or does not. */
export type ListMatch = 'malformed' | 'match' | 'no-match';

/** True when `text` is exactly one well-formed entity-tag (no surrounding whitespace). */
export function isEntityTag(text: string): boolean {
  return endOfEntityTag(text, 0) === text.length;
}

/**
 * The allocation-free check evaluatePreconditions uses: does the If-Match / If-None-Match field value
 * `field` (already trimmed, not `*`) name `current`, a well-formed entity-tag text (see {@link isEntityTag})?
 * Strong comparison when `strong`, else weak. The whole field is checked, so a malformed member anywhere
 * makes the result `malformed`.
 */
export function matchEntityTagList(field: string, current: string, strong: boolean): ListMatch {
  const currentWeak = current.charCodeAt(0) === UPPER_W;
  if (field === current) return strong && currentWeak ? 'no-match' : 'match';
  const currentStart = currentWeak ? 3 : 1;
  const currentLength = current.length - currentStart - 1;
  const length = field.length;
  let matched = false;
  let i = 0;
  for (;;) {
    while (i < length && (isOws(field.charCodeAt(i)) || field.charCodeAt(i) === COMMA)) i++;
    if (i >= length) return matched ? 'match' : 'no-match';
    const end = endOfEntityTag(field, i);
    if (end < 0) return 'malformed';
    if (!matched) {
      const weak = field.charCodeAt(i) === UPPER_W;
      const start = i + (weak ? 3 : 1);
      if (!(strong && (weak || currentWeak)) && end - 1 - start === currentLength) {
        matched = regionEquals(field, start, current, currentStart, currentLength);
      }
    }
    i = end;
    while (i < length && isOws(field.charCodeAt(i))) i++;
    if (i < length && field.charCodeAt(i) !== COMMA) return 'malformed';
  }
}

function regionEquals(a: string, aStart: number, b: string, bStart: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a.charCodeAt(aStart + k) !== b.charCodeAt(bStart + k)) return false;
  return true;
}
