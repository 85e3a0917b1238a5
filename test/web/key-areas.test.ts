/**
 * 重点区域 and 路长制 on the wall: the key-area board's rows (drills left out, the busiest first) and
 * what a case's detail says of its road, 路长 and key areas; the wall reads the server's answer
 * (a 路长's phone masked) with the shared schema.
 */
import { describe, expect, it } from 'vitest';
import { RoadCollection, type GridEvent, type KeyArea, type RoadSegment } from '../../shared/index.ts';
import { casePlace, keyAreaRows } from '../../web/src/lib/utils/key-areas.ts';

const area = (id: string, name: string, factor = 0.5): KeyArea => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
  properties: { id, name, nameEn: `${name} (en)`, factor, focus: null, approximate: true, streetIds: ['S'] },
});
const road: RoadSegment = {
  type: 'Feature',
  geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
  properties: { id: 'r-1', roadId: 'r', name: '翔殷路', class: 'arterial', chief: { name: '王某', unit: '五角场街道', phone: '139****0004' }, approximate: true, streetIds: ['S'] },
};
const NOW = Date.parse('2026-12-03T10:00:00Z');
const ev = (keyAreaIds: string[], over: Partial<GridEvent> = {}) =>
  ({ keyAreaIds, drill: false, severity: 'medium', dueAt: new Date(NOW + 60_000).toISOString(), roadId: null, limitFactor: 0.5, ...over }) as GridEvent;

describe('key-area board', () => {
  it('should count each area’s open, overdue and severe cases, drills left out, the busiest first', () => {
    const rows = keyAreaRows([area('a', '大学路'), area('b', '五角场商圈'), area('c', '杨浦滨江', 0.75)], [
      ev(['b']),
      ev(['b', 'a'], { dueAt: new Date(NOW - 1).toISOString(), severity: 'critical' }),
      ev(['b'], { drill: true }),
      ev(['x']),
    ], NOW);
    expect(rows.map((r) => [r.id, r.open, r.overdue, r.severe])).toEqual([['b', 2, 1, 1], ['a', 1, 1, 1], ['c', 0, 0, 0]]);
  });

  it('should name a case’s road, 路长 and key areas, and its tightening', () => {
    expect(casePlace(ev(['a', 'gone'], { roadId: 'r' }), [road], [area('a', '大学路')], 'zh')).toEqual({
      road: { name: '翔殷路', chief: road.properties.chief },
      keyAreas: ['大学路', 'gone'],
      factor: 0.5,
    });
    expect(casePlace(ev([], { limitFactor: 1 }), [road], [], 'en')).toEqual({ road: null, keyAreas: [], factor: null });
  });

  it('should read the server’s roads, a 路长’s phone masked', () => {
    expect(RoadCollection.safeParse({ type: 'FeatureCollection', version: 0, features: [road] }).success).toBe(true);
  });
});
