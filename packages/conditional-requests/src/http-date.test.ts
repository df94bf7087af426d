import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHttpDate, HttpDate } from './http-date.js';

const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37); // the RFC 9110 §5.6.7 example instant
const NOW = Date.UTC(2026, 0, 1);

describe('HttpDate', () => {
  // RFC 9110 §5.6.7: the preferred format and the two obsolete ones, all the same instant.
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['obsolete RFC 850 format', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['obsolete asctime format', 'Sun Nov  6 08:49:37 1994'],
  ])('parses the %s example of RFC 9110 §5.6.7', (_, text) => {
    expect(HttpDate.parse(text, NOW)?.time).toBe(EXAMPLE);
  });

  it('parses the If-Modified-Since and Last-Modified examples of RFC 9110', () => {
    expect(HttpDate.parse('Sat, 29 Oct 1994 19:43:31 GMT')?.time).toBe(Date.UTC(1994, 9, 29, 19, 43, 31));
    expect(HttpDate.parse('Tue, 15 Nov 1994 12:45:26 GMT')?.time).toBe(Date.UTC(1994, 10, 15, 12, 45, 26));
  });

  it('reads a two-digit year more than 50 years ahead as the past century (RFC 9110 §5.6.7)', () => {
    expect(HttpDate.parse('Thursday, 01-Jan-70 00:00:00 GMT', NOW)?.time).toBe(Date.UTC(2070, 0, 1));
    expect(HttpDate.parse('Friday, 01-Jan-77 00:00:00 GMT', NOW)?.time).toBe(Date.UTC(1977, 0, 1));
    expect(HttpDate.parse('Saturday, 01-Jan-00 00:00:00 GMT', NOW)?.time).toBe(Date.UTC(2000, 0, 1));
  });

  it('reads a two-digit asctime day with or without the leading space', () => {
    expect(HttpDate.parse('Wed Nov 16 08:49:37 1994')?.time).toBe(Date.UTC(1994, 10, 16, 8, 49, 37));
  });

  it('accepts years below 100 literally, not as 19xx', () => {
    expect(HttpDate.parse('Sat, 01 Jan 0050 00:00:00 GMT')?.toDate().getUTCFullYear()).toBe(50);
  });

  it('accepts a leap second', () => {
    expect(HttpDate.parse('Sat, 31 Dec 2016 23:59:60 GMT')?.time).toBe(Date.UTC(2017, 0, 1));
  });

  it.each([
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['a date without zone (Date.parse reads it as local time)', 'Sun, 06 Nov 1994 08:49:37'],
    ['another zone', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['lower-case month', 'Sun, 06 nov 1994 08:49:37 GMT'],
    ['unknown day name', 'Sux, 06 Nov 1994 08:49:37 GMT'],
    ['single-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['31 April', 'Thu, 31 Apr 1994 08:49:37 GMT'],
    ['29 February in a common year', 'Thu, 29 Feb 2001 08:49:37 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['day 0', 'Sun, 00 Nov 1994 08:49:37 GMT'],
    ['a list of two dates', 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT'],
    ['plain text', 'yesterday'],
    ['a number', '784111777'],
    ['empty', ''],
  ])('ignores %s (parse returns undefined; from throws RangeError)', (_, text) => {
    expect(HttpDate.parse(text)).toBeUndefined();
    expect(() => HttpDate.from(text)).toThrow(RangeError);
  });

  it('ignores repeated field lines, which are a list of dates', () => {
    const date = 'Sun, 06 Nov 1994 08:49:37 GMT';
    expect(HttpDate.parse([date, date])).toBeUndefined();
    expect(HttpDate.parse([date])?.time).toBe(EXAMPLE);
    expect(HttpDate.parse(undefined)).toBeUndefined();
    expect(HttpDate.parse(null)).toBeUndefined();
  });

  it('trims surrounding whitespace', () => {
    expect(HttpDate.parse(' \tSun, 06 Nov 1994 08:49:37 GMT ')?.time).toBe(EXAMPLE);
  });

  it('from() drops fractions of a second and formats IMF-fixdate', () => {
    const date = HttpDate.from(new Date(EXAMPLE + 999));
    expect(date.time).toBe(EXAMPLE);
    expect(date.toString()).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(date.toDate()).toEqual(new Date(EXAMPLE));
    expect(JSON.stringify(date)).toBe('"Sun, 06 Nov 1994 08:49:37 GMT"');
    expect(HttpDate.from(date)).toBe(date);
    expect(HttpDate.from(EXAMPLE).time).toBe(EXAMPLE);
  });

  it('from() rejects an invalid Date and dates outside years 0000-9999', () => {
    expect(() => HttpDate.from(new Date('nope'))).toThrow(RangeError);
    expect(() => HttpDate.from(Date.UTC(10000, 0, 1))).toThrow(RangeError);
    expect(() => HttpDate.from(Number.NaN)).toThrow(RangeError);
  });

  it('round-trips from() and toString() for every representable second', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const date = HttpDate.from(d);
        expect(date.time).toBe(Math.floor(d.getTime() / 1000) * 1000);
        expect(HttpDate.from(date.toString()).time).toBe(date.time);
        expect(date.toString()).toBe(formatHttpDate(d));
      }),
    );
  });

  it('parse() never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const date = HttpDate.parse(text);
        if (date) expect(Number.isInteger(date.time / 1000)).toBe(true);
      }),
    );
  });
});

describe('formatHttpDate', () => {
  it('formats IMF-fixdate, as Last-Modified wants it (RFC 9110 §8.8.2 example)', () => {
    expect(formatHttpDate(new Date('1994-11-15T12:45:26.700Z'))).toBe('Tue, 15 Nov 1994 12:45:26 GMT');
    expect(formatHttpDate(Date.UTC(2024, 1, 29))).toBe('Thu, 29 Feb 2024 00:00:00 GMT');
  });

  it('pads years to four digits', () => {
    expect(formatHttpDate(HttpDate.from('Sat, 01 Jan 0050 00:00:00 GMT').time)).toBe('Sat, 01 Jan 0050 00:00:00 GMT');
  });

  it('agrees with Date#toUTCString for four-digit years', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(formatHttpDate(d)).toBe(d.toUTCString());
      }),
    );
  });

  it('throws RangeError for an invalid date', () => {
    expect(() => formatHttpDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});
