import createETag from 'etag';

/** Options of {@link revisionETag}. */
export interface RevisionETagOptions {
  /**
   * The media type whose ETag is the bare quoted revision, Invenio's `"3"`. Default `application/json`.
   * Every other media type gets a suffix.
   */
  defaultMediaType?: string;
}

const DEFAULT_MEDIA_TYPE = 'application/json';
const tagCache = new Map<string, string>();
const TAG_CACHE_LIMIT = 256;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The canonical text of a media type inside an entity-tag: type, subtype and parameter names lower-cased,
 * no whitespace around `;` and `=`, and every character an entity-tag cannot hold (or that naive list
 * splitters trip over: space, `,`, `"`) percent-encoded, `%` included so the mapping stays one-to-one.
 */
function representationTag(mediaType: string): string {
  const cached = tagCache.get(mediaType);
  if (cached !== undefined) return cached;
  const parts = mediaType.split(';').map((part) => part.trim());
  const essence = (parts[0] ?? '').toLowerCase();
  const params = parts.slice(1).flatMap((param) => {
    if (param === '') return [];
    const eq = param.indexOf('=');
    return eq < 0 ? [param.toLowerCase()] : [`${param.slice(0, eq).trim().toLowerCase()}=${param.slice(eq + 1).trim()}`];
  });
  // Lone surrogates cannot be UTF-8 encoded; they become U+FFFD.
  const canonical = [essence, ...params].join(';').replace(LONE_SURROGATE, '\uFFFD');
  let tag = '';
  for (const char of canonical) {
    const code = char.codePointAt(0) ?? 0;
    const safe = code > 0x20 && code < 0x7f && char !== '"' && char !== ',' && char !== '%';
    tag += safe ? char : encodeURIComponent(char);
  }
  if (tagCache.size >= TAG_CACHE_LIMIT) tagCache.clear();
  tagCache.set(mediaType, tag);
  return tag;
}

/**
 * The strong ETag of a record revision in one representation. The default representation
 * (`application/json` unless configured) gets Invenio's bare quoted revision, `"3"`; any other media type
 * gets the revision and the media type, `"3-application/xml"`, so every representation has its own
 * strong validator and caches behind `Vary: Accept` never confuse two of them (RFC 9110 §8.8.3.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3 RFC 9110 §8.8.3 ETag
 * @throws RangeError when `revision` is not a non-negative integer.
 * @example
 * revisionETag(3); // '"3"'
 * revisionETag(3, 'application/json'); // '"3"'
 * revisionETag(3, 'application/marcxml+xml'); // '"3-application/marcxml+xml"'
 */
export function revisionETag(revision: number | bigint, mediaType?: string, options: RevisionETagOptions = {}): string {
  if (typeof revision === 'bigint' ? revision < 0n : !Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`A revision is a non-negative integer, got ${String(revision)}`);
  }
  if (mediaType === undefined) return `"${revision}"`;
  const tag = representationTag(mediaType);
  if (tag === representationTag(options.defaultMediaType ?? DEFAULT_MEDIA_TYPE)) return `"${revision}"`;
  return `"${revision}-${tag}"`;
}

/**
 * An ETag computed from the bytes of a response body, with the `etag` package: `"<length>-<SHA-1>"`.
 * Strong by default; pass `{ weak: true }` for a body that is only semantically equivalent across
 * responses (e.g. re-serialised with another key order). Use it for representations that have no
 * revision number, such as search results.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.3 RFC 9110 §8.8.3 ETag
 * @example
 * contentETag('{"hits":[]}'); // '"b-..."' (length in hex, then a hash)
 * contentETag(buffer, { weak: true }); // 'W/"..."'
 */
export function contentETag(body: string | Uint8Array, options: { weak?: boolean } = {}): string {
  const entity = typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return createETag(entity, { weak: options.weak === true });
}
