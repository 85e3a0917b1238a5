/**
 * @module server/domain/emergency
 * 平战结合 (DOMAIN.md R7.1–R7.8) as pure functions: which areas are in wartime (an incident's area
 * and everything below it; the nearest incident above an area is the one it follows), who may
 * start, update and end an incident (district officers anywhere in the district, a street officer
 * for its own street — 属地为主), what an update does, and which places lie within an incident's
 * reach. No I/O: `now` is passed in.
 */
import { distance } from '@turf/turf';
import type { EmergencyStart, Incident, IncidentLogEntry, IncidentUpdate, Role } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

/** An incident as stored (times in epoch ms), without its log. */
export interface IncidentRecord {
  id: string;
  areaId: string;
  grade: Incident['grade'];
  class: Incident['class'];
  title: string;
  lng: number;
  lat: number;
  radiusM: number;
  drill: boolean;
  command: Incident['command'];
  startedAt: number;
  startedBy: string;
  endedAt: number | null;
  endedBy: string | null;
  summary: string | null;
  version: number;
}

export type IncidentEntry = Omit<IncidentLogEntry, 'seq'>;

interface Actor {
  name: string;
  role: Role;
  areaId: string;
}

/** The incident an area follows: its own, else the nearest above it; null in peacetime. */
export function incidentFor<T extends Pick<IncidentRecord, 'areaId'>>(tree: AreaTree, areaId: string, active: readonly T[]): T | null {
  for (const a of tree.lineage(areaId)) {
    const own = active.find((i) => i.areaId === a.id);
    if (own) return own;
  }
  return null;
}

/**
 * Whether the actor may command (start, update, end) an incident of `areaId`: district officers for
 * the district and any area in it, a street officer for its own street and below; nobody else (an
 * administrator runs the system, not an incident; walls and units watch).
 */
export function mayCommand(tree: AreaTree, p: Actor, areaId: string): boolean {
  if (p.role !== 'district' && p.role !== 'street') return false;
  const level = tree.level(areaId);
  return (level === 'district' || level === 'street') && tree.isWithin(areaId, p.areaId);
}

/** A new incident's record and the first line of its log. */
export function startIncident(id: string, req: EmergencyStart & { areaId: string }, p: Actor, now: number): { record: IncidentRecord; entry: IncidentEntry } {
  const record: IncidentRecord = {
    id,
    areaId: req.areaId,
    grade: req.grade,
    class: req.class,
    title: req.title,
    lng: req.lng,
    lat: req.lat,
    radiusM: req.radiusM,
    drill: req.drill,
    command: req.command,
    startedAt: now,
    startedBy: p.name,
    endedAt: null,
    endedBy: null,
    summary: null,
    version: 1,
  };
  const text = `${req.drill ? '演练 ' : ''}${req.grade}级响应 · ${req.title}`;
  return { record, entry: { at: new Date(now).toISOString(), actor: p.name, kind: 'start', text, data: { grade: req.grade, class: req.class, radiusM: req.radiusM, drill: req.drill, commander: req.command.commander } } };
}

export type UpdateResult = { ok: true; record: IncidentRecord; entry: IncidentEntry } | { ok: false; status: 409 | 422; message: string };

/**
 * A release, a change or a dispatch on an incident still running, at the version it was made on;
 * a dispatch names the resource sent (`resource`, looked up by the caller).
 */
export function updateIncident(cur: IncidentRecord, req: IncidentUpdate, p: Actor, now: number, resource?: { id: string; name: string; kind: string }): UpdateResult {
  if (cur.endedAt !== null) return { ok: false, status: 422, message: 'the incident has ended' };
  if (req.version !== cur.version) return { ok: false, status: 409, message: `the incident changed (version ${cur.version})` };
  const at = new Date(now).toISOString();
  if (req.kind === 'release') return { ok: true, record: { ...cur, version: cur.version + 1 }, entry: { at, actor: p.name, kind: 'release', text: req.text, data: {} } };
  if (req.kind === 'dispatch') {
    if (!resource || resource.id !== req.resourceId) return { ok: false, status: 422, message: `no resource ${req.resourceId}` };
    return { ok: true, record: { ...cur, version: cur.version + 1 }, entry: { at, actor: p.name, kind: 'dispatch', text: `${resource.name}：${req.note}`, data: { resourceId: resource.id, kind: resource.kind } } };
  }
  const next = { ...cur, version: cur.version + 1, grade: req.grade ?? cur.grade, radiusM: req.radiusM ?? cur.radiusM };
  const data: Record<string, unknown> = {};
  if (next.grade !== cur.grade) data.grade = { from: cur.grade, to: next.grade };
  if (next.radiusM !== cur.radiusM) data.radiusM = { from: cur.radiusM, to: next.radiusM };
  return { ok: true, record: next, entry: { at, actor: p.name, kind: 'update', text: req.note, data } };
}

/** Back to peacetime: the incident is archived with its summary. */
export function endIncident(cur: IncidentRecord, req: { version: number; summary: string }, p: Actor, now: number): UpdateResult {
  if (cur.endedAt !== null) return { ok: false, status: 422, message: 'the incident has ended' };
  if (req.version !== cur.version) return { ok: false, status: 409, message: `the incident changed (version ${cur.version})` };
  return {
    ok: true,
    record: { ...cur, version: cur.version + 1, endedAt: now, endedBy: p.name, summary: req.summary },
    entry: { at: new Date(now).toISOString(), actor: p.name, kind: 'end', text: req.summary, data: { minutes: Math.round((now - cur.startedAt) / 60_000) } },
  };
}

/** metres from the incident to a place */
export const metresFrom = (i: Pick<IncidentRecord, 'lng' | 'lat'>, lng: number, lat: number): number => distance([i.lng, i.lat], [lng, lat], { units: 'meters' });

/** whether a place lies within the incident's reach */
export const withinReach = (i: Pick<IncidentRecord, 'lng' | 'lat' | 'radiusM'>, lng: number, lat: number): boolean => metresFrom(i, lng, lat) <= i.radiusM;

export function incidentView(r: IncidentRecord, log: readonly IncidentLogEntry[]): Incident {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: r.id, areaId: r.areaId, grade: r.grade, class: r.class, title: r.title, lng: r.lng, lat: r.lat, radiusM: r.radiusM, drill: r.drill, command: r.command,
    startedAt: iso(r.startedAt), startedBy: r.startedBy, endedAt: r.endedAt === null ? null : iso(r.endedAt), endedBy: r.endedBy, summary: r.summary, version: r.version, log: [...log],
  };
}
