import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { demoRecord, generateDemoRecords } from './generate.js';
import { demoRecordSchema } from './schema.js';

describe('generateDemoRecords', () => {
  const records = [...generateDemoRecords({ count: 2000 })];

  it('produces the requested number of records, each valid against the demo schema', () => {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(demoRecordSchema);
    expect(records).toHaveLength(2000);
    for (const record of records) {
      if (!validate(record)) throw new Error(`${JSON.stringify(record)}: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it('is deterministic: the same seed gives the same records, a prefix of a longer run', () => {
    expect([...generateDemoRecords({ count: 50 })]).toEqual(records.slice(0, 50));
    expect([...generateDemoRecords({ start: 1500, count: 3 })]).toEqual(records.slice(1500, 1503));
    expect(demoRecord(1, 7)).toEqual(records[7]);
  });

  it('pins the first record, so a change of generator is a visible change of the demo data', () => {
    expect(records[0]!.title).toMatchInlineSnapshot(`"The role of software citation practices in the Alps"`);
    expect(records[0]!.publication_date).toMatchInlineSnapshot(`"2002-02-24"`);
  });

  it('gives different data for a different seed', () => {
    const other = [...generateDemoRecords({ count: 50, seed: 2 })];
    expect(other.filter((r, i) => r.title === records[i]!.title).length).toBeLessThan(10);
  });

  it('spreads records over types, languages, access levels and owners like a real repository', () => {
    const share = (pred: (r: (typeof records)[number]) => boolean) => records.filter(pred).length / records.length;
    expect(share((r) => r.access === 'restricted')).toBeGreaterThan(0.1);
    expect(share((r) => r.access === 'restricted')).toBeLessThan(0.2);
    expect(share((r) => r.type === 'article')).toBeGreaterThan(0.3);
    expect(new Set(records.map((r) => r.type)).size).toBe(8);
    expect(share((r) => r.language === 'eng')).toBeGreaterThan(0.6);
    expect(new Set(records.map((r) => r.owner))).toEqual(new Set(['alice', 'bob', 'carol', 'dave']));
    expect(new Set(records.map((r) => r.title)).size).toBeGreaterThan(1000);
  });

  it('rejects a negative count', () => {
    expect(() => [...generateDemoRecords({ count: -1 })]).toThrow(RangeError);
  });
});
