import { describe, expect, it } from 'vitest';
import { ConfigError } from './define-config.js';
import { parseTokens, readEnvironment } from './environment.js';

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('readEnvironment', () => {
  it('reads every variable it knows', () => {
    expect(
      readEnvironment({
        PORT: '8080',
        HOST: '0.0.0.0',
        RECORDKIT_DATA_DIR: '/data',
        RECORDKIT_BASE_URL: 'https://api.example.org/v1',
        DATABASE_URL: 'postgres://u:p@db/recordkit',
        ELASTICSEARCH_URL: 'http://es:9200',
        REDIS_URL: 'redis://cache:6379',
        RECORDKIT_TOKENS: 'tok-alice-1:alice:curator',
        RECORDKIT_CORS_ORIGINS: 'https://a.example, https://b.example:8443/',
        LOG_LEVEL: 'DEBUG',
      }),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/data',
      baseUrl: 'https://api.example.org/v1',
      databaseUrl: 'postgres://u:p@db/recordkit',
      elasticsearchUrl: 'http://es:9200',
      redisUrl: 'redis://cache:6379',
      tokens: [{ token: 'tok-alice-1', user: 'alice', roles: ['curator'] }],
      corsOrigins: ['https://a.example', 'https://b.example:8443'],
      logLevel: 'debug',
    });
  });

  it('ignores unset and empty variables', () => {
    expect(readEnvironment({ PORT: '', HOST: '  ' })).toEqual({});
  });

  it('names each malformed variable', () => {
    expect(
      issues(() =>
        readEnvironment({
          PORT: 'http',
          DATABASE_URL: 'mysql://x',
          ELASTICSEARCH_URL: 'es:9200',
          REDIS_URL: 'localhost',
          LOG_LEVEL: 'loud',
          RECORDKIT_CORS_ORIGINS: 'example.org',
        }),
      ),
    ).toEqual([
      'PORT: must be an integer from 0 to 65535, got "http"',
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'ELASTICSEARCH_URL: must be an http:// or https:// URL',
      'REDIS_URL: must be a redis:// or rediss:// URL',
      'RECORDKIT_CORS_ORIGINS: "example.org" is not an origin (scheme://host[:port])',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
    expect(issues(() => readEnvironment({ PORT: '65536' }))).toEqual(['PORT: must be an integer from 0 to 65535, got "65536"']);
  });
});

describe('parseTokens', () => {
  it('parses users, several roles and no roles', () => {
    expect(parseTokens('s3cret-token-1:alice:curator+admin, guest-token-22:bob ,third-token-3:carol:')).toEqual([
      { token: 's3cret-token-1', user: 'alice', roles: ['curator', 'admin'] },
      { token: 'guest-token-22', user: 'bob', roles: [] },
      { token: 'third-token-3', user: 'carol', roles: [] },
    ]);
  });

  it('names the bad entry by position and never repeats the token', () => {
    const secret = 'very-secret-token';
    const found = issues(() => parseTokens(`ok-token-123:alice,${secret},short:bob,${secret}:b@d user,${secret}:carol:cu rator,`));
    expect(found).toEqual([
      'RECORDKIT_TOKENS (entry 2): must be <token>:<user>:<role>+<role> (roles optional)',
      'RECORDKIT_TOKENS (entry 3): the token must be at least 8 characters of A-Z a-z 0-9 . _ ~ + / = -',
      'RECORDKIT_TOKENS (entry 4): the user "b@d user" must be non-empty and use A-Z a-z 0-9 . _ @ -',
      'RECORDKIT_TOKENS (entry 5): the role "cu rator" must be non-empty and use A-Z a-z 0-9 . _ -',
      'RECORDKIT_TOKENS (entry 6): is empty (remove the extra comma)',
    ]);
    expect(found.join('\n')).not.toContain(secret);
  });
});
