import { describe, expect, it } from 'vitest';
import {
  addUnits,
  compileDateFormats,
  DEFAULT_DATE_FORMAT,
  floorTo,
  parseKeepAlive,
  parseTimeValue,
  parseTimeZone,
  resolveDateMath,
  UTC,
} from './dates.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const formats = compileDateFormats(DEFAULT_DATE_FORMAT)!;
const resolve = (text: string | number, roundUp = false, zone = UTC) =>
  iso(resolveDateMath(text, { formats, roundUp, zone, now: Date.UTC(2024, 5, 15, 13, 45, 30, 123) }));

describe('resolveDateMath', () => {
  it('parses full and partial ISO dates, rounding only the missing time of day up', () => {
    expect(resolve('2020')).toBe('2020-01-01T00:00:00.000Z');
    expect(resolve('2020', true)).toBe('2020-01-01T23:59:59.999Z');
    expect(resolve('2020-02', true)).toBe('2020-02-01T23:59:59.999Z');
    expect(resolve('2020-05-17', true)).toBe('2020-05-17T23:59:59.999Z');
    expect(resolve('2020-05-17T10', true)).toBe('2020-05-17T10:59:59.999Z');
    expect(resolve('2020-05-17T10:30:15.5Z')).toBe('2020-05-17T10:30:15.500Z');
    expect(resolve('2020-05-17T10:30:00+02:00')).toBe('2020-05-17T08:30:00.000Z');
  });

  it('reads numbers as epoch milliseconds', () => {
    expect(resolve(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(resolve('1590000000000')).toBe('2020-05-20T18:40:00.000Z');
  });

  it('applies date math with rounding to the start or end of the unit', () => {
    expect(resolve('now')).toBe('2024-06-15T13:45:30.123Z');
    expect(resolve('now-1y/y')).toBe('2023-01-01T00:00:00.000Z');
    expect(resolve('now-1y/y', true)).toBe('2023-12-31T23:59:59.999Z');
    expect(resolve('now/d+2h')).toBe('2024-06-15T02:00:00.000Z');
    expect(resolve('2020-01-31||+1M')).toBe('2020-02-29T00:00:00.000Z');
    expect(resolve('2020-01-01||-1d/M')).toBe('2019-12-01T00:00:00.000Z');
    expect(resolve('now/w')).toBe('2024-06-10T00:00:00.000Z');
  });

  it('rounds in the time zone when one is given', () => {
    const paris = parseTimeZone('Europe/Paris')!;
    expect(resolve('2020-07-01', false, paris)).toBe('2020-06-30T22:00:00.000Z');
    expect(resolve('2020-01-01T12:00:00Z||/d', false, paris)).toBe('2019-12-31T23:00:00.000Z');
  });

  it('rejects text that is no date', () => {
    expect(resolve('yesterday')).toBeUndefined();
    expect(resolve('2020-13-01')).toBeUndefined();
    expect(resolve('2021-02-29')).toBeUndefined();
    expect(resolve('now+1x')).toBeUndefined();
  });
});

describe('compileDateFormats', () => {
  it('compiles named formats and Java patterns, printing with the first', () => {
    const [f] = compileDateFormats('dd/MM/yyyy HH:mm||epoch_millis')!;
    expect(iso(f!.parse('05/03/2021 14:30', false, UTC))).toBe('2021-03-05T14:30:00.000Z');
    expect(f!.format(Date.UTC(2021, 2, 5, 14, 30), UTC)).toBe('05/03/2021 14:30');
    expect(compileDateFormats('strict_date_optional_time')![0]!.format(Date.UTC(2020, 0, 1), parseTimeZone('+01:00')!)).toBe(
      '2020-01-01T01:00:00.000+01:00',
    );
    expect(compileDateFormats('epoch_second')![0]!.parse('10', false, UTC)).toBe(10_000);
  });

  it('refuses pattern letters it does not know', () => {
    expect(compileDateFormats('EEE, dd MMM yyyy')).toBeUndefined();
    expect(compileDateFormats('')).toBeUndefined();
  });
});

describe('calendar helpers', () => {
  it('floors and adds calendar units', () => {
    const t = Date.UTC(2021, 7, 18, 15, 7, 9);
    expect(iso(floorTo(t, 'q', UTC))).toBe('2021-07-01T00:00:00.000Z');
    expect(iso(floorTo(t, 'w', UTC))).toBe('2021-08-16T00:00:00.000Z');
    expect(iso(addUnits(Date.UTC(2021, 0, 31), 1, 'M', UTC))).toBe('2021-02-28T00:00:00.000Z');
    expect(iso(addUnits(Date.UTC(2021, 2, 27, 12), 1, 'd', parseTimeZone('Europe/Paris')!))).toBe('2021-03-28T11:00:00.000Z');
  });

  it('parses time zones, time values and keep-alive values', () => {
    expect(parseTimeZone('-05:30')!.offsetAt(0)).toBe(-330 * 60_000);
    expect(parseTimeZone('Not/AZone')).toBeUndefined();
    expect(parseTimeZone('+25:00')).toBeUndefined();
    expect(parseTimeValue('90m')).toBe(5_400_000);
    expect(parseTimeValue('1M')).toBeUndefined();
    expect(parseKeepAlive('1m')).toBe(60_000);
    expect(parseKeepAlive('5000nanos')).toBe(1);
    expect(parseKeepAlive('forever')).toBeUndefined();
  });
});
