/**
 * @module server/realtime/hub
 * Fan-out to Socket.IO rooms `area:<id>`: the {@link Broadcaster} the services publish through.
 *
 * One call, one frame per room: a committed batch of events (or alarms) is grouped by the rooms
 * that see each item (its grid, street, district and city), and each occupied room gets ONE
 * `event:upsert` carrying its items in commit order. Indicator values are coalesced per room and
 * flushed at most `flushPerSec` times a second, however fast readings arrive.
 *
 * Every frame goes through {@link LiveHub.emitToRoom}, which gives it the room's next sequence
 * number: the one place where the sequence is kept (a cluster-wide sequence replaces just that).
 * A room nobody is in gets nothing and its seq does not move (a client joining later starts from a
 * snapshot); it is still marked as changed ({@link LiveHub.changeMark}), so a cached snapshot of
 * it is not reused.
 *
 * @example
 * const hub = new LiveHub(tree, metrics);
 * hub.attach(io);                                  // once the Socket.IO server exists
 * hub.publishEvents(stored);                       // one frame per occupied room
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type {
  Alarm,
  AreaLevel,
  ClientToServerEvents,
  EventChange,
  IndicatorValue,
  InterServerEvents,
  SeriesPoint,
  ServerToClientEvents,
  SocketData,
} from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import type { Broadcaster, IndicatorPoint, Metrics } from '../ports.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const roomOf = (areaId: string) => `area:${areaId}`;

/** the sequenced deltas, by event name */
type DeltaName = 'event:upsert' | 'indicator:update' | 'alarm:upsert';
type DeltaOf<K extends DeltaName> = Parameters<ServerToClientEvents[K]>[0];
/** what a publisher hands to {@link LiveHub.emitToRoom}: the delta without its room's seq and epoch */
export type DeltaBody<K extends DeltaName> = Omit<DeltaOf<K>, 'seq' | 'epoch'>;

interface Pending {
  values: Map<string, IndicatorValue>;
  points: Record<string, SeriesPoint>;
}

export class LiveHub implements Broadcaster {
  /** changes on every start: clients that see a new epoch resync */
  readonly epoch = randomUUID();
  private io: IoServer | undefined;
  private readonly seqs = new Map<string, number>();
  /** changes published per area, sent or not (snapshot cache keys) */
  private readonly marks = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly tree: AreaTree,
    private readonly metrics?: Pick<Metrics, 'deltaSent'>,
  ) {}

  /** start sending through this Socket.IO server (until then every room is empty) */
  attach(io: IoServer): void {
    this.io = io;
  }

  /** sockets in area rooms, by the room's level (a socket in two rooms counts in both) */
  socketsByLevel(): Partial<Record<AreaLevel, number>> {
    const out: Partial<Record<AreaLevel, number>> = {};
    if (!this.io) return out;
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

  /**
   * How many changes were published for an area in this process, whether its room was occupied
   * or not: with {@link seqOf}, what a cached snapshot of the area is keyed by.
   */
  changeMark(areaId: string): number {
    return this.marks.get(areaId) ?? 0;
  }

  private occupied(areaId: string): boolean {
    return (this.io?.sockets.adapter.rooms.get(roomOf(areaId))?.size ?? 0) > 0;
  }

  /**
   * THE way out to a room: skip an empty room (its seq stays), else give the delta the room's next
   * seq and emit it. Socket.IO encodes the packet once for all the room's sockets.
   */
  private emitToRoom<K extends DeltaName>(areaId: string, name: K, body: DeltaBody<K>): void {
    if (!this.io || !this.occupied(areaId)) return;
    const seq = this.seqOf(areaId) + 1;
    this.seqs.set(areaId, seq);
    const delta = { ...body, seq, epoch: this.epoch } as DeltaOf<K>;
    // the emit signature is a union over event names; the delta matches `name` by construction
    (this.io.to(roomOf(areaId)).emit as (n: K, d: DeltaOf<K>) => boolean)(name, delta);
    this.metrics?.deltaSent(name, this.tree.level(areaId) ?? 'unknown');
  }

  private touch(areaId: string): void {
    this.marks.set(areaId, this.changeMark(areaId) + 1);
  }

  /** items grouped by the rooms that see them (their area and every area above), in order */
  private byRoom<T>(items: readonly T[], areaOf: (item: T) => string): Map<string, T[]> {
    const rooms = new Map<string, T[]>();
    for (const item of items) {
      for (const a of this.tree.lineage(areaOf(item))) {
        const list = rooms.get(a.id);
        if (list) list.push(item);
        else rooms.set(a.id, [item]);
      }
    }
    return rooms;
  }

  /**
   * The events of one commit, to the rooms of their grids, streets, district and city: one
   * `event:upsert` per room with that room's events in commit order.
   */
  publishEvents(changes: readonly EventChange[]): void {
    if (changes.length === 0) return;
    for (const [areaId, events] of this.byRoom(changes, (c) => c.event.gridId)) {
      this.touch(areaId);
      this.emitToRoom(areaId, 'event:upsert', { events });
    }
  }

  /** alarms raised, changed or cleared, to the rooms of their areas and the areas above: one `alarm:upsert` per room */
  publishAlarms(alarms: readonly Alarm[]): void {
    if (alarms.length === 0) return;
    for (const [areaId, list] of this.byRoom(alarms, (a) => a.areaId)) {
      this.touch(areaId);
      this.emitToRoom(areaId, 'alarm:upsert', { alarms: list });
    }
  }

  /** queue changed values for the rooms of the area and of its parent */
  publishIndicators(values: readonly IndicatorValue[], points: readonly IndicatorPoint[]): void {
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
      this.touch(areaId);
      this.emitToRoom(areaId, 'indicator:update', { values: [...p.values.values()], points: p.points });
    }
    this.pending.clear();
  }
}
