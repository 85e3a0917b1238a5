/**
 * @module server/cluster/redis-cluster
 * Several nodes on one Redis (`REDIS_URL`). Keys live under a prefix (default `onescreen:`):
 *
 * - `epoch` — the stream's epoch, set once (a node restart keeps it; if Redis loses it, the next
 *   frame or snapshot makes a new one and every client resyncs);
 * - `seqs` — a hash: the last seq of each area's room;
 * - `frames` — a stream of every live frame `{a: area, n: name, s: seq, e: epoch, p: payload}`.
 *   One Lua script per publish call takes each frame's next seq (`HINCRBY`) and appends it
 *   (`XADD … MAXLEN ~`), so stream order and seq order are the same: every node reads the stream
 *   (`XREAD BLOCK` on a connection of its own) and hands each frame to its own sockets, and a
 *   client sees each room's seq go up by exactly one, whichever node committed what;
 * - `state` — a stream of {@link ClusterMessage}s between nodes (about 1,000 kept: a readings
 *   batch may be large);
 * - `lease:<name>` — `SET NX PX`, renewed by compare-and-pexpire, deleted on stop;
 * - `rl:*` — rate limiters (rate-limiter-flexible's `RateLimiterRedis`, with an in-memory
 *   insurance limiter while Redis is unreachable);
 * - `sio*` — the Socket.IO adapter's own stream and channels (`@socket.io/redis-streams-adapter`).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../ports.ts';
import type { Cluster, ClusterMessage, Deliver, Frame, Lease, LimiterOptions } from './cluster.ts';

export interface RedisClusterOptions {
  url: string;
  logger: Logger;
  /** key prefix (default `onescreen:`): several installations may share one Redis */
  prefix?: string;
  /** this node's name (default host-pid-random) */
  nodeId?: string;
  /** how long a lease outlives its holder's last renewal (default 10 s) */
  leaseTtlMs?: number;
  /**
   * frames kept in the stream for slow readers (approximate, default 50,000: tens of MB; a node
   * that falls further behind sees a gap, and its clients resync)
   */
  maxFrames?: number;
}

/**
 * KEYS: epoch, seqs, frames. ARGV: a new epoch, maxlen, force ('1': start a new epoch), then
 * (area, name, payload) triples. Returns the epoch the frames carry.
 */
const PUBLISH = `
local epoch = redis.call('GET', KEYS[1])
if (not epoch) or ARGV[3] == '1' then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('DEL', KEYS[2])
end
for i = 4, #ARGV, 3 do
  local seq = redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'a', ARGV[i], 'n', ARGV[i + 1], 's', seq, 'e', epoch, 'p', ARGV[i + 2])
end
return epoch
`;

/** KEYS: epoch, seqs. ARGV: a new epoch, the area. Returns {epoch, seq}. */
const POSITION = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
  redis.call('DEL', KEYS[2])
end
return {epoch, redis.call('HGET', KEYS[2], ARGV[2]) or '0'}
`;

/** KEYS: the lease. ARGV: node id, ttl. 1 if this node still holds it (and its TTL is renewed). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Entry = [id: string, fields: string[]];

function fieldsOf(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

interface LeaseState {
  key: string;
  held: boolean;
  /** until when this node may believe it holds the lease without hearing from Redis */
  validUntil: number;
  onChange: ((held: boolean) => void) | undefined;
}

export class RedisCluster implements Cluster {
  readonly shared = true;
  readonly nodeId: string;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly leaseTtlMs: number;
  private readonly maxFrames: number;
  /** commands, scripts, the adapter */
  private readonly redis: Redis;
  /** blocking reads of the frames and state streams */
  private readonly reader: Redis;
  private readonly handlers: ((m: ClusterMessage) => void)[] = [];
  private readonly leases = new Map<string, LeaseState>();
  private pending: Frame[] = [];
  private flushQueued = false;
  /** a publish failed: frames may be lost, so the next one starts a new epoch (clients resync) */
  private lostFrames = false;
  private deliver: Deliver | undefined;
  private wanted: ((areaId: string) => boolean) | undefined;
  private running = false;
  private readLoop: Promise<void> | undefined;
  private leaseTimer: ReturnType<typeof setInterval> | undefined;
  private adapterFactory: unknown;

  constructor(o: RedisClusterOptions) {
    this.logger = o.logger;
    this.prefix = o.prefix ?? 'onescreen:';
    this.nodeId = o.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = o.leaseTtlMs ?? 10_000;
    this.maxFrames = o.maxFrames ?? 50_000;
    // commands wait in ioredis' queue while it reconnects; lazyConnect: connect() below reports a bad URL at once
    this.redis = new Redis(o.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.reader = new Redis(o.url, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const [c, what] of [[this.redis, 'commands'], [this.reader, 'reader']] as const) {
      c.on('error', (err: Error) => this.logger.warn({ err: err.message, what }, 'redis connection error'));
    }
    this.redis.defineCommand('osPublish', { numberOfKeys: 3, lua: PUBLISH });
    this.redis.defineCommand('osPosition', { numberOfKeys: 2, lua: POSITION });
    this.redis.defineCommand('osRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis.defineCommand('osRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  /** connect both connections (throws when Redis cannot be reached) */
  async connect(): Promise<void> {
    await Promise.all([this.redis.connect(), this.reader.connect()]);
    await this.redis.ping();
    this.adapterFactory = createAdapter(this.redis, { streamName: `${this.prefix}sio`, channelPrefix: `${this.prefix}sio`, maxLen: 10_000, onlyPlaintext: true });
  }

  private key(k: string) {
    return `${this.prefix}${k}`;
  }

  adapter(): unknown {
    return this.adapterFactory;
  }

  async start(deliver: Deliver, wanted?: (areaId: string) => boolean): Promise<void> {
    this.deliver = deliver;
    this.wanted = wanted;
    this.running = true;
    // read from the streams' current ends: what a new socket missed before, its snapshot has
    const last = async (stream: string) => {
      const r = (await this.redis.xrevrange(this.key(stream), '+', '-', 'COUNT', 1)) as Entry[];
      return r[0]?.[0] ?? '0-0';
    };
    const from = { frames: await last('frames'), state: await last('state') };
    this.readLoop = this.read(from);
    this.renewLeases();
    this.leaseTimer = setInterval(() => this.renewLeases(), Math.max(100, Math.floor(this.leaseTtlMs / 3)));
  }

  private async read(from: { frames: string; state: string }): Promise<void> {
    const frames = this.key('frames');
    const state = this.key('state');
    while (this.running) {
      let res: [string, Entry[]][] | null;
      try {
        res = (await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', frames, state, from.frames, from.state)) as [string, Entry[]][] | null;
      } catch (err) {
        if (!this.running) return;
        this.logger.warn({ err: (err as Error).message }, 'reading the cluster streams failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const [stream, entries] of res ?? []) {
        for (const [id, raw] of entries) {
          const f = fieldsOf(raw);
          try {
            if (stream === frames) {
              from.frames = id;
              if (this.wanted && !this.wanted(f.a!)) continue; // nobody here in that room: not even parsed
              const payload = JSON.parse(f.p!) as Record<string, unknown>;
              this.deliver?.(f.a!, f.n as Frame['name'], { ...payload, seq: Number(f.s), epoch: f.e! });
            } else {
              from.state = id;
              if (f.o === this.nodeId) continue;
              const msg = JSON.parse(f.m!) as ClusterMessage;
              for (const h of this.handlers) h(msg);
            }
          } catch (err) {
            this.logger.error({ err, stream, id }, 'a cluster message could not be handled');
          }
        }
      }
    }
  }

  publish(frames: readonly Frame[]): void {
    if (frames.length === 0) return;
    this.pending.push(...frames);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // everything published in one turn of the event loop goes in one script call
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const frames = this.pending;
    this.pending = [];
    const args: string[] = [randomUUID(), String(this.maxFrames), this.lostFrames ? '1' : '0'];
    for (const f of frames) args.push(f.areaId, f.name, JSON.stringify(f.payload));
    this.lostFrames = false;
    const redis = this.redis as unknown as { osPublish(...a: string[]): Promise<string> };
    redis.osPublish(this.key('epoch'), this.key('seqs'), this.key('frames'), ...args).catch((err: unknown) => {
      // these frames are lost: the next ones start a new epoch, and every client resyncs by snapshot
      this.lostFrames = true;
      this.logger.error({ err: (err as Error).message, frames: frames.length }, 'live frames not published');
    });
  }

  async position(areaId: string): Promise<{ epoch: string; seq: number }> {
    const redis = this.redis as unknown as { osPosition(...a: string[]): Promise<[string, string]> };
    const [epoch, seq] = await redis.osPosition(this.key('epoch'), this.key('seqs'), randomUUID(), areaId);
    return { epoch, seq: Number(seq) };
  }

  share(msg: ClusterMessage): void {
    this.redis
      .xadd(this.key('state'), 'MAXLEN', '~', '1000', '*', 'o', this.nodeId, 'm', JSON.stringify(msg))
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message, t: msg.t }, 'cluster state not shared'));
  }

  onShared(fn: (msg: ClusterMessage) => void): void {
    this.handlers.push(fn);
  }

  lease(name: string, onChange?: (held: boolean) => void): Lease {
    let s = this.leases.get(name);
    if (!s) {
      s = { key: this.key(`lease:${name}`), held: false, validUntil: 0, onChange };
      this.leases.set(name, s);
      if (this.running) this.renewLeases();
    }
    const state = s;
    return { held: () => state.held && Date.now() < state.validUntil };
  }

  private renewing = false;
  /** renew the leases this node holds, try to take the others */
  private renewLeases(): void {
    if (this.renewing || !this.running) return;
    this.renewing = true;
    const redis = this.redis as unknown as { osRenew(k: string, id: string, ttl: string): Promise<number> };
    void Promise.all(
      [...this.leases.values()].map(async (s) => {
        const asked = Date.now();
        let held: boolean;
        try {
          held = s.held
            ? (await redis.osRenew(s.key, this.nodeId, String(this.leaseTtlMs))) === 1
            : (await this.redis.set(s.key, this.nodeId, 'PX', this.leaseTtlMs, 'NX')) === 'OK';
        } catch (err) {
          // Redis unreachable: keep believing only until the TTL we last set could have run out
          this.logger.warn({ err: (err as Error).message, lease: s.key }, 'lease not renewed');
          held = s.held && Date.now() < s.validUntil;
        }
        // the key expires no earlier than ttl after we asked; give up a little before that
        if (held) s.validUntil = Math.max(s.validUntil, asked + this.leaseTtlMs - Math.min(1000, this.leaseTtlMs / 5));
        if (held !== s.held) {
          s.held = held;
          this.logger.info({ lease: s.key, node: this.nodeId, held }, held ? 'lease taken' : 'lease lost');
          s.onChange?.(held);
        }
      }),
    ).finally(() => (this.renewing = false));
  }

  limiter(o: LimiterOptions): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: this.key(`rl:${o.keyPrefix}`),
      points: o.points,
      duration: o.duration,
      // while Redis is unreachable each node still limits on its own
      insuranceLimiter: new RateLimiterMemory(o),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.pending.length) this.flush();
    const redis = this.redis as unknown as { osRelease(k: string, id: string): Promise<number> };
    await Promise.all([...this.leases.values()].filter((s) => s.held).map((s) => redis.osRelease(s.key, this.nodeId).catch(() => 0)));
    for (const s of this.leases.values()) s.held = false;
    // the blocked XREAD returns within its BLOCK time; disconnect ends it at once
    this.reader.disconnect();
    await this.readLoop?.catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** connect to Redis and return the cluster (throws a clear error when Redis cannot be reached) */
export async function connectRedisCluster(o: RedisClusterOptions): Promise<RedisCluster> {
  const c = new RedisCluster(o);
  try {
    await c.connect();
  } catch (err) {
    await c.stop().catch(() => undefined);
    throw new Error(`REDIS_URL: cannot reach Redis (${(err as Error).message})`);
  }
  return c;
}
