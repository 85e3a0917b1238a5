import { describe, expect, it } from 'vitest';
import type { AreaCollection, IndicatorDefinition } from '../../shared/index.ts';
import { AreaTree } from '../../server/domain/areas.ts';
import { aggregate, ratePercent, rollUp, statusOf, thresholdsFor, type DirectValue } from '../../server/domain/indicators.ts';

const square = (x: number, y: number, s = 1) => ({
  type: 'Polygon' as const,
  coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
});
const feature = (id: string, level: 'city' | 'district' | 'street' | 'grid', parentId: string | null, geom = square(0, 0, 4)) => ({
  type: 'Feature' as const,
  properties: { id, level, parentId, name: id, nameEn: id, approximate: false },
  geometry: geom,
});

// district D with streets A (grids a1, a2) and B (grid b1)
const tree = new AreaTree({
  type: 'FeatureCollection',
  features: [
    feature('D', 'district', null),
    feature('A', 'street', 'D', square(0, 0, 2)),
    feature('B', 'street', 'D', square(2, 0, 2)),
    feature('a1', 'grid', 'A', square(0, 0, 1)),
    feature('a2', 'grid', 'A', square(1, 0, 1)),
    feature('b1', 'grid', 'B', square(2, 0, 2)),
  ],
} as AreaCollection);

const def = (over: Partial<IndicatorDefinition> = {}): IndicatorDefinition => ({
  id: 'x',
  name: { zh: 'x', en: 'x' },
  category: 'public_safety',
  unit: { zh: '起', en: '' },
  decimals: 0,
  thresholds: { direction: 'above', warn: 10, alarm: 20 },
  levelThresholds: { grid: { warn: 2, alarm: 4 } },
  aggregation: 'sum',
  staleAfterSec: 60,
  inherit: false,
  levels: ['grid', 'street', 'district'],
  source: 'readings',
  range: [0, 1000],
  basis: 'test',
  weight: 1,
  ...over,
});

const NOW = 1_000_000;
const fresh = (value: number, simulated = false): DirectValue => ({ value, at: NOW - 1000, simulated });
const old = (value: number): DirectValue => ({ value, at: NOW - 61_000, simulated: false });

describe('statusOf', () => {
  it.each([
    [9, 'normal'],
    [10, 'warn'],
    [19.9, 'warn'],
    [20, 'alarm'],
  ] as const)('should grade %d above-direction as %s at the district', (v, s) => {
    expect(statusOf(def(), 'district', v)).toBe(s);
  });
  it('should use level thresholds where given', () => {
    expect(thresholdsFor(def(), 'grid')).toEqual({ direction: 'above', warn: 2, alarm: 4 });
    expect(statusOf(def(), 'grid', 3)).toBe('warn');
    expect(statusOf(def(), 'street', 3)).toBe('normal');
  });
  it('should grade below-direction indicators (rates with a target)', () => {
    const rate = def({ thresholds: { direction: 'below', warn: 90, alarm: 85 }, levelThresholds: undefined });
    expect(statusOf(rate, 'street', 95)).toBe('normal');
    expect(statusOf(rate, 'street', 90)).toBe('warn');
    expect(statusOf(rate, 'street', 84.9)).toBe('alarm');
  });
});

describe('aggregate', () => {
  it.each([
    ['sum', 6],
    ['mean', 2],
    ['max', 3],
    ['min', 1],
  ] as const)('%s of 1,2,3 is %d', (k, v) => expect(aggregate(k, [1, 2, 3])).toBe(v));
});

describe('rollUp', () => {
  it('should sum grids into streets and streets into the district', () => {
    const v = rollUp(def(), tree, new Map([['a1', fresh(1)], ['a2', fresh(2)], ['b1', fresh(5)]]), NOW);
    expect(v.get('A')).toMatchObject({ value: 3, status: 'normal' });
    expect(v.get('B')!.value).toBe(5);
    expect(v.get('D')!.value).toBe(8);
    expect(v.get('b1')!.status).toBe('alarm'); // 5 ≥ grid alarm 4
  });

  it('should average for mean indicators and prefer a fresh direct value over children', () => {
    const d = def({ aggregation: 'mean', levelThresholds: undefined });
    const v = rollUp(d, tree, new Map([['a1', fresh(10)], ['a2', fresh(20)], ['B', fresh(40)]]), NOW);
    expect(v.get('A')!.value).toBe(15);
    expect(v.get('D')!.value).toBe(27.5);
    const direct = rollUp(d, tree, new Map([['a1', fresh(10)], ['D', fresh(99)]]), NOW);
    expect(direct.get('D')!.value).toBe(99);
  });

  it('should leave stale values out of roll-ups and mark them stale', () => {
    const v = rollUp(def(), tree, new Map([['a1', fresh(1)], ['a2', old(50)], ['b1', old(7)]]), NOW);
    expect(v.get('A')!.value).toBe(1);
    expect(v.get('a2')!.status).toBe('stale');
    expect(v.get('B')).toMatchObject({ value: 7, status: 'stale' });
    expect(v.get('D')!.value).toBe(1);
  });

  it('should report nodata where nothing was ever reported, and mark simulated contributions', () => {
    const v = rollUp(def(), tree, new Map([['a1', fresh(1, true)]]), NOW);
    expect(v.get('B')).toMatchObject({ value: null, status: 'nodata', at: null });
    expect(v.get('A')!.simulated).toBe(true);
    expect(v.get('D')!.simulated).toBe(true);
  });

  it('should let areas without data inherit a district-wide measurement', () => {
    const d = def({ aggregation: 'mean', inherit: true, levels: ['street', 'district'], levelThresholds: { street: { warn: 5, alarm: 50 } } });
    const v = rollUp(d, tree, new Map([['D', fresh(12, true)], ['B', fresh(3)]]), NOW);
    expect(v.get('A')).toMatchObject({ value: 12, status: 'warn', simulated: true }); // street thresholds apply
    expect(v.get('B')).toMatchObject({ value: 3, status: 'normal' }); // its own value wins
    expect(v.has('a1')).toBe(false);
    const none = rollUp({ ...d, inherit: false }, tree, new Map([['D', fresh(12)]]), NOW);
    expect(none.get('A')!.status).toBe('nodata');
  });

  it('should only emit values for the levels the indicator applies to', () => {
    const v = rollUp(def({ levels: ['district'] }), tree, new Map([['a1', fresh(1)]]), NOW);
    expect([...v.keys()]).toEqual(['D']);
    expect(v.get('D')!.value).toBe(1);
  });
});

describe('rollUp of a ratio (a rate derived from counts)', () => {
  const rate = def({
    aggregation: 'ratio',
    source: 'derived',
    decimals: 1,
    thresholds: { direction: 'below', warn: 90, alarm: 85 },
    levelThresholds: undefined,
    levels: ['grid', 'street', 'district'],
  });
  const counts = (num: number, den: number, at = NOW - 1000): DirectValue => ({ value: 0, at, simulated: false, counts: { num, den } });

  it('should compute every level from its own summed counts, not from the mean of its children’s rates', () => {
    // a1: 1 of 1 (100 %), a2: 80 of 100 (80 %), b1: 9 of 10 (90 %)
    const v = rollUp(rate, tree, new Map([['a1', counts(1, 1)], ['a2', counts(80, 100)], ['b1', counts(9, 10)]]), NOW);
    expect(v.get('a1')!.value).toBe(100);
    expect(v.get('a2')).toMatchObject({ value: 80, status: 'alarm' });
    // street A: 81 / 101, not (100 + 80) / 2 = 90
    expect(v.get('A')!.value).toBeCloseTo((100 * 81) / 101, 3);
    expect(v.get('A')!.status).toBe('alarm');
    // district: 90 / 111, not the mean of the streets' rates
    expect(v.get('D')!.value).toBeCloseTo((100 * 90) / 111, 3);
    expect(v.get('D')!.value).not.toBeCloseTo(((100 * 81) / 101 + 90) / 2, 1);
  });

  it('should give no value (nodata) where nothing was counted, and count such an area as 0 of 0 in its parent', () => {
    const v = rollUp(rate, tree, new Map([['a1', counts(0, 0)], ['a2', counts(0, 0)], ['b1', counts(3, 4)]]), NOW);
    expect(v.get('A')).toMatchObject({ value: null, status: 'nodata', at: null });
    expect(v.get('a1')).toMatchObject({ value: null, status: 'nodata' });
    expect(v.get('B')).toMatchObject({ value: 75, status: 'alarm' });
    expect(v.get('D')!.value).toBe(75); // 3 of 4: the empty street adds 0 of 0
    const none = rollUp(rate, tree, new Map([['a1', counts(0, 0)], ['a2', counts(0, 0)], ['b1', counts(0, 0)]]), NOW);
    for (const id of ['a1', 'A', 'B', 'D']) expect(none.get(id)).toMatchObject({ value: null, status: 'nodata' });
  });

  it('should count 0 of n as 0 % and n of n as 100 %', () => {
    const v = rollUp(rate, tree, new Map([['a1', counts(0, 3)], ['a2', counts(0, 2)], ['b1', counts(6, 6)]]), NOW);
    expect(v.get('A')).toMatchObject({ value: 0, status: 'alarm' });
    expect(v.get('B')).toMatchObject({ value: 100, status: 'normal' });
    expect(v.get('D')!.value).toBeCloseTo(100 * 6 / 11, 3);
  });

  it('should leave stale counts out of a parent and mark them stale', () => {
    const v = rollUp(rate, tree, new Map([['a1', counts(1, 2)], ['a2', counts(0, 8, NOW - 61_000)], ['b1', counts(2, 2)]]), NOW);
    expect(v.get('a2')).toMatchObject({ value: 0, status: 'stale' });
    expect(v.get('A')!.value).toBe(50);
    expect(v.get('D')!.value).toBe(75);
  });

  it('should take counts, not a value, for a ratio reported directly for a parent', () => {
    const v = rollUp(rate, tree, new Map([['a1', counts(1, 1)], ['A', { value: 12, at: NOW - 1000, simulated: false, counts: { num: 9, den: 10 } }]]), NOW);
    expect(v.get('A')!.value).toBe(90);
    expect(v.get('D')!.value).toBe(90);
  });
});

describe('ratePercent', () => {
  it.each([
    [0, 0, null],
    [0, 5, 0],
    [5, 5, 100],
    [1, 3, 100 / 3],
  ] as const)('%d of %d is %s', (n, d, r) => expect(ratePercent(n, d)).toBe(r));
});

describe('AreaTree', () => {
  it('should know lineage, children and containment', () => {
    expect(tree.lineage('a2').map((n) => n.id)).toEqual(['a2', 'A', 'D']);
    expect(tree.children('A').map((n) => n.id)).toEqual(['a1', 'a2']);
    expect(tree.isWithin('b1', 'D')).toBe(true);
    expect(tree.isWithin('b1', 'A')).toBe(false);
    expect(tree.ancestorAt('a1', 'street')!.id).toBe('A');
  });
  it('should place points in their grid and nothing outside', () => {
    expect(tree.locate(0.5, 0.5)!.id).toBe('a1');
    expect(tree.locate(1.5, 0.5)!.id).toBe('a2');
    expect(tree.locate(3, 1)!.id).toBe('b1');
    expect(tree.locate(5, 5)).toBeUndefined();
  });
  it('should refuse a collection with an unknown parent', () => {
    expect(() => new AreaTree({ type: 'FeatureCollection', features: [feature('D', 'district', null), feature('g', 'grid', 'Z')] } as AreaCollection)).toThrow(/unknown parent Z/);
  });
});
