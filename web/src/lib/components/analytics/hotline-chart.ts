/**
 * @module web/components/analytics/hotline-chart
 * The ECharts option of the 12345 page's hourly chart: the period as a solid line, the same
 * hours one week earlier as a dashed one. Pure (types only from ECharts), so testable without a
 * canvas; the tooltip escapes everything it shows.
 */
import type { HotlineAnalysis } from '../../../../../shared/index.ts';
import { escapeHtml } from '../../utils/escape.ts';
import { formatTime, localParts } from '../../utils/format.ts';
import { at } from '../../utils/analytics-i18n.ts';
import { labelByDay } from '../../utils/analytics.ts';
import type { Lang } from '../../utils/i18n.ts';
import { PALETTE } from '../../utils/status.ts';
import type { WallChartOption } from '../charts/echarts.ts';

const FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";
const pad = (n: number) => String(n).padStart(2, '0');

/** An hour's label in the centre's zone: `14:00`, or `11-23 14:00` over longer periods. */
export function hourLabel(iso: string, withDay: boolean, tz?: string): string {
  const p = localParts(iso, tz);
  return withDay ? `${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:00` : `${pad(p.hour)}:00`;
}

export function hotlineHourlyOption(a: Pick<HotlineAnalysis, 'hourly' | 'from' | 'to'>, lang: Lang, fontPx = 16, tz?: string): WallChartOption {
  const withDay = labelByDay(Date.parse(a.from), Date.parse(a.to));
  const labels = a.hourly.map((h) => hourLabel(h.at, withDay || a.hourly.length > 24, tz));
  const period = at(lang, 'volume');
  const baseline = at(lang, 'baseline');
  const axisLabel = { color: PALETTE.textDim, fontSize: fontPx, fontFamily: FONT_FAMILY };
  return {
    backgroundColor: 'transparent',
    animationDuration: 300,
    textStyle: { color: PALETTE.textDim, fontSize: fontPx, fontFamily: FONT_FAMILY },
    tooltip: {
      trigger: 'axis',
      confine: true,
      backgroundColor: 'rgba(6, 16, 32, 0.96)',
      borderColor: PALETTE.accent,
      textStyle: { color: PALETTE.text, fontSize: fontPx, fontFamily: FONT_FAMILY },
      formatter: (raw: unknown) => {
        const ps = (Array.isArray(raw) ? raw : [raw]) as { dataIndex?: number; seriesId?: string; seriesName?: string; value?: unknown }[];
        const i = ps[0]?.dataIndex ?? 0;
        const h = a.hourly[i];
        const head = h ? `${formatTime(h.at, false, tz)}${labels[i] && withDay ? ` (${labels[i]})` : ''}` : '';
        const lines = ps.map((p) => `<div><span style="color:${p.seriesId === 'baseline' ? PALETTE.yesterday : PALETTE.today}">●</span> ${escapeHtml(p.seriesName ?? '')} <b>${escapeHtml(String(p.value ?? '—'))}</b></div>`);
        return `<div>${escapeHtml(head)}</div>${lines.join('')}`;
      },
    },
    legend: { top: 0, right: 0, textStyle: { color: PALETTE.text, fontSize: fontPx, fontFamily: FONT_FAMILY }, data: [period, baseline] },
    grid: { left: 8, right: 16, top: fontPx * 2.4, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { ...axisLabel, hideOverlap: true }, axisTick: { show: false }, axisLine: { lineStyle: { color: 'rgba(120, 160, 210, 0.35)' } } },
    yAxis: { type: 'value', minInterval: 1, axisLabel, splitLine: { lineStyle: { color: 'rgba(120, 160, 210, 0.14)' } } },
    series: [
      { id: 'period', name: period, type: 'line', data: a.hourly.map((h) => h.count), symbol: 'none', smooth: false, lineStyle: { width: 3, color: PALETTE.today }, itemStyle: { color: PALETTE.today }, areaStyle: { color: 'rgba(56, 214, 255, 0.12)' } },
      { id: 'baseline', name: baseline, type: 'line', data: a.hourly.map((h) => h.baseline), symbol: 'none', smooth: false, lineStyle: { width: 2, type: 'dashed', color: PALETTE.yesterday }, itemStyle: { color: PALETTE.yesterday } },
    ],
  };
}
