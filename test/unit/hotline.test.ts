import { describe, expect, it } from 'vitest';
import {
  categoryRows,
  closureOf,
  hotlineAnalysis,
  hotlineWindows,
  hourlySeries,
  repeatGrids,
  repeatPlaces,
  riseScore,
  risingCategories,
  shiftZonedDays,
  type ClosureRow,
  type HotlineCounts,
  type HotlinePoint,
} from '../../server/domain/hotline.ts';
import { HotlineAnalysis } from '../../shared/index.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-23T00:00:00+08:00');
/** metres → degrees near Shanghai */
const dLat = (m: number) => m / 110_540;
const dLng = (m: number) => m / (111_320 * Math.cos((31.3 * Math.PI) / 180));
let seq = 0;
const pt = (over: Partial<HotlinePoint> = {}): HotlinePoint => ({
  id: `c${++seq}`,
  category: 'hotline_request',
  confidential: false,
  gridId: 'g1',
  streetId: 's1',
  lng: 121.5,
  lat: 31.3,
  occurredAt: T0 + seq * 60_000,
  title: '路灯不亮',
  ...over,
});

describe('baseline windows', () => {
  it('should be the same wall-clock hours one week earlier', () => {
    const w = hotlineWindows(T0 + 9 * H, T0 + 17 * H, 'Asia/Shanghai');
    expect(w.baselineFrom).toBe(T0 + 9 * H - 7 * 24 * H);
    expect(w.baselineTo).toBe(T0 + 17 * H - 7 * 24 * H);
  });

  it('should follow a daylight-saving change: a week back across it is 169 hours, not 168', () => {
    // Berlin went back from CEST to CET on 2026-10-25: Monday 10:00 CET is 169 h after the Monday before, 10:00 CEST
    const t = Date.parse('2026-10-26T10:00:00+01:00');
    expect(shiftZonedDays(t, -7, 'Europe/Berlin')).toBe(Date.parse('2026-10-19T10:00:00+02:00'));
    expect(t - shiftZonedDays(t, -7, 'Europe/Berlin')).toBe(169 * H);
  });
});

describe('categories and the rise', () => {
  const rows = categoryRows([
    { window: 'period', category: 'a', n: 10 },
    { window: 'baseline', category: 'a', n: 9 },
    { window: 'period', category: 'b', n: 6 },
    { window: 'baseline', category: 'b', n: 1 },
    { window: 'period', category: 'c', n: 3 },
    { window: 'baseline', category: 'd', n: 4 },
  ]);

  it('should pair each category with its baseline, the busiest first, with the change and a null percentage on an empty baseline', () => {
    expect(rows.map((r) => [r.category, r.count, r.baseline, r.change])).toEqual([
      ['a', 10, 9, 1],
      ['b', 6, 1, 5],
      ['c', 3, 0, 3],
      ['d', 0, 4, -4],
    ]);
    expect(rows[1]!.changePct).toBe(5);
    expect(rows[2]!.changePct).toBeNull();
    expect(rows[3]!.changePct).toBe(-1);
  });

  it('should rank rises by (n − b) ÷ √(b + 1), not by the raw change or the percentage', () => {
    expect(riseScore(6, 1)).toBeCloseTo(5 / Math.SQRT2);
    expect(riseScore(3, 0)).toBe(3);
    // b: +5 over 1 (3.54); c: +3 over 0 (3); a: +1 over 9 (0.32, not rising); d falls
    expect(risingCategories(rows).map((r) => r.category)).toEqual(['b', 'c']);
    // a large, real rise outranks a single new call
    const big = categoryRows([
      { window: 'period', category: 'big', n: 140 },
      { window: 'baseline', category: 'big', n: 100 },
      { window: 'period', category: 'one', n: 1 },
    ]);
    expect(risingCategories(big).map((r) => r.category)).toEqual(['big']);
  });

  it('should list at most five rising categories', () => {
    const many = categoryRows(Array.from({ length: 8 }, (_, i) => ({ window: 'period' as const, category: `k${i}`, n: 5 + i })));
    expect(risingCategories(many).map((r) => r.category)).toEqual(['k7', 'k6', 'k5', 'k4', 'k3']);
  });
});

describe('on-time and satisfaction', () => {
  const rows: ClosureRow[] = [
    { window: 'period', breached: false, rating: 'good', satisfaction: 5, n: 3 },
    { window: 'period', breached: true, rating: 'bad', satisfaction: 2, n: 1 },
    { window: 'period', breached: false, rating: 'good', satisfaction: null, n: 2 },
    { window: 'baseline', breached: true, rating: 'good', satisfaction: 4, n: 2 },
  ];

  it('should count on time as closed without a breach over closed, and average satisfaction over the cases that carry one', () => {
    expect(closureOf(rows, 'period')).toEqual({ closed: 6, onTime: 5, onTimeRate: 5 / 6, good: 5, bad: 1, goodRate: 5 / 6, satisfaction: 17 / 4, satisfactionN: 4 });
    expect(closureOf(rows, 'baseline')).toMatchObject({ closed: 2, onTime: 0, onTimeRate: 0, goodRate: 1, satisfaction: 4 });
  });

  it('should give null rates, not 0 or 100 %, when nothing closed or nothing was rated', () => {
    expect(closureOf([], 'period')).toEqual({ closed: 0, onTime: 0, onTimeRate: null, good: 0, bad: 0, goodRate: null, satisfaction: null, satisfactionN: 0 });
    expect(closureOf([{ window: 'period', breached: false, rating: null, satisfaction: null, n: 2 }], 'period')).toMatchObject({ onTimeRate: 1, goodRate: null, satisfaction: null });
  });
});

describe('the hourly series', () => {
  it('should have one entry per hour of the period with the baseline hour beside it, the last one partial', () => {
    const w = hotlineWindows(T0, T0 + 2.5 * H, 'Asia/Shanghai');
    const s = hourlySeries(w, [
      { window: 'period', hour: 0, n: 2 },
      { window: 'period', hour: 2, n: 1 },
      { window: 'baseline', hour: 1, n: 4 },
    ]);
    expect(s).toEqual([
      { at: new Date(T0).toISOString(), count: 2, baseline: 0 },
      { at: new Date(T0 + H).toISOString(), count: 0, baseline: 4 },
      { at: new Date(T0 + 2 * H).toISOString(), count: 1, baseline: 0 },
    ]);
  });

  it('should fold a baseline hour past the period (a longer week) into the last entry', () => {
    const w = hotlineWindows(T0, T0 + 2 * H, 'Asia/Shanghai');
    expect(hourlySeries(w, [{ window: 'baseline', hour: 2, n: 1 }]).at(-1)!.baseline).toBe(1);
  });
});

describe('repeat locations', () => {
  it('should list grids with two or more cases, counted exactly even when the points are capped', () => {
    const points = [pt({ gridId: 'g1' }), pt({ gridId: 'g1', title: '最新' }), pt({ gridId: 'g2' })];
    const r = repeatGrids(
      [
        { gridId: 'g1', streetId: 's1', n: 5 },
        { gridId: 'g2', streetId: 's1', n: 1 },
        { gridId: 'g3', streetId: 's2', n: 2 },
      ],
      points,
    );
    expect(r.map((x) => [x.gridId, x.count])).toEqual([['g1', 5], ['g3', 2]]);
    expect(r[0]).toMatchObject({ kind: 'grid', streetId: 's1', sampleTitle: '最新', caseIds: [points[1]!.id, points[0]!.id] });
  });

  it('should count a confidential case but show neither its title nor its id', () => {
    const points = [pt({ gridId: 'g1', title: '旧' }), pt({ gridId: 'g1', title: '涉密线索', confidential: true, occurredAt: pt().occurredAt + 60_000 })];
    const r = repeatGrids([{ gridId: 'g1', streetId: 's1', n: 2 }], points);
    // counted, but its place is not in the spot's centre (it could be worked back from one)
    expect(r[0]).toMatchObject({ count: 2, sampleTitle: '旧', caseIds: [points[0]!.id], lng: points[0]!.lng, lat: points[0]!.lat });
    const near = [pt({ lng: 121.5, lat: 31.3 }), pt({ lng: 121.5003, lat: 31.3, confidential: true })];
    expect(repeatPlaces(near)).toEqual([]);
  });

  it('should gather cases within 100 m into one spot, keep cases farther apart out, and never chain spots along a street', () => {
    const base = { lng: 121.5, lat: 31.3 };
    const a = pt(base);
    const b = pt({ lng: base.lng + dLng(60), lat: base.lat }); // 60 m east
    const c = pt({ lng: base.lng, lat: base.lat + dLat(50), category: 'property_dispute' }); // 50 m north
    const far = pt({ lng: base.lng + dLng(400), lat: base.lat }); // 400 m: alone
    // a line of cases 90 m apart: neighbours pair up, but the line is not one spot
    const line = Array.from({ length: 6 }, (_, i) => pt({ lng: 121.6 + dLng(90 * i), lat: 31.3 }));
    const spots = repeatPlaces([a, b, c, far, ...line]);
    const first = spots.find((x) => x.caseIds.includes(a.id))!;
    expect(first.caseIds.sort()).toEqual([a.id, b.id, c.id].sort());
    expect(first).toMatchObject({ kind: 'place', count: 3, categories: ['hotline_request', 'property_dispute'] });
    expect(spots.flatMap((s) => s.caseIds)).not.toContain(far.id);
    const lineSpots = spots.filter((s) => s.caseIds.some((id) => line.some((p) => p.id === id)));
    expect(lineSpots.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lineSpots.map((s) => s.count))).toBeLessThanOrEqual(3);
    for (const s of spots) expect(s.count).toBeGreaterThanOrEqual(2);
  });

  it('should find nothing among fewer than two cases, and cap the case ids of a big spot', () => {
    expect(repeatPlaces([pt()])).toEqual([]);
    const many = Array.from({ length: 30 }, () => pt());
    const [spot] = repeatPlaces(many);
    expect(spot!.count).toBe(30);
    expect(spot!.caseIds).toHaveLength(20);
    expect(spot!.caseIds[0]).toBe(many.at(-1)!.id); // newest first
  });
});

describe('the whole analysis', () => {
  it('should answer an empty period with zeros, empty lists and null rates, valid against the shared schema', () => {
    const w = hotlineWindows(T0, T0 + 24 * H, 'Asia/Shanghai');
    const empty: HotlineCounts = { categories: [], hours: [], grids: [], points: [], pointsTruncated: false, closures: [] };
    const a = hotlineAnalysis('310110', w, empty);
    expect(HotlineAnalysis.parse(a)).toEqual(a);
    expect(a.total).toEqual({ count: 0, baseline: 0, change: 0, changePct: null });
    expect(a.closure.period.onTimeRate).toBeNull();
    expect(a.closure.period.satisfaction).toBeNull();
    expect(a.hourly).toHaveLength(24);
    expect(a.rising).toEqual([]);
  });

  it('should total the categories and pass the per-grid counts for the heat map, busiest first', () => {
    const w = hotlineWindows(T0, T0 + 3 * H, 'Asia/Shanghai');
    const a = hotlineAnalysis('310110', w, {
      categories: [{ window: 'period', category: 'a', n: 3 }, { window: 'baseline', category: 'a', n: 1 }, { window: 'period', category: 'b', n: 1 }],
      hours: [],
      grids: [{ gridId: 'g2', streetId: 's', n: 1 }, { gridId: 'g1', streetId: 's', n: 3 }],
      points: [],
      pointsTruncated: true,
      closures: [],
    });
    expect(a.total).toEqual({ count: 4, baseline: 1, change: 3, changePct: 3 });
    expect(a.byGrid).toEqual([{ gridId: 'g1', count: 3 }, { gridId: 'g2', count: 1 }]);
    expect(a.repeats.truncated).toBe(true);
  });
});
