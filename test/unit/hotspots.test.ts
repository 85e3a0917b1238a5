import { describe, expect, it } from 'vitest';
import {
  baselinePlan,
  detectEmerging,
  distanceMeters,
  poissonTail,
  recurringClusters,
  relatedCases,
  searchBox,
  type CasePoint,
} from '../../server/domain/hotspots.ts';

const DAY = 86_400_000;
const rule = { radiusM: 200, windowMs: 30 * DAY };
const T = Date.UTC(2026, 10, 20, 2);
/** a point `m` metres north of (121.514, 31.302) */
const north = (m: number) => ({ lng: 121.514, lat: 31.302 + m / 111_195 });
const east = (m: number) => ({ lng: 121.514 + m / (111_195 * Math.cos((31.302 * Math.PI) / 180)), lat: 31.302 });
const c = (id: string, over: Partial<CasePoint> = {}) => ({ id, category: 'illegal_parking', ...north(0), occurredAt: T, ...over });

describe('distanceMeters', () => {
  it('should measure great-circle metres', () => {
    expect(distanceMeters(north(0), north(100))).toBeCloseTo(100, 0);
    expect(distanceMeters(north(0), east(300))).toBeCloseTo(300, 0);
  });
});

describe('searchBox', () => {
  it.each([0, 31.3, -45, 70])('should contain every point within the radius at latitude %d', (lat) => {
    const b = searchBox(121.5, lat, 200);
    for (let a = 0; a < 360; a += 15) {
      const dLat = (200 * Math.cos((a * Math.PI) / 180)) / 111_195;
      const dLng = (200 * Math.sin((a * Math.PI) / 180)) / (111_195 * Math.cos(((lat + dLat) * Math.PI) / 180));
      const p = { lng: 121.5 + dLng, lat: lat + dLat };
      expect(p.lat).toBeGreaterThanOrEqual(b.minLat);
      expect(p.lat).toBeLessThanOrEqual(b.maxLat);
      expect(p.lng).toBeGreaterThanOrEqual(b.minLng);
      expect(p.lng).toBeLessThanOrEqual(b.maxLng);
    }
  });
});

describe('relatedCases', () => {
  it('should link a case to earlier ones of its category within the radius and window, the most recent first', () => {
    const now = c('new', { occurredAt: T });
    const cands = [
      c('near-100', { ...north(100), occurredAt: T - DAY }),
      c('near-50', { ...east(50), occurredAt: T - 2 * DAY }),
      c('far-300', { ...north(300), occurredAt: T - DAY }),
      c('other-category', { category: 'noise', occurredAt: T - DAY }),
      c('too-old', { occurredAt: T - 31 * DAY }),
      c('later', { occurredAt: T + 1 }),
      c('new'),
    ];
    expect(relatedCases(now, cands, rule)).toEqual(['near-100', 'near-50']);
  });

  it('should keep the edges: exactly at the radius and the start of the window count', () => {
    const now = c('new');
    expect(relatedCases(now, [c('edge', { ...north(199.5), occurredAt: T - 30 * DAY })], rule)).toEqual(['edge']);
    expect(relatedCases(now, [c('just-out', { ...north(201), occurredAt: T - DAY })], rule)).toEqual([]);
  });

  it('should link at most 10 earlier cases', () => {
    const cands = Array.from({ length: 25 }, (_, i) => c(`e${i}`, { ...north(i), occurredAt: T - i * 1000 }));
    const r = relatedCases(c('new', { ...north(0) }), cands, rule);
    expect(r).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    // at the same time, the nearer first
    expect(relatedCases(c('new'), [c('b', { ...north(20), occurredAt: T - 5 }), c('a', { ...north(10), occurredAt: T - 5 })], rule)).toEqual(['a', 'b']);
  });
});

describe('baselinePlan', () => {
  it('should compare short windows with the same clock hours of 28 days and a week with the same weekday-hours of 4 weeks', () => {
    expect(baselinePlan('6h')).toEqual({ windowMs: 6 * 3_600_000, periodMs: DAY, spans: 28 });
    expect(baselinePlan('24h')).toEqual({ windowMs: DAY, periodMs: DAY, spans: 28 });
    expect(baselinePlan('7d')).toEqual({ windowMs: 7 * DAY, periodMs: 7 * DAY, spans: 4 });
  });
});

describe('poissonTail', () => {
  it('should give P(X ≥ k)', () => {
    expect(poissonTail(0, 2)).toBe(1);
    expect(poissonTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 10);
    // P(X ≥ 3 | 1) = 1 − e^-1 (1 + 1 + 1/2)
    expect(poissonTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * 2.5, 10);
    // far out in the tail it stays positive and ordered
    expect(poissonTail(40, 1)).toBeGreaterThan(0);
    expect(poissonTail(41, 1)).toBeLessThan(poissonTail(40, 1));
  });
});

describe('detectEmerging', () => {
  const flat = (v: number) => new Array<number>(28).fill(v);

  it('should flag a grid with a flat history and a burst', () => {
    const r = detectEmerging([{ key: 'burst', observed: 8, history: flat(1) }], 28);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ key: 'burst', observed: 8, baseline: 1 });
    expect(r[0]!.p).toBeLessThan(0.01);
    expect(r[0]!.p).toBeCloseTo(poissonTail(8, 1), 12);
  });

  it('should not flag a grid with a high but steady baseline', () => {
    // 30 a day for four weeks, 36 today: p ≈ 0.16
    expect(detectEmerging([{ key: 'busy', observed: 36, history: flat(30) }], 28)).toEqual([]);
    // nor one at or below its baseline
    expect(detectEmerging([{ key: 'quiet', observed: 5, history: flat(6) }], 28)).toEqual([]);
  });

  it('should handle a new grid with zero history: 3 cases are flagged (λ floor), 2 are too few', () => {
    const r = detectEmerging([{ key: 'new', observed: 3, history: flat(0) }, { key: 'two', observed: 2, history: flat(0) }], 28);
    expect(r.map((x) => x.key)).toEqual(['new']);
    expect(r[0]!.baseline).toBe(0);
    expect(r[0]!.p).toBeGreaterThan(0);
    expect(r[0]!.p).toBeCloseTo(poissonTail(3, 0.5 / 28), 12);
  });

  it('should treat missing spans as zero and order the most significant first', () => {
    const r = detectEmerging(
      [
        { key: 'a', observed: 6, history: [1, 1] },
        { key: 'b', observed: 20, history: flat(1) },
      ],
      28,
    );
    expect(r.map((x) => x.key)).toEqual(['b', 'a']);
    expect(r[1]!.baseline).toBeCloseTo(2 / 28, 12);
  });
});

describe('recurringClusters', () => {
  const p = (id: string, t: number, over: Partial<CasePoint> = {}): CasePoint => ({ id, category: 'illegal_parking', ...north(0), occurredAt: t, gridId: 'g1', streetId: 's1', ...over });

  it('should join recurring cases with the earlier cases they link to, and keep clusters of at least N', () => {
    const a = p('a', T - 3000);
    const b = { ...p('b', T - 2000, { ...north(50) }), relatedIds: ['a'] };
    const c2 = { ...p('c', T - 1000, { ...north(100), gridId: 'g2' }), relatedIds: ['b', 'a', 'outside-window'] };
    const lone = { ...p('x', T, { ...north(5000), category: 'noise' }), relatedIds: ['y'] };
    const y = p('y', T - 5000, { ...north(5000), category: 'noise' });
    const inWindow = new Map([a, b, c2, lone, y].map((x) => [x.id, x]));
    const r = recurringClusters([b, c2, lone], inWindow, 3);
    expect(r).toHaveLength(1);
    expect(r[0]!.cases.map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(r[0]).toMatchObject({ category: 'illegal_parking', gridId: 'g1', streetId: 's1' });
    expect(r[0]!.centroid[1]).toBeCloseTo(31.302 + 50 / 111_195, 6);
    expect(recurringClusters([b, c2, lone], inWindow, 2)).toHaveLength(2);
    // two cases linking only to the same case outside the window are one place
    const d = { ...p('d', T - 100), relatedIds: ['old'] };
    const e = { ...p('e', T - 50), relatedIds: ['old'] };
    const joined = recurringClusters([d, e], new Map([d, e].map((x) => [x.id, x])), 2);
    expect(joined.map((x) => x.cases.map((y) => y.id))).toEqual([['e', 'd']]);
  });
});

describe('recurrence configuration', () => {
  it('should default to 200 m and 30 days and refuse bad values', async () => {
    const { loadConfig } = await import('../../server/config.ts');
    const { appOptionsFrom } = await import('../../server/app.ts');
    const c = loadConfig({});
    expect(c).toMatchObject({ recurrenceRadiusM: 200, recurrenceWindowDays: 30 });
    expect(appOptionsFrom(loadConfig({ RECURRENCE_RADIUS_M: '150', RECURRENCE_WINDOW_DAYS: '7' })).recurrence).toEqual({ radiusM: 150, windowMs: 7 * DAY });
    for (const env of [{ RECURRENCE_RADIUS_M: 'far' }, { RECURRENCE_RADIUS_M: '0' }, { RECURRENCE_RADIUS_M: '100000' }, { RECURRENCE_WINDOW_DAYS: '-1' }, { RECURRENCE_WINDOW_DAYS: '1000' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(/RECURRENCE_/);
    }
  });
});
