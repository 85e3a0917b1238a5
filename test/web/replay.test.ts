import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../shared/index.ts';
import { ReplayState } from '../../web/src/lib/state/replay-state.svelte.ts';
import { advanceReplay, clampReplay, REPLAY_STEP_MS, REPLAY_WINDOW_MS, replayStep, StepCache } from '../../web/src/lib/utils/replay.ts';

const NOW = Date.parse('2026-12-02T10:30:00+08:00');
const MIN = 60_000;

const snap = (areaId: string, at: number, openTotal = 1): Snapshot => ({
  seq: 0,
  epoch: 'replay',
  areaId,
  serverTime: new Date(at).toISOString(),
  simulatorOn: false,
  indicators: [],
  trends: {},
  events: [],
  openTotal,
  recent: [],
  hourly: { today: new Array(24).fill(0), yesterday: new Array(24).fill(0), todayStart: at - (at % 86_400_000) },
  alarms: [],
});

describe('replay clock', () => {
  it('should fetch per replayed minute, keep inside the 7 days and stop at now', () => {
    expect(replayStep(NOW + 59_999)).toBe(replayStep(NOW));
    expect(replayStep(NOW + REPLAY_STEP_MS) - replayStep(NOW)).toBe(REPLAY_STEP_MS);
    expect(clampReplay(NOW + 1, NOW)).toBe(NOW);
    expect(clampReplay(NOW - 30 * 86_400_000, NOW)).toBe(NOW - REPLAY_WINDOW_MS);
    expect(clampReplay(Number.NaN, NOW)).toBe(NOW);
    expect(advanceReplay(NOW - 10 * MIN, 1000, 60, NOW)).toEqual({ at: NOW - 9 * MIN, reachedLive: false });
    expect(advanceReplay(NOW - 10 * MIN, 1000, 1, NOW)).toEqual({ at: NOW - 10 * MIN + 1000, reachedLive: false });
    expect(advanceReplay(NOW - MIN, 10_000, 10, NOW)).toEqual({ at: NOW, reachedLive: true });
    expect(advanceReplay(NOW - MIN, -5, 10, NOW).at).toBe(NOW - MIN);
  });

  it('should keep the most recently used snapshots', () => {
    const c = new StepCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe(ReplayState.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should show the snapshot of the replayed minute, with the clock on the replayed time', async () => {
    const asked: number[] = [];
    const r = new ReplayState({ now: () => NOW, fetch: async (areaId, at) => (asked.push(at), snap(areaId, at, at === replayStep(NOW - 90 * MIN) ? 7 : 3)) });
    r.start('310110', NOW - 90 * MIN + 5_000);
    await vi.waitFor(() => expect(r.data.status).toBe('synced'));
    expect(asked).toEqual([replayStep(NOW - 90 * MIN)]);
    expect(r.data.openTotal).toBe(7);
    expect(r.data.epoch).toBe('replay');
    expect(r.serverNow()).toBe(NOW - 90 * MIN + 5_000);
    // a redraw is told to the subscribers of the source
    const told: number[] = [];
    const off = r.subscribe('snapshot', (d) => told.push(d.openTotal));
    // the same minute again: from the cache, nothing fetched
    r.seek(NOW - 90 * MIN + 30_000);
    r.seek(NOW - 90 * MIN + 5_000);
    expect(asked).toHaveLength(1);
    // another minute: fetched once
    r.seek(NOW - 30 * MIN);
    await vi.waitFor(() => expect(r.data.openTotal).toBe(3));
    expect(asked).toHaveLength(2);
    expect(told).toEqual([3]);
    off();
    // another area (a drill into a street) at the same replayed time
    r.connect('310110019000');
    await vi.waitFor(() => expect(r.data.areaId).toBe('310110019000'));
    expect(r.areaId).toBe('310110019000');
    expect(r.serverNow()).toBe(NOW - 30 * MIN);
    r.stop();
    expect(r.active).toBe(false);
  });

  it('should play at the chosen speed and stop at now', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const r = new ReplayState({ now: () => Date.now(), tickMs: 100, fetch: async (areaId, at) => snap(areaId, at) });
    r.start('310110', NOW - 10 * MIN);
    r.play(60);
    vi.advanceTimersByTime(1000);
    expect(r.at).toBeGreaterThanOrEqual(NOW - 10 * MIN + 59_000);
    expect(r.at).toBeLessThanOrEqual(NOW + 1000 - 9 * MIN + 1000);
    r.pause();
    const held = r.at;
    vi.advanceTimersByTime(1000);
    expect(r.at).toBe(held);
    r.play(10);
    vi.advanceTimersByTime(120_000);
    // it caught up with now (then moving on) and stopped there
    expect(r.playing).toBe(false);
    expect(r.at).toBeGreaterThan(NOW);
    expect(r.at).toBeLessThan(Date.now());
    r.stop();
  });

  it('should not ask again at once for a minute that failed', async () => {
    let calls = 0;
    const r = new ReplayState({ now: () => NOW, tickMs: 10, fetch: async () => { calls++; throw new Error('down'); } });
    r.start('310110', NOW - 60 * MIN);
    await vi.waitFor(() => expect(r.failed).toBe(true));
    await new Promise((res) => setTimeout(res, 200));
    expect(calls).toBe(1);
    r.stop();
  });
});
