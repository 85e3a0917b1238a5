/**
 * @module web/state/recovery
 * The pure decisions of a wall that recovers by itself, with no I/O and no clock of their own
 * (callers pass times and random numbers), so each is tested on its own (test/web/recovery.test.ts):
 *
 * - {@link reconnectDelay}: jittered exponential back-off for the live socket, capped, never
 *   giving up — a wall of screens that lost the server together does not come back in lockstep;
 * - {@link detectClockJump}: a tick whose wall-clock step differs from the monotonic step (the
 *   clock was set, the machine slept) or that came far too late (the page was frozen);
 * - {@link watchdogVerdict}: reload when rendering stalled while visible, or memory stayed past
 *   its bound;
 * - {@link mayReload} / {@link noteReload}: the guard (kept in sessionStorage) that keeps a page
 *   from reloading in a loop;
 * - {@link versionReloadWanted} and {@link reloadDelay}: a page running another build than its
 *   server reloads, after a random pause.
 */
import type { WallReloadReason, WallReport } from '../../../../shared/index.ts';

// ---- reconnecting ----------------------------------------------------------------------------

export interface BackoffOptions {
  /** the first delay's scale (ms) */
  baseMs: number;
  /** no delay is longer than this (ms) */
  capMs: number;
}

export const RECONNECT: BackoffOptions = { baseMs: 1000, capMs: 30_000 };

/**
 * The delay before reconnection attempt `attempt` (0 for the first): "equal jitter" — half of
 * `min(cap, base · 2^attempt)` fixed, the other half random. So it lies in [e/2, e] for that
 * exponential e: never zero (no hammering), never past the cap, and spread even at the cap.
 * @example reconnectDelay(0, RECONNECT, 0.5) // 750
 */
export function reconnectDelay(attempt: number, o: BackoffOptions = RECONNECT, random = Math.random()): number {
  const n = Number.isNaN(attempt) || attempt <= 0 ? 0 : Math.min(Math.floor(attempt), 40);
  const exp = Math.min(o.capMs, o.baseMs * 2 ** n);
  const r = Math.min(1, Math.max(0, Number.isFinite(random) ? random : 0.5));
  return Math.round(exp / 2 + (r * exp) / 2);
}

// ---- clock jumps and sleep -------------------------------------------------------------------

/** One tick's reading of both clocks: `Date.now()` (wall) and `performance.now()` (monotonic). */
export interface ClockSample {
  wall: number;
  mono: number;
}

/**
 * What a tick found: `forward`/`backward` — the wall clock moved that much more or less than the
 * monotonic one (set by hand or NTP, or the machine slept: its monotonic clock stops meanwhile);
 * `gap` — the tick came far later than scheduled (the page or the machine was frozen).
 */
export interface ClockJump {
  kind: 'forward' | 'backward' | 'gap';
  wallStepMs: number;
  monoStepMs: number;
}

/** a jump is a difference past this (ms): NTP's small slews and a busy tick stay below it */
export const CLOCK_JUMP_MS = 5_000;

/**
 * Compares two consecutive ticks (`expectedMs` apart). Null when the clocks agree within
 * `toleranceMs` and the tick was not late by more than that.
 * @example detectClockJump({ wall: 0, mono: 0 }, { wall: 3_600_000, mono: 1000 }, 1000) // { kind: 'forward', … }
 */
export function detectClockJump(prev: ClockSample, next: ClockSample, expectedMs: number, toleranceMs = CLOCK_JUMP_MS): ClockJump | null {
  const wallStepMs = next.wall - prev.wall;
  const monoStepMs = next.mono - prev.mono;
  if (!Number.isFinite(wallStepMs) || !Number.isFinite(monoStepMs)) return null;
  const skew = wallStepMs - monoStepMs;
  if (skew > toleranceMs) return { kind: 'forward', wallStepMs, monoStepMs };
  if (skew < -toleranceMs) return { kind: 'backward', wallStepMs, monoStepMs };
  if (monoStepMs > expectedMs + toleranceMs) return { kind: 'gap', wallStepMs, monoStepMs };
  return null;
}

// ---- the watchdog ----------------------------------------------------------------------------

export interface WatchdogOptions {
  /** no rendered frame for this long while the page is visible: rendering stalled (ms) */
  stallMs: number;
  /** heap in use past this fraction of the page's heap limit counts as over the bound */
  heapFraction: number;
  /** …and past this many bytes whatever the limit (0: no absolute bound) */
  heapMaxBytes: number;
  /** consecutive checks over the bound before the page reloads (a GC may bring it back) */
  heapChecks: number;
  /** no verdict before the page has run this long (ms): a heavy start is not a stall */
  graceMs: number;
}

export const WATCHDOG: WatchdogOptions = { stallMs: 60_000, heapFraction: 0.8, heapMaxBytes: 2 * 1024 ** 3, heapChecks: 3, graceMs: 60_000 };

export interface WatchdogInput {
  /** monotonic ms now, when the page started, when the last frame was drawn, since when it is visible (null: hidden) */
  now: number;
  startedAt: number;
  lastFrameAt: number;
  visibleSince: number | null;
  /** `performance.memory` where the browser has it */
  heap: { usedBytes: number; limitBytes: number } | null;
  /** checks in a row that found the heap over its bound, before this one */
  overBefore: number;
}

export type WatchdogVerdict =
  | { action: 'ok'; over: number }
  | { action: 'reload'; reason: Extract<WallReloadReason, 'stall' | 'memory'>; detail: NonNullable<WallReport['detail']>; over: number };

/** The heap bound for a page: a fraction of its limit, and an absolute cap when set. */
export function heapBound(limitBytes: number, o: WatchdogOptions = WATCHDOG): number {
  const byLimit = limitBytes > 0 ? limitBytes * o.heapFraction : Infinity;
  return Math.min(byLimit, o.heapMaxBytes > 0 ? o.heapMaxBytes : Infinity);
}

/**
 * One check of the watchdog. A hidden page draws no frames by design: only time visible counts
 * toward a stall. `over` is the new count of checks in a row over the heap bound.
 */
export function watchdogVerdict(i: WatchdogInput, o: WatchdogOptions = WATCHDOG): WatchdogVerdict {
  const uptimeMs = Math.max(0, Math.round(i.now - i.startedAt));
  const bound = i.heap ? heapBound(i.heap.limitBytes, o) : Infinity;
  const over = i.heap && i.heap.usedBytes > bound ? i.overBefore + 1 : 0;
  if (uptimeMs < o.graceMs) return { action: 'ok', over };
  if (i.visibleSince !== null) {
    const since = Math.max(i.lastFrameAt, i.visibleSince);
    const stallMs = i.now - since;
    if (stallMs >= o.stallMs) return { action: 'reload', reason: 'stall', detail: { stallMs: Math.round(stallMs), uptimeMs }, over };
  }
  if (i.heap && over >= o.heapChecks) {
    return { action: 'reload', reason: 'memory', detail: { heapBytes: Math.round(i.heap.usedBytes), heapLimitBytes: Math.round(bound), uptimeMs }, over };
  }
  return { action: 'ok', over };
}

// ---- the reload guard ------------------------------------------------------------------------

/** What a page remembers of its own reloads across them (sessionStorage: this tab only). */
export interface ReloadGuard {
  /** wall-clock ms of the recent reloads, oldest first */
  times: number[];
  /** the server builds reloaded for: a page still older after reloading for one does not try again */
  versions: string[];
}

export interface GuardOptions {
  /** at most `max` reloads within `windowMs` */
  max: number;
  windowMs: number;
  /** and never two within this (ms) */
  minGapMs: number;
}

export const GUARD: GuardOptions = { max: 3, windowMs: 30 * 60_000, minGapMs: 60_000 };

/** A guard read back from storage, or an empty one for anything malformed. */
export function parseGuard(raw: string | null): ReloadGuard {
  try {
    const g = JSON.parse(raw ?? '') as Partial<ReloadGuard>;
    const times = Array.isArray(g.times) ? g.times.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).slice(-20) : [];
    const versions = Array.isArray(g.versions) ? g.versions.filter((v): v is string => typeof v === 'string').slice(-20) : [];
    return { times, versions };
  } catch {
    return { times: [], versions: [] };
  }
}

/**
 * Whether the page may reload now. Never a second time for the same server build (the reload did
 * not bring the new page: a cache or a proxy serves the old one), never twice within a minute,
 * at most three times in half an hour; a clock set back counts as "just now".
 */
export function mayReload(g: ReloadGuard, reason: WallReloadReason, nowMs: number, target: string | null = null, o: GuardOptions = GUARD): { ok: true } | { ok: false; why: 'same_version' | 'too_soon' | 'too_many' } {
  if (reason === 'version' && target !== null && g.versions.includes(target)) return { ok: false, why: 'same_version' };
  const recent = g.times.filter((t) => nowMs - t < o.windowMs);
  const last = g.times.at(-1);
  if (last !== undefined && (nowMs - last < o.minGapMs)) return { ok: false, why: 'too_soon' };
  if (recent.length >= o.max) return { ok: false, why: 'too_many' };
  return { ok: true };
}

/** The guard after a reload at `nowMs` (for `target`, a version reload's server build). */
export function noteReload(g: ReloadGuard, nowMs: number, target: string | null = null, o: GuardOptions = GUARD): ReloadGuard {
  return {
    times: [...g.times.filter((t) => nowMs - t < o.windowMs && t <= nowMs), nowMs].slice(-o.max - 1),
    versions: target === null ? g.versions : [...g.versions.filter((v) => v !== target), target].slice(-10),
  };
}

// ---- a new build -----------------------------------------------------------------------------

/** `dev`: the page came from Vite's dev server, which never asks for a reload */
export const DEV_BUILD = 'dev';

/** Whether a page of build `own` should reload for a server serving `server` (both known, not dev, different). */
export function versionReloadWanted(own: string | null, server: string | null | undefined): server is string {
  return !!own && !!server && own !== DEV_BUILD && server !== DEV_BUILD && own !== server;
}

/** the longest random pause before a version reload (ms): a wall of screens does not reload at once */
export const RELOAD_SPREAD_MS = 30_000;

/** A random pause in [0, maxMs] before a version reload. */
export function reloadDelay(maxMs = RELOAD_SPREAD_MS, random = Math.random()): number {
  const r = Math.min(1, Math.max(0, Number.isFinite(random) ? random : 0));
  return Math.round(Math.max(0, maxMs) * r);
}

// ---- reports that could not be sent ----------------------------------------------------------

/** reports kept for the next start at most */
export const PENDING_CAP = 5;

/** The reports kept for the next start, read back from storage (malformed ones dropped). */
export function parsePending(raw: string | null, isReport: (x: unknown) => x is WallReport): WallReport[] {
  try {
    const list = JSON.parse(raw ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter(isReport).slice(-PENDING_CAP) : [];
  } catch {
    return [];
  }
}

/** The pending list with one more report, marked late (the oldest go past the cap). */
export function withPending(list: readonly WallReport[], r: WallReport): WallReport[] {
  return [...list, { ...r, late: true }].slice(-PENDING_CAP);
}
