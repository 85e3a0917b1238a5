/**
 * The layers' pure parts (server/domain/layers.ts): the streets a road runs through (exactly, not
 * by its vertices), a phone's mask, a building found only in the case's own grid, and a kept layer
 * back in the shape an import takes.
 */
import { describe, expect, it } from 'vitest';
import { AreaTree } from '../../server/domain/areas.ts';
import { importFormOf, LayerIndex, maskPhone, readBuildings, readRoads } from '../../server/domain/layers.ts';
import { shippedData } from '../helpers/server.ts';

const tree = new AreaTree(shippedData().areas);

describe('layers', () => {
  it('should find every street a straight road crosses, also one between its two vertices', () => {
    const r = readRoads({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[121.5629, 31.2883], [121.523, 31.261]] }, properties: { name: '斜路', class: 'branch' } }] }, tree);
    expect(r.ok).toBe(true);
    const streets = r.ok ? r.features[0]!.properties.streetIds : [];
    expect(streets).toContain('310110018000');
    expect(streets.length).toBeGreaterThanOrEqual(3);
    // back in an import's shape: the derived streets left out, and read again alike
    const form = importFormOf('roads', r.ok ? r.features : []);
    expect(form.features[0]).toEqual({ type: 'Feature', geometry: { type: 'LineString', coordinates: [[121.5629, 31.2883], [121.523, 31.261]] }, properties: { id: '斜路-1', roadId: '斜路', name: '斜路', class: 'branch', approximate: false } });
    expect(readRoads(form as never, tree)).toEqual(r);
  });

  it('should hide a phone’s middle, keeping less of a short one', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('021-6512 3456')).toBe('021****3456');
    expect(maskPhone('65123456')).toBe('65****56');
    expect(maskPhone('6512345')).toBe('65****45');
    expect(maskPhone('12345')).toBe('****');
  });

  it('should place a case at a building of its own grid only', () => {
    const b = readBuildings({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [121.5063, 31.2962] }, properties: { id: 'b', name: '楼' } }] }, tree);
    expect(b.ok).toBe(true);
    const index = new LayerIndex([], [], b.ok ? b.features : []);
    const grid = tree.locate(121.5063, 31.2962)!.id;
    expect(index.buildingAt(121.50635, 31.2962, grid)).toBe('b');
    expect(index.buildingAt(121.50635, 31.2962, 'another-grid')).toBeNull();
    expect(index.buildingAt(121.5063, 31.2975, grid)).toBeNull(); // 140 m away
  });
});
