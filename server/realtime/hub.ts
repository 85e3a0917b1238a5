/**
 * @module server/realtime/hub
 * Fan-out to Socket.IO rooms `area:<id>`. Every delta sent to a room carries that room's next
 * sequence number; indicator values are coalesced per room and flushed at most
 * `flushPerSec` times a second, however fast readings arrive.
 */
import { randomUUID } from 'node:crypto';
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

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const roomOf = (areaId: string) => `area:${areaId}`;

interface Pending {
  values: Map<string, IndicatorValue>;
  points: Record<string, SeriesPoint>;
}

export class LiveHub {
  /** changes on every start: clients that see a new epoch resync */
  readonly epoch = randomUUID();
  private readonly seqs = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly io: IoServer,
    private readonly tree: AreaTree,
    private readonly metrics?: Pick<Metrics, 'deltaSent'>,
  ) {}

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

  /** the last sequence number sent to the room of an area (0 before any) */
  seqOf(areaId: string): number {
    return this.seqs.get(areaId) ?? 0;
  }

  private next(areaId: string): number {
    const s = this.seqOf(areaId) + 1;
    this.seqs.set(areaId, s);
    return s;
  }

  private occupied(areaId: string): boolean {
    return (this.io.sockets.adapter.rooms.get(roomOf(areaId))?.size ?? 0) > 0;
  }

  /**
   * Send a new or changed event to the rooms of its grid, street, district and city. A room with
   * nobody in it is skipped (its seq does not move: a client joining later starts from a snapshot).
   */
  publishEvent(event: GridEvent, created: boolean): void {
    for (const a of this.tree.lineage(event.gridId)) {
      if (!this.occupied(a.id)) continue;
      this.io.to(roomOf(a.id)).emit('event:upsert', { seq: this.next(a.id), epoch: this.epoch, created, event });
      this.metrics?.deltaSent('event:upsert', a.level);
    }
  }

  /** send a raised, changed or cleared alarm to the rooms of its area and the areas above it */
  publishAlarm(alarm: Alarm): void {
    for (const a of this.tree.lineage(alarm.areaId)) {
      if (!this.occupied(a.id)) continue;
      this.io.to(roomOf(a.id)).emit('alarm:upsert', { seq: this.next(a.id), epoch: this.epoch, alarm });
      this.metrics?.deltaSent('alarm:upsert', a.level);
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
      if (!this.occupied(areaId)) continue;
      this.io.to(roomOf(areaId)).emit('indicator:update', {
        seq: this.next(areaId),
        epoch: this.epoch,
        values: [...p.values.values()],
        points: p.points,
      });
      this.metrics?.deltaSent('indicator:update', this.tree.level(areaId) ?? 'unknown');
    }
    this.pending.clear();
  }
}
