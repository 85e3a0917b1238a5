/**
 * @module server/realtime/hub
 * Fan-out to Socket.IO rooms `area:<id>`, and for units (条) `unit:<unitId>:<areaId>` (the cases a
 * unit works on within a district or street): the {@link Broadcaster} the services publish through.
 * A room's key is what the cluster sequences: the area's id, or the unit room's own name.
 *
 * One call, one frame per room: a committed batch of events (or alarms) is grouped by the rooms
 * that see each item (its grid, street, district and city), and each room gets ONE `event:upsert`
 * carrying its items in commit order. Indicator values are coalesced per room and flushed at most
 * `flushPerSec` times a second, however fast readings arrive.
 *
 * Every frame of a call goes to the {@link Cluster} in one `publish`, which gives each frame its
 * room's next sequence number and delivers it on every node (in memory on one node; in Redis,
 * one script per call, across several). On one node a room nobody is in gets nothing and its seq
 * does not move (a client joining later starts from a snapshot); with several nodes this one
 * cannot see the others' sockets, so every room gets its frames. Either way the room is marked as
 * changed ({@link LiveHub.changeMark}), so a cached snapshot of it is not reused.
 *
 * @example
 * const hub = new LiveHub(tree, cluster, metrics);
 * hub.attach(io);                                  // once the Socket.IO server exists
 * hub.publishEvents(stored);                       // one frame per room, one cluster publish
 */
import type { Server } from 'socket.io';
import type {
  Alarm,
  AreaLevel,
  ClientToServerEvents,
  EventChange,
  GridEvent,
  IndicatorValue,
  InterServerEvents,
  SeriesPoint,
  ServerToClientEvents,
  SocketData,
} from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import type { Broadcaster, IndicatorPoint, Metrics } from '../ports.ts';
import type { Cluster, Deliver, Frame } from '../cluster/cluster.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const UNIT_ROOM = 'unit:';
/** the channel of a unit's officers bound to an area: the cases the unit works on there */
export const unitChannel = (unitId: string, areaId: string) => `${UNIT_ROOM}${unitId}:${areaId}`;
/** the unit and area of a unit channel, or null for an area's channel (its id) */
export function parseUnitChannel(key: string): { unitId: string; areaId: string } | null {
  if (!key.startsWith(UNIT_ROOM)) return null;
  const rest = key.slice(UNIT_ROOM.length);
  const at = rest.indexOf(':');
  return at > 0 ? { unitId: rest.slice(0, at), areaId: rest.slice(at + 1) } : null;
}
/** the Socket.IO room of a channel (area ids never start with `unit:`: see scripts/lib/areas-validate.ts) */
export const roomOf = (key: string) => (key.startsWith(UNIT_ROOM) ? key : `area:${key}`);
/** the area levels a unit account may be bound to, so the levels its rooms are at */
const UNIT_ROOM_LEVELS = new Set(['district', 'street']);

/** the sequenced deltas, by event name */
type DeltaName = Frame['name'];
type DeltaOf<K extends DeltaName> = Parameters<ServerToClientEvents[K]>[0];
/** what a publisher hands to the cluster: the delta without its room's seq and epoch */
export type DeltaBody<K extends DeltaName> = Omit<DeltaOf<K>, 'seq' | 'epoch'>;

interface Pending {
  values: Map<string, IndicatorValue>;
  points: Record<string, SeriesPoint>;
}

export class LiveHub implements Broadcaster {
  private io: IoServer | undefined;
  /** changes published per area, sent or not (snapshot cache keys) */
  private readonly marks = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly tree: AreaTree,
    private readonly cluster: Cluster,
    private readonly metrics?: Pick<Metrics, 'deltaSent'>,
  ) {}

  /** start sending through this Socket.IO server (until then every room here is empty) */
  attach(io: IoServer): void {
    this.io = io;
  }

  /**
   * Hands a sequenced frame to this node's sockets in its room (the cluster calls it for frames
   * from every node): `io.local`, since every node delivers its own sockets. Socket.IO encodes the
   * packet once for all the room's sockets.
   */
  readonly deliver: Deliver = (areaId, name, payload) => {
    if (!this.io || !this.occupied(areaId)) return;
    this.io.local.to(roomOf(areaId)).emit(name, payload as never);
    this.metrics?.deltaSent(name, areaId.startsWith(UNIT_ROOM) ? 'unit' : (this.tree.level(areaId) ?? 'unknown'));
  };

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

  /** the epoch and the last sequence number sent to the room of an area (0 before any) */
  position(areaId: string): Promise<{ epoch: string; seq: number }> {
    return this.cluster.position(areaId);
  }

  /**
   * How many changes were published for an area in this process, whether its room was occupied
   * or not: with the room's seq, what a cached snapshot of the area is keyed by.
   */
  changeMark(areaId: string): number {
    return this.marks.get(areaId) ?? 0;
  }

  /** whether any socket on this node is in the area's room */
  readonly occupied = (areaId: string): boolean => (this.io?.sockets.adapter.rooms.get(roomOf(areaId))?.size ?? 0) > 0;

  /**
   * Whether a frame for this room is worth sequencing: on one node, only if someone is in it;
   * with several nodes this one cannot see the others' sockets, so always.
   */
  private wanted(areaId: string): boolean {
    return this.cluster.shared || (this.io !== undefined && this.occupied(areaId));
  }

  private touch(areaId: string): void {
    this.marks.set(areaId, this.changeMark(areaId) + 1);
  }

  /**
   * THE way out: the frames of one call (each a room's delta without seq and epoch), for the rooms
   * worth sending to, in one cluster publish.
   */
  private emit<K extends DeltaName>(name: K, bodies: Iterable<[areaId: string, body: DeltaBody<K>]>): void {
    const frames: Frame[] = [];
    for (const [areaId, payload] of bodies) {
      this.touch(areaId);
      if (this.wanted(areaId)) frames.push({ areaId, name, payload });
    }
    if (frames.length) this.cluster.publish(frames);
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
   * The events of one commit, to the rooms of their grids, streets, district and city, and to the
   * rooms of the units working on them (and of those just taken off them) at the case's street and
   * district: one `event:upsert` per room with that room's events in commit order.
   */
  publishEvents(changes: readonly EventChange[], formerUnits?: ReadonlyMap<string, readonly string[]>): void {
    // a confidential case goes to no room: walls share them, and streams are not cut per clearance
    const shown = changes.filter((c) => !c.event.confidential);
    if (shown.length === 0) return;
    const rooms = this.roomsOf(shown, (c) => c.event, formerUnits);
    this.emit('event:upsert', [...rooms].map(([key, events]) => [key, { events }] as [string, DeltaBody<'event:upsert'>]));
  }

  /** cases just marked confidential: every room that was sent them drops them (one `event:remove` per room) */
  withdrawEvents(events: readonly GridEvent[]): void {
    if (events.length === 0) return;
    const rooms = this.roomsOf(events, (e) => e);
    this.emit('event:remove', [...rooms].map(([key, list]) => [key, { removed: list.map((e) => ({ id: e.id, version: e.version })) }] as [string, DeltaBody<'event:remove'>]));
  }

  /**
   * Items grouped by the rooms that see their case: its grid, street, district and city, and the
   * rooms of the units working on it (and of those just taken off it) at its street and district.
   */
  private roomsOf<T>(items: readonly T[], caseOf: (item: T) => GridEvent, formerUnits?: ReadonlyMap<string, readonly string[]>): Map<string, T[]> {
    const rooms = this.byRoom(items, (i) => caseOf(i).gridId);
    for (const item of items) {
      const e = caseOf(item);
      const units = new Set([...(e.leadUnit ? [e.leadUnit] : []), ...e.coUnits, ...(formerUnits?.get(e.id) ?? [])]);
      if (units.size === 0) continue;
      const areas = this.tree.lineage(e.gridId).filter((a) => UNIT_ROOM_LEVELS.has(a.level));
      for (const u of units) {
        for (const a of areas) {
          const key = unitChannel(u, a.id);
          const list = rooms.get(key);
          if (list) list.push(item);
          else rooms.set(key, [item]);
        }
      }
    }
    return rooms;
  }

  /** alarms raised, changed or cleared, to the rooms of their areas and the areas above: one `alarm:upsert` per room */
  publishAlarms(alarms: readonly Alarm[]): void {
    if (alarms.length === 0) return;
    this.emit('alarm:upsert', [...this.byRoom(alarms, (a) => a.areaId)].map(([areaId, list]) => [areaId, { alarms: list }] as [string, DeltaBody<'alarm:upsert'>]));
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

  /** send what is queued, one `indicator:update` per room, all in one cluster publish */
  flush(): void {
    const bodies = [...this.pending].map(([areaId, p]) => [areaId, { values: [...p.values.values()], points: p.points }] as [string, DeltaBody<'indicator:update'>]);
    this.pending.clear();
    this.emit('indicator:update', bodies);
  }
}
