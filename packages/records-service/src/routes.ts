/**
 * An item route template: a path with one `:pid` placeholder (one path segment, Invenio's `pid`
 * converter) or one trailing `*pid` (the rest of the path, slashes included: Invenio's `pidpath`, for
 * DOIs such as `10.1234/abc`).
 */
export interface ItemRoute {
  readonly template: string;
  /** The PID value in `path` (percent-decoded), or undefined when the path is not this route. */
  match(path: string): string | undefined;
  /** The path of a PID value (percent-encoded; slashes kept for `*pid`). */
  build(pidValue: string): string;
}

const SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=:@%]*$/;

function checkStatic(part: string, label: string): void {
  for (const segment of part.split('/')) {
    if (!SEGMENT.test(segment)) throw new TypeError(`${label}: "${segment}" is not a valid path segment`);
  }
}

/** Check a list route: an absolute path, e.g. `/records/`. */
export function checkListRoute(route: unknown, label: string): string {
  if (typeof route !== 'string' || !route.startsWith('/'))
    throw new TypeError(`${label}: must be a path starting with "/", e.g. "/records/"`);
  if (route.includes(':') || route.includes('*')) throw new TypeError(`${label}: a list route has no placeholders`);
  checkStatic(route, label);
  return route;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Compile an item route template.
 *
 * @example
 * compileItemRoute('/records/:pid').match('/records/42'); // '42'
 * compileItemRoute('/dois/*pid').match('/dois/10.1234/abc'); // '10.1234/abc'
 */
export function compileItemRoute(template: unknown, label = 'itemRoute'): ItemRoute {
  if (typeof template !== 'string' || !template.startsWith('/')) {
    throw new TypeError(`${label}: must be a path starting with "/" with a :pid or *pid placeholder, e.g. "/records/:pid"`);
  }
  const single = template.indexOf(':pid');
  const rest = template.indexOf('*pid');
  if (single < 0 === rest < 0 || template.indexOf(':pid', single + 1) > 0 || template.indexOf('*pid', rest + 1) > 0) {
    throw new TypeError(`${label}: "${template}" needs exactly one :pid or *pid placeholder`);
  }
  const at = single >= 0 ? single : rest;
  const prefix = template.slice(0, at);
  const suffix = template.slice(at + 4);
  if (!prefix.endsWith('/')) throw new TypeError(`${label}: the placeholder must start a path segment in "${template}"`);
  if (rest >= 0 && suffix !== '') throw new TypeError(`${label}: *pid must end the route "${template}"`);
  if (suffix !== '' && !suffix.startsWith('/')) throw new TypeError(`${label}: the placeholder must end a path segment in "${template}"`);
  checkStatic(prefix, label);
  checkStatic(suffix, label);
  const slashes = rest >= 0;
  return {
    template,
    match(path) {
      if (!path.startsWith(prefix) || !path.endsWith(suffix) || path.length <= prefix.length + suffix.length) return undefined;
      const raw = path.slice(prefix.length, path.length - suffix.length);
      if (!slashes && raw.includes('/')) return undefined;
      if (slashes && raw.split('/').some((segment) => segment === '')) return undefined;
      const value = decode(raw);
      return value === undefined || value === '' ? undefined : value;
    },
    build(pidValue) {
      const encoded = slashes ? pidValue.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(pidValue);
      return `${prefix}${encoded}${suffix}`;
    },
  };
}
