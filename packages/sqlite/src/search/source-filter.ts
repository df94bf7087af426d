// `_source` filtering as Elasticsearch does it: include and exclude patterns on full dotted paths, `*`
// matching any characters (dots included); a pattern that names an object keeps or drops the whole
// object; arrays are filtered element by element; objects left empty by filtering disappear.

import type { JsonObject, JsonValue } from '@recordkit/records-service';
import { at, invalid, isObject, string, unsupported } from './errors.js';

/** A compiled `_source` option: `false` drops the source, `true` keeps it whole. */
export type SourceFilter = boolean | { includes: RegExp[]; includePrefixes: string[][]; excludes: RegExp[] };

/** Parse the `_source` request option. */
export function parseSourceFilter(raw: unknown): SourceFilter {
  if (raw === undefined || raw === true) return true;
  if (raw === false) return false;
  let includes: string[] = [];
  let excludes: string[] = [];
  if (typeof raw === 'string') includes = [raw];
  else if (Array.isArray(raw)) includes = raw.map((v, i) => string(v, at('_source', i)));
  else if (isObject(raw)) {
    for (const key of Object.keys(raw)) if (!['includes', 'excludes', 'include', 'exclude'].includes(key)) unsupported(at('_source', key));
    const list = (value: unknown, key: string): string[] => {
      if (value === undefined) return [];
      if (typeof value === 'string') return [value];
      if (!Array.isArray(value)) invalid(at('_source', key), 'Expected a pattern or an array of patterns.');
      return value.map((v, i) => string(v, at('_source', key, i)));
    };
    includes = [...list(raw.includes, 'includes'), ...list(raw.include, 'include')];
    excludes = [...list(raw.excludes, 'excludes'), ...list(raw.exclude, 'exclude')];
  } else {
    invalid('_source', 'Expected true, false, a pattern, an array of patterns or { includes, excludes }.');
  }
  if (includes.length === 0 && excludes.length === 0) return true;
  return {
    includes: includes.map(patternRegex),
    includePrefixes: includes.map((p) => p.split('.')),
    excludes: excludes.map(patternRegex),
  };
}

function patternRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether some include pattern could match a path below `path` (so the walk must go on). */
function mayIncludeBelow(prefixes: string[][], path: string): boolean {
  const segments = path.split('.');
  return prefixes.some((pattern) => {
    const text = pattern.join('.');
    if (text.includes('*')) {
      const fixed = text.slice(0, text.indexOf('*'));
      return path.startsWith(fixed) || fixed.startsWith(`${path}.`) || fixed === path;
    }
    return pattern.length > segments.length && segments.every((s, i) => pattern[i] === s);
  });
}

/**
 * Apply a filter to a source document.
 *
 * @example
 * applySourceFilter({ a: { b: 1, c: 2 }, d: 3 }, parseSourceFilter({ includes: ['a.*'], excludes: ['a.c'] })); // { a: { b: 1 } }
 */
export function applySourceFilter(source: JsonObject, filter: SourceFilter): JsonObject | undefined {
  if (filter === false) return undefined;
  if (filter === true) return source;
  return filterObject(source, '', filter, filter.includes.length === 0) ?? {};
}

function filterObject(
  object: JsonObject,
  prefix: string,
  filter: Exclude<SourceFilter, boolean>,
  included: boolean,
): JsonObject | undefined {
  const out: JsonObject = {};
  let kept = false;
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (filter.excludes.some((r) => r.test(path))) continue;
    const fully = included || filter.includes.some((r) => r.test(path));
    const filtered = filterValue(value, path, filter, fully);
    if (filtered !== undefined) {
      out[key] = filtered;
      kept = true;
    }
  }
  return kept || (included && Object.keys(object).length === 0) ? out : undefined;
}

function filterValue(value: JsonValue, path: string, filter: Exclude<SourceFilter, boolean>, included: boolean): JsonValue | undefined {
  if (Array.isArray(value)) {
    if (!included && !mayIncludeBelow(filter.includePrefixes, path)) return undefined;
    const items: JsonValue[] = [];
    for (const item of value) {
      const filtered = filterValue(item, path, filter, included);
      if (filtered !== undefined) items.push(filtered);
    }
    return items.length > 0 || included ? items : undefined;
  }
  if (isObject(value)) {
    if (!included && !mayIncludeBelow(filter.includePrefixes, path)) return undefined;
    return filterObject(value as JsonObject, path, filter, included);
  }
  return included ? value : undefined;
}
