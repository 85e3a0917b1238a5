/**
 * @module web/state/live-state
 * The wall's live connection to one area's room: a rune class around the pure reducer in
 * `live-store.ts`. It owns the socket, asks for a snapshot on a gap or epoch change, reports the
 * connection state, and remembers which events just arrived (for flashing).
 *
 * It is the wall's {@link LiveSource}: pages and state classes subscribe to its changes
 * (`live.subscribe('event' | 'alarm' | 'snapshot' | 'connection' | 'refused', fn)`, several
 * listeners each) rather than polling `data`.
 *
 * The socket authenticates with the session cookie. When the server refuses it (`unauthorized`,
 * `forbidden`) or closes it on purpose (logout, expiry, a revoked display), Socket.IO does not
 * retry by itself: the state tells its `refused` listeners so the page can check the session
 * and either reconnect or show that it is signed out; with no such listener it retries by itself.
 */
import type { GridEvent, Snapshot } from '../../../../shared/index.ts';
import { connectWallSocket, refusalOf, type WallSocket } from '../api/socket.ts';
import { ownBuild } from '../api/wall-report.ts';
import { Listeners } from './listeners.ts';
import type { ConnectionState, LiveEventKind, LiveEvents, LiveSource, Refusal } from './live-source.ts';
import {
  applySnapshot,
  initialLiveData,
  markInterrupted,
  receiveDelta,
  type Delta,
  type LiveData,
  type Outcome,
} from './live-store.ts';

export type { ConnectionState, LiveEvents, LiveSource, Refusal } from './live-source.ts';

/** How long a new event stays highlighted (ms). */
export const FRESH_MS = 10_000;
/** After this long without a connection, "reconnecting" becomes "offline". */
export const OFFLINE_AFTER_MS = 15_000;
const FRESH_CAP = 100;
const SNAPSHOT_TIMEOUT_MS = 10_000;
const TICK_MS = 1000;

export class LiveState implements LiveSource {
  /** The folded state of the room (immutable; replaced on every change). */
  data = $state.raw<LiveData>(initialLiveData(''));
  #connection = $state<ConnectionState>('connecting');
  /** ids of events that arrived live in the last {@link FRESH_MS}, with their local arrival ms */
  fresh = $state.raw<ReadonlyMap<string, number>>(new Map());
  /** local ms since when the data is not live (lost, or being reloaded); 0 while live */
  downSince = $state(0);
  /** how the stream was lost: the network, or the server closed it (a restart, a redeploy) */
  lostBy = $state<'network' | 'server' | null>(null);
  /** local ms Socket.IO will next try to reconnect, about (its delays carry ±50 % jitter); 0: not planned */
  nextAttemptAt = $state(0);
  /** the wall build the server serves, from its last snapshot (a page running another reloads: wall-recovery) */
  serverBuild = $state<string | null>(null);

  #listeners = new Listeners<LiveEvents>();
  #open: (areaId: string, onSchedule: (atMs: number) => void) => WallSocket;
  #socket: WallSocket | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #lostAt = 0;
  #resyncSince = 0;
  #syncWaitSince = 0;

  /** @param openSocket opens the room's socket (tests pass a fake) */
  constructor(openSocket: (areaId: string, onSchedule: (atMs: number) => void) => WallSocket = (areaId, onSchedule) => connectWallSocket(areaId, ownBuild(), onSchedule)) {
    this.#open = openSocket;
  }

  /** The area whose room is mirrored. */
  get areaId(): string {
    return this.data.areaId;
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  set connection(c: ConnectionState) {
    if (c === this.#connection) return;
    this.#connection = c;
    this.#listeners.emit('connection', c);
  }

  /**
   * Calls `fn` with every change of one kind (see {@link LiveEvents}); several listeners each.
   * @returns the function that stops it
   * @example const off = live.subscribe('alarm', (a) => note(a)); … off();
   */
  subscribe<K extends LiveEventKind>(kind: K, fn: (value: LiveEvents[K]) => void): () => void {
    return this.#listeners.subscribe(kind, fn);
  }

  /** Local time corrected to the server's clock. */
  serverNow(localNow = Date.now()): number {
    return localNow + this.data.serverOffsetMs;
  }

  /**
   * (Re)connects to an area's room; the previous room's data is dropped. A unit's session names
   * its unit: the server sends it only its cases, and one it was taken off leaves its list.
   */
  connect(areaId: string, unitId?: string): void {
    this.disconnect();
    this.data = initialLiveData(areaId, unitId);
    this.fresh = new Map();
    this.connection = 'connecting';
    this.#lostAt = Date.now();
    this.#syncWaitSince = Date.now();
    this.downSince = 0;
    this.lostBy = null;
    this.nextAttemptAt = 0;
    // the back-off says when it tries next (the banner shows it)
    const socket = this.#open(areaId, (at) => {
      if (this.#socket === socket) this.nextAttemptAt = at;
    });
    this.#socket = socket;

    socket.on('connect', () => {
      this.connection = 'connected';
      this.#lostAt = 0;
      this.#syncWaitSince = Date.now();
      this.lostBy = null;
      this.nextAttemptAt = 0;
    });
    socket.on('disconnect', (reason) => {
      this.data = markInterrupted(this.data);
      this.connection = 'reconnecting';
      this.#lostAt ||= Date.now();
      this.downSince ||= Date.now();
      // The server closed us on purpose (a session ended, or it is stopping for a restart):
      // Socket.IO does not retry by itself.
      this.lostBy = reason === 'io server disconnect' ? 'server' : 'network';
      if (reason === 'io server disconnect') this.#refused(socket, 'closed');
    });
    socket.on('connect_error', (err) => {
      if (this.connection === 'connected') this.connection = 'reconnecting';
      this.#lostAt ||= Date.now();
      this.downSince ||= Date.now();
      this.lostBy ??= 'network';
      // A refusal by the server's middleware is final for this socket (no automatic retry).
      if (!socket.active) {
        const why = refusalOf(err);
        this.#refused(socket, why === 'unauthorized' || why === 'forbidden' ? why : 'closed');
      }
    });
    socket.on('snapshot', (s) => this.#onSnapshot(s));
    socket.on('event:upsert', (delta) => this.#onDelta({ kind: 'event', delta }));
    socket.on('event:remove', (delta) => this.#onDelta({ kind: 'remove', delta }));
    socket.on('indicator:update', (delta) => this.#onDelta({ kind: 'indicator', delta }));
    socket.on('alarm:upsert', (delta) => this.#onDelta({ kind: 'alarm', delta }));
    socket.on('display:config', (c) => this.#listeners.emit('config', c));
    socket.on('emergency:changed', (m) => this.#listeners.emit('emergency', m));

    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  #refused(socket: WallSocket, why: Refusal): void {
    if (this.#socket !== socket) return;
    if (this.#listeners.count('refused') > 0) this.#listeners.emit('refused', why);
    else {
      this.nextAttemptAt = Date.now() + 2000;
      setTimeout(() => this.#socket === socket && socket.connect(), 2000);
    }
  }

  /**
   * Opens the same room's socket again after a refusal (the data is kept until the snapshot),
   * now or after `afterMs` (then {@link LiveState.nextAttemptAt} says when).
   */
  reconnect(afterMs = 0): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    const socket = this.#socket;
    if (!socket || socket.connected) return;
    if (afterMs <= 0) {
      this.nextAttemptAt = 0;
      socket.connect();
      return;
    }
    this.nextAttemptAt = Date.now() + afterMs;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#socket === socket) this.reconnect();
    }, afterMs);
  }

  /** Closes the socket and stops the timers. */
  disconnect(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#retry) clearTimeout(this.#retry);
    this.#timer = this.#retry = null;
    if (this.#socket) {
      this.#socket.removeAllListeners();
      this.#socket.disconnect();
    }
    this.#socket = null;
    this.#resyncSince = 0;
  }

  #onSnapshot(s: Snapshot): void {
    if (s.areaId !== this.data.areaId) return;
    this.#resyncSince = 0;
    this.serverBuild = s.build ?? null;
    this.#take(applySnapshot(this.data, s, Date.now()));
    this.#listeners.emit('snapshot', this.data);
  }

  #onDelta(d: Delta): void {
    this.#take(receiveDelta(this.data, d, Date.now()));
    // a delta carries a batch: the listeners hear of each item, in order, once `data` has it
    // (also while a resync buffers it: upserts are idempotent, and a followed case moves on)
    if (d.kind === 'event') for (const c of d.delta.events ?? []) this.#listeners.emit('event', c.event);
    else if (d.kind === 'alarm') for (const a of d.delta.alarms ?? []) this.#listeners.emit('alarm', a);
  }

  #take(out: Outcome): void {
    this.data = out.data;
    if (out.created.length > 0) {
      const now = Date.now();
      const next = new Map(this.fresh);
      for (const e of out.created) next.set(e.id, now);
      while (next.size > FRESH_CAP) next.delete(next.keys().next().value as string);
      this.fresh = next;
    }
    if (out.resync) this.requestSnapshot();
    if (out.data.status === 'synced') {
      this.#syncWaitSince = 0;
      if (this.#socket?.connected) this.downSince = 0;
    } else {
      this.#syncWaitSince ||= Date.now();
      this.downSince ||= Date.now();
    }
  }

  /** Asks the server for a fresh snapshot of the room (one request in flight at a time). */
  requestSnapshot(): void {
    const socket = this.#socket;
    if (!socket?.connected || this.#resyncSince) return;
    this.#resyncSince = Date.now();
    socket.timeout(SNAPSHOT_TIMEOUT_MS).emit('snapshot:request', (err, res) => {
      if (this.#socket !== socket) return;
      this.#resyncSince = 0;
      if (err || !res) return; // the watchdog asks again
      if (res.ok) this.#onSnapshot(res.data);
      else console.warn('[onescreen] snapshot request refused', res.error.code);
    });
  }

  /**
   * After a clock jump or the machine waking from sleep: a fresh snapshot now (it measures the
   * server's clock offset again and fills any gap), and a socket that looks connected but does
   * not answer within the snapshot timeout (asleep, its peer may be long gone) is reopened.
   */
  resync(): void {
    const socket = this.#socket;
    if (!socket) return;
    if (!socket.connected) {
      if (socket.active) socket.connect();
      return;
    }
    this.#resyncSince = Date.now();
    socket.timeout(SNAPSHOT_TIMEOUT_MS).emit('snapshot:request', (err, res) => {
      if (this.#socket !== socket) return;
      this.#resyncSince = 0;
      if (err || !res) {
        socket.disconnect();
        socket.connect();
      } else if (res.ok) this.#onSnapshot(res.data);
    });
  }

  #tick(): void {
    const now = Date.now();
    if (this.#lostAt && now - this.#lostAt > OFFLINE_AFTER_MS && this.connection !== 'connected') this.connection = 'offline';
    if (typeof navigator !== 'undefined' && navigator.onLine === false && this.connection !== 'connected') {
      this.connection = 'offline';
      // the machine says it is offline: its data is no longer live, whatever the socket thinks yet
      this.downSince ||= now;
      this.lostBy ??= 'network';
    }
    // Connected but still without a consistent snapshot for a while: ask again.
    if (this.#socket?.connected && this.data.status !== 'synced' && this.#syncWaitSince && now - this.#syncWaitSince > SNAPSHOT_TIMEOUT_MS) {
      this.#syncWaitSince = now;
      this.requestSnapshot();
    }
    if (this.fresh.size > 0) {
      let expired = false;
      for (const at of this.fresh.values()) if (now - at > FRESH_MS) expired = true;
      if (expired) this.fresh = new Map([...this.fresh].filter(([, at]) => now - at <= FRESH_MS));
    }
  }

  /** Events that arrived in the last {@link FRESH_MS}, from the open list and the ticker. */
  freshEvents(): GridEvent[] {
    if (this.fresh.size === 0) return [];
    const seen = new Set<string>();
    const out: GridEvent[] = [];
    for (const e of [...this.data.recent, ...this.data.openEvents]) {
      if (this.fresh.has(e.id) && !seen.has(e.id)) {
        seen.add(e.id);
        out.push(e);
      }
    }
    return out;
  }
}
