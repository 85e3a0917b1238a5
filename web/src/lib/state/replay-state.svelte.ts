/**
 * @module web/state/replay-state
 * The wall back in time: a rune class that stands in for the live stream while an officer replays
 * a past moment. It holds the replayed time, plays it at ×1/×10/×60, fetches the room's
 * historical snapshot at each replayed minute (one request in flight, a small cache, never per
 * frame) and folds it with the live reducer (`live-store.ts`), so the wall reads the same
 * {@link LiveData} shape from either source, through the same source interface as the live
 * socket. Its `serverNow()` is the replayed time, so clocks, charts and the deadline watch show
 * that moment.
 */
import type { GridEvent, Snapshot } from '../../../../shared/index.ts';
import { fetchSnapshotAt } from '../api/replay.ts';
import { advanceReplay, clampReplay, REPLAY_START_BACK_MS, REPLAY_STEP_MS, replayStep, StepCache, type ReplaySpeed } from '../utils/replay.ts';
import { applySnapshot, initialLiveData, type LiveData } from './live-store.ts';
import { Listeners } from './listeners.ts';
import type { LiveEvents, LiveEventKind, LiveSource } from './live-source.ts';

/** a failed step is fetched again after this long */
const RETRY_AFTER_MS = 5_000;

export interface ReplayOptions {
  /** fetch an area's snapshot at a time (default: the API) */
  fetch?: (areaId: string, at: number, signal: AbortSignal) => Promise<Snapshot>;
  /** the server's time now (default: the local clock) */
  now?: () => number;
  /** how often the replayed time moves while playing (ms, default 250) */
  tickMs?: number;
  /** snapshots kept (default 30) */
  cacheSize?: number;
}

export class ReplayState implements LiveSource {
  /** a replay is shown instead of the live stream */
  active = $state(false);
  /** the replayed time (epoch ms) */
  at = $state(0);
  speed = $state<ReplaySpeed>(60);
  playing = $state(false);
  /** a snapshot is being fetched for the current step */
  loading = $state(false);
  /** the last fetch failed (it is tried again at the next step or seek) */
  failed = $state(false);
  /** the room as it was at the step shown (the same shape the live stream gives) */
  data = $state.raw<LiveData>(initialLiveData(''));
  /** the step whose snapshot `data` shows (0: none yet) */
  shownStep = $state(0);

  readonly #fetch: NonNullable<ReplayOptions['fetch']>;
  readonly #now: () => number;
  readonly #tickMs: number;
  readonly #cache: StepCache<Snapshot>;
  #areaId = '';
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastTick = 0;
  #inflight: { key: string; abort: AbortController } | null = null;
  /** a step whose fetch failed is asked again only after a pause */
  #failed: { key: string; at: number } | null = null;
  readonly #listeners = new Listeners<LiveEvents>();

  constructor(o: ReplayOptions = {}) {
    this.#fetch = o.fetch ?? ((areaId, at, signal) => fetchSnapshotAt(areaId, at, signal));
    this.#now = o.now ?? (() => Date.now());
    this.#tickMs = o.tickMs ?? 250;
    this.#cache = new StepCache(o.cacheSize ?? 30);
  }

  /** a replay is always "connected": its data comes from requests, not a stream */
  readonly connection = 'connected' as const;
  /** nothing arrives live in a replay: nothing flashes */
  readonly fresh: ReadonlyMap<string, number> = new Map();

  /** the area replayed */
  get areaId(): string {
    return this.#areaId;
  }

  /** the replayed time as the wall's clock: what `LiveState.serverNow` is for the live stream */
  serverNow(_localNow?: number): number {
    return this.at;
  }

  /** Follows another area at the same replayed time (a drill into a street, back to the root). */
  connect(areaId: string): void {
    this.start(areaId, this.at || this.#now() - REPLAY_START_BACK_MS);
  }

  /** Stops the clock and any fetch (the wall is going away). */
  disconnect(): void {
    this.stop();
  }

  reconnect(): void {}

  freshEvents(): GridEvent[] {
    return [];
  }

  /** `snapshot`: each replayed step shown (the wall redraws); a replay has no events, alarms, connection changes or refusals to tell */
  subscribe<K extends LiveEventKind>(kind: K, fn: (value: LiveEvents[K]) => void): () => void {
    return this.#listeners.subscribe(kind, fn);
  }

  /** Starts (or moves) a replay of an area at a time, paused. */
  start(areaId: string, at: number): void {
    if (areaId !== this.#areaId) {
      this.#abortFetch();
      this.#areaId = areaId;
      this.data = initialLiveData(areaId);
      this.shownStep = 0;
    }
    this.active = true;
    this.playing = false;
    this.#ensureTimer();
    this.seek(at);
  }

  /** Shows another time (the slider). */
  seek(at: number): void {
    if (!this.active) return;
    this.at = clampReplay(at, this.#now());
    this.#show();
  }

  play(speed: ReplaySpeed = this.speed): void {
    if (!this.active) return;
    this.speed = speed;
    this.playing = true;
    this.#lastTick = Date.now();
  }

  pause(): void {
    this.playing = false;
  }

  /** Back to live: the replay stops and the wall shows the live stream again. */
  stop(): void {
    this.active = false;
    this.playing = false;
    this.loading = false;
    this.#abortFetch();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #ensureTimer(): void {
    if (this.#timer) return;
    this.#lastTick = Date.now();
    this.#timer = setInterval(() => this.#tick(), this.#tickMs);
  }

  #tick(): void {
    const local = Date.now();
    const dt = local - this.#lastTick;
    this.#lastTick = local;
    if (!this.active) return;
    if (this.playing) {
      const next = advanceReplay(this.at, dt, this.speed, this.#now());
      this.at = next.at;
      if (next.reachedLive) this.playing = false;
    }
    this.#show();
  }

  /** the current step's snapshot, from the cache or fetched (one at a time); the clock follows `at` */
  #show(): void {
    const step = replayStep(this.at);
    const key = `${this.#areaId}|${step}`;
    const cached = this.#cache.get(key);
    if (cached && this.shownStep !== step) this.#apply(cached, step);
    else if (!cached && this.#inflight?.key !== key && !(this.#failed?.key === key && Date.now() - this.#failed.at < RETRY_AFTER_MS)) this.#load(key, step);
  }

  #load(key: string, step: number): void {
    this.#abortFetch();
    const abort = new AbortController();
    this.#inflight = { key, abort };
    this.loading = true;
    const areaId = this.#areaId;
    this.#fetch(areaId, step, abort.signal)
      .then((snap) => {
        this.#cache.set(key, snap);
        if (this.#inflight?.abort !== abort) return;
        this.#inflight = null;
        this.loading = false;
        this.failed = false;
        // a later step may be due by now (playing fast): show this one, the next tick asks for that
        if (this.active && areaId === this.#areaId && Math.abs(replayStep(this.at) - step) <= 5 * REPLAY_STEP_MS * this.speed) this.#apply(snap, step);
      })
      .catch((err: unknown) => {
        if (this.#inflight?.abort !== abort) return;
        this.#inflight = null;
        this.loading = false;
        if (!abort.signal.aborted) {
          this.failed = true;
          this.#failed = { key, at: Date.now() };
          console.warn('[onescreen] replay snapshot failed', err);
        }
      });
  }

  #apply(snap: Snapshot, step: number): void {
    const data = applySnapshot(initialLiveData(this.#areaId), snap, Date.now()).data;
    this.data = { ...data, snapshots: this.data.snapshots + 1, serverOffsetMs: this.at - Date.now() };
    this.shownStep = step;
    this.#listeners.emit('snapshot', this.data);
  }

  #abortFetch(): void {
    this.#inflight?.abort.abort();
    this.#inflight = null;
  }
}
