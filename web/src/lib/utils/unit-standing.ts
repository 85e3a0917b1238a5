/**
 * @module web/utils/unit-standing
 * A unit's standing against the other units (R4.5: 条 are compared like 块): the period's unit rows
 * ranked by on-time rate (units that closed nothing last), then by cases closed, then by returns
 * (fewer first). Pure, so the console's panel is tested without a browser.
 */
import type { StatsRow } from '../api/stats.ts';

export interface UnitStanding {
  /** every unit's row, best first */
  ranked: StatsRow[];
  /** the unit's place (1 = best) among the units that closed cases, or null when it closed none */
  rank: number | null;
  /** how many units closed cases in the period (only they are ranked) */
  of: number;
  /** the unit's own row (zeros when it had no case) */
  own: StatsRow;
}

const emptyRow = (key: string): StatsRow => ({
  key,
  received: 0,
  closed: 0,
  onTimeRate: null,
  avgStageMinutes: { accept: null, dispatch: null, handle: null, verify: null },
  breaches: 0,
  returns: 0,
  good: 0,
  bad: 0,
  satisfaction: null,
});

export function compareUnits(a: StatsRow, b: StatsRow): number {
  const ra = a.onTimeRate ?? -1;
  const rb = b.onTimeRate ?? -1;
  if (ra !== rb) return rb - ra;
  if (a.closed !== b.closed) return b.closed - a.closed;
  if (a.returns !== b.returns) return a.returns - b.returns;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function unitStanding(rows: readonly StatsRow[], unitId: string): UnitStanding {
  const ranked = rows.filter((r) => r.received > 0 || r.closed > 0 || r.returns > 0).sort(compareUnits);
  const rated = ranked.filter((r) => r.onTimeRate !== null);
  const at = rated.findIndex((r) => r.key === unitId);
  return { ranked, rank: at < 0 ? null : at + 1, of: rated.length, own: ranked.find((r) => r.key === unitId) ?? emptyRow(unitId) };
}
