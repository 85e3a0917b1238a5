/**
 * The Redis cluster's mechanics (server/cluster/redis-cluster.ts) with two instances in this
 * process on a private redis-server: frames published from both are delivered to both in one
 * order with each room's seq rising by one; the epoch is shared, survives an instance's restart
 * and changes when Redis loses its keys or refuses a publish; a lease is held by one instance,
 * passes on when its holder stops or goes silent; limiters count across instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../server/ports.ts';
import type { Frame } from '../../server/cluster/cluster.ts';
import { connectRedisCluster, RedisCluster } from '../../server/cluster/redis-cluster.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { until } from '../helpers/cluster.ts';

const errors: string[] = [];
const logger: Logger = { info() {}, debug() {}, warn() {}, error: (_o, m) => void errors.push(String(m)) };

interface Got {
  areaId: string;
  name: string;
  seq: number;
  epoch: string;
  n: number;
}

let redis: TestRedis;
let prefix = 0;
const live: RedisCluster[] = [];

/** an instance under its own key prefix per test, recording what it delivers */
async function node(p: string, o: { leaseTtlMs?: number; nodeId?: string } = {}) {
  const c = await connectRedisCluster({ url: redis.url, logger, prefix: p, ...o });
  live.push(c);
  const got: Got[] = [];
  await c.start((areaId, name, payload) => void got.push({ areaId, name, seq: payload.seq, epoch: payload.epoch, n: payload.n as number }));
  return { c, got };
}

const frame = (areaId: string, n: number): Frame => ({ areaId, name: 'event:upsert', payload: { n } });

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of live) await c.stop().catch(() => undefined);
  await redis?.stop();
});

describe('RedisCluster', () => {
  it('delivers frames from two nodes to both in one order, each room’s seq rising by one', async () => {
    const p = `t${++prefix}:`;
    const a = await node(p);
    const b = await node(p);
    for (let i = 0; i < 200; i++) {
      (i % 2 ? a : b).c.publish([frame('x', i), frame(i % 3 ? 'y' : 'x', i)]);
      if (i % 17 === 0) await new Promise((r) => setImmediate(r));
    }
    await until('400 frames on both', () => a.got.length === 400 && b.got.length === 400);
    expect(b.got).toEqual(a.got);
    for (const room of ['x', 'y']) {
      const seqs = a.got.filter((g) => g.areaId === room).map((g) => g.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(new Set(a.got.map((g) => g.epoch)).size).toBe(1);
    expect(await a.c.position('x')).toEqual({ epoch: a.got[0]!.epoch, seq: a.got.filter((g) => g.areaId === 'x').length });
    expect(await b.c.position('nobody')).toEqual({ epoch: a.got[0]!.epoch, seq: 0 });
  });

  it('keeps the epoch across a node’s restart, and starts a new one when Redis loses its keys or refuses frames', async () => {
    const p = `t${++prefix}:`;
    const a = await node(p);
    a.c.publish([frame('x', 1)]);
    await until('the first frame', () => a.got.length === 1);
    const first = a.got[0]!.epoch;
    await a.c.stop();
    const b = await node(p);
    expect((await b.c.position('x')).epoch).toBe(first);

    // Redis restarted empty: a new epoch, seqs from 1 again (a client resyncs on the new epoch)
    await redis.client.del(`${p}epoch`, `${p}seqs`);
    b.c.publish([frame('x', 2)]);
    await until('a frame after the loss', () => b.got.length === 1);
    expect(b.got[0]).toMatchObject({ seq: 1 });
    const second = b.got[0]!.epoch;
    expect(second).not.toBe(first);

    // Redis refuses writes (out of memory): the frame is lost, so the next one opens a new epoch
    await redis.client.config('SET', 'maxmemory', '1');
    try {
      errors.length = 0;
      b.c.publish([frame('x', 3)]);
      await until('the refusal logged', () => errors.includes('live frames not published'));
    } finally {
      await redis.client.config('SET', 'maxmemory', '0');
    }
    b.c.publish([frame('x', 4)]);
    await until('a frame after the refusal', () => b.got.length === 2);
    expect(b.got[1]).toMatchObject({ n: 4, seq: 1 });
    expect(b.got[1]!.epoch).not.toBe(second);
  });

  it('gives a lease to one node, and to another when its holder stops or goes silent', async () => {
    const p = `t${++prefix}:`;
    const a = await node(p, { leaseTtlMs: 600, nodeId: 'a' });
    const la = a.c.lease('timers');
    await until('a to hold it', () => la.held());
    const b = await node(p, { leaseTtlMs: 600, nodeId: 'b' });
    const changes: boolean[] = [];
    const lb = b.c.lease('timers', (held) => changes.push(held));
    // b tries at once and then with every renewal period, while a renews: it never gets it
    let last = Infinity;
    await until('a renewal by a', async () => {
      const ttl = await redis.client.pttl(`${p}lease:timers`);
      const renewed = ttl > last;
      last = ttl;
      return renewed;
    });
    expect([la.held(), lb.held(), changes]).toEqual([true, false, []]);
    await a.c.stop(); // released: b takes it at its next try
    await until('b to take it', () => lb.held());
    expect(changes).toEqual([true]);

    // b goes silent (its connections cut, as if killed): its lease runs out, c takes it
    const c = await node(p, { leaseTtlMs: 600, nodeId: 'c' });
    const lc = c.c.lease('timers');
    (b.c as unknown as { redis: { disconnect(): void }; running: boolean }).running = false;
    (b.c as unknown as { redis: { disconnect(): void } }).redis.disconnect();
    await until('c to take it', () => lc.held());
    expect(await redis.client.get(`${p}lease:timers`)).toBe('c');
    // b no longer believes it holds it either (its TTL ran out without a renewal)
    expect(lb.held()).toBe(false);
  });

  it('counts a limiter across nodes', async () => {
    const p = `t${++prefix}:`;
    const a = await node(p);
    const b = await node(p);
    const la = a.c.limiter({ keyPrefix: 'login', points: 3, duration: 60 });
    const lb = b.c.limiter({ keyPrefix: 'login', points: 3, duration: 60 });
    await la.consume('k');
    await lb.consume('k');
    await la.consume('k');
    await expect(lb.consume('k')).rejects.toMatchObject({ remainingPoints: 0 });
  });
});
