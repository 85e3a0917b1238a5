/**
 * The pure decisions of the wall's self-recovery (web/src/lib/state/recovery.ts): the back-off
 * schedule and its jitter bounds, clock jumps and sleep, the watchdog's verdict, the reload guard
 * that never loops, the version check and its random pause, and reports kept for the next start.
 */
import { describe, expect, it } from 'vitest';
import { WallReport } from '../../shared/index.ts';
import {
  CLOCK_JUMP_MS,
  GUARD,
  PENDING_CAP,
  RECONNECT,
  RELOAD_SPREAD_MS,
  WATCHDOG,
  detectClockJump,
  heapBound,
  mayReload,
  noteReload,
  parseGuard,
  parsePending,
  reconnectDelay,
  reloadDelay,
  versionReloadWanted,
  watchdogVerdict,
  withPending,
  type WatchdogInput,
} from '../../web/src/lib/state/recovery.ts';

describe(reconnectDelay.name, () => {
  it('should grow exponentially from the base, with jitter between half and all of each step', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const exp = Math.min(RECONNECT.capMs, RECONNECT.baseMs * 2 ** attempt);
      expect(reconnectDelay(attempt, RECONNECT, 0)).toBe(exp / 2);
      expect(reconnectDelay(attempt, RECONNECT, 1)).toBe(exp);
      for (let i = 0; i < 50; i++) {
        const d = reconnectDelay(attempt);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
  });

  it('should cap at 30 s and stay spread there, never giving up, for any attempt count', () => {
    const capped = Array.from({ length: 200 }, (_, i) => reconnectDelay(1_000 + i));
    expect(Math.max(...capped)).toBeLessThanOrEqual(30_000);
    expect(Math.min(...capped)).toBeGreaterThanOrEqual(15_000);
    // spread: many different delays, so walls that lost the server together do not retry in lockstep
    expect(new Set(capped).size).toBeGreaterThan(100);
    expect(reconnectDelay(Number.MAX_SAFE_INTEGER, RECONNECT, 0.5)).toBe(22_500);
    expect(reconnectDelay(Infinity, RECONNECT, 0.5)).toBe(22_500);
  });

  it('should take nonsense attempts and randoms as the first attempt and the middle', () => {
    expect(reconnectDelay(-3, RECONNECT, 0)).toBe(500);
    expect(reconnectDelay(Number.NaN, RECONNECT, 0)).toBe(500);
    expect(reconnectDelay(0, RECONNECT, Number.NaN)).toBe(750);
    expect(reconnectDelay(0, RECONNECT, 7)).toBe(1000);
  });
});

describe(detectClockJump.name, () => {
  const T = 1_700_000_000_000;
  it('should see nothing when both clocks step alike, also with a little drift and a busy tick', () => {
    expect(detectClockJump({ wall: T, mono: 0 }, { wall: T + 1000, mono: 1000 }, 1000)).toBeNull();
    expect(detectClockJump({ wall: T, mono: 0 }, { wall: T + 1000 + CLOCK_JUMP_MS, mono: 1000 }, 1000)).toBeNull();
    expect(detectClockJump({ wall: T, mono: 0 }, { wall: T + 4000, mono: 4000 }, 1000)).toBeNull();
  });

  it('should see the clock set forward or the machine waking from sleep (the monotonic clock stood still)', () => {
    expect(detectClockJump({ wall: T, mono: 5000 }, { wall: T + 3_600_000, mono: 6000 }, 1000)).toEqual({ kind: 'forward', wallStepMs: 3_600_000, monoStepMs: 1000 });
  });

  it('should see the clock set back', () => {
    expect(detectClockJump({ wall: T, mono: 5000 }, { wall: T - 60_000, mono: 6000 }, 1000)).toMatchObject({ kind: 'backward', wallStepMs: -60_000 });
  });

  it('should see a tick that came far too late (a frozen page, or sleep where the monotonic clock runs on)', () => {
    expect(detectClockJump({ wall: T, mono: 0 }, { wall: T + 600_000, mono: 600_000 }, 1000)).toEqual({ kind: 'gap', wallStepMs: 600_000, monoStepMs: 600_000 });
  });

  it('should ignore readings that are not numbers', () => {
    expect(detectClockJump({ wall: Number.NaN, mono: 0 }, { wall: T, mono: 1000 }, 1000)).toBeNull();
  });
});

describe(watchdogVerdict.name, () => {
  const base: WatchdogInput = { now: 200_000, startedAt: 0, lastFrameAt: 199_990, visibleSince: 0, heap: null, overBefore: 0 };

  it('should be content while frames come', () => {
    expect(watchdogVerdict(base)).toEqual({ action: 'ok', over: 0 });
  });

  it('should reload for a stall once no frame came for stallMs while visible', () => {
    expect(watchdogVerdict({ ...base, lastFrameAt: base.now - WATCHDOG.stallMs + 1 }).action).toBe('ok');
    expect(watchdogVerdict({ ...base, lastFrameAt: base.now - WATCHDOG.stallMs })).toEqual({
      action: 'reload',
      reason: 'stall',
      detail: { stallMs: WATCHDOG.stallMs, uptimeMs: 200_000 },
      over: 0,
    });
  });

  it('should not count time hidden (a hidden page draws nothing by design), only since it became visible', () => {
    expect(watchdogVerdict({ ...base, lastFrameAt: 0, visibleSince: null }).action).toBe('ok');
    expect(watchdogVerdict({ ...base, lastFrameAt: 0, visibleSince: base.now - 1000 }).action).toBe('ok');
    expect(watchdogVerdict({ ...base, lastFrameAt: 0, visibleSince: base.now - WATCHDOG.stallMs }).action).toBe('reload');
  });

  it('should give a starting page its grace', () => {
    expect(watchdogVerdict({ ...base, now: WATCHDOG.graceMs - 1, lastFrameAt: 0 }).action).toBe('ok');
    expect(watchdogVerdict({ ...base, now: WATCHDOG.graceMs, lastFrameAt: 0 }).action).toBe('reload');
  });

  it('should reload for memory only after several checks in a row over the bound', () => {
    const limit = 4 * 1024 ** 3;
    const bound = heapBound(limit);
    expect(bound).toBe(Math.min(limit * WATCHDOG.heapFraction, WATCHDOG.heapMaxBytes));
    const high = { usedBytes: bound + 1, limitBytes: limit };
    let over = 0;
    for (let i = 1; i < WATCHDOG.heapChecks; i++) {
      const v = watchdogVerdict({ ...base, heap: high, overBefore: over });
      expect(v).toEqual({ action: 'ok', over: i });
      over = v.over;
    }
    expect(watchdogVerdict({ ...base, heap: high, overBefore: over })).toMatchObject({ action: 'reload', reason: 'memory', detail: { heapBytes: bound + 1, heapLimitBytes: bound } });
    // a collection that brings it back starts the count over
    expect(watchdogVerdict({ ...base, heap: { usedBytes: bound - 1, limitBytes: limit }, overBefore: over })).toEqual({ action: 'ok', over: 0 });
  });

  it('should use the absolute cap when the limit is unknown or larger', () => {
    expect(heapBound(0)).toBe(WATCHDOG.heapMaxBytes);
    expect(heapBound(100 * 1024 ** 3)).toBe(WATCHDOG.heapMaxBytes);
    expect(heapBound(1024 ** 3)).toBe(1024 ** 3 * WATCHDOG.heapFraction);
  });
});

describe('reload guard', () => {
  const T = 1_700_000_000_000;
  it('should allow a first reload, then none within a minute, and at most three in half an hour', () => {
    let g = parseGuard(null);
    expect(mayReload(g, 'stall', T)).toEqual({ ok: true });
    g = noteReload(g, T);
    expect(mayReload(g, 'stall', T + GUARD.minGapMs - 1)).toEqual({ ok: false, why: 'too_soon' });
    g = noteReload(g, T + 2 * GUARD.minGapMs);
    g = noteReload(g, T + 4 * GUARD.minGapMs);
    expect(mayReload(g, 'memory', T + 6 * GUARD.minGapMs)).toEqual({ ok: false, why: 'too_many' });
    expect(mayReload(g, 'memory', T + GUARD.windowMs + 1)).toEqual({ ok: true });
  });

  it('should never reload twice for the same server build (the reload did not bring the new page): no loop', () => {
    let g = noteReload(parseGuard(null), T, 'build-b');
    expect(mayReload(g, 'version', T + GUARD.windowMs * 2, 'build-b')).toEqual({ ok: false, why: 'same_version' });
    expect(mayReload(g, 'version', T + GUARD.windowMs * 2, 'build-c')).toEqual({ ok: true });
    g = noteReload(g, T + GUARD.windowMs * 2, 'build-c');
    expect(g.versions).toEqual(['build-b', 'build-c']);
  });

  it('should treat a clock set back as "just now", and survive a malformed or hostile stored guard', () => {
    const g = noteReload(parseGuard(null), T);
    expect(mayReload(g, 'stall', T - 3_600_000)).toEqual({ ok: false, why: 'too_soon' });
    expect(parseGuard('{"times":"x","versions":[1,"a"],"__proto__":{"max":0}}')).toEqual({ times: [], versions: ['a'] });
    expect(parseGuard('not json')).toEqual({ times: [], versions: [] });
    expect(parseGuard('null')).toEqual({ times: [], versions: [] });
  });
});

describe('version reload', () => {
  it('should want a reload only when both builds are known, neither is dev, and they differ', () => {
    expect(versionReloadWanted('a1', 'b2')).toBe(true);
    expect(versionReloadWanted('a1', 'a1')).toBe(false);
    expect(versionReloadWanted('dev', 'b2')).toBe(false);
    expect(versionReloadWanted('a1', 'dev')).toBe(false);
    expect(versionReloadWanted('a1', null)).toBe(false);
    expect(versionReloadWanted(null, 'b2')).toBe(false);
    expect(versionReloadWanted('a1', undefined)).toBe(false);
  });

  it('should pause a random 0–30 s before it', () => {
    expect(reloadDelay(RELOAD_SPREAD_MS, 0)).toBe(0);
    expect(reloadDelay(RELOAD_SPREAD_MS, 1)).toBe(30_000);
    for (let i = 0; i < 100; i++) {
      const d = reloadDelay();
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(30_000);
    }
    expect(reloadDelay(0, 0.9)).toBe(0); // the test hook shortens it
  });
});

describe('reports kept for the next start', () => {
  const isReport = (x: unknown): x is WallReport => WallReport.safeParse(x).success;
  const r = (i: number): WallReport => ({ kind: 'reload', reason: 'stall', build: 'b1', at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() });
  it('should mark them late, keep the newest few, and drop malformed ones when read back', () => {
    let list: WallReport[] = [];
    for (let i = 0; i < PENDING_CAP + 3; i++) list = withPending(list, r(i));
    expect(list).toHaveLength(PENDING_CAP);
    expect(list.every((x) => x.late === true)).toBe(true);
    expect(list[0]!.at).toBe(r(3).at);
    const raw = JSON.stringify([...list, { kind: 'reload', reason: 'bored' }, 'x']);
    expect(parsePending(raw, isReport)).toEqual(list);
    expect(parsePending('{', isReport)).toEqual([]);
    expect(parsePending(null, isReport)).toEqual([]);
  });
});

describe('display status texts', () => {
  it('should say how long ago in the largest whole unit, in both languages', async () => {
    const { agoText, reloadReasonText } = await import('../../web/src/lib/utils/recovery-i18n.ts');
    const T = 1_700_000_000_000;
    expect(agoText('zh', T, T + 30_000)).toBe('刚刚');
    expect(agoText('en', T, T + 5 * 60_000)).toBe('5 min ago');
    expect(agoText('zh', T, T + 3 * 3_600_000 + 59_000)).toBe('3 小时前');
    expect(agoText('en', T, T + 2 * 86_400_000)).toBe('2 d ago');
    expect(agoText('en', T + 60_000, T)).toBe('just now'); // a clock behind
    expect(reloadReasonText('zh', 'stall')).toBe('渲染停滞');
    expect(reloadReasonText('en', 'version')).toBe('new build');
  });
});
