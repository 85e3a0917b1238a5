/**
 * @module web/state/wall-view
 * The shapes the wall's view-model hands its panels (types only): an indicator tile, a child
 * area's health score, a street label on the map.
 */
import type { HealthScore, IndicatorDefinition, IndicatorStatus, IndicatorValue, SeriesPoint } from '../../../../shared/index.ts';
import type { TileAlarmMark } from '../utils/alarm-marks.ts';
import type { DataAge } from '../utils/data-age.ts';
import type { LngLat } from '../utils/geo.ts';
import type { LoadGrade } from '../utils/status.ts';

/** One indicator tile of the area shown. */
export interface TileModel {
  def: IndicatorDefinition;
  value: IndicatorValue | undefined;
  status: IndicatorStatus;
  trend: readonly SeriesPoint[];
  /** active alarms of the indicator for the area shown (or below it) */
  alarm?: TileAlarmMark;
  /** how old the value is, and why it is stale */
  age?: DataAge;
}

/** A child area's health score (体征指数), under the area's own. */
export interface ChildScore {
  id: string;
  name: string;
  score: HealthScore;
}

/** A street's label on the map. */
export interface StreetLabel {
  id: string;
  name: string;
  point: LngLat;
  /** open events, or null where unknown (streets outside the drilled-into one) */
  count: number | null;
  grade: LoadGrade;
}
