import { describe, expect, it } from 'vitest';
import {
  backtest,
  baselines,
  firstCrossing,
  forecastSeries,
  hourlyMeans,
  HOUR_MS,
  INTERVAL,
  MODEL_NAME,
  prepareHistory,
  type HourPoint,
} from '../../server/domain/forecast/index.ts';
import { shippedData } from '../helpers/server.ts';

const T0 = Date.parse('2026-11-01T00:00:00Z');
/** a deterministic noisy daily cycle around 40 */
const wave = (i: number) => 40 + 15 * Math.sin((2 * Math.PI * i) / 24) + 5 * Math.sin(i * 1.7) * Math.cos(i * 0.31);
const series = (n: number, f: (i: number) => number = wave): HourPoint[] => Array.from({ length: n }, (_, i) => ({ hour: T0 + i * HOUR_MS, value: f(i) }));

describe('prepareHistory', () => {
  it('should refuse fewer than 72 observed hours, and accept 72', () => {
    expect(prepareHistory(series(71), T0 + 71 * HOUR_MS)).toMatchObject({ ok: false, reason: 'insufficient_history', observed: 71 });
    const h = prepareHistory(series(72), T0 + 72 * HOUR_MS);
    expect(h).toMatchObject({ ok: true, observed: 72, start: T0 });
  });

  it('should interpolate short gaps linearly and cut at a long one', () => {
    const pts = series(200).filter((p, i) => !(i >= 150 && i < 153)); // 3 missing hours
    const h = prepareHistory(pts, T0 + 200 * HOUR_MS);
    if (!h.ok) throw new Error('expected ok');
    expect(h.values).toHaveLength(200);
    const a = wave(149), b = wave(153);
    expect(h.values[150]).toBeCloseTo(a + (b - a) / 4);
    expect(h.values[152]).toBeCloseTo(a + (3 * (b - a)) / 4);
    // a 10-hour gap: only what follows it is used
    const cut = prepareHistory(series(200).filter((p, i) => !(i >= 50 && i < 60)), T0 + 200 * HOUR_MS);
    expect(cut).toMatchObject({ ok: true, start: T0 + 60 * HOUR_MS, observed: 140 });
    // …and if too little follows it, refuse
    expect(prepareHistory(series(200).filter((p, i) => !(i >= 150 && i < 160)), T0 + 200 * HOUR_MS)).toMatchObject({ ok: false, reason: 'insufficient_history' });
  });

  it('should refuse a stale history, hold the last value up to the origin, and ignore the future', () => {
    expect(prepareHistory(series(100), T0 + 104 * HOUR_MS)).toMatchObject({ ok: false, reason: 'stale_history' });
    const h = prepareHistory(series(200), T0 + 102 * HOUR_MS);
    if (!h.ok) throw new Error('expected ok');
    expect(h.values).toHaveLength(102);
    const late = prepareHistory(series(100), T0 + 102 * HOUR_MS);
    if (!late.ok) throw new Error('expected ok');
    expect(late.values.slice(-3)).toEqual([wave(99), wave(99), wave(99)]);
  });

  it('should keep only the trailing window and skip non-finite values', () => {
    const pts = series(400);
    pts[390] = { hour: pts[390]!.hour, value: Number.NaN };
    const h = prepareHistory(pts, T0 + 400 * HOUR_MS);
    if (!h.ok) throw new Error('expected ok');
    expect(h.start).toBe(T0 + 160 * HOUR_MS);
    expect(h.values).toHaveLength(240);
    expect(h.observed).toBe(239);
  });
});

describe('hourlyMeans', () => {
  it('should weight each sample by how long it held within the hour', () => {
    const M = 60_000;
    const out = hourlyMeans([{ at: T0, value: 10 }, { at: T0 + 30 * M, value: 20 }, { at: T0 + 90 * M, value: 40 }], 3 * HOUR_MS, T0 + 120 * M);
    expect(out).toEqual([{ hour: T0, value: 15 }, { hour: T0 + HOUR_MS, value: 30 }]);
  });
  it('should stop holding a value after holdMs', () => {
    const out = hourlyMeans([{ at: T0, value: 10 }], HOUR_MS, T0 + 10 * HOUR_MS);
    expect(out).toEqual([{ hour: T0, value: 10 }]);
  });
});

describe('forecastSeries', () => {
  it('should give H points with lower ≤ value ≤ upper, inside the range', () => {
    const values = series(240).map((p) => p.value);
    const f = forecastSeries({ values, horizon: 12, range: [0, 1000] });
    expect(f.model).toBe(MODEL_NAME);
    expect(f.points).toHaveLength(12);
    for (const p of f.points) {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.upper);
      expect(p.lower).toBeGreaterThanOrEqual(0);
    }
    // the interval widens with the lead time
    expect(f.points[11]!.upper - f.points[11]!.lower).toBeGreaterThan(f.points[0]!.upper - f.points[0]!.lower);
  });

  it('should forecast a constant series as itself', () => {
    const f = forecastSeries({ values: Array(100).fill(7), horizon: 6, range: [0, 100] });
    expect(f).toEqual({ model: 'constant', points: Array(6).fill({ value: 7, lower: 7, upper: 7 }) });
  });

  it('should clamp to the plausible range', () => {
    // values pinned at the top of the range most of the time
    const values = Array.from({ length: 120 }, (_, i) => (i % 7 === 0 ? 90 : 100));
    const f = forecastSeries({ values, horizon: 6, range: [0, 100] });
    for (const p of f.points) expect(p.upper).toBeLessThanOrEqual(100);
    // a value outside the range is clamped before the fit
    const g = forecastSeries({ values: [...values.slice(0, -1), 5000], horizon: 3, range: [0, 100] });
    for (const p of g.points) expect(p.value).toBeLessThanOrEqual(100);
  });

  it('should reject a bad horizon or too short a history', () => {
    expect(() => forecastSeries({ values: Array(100).fill(1), horizon: 0, range: [0, 9] })).toThrow(RangeError);
    expect(() => forecastSeries({ values: Array(10).fill(1), horizon: 3, range: [0, 9] })).toThrow(RangeError);
  });
});

describe('firstCrossing', () => {
  const def = shippedData().indicators.find((d) => d.id === 'pm25')!; // above: warn 75, alarm 115
  const pts = (vs: number[]) => vs.map((value, i) => ({ at: T0 + i * HOUR_MS, value }));
  it('should prefer the first alarm-level hour to an earlier warn', () => {
    expect(firstCrossing(def, 'district', pts([50, 80, 90, 120, 130]))).toEqual({ level: 'alarm', at: T0 + 3 * HOUR_MS });
    expect(firstCrossing(def, 'district', pts([50, 80, 90]))).toEqual({ level: 'warn', at: T0 + HOUR_MS });
    expect(firstCrossing(def, 'district', pts([50, 60]))).toBeNull();
  });
  it('should use level thresholds and the direction', () => {
    const fire = shippedData().indicators.find((d) => d.id === 'fire_alarms')!; // district 4/8, street 2/4
    expect(firstCrossing(fire, 'street', pts([1, 4]))).toEqual({ level: 'alarm', at: T0 + HOUR_MS });
    expect(firstCrossing(fire, 'district', pts([1, 4]))).toEqual({ level: 'warn', at: T0 + HOUR_MS });
    const below = { ...def, thresholds: { direction: 'below' as const, warn: 90, alarm: 80 } };
    expect(firstCrossing(below, 'district', pts([95, 85, 70]))).toEqual({ level: 'alarm', at: T0 + 2 * HOUR_MS });
  });
});

describe('backtest', () => {
  it('should compute the baselines from the history alone', () => {
    const h = Array.from({ length: 48 }, (_, i) => i);
    const b = baselines(h, 30);
    expect(b.naive).toEqual(Array(30).fill(47));
    // lead 1 is 24 h after hour 24 of the last day → index 24; lead 25 wraps to the same hour again
    expect(b.seasonalNaive.slice(0, 3)).toEqual([24, 25, 26]);
    expect(b.seasonalNaive[23]).toBe(47);
    expect(b.seasonalNaive[24]).toBe(24);
  });

  it('should score the baselines exactly as an independent recount on a hand-made series', () => {
    // 6 days of a pattern, evaluated over the last 2 days, origins every 12 h, horizon 4
    const f = (i: number) => (i % 24) * 2 + Math.floor(i / 24) * 3 + (i % 5);
    const pts = series(6 * 24, f);
    const r = backtest(pts, { horizon: 4, evalDays: 2, stepHours: 12, range: [0, 1000] });
    let naive = 0, snaive = 0, n = 0;
    const end = 6 * 24;
    for (let o = end - 48; o + 4 <= end; o += 12) {
      for (let k = 0; k < 4; k++) {
        naive += Math.abs(f(o - 1) - f(o + k));
        snaive += Math.abs(f(o + k - 24) - f(o + k));
        n++;
      }
    }
    expect(r.origins).toBe(4);
    expect(r.scored).toBe(n);
    expect(r.naive.mae).toBeCloseTo(naive / n, 10);
    expect(r.seasonalNaive.mae).toBeCloseTo(snaive / n, 10);
    expect(r.model.coverage).toBeGreaterThanOrEqual(0);
    expect(r.model.coverage).toBeLessThanOrEqual(1);
  });

  it('should not score hours missing from the series, and refuse a series that is too short', () => {
    const pts = series(6 * 24).filter((p, i) => i !== 6 * 24 - 11) // lead 2 of the last origin;
    const r = backtest(pts, { horizon: 4, evalDays: 2, stepHours: 12, range: [0, 1000] });
    expect(r.scored).toBe(4 * 4 - 1);
    expect(() => backtest(series(50), { horizon: 4, evalDays: 2, stepHours: 12, range: [0, 1000] })).toThrow(/too short/);
  });

  it('should report an interval coverage that is a fraction', () => {
    const r = backtest(series(20 * 24), { horizon: 6, evalDays: 5, stepHours: 24, range: [0, 1000] });
    expect(r.model.interval).toBe(INTERVAL);
    expect(r.model.coverage).toBeGreaterThanOrEqual(0);
    expect(r.model.coverage).toBeLessThanOrEqual(1);
  });
});
