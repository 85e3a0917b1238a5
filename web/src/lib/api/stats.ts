/**
 * @module web/api/stats
 * Closed-loop statistics for the wall's comparison board and funnel and the console's period
 * report: `GET /api/v1/stats` (per street and per unit, plus the funnel of open cases by stage),
 * checked with the shared schema.
 */
import { StatsResponse } from '../../../../shared/index.ts';
import { getJson } from './http.ts';

export type { StatsFunnel, StatsResponse, StatsRow } from '../../../../shared/index.ts';

/**
 * Statistics of an area for a period (default: today, as the server counts it).
 * @example const s = await fetchStats('310110', { from: Date.now() - 86_400_000 });
 */
export async function fetchStats(areaId: string, period: { from?: number; to?: number } = {}, signal?: AbortSignal): Promise<StatsResponse> {
  const p = new URLSearchParams({ areaId });
  if (period.from !== undefined) p.set('from', new Date(period.from).toISOString());
  if (period.to !== undefined) p.set('to', new Date(period.to).toISOString());
  const r = StatsResponse.safeParse(await getJson(`/api/v1/stats?${p.toString()}`, signal));
  if (!r.success) throw new Error(`stats: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}
