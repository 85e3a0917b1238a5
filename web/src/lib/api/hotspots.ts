/**
 * @module web/api/hotspots
 * Hotspots (`GET /api/v1/hotspots`) for the wall's map and the console's list, and marking a case
 * typical (`POST /api/v1/events/:id/tags`). Answers are checked with the shared schemas.
 */
import { CaseView, HotspotsResponse, type HotspotWindow } from '../../../../shared/index.ts';
import { getJson, sendParsed } from './http.ts';

export type { Hotspot, HotspotsResponse, HotspotWindow } from '../../../../shared/index.ts';

/** how often screens ask again (the server computes at most once a minute per window anyway) */
export const HOTSPOT_REFRESH_MS = 60_000;

export async function fetchHotspots(areaId: string, window: HotspotWindow, signal?: AbortSignal): Promise<HotspotsResponse> {
  const raw = await getJson(`/api/v1/hotspots?areaId=${encodeURIComponent(areaId)}&window=${encodeURIComponent(window)}`, signal);
  const r = HotspotsResponse.safeParse(raw);
  if (!r.success) throw new Error(`hotspots: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export type TagResult = { ok: true; view: CaseView } | { ok: false; status: number | null; message: string };

/** Marks (or unmarks) a case typical (典型), with an optional note. */
export async function setTypical(id: string, on: boolean, note?: string): Promise<TagResult> {
  const r = await sendParsed('POST', `/api/v1/events/${encodeURIComponent(id)}/tags`, { tag: 'typical', on, ...(note ? { note } : {}) }, CaseView);
  return r.ok ? { ok: true, view: r.data } : r;
}
