/**
 * @module web/api/emergency
 * 平战结合: the mode of an area (`GET /api/v1/emergency`), starting an incident, releasing
 * information or changing it, ending it, and the archive. Answers are checked with the shared schemas.
 */
import type { z } from 'zod';
import { EmergencyState, Incident, ResourceList, type EmergencyEnd, type EmergencyStart, type IncidentUpdate } from '../../../../shared/index.ts';
import { getJson, sendParsed } from './http.ts';

export type { EmergencyState, Incident, Resource } from '../../../../shared/index.ts';

/** the emergency resource registry (a wall gets no contacts) */
export async function fetchResources(signal?: AbortSignal): Promise<ResourceList['resources']> {
  const r = ResourceList.safeParse(await getJson('/api/v1/resources', signal));
  if (!r.success) throw new Error('resources: unexpected answer');
  return r.data.resources;
}

export async function fetchEmergency(areaId: string, signal?: AbortSignal): Promise<EmergencyState> {
  const r = EmergencyState.safeParse(await getJson(`/api/v1/emergency?areaId=${encodeURIComponent(areaId)}`, signal));
  if (!r.success) throw new Error(`emergency: ${r.error.issues[0]?.message ?? 'unexpected answer'}`);
  return r.data;
}

export async function fetchRunning(signal?: AbortSignal): Promise<Incident[]> {
  const raw = (await getJson('/api/v1/emergency/running', signal)) as { incidents?: unknown };
  const r = Incident.array().safeParse(raw.incidents);
  if (!r.success) throw new Error('running: unexpected answer');
  return r.data;
}

export async function fetchArchive(signal?: AbortSignal): Promise<Incident[]> {
  const raw = (await getJson('/api/v1/emergency/archive', signal)) as { incidents?: unknown };
  const r = Incident.array().safeParse(raw.incidents);
  if (!r.success) throw new Error('archive: unexpected answer');
  return r.data;
}

export type IncidentResult = { ok: true; incident: Incident } | { ok: false; status: number | null; message: string };

async function send(url: string, body: unknown): Promise<IncidentResult> {
  const r = await sendParsed('POST', url, body, Incident);
  return r.ok ? { ok: true, incident: r.data } : r;
}

export const startIncident = (body: z.input<typeof EmergencyStart>): Promise<IncidentResult> => send('/api/v1/emergency', body);
export const updateIncident = (id: string, body: IncidentUpdate): Promise<IncidentResult> => send(`/api/v1/emergency/${encodeURIComponent(id)}/log`, body);
export const endIncident = (id: string, body: EmergencyEnd): Promise<IncidentResult> => send(`/api/v1/emergency/${encodeURIComponent(id)}/end`, body);
