/**
 * @module web/api/replay
 * The wall back in time and the shift handover: `GET /api/v1/snapshot?areaId=&at=` (a room's
 * snapshot as it was) and `GET /api/v1/handover?areaId=&since=&until=`, checked with the shared
 * schemas.
 */
import { Handover, SnapshotResponse, type Snapshot } from '../../../../shared/index.ts';
import { getJson } from './http.ts';

export type { Handover, HandoverCase } from '../../../../shared/index.ts';

/** the address of an area's snapshot at a time (omitted: live) */
export function snapshotUrl(areaId: string, at?: number): string {
  const q = new URLSearchParams({ areaId });
  if (at !== undefined) q.set('at', new Date(at).toISOString());
  return `/api/v1/snapshot?${q}`;
}

/** the address of a handover of [since, until) (until omitted: now) */
export function handoverUrl(areaId: string, since: number, until?: number): string {
  const q = new URLSearchParams({ areaId, since: new Date(since).toISOString() });
  if (until !== undefined) q.set('until', new Date(until).toISOString());
  return `/api/v1/handover?${q}`;
}

/**
 * The area's snapshot as it was at `at` (epoch ms, within the last 7 days).
 * @example const s = await fetchSnapshotAt('310110', Date.now() - 3_600_000);
 */
export async function fetchSnapshotAt(areaId: string, at: number, signal?: AbortSignal): Promise<Snapshot> {
  const r = SnapshotResponse.safeParse(await getJson(snapshotUrl(areaId, at), signal));
  if (!r.success) throw new Error(`snapshot: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}

/** What happened below the area in [since, until). */
export async function fetchHandover(areaId: string, since: number, until?: number, signal?: AbortSignal): Promise<Handover> {
  const r = Handover.safeParse(await getJson(handoverUrl(areaId, since, until), signal));
  if (!r.success) throw new Error(`handover: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}
