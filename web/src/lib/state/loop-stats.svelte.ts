/**
 * @module web/state/loop-stats
 * The closed-loop figures of the wall's scope (`GET /api/v1/stats` over the last 24 hours):
 * fetched when the scope changes, soon after the live stream reports a change in the loop, and
 * at least every {@link POLL_MS} (so a quiet night still moves the window). The last good answer
 * is kept through errors; {@link LoopStats.stale} says when it is too old to trust.
 */
import { fetchStats, type StatsResponse } from '../api/stats.ts';

/** The board's period: a rolling day, so an unattended wall does not reset to empty at midnight. */
export const BOARD_WINDOW_MS = 24 * 3_600_000;
export const POLL_MS = 30_000;
/** at most one refresh per this long, however busy the stream */
export const MIN_GAP_MS = 5_000;

export class LoopStats {
  stats = $state.raw<StatsResponse | null>(null);
  /** local ms of the last good answer (0 before the first) */
  fetchedAt = $state(0);
  /** the last request failed */
  failed = $state(false);

  #areaId = '';
  #now: () => number;
  #abort: AbortController | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;
  #soon: ReturnType<typeof setTimeout> | null = null;
  #lastAsk = 0;

  /** @param serverNow the server's clock (local time plus the stream's offset) */
  constructor(serverNow: () => number) {
    this.#now = serverNow;
  }

  /** Follows an area: drops the previous area's figures and fetches at once. */
  watch(areaId: string): void {
    if (areaId === this.#areaId) return;
    this.destroy();
    this.#areaId = areaId;
    this.stats = null;
    this.fetchedAt = 0;
    this.#poll = setInterval(() => void this.#refresh(), POLL_MS);
    void this.#refresh();
  }

  /** Something changed in the loop: refresh soon, at most once per {@link MIN_GAP_MS}. */
  poke(): void {
    if (!this.#areaId || this.#soon) return;
    const wait = Math.max(0, this.#lastAsk + MIN_GAP_MS - Date.now());
    this.#soon = setTimeout(() => {
      this.#soon = null;
      void this.#refresh();
    }, wait);
  }

  /** The figures are older than two polls (the server is unreachable or refusing). */
  stale(localNow: number): boolean {
    return this.fetchedAt > 0 && localNow - this.fetchedAt > 2 * POLL_MS;
  }

  destroy(): void {
    this.#abort?.abort();
    if (this.#poll) clearInterval(this.#poll);
    if (this.#soon) clearTimeout(this.#soon);
    this.#poll = this.#soon = null;
    this.#areaId = '';
  }

  async #refresh(): Promise<void> {
    const areaId = this.#areaId;
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    this.#lastAsk = Date.now();
    try {
      const s = await fetchStats(areaId, { from: this.#now() - BOARD_WINDOW_MS }, abort.signal);
      if (abort.signal.aborted || areaId !== this.#areaId) return;
      this.stats = s;
      this.fetchedAt = Date.now();
      this.failed = false;
    } catch (err) {
      if (abort.signal.aborted) return;
      this.failed = true;
      // a lost session is the live stream's to report; anything else is logged once per failure
      console.warn('[onescreen] loop stats failed', (err as Error).message);
    }
  }
}
