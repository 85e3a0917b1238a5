/**
 * Several nodes on one Redis (REDIS_URL): two real node processes (test/helpers/cluster-node.ts)
 * on one shared store and a private Redis from Debian's package (test/helpers/redis.ts).
 *
 * The store is a parameter (`STORE`): today one SQLite file that both processes open (WAL works
 * across processes on one machine); a PostgreSQL store plugs in as `postgres:<url>`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, EventBatchResponse, GridEvent, ServerToClientEvents, Snapshot, TimeLimits } from '../../shared/index.ts';
import { startChild, killPid, type Child } from '../../bench/lib/child.ts';
import { createIngestKey } from '../../server/middleware/ingest-auth.ts';
import { hashPassword } from '../../server/services/auth.service.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { shippedData, TEST_SCRYPT } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
interface Ready {
  port: number;
  url: string;
  pid: number;
  nodeId: string;
}

const NODE_SCRIPT = 'test/helpers/cluster-node.ts';
const LEASE_MS = 1500;
const WUJIAOCHANG: [number, number] = [121.514, 31.302];

/** hazmat cases overrun their acceptance limit within a second; everything else keeps the shipped limits */
function limits(): TimeLimits {
  const l = structuredClone(shippedData().timeLimits);
  l.categories.hazmat = { accept: 0.01, dispatch: 600, handle: 600, verify: 600 };
  return l;
}

/** wait for a condition (polling, never a fixed sleep) */
async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
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

/** a socket that records every sequenced frame it receives, in order */
async function watch(url: string, cookie: string) {
  const socket: Client = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
  const frames: { name: string; seq: number; epoch: string }[] = [];
  const created = new Map<string, number>();
  const seen = new Set<string>();
  socket.on('event:upsert', (d) => {
    frames.push({ name: 'event:upsert', seq: d.seq, epoch: d.epoch });
    for (const it of itemsOf(d)) {
      seen.add(it.event.id);
      if (it.created) created.set(it.event.id, (created.get(it.event.id) ?? 0) + 1);
    }
  });
  socket.on('indicator:update', (d) => void frames.push({ name: 'indicator:update', seq: d.seq, epoch: d.epoch }));
  socket.on('alarm:upsert', (d) => void frames.push({ name: 'alarm:upsert', seq: d.seq, epoch: d.epoch }));
  const snapshot = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  return {
    socket,
    snapshot,
    frames,
    created,
    seen,
    disconnected,
    /** every frame's seq is the one before it + 1, from the snapshot's on, in one epoch */
    gapless() {
      const seqs = frames.map((f) => f.seq);
      expect(seqs).toEqual(seqs.map((_, i) => snapshot.seq + i + 1));
      expect(new Set(frames.map((f) => f.epoch))).toEqual(new Set(frames.length ? [snapshot.epoch] : []));
    },
  };
}

let n = 0;
const event = (over: Record<string, unknown> = {}) => ({
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

describe('several nodes on Redis', () => {
  let redis: TestRedis;
  let dir: string;
  let store: SqliteStore;
  let STORE: string;
  let ingestKey: string;
  let streetId: string;
  let street: { username: string; password: string };
  const nodes: Record<string, Child<Ready>> = {};

  async function startNode(name: string, extra: Record<string, unknown> = {}) {
    nodes[name] = await startChild<Ready>(`node-${name}`, NODE_SCRIPT, {
      env: {
        NODE_STORE: STORE,
        REDIS_URL: redis.url,
        NODE_ID: name,
        NODE_LEASE_MS: String(LEASE_MS),
        NODE_TIME_LIMITS: JSON.stringify(limits()),
        // sessions are re-checked rarely: a socket closed within the test was closed by the cluster
        NODE_OPTIONS_JSON: JSON.stringify({ breachCheckMs: 100, sessionCheckMs: 3_600_000, alarmTickMs: 500, ...extra }),
      },
    });
    return nodes[name]!;
  }

  const post = async (node: string, events: unknown[]) => {
    const r = await fetch(`${nodes[node]!.ready.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({ events }),
    });
    if (r.status !== 200) throw new Error(`ingest on ${node} answered ${r.status}: ${await r.text()}`);
    return ((await r.json()) as EventBatchResponse).results.map((x) => (x.status === 'rejected' ? null : x.id));
  };

  async function login(node: string, username: string, password: string): Promise<{ status: number; cookie: string }> {
    const r = await fetch(`${nodes[node]!.ready.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const m = /onescreen_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
    return { status: r.status, cookie: m ? `onescreen_session=${m[1]}` : '' };
  }

  async function createUser(role: 'street' | 'district', areaId: string) {
    const u = { username: `${role}-${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID()}` };
    await store.createUser({ id: randomUUID(), username: u.username, role, areaId, passwordHash: await hashPassword(u.password, TEST_SCRYPT), createdAt: Date.now(), disabledAt: null });
    return u;
  }

  const leaders = async () => {
    const out: string[] = [];
    for (const [name, c] of Object.entries(nodes)) if (c.proc.exitCode === null && c.proc.signalCode === null && (await c.request<boolean>({ cmd: 'leads' }))) out.push(name);
    return out;
  };

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'onescreen-cluster-'));
    const file = join(dir, 'onescreen.sqlite');
    STORE = `sqlite:${file}`;
    store = new SqliteStore(file);
    await store.migrate();
    ingestKey = (await createIngestKey(store, 'cluster-test', { now: Date.now() })).key;
    // A starts first and takes the timers' lease; B joins as a follower
    await startNode('A');
    await until('A to take the lease', async () => (await leaders()).join() === 'A');
    await startNode('B');
    // the street of the test's events: post one and ask the store where it landed
    const [id] = await post('A', [event()]);
    streetId = (await store.getEvent(id!))!.streetId;
    street = await createUser('street', streetId);
  }, 60_000);

  afterAll(async () => {
    for (const c of Object.values(nodes)) await c.stop();
    await redis?.stop();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers what is committed on A to a street wall on B, each event once, with no seq gap', async () => {
    const wall = await watch(nodes.B!.ready.url, (await login('B', street.username, street.password)).cookie);
    expect(wall.snapshot.areaId).toBe(streetId);
    const ids: string[] = [];
    // batches on A, interleaved with batches on B: seqs are assigned in Redis, not per node
    for (let i = 0; i < 10; i++) ids.push(...((await post(i % 3 === 2 ? 'B' : 'A', Array.from({ length: 10 }, () => event()))) as string[]));
    await until('every event on B', () => ids.every((id) => wall.seen.has(id)));
    for (const id of ids) expect(wall.created.get(id)).toBe(1);
    wall.gapless();
    expect(wall.frames.length).toBeGreaterThanOrEqual(10);
    wall.socket.disconnect();
  });

  it('keeps exactly one node on the timers, and marks a breach once with both nodes up', async () => {
    expect(await leaders()).toHaveLength(1);
    const [id] = (await post('B', [event({ category: 'hazmat', severity: 'medium' })])) as string[];
    const breached = await until('the breach', async () => {
      const tl = await store.timeline(id!);
      return tl.some((e) => e.action === 'breach') && tl;
    });
    // a later breach shows later rounds of the watch ran: the first case still has one
    const [later] = (await post('A', [event({ category: 'hazmat', severity: 'medium' })])) as string[];
    await until('the later breach', async () => (await store.timeline(later!)).some((e) => e.action === 'breach'));
    const tl = await store.timeline(id!);
    expect(tl.filter((e) => e.action === 'breach')).toHaveLength(1);
    expect(tl.length).toBe(breached.length);
    expect((await store.getEvent(id!))!.breaches).toBe(1);
    const audit = (await store.listAudit({ limit: 1000 })).filter((a) => a.action === 'case.breach' && a.target === id);
    expect(audit).toHaveLength(1);
    // the metric on both nodes: one breach in all
    const counted = await Promise.all(
      ['A', 'B'].map(async (name) => {
        const text = await (await fetch(`${nodes[name]!.ready.url}/metrics`)).text();
        return [...text.matchAll(/^onescreen_case_breaches_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
      }),
    );
    expect(counted[0]! + counted[1]!).toBe(2); // the two cases, each once
  });

  it('closes the sockets of a session that ended on A, on B too', async () => {
    const signedIn = await login('A', street.username, street.password);
    const other = await login('A', street.username, street.password);
    const onB = await watch(nodes.B!.ready.url, signedIn.cookie);
    const otherOnB = await watch(nodes.B!.ready.url, other.cookie);
    const r = await fetch(`${nodes.A!.ready.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: signedIn.cookie } });
    expect(r.status).toBeLessThan(300);
    expect(await onB.disconnected).toBe('io server disconnect');
    // another session of the same user keeps its stream
    expect(otherOnB.socket.connected).toBe(true);
    otherOnB.socket.disconnect();
  });

  it('counts failed sign-ins across nodes', async () => {
    const u = await createUser('district', (await store.getEvent((await post('A', [event()]))[0]!))!.districtId);
    // five failures per user and address in 15 minutes: three on A, two on B
    for (const node of ['A', 'A', 'A', 'B', 'B']) expect((await login(node, u.username, 'wrong-password')).status).toBe(401);
    // the sixth is refused on either node, even with the right password
    expect((await login('A', u.username, u.password)).status).toBe(429);
    expect((await login('B', u.username, 'wrong-password')).status).toBe(429);
  });

  it('loses nothing acknowledged when A is killed mid-stream: B streams on, A’s clients resync on B, B takes the timers', async () => {
    const cookieB = (await login('B', street.username, street.password)).cookie;
    const cookieA = (await login('A', street.username, street.password)).cookie;
    const onB = await watch(nodes.B!.ready.url, cookieB);
    const onA = await watch(nodes.A!.ready.url, cookieA);
    expect(await leaders()).toEqual(['A']);

    const acked: string[] = [];
    let killed = false;
    let stop = false;
    // two sources, one on each node, posting as fast as they are answered
    const source = async (node: string) => {
      while (!stop) {
        try {
          acked.push(...((await post(node, Array.from({ length: 5 }, () => event()))) as string[]));
        } catch {
          if (node === 'A' && killed) return; // A is gone: nothing it did not answer counts
          if (node === 'B') throw new Error('B refused ingest');
        }
      }
    };
    const sources = [source('A'), source('B')];
    await until('some ingest on both nodes', () => acked.length >= 100);
    killPid(nodes.A!.pid, 'SIGKILL');
    killed = true;
    const reason = await onA.disconnected;
    expect(reason).toBe('transport close');
    const before = acked.length;
    await until('more ingest on B after the kill', () => acked.length >= before + 50);
    stop = true;
    await Promise.all(sources);

    // every acknowledged event is stored, and reached B's wall exactly once, with no gap
    for (const id of acked) expect(await store.getEvent(id)).not.toBeNull();
    await until('every acknowledged event on B', () => acked.every((id) => onB.seen.has(id)));
    for (const id of acked) expect(onB.created.get(id)).toBe(1);
    onB.gapless();

    // A's wall reconnects (to B: behind the proxy it is the same address) and resyncs by snapshot
    const again = await watch(nodes.B!.ready.url, cookieA);
    expect(again.snapshot.epoch).toBe(onB.snapshot.epoch);
    expect(again.snapshot.seq).toBeGreaterThanOrEqual(onB.frames.at(-1)!.seq);
    const open = new Set(again.snapshot.events.map((e) => e.id));
    const missing = acked.filter((id) => !open.has(id));
    expect(missing).toEqual([]);

    // the lease passes to B once A's runs out, and B's timers fire: a new breach is marked
    await until('B to take the lease', async () => (await leaders()).join() === 'B', LEASE_MS * 4 + 5_000);
    const [id] = (await post('B', [event({ category: 'hazmat', severity: 'medium' })])) as string[];
    await until('a breach marked by B', async () => (await store.timeline(id!)).some((e) => e.action === 'breach'));
    again.socket.disconnect();
    onB.socket.disconnect();
  }, 60_000);
});
