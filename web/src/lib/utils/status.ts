/**
 * @module web/utils/status
 * Pure rules for how the wall colours things: indicator status against the definition's
 * thresholds (per area level), event severity, and the graded open-event load of an area.
 */
import type { AreaLevel, IndicatorDefinition, IndicatorStatus, IndicatorValue, Severity } from '../../../../shared/index.ts';

export interface Thresholds {
  direction: 'above' | 'below';
  warn: number;
  alarm: number;
}

/** The thresholds of `def` for an area level: `levelThresholds[level]` overrides `thresholds`. */
export function thresholdsFor(def: IndicatorDefinition, level: AreaLevel): Thresholds {
  const override = def.levelThresholds?.[level];
  return {
    direction: def.thresholds.direction,
    warn: override?.warn ?? def.thresholds.warn,
    alarm: override?.alarm ?? def.thresholds.alarm,
  };
}

/** normal / warn / alarm of a value against thresholds (`above`: value ≥ limit is bad). */
export function evaluate(th: Thresholds, value: number): 'normal' | 'warn' | 'alarm' {
  if (th.direction === 'above') {
    if (value >= th.alarm) return 'alarm';
    if (value >= th.warn) return 'warn';
  } else {
    if (value <= th.alarm) return 'alarm';
    if (value <= th.warn) return 'warn';
  }
  return 'normal';
}

/**
 * The status a tile shows. Staleness is judged here too, against the wall's clock, because a
 * value can go stale without the server sending anything.
 */
export function indicatorStatus(
  def: IndicatorDefinition,
  level: AreaLevel,
  v: IndicatorValue | undefined,
  nowMs: number,
): IndicatorStatus {
  if (!v || v.value === null || !Number.isFinite(v.value)) return 'nodata';
  if (v.status === 'stale') return 'stale';
  // a derived value is the server's own count, sent only when it changes: its time says when it
  // last changed, not that a source went silent (see indicatorAge in data-age.ts)
  if (v.at && def.source !== 'derived') {
    const at = Date.parse(v.at);
    if (Number.isFinite(at) && nowMs - at > def.staleAfterSec * 1000) return 'stale';
  }
  return evaluate(thresholdsFor(def, level), v.value);
}

/** One palette for the whole wall, so a colour means the same thing in every panel. */
export const PALETTE = {
  bg: '#050b16',
  panel: '#0a1628',
  panelEdge: '#1b3556',
  text: '#e6f0ff',
  textDim: '#8aa4c4',
  accent: '#38d6ff',
  normal: '#2fd38a',
  warn: '#ffb020',
  alarm: '#ff4d4f',
  stale: '#66768c',
  nodata: '#4a5a70',
  today: '#38d6ff',
  yesterday: '#7b8ba3',
} as const;

export const STATUS_COLOURS: Record<IndicatorStatus, string> = {
  normal: PALETTE.normal,
  warn: PALETTE.warn,
  alarm: PALETTE.alarm,
  stale: PALETTE.stale,
  nodata: PALETTE.nodata,
};

export const SEVERITY_COLOURS: Record<Severity, string> = {
  low: '#4cc9f0',
  medium: '#ffd23f',
  high: '#ff8c1a',
  critical: '#ff3b5c',
};

/** Fill colours of the load grades 0 (no open events) … 4 (at or beyond the alarm threshold). */
export const LOAD_COLOURS = ['#10243d', '#114a63', '#12806f', '#c98a12', '#c2303d'] as const;
export type LoadGrade = 0 | 1 | 2 | 3 | 4;

/**
 * Grades an open-event count against the `open_events` thresholds of the area's level:
 * 0 none · 1 under half of warn · 2 under warn · 3 under alarm · 4 alarm.
 */
export function loadGrade(count: number, th: Pick<Thresholds, 'warn' | 'alarm'>): LoadGrade {
  if (!(count > 0)) return 0;
  if (count >= th.alarm) return 4;
  if (count >= th.warn) return 3;
  if (count >= th.warn / 2) return 2;
  return 1;
}
