/**
 * @module web/api/analytics
 * The 12345 hotline analysis (`GET /api/v1/analytics/hotline`), checked with the shared schema.
 */
import { HotlineAnalysis } from '../../../../shared/index.ts';
import { hotlineUrl } from '../utils/analytics.ts';
import { getJson } from './http.ts';

export type { HotlineAnalysis, HotlineCategoryRow, HotlineClosure, HotlineRepeat } from '../../../../shared/index.ts';

/**
 * The analysis of an area for [from, to).
 * @example const a = await fetchHotline('310110', Date.now() - 86_400_000, Date.now());
 */
export async function fetchHotline(areaId: string, from: number, to: number, signal?: AbortSignal): Promise<HotlineAnalysis> {
  const r = HotlineAnalysis.safeParse(await getJson(hotlineUrl(areaId, from, to), signal));
  if (!r.success) throw new Error(`hotline analysis: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}
