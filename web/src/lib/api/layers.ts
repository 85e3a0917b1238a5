/**
 * @module web/api/layers
 * 路长制 roads and key areas (`GET /api/v1/roads`, `/key-areas`) for the wall's map, a case's
 * detail and the key-area board, and the administrator's imports of them (and of the resource
 * registry). Answers are checked with the shared schemas.
 */
import { z } from 'zod';
import { BuildingCollection, KeyAreaCollection, LayerSaved, ResourceList, RoadCollection } from '../../../../shared/index.ts';
import { getJson, sendParsed, type Sent } from './http.ts';

export type { Building, KeyArea, RoadSegment } from '../../../../shared/index.ts';

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

/** a grid's buildings with their 楼栋长 and 单元长 (三长联动; phones masked) */
export async function fetchBuildings(gridId: string, signal?: AbortSignal): Promise<BuildingCollection> {
  const r = BuildingCollection.safeParse(await getJson(`/api/v1/buildings?gridId=${encodeURIComponent(gridId)}`, signal));
  if (!r.success) throw new Error(`buildings: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** the administrator's layers: roads, key areas, buildings (versioned), and the resource registry (replaced whole) */
export type AdminLayer = 'roads' | 'key-areas' | 'buildings' | 'resources';

/** what a layer holds now: its version (null: not versioned) and how many features */
export async function layerStatus(kind: AdminLayer, signal?: AbortSignal): Promise<{ version: number | null; features: number }> {
  if (kind === 'resources') {
    const r = ResourceList.safeParse(await getJson('/api/v1/resources', signal));
    if (!r.success) throw new Error('resources: unexpected answer');
    return { version: null, features: r.data.resources.length };
  }
  const r = z.object({ version: z.number(), features: z.array(z.unknown()) }).safeParse(await getJson(`/api/v1/admin/${kind}`, signal));
  if (!r.success) throw new Error(`${kind}: unexpected answer`);
  return { version: r.data.version, features: r.data.features.length };
}

/** Replace a layer with a GeoJSON file's content (parsed already); never throws. */
export async function importLayer(kind: AdminLayer, body: unknown, version: number | null): Promise<Sent<{ features: number }>> {
  if (kind === 'resources') {
    const r = await sendParsed('PUT', '/api/v1/admin/resources', body, ResourceList);
    return r.ok ? { ok: true, data: { features: r.data.resources.length } } : r;
  }
  return sendParsed('PUT', `/api/v1/admin/${kind}?version=${version ?? 0}`, body, LayerSaved);
}

/** the address of a layer's export (a plain link: the browser downloads it) */
export const layerExportHref = (kind: Exclude<AdminLayer, 'resources'>) => `/api/v1/admin/${kind}`;
