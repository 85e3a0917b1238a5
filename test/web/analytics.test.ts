import { describe, expect, it } from 'vitest';
import { hotlineHourlyOption, hourLabel } from '../../web/src/lib/components/analytics/hotline-chart.ts';
import {
  formatChange,
  formatChangePct,
  formatRate,
  formatSatisfaction,
  heatStep,
  hotlineCsvUrl,
  hotlineUrl,
  presetRange,
  validRange,
} from '../../web/src/lib/utils/analytics.ts';

const H = 3_600_000;
const DAY = 24 * H;
const TZ = 'Asia/Shanghai';

describe('presetRange', () => {
  const now = Date.parse('2026-11-23T09:30:20+08:00');
  it('should start today at the local midnight of the centre and end at the next whole minute', () => {
    expect(presetRange('today', now, TZ)).toEqual({ from: Date.parse('2026-11-23T00:00:00+08:00'), to: Date.parse('2026-11-23T09:31:00+08:00') });
    expect(presetRange('today', now, 'Europe/Berlin').from).toBe(Date.parse('2026-11-23T00:00:00+01:00'));
  });
  it('should roll 24 hours, 7 and 30 days back from there', () => {
    for (const [p, span] of [['24h', DAY], ['7d', 7 * DAY], ['30d', 30 * DAY]] as const) {
      const r = presetRange(p, now, TZ);
      expect(r.to - r.from).toBe(span);
    }
  });
});

describe('validRange', () => {
  it('should accept what the server accepts and nothing else', () => {
    const y2k = Date.UTC(2000, 0, 1);
    expect(validRange({ from: y2k, to: y2k + 1 })).toBe(true);
    expect(validRange({ from: y2k, to: y2k + 92 * DAY })).toBe(true);
    expect(validRange({ from: y2k, to: y2k + 92 * DAY + 1 })).toBe(false);
    expect(validRange({ from: y2k - 1, to: y2k + DAY })).toBe(false);
    expect(validRange({ from: y2k + 1, to: y2k + 1 })).toBe(false);
    expect(validRange({ from: NaN, to: 1 })).toBe(false);
    expect(validRange(null)).toBe(false);
  });
});

describe('addresses and formatting', () => {
  it('should build the query with the area and ISO times', () => {
    const from = Date.parse('2026-11-23T00:00:00Z');
    expect(hotlineUrl('310110', from, from + H)).toBe('/api/v1/analytics/hotline?areaId=310110&from=2026-11-23T00%3A00%3A00.000Z&to=2026-11-23T01%3A00%3A00.000Z');
    expect(hotlineCsvUrl('310110', from, from + H)).toMatch(/^\/api\/v1\/analytics\/hotline\.csv\?areaId=310110&/);
  });
  it('should sign changes, call an empty baseline new, and show missing rates as a dash, never 0 or 100 %', () => {
    expect([formatChange(3), formatChange(-2), formatChange(0)]).toEqual(['+3', '−2', '0']);
    expect(formatChangePct(0.5, 2, 'zh')).toBe('+50%');
    expect(formatChangePct(-0.25, -1, 'en')).toBe('−25%');
    expect(formatChangePct(null, 3, 'zh')).toBe('新增');
    expect(formatChangePct(null, 0, 'en')).toBe('—');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0.5)).toBe('50.0%');
    expect(formatSatisfaction(null)).toBe('—');
    expect(formatSatisfaction(4.25)).toBe('4.25');
  });
  it('should grade heat in fifths of the busiest grid', () => {
    expect([0, 1, 2, 5, 10].map((n) => heatStep(n, 10))).toEqual([0, 1, 1, 3, 5]);
    expect(heatStep(3, 0)).toBe(0);
  });
});

describe('the hourly chart', () => {
  const from = Date.parse('2026-11-23T00:00:00+08:00');
  const a = {
    from: new Date(from).toISOString(),
    to: new Date(from + 3 * H).toISOString(),
    hourly: [0, 1, 2].map((i) => ({ at: new Date(from + i * H).toISOString(), count: i, baseline: 2 - i })),
  };
  it('should draw the period and last week as two lines over local hours', () => {
    const o = hotlineHourlyOption(a, 'zh', 16, TZ) as { series: { id: string; data: number[]; lineStyle: { type?: string } }[]; xAxis: { data: string[] } };
    expect(o.series.map((s) => [s.id, s.data])).toEqual([['period', [0, 1, 2]], ['baseline', [2, 1, 0]]]);
    expect(o.series[1]!.lineStyle.type).toBe('dashed');
    expect(o.xAxis.data).toEqual(['00:00', '01:00', '02:00']);
  });
  it('should label by day and hour over longer periods', () => {
    expect(hourLabel(new Date(from + 14 * H).toISOString(), true, TZ)).toBe('11-23 14:00');
  });
  it('should escape what its tooltip shows', () => {
    const o = hotlineHourlyOption(a, 'en', 16, TZ) as { tooltip: { formatter: (p: unknown) => string } };
    const html = o.tooltip.formatter([{ dataIndex: 1, seriesId: 'period', seriesName: '<img src=x onerror=alert(1)>', value: 1 }]);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
  });
});
