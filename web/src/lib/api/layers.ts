/**
 * @module web/api/layers
 * 路长制 roads and key areas (`GET /api/v1/roads`, `/key-areas`) for the wall's map, a case's
 * detail and the key-area board. Answers are checked with the shared schemas.
 */
import { KeyAreaCollection, RoadCollection } from '../../../../shared/index.ts';
import { getJson } from './http.ts';

export type { KeyArea, RoadSegment } from '../../../../shared/index.ts';

/** layers change when an administrator imports one: a wall asks again this often */
export const LAYERS_REFRESH_MS = 10 * 60_000;

export async function fetchRoads(signal?: AbortSignal): Promise<RoadCollection> {
  const r = RoadCollection.safeParse(await getJson('/api/v1/roads', signal));
  if (!r.success) throw new Error(`roads: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function fetchKeyAreas(signal?: AbortSignal): Promise<KeyAreaCollection> {
  const r = KeyAreaCollection.safeParse(await getJson('/api/v1/key-areas', signal));
  if (!r.success) throw new Error(`key areas: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
