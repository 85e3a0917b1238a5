import { describe, expect, it } from 'vitest';
import { trendOption } from '../../web/src/lib/components/charts/chart-options.ts';
import { forecastCrossingText } from '../../web/src/lib/utils/i18n.ts';

const H = 3_600_000;
const now = Date.parse('2026-11-22T10:30:00+08:00');
const series: [number, number][] = [[now - 2 * H, 40], [now - 600_000, 50]];
const points = [1, 2, 3].map((k) => ({ at: now - (now % H) + k * H, value: 50 + k, lower: 45 + k, upper: 60 + k }));
type S = { id: string; data: [number, number][]; endLabel?: { show: boolean } };
const byId = (o: ReturnType<typeof trendOption>, id: string) => (o.series as S[]).find((s) => s.id === id)!;
const call = (f: unknown, p: unknown) => (f as (p: unknown) => string)(p);

describe('trendOption with a forecast', () => {
  it('should draw a dashed line from the last real point and a band of the interval', () => {
    const o = trendOption({ series, warn: 75, alarm: 115, nowMs: now, lang: 'zh', scale: 1, decimals: 0, forecast: { points } });
    expect(byId(o, 'forecast').data).toEqual([[now - 600_000, 50], ...points.map((p) => [p.at, p.value])]);
    expect(byId(o, 'forecast-lower').data).toEqual(points.map((p) => [p.at, p.lower]));
    expect(byId(o, 'forecast-band').data).toEqual(points.map((p) => [p.at, p.upper - p.lower]));
    expect(byId(o, 'forecast').endLabel!.show).toBe(true);
    expect((o.xAxis as { max: number }).max).toBe(points[2]!.at);
  });

  it('should keep the forecast series, empty, when there is none (so an update removes an old one)', () => {
    for (const forecast of [undefined, null, { points: [] }]) {
      const o = trendOption({ series, warn: 75, alarm: 115, nowMs: now, lang: 'zh', scale: 1, decimals: 0, forecast });
      for (const id of ['forecast', 'forecast-lower', 'forecast-band']) expect(byId(o, id).data).toEqual([]);
      expect((o.xAxis as { max: number }).max).toBe(now);
    }
  });

  it('should drop forecast hours that are not after the last real point', () => {
    const o = trendOption({ series: [[points[1]!.at + 1, 3]], warn: 75, alarm: 115, nowMs: points[1]!.at + 2, lang: 'en', scale: 1, decimals: 0, forecast: { points } });
    expect(byId(o, 'forecast-band').data).toHaveLength(1);
  });

  it('should show the forecast and its interval in the tooltip', () => {
    const o = trendOption({ series, warn: 75, alarm: 115, nowMs: now, lang: 'en', scale: 1, decimals: 0, forecast: { points } });
    const html = call((o.tooltip as { formatter: unknown }).formatter, [{ seriesId: 'forecast', value: [points[0]!.at, 51] }]);
    expect(html).toContain('forecast');
    expect(html).toContain('51 (46–61)');
  });
});

describe('forecastCrossingText', () => {
  it('should say when the forecast exceeds or warns', () => {
    expect(forecastCrossingText('zh', 'alarm', 3)).toBe('预计 3 小时后超标');
    expect(forecastCrossingText('en', 'alarm', 3)).toBe('forecast to exceed in 3 h');
    expect(forecastCrossingText('zh', 'warn', 0.2)).toBe('预计 1 小时后达预警');
  });
});
