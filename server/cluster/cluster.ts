/**
 * @module server/cluster/cluster
 * What one server process needs from the others when several run side by side (`REDIS_URL`):
 * sequenced delivery of live frames to every node's sockets, leases for timers that must fire
 * once in the cluster, a channel for shared state (readings, case changes, indicator values),
 * rate limiters that count across nodes, and a Socket.IO adapter for io-level operations that
 * cross nodes (disconnecting a session's sockets everywhere).
 *
 * {@link LocalCluster} is the single-process implementation (no Redis): in-memory sequence
 * numbers and direct delivery, every lease always held — the server behaves as it always did.
 * `redis-cluster.ts` is the multi-node one.
 */
import { randomUUID } from 'node:crypto';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DisplayConfig, IndicatorValue } from '../../shared/index.ts';
import type { NewReading } from '../ports.ts';

/** One live message for the room of an area; the cluster adds its `seq` and the `epoch`. */
export interface Frame {
  areaId: string;
  name: 'event:upsert' | 'event:remove' | 'alarm:upsert' | 'indicator:update';
  payload: object;
}

/** Hands a frame, with its `seq` and `epoch`, to this node's sockets in the area's room. */
export type Deliver = (areaId: string, name: Frame['name'], payload: Record<string, unknown> & { seq: number; epoch: string }) => void;

/** State one node shares with the others (never sent to clients). */
export type ClusterMessage =
  /** readings a node committed: the leaseholder's indicator state and alarm rules need them */
  | { t: 'readings'; rows: NewReading[] }
  /** cases changed on a node: derived indicators (open, overdue, …) need a refresh */
  | { t: 'cases'; archived: boolean }
  /** the leaseholder's rolled-up values that changed: every node's snapshots show them */
  | { t: 'values'; values: IndicatorValue[] }
  /** an administrator saved alarm rules on a node */
  | { t: 'rules' }
  /** a display's configuration changed on a node (scenes saved, rotation paused): its sockets on every node get it */
  | { t: 'display'; config: DisplayConfig }
  /** an incident of an area started, changed or ended on a node: the walls of the area and below, on every node, ask again */
  | { t: 'emergency'; areaId: string }
  /** an administrator imported a map layer (roads, key areas) on a node: the others reload it */
  | { t: 'layers'; kind: 'roads' | 'key_areas' | 'buildings' };

/** A cluster-wide lease: held by one node at a time; lost by a node that dies after its TTL. */
export interface Lease {
  held(): boolean;
}

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** seconds */
  duration: number;
}

export interface Cluster {
  /** this process's name in the cluster (lease values, logs) */
  readonly nodeId: string;
  /** true when other nodes may exist (frames then go to every room, occupied here or not) */
  readonly shared: boolean;
  /** the Socket.IO adapter factory for io-level operations across nodes; undefined: in-memory */
  adapter(): unknown;
  /**
   * Start delivering frames (from this and every other node) to this node's sockets; `wanted`
   * tells whether anyone here is in an area's room (frames for other rooms are skipped unread).
   */
  start(deliver: Deliver, wanted?: (areaId: string) => boolean): Promise<void>;
  /** sequence and deliver frames, in order; never throws (a failure is logged and makes clients resync) */
  publish(frames: readonly Frame[]): void;
  /** the epoch and the last seq of an area's room, as a snapshot must report them */
  position(areaId: string): Promise<{ epoch: string; seq: number }>;
  /** tell the other nodes (not this one) */
  share(msg: ClusterMessage): void;
  /** what other nodes share */
  onShared(fn: (msg: ClusterMessage) => void): void;
  /**
   * The lease of this name (one per name and process). `onChange` is told when this node gains or
   * loses it.
   */
  lease(name: string, onChange?: (held: boolean) => void): Lease;
  /** a rate limiter whose counts every node shares */
  limiter(o: LimiterOptions): RateLimiterAbstract;
  stop(): Promise<void>;
}

/** One process: in-memory sequence numbers, direct delivery, every lease held. */
export class LocalCluster implements Cluster {
  readonly nodeId = 'local';
  readonly shared = false;
  /** changes on every start: clients that see a new epoch resync */
  readonly epoch = randomUUID();
  private readonly seqs = new Map<string, number>();
  private deliver: Deliver | undefined;

  adapter(): undefined {
    return undefined;
  }

  async start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
  }

  publish(frames: readonly Frame[]): void {
    for (const f of frames) {
      const seq = (this.seqs.get(f.areaId) ?? 0) + 1;
      this.seqs.set(f.areaId, seq);
      this.deliver?.(f.areaId, f.name, { ...f.payload, seq, epoch: this.epoch });
    }
  }

  async position(areaId: string): Promise<{ epoch: string; seq: number }> {
    return { epoch: this.epoch, seq: this.seqs.get(areaId) ?? 0 };
  }

  share(): void {}
  onShared(): void {}

  lease(_name: string, onChange?: (held: boolean) => void): Lease {
    void onChange; // held from the start, never lost: nothing to tell
    return { held: () => true };
  }

  limiter(o: LimiterOptions): RateLimiterAbstract {
    return new RateLimiterMemory(o);
  }

  async stop(): Promise<void> {
    this.deliver = undefined;
  }
}
