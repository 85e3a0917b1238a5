/**
 * @module web/utils/replay
 * The replay clock of the wall, pure: the speeds, the step at which historical snapshots are
 * fetched (every replayed minute, whatever the speed: at ×60 that is one request a second), the
 * window a replay may cover (the server keeps 7 days), advancing the replayed time, and a small
 * cache of snapshots by step.
 */
export const REPLAY_SPEEDS = [1, 10, 60] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
/** historical snapshots are fetched per replayed minute */
export const REPLAY_STEP_MS = 60_000;
/** how far back the server answers (`REPLAY_MAX_DAYS`), less a minute so a slow click still fits */
export const REPLAY_WINDOW_MS = 7 * 86_400_000 - REPLAY_STEP_MS;
/** where a replay starts when opened: an hour ago */
export const REPLAY_START_BACK_MS = 3_600_000;

/** The step a replayed time shows: the minute it falls in. */
export function replayStep(at: number): number {
  return Math.floor(at / REPLAY_STEP_MS) * REPLAY_STEP_MS;
}

/** A replayed time kept inside the window the server answers: [now − 7 days, now]. */
export function clampReplay(at: number, now: number): number {
  if (!Number.isFinite(at)) return now;
  return Math.min(now, Math.max(now - REPLAY_WINDOW_MS, at));
}

/**
 * The replayed time after `dtLocal` local milliseconds of playing at `speed`; `reachedLive` once
 * it caught up with now (it then stops at now).
 * @example advanceReplay(t, 1000, 60, now) // t + 60 s
 */
export function advanceReplay(at: number, dtLocal: number, speed: ReplaySpeed, now: number): { at: number; reachedLive: boolean } {
  const next = at + Math.max(0, dtLocal) * speed;
  return next >= now ? { at: now, reachedLive: true } : { at: next, reachedLive: false };
}

/** A fixed number of values by key, the least recently used dropped first. */
export class StepCache<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }

  get size(): number {
    return this.#map.size;
  }
}
