/**
 * @module shared/health-score
 * 体征指数: one number, 0–100, for how an area is doing, from its indicators' states and its active
 * alarms, weighted by the registry (`weight` of each indicator, default 1). Pure, so the wall
 * computes it live from what its snapshot and deltas already carry, and tests recompute it.
 *
 * Each indicator shown for the area's level loses a share of its weight:
 * - its own value: alarm 1, warn ½, stale ¼ (no data: not counted at all);
 * - an active alarm of that indicator in the area itself: alarm 1, warn ½; in an area below it:
 *   half that; a silence alarm (数据中断): ¼.
 * The indicator's loss is the largest of these. Score = 100 × (1 − Σ weight × loss ÷ Σ weight).
 */
import type { Alarm } from './schemas/alarm.ts';
import type { IndicatorDefinition, IndicatorValue } from './schemas/indicator.ts';
import type { AreaLevel } from './schemas/area.ts';

/** what the score needs of a registry entry: its levels and its weight (default 1) */
export type HealthIndicator = Pick<IndicatorDefinition, 'id' | 'levels'> & { weight?: number };

export interface HealthDrag {
  indicatorId: string;
  /** 0–1: how much of the indicator's weight it lost */
  loss: number;
  /** points of the 100 this indicator takes off */
  points: number;
  why: 'alarm' | 'warn' | 'stale' | 'silent';
}

export interface HealthScore {
  areaId: string;
  /** null when no indicator of the area has data */
  score: number | null;
  /** the indicators that pull the score down, the heaviest first */
  drags: HealthDrag[];
}

const STATUS_LOSS: Partial<Record<IndicatorValue['status'], [number, HealthDrag['why']]>> = {
  alarm: [1, 'alarm'],
  warn: [0.5, 'warn'],
  stale: [0.25, 'stale'],
};

/**
 * The score of one area. `isBelow(a, b)`: area `a` lies below area `b` (the caller's area tree).
 */
export function healthScore(
  areaId: string,
  level: AreaLevel,
  definitions: readonly HealthIndicator[],
  values: readonly IndicatorValue[],
  alarms: readonly Pick<Alarm, 'indicatorId' | 'areaId' | 'severity' | 'kind' | 'state'>[],
  isBelow: (childId: string, areaId: string) => boolean,
): HealthScore {
  const own = new Map<string, IndicatorValue>();
  for (const v of values) if (v.areaId === areaId) own.set(v.indicatorId, v);
  let total = 0;
  let lost = 0;
  const drags: HealthDrag[] = [];
  for (const d of definitions) {
    if (!d.levels.includes(level)) continue;
    const w = d.weight ?? 1;
    if (w <= 0) continue;
    const v = own.get(d.id);
    let loss = 0;
    let why: HealthDrag['why'] = 'warn';
    const counted = v !== undefined && v.status !== 'nodata';
    if (counted) {
      const s = STATUS_LOSS[v.status];
      if (s) [loss, why] = s;
    }
    let alarmed = false;
    for (const a of alarms) {
      if (a.indicatorId !== d.id || a.state === 'cleared') continue;
      const here = a.areaId === areaId;
      if (!here && !isBelow(a.areaId, areaId)) continue;
      alarmed = true;
      const l = a.kind === 'silence' ? 0.25 : (a.severity === 'alarm' ? 1 : 0.5) * (here ? 1 : 0.5);
      if (l > loss) [loss, why] = [l, a.kind === 'silence' ? 'silent' : a.severity];
    }
    if (!counted && !alarmed) continue;
    total += w;
    lost += w * loss;
    if (loss > 0) drags.push({ indicatorId: d.id, loss, points: w * loss, why });
  }
  if (total === 0) return { areaId, score: null, drags: [] };
  for (const x of drags) x.points = Math.round((100 * x.points) / total * 10) / 10;
  drags.sort((a, b) => b.points - a.points || a.indicatorId.localeCompare(b.indicatorId));
  return { areaId, score: Math.round(100 * (1 - lost / total)), drags };
}
