// One scanner for the three places media types appear: the offered types in the configuration, the
// ranges of an Accept header (RFC 9110 §12.5.1) and a request's Content-Type (RFC 9110 §8.3). Values are
// kept apart from the matching rules (./match.ts) so each can be read and tested on its own.

/** A parsed media type or media range. `type` and `subtype` are lower case; `*` marks a wildcard. */
export interface MediaRange {
  type: string;
  subtype: string;
  /** Parameters other than `charset` and `q`, names lower case, values as sent (unquoted). */
  params: ReadonlyMap<string, string>;
  /** The `charset` parameter, lower case, when present. Kept apart: it never makes a range more specific. */
  charset: string | undefined;
  /** The weight (`q`), 1 when absent. Always 1 outside Accept. */
  q: number;
}

const NO_PARAMS: ReadonlyMap<string, string> = new Map();

// RFC 9110 §5.6.2 tchar.
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

const isTchar = (code: number) => code < 128 && TCHAR[code] === 1;
const isOws = (code: number) => code === 0x20 || code === 0x09;
// Unquoted parameter values: more than a token allows, because the JSON-LD spec itself writes
// `profile=http://www.w3.org/ns/json-ld#expanded` unquoted. Anything visible but `"`, `,` and `;`.
const isValueChar = (code: number) => code > 0x20 && code !== 0x7f && code !== 0x22 && code !== 0x2c && code !== 0x3b;

// Lenient on purpose: Java's HttpURLConnection sends `q=.2`, which the RFC grammar does not allow.
const QVALUE = /^(?:0?\.\d+|[01](?:\.\d*)?)$/;

/** The result of scanning a list: the ranges that parsed, and whether any element had to be dropped. */
export interface ScanResult {
  ranges: MediaRange[];
  /** True when at least one non-empty element was malformed and skipped. */
  dropped: boolean;
}

/**
 * Scan a comma-separated list of media ranges (an Accept value) or, with `accept: false`, of media types.
 * Malformed elements are skipped, the rest are kept: one bad range does not spoil a header. With
 * `accept: true` a bare `*` is read as `*\/*` (old Java clients send `*; q=.2`) and the first `q`
 * parameter ends the media-type parameters (what follows is accept-ext and is ignored).
 */
export function scanMediaRanges(input: string, accept: boolean): ScanResult {
  const ranges: MediaRange[] = [];
  let dropped = false;
  const n = input.length;
  let i = 0;
  while (i < n) {
    // Empty list elements are allowed (RFC 9110 §5.6.1).
    while (i < n && (isOws(input.charCodeAt(i)) || input.charCodeAt(i) === 0x2c)) i++;
    if (i >= n) break;
    const element = scanElement(input, i, accept);
    if (element.range) ranges.push(element.range);
    else dropped = true;
    i = element.next;
  }
  return { ranges, dropped };
}

/** Parse exactly one media type (a Content-Type value or an offered type). Wildcards are returned as such. */
export function parseMediaType(input: string): MediaRange | undefined {
  const { ranges, dropped } = scanMediaRanges(input, false);
  return ranges.length === 1 && !dropped ? ranges[0] : undefined;
}

/** `type/subtype` plus the parameters in a canonical order: how two spellings of one type are compared. */
export function canonicalMediaType(range: MediaRange): string {
  let text = `${range.type}/${range.subtype}`;
  const names = [...range.params.keys()];
  if (range.charset !== undefined) names.push('charset');
  for (const name of names.sort()) text += `;${name}=${name === 'charset' ? range.charset : range.params.get(name)}`;
  return text;
}

interface ScannedElement {
  range: MediaRange | undefined;
  next: number;
}

function scanElement(input: string, start: number, accept: boolean): ScannedElement {
  const n = input.length;
  let i = start;
  while (i < n && isTchar(input.charCodeAt(i))) i++;
  const typeEnd = i;
  const type = input.slice(start, typeEnd).toLowerCase();
  let subtype: string;
  if (i < n && input.charCodeAt(i) === 0x2f) {
    i++;
    const subStart = i;
    while (i < n && isTchar(input.charCodeAt(i))) i++;
    subtype = input.slice(subStart, i).toLowerCase();
  } else if (accept && type === '*') {
    subtype = '*';
  } else {
    return skip(input, i);
  }
  if (type === '' || subtype === '' || (type === '*' && subtype !== '*')) return skip(input, i);

  let params: Map<string, string> | undefined;
  let charset: string | undefined;
  let q = 1;
  let afterWeight = false;
  for (;;) {
    while (i < n && isOws(input.charCodeAt(i))) i++;
    if (i >= n || input.charCodeAt(i) === 0x2c) break;
    if (input.charCodeAt(i) !== 0x3b) return skip(input, i);
    i++;
    while (i < n && isOws(input.charCodeAt(i))) i++;
    const code = i < n ? input.charCodeAt(i) : 0x2c;
    if (code === 0x3b || code === 0x2c) continue; // empty parameter, allowed by `*( OWS ";" OWS [ parameter ] )`
    const nameStart = i;
    while (i < n && isTchar(input.charCodeAt(i))) i++;
    const name = input.slice(nameStart, i).toLowerCase();
    if (name === '' || i >= n || input.charCodeAt(i) !== 0x3d) return skip(input, i);
    i++;
    let value: string;
    if (i < n && input.charCodeAt(i) === 0x22) {
      const quoted = scanQuoted(input, i);
      if (quoted === undefined) return { range: undefined, next: n };
      value = quoted.value;
      i = quoted.next;
    } else {
      const valueStart = i;
      while (i < n && isValueChar(input.charCodeAt(i))) i++;
      value = input.slice(valueStart, i);
      if (value === '') return skip(input, i);
    }
    if (afterWeight) continue;
    if (accept && name === 'q') {
      if (!QVALUE.test(value)) return skip(input, i);
      q = Number(value);
      if (q > 1) return skip(input, i);
      afterWeight = true;
    } else if (name === 'charset') {
      charset = value.toLowerCase();
    } else {
      params ??= new Map();
      params.set(name, value);
    }
  }
  return { range: { type, subtype, params: params ?? NO_PARAMS, charset, q }, next: i };
}

function scanQuoted(input: string, start: number): { value: string; next: number } | undefined {
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (code === 0x22) return { value, next: i + 1 };
    if (code === 0x5c) {
      i++;
      if (i >= input.length) return undefined;
    }
    value += input[i];
    i++;
  }
  return undefined;
}

// Drop a malformed element: move past the next comma that is not inside a quoted string.
function skip(input: string, from: number): ScannedElement {
  let i = from;
  let quoted = false;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (quoted) {
      if (code === 0x5c) i++;
      else if (code === 0x22) quoted = false;
    } else if (code === 0x22) {
      quoted = true;
    } else if (code === 0x2c) {
      break;
    }
    i++;
  }
  return { range: undefined, next: i };
}
