/**
 * @module shared/socket
 * The typed Socket.IO protocol. A client connects with `auth: { areaId }` and is placed in the
 * room `area:<areaId>`. It first receives `snapshot`, then sequenced deltas. Every delta sent to a
 * room carries that room's next `seq` (strictly increasing by one), so a client that sees
 * `seq !== last + 1` has missed something and asks for a new snapshot with `snapshot:request`.
 *
 * A room `area:X` receives events and alarms anywhere below X, and indicator values of X and of
 * X's direct children (so a district wall can colour its streets).
 *
 * Deltas are batched per room: one committed ingest batch (or one case transition, one tagging
 * round, one alarm step) becomes at most one `event:upsert` / `alarm:upsert` per room, carrying
 * every change that room sees, in commit order, under one `seq`. A client applies the changes of
 * a delta in order, then moves its `seq` on by one. Indicator values are coalesced per room and
 * flushed a few times a second (`INDICATOR_FLUSH_PER_SEC`). A room nobody is in receives nothing
 * and its `seq` does not move.
 */
import { z } from 'zod';
import type { Alarm, DisplayConfig, GridEvent, IndicatorValue, SeriesPoint } from './schemas/index.ts';

/**
 * Why the server refused a connection: the message of the client's `connect_error`. `unauthorized`:
 * no valid session cookie; `forbidden`: the area asked for is outside the session's scope;
 * `unavailable`: the server could not check (try again later); `foreign_origin`: the page that
 * opened it is not served from the centre's address (PUBLIC_URL); `too_many_connections`: the
 * session holds as many live sockets as one session may. A refused socket is not retried by
 * Socket.IO itself.
 */
export const SocketRefusal = z.enum(['unauthorized', 'forbidden', 'unavailable', 'foreign_origin', 'too_many_connections']);
export type SocketRefusal = z.infer<typeof SocketRefusal>;

export interface HourlyCounts {
  /** 24 counts of events per local hour of occurrence, today and yesterday */
  today: number[];
  yesterday: number[];
  /** epoch ms of local midnight that starts `today` */
  todayStart: number;
}

export interface Snapshot {
  /** the room's sequence number this snapshot is consistent with */
  seq: number;
  /** server boot id: a different epoch means the server restarted and seqs started over */
  epoch: string;
  areaId: string;
  serverTime: string;
  /** the server runs the built-in simulator: its data is marked simulated */
  simulatorOn: boolean;
  /**
   * the build of the wall this server serves (a hash of its bundle; null: none). A page running
   * another build reloads itself (after a random pause, so a wall of screens does not reload at once)
   */
  build?: string | null;
  indicators: IndicatorValue[];
  /** per indicator id, the series of the snapshot's own area over the last 24 h */
  trends: Record<string, SeriesPoint[]>;
  /** open events below the area, newest first (capped; `openTotal` tells the full count) */
  events: GridEvent[];
  openTotal: number;
  /** the newest events, open or not, for the ticker */
  recent: GridEvent[];
  hourly: HourlyCounts;
  /** active alarms of the area and below it (raised or acknowledged), most severe and oldest first */
  alarms: Alarm[];
}

/** One event in an {@link EventDelta}. */
export interface EventChange {
  /** true when the event is new (first ingest), false for a change of an existing one */
  created: boolean;
  event: GridEvent;
}

/** The events of one commit that a room sees, in commit order (at least one). */
export interface EventDelta {
  seq: number;
  epoch: string;
  events: EventChange[];
}

/**
 * Cases a room may no longer show (one marked 涉密/敏感 after it was streamed): drop them, and
 * ignore any change of them at or below `version` that arrives later (with several nodes, a change
 * committed before the marking can be delivered after it). The room's counts follow at its next
 * snapshot.
 */
export interface EventRemoveDelta {
  seq: number;
  epoch: string;
  removed: { id: string; version: number }[];
}

export interface IndicatorDelta {
  seq: number;
  epoch: string;
  values: IndicatorValue[];
  /** new series points of the room's own area, per indicator id */
  points: Record<string, SeriesPoint>;
}

/** Alarms raised, changed (severity, value, acknowledged, its case) or cleared, in order (at least one). */
export interface AlarmDelta {
  seq: number;
  epoch: string;
  alarms: Alarm[];
}

export type AckResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface ServerToClientEvents {
  snapshot: (s: Snapshot) => void;
  'event:upsert': (d: EventDelta) => void;
  'event:remove': (d: EventRemoveDelta) => void;
  'indicator:update': (d: IndicatorDelta) => void;
  'alarm:upsert': (d: AlarmDelta) => void;
  /**
   * A display's own configuration (its scenes, layout and the pause of its rotation): sent to a
   * display's sockets when they connect and whenever it changes. Not sequenced (each carries the
   * whole configuration); never sent to a person's session nor to another display.
   */
  'display:config': (c: DisplayConfig) => void;
  /**
   * An incident (平战结合) of this area or of one above it started, changed or ended: the wall asks
   * `GET /api/v1/emergency` again. Not sequenced (it carries no data); the wall also asks on
   * every (re)connection.
   */
  'emergency:changed': (c: { areaId: string }) => void;
}

export interface ClientToServerEvents {
  'snapshot:request': (ack: (r: AckResult<Snapshot>) => void) => void;
}

export interface InterServerEvents {}

export interface SocketData {
  areaId: string;
  /** what the socket is sent: its area's channel (the area id), or a unit's within it (`unit:<unitId>:<areaId>`) */
  channel: string;
}

export interface SocketAuth {
  areaId?: string;
  /** the build the page runs (`BuildId`): kept per display screen, shown in /admin */
  build?: string;
}
