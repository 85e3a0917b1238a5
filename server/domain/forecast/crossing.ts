/**
 * @module server/domain/forecast/crossing
 * When a forecast reaches a threshold: the early warning 「预计 N 小时后超标」. Pure.
 */
import type { AreaLevel, IndicatorDefinition } from '../../../shared/index.ts';
import { statusOf } from '../indicators.ts';

export interface Crossing {
  level: 'warn' | 'alarm';
  /** epoch ms of the first forecast hour at that level */
  at: number;
}

/**
 * The first forecast hour whose point forecast is at or beyond the area level's alarm threshold
 * (the same test as {@link statusOf}, so `levelThresholds` and the direction apply); if none
 * reaches the alarm level, the first one at or beyond the warn threshold; else null.
 */
export function firstCrossing(def: IndicatorDefinition, level: AreaLevel, points: readonly { at: number; value: number }[]): Crossing | null {
  const alarm = firstAtOrBeyond(def, level, points, 'alarm');
  if (alarm) return { level: 'alarm', at: alarm.at };
  const warn = firstAtOrBeyond(def, level, points, 'warn');
  return warn ? { level: 'warn', at: warn.at } : null;
}

/**
 * The first forecast point at or beyond the area level's `which` threshold (a point at the alarm
 * level is beyond the warn one too), or null: what a forecast rule waits for.
 */
export function firstAtOrBeyond<P extends { value: number }>(def: IndicatorDefinition, level: AreaLevel, points: readonly P[], which: 'warn' | 'alarm'): P | null {
  for (const p of points) {
    const s = statusOf(def, level, p.value);
    if (s === 'alarm' || s === which) return p;
  }
  return null;
}
