// Redis for the shared rate-limit test: the one in REDIS_URL when set (a service script's), otherwise a
// throwaway `redis-server` (Debian package `redis-server`) on a free loopback port, no persistence,
// stopped after the suite. With neither, the suite is skipped with a message naming it; under
// RECORDKIT_REQUIRE_SERVICES=1 (what scripts/test.mjs sets with CI=true) that is a failure.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether a Redis can be had: REDIS_URL, or `redis-server` to start one. */
export function redisAvailable(): boolean {
  if (process.env.REDIS_URL) return true;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.RECORDKIT_REQUIRE_SERVICES === '1') {
      throw new Error('Redis is required (RECORDKIT_REQUIRE_SERVICES=1): set REDIS_URL or install redis-server');
    }
    console.warn(
      '\n!!! @recordkit/reference: Redis rate-limit suite SKIPPED: set REDIS_URL or install redis-server (apt-get install redis-server).\n',
    );
    return false;
  }
}

/** A running Redis and how to stop it. */
export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
}

/** REDIS_URL when set (left running), else a `redis-server` on a free port of 127.0.0.1, ready for connections. */
export async function startRedis(): Promise<RedisProcess> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
