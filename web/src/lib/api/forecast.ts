/**
 * @module web/api/forecast
 * An indicator's forecast for an area (`GET /api/v1/indicators/:id/forecast`), checked with the
 * shared schema.
 */
import { ForecastResponse } from '../../../../shared/index.ts';
import { getJson } from './http.ts';

export type { ForecastResponse } from '../../../../shared/index.ts';

/**
 * @example const f = await fetchForecast('pm25', '310110', 12);
 */
export async function fetchForecast(indicatorId: string, areaId: string, horizon: number, signal?: AbortSignal): Promise<ForecastResponse> {
  const p = new URLSearchParams({ areaId, horizon: String(horizon) });
  const r = ForecastResponse.safeParse(await getJson(`/api/v1/indicators/${encodeURIComponent(indicatorId)}/forecast?${p.toString()}`, signal));
  if (!r.success) throw new Error(`forecast: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}
