/**
 * 多格合一 on the map: the colouring of the overlay grids (one colour per overlay grid, neighbours
 * apart) and the lines of a grid's detail, on the shipped grids and on a small hand-made map.
 */
import { describe, expect, it } from 'vitest';
import type { AreaFeature } from '../../shared/index.ts';
import { OVERLAY_PALETTE, overlayColours, overlayLines } from '../../web/src/lib/utils/grid-overlays.ts';
import { shippedData } from '../helpers/server.ts';

const square = (x: number, y: number): AreaFeature['geometry'] => ({ type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] });
const grid = (id: string, x: number, y: number, zongzhi?: string): AreaFeature => ({
  type: 'Feature',
  properties: { id, level: 'grid', parentId: 'S', name: id, nameEn: id, approximate: false, ...(zongzhi ? { overlays: { zongzhi }, overlayNames: { zongzhi: `${zongzhi}居委会` } } : {}) },
  geometry: square(x, y),
});

describe('overlay colours', () => {
  it('should give an overlay grid one colour and touching ones different colours, leaving out grids in none', () => {
    // a row: A A B C C, and a grid in no overlay grid
    const grids = [grid('g1', 0, 0, 'A'), grid('g2', 1, 0, 'A'), grid('g3', 2, 0, 'B'), grid('g4', 3, 0, 'C'), grid('g5', 4, 0, 'C'), grid('g6', 9, 9)];
    const c = overlayColours(grids, 'zongzhi');
    expect(c.has('g6')).toBe(false);
    expect(c.get('g1')).toBe(c.get('g2'));
    expect(c.get('g4')).toBe(c.get('g5'));
    expect(c.get('g2')).not.toBe(c.get('g3'));
    expect(c.get('g3')).not.toBe(c.get('g4'));
    expect(overlayColours(grids, 'jingwu').size).toBe(0);
  });

  it('should colour the shipped district with no two touching overlay grids alike, the same on every screen', () => {
    const grids = shippedData().areas.features.filter((f) => f.properties.level === 'grid');
    for (const kind of ['chengyun', 'jingwu', 'zongzhi'] as const) {
      const c = overlayColours(grids, kind);
      expect(c.size).toBe(grids.length);
      expect(Math.max(...c.values())).toBeLessThan(OVERLAY_PALETTE.length);
      expect(overlayColours(grids, kind)).toEqual(c);
      // grids sharing an edge (a vertex in common, not a corner only) in different overlay grids differ in colour
      const vertices = (g: AreaFeature) => new Set((g.geometry.type === 'Polygon' ? [g.geometry.coordinates] : g.geometry.coordinates).flat(2).map((p) => `${p[0]},${p[1]}`));
      const vs = grids.map(vertices);
      let clashes = 0;
      for (let i = 0; i < grids.length; i++) {
        for (let j = i + 1; j < grids.length; j++) {
          const a = grids[i]!.properties;
          const b = grids[j]!.properties;
          if (a.overlays![kind] === b.overlays![kind]) continue;
          let shared = 0;
          for (const v of vs[i]!) if (vs[j]!.has(v)) shared++;
          if (shared >= 2 && c.get(a.id) === c.get(b.id)) clashes++;
        }
      }
      expect(clashes, kind).toBe(0);
    }
  });

  it('should name a grid’s overlays by their names, else their ids', () => {
    const g = grid('g1', 0, 0, 'A');
    g.properties.overlays = { ...g.properties.overlays, jingwu: 'J-1' };
    expect(overlayLines(g.properties, 'zh')).toEqual([
      { kind: 'jingwu', label: '警务网格', value: 'J-1' },
      { kind: 'zongzhi', label: '综治网格', value: 'A居委会' },
    ]);
  });
});
