/**
 * @module bench/lib/profile
 * Where a server's CPU went, from V8 CPU profiles (`node --cpu-prof`): every sample is charged to
 * one cost category, found by walking its stack from the leaf up and taking the first frame a
 * rule recognises; fallback rules (bare `JSON.stringify`) count only when nothing else in the stack
 * is recognised, so JSON encoded by socket.io counts as "socket frames". Used by `npm run bench -- profile <dir or file>` to print what the
 * fan-out still costs, reproducibly.
 *
 * Pure: takes parsed profiles, returns figures.
 */

/** The parts of a `.cpuprofile` file this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface CostRule {
  category: string;
  /** does this frame belong to the category? */
  test: (functionName: string, url: string, callerUrl: string) => boolean;
  /** only when no other rule recognises any frame of the stack (e.g. JSON called by socket.io is socket.io's) */
  fallback?: true;
}

const SQLITE_NATIVE = new Set(['run', 'all', 'get', 'iterate', 'exec', 'pluck', 'raw', 'expand', 'prepare', 'Statement']);
const inPackage = (url: string, ...names: string[]) => names.some((n) => url.includes(`/node_modules/${n}/`));

/**
 * The categories, tried on each frame from the leaf up; the first that matches wins. The order
 * matters: library frames are recognised before the OneScreen code that called them.
 */
export const COST_RULES: readonly CostRule[] = [
  { category: 'idle', test: (f) => f === '(idle)' },
  { category: 'garbage collection', test: (f) => f === '(garbage collector)' },
  {
    category: 'SQLite (statements, commit, fsync)',
    // better-sqlite3's own frames, and its native statement methods (no url) called by a SQLite repository
    test: (f, u, caller) => inPackage(u, 'better-sqlite3') || f === 'sqliteTransaction' || (u === '' && SQLITE_NATIVE.has(f) && /\/server\/stores\/sqlite\//.test(caller)),
  },
  { category: 'PostgreSQL client', test: (_f, u) => inPackage(u, 'pg', 'pg-protocol', 'pg-pool') },
  { category: 'Redis client', test: (_f, u) => inPackage(u, 'ioredis', '@socket.io/redis-streams-adapter') },
  {
    category: 'socket frames (socket.io, engine.io, ws, writes)',
    test: (f, u) => inPackage(u, 'socket.io', 'socket.io-adapter', 'socket.io-parser', 'engine.io', 'engine.io-parser', 'ws') || f === 'writev' || f === 'writeBuffer' || f === 'writeUtf8String',
  },
  { category: 'validation (zod)', test: (_f, u) => inPackage(u, 'zod') },
  { category: 'HTTP (hono, node-server, node:http)', test: (_f, u) => inPackage(u, 'hono', '@hono/node-server') || u === 'node:_http_server' || u === 'node:_http_incoming' || u === 'node:_http_outgoing' },
  { category: 'logging (pino)', test: (_f, u) => inPackage(u, 'pino', 'sonic-boom', 'thread-stream') },
  { category: 'metrics (prom-client)', test: (_f, u) => inPackage(u, 'prom-client') },
  { category: 'geometry (turf)', test: (_f, u) => inPackage(u, '@turf/turf') || u.includes('/node_modules/@turf/') },
  { category: 'OneScreen: ingest', test: (_f, u) => /\/server\/(services\/ingest|routes\/ingest|domain\/events)/.test(u) },
  { category: 'OneScreen: recurrence and tags', test: (f, u) => /\/server\//.test(u) && /recurr|cellsNear|emerging|tagEmerging/i.test(f) },
  { category: 'OneScreen: fan-out (hub, snapshots)', test: (_f, u) => /\/server\/realtime\//.test(u) },
  { category: 'OneScreen: indicators and stats', test: (_f, u) => /\/server\/(services\/(indicator|stats)|domain\/(indicators|stats|loop-indicators))/.test(u) },
  { category: 'OneScreen: stores (row mapping)', test: (_f, u) => /\/server\/stores\//.test(u) },
  { category: 'OneScreen: other', test: (_f, u) => /\/server\//.test(u) || /\/shared\//.test(u) },
  { category: 'JSON (other)', test: (f, u) => u === '' && (f === 'stringify' || f === 'parse'), fallback: true },
  { category: 'program (V8 and native, unattributed)', test: (f) => f === '(program)' },
];

export interface CostBreakdown {
  /** profiled time, ms */
  totalMs: number;
  /** time not idle, ms */
  busyMs: number;
  /** each category's ms and share of the busy time, largest first ('idle' excluded) */
  rows: { category: string; ms: number; share: number }[];
}

/** Charges every sample of the profiles to a category; the time of a sample is its delta. */
export function costBreakdown(profiles: readonly CpuProfile[], rules: readonly CostRule[] = COST_RULES): CostBreakdown {
  const ms = new Map<string, number>();
  let totalMs = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const categoryOf = new Map<number, string>();
    const classify = (id: number): string => {
      const known = categoryOf.get(id);
      if (known !== undefined) return known;
      let cat = 'other (node internals, libraries)';
      let weak: string | undefined;
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        const up = parent.get(cur);
        const callerUrl = up === undefined ? '' : byId.get(up)!.callFrame.url;
        const rule = rules.find((r) => r.test(f.functionName, f.url, callerUrl));
        if (rule?.fallback) weak ??= rule.category;
        else if (rule) {
          cat = rule.category;
          weak = undefined;
          break;
        }
      }
      if (weak !== undefined) cat = weak;
      categoryOf.set(id, cat);
      return cat;
    };
    p.samples.forEach((id, i) => {
      const dt = Math.max(0, p.timeDeltas[i] ?? 0) / 1000;
      totalMs += dt;
      const cat = classify(id);
      ms.set(cat, (ms.get(cat) ?? 0) + dt);
    });
  }
  const idle = ms.get('idle') ?? 0;
  const busyMs = totalMs - idle;
  const rows = [...ms]
    .filter(([c]) => c !== 'idle')
    .map(([category, v]) => ({ category, ms: v, share: busyMs > 0 ? v / busyMs : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { totalMs, busyMs, rows };
}
