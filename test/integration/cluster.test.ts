/**
 * Several nodes on Redis + PostgreSQL (REDIS_URL, DATABASE_URL): two real node processes
 * (test/helpers/cluster-node.ts) on one database of a private PostgreSQL and a private Redis, both
 * from Debian's packages (test/helpers/postgres.ts, test/helpers/redis.ts), set up by
 * test/helpers/cluster.ts. No SQLite variant: a shared SQLite file is not a deployment.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisplayConfig } from '../../shared/index.ts';
import { sha256 } from '../../server/services/auth.service.ts';
import { killPid } from '../../bench/lib/child.ts';
import { event, quickHazmat, startCluster, until, watch, type TestCluster } from '../helpers/cluster.ts';
import { startReceiver } from '../helpers/receiver.ts';

// long enough that a loaded machine's stalls do not move it between the tests' steps
const LEASE_MS = 4000;

describe('several nodes on Redis + PostgreSQL', () => {
  let c: TestCluster;
  let streetId: string;
  let street: { username: string; password: string };
  const url = (name: string) => c.nodes[name]!.ready.url;
  const post = (name: string, events: unknown[]) => c.post(url(name), events);
  const login = (name: string, username: string, password: string) => c.login(url(name), username, password);
  const leaders = () => c.leaders();
  // sessions are re-checked rarely: a socket closed within the test was closed by the cluster
  const NODE_OPTIONS = { breachCheckMs: 100, sessionCheckMs: 3_600_000, alarmTickMs: 500, notify: { pollMs: 50, jitter: 0 } };

  beforeAll(async () => {
    c = await startCluster({ leaseMs: LEASE_MS, timeLimits: quickHazmat() });
    // A starts first and takes the timers' lease; B joins as a follower
    await c.startNode('A', NODE_OPTIONS);
    await until('A to take the lease', async () => (await leaders()).join() === 'A');
    await c.startNode('B', NODE_OPTIONS);
    // the street of the test's events: post one and ask the store where it landed
    const [id] = await post('A', [event()]);
    streetId = (await c.store.cases.getEvent(id!))!.streetId;
    street = await c.createUser('street', streetId);
  }, 60_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('delivers what is committed on A to a street wall on B, each event once, with no seq gap', async () => {
    const wall = await watch(url('B'), (await login('B', street.username, street.password)).cookie);
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
      const tl = await c.store.cases.timeline(id!);
      return tl.some((e) => e.action === 'breach') && tl;
    });
    // a later breach shows later rounds of the watch ran: the first case still has one
    const [later] = (await post('A', [event({ category: 'hazmat', severity: 'medium' })])) as string[];
    await until('the later breach', async () => (await c.store.cases.timeline(later!)).some((e) => e.action === 'breach'));
    const tl = await c.store.cases.timeline(id!);
    expect(tl.filter((e) => e.action === 'breach')).toHaveLength(1);
    expect(tl.length).toBe(breached.length);
    expect((await c.store.cases.getEvent(id!))!.breaches).toBe(1);
    const audit = (await c.store.audit.listAudit({ limit: 1000 })).filter((a) => a.action === 'case.breach' && a.target === id);
    expect(audit).toHaveLength(1);
    // the metric on both nodes: one breach in all
    const counted = await Promise.all(
      ['A', 'B'].map(async (name) => {
        const text = await (await fetch(`${url(name)}/metrics`)).text();
        return [...text.matchAll(/^onescreen_case_breaches_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
      }),
    );
    expect(counted[0]! + counted[1]!).toBe(2); // the two cases, each once
  });

  it('rolls up readings committed on a follower on the leaseholder, and every node’s snapshots show the values', async () => {
    const [leader] = await leaders();
    const follower = leader === 'A' ? 'B' : 'A';
    const wall = await watch(url(follower), (await login(follower, street.username, street.password)).cookie);
    const value = 40 + Math.round(Math.random() * 40);
    // posted on the follower, which computes nothing: the leaseholder rolls it up and publishes it, once, through Redis
    await c.postReadings(url(follower), [{ indicator: 'pm25', value, at: new Date().toISOString(), areaId: streetId }]);
    await until('the street’s pm25 on the follower', () => wall.values.some((v) => v.indicatorId === 'pm25' && v.areaId === streetId && v.value === value));
    expect(wall.values.filter((v) => v.indicatorId === 'pm25' && v.areaId === streetId && v.value === value)).toHaveLength(1);
    wall.gapless();
    // the follower adopted the value the leaseholder computed: a new wall there starts with it
    const fresh = await watch(url(follower), (await login(follower, street.username, street.password)).cookie);
    expect(fresh.snapshot.indicators.find((v) => v.indicatorId === 'pm25' && v.areaId === streetId)?.value).toBe(value);
    wall.socket.disconnect();
    fresh.socket.disconnect();
  });

  it('sends each notification once though every node works the outbox', async () => {
    const rx = await startReceiver(0, { status: 200 });
    try {
      const districtId = (await c.store.cases.getEvent((await post('A', [event()]))[0]!))!.districtId;
      const admin = await c.createUser('admin', districtId);
      const cookie = (await login('B', admin.username, admin.password)).cookie;
      const res = await fetch(`${url('B')}/api/v1/admin/notifications/channels`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'duty-webhook', kind: 'webhook', url: `${rx.url}/hook`, secret: 'a-secret-of-enough-length', areaId: districtId }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      // ten breaches, on cases posted to both nodes: each pump (both nodes poll every 50 ms) claims rows in the database
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(...((await post(i % 2 ? 'A' : 'B', [event({ category: 'hazmat', severity: 'medium' })])) as string[]));
      await until('ten breach notices', () => rx.requests.length >= 10);
      const later = (await post('A', [event({ category: 'hazmat', severity: 'medium' })])) as string[];
      await until('a later one', () => rx.requests.length >= 11);
      const keys = rx.requests.map((q) => (JSON.parse(q.body) as { key: string }).key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const id of [...ids, ...later]) expect(keys.filter((k) => k.includes(id))).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it('closes the sockets of a session that ended on A, on B too', async () => {
    const signedIn = await login('A', street.username, street.password);
    const other = await login('A', street.username, street.password);
    const onB = await watch(url('B'), signedIn.cookie);
    const otherOnB = await watch(url('B'), other.cookie);
    const r = await fetch(`${url('A')}/api/v1/session`, { method: 'DELETE', headers: { cookie: signedIn.cookie } });
    expect(r.status).toBeLessThan(300);
    await until('the socket on B to close', () => !onB.socket.connected);
    expect(await onB.disconnected).toBe('io server disconnect');
    // another session of the same user keeps its stream
    expect(otherOnB.socket.connected).toBe(true);
    otherOnB.socket.disconnect();
  });

  it('counts failed sign-ins across nodes', async () => {
    const u = await c.createUser('district', (await c.store.cases.getEvent((await post('A', [event()]))[0]!))!.districtId);
    // five failures per user and address in 15 minutes: three on A, two on B
    for (const node of ['A', 'A', 'A', 'B', 'B']) expect((await login(node, u.username, 'wrong-password')).status).toBe(401);
    // the sixth is refused on either node, even with the right password
    expect((await login('A', u.username, u.password)).status).toBe(429);
    expect((await login('B', u.username, 'wrong-password')).status).toBe(429);
  });

  it('pushes a display’s scenes saved on A to the display’s wall on B, and to no other display', async () => {
    const districtId = (await c.store.cases.getEvent((await post('A', [event()]))[0]!))!.districtId;
    const enrol = async (areaId: string) => {
      const token = `osd_${randomUUID()}`;
      const id = randomUUID();
      await c.store.identities.createDisplayToken({ id, name: `wall ${id.slice(0, 8)}`, areaId, hash: sha256(token), createdBy: 'test', createdAt: Date.now(), revokedAt: null, enrolledAt: null });
      const r = await fetch(`${url('B')}/api/v1/session/display`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      expect(r.status).toBe(200);
      return { id, cookie: /onescreen_session=[^;]+/.exec(r.headers.get('set-cookie')!)![0] };
    };
    const mine = await enrol(streetId);
    const other = await enrol(streetId);
    const wall = await watch(url('B'), mine.cookie);
    const otherWall = await watch(url('B'), other.cookie);
    const got: DisplayConfig[] = [];
    const otherGot: DisplayConfig[] = [];
    wall.socket.on('display:config', (x) => void got.push(x));
    otherWall.socket.on('display:config', (x) => void otherGot.push(x));
    const admin = await c.createUser('admin', districtId);
    const cookie = (await login('A', admin.username, admin.password)).cookie;
    const scenes = [{ kind: 'alarms', durationSec: 20 }, { kind: 'street', areaId: streetId, durationSec: 30 }];
    const r = await fetch(`${url('A')}/api/v1/admin/displays/${mine.id}/config`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ scenes, layout: '3840x2160' }) });
    expect(r.status).toBe(200);
    await until('the configuration on B', () => got.length > 0);
    expect(got.at(-1)).toMatchObject({ displayId: mine.id, scenes, layout: '3840x2160' });
    expect(otherGot).toEqual([]);
    wall.socket.disconnect();
    otherWall.socket.disconnect();
  });

  it('loses nothing acknowledged when the leaseholder is killed mid-stream: the other streams on, its clients resync there, and it takes the timers', async () => {
    // the node holding the lease dies (A unless a stall under load moved it): the harder case
    const [dead] = await leaders();
    const live = dead === 'A' ? 'B' : 'A';
    const onLive = await watch(url(live), (await login(live, street.username, street.password)).cookie);
    const deadCookie = (await login(dead!, street.username, street.password)).cookie;
    const onDead = await watch(url(dead!), deadCookie);

    const acked: string[] = [];
    let killed = false;
    let stop = false;
    // two sources, one on each node, posting as fast as they are answered
    const source = async (node: string) => {
      while (!stop) {
        try {
          acked.push(...((await post(node, Array.from({ length: 5 }, () => event()))) as string[]));
        } catch (err) {
          if (node === dead && killed) return; // it is gone: nothing it did not answer counts
          throw err;
        }
      }
    };
    const sources = [source(dead!), source(live)];
    await until('some ingest on both nodes', () => acked.length >= 100);
    killPid(c.nodes[dead!]!.pid, 'SIGKILL');
    killed = true;
    expect(await onDead.disconnected).toBe('transport close');
    const before = acked.length;
    await until('more ingest on the live node after the kill', () => acked.length >= before + 50);
    stop = true;
    await Promise.all(sources);

    // every acknowledged event is stored, and reached the live node's wall exactly once, with no gap
    for (const id of acked) expect(await c.store.cases.getEvent(id)).not.toBeNull();
    await until('every acknowledged event on the live node', () => acked.every((id) => onLive.seen.has(id)));
    for (const id of acked) expect(onLive.created.get(id)).toBe(1);
    onLive.gapless();

    // the dead node's wall reconnects (behind the proxy, the same address: test/deploy/nginx-nodes.test.ts) and resyncs by snapshot
    const again = await watch(url(live), deadCookie);
    expect(again.snapshot.epoch).toBe(onLive.snapshot.epoch);
    expect(again.snapshot.seq).toBeGreaterThanOrEqual(onLive.frames.at(-1)!.seq);
    const open = new Set(again.snapshot.events.map((e) => e.id));
    expect(acked.filter((id) => !open.has(id))).toEqual([]);

    // the lease passes to the live node once the dead one's runs out, and its timers fire: a new breach is marked
    await until('the live node to take the lease', async () => (await leaders()).join() === live, LEASE_MS * 4 + 5_000);
    const [id] = (await post(live, [event({ category: 'hazmat', severity: 'medium' })])) as string[];
    await until('a breach marked by the live node', async () => (await c.store.cases.timeline(id!)).some((e) => e.action === 'breach'));
    again.socket.disconnect();
    onLive.socket.disconnect();
  }, 90_000);
});
