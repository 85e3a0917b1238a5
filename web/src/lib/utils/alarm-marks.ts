/**
 * @module web/utils/alarm-marks
 * Pure helpers that turn the live alarms into what the wall marks: tiles, map areas, the alarm
 * panel's lines, and the health score (体征指数) of the area shown and of its children. No I/O and
 * no clock: callers pass the time.
 */
import {
  ALARM_SEVERITY_RANK,
  healthScore,
  type Alarm,
  type AlarmSeverity,
  type AreaLevel,
  type HealthIndicator,
  type HealthScore,
  type IndicatorValue,
} from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

/** How a tile is marked while alarms of its indicator are active. */
export interface TileAlarmMark {
  /** the worst severity among the active alarms of the indicator */
  severity: AlarmSeverity;
  /** every active alarm of the indicator is a silence alarm (数据中断) */
  silent: boolean;
  /** a silence alarm is among them */
  interrupted: boolean;
  /** only forecast alarms (预计超标) */
  forecast: boolean;
  count: number;
}

/** `isBelow(a, b)`: area `a` lies (strictly) below area `b`. */
export type IsBelow = (childId: string, areaId: string) => boolean;

/** An `isBelow` from a child → parent map (areas of the catalog). */
export function belowFrom(parentOf: ReadonlyMap<string, string | null | undefined>): IsBelow {
  return (childId, areaId) => {
    let p = parentOf.get(childId);
    for (let guard = 0; p && guard < 8; guard++) {
      if (p === areaId) return true;
      p = parentOf.get(p);
    }
    return false;
  };
}

const worse = (a: AlarmSeverity, b: AlarmSeverity): AlarmSeverity => (ALARM_SEVERITY_RANK[a] >= ALARM_SEVERITY_RANK[b] ? a : b);

/** Tile marks per indicator id, from the active alarms of `areaId` and below it. */
export function tileMarks(alarms: readonly Alarm[], areaId: string, isBelow: IsBelow): Map<string, TileAlarmMark> {
  const out = new Map<string, TileAlarmMark>();
  for (const a of alarms) {
    if (a.state === 'cleared') continue;
    if (a.areaId !== areaId && !isBelow(a.areaId, areaId)) continue;
    const silent = a.kind === 'silence';
    const forecast = a.kind === 'forecast';
    const m = out.get(a.indicatorId);
    if (!m) out.set(a.indicatorId, { severity: a.severity, silent, interrupted: silent, forecast, count: 1 });
    else {
      m.severity = worse(m.severity, a.severity);
      m.silent &&= silent;
      m.interrupted ||= silent;
      m.forecast &&= forecast;
      m.count += 1;
    }
  }
  return out;
}

/** 1 warn · 2 alarm: what the map paints an area's outline with. */
export type AreaAlarmLevel = 1 | 2;

/**
 * Alarm level per area of `areaIds`: an area is marked while an alarm is active in it or in an
 * area below it (a street with an alarm in one of its grids).
 */
export function areaAlarmLevels(alarms: readonly Alarm[], areaIds: Iterable<string>, isBelow: IsBelow): Map<string, AreaAlarmLevel> {
  const out = new Map<string, AreaAlarmLevel>();
  const active = alarms.filter((a) => a.state !== 'cleared');
  if (active.length === 0) return out;
  for (const id of areaIds) {
    let level = 0;
    for (const a of active) {
      if (a.areaId === id || isBelow(a.areaId, id)) level = Math.max(level, ALARM_SEVERITY_RANK[a.severity]);
      if (level === 2) break;
    }
    if (level > 0) out.set(id, level as AreaAlarmLevel);
  }
  return out;
}

export interface AreaRef {
  id: string;
  level: AreaLevel;
}

/**
 * The health score of each area: from the registry's weights, the areas' own values (with the
 * status the wall shows) and the active alarms. Cheap: a few dozen indicators × alarms per area.
 */
export function healthScores(
  areas: readonly AreaRef[],
  definitions: readonly HealthIndicator[],
  values: readonly IndicatorValue[],
  alarms: readonly Alarm[],
  isBelow: IsBelow,
): Map<string, HealthScore> {
  const byArea = new Map<string, IndicatorValue[]>();
  for (const v of values) {
    const list = byArea.get(v.areaId);
    if (list) list.push(v);
    else byArea.set(v.areaId, [v]);
  }
  const out = new Map<string, HealthScore>();
  for (const a of areas) {
    const mine = alarms.filter((x) => x.areaId === a.id || isBelow(x.areaId, a.id));
    out.set(a.id, healthScore(a.id, a.level, definitions, byArea.get(a.id) ?? [], mine, isBelow));
  }
  return out;
}
