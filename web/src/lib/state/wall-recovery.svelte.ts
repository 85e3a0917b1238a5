/**
 * @module web/state/wall-recovery
 * The wall page looking after itself, for weeks without anyone at it. Around the live state:
 *
 * - a **clock watch**: every second it compares the wall clock's step with the monotonic clock's
 *   ({@link detectClockJump}); after a clock set by hand or NTP, or the machine waking from sleep,
 *   it asks the live state to resync (a fresh snapshot re-measures the server's clock offset and
 *   fills any gap; a socket that does not answer is reopened);
 * - a **watchdog**: a requestAnimationFrame heartbeat, and `performance.memory` where the browser
 *   has it; when no frame was drawn for a while although the page is visible, or the heap stays past
 *   its bound, the page reloads itself ({@link watchdogVerdict});
 * - a **version check**: when the server serves another build than the page runs (a redeploy),
 *   the page reloads after a random pause of up to 30 s, so a wall of screens does not reload at once.
 *
 * Every reload is safe: the guard in sessionStorage ({@link mayReload}) keeps it from looping; it
 * is reported to the server first (kept in localStorage and sent at the next start when that
 * fails); and it waits until the server answers its health check — a reload while the server is
 * down would leave a browser error page that nothing reloads.
 *
 * Test hook (documented): `window.__onescreen.recovery.configure({ stallMs, graceMs, reloadSpreadMs })`
 * shortens the watchdog's and the version reload's waits, so browser tests need not sleep.
 */
import type { WallReloadReason, WallReport } from '../../../../shared/index.ts';
import { flushPending, keepPending, ownBuild, reportId, sendReport, serverHealthy } from '../api/wall-report.ts';
import {
  detectClockJump,
  mayReload,
  noteReload,
  parseGuard,
  reloadDelay,
  RELOAD_SPREAD_MS,
  versionReloadWanted,
  WATCHDOG,
  watchdogVerdict,
  type ClockJump,
  type ClockSample,
  type WatchdogOptions,
} from './recovery.ts';

/** What the recovery needs of the live state. */
export interface Resyncable {
  /** the build the server said it serves in its last snapshot (null: none, or not yet known) */
  readonly serverBuild: string | null;
  /** a fresh snapshot now; reopen the socket if it does not answer */
  resync(): void;
}

export interface RecoveryOptions extends WatchdogOptions {
  /** the longest random pause before a version reload (ms) */
  reloadSpreadMs: number;
  /** how often the clocks and the watchdog are checked (ms) */
  checkMs: number;
  /** how often the heap is sampled (ms) */
  memoryEveryMs: number;
  /** how long to wait between health checks while the server does not answer (ms) */
  healthRetryMs: number;
}

const DEFAULTS: RecoveryOptions = { ...WATCHDOG, reloadSpreadMs: RELOAD_SPREAD_MS, checkMs: 1000, memoryEveryMs: 10_000, healthRetryMs: 10_000 };
const GUARD_KEY = 'onescreen.reloadGuard';

/** `running` · `version-wait`: a version reload is pending its random pause · `reloading` · `held`: a reload the guard refused (shown in `heldWhy`) */
export type RecoveryStatus = 'running' | 'version-wait' | 'reloading' | 'held';

type PerfWithMemory = Performance & { memory?: { usedJSHeapSize: number; jsHeapSizeLimit: number } };

/** how often reports kept for later are tried again */
export const FLUSH_RETRY_MS = 10_000;

export class WallRecovery {
  status = $state<RecoveryStatus>('running');
  /** why a reload was held back by the guard */
  heldWhy = $state<string | null>(null);
  /** the last clock jump seen (for the console and tests) */
  lastJump = $state.raw<ClockJump | null>(null);
  /** how many clock jumps (or wake-ups) were seen */
  jumps = $state(0);
  /** the build this page runs */
  readonly build = ownBuild();

  #o: RecoveryOptions = { ...DEFAULTS };
  #timer: ReturnType<typeof setInterval> | null = null;
  /** retries the reports a reload could not send (a busy or restarting server), until they get through */
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  #frame = 0;
  #lastFrameAt = 0;
  #startedAt = 0;
  #visibleSince: number | null = null;
  #clock: ClockSample | null = null;
  #wasVisible = true;
  /** the server build a version reload was held back for (the guard said no): not asked again */
  #heldFor: string | null = null;
  #over = 0;
  #lastMemoryAt = -Infinity;
  #versionTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = true;

  constructor(
    private readonly live: Resyncable,
    /** reloads the page (tests pass a fake) */
    private readonly reloadPage: () => void = () => location.reload(),
  ) {}

  /** Test hook: shorter waits (see the module's note). */
  configure(o: Partial<RecoveryOptions>): void {
    this.#o = { ...this.#o, ...o };
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#startedAt = performance.now();
    this.#lastFrameAt = this.#startedAt;
    this.#visibleSince = document.visibilityState === 'visible' ? this.#startedAt : null;
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#beat();
    this.#timer = setInterval(() => this.#check(), this.#o.checkMs);
    // reports a reload could not send before it happened: now, and again until they get through
    void flushPending();
    this.#flushTimer = setInterval(() => void flushPending(), FLUSH_RETRY_MS);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#versionTimer) clearTimeout(this.#versionTimer);
    this.#timer = this.#versionTimer = null;
    cancelAnimationFrame(this.#frame);
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  #onVisibility = () => {
    this.#visibleSince = document.visibilityState === 'visible' ? performance.now() : null;
  };

  /** the heartbeat: one callback per drawn frame (looked up each time: a page whose frames stop stops it) */
  #beat = () => {
    if (this.#stopped) return;
    this.#lastFrameAt = performance.now();
    this.#frame = requestAnimationFrame(this.#beat);
  };

  #check(): void {
    const now = performance.now();
    // clocks: a jump or a wake-up makes the live state resync (server offset, gap, dead socket)
    const sample = { wall: Date.now(), mono: now };
    const visible = document.visibilityState === 'visible';
    let jump = this.#clock ? detectClockJump(this.#clock, sample, this.#o.checkMs) : null;
    // a hidden tab's timers are throttled (to once a minute in Chromium): a late tick there is no news
    if (jump?.kind === 'gap' && !(visible && this.#wasVisible)) jump = null;
    this.#clock = sample;
    this.#wasVisible = visible;
    if (jump) {
      this.lastJump = jump;
      this.jumps++;
      console.warn('[onescreen] clock jump or sleep: resyncing', jump);
      this.live.resync();
      // frames do not come while asleep or frozen: that is no stall of the renderer
      this.#lastFrameAt = now;
    }
    if (this.status === 'reloading') return;
    // version: another build served
    const server = this.live.serverBuild;
    if ((this.status === 'running' || this.status === 'held') && server !== this.#heldFor && versionReloadWanted(this.build, server)) this.#versionReload(server);
    // the watchdog
    let heap: { usedBytes: number; limitBytes: number } | null = null;
    const mem = (performance as PerfWithMemory).memory;
    if (mem && now - this.#lastMemoryAt >= this.#o.memoryEveryMs) {
      this.#lastMemoryAt = now;
      heap = { usedBytes: mem.usedJSHeapSize, limitBytes: mem.jsHeapSizeLimit };
    }
    const v = watchdogVerdict({ now, startedAt: this.#startedAt, lastFrameAt: this.#lastFrameAt, visibleSince: this.#visibleSince, heap, overBefore: this.#over }, this.#o);
    if (heap) this.#over = v.over;
    if (v.action === 'reload') void this.reload(v.reason, v.detail);
  }

  #versionReload(target: string): void {
    const ok = mayReload(this.#guard(), 'version', Date.now(), target);
    if (!ok.ok) {
      this.#heldFor = target;
      this.#hold(`version ${target}: ${ok.why}`);
      return;
    }
    this.status = 'version-wait';
    this.#versionTimer = setTimeout(() => {
      this.#versionTimer = null;
      // the server may have gone back meanwhile
      if (versionReloadWanted(this.build, this.live.serverBuild)) void this.reload('version', {}, this.live.serverBuild);
      else this.status = 'running';
    }, reloadDelay(this.#o.reloadSpreadMs));
  }

  #guard() {
    try {
      return parseGuard(sessionStorage.getItem(GUARD_KEY));
    } catch {
      return parseGuard(null);
    }
  }

  #hold(why: string): void {
    if (this.status !== 'held') console.warn('[onescreen] reload held back:', why);
    this.status = 'held';
    this.heldWhy = why;
  }

  /**
   * Reloads the page safely: if the guard allows it, report it (or keep the report for the next
   * start), wait until the server answers, note it in the guard, reload.
   */
  async reload(reason: WallReloadReason, detail: NonNullable<WallReport['detail']> = {}, target: string | null = null): Promise<void> {
    if (this.status === 'reloading') return;
    const ok = mayReload(this.#guard(), reason, Date.now(), target);
    if (!ok.ok) {
      this.#hold(`${reason}: ${ok.why}`);
      return;
    }
    this.status = 'reloading';
    const report: WallReport = { kind: 'reload', id: reportId(), reason, build: this.build ?? 'unknown', at: new Date().toISOString(), ...(Object.keys(detail).length ? { detail } : {}) };
    if (!(await sendReport(report))) keepPending(report);
    while (!this.#stopped && !(await serverHealthy())) {
      await new Promise((r) => setTimeout(r, this.#o.healthRetryMs));
    }
    if (this.#stopped) return;
    try {
      sessionStorage.setItem(GUARD_KEY, JSON.stringify(noteReload(this.#guard(), Date.now(), target)));
    } catch {
      // storage disabled: the minimum gap cannot be kept across the reload; the server's health was checked
    }
    console.warn('[onescreen] reloading:', reason, detail);
    this.reloadPage();
  }
}
