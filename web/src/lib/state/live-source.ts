/**
 * @module web/state/live-source
 * What the wall reads its data from: the room's folded {@link LiveData}, the connection state and
 * the stream's changes as subscriptions. {@link LiveState} (the live socket) implements it; a
 * replay of stored history can implement it too and be handed to the wall's view-model instead,
 * so the same panels draw the past.
 *
 * Subscriptions (several listeners each, `subscribe` returns the function that stops one):
 * - `event`: every event change the stream brings, also for cases that leave the open list;
 * - `alarm`: every alarm change, cleared ones included;
 * - `snapshot`: the data right after a snapshot was applied (a full redraw);
 * - `connection`: the connection state, each time it changes;
 * - `config`: a display session's configuration (scenes, layout, pause), pushed by the server;
 * - `refused`: the server stopped or refused the stream (see {@link Refusal}); the source then
 *   stays down until `reconnect()`. With no `refused` listener a source retries by itself.
 */
import type { Alarm, DisplayConfig, GridEvent, SocketRefusal } from '../../../../shared/index.ts';
import type { LiveData } from './live-store.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/**
 * Why the server stopped the stream: it closed the socket (`closed`, what it does when a session
 * ends), or refused to connect it (a {@link SocketRefusal}): no valid session (`unauthorized`) or
 * an area outside the session's scope (`forbidden`). A server that could not check
 * (`unavailable`) or any other failure counts as `closed`: the page checks its session and retries.
 */
export type Refusal = 'closed' | Exclude<SocketRefusal, 'unavailable'>;

/** What each subscription kind hands its listeners. */
export interface LiveEvents {
  event: GridEvent;
  alarm: Alarm;
  snapshot: LiveData;
  connection: ConnectionState;
  refused: Refusal;
  /** a display's own configuration (scenes, layout, pause): on connection and whenever it changes */
  config: DisplayConfig;
  /** an incident (平战结合) of the area or above it changed: ask `GET /api/v1/emergency` again */
  emergency: { areaId: string };
}

export type LiveEventKind = keyof LiveEvents;

/** A source of one area's live (or replayed) data. Reactive fields are runes in implementations. */
export interface LiveSource {
  /** the folded state of the room (immutable; replaced on every change) */
  readonly data: LiveData;
  readonly connection: ConnectionState;
  /** ids of events that just arrived, with their local arrival ms (for flashing) */
  readonly fresh: ReadonlyMap<string, number>;
  /** the area mirrored */
  readonly areaId: string;
  /** local ms since when the data is not live (lost, or being reloaded); 0 while live */
  readonly downSince?: number;
  /** how it was lost: the network, or the server closed the stream (a restart, a redeploy) */
  readonly lostBy?: 'network' | 'server' | null;
  /** local ms of the next reconnection attempt, as far as known (0: none planned or unknown) */
  readonly nextAttemptAt?: number;
  /** the time the data is "now" at: local time on the server's clock (a replay: the replayed time) */
  serverNow(localNow?: number): number;
  /** follows an area (the previous area's data is dropped) */
  connect(areaId: string): void;
  disconnect(): void;
  /** resumes after a refusal, now or after `afterMs` */
  reconnect(afterMs?: number): void;
  /** the events of {@link LiveSource.fresh} still in the lists */
  freshEvents(): GridEvent[];
  subscribe<K extends LiveEventKind>(kind: K, fn: (value: LiveEvents[K]) => void): () => void;
}
