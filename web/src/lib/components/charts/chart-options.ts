/**
 * @module web/components/charts/chart-options
 * Pure builders of the wall's ECharts options (dark theme, fonts scaled with the wall). Types
 * only from ECharts, so these are testable without a canvas.
 */
import type { SeriesPoint } from '../../../../../shared/index.ts';
import { formatTime, HOUR_MS } from '../../utils/format.ts';
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

export interface HourlyInput {
  today: readonly number[];
  yesterday: readonly number[];
  /** hour of day now (Shanghai); later hours of today are left empty */
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
}

/** Open events per child area as horizontal bars, largest on top. Each data item carries its `id`. */
export function areaBarsOption(rows: readonly AreaBarRow[], scale: number): WallChartOption {
  const b = base(scale);
  const sorted = [...rows].sort((p, q) => q.count - p.count || p.name.localeCompare(q.name));
  return {
    backgroundColor: b.backgroundColor,
    animationDuration: b.animationDuration,
    animationDurationUpdate: b.animationDurationUpdate,
    textStyle: b.textStyle,
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
          itemStyle: { color: BAR_COLOURS[r.grade], borderRadius: [0, 3 * scale, 3 * scale, 0] },
        })),
      },
    ],
  };
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
}

/** A 24-hour line with the warn and alarm thresholds drawn as dashed lines. */
export function trendOption(i: TrendInput): WallChartOption {
  const b = base(i.scale);
  const start = i.nowMs - 24 * HOUR_MS;
  const data = i.series.filter((p) => p[0] >= start).map((p) => [p[0], p[1]]);
  const peak = data.reduce((m, p) => Math.max(m, p[1] as number), 0);
  return {
    backgroundColor: b.backgroundColor,
    animationDuration: b.animationDuration,
    animationDurationUpdate: b.animationDurationUpdate,
    textStyle: b.textStyle,
    grid: { left: 8 * i.scale, right: 16 * i.scale, top: 16 * i.scale, bottom: 4 * i.scale, containLabel: true },
    xAxis: {
      type: 'time',
      min: start,
      max: i.nowMs,
      splitNumber: 4,
      axisLabel: { ...b.axisLabel, formatter: (v: number) => formatTime(v, false), hideOverlap: true },
      axisLine: b.axisLine,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: (v: { max: number }) => Math.ceil(Math.max(v.max, i.warn * 1.1, peak) / 10) * 10,
      axisLabel: b.axisLabel,
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
          label: { color: PALETTE.textDim, fontSize: Math.round(16 * i.scale), position: 'insideEndTop', fontFamily: FONT_FAMILY },
          data: [
            { yAxis: i.warn, lineStyle: { color: PALETTE.warn, type: 'dashed', width: 1.5 * i.scale } },
            { yAxis: i.alarm, lineStyle: { color: PALETTE.alarm, type: 'dashed', width: 1.5 * i.scale } },
          ],
        },
      },
    ],
  };
}
