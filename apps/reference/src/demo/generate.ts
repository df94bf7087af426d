import type { DemoRecord } from './schema.js';
import {
  affiliations,
  contexts,
  descriptionSentences,
  familyNames,
  givenNames,
  languages,
  methods,
  owners,
  titlePatterns,
  topics,
  typeWeights,
} from './vocabulary.js';

/** Options of {@link generateDemoRecords}. */
export interface DemoOptions {
  /** How many records (default 1000). */
  count?: number;
  /** Seed; the same seed gives the same records on every machine and Node version (default 1). */
  seed?: number;
  /** Index of the first record (default 0): `start: 1000, count: 10` gives records 1000 to 1009. */
  start?: number;
}

/**
 * Deterministic, realistic demo records for the default schema. Record `i` depends only on the seed
 * and `i`, so `--count 100` gives the first 100 records of `--count 100000`, and a benchmark run on
 * two machines loads identical data. About 15% of records are `restricted`; owners cycle through
 * `alice`, `bob`, `carol` and `dave`.
 *
 * @example
 * for (const metadata of generateDemoRecords({ count: 3 })) console.log(metadata.title);
 */
export function* generateDemoRecords(options: DemoOptions = {}): Generator<DemoRecord> {
  const { count = 1000, seed = 1, start = 0 } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  for (let i = start; i < start + count; i++) yield demoRecord(seed, i);
}

/**
 * Demo record number `index` for a seed.
 *
 * @example
 * demoRecord(1, 0).title; // always the same string
 */
export function demoRecord(seed: number, index: number): DemoRecord {
  const random = mulberry32(hash(seed, index));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const weighted = (list: readonly [string, number][]): string => {
    const total = list.reduce((sum, [, w]) => sum + w, 0);
    let r = random() * total;
    for (const [value, w] of list) {
      r -= w;
      if (r < 0) return value;
    }
    return list[list.length - 1]![0];
  };

  const topic = pick(topics);
  const context = pick(contexts);
  const method = pick(methods);
  const title = pick(titlePatterns)(topic.phrase, context, method);

  const creatorCount = 1 + Math.floor(random() * random() * 6);
  const creators: DemoRecord['creators'] = [];
  for (let c = 0; c < creatorCount; c++) {
    const creator: DemoRecord['creators'][number] = { name: `${pick(familyNames)}, ${pick(givenNames)}` };
    if (random() < 0.8) creator.affiliation = pick(affiliations);
    if (random() < 0.4) creator.orcid = orcid(random);
    creators.push(creator);
  }

  const subjects = [...topic.subjects].filter(() => random() < 0.85);
  if (subjects.length === 0) subjects.push(topic.subjects[0]!);

  const sentences = 2 + Math.floor(random() * 3);
  const description = Array.from({ length: sentences }, () => pick(descriptionSentences)(topic.phrase, context, method))
    .filter((s, i, all) => all.indexOf(s) === i)
    .join(' ');

  // Publication dates between 1990-01-01 and 2025-12-31, more of them recent.
  const from = Date.UTC(1990, 0, 1);
  const to = Date.UTC(2025, 11, 31);
  const day = 86_400_000;
  const skew = Math.sqrt(random());
  const date = new Date(from + Math.floor((skew * (to - from)) / day) * day);

  return {
    title,
    creators,
    type: weighted(typeWeights) as DemoRecord['type'],
    subjects,
    publication_date: date.toISOString().slice(0, 10),
    description,
    language: weighted(languages),
    access: random() < 0.15 ? 'restricted' : 'public',
    owner: owners[index % owners.length]!,
  };
}

// A valid ORCID iD: 15 random digits and the ISO 7064 MOD 11-2 check character.
function orcid(random: () => number): string {
  const digits = Array.from({ length: 15 }, () => Math.floor(random() * 10));
  let total = 0;
  for (const d of digits) total = (total + d) * 2;
  const check = (12 - (total % 11)) % 11;
  const all = `${digits.join('')}${check === 10 ? 'X' : check}`;
  return `${all.slice(0, 4)}-${all.slice(4, 8)}-${all.slice(8, 12)}-${all.slice(12)}`;
}

// mulberry32: a tiny 32-bit PRNG with good enough statistics for test data. Math.random() cannot be
// seeded, and the output must not depend on the Node version (see docs/decisions/091-demo-data.md).
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mix seed and index into one 32-bit state (splitmix-style), so neighbouring records are unrelated.
function hash(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
