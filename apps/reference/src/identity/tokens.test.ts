import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRestError } from '@recordkit/rest-errors';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_TOKEN_FILE, ensureDevToken } from './dev-token.js';
import { ANONYMOUS, TokenRegistry } from './tokens.js';

describe('TokenRegistry', () => {
  const registry = new TokenRegistry([
    { token: 's3cret-token-1', user: 'alice', roles: ['curator'] },
    { token: 'reader-token-2', user: 'bob' },
  ]);

  it('maps a Bearer token to its user and roles, whatever the scheme case', () => {
    expect(registry.identify('Bearer s3cret-token-1')).toEqual({ id: 'alice', roles: ['curator'] });
    expect(registry.identify('bearer reader-token-2')).toEqual({ id: 'bob', roles: [] });
  });

  it('treats a request without Authorization as anonymous', () => {
    expect(registry.identify(undefined)).toBe(ANONYMOUS);
    expect(registry.identify('')).toBe(ANONYMOUS);
  });

  it.each([
    ['an unknown token', 'Bearer not-a-token', 'The access token is invalid.', 'Bearer realm="recordkit", error="invalid_token"'],
    ['another scheme', 'Basic YWxpY2U6cHc=', 'Only Bearer tokens are accepted in the Authorization header.', 'Bearer realm="recordkit"'],
    ['no token', 'Bearer', 'The Authorization header has no token after "Bearer".', 'Bearer realm="recordkit", error="invalid_request"'],
  ])('answers 401 with WWW-Authenticate for %s', (_case, header, message, challenge) => {
    let caught: unknown;
    try {
      registry.identify(header);
    } catch (e) {
      caught = e;
    }
    expect(isRestError(caught)).toBe(true);
    expect(caught).toMatchObject({ status: 401, message, headers: { 'WWW-Authenticate': challenge } });
  });

  it('does not keep tokens in clear', () => {
    expect(JSON.stringify([...Object.values(registry)])).not.toContain('s3cret');
    expect(registry.size).toBe(2);
  });
});

describe('ensureDevToken', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the token once, readable by the owner only, and reads it back afterwards', () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-devtoken-'));
    const first = ensureDevToken(join(dir, 'data'));
    expect(first.created).toBe(true);
    expect(first.token).toMatchObject({ user: 'admin', roles: ['curator'] });
    expect(first.token.token).toMatch(/^rk_dev_[A-Za-z0-9_-]{43}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = ensureDevToken(join(dir, 'data'));
    expect(second.created).toBe(false);
    expect(second.token.token).toBe(first.token.token);
    expect(readFileSync(join(dir, 'data', DEV_TOKEN_FILE), 'utf8').trim()).toBe(first.token.token);
  });

  it('refuses a damaged token file with a message naming it', () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-devtoken-'));
    writeFileSync(join(dir, DEV_TOKEN_FILE), 'x y\n');
    expect(() => ensureDevToken(dir)).toThrow(`${join(dir, DEV_TOKEN_FILE)} does not hold a valid token`);
  });
});
