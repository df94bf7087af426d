import { createHash } from 'node:crypto';
import { UnauthorizedError } from '@recordkit/rest-errors';
import type { TokenConfig } from '../config/types.js';

/** Who is calling: a user with roles, or anonymous (`id` null). */
export interface Identity {
  /** User id, or null when no token was sent. */
  id: string | null;
  roles: readonly string[];
}

/** The identity of a request without `Authorization`. */
export const ANONYMOUS: Identity = Object.freeze({ id: null, roles: Object.freeze([]) as readonly string[] });

/**
 * Bearer tokens mapped to users (RFC 6750). Tokens are kept only as SHA-256 digests, so a heap dump or
 * a log of this object does not reveal them, and lookup time does not depend on how much of a guessed
 * token is right.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 RFC 6750 §2.1 Authorization request header field
 * @example
 * const registry = new TokenRegistry([{ token: 's3cret-token-1', user: 'alice', roles: ['curator'] }]);
 * registry.identify('Bearer s3cret-token-1'); // { id: 'alice', roles: ['curator'] }
 */
export class TokenRegistry {
  readonly #byDigest = new Map<string, Identity>();

  constructor(tokens: readonly TokenConfig[]) {
    for (const t of tokens) this.#byDigest.set(digest(t.token), Object.freeze({ id: t.user, roles: Object.freeze([...(t.roles ?? [])]) }));
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.#byDigest.size;
  }

  /**
   * The identity for an `Authorization` header value. No header is anonymous; a scheme other than
   * Bearer, a malformed header or an unknown token is a 401 with `WWW-Authenticate` (RFC 6750 §3).
   */
  identify(authorization: string | undefined): Identity {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const match = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+(\S+))?\s*$/.exec(authorization.trim());
    if (!match || match[1]!.toLowerCase() !== 'bearer') {
      throw new UnauthorizedError('Only Bearer tokens are accepted in the Authorization header.', {
        challenge: 'Bearer realm="recordkit"',
      });
    }
    const token = match[2];
    if (token === undefined) {
      throw new UnauthorizedError('The Authorization header has no token after "Bearer".', {
        challenge: 'Bearer realm="recordkit", error="invalid_request"',
      });
    }
    const identity = this.#byDigest.get(digest(token));
    if (!identity) {
      throw new UnauthorizedError('The access token is invalid.', { challenge: 'Bearer realm="recordkit", error="invalid_token"' });
    }
    return identity;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
