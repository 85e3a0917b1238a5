/**
 * @module test/helpers/cluster
 * Several OneScreen nodes for a test: a private Redis (./redis.ts), one shared store, and node
 * processes (./cluster-node.ts) started on demand, plus what tests do with them — post events,
 * sign in, watch a room and check its sequence.
 *
 * The store is a private PostgreSQL server (./postgres.ts) with one fresh database every node
 * opens, as a production cluster runs; `store: 'sqlite'` gives one SQLite file instead (WAL works
 * across processes on one machine only).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, EventBatchResponse, GridEvent, IndicatorValue, ServerToClientEvents, Snapshot, TimeLimits } from '../../shared/index.ts';
import { startChild, type Child } from '../../bench/lib/child.ts';
import { createIngestKey } from '../../server/middleware/ingest-auth.ts';
import { hashPassword } from '../../server/services/auth.service.ts';
import type { Store } from '../../server/ports.ts';
import { PostgresStore } from '../../server/stores/postgres/postgres.store.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { startPostgres, type PgServer } from './postgres.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { shippedData, TEST_SCRYPT } from './server.ts';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
export interface NodeReady {
  port: number;
  url: string;
  pid: number;
  nodeId: string;
}

const NODE_SCRIPT = 'test/helpers/cluster-node.ts';
export const WUJIAOCHANG: [number, number] = [121.514, 31.302];

/** hazmat cases overrun their acceptance limit within a second; everything else keeps the shipped limits */
export function quickHazmat(): TimeLimits {
  const l = structuredClone(shippedData().timeLimits);
  l.categories.hazmat = { accept: 0.01, dispatch: 600, handle: 600, verify: 600 };
  return l;
}

/** wait for a condition (polling, never a fixed sleep) */
export async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The event items of an `event:upsert` frame: one event (today) or several (per-room batching). */
function itemsOf(d: unknown): { created: boolean; event: GridEvent }[] {
  const x = d as { events?: { created: boolean; event: GridEvent }[]; created?: boolean; event?: GridEvent };
  return x.events ?? [{ created: x.created!, event: x.event! }];
}

/**
 * A socket that records every sequenced frame it receives, in order, from its first snapshot on
 * (with `reconnection`, later snapshots are recorded in `snapshots`).
 */
export async function watch(url: string, cookie: string, opts: Partial<ManagerOptions & SocketOptions> = {}) {
  const socket: Client = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie }, ...opts });
  const frames: { name: string; seq: number; epoch: string }[] = [];
  const created = new Map<string, number>();
  const seen = new Set<string>();
  const snapshots: Snapshot[] = [];
  const values: IndicatorValue[] = [];
  socket.on('event:upsert', (d) => {
    frames.push({ name: 'event:upsert', seq: d.seq, epoch: d.epoch });
    for (const it of itemsOf(d)) {
      seen.add(it.event.id);
      if (it.created) created.set(it.event.id, (created.get(it.event.id) ?? 0) + 1);
    }
  });
  socket.on('indicator:update', (d) => {
    frames.push({ name: 'indicator:update', seq: d.seq, epoch: d.epoch });
    values.push(...d.values);
  });
  socket.on('alarm:upsert', (d) => void frames.push({ name: 'alarm:upsert', seq: d.seq, epoch: d.epoch }));
  socket.on('snapshot', (s) => void snapshots.push(s));
  const snapshot = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  return {
    socket,
    snapshot,
    snapshots,
    frames,
    /** indicator values received in updates, in order */
    values,
    created,
    seen,
    disconnected,
    /**
     * every frame after the snapshot's seq is the one before it + 1, in one epoch. A frame at or
     * below the snapshot's seq can arrive (on several nodes it may still be on its way through
     * Redis when the room's position is read): the snapshot already holds it and clients drop it
     * (web/src/lib/state/live-store.ts), so it is no gap; a frame missing after it is.
     */
    gapless() {
      const seqs = frames.filter((f) => f.seq > snapshot.seq || f.epoch !== snapshot.epoch).map((f) => f.seq);
      expect(seqs).toEqual(seqs.map((_, i) => snapshot.seq + i + 1));
      expect(new Set(frames.map((f) => f.epoch))).toEqual(new Set(frames.length ? [snapshot.epoch] : []));
    },
  };
}

let n = 0;
/** an event in 五角场 (a few metres apart each) */
export const event = (over: Record<string, unknown> = {}) => ({
  source: 'grid',
  externalId: `cluster-${Date.now()}-${++n}`,
  category: 'fire_hazard',
  title: '消防通道堵塞',
  description: '楼道堆放杂物',
  lng: WUJIAOCHANG[0] + (n % 50) * 0.0001,
  lat: WUJIAOCHANG[1],
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  severity: 'high',
  ...over,
});

export interface TestCluster {
  redis: TestRedis;
  /** the PostgreSQL server of the shared database (none with `store: 'sqlite'`) */
  postgres?: PgServer;
  /** the store the nodes share (this process opens it too, to check what was committed) */
  store: Store;
  ingestKey: string;
  nodes: Record<string, Child<NodeReady>>;
  /** a node process; `alone`: without Redis (a single node on the same store, for comparisons) */
  startNode(name: string, options?: Record<string, unknown>, o?: { alone?: boolean }): Promise<Child<NodeReady>>;
  /** POST readings to a base URL; every item must be accepted */
  postReadings(base: string, readings: unknown[]): Promise<void>;
  /** POST events to a base URL; the ids of the items stored (null for a rejected one) */
  post(base: string, events: unknown[], init?: RequestInit & { dispatcher?: unknown }): Promise<(string | null)[]>;
  login(base: string, username: string, password: string): Promise<{ status: number; cookie: string }>;
  createUser(role: 'street' | 'district' | 'admin', areaId: string): Promise<{ username: string; password: string }>;
  /** the nodes (alive) that hold the timers' lease now */
  leaders(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startCluster(o: { leaseMs: number; timeLimits?: TimeLimits; store?: 'postgres' | 'sqlite' }): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-cluster-'));
  const started = await Promise.allSettled([startRedis(), o.store === 'sqlite' ? undefined : startPostgres()] as const);
  if (started.some((r) => r.status === 'rejected')) {
    // one of them did not start: stop the other, and say why
    for (const r of started) if (r.status === 'fulfilled') await r.value?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw (started.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const redis = (started[0] as PromiseFulfilledResult<TestRedis>).value;
  const postgres = (started[1] as PromiseFulfilledResult<PgServer | undefined>).value;
  let STORE: string;
  let store: Store;
  if (postgres) {
    STORE = await postgres.createDatabase();
    store = new PostgresStore(STORE, { poolSize: 4 });
  } else {
    const file = join(dir, 'onescreen.sqlite');
    STORE = `sqlite:${file}`;
    store = new SqliteStore(file);
  }
  // migrated here, before any node starts (a node migrates too: it finds nothing to do)
  await store.migrate();
  const ingestKey = (await createIngestKey(store, 'cluster-test', { now: Date.now() })).key;
  const nodes: Record<string, Child<NodeReady>> = {};
  const alive = (c: Child<NodeReady>) => c.proc.exitCode === null && c.proc.signalCode === null;
  return {
    redis,
    ...(postgres ? { postgres } : {}),
    store,
    ingestKey,
    nodes,
    async startNode(name, options = {}, how = {}) {
      nodes[name] = await startChild<NodeReady>(`node-${name}`, NODE_SCRIPT, {
        env: {
          NODE_STORE: STORE,
          REDIS_URL: how.alone ? '' : redis.url,
          NODE_ID: name,
          NODE_LEASE_MS: String(o.leaseMs),
          ...(o.timeLimits ? { NODE_TIME_LIMITS: JSON.stringify(o.timeLimits) } : {}),
          NODE_OPTIONS_JSON: JSON.stringify(options),
        },
      });
      return nodes[name]!;
    },
    async post(base, events, init = {}) {
      const r = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
        body: JSON.stringify({ events }),
        ...init,
      });
      if (r.status !== 200) throw new Error(`ingest at ${base} answered ${r.status}: ${await r.text()}`);
      return ((await r.json()) as EventBatchResponse).results.map((x) => (x.status === 'rejected' ? null : x.id));
    },
    async postReadings(base, readings) {
      const r = await fetch(`${base}/api/v1/readings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
        body: JSON.stringify({ readings }),
      });
      const text = await r.text();
      if (r.status !== 200 || !(JSON.parse(text) as { results: { status: string }[] }).results.every((x) => x.status === 'accepted')) {
        throw new Error(`readings at ${base} answered ${r.status}: ${text}`);
      }
    },
    async login(base, username, password) {
      const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      const m = /onescreen_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
      return { status: r.status, cookie: m ? `onescreen_session=${m[1]}` : '' };
    },
    async createUser(role, areaId) {
      const u = { username: `${role}-${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID()}` };
      await store.identities.createUser({ id: randomUUID(), username: u.username, role, areaId, unitId: null, streets: [], cleared: false, passwordHash: await hashPassword(u.password, TEST_SCRYPT), createdAt: Date.now(), disabledAt: null });
      return u;
    },
    async leaders() {
      const out: string[] = [];
      for (const [name, c] of Object.entries(nodes)) if (alive(c) && (await c.request<boolean>({ cmd: 'leads' }))) out.push(name);
      return out;
    },
    async stop() {
      for (const c of Object.values(nodes)) await c.stop();
      await redis.stop();
      await store.close();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
