/**
 * @module web/components/charts/chart-options
 * Pure builders of the wall's ECharts options (dark theme, fonts scaled with the wall). Types
 * only from ECharts, so these are testable without a canvas.
 *
 * ECharts renders tooltips as HTML. Every tooltip here has its own `formatter` that escapes every
 * piece of data it shows (area names, event titles, numbers), so untrusted text stays text.
 */
import type { SeriesPoint } from '../../../../../shared/index.ts';
import { escapeHtml } from '../../utils/escape.ts';
import { formatTime, formatValue, HOUR_MS } from '../../utils/format.ts';
import { t, type Lang } from '../../utils/i18n.ts';
import { PALETTE, type LoadGrade } from '../../utils/status.ts';
import type { WallChartOption } from './echarts.ts';

/** Bar colours per load grade: the map's fill ramp, brightened for a bar on a dark panel. */
export const BAR_COLOURS: Record<LoadGrade, string> = {
  0: '#2a4a6b',
  1: '#1f8fb8',
  2: '#19b394',
  3: '#f0a020',
  4: '#ff4d4f',
};

const FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

function base(scale: number) {
  const fs = Math.round(18 * scale);
  return {
    backgroundColor: 'transparent',
    animationDuration: 400,
    animationDurationUpdate: 400,
    textStyle: { color: PALETTE.textDim, fontSize: fs, fontFamily: FONT_FAMILY },
    axisLabel: { color: PALETTE.textDim, fontSize: fs, fontFamily: FONT_FAMILY },
    splitLine: { lineStyle: { color: 'rgba(120, 160, 210, 0.14)' } },
    axisLine: { lineStyle: { color: 'rgba(120, 160, 210, 0.35)' } },
    fs,
  };
}

/** A tooltip parameter as ECharts passes it (the fields the formatters read). */
interface TipParam {
  name?: string;
  seriesName?: string;
  seriesId?: string;
  value?: unknown;
  axisValue?: unknown;
  data?: unknown;
}
const asParams = (p: unknown): TipParam[] => (Array.isArray(p) ? (p as TipParam[]) : p ? [p as TipParam] : []);

/** Longest text shown per line in a tooltip (event titles can be long). */
const TIP_TEXT_MAX = 120;
const clip = (s: string) => (s.length > TIP_TEXT_MAX ? `${s.slice(0, TIP_TEXT_MAX - 1)}…` : s);

/**
 * The shared tooltip look. `className` carries the language so a language switch changes the
 * option even though the formatter (a function) is not compared.
 */
function tooltipBase(scale: number, lang: Lang, trigger: 'axis' | 'item') {
  return {
    trigger,
    renderMode: 'html' as const,
    confine: true,
    enterable: false,
    transitionDuration: 0,
    className: `wall-tooltip lang-${lang}`,
    extraCssText: `max-width: ${Math.round(420 * scale)}px; white-space: normal; overflow-wrap: anywhere;`,
    backgroundColor: 'rgba(6, 16, 32, 0.96)',
    borderColor: PALETTE.accent,
    borderWidth: 1,
    padding: [6 * scale, 10 * scale],
    textStyle: { color: PALETTE.text, fontSize: Math.round(17 * scale), fontFamily: FONT_FAMILY },
    ...(trigger === 'axis' ? { axisPointer: { type: 'shadow' as const, shadowStyle: { color: 'rgba(56, 214, 255, 0.08)' } } } : {}),
  };
}

/** One `colour dot + label: value` line, escaped. */
function tipLine(colour: string, label: string, value: string): string {
  return `<div><span style="color:${escapeHtml(colour)}">●</span> ${escapeHtml(label)} <b>${escapeHtml(value)}</b></div>`;
}

export interface HourlyInput {
  today: readonly number[];
  yesterday: readonly number[];
  /** local hour of day now (the centre's zone); later hours of today are left empty */
  currentHour: number;
  lang: Lang;
  scale: number;
}

/** Events per hour: today as bars, yesterday as a dashed line. */
export function hourlyOption(i: HourlyInput): WallChartOption {
  const b = base(i.scale);
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  const today = hours.map((_, h) => (h <= i.currentHour ? (i.today[h] ?? 0) : null));
  return {
    backgroundColor: b.backgroundColor,
    animationDuration: b.animationDuration,
    animationDurationUpdate: b.animationDurationUpdate,
    textStyle: b.textStyle,
    tooltip: {
      ...tooltipBase(i.scale, i.lang, 'axis'),
      formatter: (raw: unknown) => {
        const ps = asParams(raw);
        const hour = String(ps[0]?.axisValue ?? ps[0]?.name ?? '');
        const lines = ps.map((p) =>
          tipLine(p.seriesId === 'yesterday' ? PALETTE.yesterday : PALETTE.today, String(p.seriesName ?? ''), p.value === null || p.value === undefined ? '—' : formatValue(Number(p.value), 0, i.lang)),
        );
        return `<div>${escapeHtml(hour)}${escapeHtml(t(i.lang, 'hourSuffix'))}</div>${lines.join('')}`;
      },
    },
    grid: { left: 8 * i.scale, right: 12 * i.scale, top: 40 * i.scale, bottom: 4 * i.scale, containLabel: true },
    legend: {
      top: 0,
      right: 0,
      itemWidth: 22 * i.scale,
      itemHeight: 12 * i.scale,
      itemGap: 20 * i.scale,
      textStyle: { color: PALETTE.text, fontSize: b.fs, fontFamily: FONT_FAMILY },
      data: [t(i.lang, 'today'), t(i.lang, 'yesterday')],
    },
    xAxis: {
      type: 'category',
      data: hours,
      axisLabel: { ...b.axisLabel, interval: 2 },
      axisLine: b.axisLine,
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: b.axisLabel,
      splitLine: b.splitLine,
    },
    series: [
      {
        id: 'today',
        name: t(i.lang, 'today'),
        type: 'bar',
        data: today,
        barWidth: '60%',
        itemStyle: {
          borderRadius: [3 * i.scale, 3 * i.scale, 0, 0],
          color: {
            type: 'linear', x: 0, y: 0, x2: 0, y2: 1,
            colorStops: [{ offset: 0, color: PALETTE.today }, { offset: 1, color: 'rgba(56, 214, 255, 0.25)' }],
          },
        },
      },
      {
        id: 'yesterday',
        name: t(i.lang, 'yesterday'),
        type: 'line',
        data: [...i.yesterday],
        smooth: true,
        symbol: 'none',
        lineStyle: { color: PALETTE.yesterday, width: 2.5 * i.scale, type: 'dashed' },
        itemStyle: { color: PALETTE.yesterday },
      },
    ],
  };
}

export interface AreaBarRow {
  id: string;
  name: string;
  count: number;
  grade: LoadGrade;
  /** titles of the area's newest open events, newest first (untrusted text) */
  latest?: readonly string[];
}

/** The HTML of an area bar's tooltip: name, open count, newest titles, all escaped. */
export function areaTooltipHtml(name: string, count: number, latest: readonly string[], lang: Lang): string {
  const head = `<div style="font-weight:700">${escapeHtml(name)}</div>`;
  const open = tipLine(PALETTE.accent, t(lang, 'openEvents'), formatValue(count, 0, lang));
  if (latest.length === 0) return head + open;
  const items = latest.map((title) => `<div>· ${escapeHtml(clip(title))}</div>`).join('');
  return `${head}${open}<div style="margin-top:4px;color:${PALETTE.textDim}">${escapeHtml(t(lang, 'latestCases'))}</div>${items}`;
}

/**
 * Open events per child area as horizontal bars, largest on top. Each data item carries its `id`
 * (for drill-down) and its newest titles (for the tooltip).
 */
export function areaBarsOption(rows: readonly AreaBarRow[], scale: number, lang: Lang = 'zh'): WallChartOption {
  const b = base(scale);
  const sorted = [...rows].sort((p, q) => q.count - p.count || p.name.localeCompare(q.name));
  return {
    backgroundColor: b.backgroundColor,
    animationDuration: b.animationDuration,
    animationDurationUpdate: b.animationDurationUpdate,
    textStyle: b.textStyle,
    tooltip: {
      ...tooltipBase(scale, lang, 'item'),
      formatter: (raw: unknown) => {
        const p = asParams(raw)[0];
        const data = (p?.data ?? {}) as { value?: unknown; latest?: unknown };
        const latest = Array.isArray(data.latest) ? data.latest.filter((x): x is string => typeof x === 'string') : [];
        return areaTooltipHtml(String(p?.name ?? ''), Number(data.value ?? p?.value ?? 0), latest, lang);
      },
    },
    grid: { left: 4 * scale, right: 48 * scale, top: 4 * scale, bottom: 4 * scale, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, show: false, max: (v: { max: number }) => Math.max(1, v.max) },
    yAxis: {
      type: 'category',
      inverse: true,
      data: sorted.map((r) => r.name),
      axisLabel: { ...b.axisLabel, color: PALETTE.text, fontSize: b.fs, interval: 0 },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        id: 'areas',
        type: 'bar',
        barWidth: '62%',
        cursor: 'pointer',
        showBackground: true,
        backgroundStyle: { color: 'rgba(120, 160, 210, 0.07)' },
        label: {
          show: true,
          position: 'right',
          color: PALETTE.text,
          fontSize: b.fs,
          fontFamily: FONT_FAMILY,
          fontWeight: 'bold',
        },
        data: sorted.map((r) => ({
          value: r.count,
          id: r.id,
          latest: [...(r.latest ?? [])],
          itemStyle: { color: BAR_COLOURS[r.grade], borderRadius: [0, 3 * scale, 3 * scale, 0] },
        })),
      },
    ],
  };
}

/** A forecast to draw after the last real point: hourly values with their interval. */
export interface TrendForecast {
  points: readonly { at: number; value: number; lower: number; upper: number }[];
}

export interface TrendInput {
  series: readonly SeriesPoint[];
  warn: number;
  alarm: number;
  /** end of the 24-hour window (server time) */
  nowMs: number;
  lang: Lang;
  scale: number;
  decimals: number;
  /** drawn as a dashed line with a shaded interval band, extending the time axis (none: nothing drawn) */
  forecast?: TrendForecast | null;
}

export const FORECAST_COLOUR = '#c9a0ff';

/**
 * A 24-hour line with the warn and alarm thresholds drawn as dashed lines and, when there is
 * one, the forecast after it: a dashed line from the last real point and its interval as a band
 * (a transparent lower series with the band's width stacked on it). The forecast series are
 * always present (empty without a forecast), so a merge-mode update removes an old forecast.
 */
export function trendOption(i: TrendInput): WallChartOption {
  const b = base(i.scale);
  const start = i.nowMs - 24 * HOUR_MS;
  const data = i.series.filter((p) => p[0] >= start).map((p) => [p[0], p[1]]);
  const fc = (i.forecast?.points ?? []).filter((p) => p.at > (data.length ? (data[data.length - 1]![0] as number) : start));
  const last = data[data.length - 1];
  const forecastLine = fc.length ? [...(last ? [[last[0], last[1]]] : []), ...fc.map((p) => [p.at, p.value])] : [];
  const band = fc.map((p) => [p.at, p.upper - p.lower]);
  const bandBase = fc.map((p) => [p.at, p.lower]);
  const end = fc.length ? Math.max(i.nowMs, fc[fc.length - 1]!.at) : i.nowMs;
  const peak = Math.max(data.reduce((m, p) => Math.max(m, p[1] as number), 0), fc.reduce((m, p) => Math.max(m, p.upper), 0));
  const byAt = new Map(fc.map((p) => [p.at, p]));
  const forecastLabel = t(i.lang, 'forecastLabel');
  return {
    backgroundColor: b.backgroundColor,
    animationDuration: b.animationDuration,
    animationDurationUpdate: b.animationDurationUpdate,
    textStyle: b.textStyle,
    tooltip: {
      ...tooltipBase(i.scale, i.lang, 'axis'),
      axisPointer: { type: 'line', lineStyle: { color: 'rgba(56, 214, 255, 0.5)' } },
      formatter: (raw: unknown) => {
        const ps = asParams(raw);
        const real = ps.find((p) => p.seriesId === 'trend');
        const pred = ps.find((p) => p.seriesId === 'forecast');
        const p = real ?? pred ?? ps[0];
        const v = Array.isArray(p?.value) ? (p.value as unknown[]) : [];
        const at = typeof v[0] === 'number' ? v[0] : null;
        const lines = [`<div>${escapeHtml(at !== null ? formatTime(at, false) : '')}</div>`];
        if (p && p !== pred) lines.push(tipLine(PALETTE.accent, 'PM2.5', formatValue(typeof v[1] === 'number' ? v[1] : null, i.decimals, i.lang)));
        const f = at !== null ? byAt.get(at) : undefined;
        if (f) {
          const range = `${formatValue(f.lower, i.decimals, i.lang)}–${formatValue(f.upper, i.decimals, i.lang)}`;
          lines.push(tipLine(FORECAST_COLOUR, forecastLabel, `${formatValue(f.value, i.decimals, i.lang)} (${range})`));
        }
        return lines.join('');
      },
    },
    // with a forecast: room on the right for its label and above for the wall's 预测 / 预计超标 tags
    grid: { left: 8 * i.scale, right: (fc.length ? 64 : 16) * i.scale, top: (fc.length ? 40 : 16) * i.scale, bottom: 4 * i.scale, containLabel: true },
    xAxis: {
      type: 'time',
      min: start,
      max: end,
      splitNumber: 4,
      axisLabel: { ...b.axisLabel, formatter: (v: number) => formatTime(v, false), hideOverlap: true },
      axisLine: b.axisLine,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: (v: { max: number }) => Math.ceil(Math.max(v.max, i.warn * 1.1, peak) / 10) * 10,
      // a rounded-up top is rarely on an interval: its label would sit on the last tick's
      axisLabel: { ...b.axisLabel, hideOverlap: true, showMaxLabel: false },
      splitLine: b.splitLine,
    },
    series: [
      {
        id: 'trend',
        type: 'line',
        data,
        smooth: true,
        symbol: 'none',
        lineStyle: { color: PALETTE.accent, width: 3 * i.scale },
        areaStyle: {
          color: {
            type: 'linear', x: 0, y: 0, x2: 0, y2: 1,
            colorStops: [{ offset: 0, color: 'rgba(56, 214, 255, 0.35)' }, { offset: 1, color: 'rgba(56, 214, 255, 0.02)' }],
          },
        },
        markLine: {
          silent: true,
          symbol: 'none',
          label: { color: PALETTE.textDim, fontSize: Math.round(17 * i.scale), position: 'insideEndTop', fontFamily: FONT_FAMILY },
          data: [
            { yAxis: i.warn, lineStyle: { color: PALETTE.warn, type: 'dashed', width: 1.5 * i.scale } },
            { yAxis: i.alarm, lineStyle: { color: PALETTE.alarm, type: 'dashed', width: 1.5 * i.scale } },
          ],
        },
      },
      {
        id: 'forecast-lower',
        type: 'line',
        data: bandBase,
        stack: 'forecast-band',
        symbol: 'none',
        silent: true,
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
      },
      {
        id: 'forecast-band',
        type: 'line',
        data: band,
        stack: 'forecast-band',
        symbol: 'none',
        silent: true,
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(201, 160, 255, 0.22)' },
        tooltip: { show: false },
      },
      {
        id: 'forecast',
        name: forecastLabel,
        type: 'line',
        data: forecastLine,
        symbol: 'none',
        lineStyle: { color: FORECAST_COLOUR, width: 3 * i.scale, type: 'dashed' },
        endLabel: { show: fc.length > 0, formatter: forecastLabel, color: FORECAST_COLOUR, fontSize: Math.round(18 * i.scale), fontFamily: FONT_FAMILY, fontWeight: 'bold' },
      },
    ],
  };
}
