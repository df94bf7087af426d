/** Links of a search response: `self` always; the others when they exist. */
export interface SearchLinks {
  self: string;
  prev?: string;
  next?: string;
  first?: string;
  last?: string;
}

// Characters Werkzeug leaves unescaped in query strings (Invenio's links), beyond encodeURIComponent's set.
const KEEP = /%(?:24|2C|2F|3A|3B|3F|40)/g;
const KEPT: Record<string, string> = { '%24': '$', '%2C': ',', '%2F': '/', '%3A': ':', '%3B': ';', '%3F': '?', '%40': '@' };

const PLAIN = /^[\w.~*'()!-]*$/;

function encode(text: string): string {
  if (PLAIN.test(text)) return text;
  return encodeURIComponent(text)
    .replace(KEEP, (m) => KEPT[m] as string)
    .replaceAll('%20', '+');
}

/**
 * A URL from a base URL (its own query and fragment are dropped) and query parameters, in order,
 * repeated names kept. Encoded as `application/x-www-form-urlencoded` with Werkzeug's readable safe set
 * (`,` `:` `/` stay as they are), so `URLSearchParams` reads back exactly the parameters given.
 *
 * @example
 * buildSearchUrl('https://example.org/records/', [['q', 'title:open science'], ['type', 'a'], ['type', 'b']]);
 * // 'https://example.org/records/?q=title:open+science&type=a&type=b'
 */
export function buildSearchUrl(base: string | URL, params: readonly (readonly [string, string])[]): string {
  const text = String(base);
  const cut = text.search(/[?#]/);
  const path = cut === -1 ? text : text.slice(0, cut);
  if (!params.length) return path;
  return `${path}?${encodeSearchParams(params)}`;
}

/**
 * Query parameters as `application/x-www-form-urlencoded` text (no leading `?`), in order, encoded as
 * {@link buildSearchUrl} does.
 *
 * @example
 * encodeSearchParams([['page', '2'], ['q', 'a b']]); // 'page=2&q=a+b'
 */
export function encodeSearchParams(params: readonly (readonly [string, string])[]): string {
  return params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

const ORDER = ['self', 'prev', 'next', 'first', 'last'];

/**
 * The RFC 8288 `Link` header value for links: `<url>; rel="name"`, comma-separated, `self`, `prev`,
 * `next`, `first`, `last` first (Invenio's order), then any others.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8288#section-3
 * @example
 * formatLinkHeader({ self: 'https://x/records/?page=1', next: 'https://x/records/?page=2' });
 * // '<https://x/records/?page=1>; rel="self", <https://x/records/?page=2>; rel="next"'
 */
export function formatLinkHeader(links: Readonly<Record<string, string | undefined>>): string {
  const names = Object.keys(links).sort((a, b) => rank(a) - rank(b));
  return names
    .filter((name) => links[name] !== undefined)
    .map((name) => `<${links[name]}>; rel="${name}"`)
    .join(', ');
}

function rank(name: string): number {
  const at = ORDER.indexOf(name);
  return at === -1 ? ORDER.length : at;
}
