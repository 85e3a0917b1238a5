/**
 * @module server/stores/columns
 * Column names and SQL fragments both SQL stores share (SQLite and PostgreSQL have the same
 * tables): which column scopes a row to an area of a level, how alarms order by severity, and
 * which column an alarm change writes. Fixed maps only: no value from a request ever becomes SQL.
 */
import type { AlarmChange } from '../ports.ts';

/** the column of `events` that holds the area of each level */
export const EVENT_AREA_COLUMN = { grid: 'grid_id', street: 'street_id', district: 'district_id' } as const;

/** the column of `alarms` that holds the area of each level */
export const ALARM_AREA_COLUMN = { grid: 'area_id', street: 'street_id', district: 'district_id' } as const;

/** alarms before warnings */
export const ALARM_SEVERITY_ORDER = "CASE severity WHEN 'alarm' THEN 0 ELSE 1 END";

/** the column each field of an {@link AlarmChange} writes */
export const ALARM_CHANGE_COLUMNS: Record<keyof AlarmChange, string> = {
  severity: 'severity',
  state: 'state',
  value: 'value',
  threshold: 'threshold',
  lastAt: 'last_at',
  clearedAt: 'cleared_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  ackNote: 'ack_note',
  caseId: 'case_id',
};
