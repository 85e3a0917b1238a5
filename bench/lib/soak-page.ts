/**
 * @module bench/lib/soak-page
 * What the soak puts into and reads out of the wall's page. It never clicks or types: the probe
 * only watches.
 *
 * - {@link installProbe} (an init script, run before the wall's own code on every load): a
 *   `requestAnimationFrame` sampler of frame times, a watcher of the wall's connection state and
 *   snapshot count (through the read-only `window.__onescreen`, see web/src/lib/debug.ts), and a
 *   settable skew of the page's wall clock (`Date` / `Date.now`; `performance.now` stays
 *   monotonic, as it does when an operating system's clock is stepped). The skew is kept in
 *   `sessionStorage`, so a reload during a clock jump stays in the jumped clock.
 * - {@link readProbe}, {@link readWall}: the probe's counters and the wall's live state.
 */
import type { Page } from 'playwright-core';
import type {} from '../../web/src/lib/debug.ts';
import type { WallView } from './soak-stats.ts';

export interface ProbeWindow {
  __soak?: {
    /** a random id per page load (counters start over on a reload) */
    loadId: string;
    /** frame intervals (ms) since the last drain */
    frames: number[];
    /** times the wall's connection became `connected` again after it was lost */
    reconnects: number;
    /** snapshots the wall applied (its live state's counter) */
    snapshots: number;
    /** the wall's connection state at the last look */
    connection: string;
    setSkew(ms: number): void;
  };
}

/**
 * The init script's source: {@link installProbe} serialised, with the `__name` helper that tsx's
 * compiler inserts into functions it keeps the names of (the page has no such global).
 */
export const probeScript = (): string => `var __name = (f) => f;\n(${installProbe.toString()})();`;

/** the probe itself; self-contained (it is serialised into the page, see {@link probeScript}) */
export function installProbe(): void {
  const w = window as unknown as Window & ProbeWindow;
  const RealDate = Date;
  let skew = Number(sessionStorage.getItem('__soak_skew') ?? '0') || 0;
  // a Date whose "now" is shifted by `skew`; explicit dates are untouched
  function SkewDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(RealDate.now() + skew).toString();
    return args.length === 0 ? new RealDate(RealDate.now() + skew) : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  SkewDate.prototype = RealDate.prototype;
  SkewDate.now = () => RealDate.now() + skew;
  SkewDate.parse = RealDate.parse;
  SkewDate.UTC = RealDate.UTC;
  (globalThis as unknown as { Date: unknown }).Date = SkewDate;

  const probe = {
    loadId: Math.random().toString(36).slice(2),
    frames: [] as number[],
    reconnects: 0,
    snapshots: 0,
    connection: 'none',
    setSkew(ms: number) {
      skew = ms;
      sessionStorage.setItem('__soak_skew', String(ms));
    },
  };
  w.__soak = probe;

  let last = performance.now();
  const frame = (t: number) => {
    if (probe.frames.length < 100_000) probe.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  let everConnected = false;
  let lost = false;
  setInterval(() => {
    const live = w.__onescreen?.state?.live;
    if (!live) return;
    const c = live.connection;
    if (c === 'connected') {
      if (lost) probe.reconnects++;
      lost = false;
      everConnected = true;
    } else if (everConnected) lost = true;
    probe.connection = c;
    probe.snapshots = live.data.snapshots;
  }, 100);
}

export interface ProbeReading {
  loadId: string;
  frames: number[];
  reconnects: number;
  snapshots: number;
  connection: string;
}

/** the probe's counters, and the frame times since the last call (drained) */
export async function readProbe(page: Page): Promise<ProbeReading | null> {
  return page.evaluate(() => {
    const p = (window as unknown as ProbeWindow).__soak;
    if (!p) return null;
    const frames = p.frames;
    p.frames = [];
    return { loadId: p.loadId, frames, reconnects: p.reconnects, snapshots: p.snapshots, connection: p.connection };
  });
}

export async function setClockSkew(page: Page, ms: number): Promise<void> {
  await page.evaluate((skew) => (window as unknown as ProbeWindow).__soak?.setSkew(skew), ms);
}

export interface WallReading extends WallView {
  /** the wall's idea of the server's time now minus the server's real time now (ms) */
  clockErrorMs: number;
  connection: string;
  /** widgets carrying `data-updated-at`, and the age of the oldest (ms, by the real clock) */
  widgets: number;
  oldestWidgetAgeMs: number;
}

/** the wall's live state, or null before the wall has one */
export async function readWall(page: Page): Promise<WallReading | null> {
  return page.evaluate(() => {
    const live = window.__onescreen?.state?.live;
    if (!live) return null;
    const d = live.data;
    const realNow = performance.timeOrigin + performance.now();
    const indicators: Record<string, { value: number | null; at: string | null }> = {};
    for (const [k, v] of Object.entries(d.indicators)) indicators[k] = { value: v.value, at: v.at };
    let oldest = 0;
    const stamped = document.querySelectorAll('[data-updated-at]');
    for (const el of stamped) {
      const t = Date.parse(el.getAttribute('data-updated-at') ?? '');
      if (Number.isFinite(t)) oldest = Math.max(oldest, realNow - t);
    }
    return {
      status: d.status,
      epoch: d.epoch,
      seq: d.seq,
      openEvents: d.openEvents.map((e) => ({ id: e.id, version: e.version })),
      openTotal: d.openTotal,
      recent: d.recent.map((e) => ({ id: e.id })),
      alarms: d.alarms.map((a) => ({ id: a.id, version: a.version })),
      indicators,
      // serverNow() reads the page's (possibly jumped) clock; the server's real time is the real clock + 0
      clockErrorMs: live.serverNow() - realNow,
      connection: live.connection,
      widgets: stamped.length,
      oldestWidgetAgeMs: oldest,
    };
  });
}
