import { describe, expect, it } from 'vitest';
import { DisplayConfigSave, type AreaFeature } from '../../shared/index.ts';
import { clampDuration, cycleSeconds, moveRow, newRow, rowsOf, saveBody, sceneAreas } from '../../web/src/lib/utils/scene-editor.ts';

const area = (id: string, level: AreaFeature['properties']['level'], parentId: string | null): AreaFeature =>
  ({ type: 'Feature', properties: { id, name: id, nameEn: id, level, parentId }, geometry: { type: 'Polygon', coordinates: [] } }) as unknown as AreaFeature;
const AREAS = [
  area('310110', 'district', '310000'),
  area('WJC', 'street', '310110'),
  area('WJC-g1', 'grid', 'WJC'),
  area('DHL', 'street', '310110'),
  area('DHL-g1', 'grid', 'DHL'),
];
const ids = (a: AreaFeature[]) => a.map((x) => x.properties.id);

describe('sceneAreas', () => {
  it('should offer streets for a street scene and streets and grids for a key area, within the display’s area only', () => {
    expect(ids(sceneAreas(AREAS, '310110', 'street'))).toEqual(['WJC', 'DHL']);
    expect(ids(sceneAreas(AREAS, '310110', 'area'))).toEqual(['WJC', 'WJC-g1', 'DHL', 'DHL-g1']);
    expect(ids(sceneAreas(AREAS, 'WJC', 'area'))).toEqual(['WJC', 'WJC-g1']);
    expect(ids(sceneAreas(AREAS, 'WJC', 'street'))).toEqual(['WJC']);
    expect(sceneAreas(AREAS, '310110', 'alarms')).toEqual([]);
  });
});

describe('the playlist rows', () => {
  it('should make a body the server’s schema accepts: areaId only on street and area scenes', () => {
    const rows = [newRow('overview', []), newRow('street', sceneAreas(AREAS, 'WJC', 'street')), { ...newRow('alarms', []), areaId: 'WJC' }];
    expect(rows[1]!.areaId).toBe('WJC');
    const body = saveBody(rows, '5760x1080');
    expect(body).toEqual({ layout: '5760x1080', scenes: [{ kind: 'overview', durationSec: 30 }, { kind: 'street', areaId: 'WJC', durationSec: 30 }, { kind: 'alarms', durationSec: 30 }] });
    expect(DisplayConfigSave.safeParse(body).success).toBe(true);
    expect(rowsOf(body.scenes)).toEqual([{ kind: 'overview', areaId: '', durationSec: 30 }, { kind: 'street', areaId: 'WJC', durationSec: 30 }, { kind: 'alarms', areaId: '', durationSec: 30 }]);
    expect(cycleSeconds(rows)).toBe(90);
  });

  it('should move rows up and down and leave them at either end', () => {
    expect(moveRow(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveRow(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveRow(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveRow(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('should keep a typed duration within 10–3600 s', () => {
    expect(clampDuration(5)).toBe(10);
    expect(clampDuration(99_999)).toBe(3600);
    expect(clampDuration(12.6)).toBe(13);
    expect(clampDuration(Number.NaN)).toBe(30);
  });
});
