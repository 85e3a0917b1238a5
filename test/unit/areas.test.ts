import { booleanPointInPolygon, point } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { AreaTree } from '../../server/domain/areas.ts';
import { Rng } from '../../server/simulator/rng.ts';
import { shippedData } from '../helpers/server.ts';

describe('AreaTree on the shipped Yangpu data', () => {
  const data = shippedData();
  const tree = new AreaTree(data.areas);

  it('should list an area and every area below it, and nothing for an unknown id', () => {
    const streets = data.areas.features.filter((f) => f.properties.level === 'street');
    const grids = data.areas.features.filter((f) => f.properties.level === 'grid');
    expect(tree.subtree(tree.districtId)).toHaveLength(1 + streets.length + grids.length);
    const street = streets[0]!.properties.id;
    const below = tree.subtree(street);
    expect(below[0]).toBe(street);
    expect(new Set(below.slice(1))).toEqual(new Set(grids.filter((g) => g.properties.parentId === street).map((g) => g.properties.id)));
    expect(tree.subtree('constructor')).toEqual([]);
  });

  it('should place points exactly as a scan of every grid would', () => {
    const grids = data.areas.features.filter((f) => f.properties.level === 'grid');
    const [x0, y0, x1, y1] = tree.get(tree.districtId)!.bbox;
    const rng = new Rng(11);
    let inside = 0;
    for (let i = 0; i < 1500; i++) {
      const lng = x0 + (x1 - x0) * rng.next();
      const lat = y0 + (y1 - y0) * rng.next();
      const brute = grids.find((g) => booleanPointInPolygon(point([lng, lat]), g.geometry as never));
      expect(tree.locate(lng, lat)?.id).toBe(brute?.properties.id);
      if (brute) inside++;
    }
    expect(inside).toBeGreaterThan(300);
  });

  it('should root Yangpu under Shanghai with 12 streets', () => {
    expect(tree.rootId).toBe('310000');
    expect(tree.districtId).toBe('310110');
    expect(tree.children('310110')).toHaveLength(12);
  });
});
