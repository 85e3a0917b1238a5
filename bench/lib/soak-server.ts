/**
 * @module bench/lib/soak-server
 * The server the soak runs and kills: the real entry point (`node --import tsx server/main.ts`,
 * as `npm run serve` starts it) with a data directory and a fixed loopback port, so a restart
 * after `kill -9` comes back on the same database and address. Its output goes to a log file in
 * the data directory; it is stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killPid, REPO_ROOT } from './child.ts';

/** a free loopback port (listen on 0, close, reuse the number) */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface SoakServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  readonly starts: number;
  /** the process is running */
  readonly alive: boolean;
  start(): Promise<void>;
  /** SIGKILL, then wait until the process is gone */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) */
  stop(): Promise<void>;
}

export function soakServer(o: { dataDir: string; port: number; env?: Record<string, string>; readyTimeoutMs?: number }): SoakServer {
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let starts = 0;
  const url = `http://127.0.0.1:${o.port}`;

  async function waitReady() {
    const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the server exited while starting (see ${join(o.dataDir, 'server.log')})`);
      try {
        const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`the server did not answer in ${o.readyTimeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    port: o.port,
    url,
    get pid() {
      return proc?.pid;
    },
    get starts() {
      return starts;
    },
    get alive() {
      return !!proc && proc.exitCode === null && proc.signalCode === null;
    },
    async start() {
      const log = openSync(join(o.dataDir, 'server.log'), 'a');
      const p = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: REPO_ROOT,
        env: { ...process.env, HOST: '127.0.0.1', PORT: String(o.port), DATA_DIR: o.dataDir, ...o.env },
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      proc = p;
      exited = new Promise((resolve) => p.once('exit', () => resolve()));
      starts++;
      await waitReady();
    },
    async kill() {
      if (!proc?.pid) return;
      killPid(proc.pid, 'SIGKILL');
      await exited;
    },
    async stop() {
      if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
      killPid(proc.pid, 'SIGTERM');
      const t = setTimeout(() => proc?.pid && killPid(proc.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
