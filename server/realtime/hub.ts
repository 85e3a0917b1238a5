/**
 * @module server/realtime/hub
 * Fan-out to Socket.IO rooms `area:<id>`. Every delta sent to a room carries that room's next
 * sequence number, assigned by the {@link Cluster} (in memory on one node, in Redis across
 * several); indicator values are coalesced per room and flushed at most `flushPerSec` times a
 * second, however fast readings arrive.
 */
import type { Server } from 'socket.io';
import type {
  Alarm,
  AreaLevel,
  ClientToServerEvents,
  GridEvent,
  IndicatorValue,
  InterServerEvents,
  SeriesPoint,
  ServerToClientEvents,
  SocketData,
} from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import type { Metrics } from '../ports.ts';
import type { Cluster, Deliver, Frame } from '../cluster/cluster.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const roomOf = (areaId: string) => `area:${areaId}`;

interface Pending {
  values: Map<string, IndicatorValue>;
  points: Record<string, SeriesPoint>;
}

export class LiveHub {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly io: IoServer,
    private readonly tree: AreaTree,
    private readonly cluster: Cluster,
    private readonly metrics?: Pick<Metrics, 'deltaSent'>,
  ) {}

  /**
   * Hands a sequenced frame to this node's sockets in its room (the cluster calls it for frames
   * from every node): `io.local`, since every node delivers its own sockets.
   */
  readonly deliver: Deliver = (areaId, name, payload) => {
    if (!this.occupied(areaId)) return;
    this.io.local.to(roomOf(areaId)).emit(name, payload as never);
    this.metrics?.deltaSent(name, this.tree.level(areaId) ?? 'unknown');
  };

  /** sockets in area rooms, by the room's level (a socket in two rooms counts in both) */
  socketsByLevel(): Partial<Record<AreaLevel, number>> {
    const out: Partial<Record<AreaLevel, number>> = {};
    for (const [room, members] of this.io.sockets.adapter.rooms) {
      if (!room.startsWith('area:')) continue;
      const level = this.tree.level(room.slice('area:'.length));
      if (level) out[level] = (out[level] ?? 0) + members.size;
    }
    return out;
  }

  /** the epoch and the last sequence number sent to the room of an area (0 before any) */
  position(areaId: string): Promise<{ epoch: string; seq: number }> {
    return this.cluster.position(areaId);
  }

  /** whether any socket on this node is in the area's room */
  readonly occupied = (areaId: string): boolean => (this.io.sockets.adapter.rooms.get(roomOf(areaId))?.size ?? 0) > 0;

  /**
   * Whether a frame for this room is worth sequencing: on one node, only if someone is in it (its
   * seq does not move otherwise: a client joining later starts from a snapshot); with several
   * nodes this one cannot see the others' sockets, so always.
   */
  private wanted(areaId: string): boolean {
    return this.cluster.shared || this.occupied(areaId);
  }

  /** the one way out: the cluster gives the frame its room's next seq and delivers it on every node */
  private emitToRoom(areaId: string, name: Frame['name'], payload: object): void {
    this.cluster.publish([{ areaId, name, payload }]);
  }

  /**
   * Send a new or changed event to the rooms of its grid, street, district and city. A room with
   * nobody in it is skipped (its seq does not move: a client joining later starts from a snapshot).
   */
  publishEvent(event: GridEvent, created: boolean): void {
    for (const a of this.tree.lineage(event.gridId)) {
      if (!this.wanted(a.id)) continue;
      this.emitToRoom(a.id, 'event:upsert', { created, event });
    }
  }

  /** send a raised, changed or cleared alarm to the rooms of its area and the areas above it */
  publishAlarm(alarm: Alarm): void {
    for (const a of this.tree.lineage(alarm.areaId)) {
      if (!this.wanted(a.id)) continue;
      this.emitToRoom(a.id, 'alarm:upsert', { alarm });
    }
  }

  /** queue changed values for the rooms of the area and of its parent */
  publishIndicators(values: IndicatorValue[], points: { areaId: string; indicatorId: string; point: SeriesPoint }[]): void {
    for (const v of values) {
      const parent = this.tree.get(v.areaId)?.parentId;
      for (const room of parent ? [v.areaId, parent] : [v.areaId]) {
        this.pendingFor(room).values.set(`${v.indicatorId}|${v.areaId}`, v);
      }
    }
    for (const p of points) this.pendingFor(p.areaId).points[p.indicatorId] = p.point;
  }

  private pendingFor(areaId: string): Pending {
    let p = this.pending.get(areaId);
    if (!p) this.pending.set(areaId, (p = { values: new Map(), points: {} }));
    return p;
  }

  /** emit what is queued, one `indicator:update` per room; rooms nobody is in are skipped */
  flush(): void {
    for (const [areaId, p] of this.pending) {
      if (!this.wanted(areaId)) continue;
      this.emitToRoom(areaId, 'indicator:update', { values: [...p.values.values()], points: p.points });
    }
    this.pending.clear();
  }
}
