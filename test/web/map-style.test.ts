import { describe, expect, it } from 'vitest';
import { ALARM_PULSE, ATTRIBUTION, EMPTY, LAYERS, alarmOpacity, baseStyle, layers, scaledPaint, sources } from '../../web/src/lib/components/map/map-style.ts';
import { areaBarsOption, hourlyOption, trendOption } from '../../web/src/lib/components/charts/chart-options.ts';

const data = { basemap: EMPTY, city: EMPTY, context: EMPTY, district: EMPTY, streets: EMPTY, grids: EMPTY };

describe('map style', () => {
  it('should load nothing from elsewhere: no glyphs, sprites, tiles or URLs', () => {
    const style = { ...baseStyle(), sources: sources(data), layers: layers(1) };
    expect(style).not.toHaveProperty('glyphs');
    expect(style).not.toHaveProperty('sprite');
    for (const src of Object.values(style.sources)) {
      expect(src.type).toBe('geojson');
      expect(src).not.toHaveProperty('url');
      expect(src).not.toHaveProperty('tiles');
    }
    expect(JSON.stringify(style)).not.toMatch(/https?:/);
  });

  it('should draw no text with symbol layers', () => {
    expect(layers(1).filter((l) => l.type === 'symbol')).toEqual([]);
  });

  it('should keep the layers the wall and its tests query', () => {
    const ids = layers(1).map((l) => l.id);
    for (const id of [LAYERS.streetsFill, LAYERS.events, LAYERS.districtLine, LAYERS.gridsFill]) expect(ids).toContain(id);
    expect(ids.indexOf(LAYERS.events)).toBeGreaterThan(ids.indexOf(LAYERS.streetsFill));
  });

  it('should outline streets and grids with an alarm above their fills and the events, and nothing without one', () => {
    const ls = layers(1);
    const ids = ls.map((l) => l.id);
    expect(ids.indexOf(LAYERS.streetsAlarm)).toBeGreaterThan(ids.indexOf(LAYERS.streetsLine));
    // over the event dots, which would hide a thin outline on a busy street
    expect(ids.indexOf(LAYERS.streetsAlarm)).toBeGreaterThan(ids.indexOf(LAYERS.events));
    expect(ids.indexOf(LAYERS.gridsAlarm)).toBeGreaterThan(ids.indexOf(LAYERS.gridsFill));
    const street = ls.find((l) => l.id === LAYERS.streetsAlarm) as { paint: Record<string, unknown> };
    // feature-state alarm 0 → invisible; 1 warn, 2 alarm → drawn
    expect(street.paint['line-opacity']).toEqual(alarmOpacity(ALARM_PULSE[0]));
    expect(alarmOpacity(0.5)).toEqual(['match', ['coalesce', ['feature-state', 'alarm'], 0], 0, 0, 0.5]);
    const at2 = new Map(scaledPaint(2).map(([l, p, v]) => [`${l}.${p}`, v]));
    expect(at2.get(`${LAYERS.streetsAlarm}.line-width`)).toBe(14);
    expect(ids.indexOf(LAYERS.streetsAlarmCore)).toBe(ids.indexOf(LAYERS.streetsAlarm) + 1);
  });

  it('should scale line widths and radii with the wall', () => {
    const at1 = new Map(scaledPaint(1).map(([l, p, v]) => [`${l}.${p}`, v]));
    const at2 = new Map(scaledPaint(2).map(([l, p, v]) => [`${l}.${p}`, v]));
    expect(at2.get(`${LAYERS.districtLine}.line-width`)).toBe(2 * (at1.get(`${LAYERS.districtLine}.line-width`) as number));
  });

  it('should credit the data sources and say the boundaries are approximate', () => {
    const text = ATTRIBUTION.join(' ');
    expect(text).toContain('Vonng/adcode');
    expect(text).toContain('OpenStreetMap');
    expect(text).toContain('Natural Earth');
    expect(text).toContain('近似');
  });
});

describe('chart options', () => {
  it('should leave the hours after now empty in the hourly chart', () => {
    const o = hourlyOption({ today: new Array(24).fill(2), yesterday: new Array(24).fill(1), currentHour: 9, lang: 'en', scale: 1 });
    const series = o.series as { data: (number | null)[] }[];
    expect(series[0]!.data[9]).toBe(2);
    expect(series[0]!.data[10]).toBeNull();
    expect(series[1]!.data).toHaveLength(24);
  });

  it('should sort area bars largest first and keep their ids', () => {
    const o = areaBarsOption(
      [
        { id: 'a', name: 'A', count: 1, grade: 1 },
        { id: 'b', name: 'B', count: 5, grade: 3 },
      ],
      1,
    );
    expect((o.yAxis as { data: string[] }).data).toEqual(['B', 'A']);
    expect((o.series as { data: { id: string }[] }[])[0]!.data.map((d) => d.id)).toEqual(['b', 'a']);
  });

  it('should draw only the last 24 hours of a trend, with both thresholds', () => {
    const now = Date.parse('2026-11-22T10:00:00+08:00');
    const o = trendOption({ series: [[now - 30 * 3_600_000, 1], [now - 3_600_000, 40]], warn: 75, alarm: 115, nowMs: now, lang: 'zh', scale: 1, decimals: 0 });
    const s = (o.series as { data: number[][]; markLine: { data: { yAxis: number }[] } }[])[0]!;
    expect(s.data).toEqual([[now - 3_600_000, 40]]);
    expect(s.markLine.data.map((d) => d.yAxis)).toEqual([75, 115]);
  });

  it('should scale fonts with the wall', () => {
    const at = (scale: number) => (hourlyOption({ today: [], yesterday: [], currentHour: 0, lang: 'zh', scale }).textStyle as { fontSize: number }).fontSize;
    expect(at(2)).toBe(2 * at(1));
    expect(at(1)).toBeGreaterThanOrEqual(18);
  });
});
