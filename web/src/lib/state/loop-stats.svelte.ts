/**
 * @module web/state/loop-stats
 * The closed-loop figures of the wall's scope (`GET /api/v1/stats` over the last 24 hours):
 * fetched when the scope changes, soon after the live stream reports a change in the loop, and
 * at least every {@link POLL_MS} (so a quiet night still moves the window). One request at a
 * time: a change reported while one is under way is fetched right after it. The last good answer
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
  /** a request is under way; a refresh asked for meanwhile runs once it is answered */
  #inFlight = false;
  #again = false;
  /** the last figures of each area seen, so drilling in and back shows them at once */
  #cache = new Map<string, { stats: StatsResponse; at: number }>();

  readonly #upToNow: () => boolean;

  /**
   * @param serverNow the server's clock (local time plus the stream's offset)
   * @param opts `upToNow`: while it says so, the window ends at `serverNow` (a replayed time) rather than the server's present
   */
  constructor(serverNow: () => number, opts: { upToNow?: () => boolean } = {}) {
    this.#now = serverNow;
    this.#upToNow = opts.upToNow ?? (() => false);
  }

  /** Follows an area: drops the previous area's figures and fetches at once. */
  watch(areaId: string): void {
    if (areaId === this.#areaId) return;
    this.#stop();
    this.#areaId = areaId;
    const cached = this.#cache.get(areaId);
    this.stats = cached?.stats ?? null;
    this.fetchedAt = cached?.at ?? 0;
    this.failed = false;
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

  /** The figures are older than two polls, or none came and the last request failed. */
  stale(localNow: number): boolean {
    if (this.fetchedAt === 0) return this.failed;
    return localNow - this.fetchedAt > 2 * POLL_MS;
  }

  destroy(): void {
    this.#stop();
    this.#areaId = '';
    this.#cache.clear();
  }

  #stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    this.#inFlight = this.#again = false;
    if (this.#poll) clearInterval(this.#poll);
    if (this.#soon) clearTimeout(this.#soon);
    this.#poll = this.#soon = null;
  }

  async #refresh(): Promise<void> {
    // a slow server is not asked again while it works on the last question (nor is that one dropped)
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    const areaId = this.#areaId;
    const abort = (this.#abort = new AbortController());
    this.#inFlight = true;
    this.#lastAsk = Date.now();
    try {
      // the window starts on a whole minute, so walls asking within the same minute ask alike
      const end = Math.floor(this.#now() / 60_000) * 60_000;
      const from = Math.floor((this.#now() - BOARD_WINDOW_MS) / 60_000) * 60_000;
      const s = await fetchStats(areaId, this.#upToNow() ? { from: end - BOARD_WINDOW_MS, to: end } : { from }, abort.signal);
      if (abort.signal.aborted || areaId !== this.#areaId) return;
      this.stats = s;
      this.fetchedAt = Date.now();
      this.failed = false;
      this.#cache.set(areaId, { stats: s, at: this.fetchedAt });
    } catch (err) {
      if (abort.signal.aborted) return;
      if (!this.failed) console.warn('[onescreen] loop stats failed', (err as Error).message);
      // a lost session is the live stream's to report; the figures are marked stale meanwhile
      this.failed = true;
    } finally {
      if (this.#abort === abort) {
        this.#inFlight = false;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      }
    }
  }
}
