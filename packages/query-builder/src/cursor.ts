import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FieldValue } from './dsl.js';

/** What a search cursor carries (see docs/decisions/032-search-cursor.md). */
export interface CursorPayload {
  /** Sort values of the last hit of the previous page (Elasticsearch `search_after`). */
  values: FieldValue[];
  /** How many hits come before the page the cursor opens (0-based index of its first hit). */
  position: number;
  /** Fingerprint of the search the cursor belongs to: query, filters and sort. */
  fingerprint: string;
  /** When the cursor was made, in seconds since the epoch. */
  issuedAt: number;
}

/** Why a cursor was refused; each is a 400 naming `cursor`. */
export type CursorProblem = 'malformed' | 'tampered' | 'expired' | 'stale';

/**
 * A cursor that cannot be used. `problem` says why; `message` is the text for the client.
 *
 * @example
 * try { codec.decode(token, { fingerprint }); } catch (e) { if (e instanceof CursorError) e.problem; // 'stale'
 * }
 */
export class CursorError extends Error {
  readonly problem: CursorProblem;

  constructor(problem: CursorProblem) {
    super(CURSOR_MESSAGES[problem]);
    this.name = 'CursorError';
    this.problem = problem;
  }
}

const CURSOR_MESSAGES: Record<CursorProblem, string> = {
  malformed: 'The cursor is not valid. Use the cursor from a "next" link unchanged.',
  tampered: 'The cursor is not valid. Use the cursor from a "next" link unchanged.',
  expired: 'The cursor has expired. Start again from the first page.',
  stale: 'The cursor belongs to a different search (the query, filters or sort changed). Start again from the first page.',
};

/**
 * The longest cursor accepted; anything longer is malformed without further work.
 *
 * @example
 * if (token.length > MAX_CURSOR_LENGTH) throw new CursorError('malformed');
 */
export const MAX_CURSOR_LENGTH = 4096;

const SIGNATURE_BYTES = 16;

/**
 * Signs and checks cursors with HMAC-SHA256, so a client cannot forge or edit one. The secret must be
 * the same in every process that serves an endpoint; without one, a random secret is made (cursors then
 * stop working after a restart, as a 400 asking to start again).
 *
 * @example
 * const codec = new CursorCodec({ secret: process.env.CURSOR_SECRET });
 * const token = codec.encode({ values: [1700000000000, 'rec-9'], position: 10000, fingerprint: 'f', issuedAt: 1 });
 * codec.decode(token).position; // 10000
 */
export class CursorCodec {
  readonly #key: Buffer;
  readonly #maxAgeSeconds: number | undefined;

  constructor(options: { secret?: string | Uint8Array; maxAgeSeconds?: number } = {}) {
    this.#key = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
    if (!this.#key.length) throw new TypeError('The cursor secret must not be empty');
    this.#maxAgeSeconds = options.maxAgeSeconds;
  }

  /** Make the opaque token for a payload. */
  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify([payload.values, payload.position, payload.fingerprint, payload.issuedAt])).toString(
      'base64url',
    );
    return `${body}.${this.#sign(body).toString('base64url')}`;
  }

  /**
   * Read a token, checking its signature, shape and age; `fingerprint`, when given, must match.
   * Throws {@link CursorError}.
   */
  decode(token: string, expected: { fingerprint?: string; now?: number } = {}): CursorPayload {
    if (token.length > MAX_CURSOR_LENGTH) throw new CursorError('malformed');
    const parts = token.split('.');
    if (parts.length !== 2) throw new CursorError('malformed');
    const [body, signature] = parts as [string, string];
    const given = Buffer.from(signature, 'base64url');
    const wanted = this.#sign(body);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new CursorError('tampered');
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new CursorError('malformed');
    }
    const payload = toPayload(data);
    if (!payload) throw new CursorError('malformed');
    const now = expected.now ?? Math.floor(Date.now() / 1000);
    if (this.#maxAgeSeconds !== undefined && now - payload.issuedAt > this.#maxAgeSeconds) throw new CursorError('expired');
    if (expected.fingerprint !== undefined && payload.fingerprint !== expected.fingerprint) throw new CursorError('stale');
    return payload;
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }
}

const isFieldValue = (v: unknown) =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function toPayload(data: unknown): CursorPayload | undefined {
  if (!Array.isArray(data) || data.length !== 4) return undefined;
  const [values, position, fingerprint, issuedAt] = data as unknown[];
  if (!Array.isArray(values) || !values.every(isFieldValue)) return undefined;
  if (!Number.isSafeInteger(position) || (position as number) < 0) return undefined;
  if (typeof fingerprint !== 'string' || !Number.isSafeInteger(issuedAt)) return undefined;
  return { values: values as FieldValue[], position: position as number, fingerprint, issuedAt: issuedAt as number };
}

/**
 * A short, stable fingerprint of the parts of a search that decide which hits come in which order.
 *
 * @example
 * searchFingerprint(['title:x', '-year', [['type', 'book']]]); // 'Xq3...' (16 characters)
 */
export function searchFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}
