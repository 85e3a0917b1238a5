/**
 * @module web/api/stats
 * Closed-loop statistics for the wall's comparison board and the console's period report:
 * `GET /api/v1/stats` (per street and per unit, plus the funnel of open cases by stage).
 *
 * The row type is the server's own (`server/domain/stats.ts`, imported as a type only, so the
 * two cannot drift); it belongs in `shared/` once that is open for changes.
 */
import type { StatsRow } from '../../../../server/domain/stats.ts';
import { getJson, isRecord } from './http.ts';

export type { StatsRow };

/** The funnel of open cases by stage. */
export interface StatsFunnel {
  reported: number;
  accepted: number;
  dispatched: number;
  handled: number;
  verified: number;
}

export interface StatsResponse {
  areaId: string;
  from: string;
  to: string;
  byStreet: StatsRow[];
  byUnit: StatsRow[];
  funnel: StatsFunnel;
}

/**
 * Statistics of an area for a period (default: today, as the server counts it).
 * @example const s = await fetchStats('310110');
 */
export async function fetchStats(areaId: string, period: { from?: number; to?: number } = {}, signal?: AbortSignal): Promise<StatsResponse> {
  const p = new URLSearchParams({ areaId });
  if (period.from !== undefined) p.set('from', new Date(period.from).toISOString());
  if (period.to !== undefined) p.set('to', new Date(period.to).toISOString());
  const raw = await getJson(`/api/v1/stats?${p.toString()}`, signal);
  if (!isRecord(raw) || !Array.isArray(raw.byStreet) || !Array.isArray(raw.byUnit) || !isRecord(raw.funnel)) throw new Error('stats: unexpected answer');
  return raw as unknown as StatsResponse;
}
