import { trimOws } from './headers.js';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// HTTP-date years are four digits (RFC 9110 §5.6.7), so these are the representable instants.
const MIN_TIME = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_TIME = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** `count` ASCII digits at `start` as a number, or -1. */
function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return -1;
    n = n * 10 + (code - 0x30);
  }
  return n;
}

/** `HH:MM:SS` at `start` as seconds since midnight (second 60 allowed for a leap second), or -1. */
function timeOfDay(text: string, start: number): number {
  if (text[start + 2] !== ':' || text[start + 5] !== ':') return -1;
  const hour = digits(text, start, 2);
  const minute = digits(text, start + 3, 2);
  const second = digits(text, start + 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1;
  return hour * 3600 + minute * 60 + second;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// 400 Gregorian years are exactly 146097 days; shifting by them keeps the calendar and avoids Date.UTC's
// mapping of years 0-99 to 1900-1999.
const FOUR_CENTURIES = 146_097 * 864e5;

/** Milliseconds since the epoch of a calendar date and time, or NaN when the day does not exist in that month. */
function utc(year: number, month: number, day: number, seconds: number): number {
  if (month < 0 || day < 1) return Number.NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 1 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0))) return Number.NaN; // 31 Apr, 29 Feb 2001, ...
  const midnight = year < 100 ? Date.UTC(year + 400, month, day) - FOUR_CENTURIES : Date.UTC(year, month, day);
  return midnight + seconds * 1000;
}

/**
 * Parse an HTTP-date (RFC 9110 §5.6.7) in any of its three formats, already trimmed; NaN when the text
 * is none of them. Stricter than `Date.parse`, which also accepts ISO 8601 and local times that HTTP forbids.
 */
export function parseHttpDate(text: string, now?: number): number {
  const comma = text.indexOf(',');
  if (comma === 3) {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    if (text.length !== 29 || !DAY_NAMES.includes(text.slice(0, 3))) return Number.NaN;
    if (text[4] !== ' ' || text[7] !== ' ' || text[11] !== ' ' || text[16] !== ' ' || !text.endsWith(' GMT')) return Number.NaN;
    const day = digits(text, 5, 2);
    const month = MONTHS.indexOf(text.slice(8, 11));
    const year = digits(text, 12, 4);
    const seconds = timeOfDay(text, 17);
    if (year < 0 || seconds < 0) return Number.NaN;
    return utc(year, month, day, seconds);
  }
  if (comma > 3) {
    // obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    if (text.length !== comma + 24 || !LONG_DAY_NAMES.includes(text.slice(0, comma))) return Number.NaN;
    const at = comma + 2;
    if (text[comma + 1] !== ' ' || text[at + 2] !== '-' || text[at + 6] !== '-' || text[at + 9] !== ' ' || !text.endsWith(' GMT')) {
      return Number.NaN;
    }
    const day = digits(text, at, 2);
    const month = MONTHS.indexOf(text.slice(at + 3, at + 6));
    const twoDigitYear = digits(text, at + 7, 2);
    const seconds = timeOfDay(text, at + 10);
    if (twoDigitYear < 0 || seconds < 0) return Number.NaN;
    // RFC 9110 §5.6.7: a year more than 50 years in the future is the most recent past year with those digits.
    const thisYear = new Date(now ?? Date.now()).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + twoDigitYear;
    if (year > thisYear + 50) year -= 100;
    return utc(year, month, day, seconds);
  }
  if (comma === -1) {
    // obsolete asctime: Sun Nov  6 08:49:37 1994
    if (text.length !== 24 || !DAY_NAMES.includes(text.slice(0, 3))) return Number.NaN;
    if (text[3] !== ' ' || text[7] !== ' ' || text[10] !== ' ' || text[19] !== ' ') return Number.NaN;
    const month = MONTHS.indexOf(text.slice(4, 7));
    const day = text[8] === ' ' ? digits(text, 9, 1) : digits(text, 8, 2);
    const seconds = timeOfDay(text, 11);
    const year = digits(text, 20, 4);
    if (day < 0 || year < 0 || seconds < 0) return Number.NaN;
    return utc(year, month, day, seconds);
  }
  return Number.NaN;
}

/** Whole seconds: HTTP dates have no fractions, so comparisons happen at second precision. */
function toSeconds(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

/**
 * The instant of a date-like value in whole seconds, as `HttpDate.from(value).time` without the object.
 * @throws RangeError as {@link HttpDate.from} does.
 */
export function httpDateTime(value: Date | number | string | HttpDate): number {
  if (typeof value === 'string' || value instanceof HttpDate) return HttpDate.from(value).time;
  const time = typeof value === 'number' ? value : value.getTime();
  if (!Number.isFinite(time) || time < MIN_TIME || time > MAX_TIME) {
    throw new RangeError(`Not a date an HTTP-date can express (years 0000-9999): ${String(value)}`);
  }
  return toSeconds(time);
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) at second precision: the value of Last-Modified, If-Modified-Since,
 * If-Unmodified-Since. `from()` and `toString()` round-trip through the preferred IMF-fixdate format;
 * `parse()` reads a request header, accepts the two obsolete formats too, and never throws.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7 RFC 9110 §5.6.7 Date/Time Formats
 * @example
 * const date = HttpDate.from('Sun, 06 Nov 1994 08:49:37 GMT');
 * date.toString(); // 'Sun, 06 Nov 1994 08:49:37 GMT'
 * HttpDate.parse('Sunday, 06-Nov-94 08:49:37 GMT')?.time === date.time; // true
 */
export class HttpDate {
  /** Milliseconds since the epoch, a whole number of seconds. */
  readonly time: number;

  private constructor(time: number) {
    this.time = time;
  }

  /**
   * An HTTP date from a `Date`, epoch milliseconds or an HTTP-date string. Fractions of a second are
   * dropped.
   *
   * @throws RangeError for an invalid `Date`, a number outside years 0000-9999, or a string that is not
   * an HTTP-date; use {@link HttpDate.parse} for values that come from a request.
   * @example
   * HttpDate.from(new Date('1994-11-06T08:49:37.250Z')).toString(); // 'Sun, 06 Nov 1994 08:49:37 GMT'
   */
  static from(value: Date | number | string | HttpDate): HttpDate {
    if (value instanceof HttpDate) return value;
    if (typeof value === 'string') {
      const parsed = HttpDate.parse(value);
      if (!parsed) throw new RangeError(`Not an HTTP-date (RFC 9110 §5.6.7): ${JSON.stringify(value)}`);
      return parsed;
    }
    return new HttpDate(httpDateTime(value));
  }

  /**
   * Read an HTTP-date header value; `undefined` when it is absent, not one of the three HTTP-date
   * formats, or a list of dates (RFC 9110 §13.1.3 and §13.1.4 say to ignore such fields). Never throws.
   * `now` decides the century of the obsolete RFC 850 format's two-digit year.
   *
   * @example
   * HttpDate.parse('Sun Nov  6 08:49:37 1994')?.toString(); // 'Sun, 06 Nov 1994 08:49:37 GMT'
   * HttpDate.parse('1994-11-06T08:49:37Z'); // undefined (ISO 8601 is not an HTTP-date)
   */
  static parse(value: string | readonly string[] | null | undefined, now?: number): HttpDate | undefined {
    if (typeof value !== 'string') return value?.length === 1 && value[0] !== undefined ? HttpDate.parse(value[0], now) : undefined;
    const time = parseHttpDate(trimOws(value), now);
    return Number.isNaN(time) ? undefined : new HttpDate(time);
  }

  /** The date as a `Date`. */
  toDate(): Date {
    return new Date(this.time);
  }

  /** IMF-fixdate, the form every sender must generate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
  toString(): string {
    return formatHttpDate(this.time);
  }

  /** IMF-fixdate, so `JSON.stringify` shows what goes on the wire. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Format a date as an IMF-fixdate (RFC 9110 §5.6.7) for `Last-Modified`, `Date` or `Expires`; fractions
 * of a second are dropped.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.8.2 RFC 9110 §8.8.2 Last-Modified
 * @throws RangeError for an invalid date or one outside years 0000-9999.
 * @example
 * formatHttpDate(new Date('1994-11-15T12:45:26Z')); // 'Tue, 15 Nov 1994 12:45:26 GMT'
 */
export function formatHttpDate(date: Date | number): string {
  const time = typeof date === 'number' ? date : date.getTime();
  if (!Number.isFinite(time) || time < MIN_TIME || time > MAX_TIME) {
    throw new RangeError(`Not a date an HTTP-date can express (years 0000-9999): ${String(date)}`);
  }
  const d = new Date(time);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${DAY_NAMES[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`
  );
}
