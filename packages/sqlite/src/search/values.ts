// Field values as the index stores them and as queries compare them: keywords as (optionally
// normalized) strings, numbers with the precision of their Elasticsearch type (float, half_float,
// scaled_float), dates as epoch milliseconds, booleans as 1/0.

import { fold } from './analysis.js';
import { parseWithFormats, UTC } from './dates.js';
import type { FieldDef } from './mapping.js';

const INTEGER_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER * 1024, Number.MAX_SAFE_INTEGER * 1024],
};

/** Round to the nearest IEEE half-precision value, as Elasticsearch's `half_float` stores it. */
export function toHalfFloat(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const abs = Math.abs(x);
  if (abs >= 65520) return x > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  const exponent = Math.max(Math.floor(Math.log2(abs)), -14);
  const step = 2 ** (exponent - 10);
  return Math.sign(x) * Math.round(abs / step) * step;
}

/** Apply the storage precision of a number field. */
export function storedNumber(field: FieldDef, n: number): number {
  if (field.numeric === 'float') return Math.fround(n);
  if (field.numeric === 'half_float') return toHalfFloat(n);
  if (typeof field.numeric === 'object') return Math.round(n * field.numeric.scalingFactor) / field.numeric.scalingFactor;
  return n;
}

/** Normalize a keyword value with the field's normalizer. */
export function normalizeKeyword(field: FieldDef, value: string): string {
  if (field.normalizer === 'fold') return fold(value);
  if (field.normalizer === 'lowercase') return value.toLowerCase();
  return value;
}

/** Why a value does not fit a field. */
export class ValueError extends Error {}

function asNumber(field: FieldDef, raw: unknown): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && field.coerce && raw.trim() !== '' && Number.isFinite(Number(raw))) n = Number(raw);
  else throw new ValueError(`Expected a number for the ${field.type} field [${field.path}]; got ${JSON.stringify(raw)}.`);
  if (!Number.isFinite(n)) throw new ValueError(`Expected a finite number for [${field.path}]; got ${JSON.stringify(raw)}.`);
  return n;
}

/**
 * A document value as the index stores it, or `undefined` when it is not indexed (ignore_above,
 * ignore_malformed). Throws {@link ValueError} when it does not fit the field.
 */
export function indexValue(field: FieldDef, raw: unknown): string | number | undefined {
  try {
    return convert(field, raw, 'index');
  } catch (error) {
    if (error instanceof ValueError && field.ignoreMalformed) return undefined;
    throw error;
  }
}

/** A query value converted to the stored representation; throws {@link ValueError}. */
export function queryValue(field: FieldDef, raw: unknown): string | number {
  const value = convert(field, raw, 'query');
  if (value === undefined) throw new ValueError(`No value for [${field.path}].`);
  return value;
}

function convert(field: FieldDef, raw: unknown, mode: 'index' | 'query'): string | number | undefined {
  switch (field.kind) {
    case 'keyword': {
      let text: string;
      if (typeof raw === 'string') text = raw;
      else if (typeof raw === 'number' || typeof raw === 'boolean') text = String(raw);
      else throw new ValueError(`Expected a string for the keyword field [${field.path}]; got ${JSON.stringify(raw)}.`);
      if (mode === 'index' && field.ignoreAbove !== undefined && text.length > field.ignoreAbove) return undefined;
      return normalizeKeyword(field, text);
    }
    case 'text': {
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw new ValueError(`Expected a string for the text field [${field.path}]; got ${JSON.stringify(raw)}.`);
    }
    case 'number': {
      let n = asNumber(field, raw);
      if (field.integer) {
        if (mode === 'index') n = Math.trunc(n);
        const range = INTEGER_RANGES[field.type]!;
        if (n < range[0] || n > range[1])
          throw new ValueError(`Value ${JSON.stringify(raw)} is out of range for the ${field.type} field [${field.path}].`);
      }
      return storedNumber(field, n);
    }
    case 'date': {
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string') throw new ValueError(`Expected a date for [${field.path}]; got ${JSON.stringify(raw)}.`);
      const millis = parseWithFormats(text, field.formats ?? [], false, UTC);
      if (millis === undefined) {
        throw new ValueError(
          `Failed to parse date ${JSON.stringify(text)} for [${field.path}] with format [${(field.formats ?? []).map((f) => f.name).join('||')}].`,
        );
      }
      return millis;
    }
    case 'boolean': {
      if (raw === true || raw === 'true') return 1;
      if (raw === false || raw === 'false' || (raw === '' && mode === 'index')) return 0;
      throw new ValueError(`Expected true or false for the boolean field [${field.path}]; got ${JSON.stringify(raw)}.`);
    }
    case 'completion':
      throw new ValueError(`The completion field [${field.path}] can only be used by a completion suggester.`);
  }
}
