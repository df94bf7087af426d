// Dates as Elasticsearch handles them: values are epoch milliseconds (UTC); text is parsed with the
// field's formats (default `strict_date_optional_time||epoch_millis`); date math (`now-1y/y`,
// `2020-01-01||+1M/d`); rounding up of the missing time of day and of `/unit` for `gt`/`lte` bounds; time zones
// as fixed offsets or IANA names (offsets from the platform's tz database through Intl).

/** A time zone: its name and its offset from UTC, in milliseconds, at a UTC instant. */
export interface TimeZone {
  readonly name: string;
  offsetAt(utcMillis: number): number;
}

/** UTC. */
export const UTC: TimeZone = { name: 'Z', offsetAt: () => 0 };

const zoneCache = new Map<string, TimeZone>();

/** Parse a time zone (`Z`, `UTC`, `+01:00`, `-0530`, `Europe/Paris`); `undefined` if unknown. */
export function parseTimeZone(text: string): TimeZone | undefined {
  const cached = zoneCache.get(text);
  if (cached) return cached;
  let zone: TimeZone | undefined;
  const fixed = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (text === 'Z' || text === 'UTC' || text === 'GMT' || text === 'Etc/UTC' || text === 'Etc/GMT' || text === 'UCT') {
    zone = UTC;
  } else if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    if (minutes > 18 * 60) return undefined;
    const offset = (fixed[1] === '-' ? -1 : 1) * minutes * 60_000;
    zone = { name: offset === 0 ? 'Z' : formatOffset(offset), offsetAt: () => offset };
  } else if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(text)) {
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone: text, timeZoneName: 'longOffset' });
    } catch {
      return undefined;
    }
    zone = {
      name: text,
      offsetAt(utcMillis: number) {
        const part = formatter.formatToParts(utcMillis).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
        const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
        if (!m) return 0;
        return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
      },
    };
  }
  if (zone) zoneCache.set(text, zone);
  return zone;
}

function formatOffset(offsetMillis: number): string {
  const sign = offsetMillis < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMillis) / 60_000;
  return `${sign}${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Calendar fields in local time; months are 1-12. */
interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
}

function toFields(localMillis: number): Fields {
  const d = new Date(localMillis);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
  };
}

function fromFields(f: Fields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, f.millis);
  return d.getTime();
}

/** Local wall-clock milliseconds (as if UTC) to the UTC instant in `zone`. */
function localToUtc(local: number, zone: TimeZone): number {
  const first = local - zone.offsetAt(local);
  const second = local - zone.offsetAt(first);
  return second;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// ---------------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------------

/** A date format: parse text (optionally rounding missing fields up) and print an instant. */
export interface DateFormat {
  readonly name: string;
  /** Epoch millis, or undefined when the text does not fit this format. */
  parse(text: string, roundUp: boolean, zone: TimeZone): number | undefined;
  format(millis: number, zone: TimeZone): string;
}

const ISO =
  /^([+-]?\d{4,9})(?:-(\d{1,2})(?:-(\d{1,2})(?:[Tt](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function buildFromParts(
  parts: { year: number; month?: number; day?: number; hour?: number; minute?: number; second?: number; fraction?: string; zone?: string },
  roundUp: boolean,
  zone: TimeZone,
): number | undefined {
  // Elasticsearch's round-up parser fills a missing month and day with their minimum and rounds only
  // the time of day up: `lte: "2021"` ends at 2021-01-01T23:59:59.999, not at the end of the year.
  const month = parts.month ?? 1;
  if (month < 1 || month > 12) return undefined;
  const maxDay = daysInMonth(parts.year, month);
  const day = parts.day ?? 1;
  if (day < 1 || day > maxDay) return undefined;
  const hour = parts.hour ?? (roundUp ? 23 : 0);
  const minute = parts.minute ?? (roundUp ? 59 : 0);
  const second = parts.second ?? (roundUp ? 59 : 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = parts.fraction !== undefined ? Number(parts.fraction.padEnd(3, '0').slice(0, 3)) : roundUp ? 999 : 0;
  const local = fromFields({ year: parts.year, month, day, hour, minute, second, millis });
  if (parts.zone !== undefined) {
    const z = parseTimeZone(parts.zone === 'z' ? 'Z' : parts.zone.length === 3 ? `${parts.zone}:00` : parts.zone);
    if (!z) return undefined;
    return local - z.offsetAt(local);
  }
  return localToUtc(local, zone);
}

function isoFormat(name: string, strict: boolean, requireTime: 'none' | 'optional' | 'date-only'): DateFormat {
  return {
    name,
    parse(text, roundUp, zone) {
      const m = ISO.exec(text);
      if (!m) return undefined;
      const [, y, mo, d, h, mi, s, frac, z] = m;
      if (strict && (y!.length !== 4 || (mo && mo.length !== 2) || (d && d.length !== 2) || (h && h.length !== 2))) return undefined;
      if (requireTime === 'date-only' && (h !== undefined || !d)) return undefined;
      if (requireTime === 'none' && h === undefined && z !== undefined) return undefined;
      return buildFromParts(
        {
          year: Number(y),
          ...(mo !== undefined && { month: Number(mo) }),
          ...(d !== undefined && { day: Number(d) }),
          ...(h !== undefined && { hour: Number(h) }),
          ...(mi !== undefined && { minute: Number(mi) }),
          ...(s !== undefined && { second: Number(s) }),
          ...(frac !== undefined && { fraction: frac }),
          ...(z !== undefined && { zone: z }),
        },
        roundUp,
        zone,
      );
    },
    format(millis, zone) {
      return printPattern(ISO_PRINT, millis, zone);
    },
  };
}

const epochMillis: DateFormat = {
  name: 'epoch_millis',
  parse(text) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
    return Math.trunc(Number(text));
  },
  format(millis) {
    return String(millis);
  },
};

const epochSecond: DateFormat = {
  name: 'epoch_second',
  parse(text) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
    return Math.trunc(Number(text) * 1000);
  },
  format(millis) {
    return String(Math.floor(millis / 1000));
  },
};

type PatternToken = { kind: 'field'; letter: string; width: number } | { kind: 'literal'; text: string };

const ISO_PRINT = compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")!;

/** Compile a Java DateTimeFormatter pattern made of y/u M d H m s S X Z and literals; undefined if unsupported. */
function compilePattern(pattern: string): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) return undefined;
      tokens.push({ kind: 'literal', text: end === i + 1 ? "'" : pattern.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const width = j - i;
      if (!'yuMdHmsSXZ'.includes(ch)) return undefined;
      tokens.push({ kind: 'field', letter: ch === 'u' ? 'y' : ch, width });
      i = j;
    } else {
      tokens.push({ kind: 'literal', text: ch });
      i++;
    }
  }
  return tokens;
}

function printPattern(tokens: PatternToken[], millis: number, zone: TimeZone): string {
  const offset = zone.offsetAt(millis);
  const f = toFields(millis + offset);
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') {
      out += t.text;
      continue;
    }
    switch (t.letter) {
      case 'y':
        out += t.width === 2 ? pad(f.year % 100, 2) : pad(f.year, 4);
        break;
      case 'M':
        out += pad(f.month, t.width);
        break;
      case 'd':
        out += pad(f.day, t.width);
        break;
      case 'H':
        out += pad(f.hour, t.width);
        break;
      case 'm':
        out += pad(f.minute, t.width);
        break;
      case 's':
        out += pad(f.second, t.width);
        break;
      case 'S':
        out += pad(f.millis, 3).padEnd(t.width, '0').slice(0, t.width);
        break;
      case 'X':
      case 'Z':
        if (offset === 0 && t.letter === 'X') out += 'Z';
        else {
          const s = formatOffset(offset);
          out +=
            t.width === 1 && t.letter === 'X' ? s.slice(0, 3) : t.width === 3 || (t.letter === 'X' && t.width > 2) ? s : s.replace(':', '');
        }
        break;
    }
  }
  return out;
}

function patternFormat(name: string, tokens: PatternToken[]): DateFormat {
  let source = '^';
  const groups: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'literal') {
      source += t.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    groups.push(t.letter);
    switch (t.letter) {
      case 'y':
        source += t.width === 2 ? '(\\d{2})' : '([+-]?\\d{4,9})';
        break;
      case 'S':
        source += `(\\d{1,${Math.max(t.width, 1)}})`;
        break;
      case 'X':
      case 'Z':
        source += '(Z|[+-]\\d{2}(?::?\\d{2})?)';
        break;
      default:
        source += t.width === 1 ? '(\\d{1,2})' : `(\\d{${t.width}})`;
    }
  }
  const regex = new RegExp(`${source}$`);
  return {
    name,
    parse(text, roundUp, zone) {
      const m = regex.exec(text);
      if (!m) return undefined;
      const parts: Parameters<typeof buildFromParts>[0] = { year: 1970 };
      groups.forEach((letter, i) => {
        const v = m[i + 1]!;
        if (letter === 'y') parts.year = v.length === 2 ? 2000 + Number(v) : Number(v);
        else if (letter === 'M') parts.month = Number(v);
        else if (letter === 'd') parts.day = Number(v);
        else if (letter === 'H') parts.hour = Number(v);
        else if (letter === 'm') parts.minute = Number(v);
        else if (letter === 's') parts.second = Number(v);
        else if (letter === 'S') parts.fraction = v;
        else parts.zone = v;
      });
      return buildFromParts(parts, roundUp, zone);
    },
    format(millis, zone) {
      return printPattern(tokens, millis, zone);
    },
  };
}

const NAMED: Record<string, () => DateFormat> = {
  strict_date_optional_time: () => isoFormat('strict_date_optional_time', true, 'optional'),
  date_optional_time: () => isoFormat('date_optional_time', false, 'optional'),
  epoch_millis: () => epochMillis,
  epoch_second: () => epochSecond,
  strict_date: () => patternFormat('strict_date', compilePattern('yyyy-MM-dd')!),
  date: () => patternFormat('date', compilePattern('yyyy-MM-dd')!),
  strict_year_month_day: () => patternFormat('strict_year_month_day', compilePattern('yyyy-MM-dd')!),
  year_month_day: () => patternFormat('year_month_day', compilePattern('yyyy-MM-dd')!),
  strict_year_month: () => patternFormat('strict_year_month', compilePattern('yyyy-MM')!),
  year_month: () => patternFormat('year_month', compilePattern('yyyy-MM')!),
  strict_year: () => patternFormat('strict_year', compilePattern('yyyy')!),
  year: () => patternFormat('year', compilePattern('yyyy')!),
  basic_date: () => patternFormat('basic_date', compilePattern('yyyyMMdd')!),
  strict_date_time: () => patternFormat('strict_date_time', compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")!),
  date_time: () => patternFormat('date_time', compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")!),
  strict_date_time_no_millis: () => patternFormat('strict_date_time_no_millis', compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX")!),
  date_time_no_millis: () => patternFormat('date_time_no_millis', compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX")!),
  strict_date_hour_minute_second: () => patternFormat('strict_date_hour_minute_second', compilePattern("yyyy-MM-dd'T'HH:mm:ss")!),
  date_hour_minute_second: () => patternFormat('date_hour_minute_second', compilePattern("yyyy-MM-dd'T'HH:mm:ss")!),
};

/** Elasticsearch's default date format. */
export const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

/**
 * Compile a `format` string (`||`-separated named formats or Java patterns); undefined when one of
 * them is not supported.
 */
export function compileDateFormats(spec: string): DateFormat[] | undefined {
  const formats: DateFormat[] = [];
  for (const raw of spec.split('||')) {
    const name = raw.trim();
    const named = NAMED[name];
    if (named) {
      formats.push(named());
      continue;
    }
    const tokens = compilePattern(name);
    if (!tokens?.some((t) => t.kind === 'field')) return undefined;
    formats.push(patternFormat(name, tokens));
  }
  return formats.length > 0 ? formats : undefined;
}

/** Parse with the first format that accepts the text. */
export function parseWithFormats(text: string, formats: readonly DateFormat[], roundUp: boolean, zone: TimeZone): number | undefined {
  for (const f of formats) {
    const v = f.parse(text, roundUp, zone);
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Date math
// ---------------------------------------------------------------------------------------------------

/** A date math unit: y M w d h/H m s. */
export type DateUnit = 'y' | 'M' | 'q' | 'w' | 'd' | 'h' | 'm' | 's';

/** Start of the `unit` containing `millis`, in `zone`. */
export function floorTo(millis: number, unit: DateUnit, zone: TimeZone): number {
  const f = toFields(millis + zone.offsetAt(millis));
  switch (unit) {
    case 'y':
      f.month = 1;
      f.day = 1;
      f.hour = f.minute = f.second = f.millis = 0;
      break;
    case 'q':
      f.month = f.month - ((f.month - 1) % 3);
      f.day = 1;
      f.hour = f.minute = f.second = f.millis = 0;
      break;
    case 'M':
      f.day = 1;
      f.hour = f.minute = f.second = f.millis = 0;
      break;
    case 'w': {
      const local = fromFields({ ...f, hour: 0, minute: 0, second: 0, millis: 0 });
      const weekday = (new Date(local).getUTCDay() + 6) % 7; // Monday = 0
      return localToUtc(local - weekday * 86_400_000, zone);
    }
    case 'd':
      f.hour = f.minute = f.second = f.millis = 0;
      break;
    case 'h':
      f.minute = f.second = f.millis = 0;
      break;
    case 'm':
      f.second = f.millis = 0;
      break;
    case 's':
      f.millis = 0;
      break;
  }
  return localToUtc(fromFields(f), zone);
}

/** `millis` plus `amount` units, calendar-aware for y/q/M/w/d in `zone` (days keep the wall-clock time). */
export function addUnits(millis: number, amount: number, unit: DateUnit, zone: TimeZone): number {
  switch (unit) {
    case 'h':
      return millis + amount * 3_600_000;
    case 'm':
      return millis + amount * 60_000;
    case 's':
      return millis + amount * 1000;
    default: {
      const f = toFields(millis + zone.offsetAt(millis));
      if (unit === 'y' || unit === 'M' || unit === 'q') {
        const months = f.year * 12 + (f.month - 1) + amount * (unit === 'y' ? 12 : unit === 'q' ? 3 : 1);
        f.year = Math.floor(months / 12);
        f.month = (months % 12) + 1;
        f.day = Math.min(f.day, daysInMonth(f.year, f.month));
      } else {
        const shifted = toFields(fromFields(f) + amount * (unit === 'w' ? 7 : 1) * 86_400_000);
        return localToUtc(fromFields({ ...shifted, hour: f.hour, minute: f.minute, second: f.second, millis: f.millis }), zone);
      }
      return localToUtc(fromFields(f), zone);
    }
  }
}

const MATH_OP = /([+-])(\d*)([yMwdhHms])|\/([yMwdhHms])/y;

/**
 * Resolve a date value with optional math: `now-1d/d`, `2020-01-01||+1M`, a plain date, or epoch millis.
 * `roundUp` is true for `gt` and `lte` bounds: `/unit` then rounds to the end of the unit and a partial
 * date's missing time of day to 23:59:59.999 (a missing month or day stays the first), as Elasticsearch does. Returns undefined when the text is not a date.
 */
export function resolveDateMath(
  value: string | number,
  options: { formats: readonly DateFormat[]; roundUp: boolean; zone: TimeZone; now: number },
): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  let anchor: number | undefined;
  let math: string;
  if (value.startsWith('now')) {
    anchor = options.now;
    math = value.slice(3);
  } else {
    const sep = value.indexOf('||');
    const text = sep < 0 ? value : value.slice(0, sep);
    math = sep < 0 ? '' : value.slice(sep + 2);
    anchor = parseWithFormats(text, options.formats, options.roundUp && math === '', options.zone);
  }
  if (anchor === undefined) return undefined;
  let result = anchor;
  MATH_OP.lastIndex = 0;
  let pos = 0;
  while (pos < math.length) {
    MATH_OP.lastIndex = pos;
    const m = MATH_OP.exec(math);
    if (!m) return undefined;
    pos = MATH_OP.lastIndex;
    if (m[4] !== undefined) {
      const unit = (m[4] === 'H' ? 'h' : m[4]) as DateUnit;
      const floor = floorTo(result, unit, options.zone);
      result = options.roundUp ? addUnits(floor, 1, unit, options.zone) - 1 : floor;
    } else {
      const amount = (m[2] === '' ? 1 : Number(m[2])) * (m[1] === '-' ? -1 : 1);
      result = addUnits(result, amount, (m[3] === 'H' ? 'h' : m[3]) as DateUnit, options.zone);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------------

const CALENDAR: Record<string, DateUnit> = {
  second: 's',
  '1s': 's',
  minute: 'm',
  '1m': 'm',
  hour: 'h',
  '1h': 'h',
  day: 'd',
  '1d': 'd',
  week: 'w',
  '1w': 'w',
  month: 'M',
  '1M': 'M',
  quarter: 'q',
  '1q': 'q',
  year: 'y',
  '1y': 'y',
};

/** A `calendar_interval` value to its unit; undefined if not one. */
export function calendarUnit(text: string): DateUnit | undefined {
  return CALENDAR[text];
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time value (`30d`, `12h`, `90m`, `1s`, `500ms`) in milliseconds; undefined if not one. */
export function parseTimeValue(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

/** Keep-alive values (`1m`, `30s`, `2h`, `1d`, `500ms`, also `micros`/`nanos`) in milliseconds. */
export function parseKeepAlive(text: string): number | undefined {
  const m = /^(\d+)(nanos|micros|ms|s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === 'nanos') return Math.ceil(n / 1e6);
  if (m[2] === 'micros') return Math.ceil(n / 1e3);
  return n * TIME_UNITS[m[2]!]!;
}
