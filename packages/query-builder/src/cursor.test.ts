import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorCodec, CursorError, type CursorPayload, MAX_CURSOR_LENGTH, searchFingerprint } from './cursor.js';

const payload: CursorPayload = { values: [1700000000000, 'rec-9', null, true], position: 10000, fingerprint: 'abc', issuedAt: 1000 };

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CursorError) return error.problem;
    throw error;
  }
  return 'none';
}

describe('CursorCodec', () => {
  const codec = new CursorCodec({ secret: 'test secret' });

  it('reads back what it wrote', () => {
    expect(codec.decode(codec.encode(payload))).toEqual(payload);
  });

  it('makes URL-safe tokens', () => {
    expect(codec.encode(payload)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a token signed with another secret', () => {
    const other = new CursorCodec({ secret: 'another secret' });
    expect(problem(() => codec.decode(other.encode(payload)))).toBe('tampered');
  });

  it('refuses a token whose payload was edited', () => {
    const [, signature] = codec.encode(payload).split('.');
    const forged = Buffer.from(JSON.stringify([[0], 0, 'abc', 1000])).toString('base64url');
    expect(problem(() => codec.decode(`${forged}.${signature}`))).toBe('tampered');
  });

  it('refuses any single-character change (property)', () => {
    const token = codec.encode(payload);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet.split('')), (at, c) => {
        fc.pre(token[at] !== c);
        const changed = token.slice(0, at) + c + token.slice(at + 1);
        // base64url's last character may carry unused bits; a change there can decode to the same bytes.
        const same = Buffer.from(changed.split('.')[1] ?? '', 'base64url').equals(Buffer.from(token.split('.')[1] ?? '', 'base64url'));
        fc.pre(!same || changed.split('.')[0] !== token.split('.')[0]);
        expect(['tampered', 'malformed']).toContain(problem(() => codec.decode(changed)));
      }),
    );
  });

  it('refuses garbage and overlong tokens as malformed', () => {
    expect(problem(() => codec.decode('not-a-cursor'))).toBe('malformed');
    expect(problem(() => codec.decode('a.b.c'))).toBe('malformed');
    expect(problem(() => codec.decode('x'.repeat(MAX_CURSOR_LENGTH + 1)))).toBe('malformed');
  });

  it('refuses a correctly signed payload of the wrong shape as malformed', () => {
    // The documented format: base64url(JSON) "." base64url(first 16 bytes of HMAC-SHA256(secret, body)).
    const sign = (data: unknown) => {
      const body = Buffer.from(JSON.stringify(data)).toString('base64url');
      return `${body}.${createHmac('sha256', 'test secret').update(body).digest().subarray(0, 16).toString('base64url')}`;
    };
    expect(codec.decode(sign([[1], 0, 'f', 1])).values).toEqual([1]);
    for (const data of [{ values: [] }, [[{}], 0, 'f', 1], [[1], -1, 'f', 1], [[1], 0.5, 'f', 1], [[1], 0, 7, 1], [[1], 0, 'f']]) {
      expect(problem(() => codec.decode(sign(data)))).toBe('malformed');
    }
  });

  it('refuses a cursor of another search as stale', () => {
    expect(problem(() => codec.decode(codec.encode(payload), { fingerprint: 'other' }))).toBe('stale');
    expect(codec.decode(codec.encode(payload), { fingerprint: 'abc' }).position).toBe(10000);
  });

  it('refuses an expired cursor when a maximum age is set', () => {
    const aging = new CursorCodec({ secret: 's', maxAgeSeconds: 60 });
    const token = aging.encode(payload);
    expect(aging.decode(token, { now: 1060 }).position).toBe(10000);
    expect(problem(() => aging.decode(token, { now: 1061 }))).toBe('expired');
  });

  it('works without a configured secret within one codec', () => {
    const random = new CursorCodec();
    expect(random.decode(random.encode(payload))).toEqual(payload);
    expect(problem(() => new CursorCodec().decode(random.encode(payload)))).toBe('tampered');
  });

  it('rejects an empty secret', () => {
    expect(() => new CursorCodec({ secret: '' })).toThrow(TypeError);
  });
});

describe('searchFingerprint', () => {
  it('is stable for equal parts and differs for different ones', () => {
    expect(searchFingerprint(['a', 1])).toBe(searchFingerprint(['a', 1]));
    expect(searchFingerprint(['a', 1])).not.toBe(searchFingerprint(['a', 2]));
    expect(searchFingerprint(['a'])).toHaveLength(16);
  });
});
