/**
 * @module test/helpers/redis
 * A private Redis from Debian's package (`/usr/bin/redis-server`, or `REDIS_SERVER_PATH`) for a
 * test: on a free loopback port, in a temporary directory, with no persistence, run in the
 * foreground as a child process, ready once it answers PING, and stopped by its PID. A missing
 * redis-server is a clear failure, never a skip.
 *
 * @example
 * const redis = await startRedis();
 * // REDIS_URL=redis.url …
 * await redis.stop();
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePorts } from './nginx.ts';
import { spawnWatched } from './watchdog.ts';

export const REDIS_SERVER_PATH = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  port: number;
  pid: number;
  /** its temporary directory (removed by stop, or by the watchdog if this process dies) */
  dir: string;
  /** a connected client (closed by stop) */
  client: Redis;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER_PATH)) {
    throw new Error(`${REDIS_SERVER_PATH} is missing: install Debian's redis-server package (apt-get install redis-server), or set REDIS_SERVER_PATH`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-redis-'));
  for (let attempt = 0; ; attempt++) {
    const [port] = await freePorts(1);
    // under the watchdog: if this process dies (even kill -9), redis-server is ended and its
    // directory removed
    const { child, pid, exited, output: printed } = await spawnWatched(
      REDIS_SERVER_PATH,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { dir, signal: 'TERM' },
    );
    const url = `redis://127.0.0.1:${port}`;
    const ready = await waitForPing(port, exited);
    if (ready) {
      return {
        url,
        port: port!,
        pid,
        dir,
        client: ready,
        async stop() {
          ready.disconnect();
          await stopChild(child, pid, exited);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child, pid, exited);
    const output = printed();
    // another process took the port between our check and redis' bind: try another
    if (attempt < 3 && /Address already in use/i.test(output)) continue;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start on port ${port}:\n${output}`);
  }
}

/** poll PING until it answers PONG (a client), or the server exits / 10 s pass (null) */
async function waitForPing(port: number | undefined, exited: Promise<number | null>): Promise<Redis | null> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  while (!gone && Date.now() < deadline) {
    const c = new Redis({ port: port!, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return c;
    } catch {
      // not listening yet
    }
    c.disconnect();
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** SIGTERM to redis-server (its PID, not the watchdog's), SIGKILL after 5 s; the watchdog exits with it */
async function stopChild(child: ChildProcess, pid: number, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // gone meanwhile
    }
  };
  signal('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
  child.stdin?.destroy();
}
