/**
 * @module test/unit/geo
 *
 * Checks the shipped area hierarchy (`data/geo/areas.geojson`, built by
 * `npm run geo`) for consistency: counts, parents, grids tiling their street
 * without overlaps, streets covering the district; and the import validator
 * (`scripts/lib/areas-validate.ts`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { validateAreas, type AreaProperties } from '../../scripts/lib/areas-validate.ts';

type AreaF = Feature<Polygon | MultiPolygon, AreaProperties>;

const areasPath = fileURLToPath(new URL('../../data/geo/areas.geojson', import.meta.url));
const areas = JSON.parse(readFileSync(areasPath, 'utf8')) as { type: string; features: AreaF[] };
const all = areas.features;
const byLevel = (level: AreaProperties['level']) => all.filter((f) => f.properties.level === level);
const city = byLevel('city');
const districts = byLevel('district');
const streets = byLevel('street');
const grids = byLevel('grid');
const byId = new Map(all.map((f) => [f.properties.id, f]));

const area = (f: Feature<Polygon | MultiPolygon> | Polygon | MultiPolygon) => turf.area(f);
const intersectArea = (a: AreaF, b: AreaF) => {
  const x = turf.intersect(turf.featureCollection([a, b]));
  return x ? turf.area(x) : 0;
};
const overlaps = (a: number[], b: number[]) => a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;

describe('data/geo/areas.geojson', () => {
  it('has 1 city, 1 district, 12 streets and 300–500 grids', () => {
    expect(city).toHaveLength(1);
    expect(districts).toHaveLength(1);
    expect(streets).toHaveLength(12);
    expect(grids.length).toBeGreaterThanOrEqual(300);
    expect(grids.length).toBeLessThanOrEqual(500);
  });

  it('passes the import validator and has exactly the agreed properties', () => {
    const r = validateAreas(areas);
    expect(r.errors).toEqual([]);
    for (const f of all) {
      const keys = ['id', 'level', 'parentId', 'name', 'nameEn', 'approximate'];
      if (f.properties.level === 'grid') keys.push('seq', 'overlays', 'overlayNames', 'zoneType', 'population', 'populationEstimated');
      expect(Object.keys(f.properties)).toEqual(keys);
    }
  });

  it('matches the shared AreaCollection schema', async () => {
    const { AreaCollection } = await import('../../shared/index.ts');
    expect(AreaCollection.safeParse(areas).success).toBe(true);
  });

  it('links city → district → streets → grids, with approximate streets and grids', () => {
    expect(city[0]!.properties).toMatchObject({ id: '310000', parentId: null, approximate: false });
    expect(districts[0]!.properties).toMatchObject({ id: '310110', parentId: '310000', approximate: false });
    for (const s of streets) expect(s.properties).toMatchObject({ parentId: '310110', approximate: true });
    for (const g of grids) {
      expect(byId.get(g.properties.parentId!)?.properties.level).toBe('street');
      expect(g.properties.approximate).toBe(true);
    }
  });

  it('numbers the grids of each street 1..n with ids <streetId>-gNNN', () => {
    for (const s of streets) {
      const mine = grids.filter((g) => g.properties.parentId === s.properties.id);
      expect(mine.length).toBeGreaterThan(0);
      const seqs = mine.map((g) => g.properties.seq!).sort((a, b) => a - b);
      expect(seqs).toEqual(mine.map((_, i) => i + 1));
      for (const g of mine)
        expect(g.properties.id).toBe(`${s.properties.id}-g${String(g.properties.seq).padStart(3, '0')}`);
    }
  });

  it('gives every grid its 城运, 警务 and 综治 grid within its own street, and an estimated population summing to the district’s', () => {
    const members = new Map<string, Set<string>>();
    for (const g of grids) {
      const o = g.properties.overlays!;
      expect(Object.keys(o).sort()).toEqual(['chengyun', 'jingwu', 'zongzhi']);
      for (const [kind, id] of Object.entries(o)) {
        const streetsOf = members.get(`${kind}|${id}`) ?? new Set();
        members.set(`${kind}|${id}`, streetsOf.add(g.properties.parentId!));
      }
      expect(g.properties.overlayNames?.zongzhi).toBeTruthy();
    }
    // no overlay grid crosses a street line, and each kind groups the grids (fewer overlay grids than grids)
    expect([...members.values()].every((s) => s.size === 1)).toBe(true);
    for (const kind of ['chengyun', 'jingwu', 'zongzhi']) {
      const n = [...members.keys()].filter((k) => k.startsWith(`${kind}|`)).length;
      expect(n, kind).toBeLessThan(grids.length / 2);
      expect(n, kind).toBeGreaterThanOrEqual(12);
    }
    // 综治 grids named after the residents' committees (居委) where the street has their points
    expect(grids.some((g) => /居委会$/.test(g.properties.overlayNames!.zongzhi!))).toBe(true);
    const total = grids.reduce((n, g) => n + g.properties.population!, 0);
    expect(Math.abs(total - 1_242_548)).toBeLessThan(grids.length);
  });

  it('has no street smaller than 1 km²', () => {
    for (const s of streets) expect(area(s), s.properties.name).toBeGreaterThan(1e6);
  });

  it("sums each street's grid areas to the street area (±0.5%)", () => {
    for (const s of streets) {
      const sum = grids.filter((g) => g.properties.parentId === s.properties.id).reduce((t, g) => t + area(g), 0);
      expect(Math.abs(sum - area(s)) / area(s), s.properties.name).toBeLessThan(0.005);
    }
  });

  it('has no two overlapping grids (pairwise intersection < 1 m²)', () => {
    const boxes = grids.map((g) => turf.bbox(g));
    let checked = 0;
    const bad: string[] = [];
    for (let i = 0; i < grids.length; i++)
      for (let j = i + 1; j < grids.length; j++) {
        if (!overlaps(boxes[i]!, boxes[j]!)) continue;
        checked++;
        const a = intersectArea(grids[i]!, grids[j]!);
        if (a >= 1) bad.push(`${grids[i]!.properties.id} ∩ ${grids[j]!.properties.id} = ${a.toFixed(2)} m²`);
      }
    expect(checked).toBeGreaterThan(grids.length); // the bbox filter did find neighbours
    expect(bad).toEqual([]);
  });

  it('covers the district with the union of streets (±0.5%)', () => {
    const district = districts[0]!;
    const union = turf.union(turf.featureCollection(streets))!;
    const covered = turf.intersect(turf.featureCollection([union, district]))!;
    expect(area(covered) / area(district)).toBeGreaterThan(0.995);
    expect(area(union) / area(district)).toBeLessThan(1.005);
  });

  it("places every grid's point-on-feature inside its parent street", () => {
    const outside: string[] = [];
    for (const g of grids) {
      const p = turf.pointOnFeature(g);
      const street = byId.get(g.properties.parentId!)!;
      if (turf.booleanPointInPolygon(p, street)) continue;
      // pointOnFeature falls back to a boundary vertex for concave shapes;
      // accept it if it is on the street's edge (coordinates are rounded to ~0.1 m).
      const edges = turf.flatten(turf.polygonToLine(street) as Feature).features;
      const d = Math.min(...edges.map((e) => turf.pointToLineDistance(p, e as never, { units: 'meters' })));
      if (d > 0.2) outside.push(`${g.properties.id} (${d.toFixed(1)} m away)`);
    }
    expect(outside).toEqual([]);
  });
});

// ---------------------------------------------------------------- validator

const square = (x: number, y: number, s = 0.01): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
});
const feat = (props: Record<string, unknown>, geometry: unknown = square(121.5, 31.3)) => ({
  type: 'Feature',
  properties: props,
  geometry,
});
const validFc = () => ({
  type: 'FeatureCollection',
  features: [
    feat({ id: 'D', level: 'district', parentId: null, name: '杨浦区' }),
    feat({ id: 'S1', level: 'street', parentId: 'D', name: '一街道', nameEn: 'Street One' }),
    feat({ id: 'S2', level: 'street', parentId: 'D', name: '二街道', approximate: true }),
    feat({ id: 'S1-g1', level: 'grid', parentId: 'S1', name: '网格1', seq: 2 }),
    feat({ id: 'S1-g2', level: 'grid', parentId: 'S1', name: '网格2' }),
    feat({ id: 310110, level: 'grid', parentId: 'S2', name: '网格3' }, {
      type: 'MultiPolygon',
      coordinates: [square(121.5, 31.3).coordinates, square(121.6, 31.3).coordinates],
    }),
  ],
});

describe('validateAreas', () => {
  it('accepts a valid hierarchy and fills in defaults', () => {
    const r = validateAreas(validFc());
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toEqual({ city: 0, district: 1, street: 2, grid: 3 });
    const [d, s1, s2, g1, g2, g3] = r.areas!.features.map((f) => f.properties);
    expect(d).toEqual({ id: 'D', level: 'district', parentId: null, name: '杨浦区', nameEn: '杨浦区', approximate: false });
    expect(s1!.nameEn).toBe('Street One');
    expect(s2!.approximate).toBe(true);
    expect(g1!.seq).toBe(2);
    expect(g2!.seq).toBe(1); // first free number in its street
    expect(g3).toMatchObject({ id: '310110', seq: 1 });
  });

  it('accepts a city root above the district', () => {
    const fc = validFc();
    fc.features[0]!.properties.parentId = 'C';
    fc.features.unshift(feat({ id: 'C', level: 'city', parentId: null, name: '上海市' }));
    expect(validateAreas(fc).errors).toEqual([]);
  });

  const failsNaming = (fc: unknown, ...parts: string[]) => {
    const r = validateAreas(fc);
    expect(r.ok).toBe(false);
    expect(r.areas).toBeNull();
    const text = r.errors.join('\n');
    for (const p of parts) expect(text).toContain(p);
    return r.errors;
  };

  it('rejects an unknown parent', () => {
    const fc = validFc();
    fc.features[4]!.properties.parentId = 'NOPE';
    failsNaming(fc, 'feature[4] (id "S1-g2")', 'parentId "NOPE" does not exist');
  });

  it('rejects a duplicate id', () => {
    const fc = validFc();
    fc.features[2]!.properties.id = 'S1';
    failsNaming(fc, 'feature[2] (id "S1")', 'duplicate id', 'feature[1]');
  });

  it('rejects a bad level', () => {
    const fc = validFc();
    fc.features[1]!.properties.level = 'town';
    failsNaming(fc, 'feature[1] (id "S1")', 'level', '"town"');
  });

  it('rejects a grid directly under the district', () => {
    const fc = validFc();
    fc.features[3]!.properties.parentId = 'D';
    failsNaming(fc, 'feature[3] (id "S1-g1")', "a grid's parent must be a street", 'is a district');
  });

  it('rejects missing fields, bad geometry, two roots and a non-FeatureCollection', () => {
    const fc = validFc();
    delete fc.features[1]!.properties.name;
    fc.features[2]!.geometry = { type: 'Point', coordinates: [121.5, 31.3] };
    failsNaming(fc, 'feature[1] (id "S1"): properties.name', 'feature[2] (id "S2"): geometry type must be Polygon or MultiPolygon');

    const open = validFc();
    open.features[1]!.geometry = { type: 'Polygon', coordinates: [[[121.5, 31.3], [121.6, 31.3], [121.6, 31.4], [121.5, 31.4]]] };
    failsNaming(open, 'feature[1] (id "S1")', 'not closed');

    const roots = validFc();
    roots.features[1]!.properties.parentId = null;
    failsNaming(roots, '2 roots', 'feature[1] (id "S1")', 'a street cannot be the root');

    failsNaming({ type: 'Feature' }, 'not a GeoJSON FeatureCollection');
  });

  it('accepts a grid’s 多格合一 attributes, and refuses bad ones or ones on a street, naming each', () => {
    const fc = validFc();
    Object.assign(fc.features[3]!.properties, {
      overlays: { chengyun: 'C-01', jingwu: 'J-7', zongzhi: '310110001009' },
      overlayNames: { zongzhi: '白洋淀居委会' },
      zoneType: 'urbanised',
      focus: '商圈',
      population: 5120,
    });
    const r = validateAreas(fc);
    expect(r.errors).toEqual([]);
    expect(r.areas!.features[3]!.properties).toMatchObject({ overlays: { chengyun: 'C-01', jingwu: 'J-7', zongzhi: '310110001009' }, zoneType: 'urbanised', focus: '商圈', population: 5120 });
    expect(r.areas!.features[4]!.properties.overlays).toBeUndefined();

    const bad = validFc();
    Object.assign(bad.features[3]!.properties, { overlays: { chengyun: 'a b', police: 'x' }, zoneType: 'suburb', population: -3 });
    Object.assign(bad.features[1]!.properties, { population: 100 });
    failsNaming(
      bad,
      'feature[3] (id "S1-g1"): properties.overlays.chengyun',
      'feature[3] (id "S1-g1"): properties.overlays',
      'police',
      'feature[3] (id "S1-g1"): properties.zoneType',
      'feature[3] (id "S1-g1"): properties.population',
      'feature[1] (id "S1"): population belong to grids only',
    );
  });

  it('rejects a repeated grid seq within a street', () => {
    const fc = validFc();
    fc.features[4]!.properties.seq = 2;
    failsNaming(fc, 'feature[4] (id "S1-g2")', 'seq 2 is already used');
  });
});
