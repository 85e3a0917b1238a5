/**
 * @module web/utils/analytics
 * Pure helpers of the 12345 analysis page and panel: the periods the picker offers (in the
 * centre's zone), the API addresses, and how changes, rates and heat are shown.
 */
import { HOTLINE_MAX_SPAN_DAYS } from '../../../../shared/index.ts';
import { DAY_MS, HOUR_MS, startOfZonedDay } from './time-zone.ts';
import type { Lang } from './i18n.ts';

export type AnalyticsPeriod = 'today' | '24h' | '7d' | '30d' | 'custom';
export const PRESET_PERIODS = ['today', '24h', '7d', '30d'] as const;

/**
 * The [from, to) of a preset period ending now, on whole minutes (so screens asking within the
 * same minute ask alike): today from the local midnight in `tz`; the others a rolling span.
 */
export function presetRange(period: (typeof PRESET_PERIODS)[number], nowMs: number, tz: string): { from: number; to: number } {
  const to = Math.ceil((nowMs + 1) / 60_000) * 60_000;
  if (period === 'today') return { from: startOfZonedDay(nowMs, tz), to };
  const span = period === '24h' ? DAY_MS : period === '7d' ? 7 * DAY_MS : 30 * DAY_MS;
  return { from: to - span, to };
}

/** A range the server accepts: from 2000 on, to after from, at most {@link HOTLINE_MAX_SPAN_DAYS} days. */
export function validRange(r: { from: number; to: number } | null): r is { from: number; to: number } {
  return !!r && Number.isFinite(r.from) && Number.isFinite(r.to) && r.from >= Date.UTC(2000, 0, 1) && r.to > r.from && r.to - r.from <= HOTLINE_MAX_SPAN_DAYS * DAY_MS;
}

/** The query string of an analysis request. */
export function hotlineQuery(areaId: string, from: number, to: number): string {
  const p = new URLSearchParams({ areaId, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  return p.toString();
}
export const hotlineUrl = (areaId: string, from: number, to: number) => `/api/v1/analytics/hotline?${hotlineQuery(areaId, from, to)}`;
export const hotlineCsvUrl = (areaId: string, from: number, to: number) => `/api/v1/analytics/hotline.csv?${hotlineQuery(areaId, from, to)}`;

/** A signed change: `+3`, `−2`, `0` (a real minus sign, legible from afar). */
export function formatChange(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0';
}

/** A change as a percentage, or `新增`/`new` when the baseline was empty and something came. */
export function formatChangePct(pct: number | null, change: number, lang: Lang): string {
  if (pct === null) return change > 0 ? (lang === 'zh' ? '新增' : 'new') : '—';
  const v = Math.round(pct * 100);
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)}%`;
}

/** A rate 0–1 as a percentage with one decimal, or `—` when there is none (never 0 or 100 for "nothing"). */
export function formatRate(r: number | null): string {
  return r === null ? '—' : `${(r * 100).toFixed(1)}%`;
}

/** Mean satisfaction 1–5, or `—`. */
export function formatSatisfaction(s: number | null): string {
  return s === null ? '—' : s.toFixed(2);
}

/** Which way a change points: up, down or flat. */
export const trendOf = (change: number): 'up' | 'down' | 'flat' => (change > 0 ? 'up' : change < 0 ? 'down' : 'flat');

/** Heat colour ramp for grid counts (dark blue → amber → red). */
export const HEAT_COLOURS = ['#0b1d33', '#1f5f8b', '#1f8fb8', '#19b394', '#f0a020', '#ff4d4f'] as const;

/** The heat step (0–5) of a grid's count against the busiest grid: 0 for none, 1–5 in fifths. */
export function heatStep(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(5, Math.max(1, Math.ceil((count / max) * 5)));
}

/** Whether the hourly series is long enough to label by day rather than by hour. */
export const labelByDay = (from: number, to: number) => to - from > 2 * DAY_MS;
export { HOUR_MS };
