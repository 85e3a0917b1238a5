/**
 * @module bench/lib/child
 * Spawning the benchmark's child processes (`node --import tsx <file>`) from the repository root,
 * reading the one JSON line each prints when ready, talking to them over IPC, and stopping them by
 * PID (SIGTERM, then SIGKILL if they linger).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Child<Ready> {
  name: string;
  proc: ChildProcess;
  pid: number;
  ready: Ready;
  /** send one IPC request and wait for the reply with the same id */
  request<T = unknown>(msg: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const live = new Set<Child<unknown>>();

/** children still running (for the last-resort cleanup) */
export const liveChildren = () => [...live];

/**
 * Start `node [nodeArgs] --import tsx <script>` and wait for its first stdout line, a JSON object
 * (anything it prints later goes to our stderr, prefixed with its name).
 */
export async function startChild<Ready>(name: string, script: string, opts: { env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<Child<Ready>> {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
  const pid = proc.pid;
  const prefix = (s: string) => s.split('\n').filter(Boolean).map((l) => `[${name}] ${l}`).join('\n') + '\n';
  proc.stderr!.on('data', (b: Buffer) => process.stderr.write(prefix(b.toString())));

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  proc.on('message', (m: { id?: number; error?: string; result?: unknown }) => {
    const p = m.id !== undefined ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id!);
    clearTimeout(p.timer);
    if (m.error) p.reject(new Error(`${name}: ${m.error}`));
    else p.resolve(m.result);
  });

  let exited = false;
  const exitP = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
      }
      pending.clear();
      resolve();
    }),
  );

  const ready = await new Promise<Ready>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready in ${opts.timeoutMs ?? 60_000} ms`)), opts.timeoutMs ?? 60_000);
    let first = true;
    rl.on('line', (line) => {
      if (!first) return void process.stderr.write(prefix(line));
      first = false;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as Ready);
      } catch {
        reject(new Error(`${name} printed ${JSON.stringify(line)} instead of its ready line`));
      }
    });
    void exitP.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready`));
    });
  }).catch(async (err) => {
    killPid(pid, 'SIGKILL');
    throw err;
  });

  const child: Child<Ready> = {
    name,
    proc,
    pid,
    ready,
    request<T>(msg: Record<string, unknown>, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        if (exited) return reject(new Error(`${name} has exited`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no reply to ${String(msg.cmd)} in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ ...msg, id });
      });
    },
    async stop() {
      live.delete(child as Child<unknown>);
      if (exited) return;
      killPid(pid, 'SIGTERM');
      const t = setTimeout(() => killPid(pid, 'SIGKILL'), 5_000);
      await exitP;
      clearTimeout(t);
    },
  };
  live.add(child as Child<unknown>);
  return child;
}

export function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** In a child: answer IPC requests `{ id, cmd, ... }` with `handlers[cmd]`. */
export function serveIpc(handlers: Record<string, (msg: any) => unknown>): void {
  process.on('message', async (msg: { id: number; cmd: string }) => {
    const h = handlers[msg.cmd];
    try {
      if (!h) throw new Error(`unknown command ${msg.cmd}`);
      const result = await h(msg);
      process.send?.({ id: msg.id, result });
    } catch (err) {
      process.send?.({ id: msg.id, error: (err as Error).stack ?? String(err) });
    }
  });
}

/** the main thread's on-CPU and run-queue waiting time in ns (Linux /proc/<pid>/schedstat), if readable */
function schedstat(): [number, number] | undefined {
  try {
    const [cpu, wait] = readFileSync(`/proc/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(cpu) && Number.isFinite(wait) ? [cpu!, wait!] : undefined;
  } catch {
    return undefined;
  }
}

export interface UsageSample {
  /** CPU time of the whole process (all threads), % of one core */
  cpuPct: number;
  /** event-loop utilisation: share of wall time the loop was not idle */
  elu: number;
  /** the main (JS) thread's own CPU time, % of wall time (NaN off Linux) */
  mainCpuPct: number;
  /** time the main thread was runnable but waiting for a core (machine contention), % of wall */
  runqPct: number;
  wallMs: number;
}

/**
 * In a child: CPU time and event-loop utilisation since the last call (for per-step figures).
 * ELU − main-thread CPU − run-queue wait ≈ time the loop spent blocked inside synchronous calls
 * (e.g. an fsync under better-sqlite3's COMMIT).
 */
export function usageMeter() {
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let t = performance.now();
  let ss = schedstat();
  return (): UsageSample => {
    const c = process.cpuUsage(cpu);
    const e = performance.eventLoopUtilization(elu);
    const now = performance.now();
    const s2 = schedstat();
    const wall = now - t;
    const main = ss && s2 ? ((s2[0] - ss[0]) / 1e6 / wall) * 100 : NaN;
    const runq = ss && s2 ? ((s2[1] - ss[1]) / 1e6 / wall) * 100 : NaN;
    cpu = process.cpuUsage();
    elu = performance.eventLoopUtilization();
    t = now;
    ss = s2;
    return { cpuPct: ((c.user + c.system) / 1000 / wall) * 100, elu: e.utilization, mainCpuPct: main, runqPct: runq, wallMs: wall };
  };
}

/**
 * In a child: its resident set size and the V8 heap in use (MiB), after two full garbage
 * collections when `gc` is asked for and the process runs with `--expose-gc` (so a before/after
 * difference measures what is held, not garbage not yet collected).
 */
export function memoryAfter(gc?: boolean): { rssMb: number; heapMb: number } {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  const m = process.memoryUsage();
  return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
}

let cleaning: Promise<void> | undefined;
/** stop every live child by PID (SIGTERM, then SIGKILL); one run however often it is called */
export function stopChildren(): Promise<void> {
  cleaning ??= Promise.all(liveChildren().map((c) => c.stop().catch(() => killPid(c.pid, 'SIGKILL')))).then(() => undefined);
  return cleaning;
}

let guarded = false;
/**
 * In a benchmark's main process: on SIGINT/SIGTERM stop the children and exit; on exit, SIGKILL any
 * still running. Installed once, however often it is called.
 */
export function stopChildrenOnExit(log: (s: string) => void): void {
  if (guarded) return;
  guarded = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      log(`\n${sig}: stopping the children…`);
      void stopChildren().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  process.on('exit', () => {
    for (const c of liveChildren()) killPid(c.pid, 'SIGKILL');
  });
}

/**
 * In a child: IPC handlers that profile this process's main thread between two requests with the
 * V8 profiler (`node:inspector`), so a benchmark profiles one step and not start-up or sign-in.
 * `profileStop` writes the profile to the `file` it is given (`npm run bench -- profile` reads it).
 */
export function profilerHandlers(): Record<string, (msg: any) => unknown> {
  let session: import('node:inspector/promises').Session | null = null;
  return {
    async profileStart() {
      const { Session } = await import('node:inspector/promises');
      session?.disconnect();
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      return true;
    },
    async profileStop(m: { file: string }) {
      if (!session) throw new Error('profileStop without profileStart');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = null;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(m.file, JSON.stringify(profile));
      return m.file;
    },
  };
}
