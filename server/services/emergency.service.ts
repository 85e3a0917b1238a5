/**
 * @module server/services/emergency.service
 * 平战结合 as use cases: the mode of an area (its own incident, or the nearest above it), starting
 * an incident, releasing information and changing it (滚动发布), ending it (back to peacetime, the
 * incident archived with its whole log), and the archive. Each step is audited and told to the
 * walls in scope (`changed`: the app hands it to every node's sockets). Rules: server/domain/emergency.ts.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry, EmergencyEnd, EmergencyStart, EmergencyState, Incident, IncidentUpdate } from '../../shared/index.ts';
import { canSee, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { endIncident, incidentFor, incidentView, mayCommand, startIncident, updateIncident, type IncidentRecord, type UpdateResult } from '../domain/emergency.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock, Store } from '../ports.ts';

export interface EmergencyServiceDeps {
  store: Pick<Store, 'incidents' | 'resources'>;
  tree: AreaTree;
  clock: Clock;
  /** an area's incident started, changed or ended: its walls (and those below it) ask again */
  changed: (areaId: string) => void;
  audit: (a: { actor: string; actorKind: AuditEntry['actorKind']; action: string; target: string; outcome: AuditEntry['outcome']; ip: string; detail?: string }) => Promise<void>;
}

/** most archived incidents listed */
export const ARCHIVE_LIMIT = 200;
/** ended incidents read to find those: the district's and every street's */
const ARCHIVE_SCAN = 5000;

export function createEmergencyService(d: EmergencyServiceDeps) {
  const view = async (r: IncidentRecord): Promise<Incident> => incidentView(r, await d.store.incidents.log(r.id));

  /** whether the caller may see an incident: of its area or below, or of an area above it (a street follows the district's) */
  const sees = (p: Principal, r: Pick<IncidentRecord, 'areaId'>): boolean =>
    !!d.tree.get(r.areaId) && (canSee(d.tree, p, r.areaId) || (p.role !== 'unit' && d.tree.isWithin(p.areaId, r.areaId)));

  /** an incident the caller may see, else 404 */
  async function visible(p: Principal, id: string): Promise<IncidentRecord> {
    const r = await d.store.incidents.get(id);
    if (!r || !sees(p, r)) throw notFound(`incident ${id}`);
    return r;
  }

  async function commanded(p: Principal, r: IncidentRecord, action: string, ip: string): Promise<void> {
    if (mayCommand(d.tree, p, r.areaId)) return;
    await d.audit({ actor: p.name, actorKind: p.kind, action, target: r.id, outcome: 'denied', ip, detail: `role ${p.role} at ${p.areaId}` });
    throw new AppError('FORBIDDEN', 403, `a ${p.role} of ${p.areaId} does not command an incident of ${r.areaId}`);
  }

  /** the change stored (under the version), or the refusal thrown */
  async function commit(r: IncidentRecord, result: UpdateResult): Promise<{ next: IncidentRecord; text: string }> {
    if (!result.ok) throw new AppError(result.status === 409 ? 'CONFLICT' : 'INVALID_TRANSITION', result.status, result.message);
    const next = await d.store.incidents.update(r.id, r.version, result.record, result.entry);
    if (!next) throw new AppError('CONFLICT', 409, 'the incident changed meanwhile: reload it');
    return { next, text: result.entry.text };
  }

  /**
   * A resource was sent or freed: the walls of the other incidents running, which show the resources
   * near them, ask again too (a team freed here may be what they need)
   */
  async function tellOthers(r: IncidentRecord): Promise<void> {
    for (const other of await d.store.incidents.running()) if (other.id !== r.id && other.areaId !== r.areaId) d.changed(other.areaId);
  }

  /** what follows a stored change: the audit, the walls told, the answer */
  async function after(p: Principal, r: IncidentRecord, done: { next: IncidentRecord; text: string }, action: string, ip: string): Promise<Incident> {
    d.changed(r.areaId);
    await d.audit({ actor: p.name, actorKind: p.kind, action, target: r.id, outcome: 'ok', ip, detail: done.text.slice(0, 200) });
    return view(done.next);
  }

  return {
    /** the mode of an area in the caller's scope (default its own) */
    async state(p: Principal, areaId?: string): Promise<EmergencyState> {
      const area = areaId ?? p.areaId;
      if (!canSee(d.tree, p, area)) throw notFound(`area ${area}`);
      const running = incidentFor(d.tree, area, await d.store.incidents.running());
      return running ? { mode: 'war', incident: await view(running) } : { mode: 'peace' };
    },

    async start(p: Principal, body: EmergencyStart, ip: string): Promise<Incident> {
      const areaId = body.areaId ?? p.areaId;
      if (!d.tree.get(areaId) || !canSee(d.tree, p, areaId)) throw new AppError('VALIDATION', 400, `areaId: no area ${areaId} in your scope`);
      if (!mayCommand(d.tree, p, areaId)) {
        await d.audit({ actor: p.name, actorKind: p.kind, action: 'emergency.start', target: areaId, outcome: 'denied', ip, detail: `role ${p.role}` });
        throw new AppError('FORBIDDEN', 403, `a ${p.role} does not start an incident of ${areaId}`);
      }
      // 统一指挥: under an incident of an area above, that incident's commanders lead
      const above = incidentFor(d.tree, areaId, (await d.store.incidents.running()).filter((i) => i.areaId !== areaId));
      if (above) throw new AppError('CONFLICT', 409, `${d.tree.get(above.areaId)!.name} runs an incident that covers ${d.tree.get(areaId)!.name}: its commanders lead`);
      const grid = d.tree.locate(body.lng, body.lat);
      if (!grid || !d.tree.isWithin(grid.id, areaId)) throw new AppError('VALIDATION', 400, `lng/lat: ${body.lng},${body.lat} lies outside ${d.tree.get(areaId)!.name}`);
      const { record, entry } = startIncident(randomUUID(), { ...body, areaId }, p, d.clock.now());
      if (!(await d.store.incidents.create(record, entry))) throw new AppError('CONFLICT', 409, `${d.tree.get(areaId)!.name} runs an incident already: end it first`);
      await d.audit({ actor: p.name, actorKind: p.kind, action: 'emergency.start', target: record.id, outcome: 'ok', ip, detail: `${areaId} ${entry.text}` });
      d.changed(areaId);
      return view(record);
    },

    async get(p: Principal, id: string): Promise<Incident> {
      return view(await visible(p, id));
    },

    async update(p: Principal, id: string, body: IncidentUpdate, ip: string): Promise<Incident> {
      const r = await visible(p, id);
      await commanded(p, r, `emergency.${body.kind}`, ip);
      if (body.kind !== 'dispatch') return after(p, r, await commit(r, updateIncident(r, body, p, d.clock.now())), `emergency.${body.kind}`, ip);
      // a dispatch: the resource is claimed first (one statement), then logged; freed only if the log is not written
      const res = await d.store.resources.get(body.resourceId);
      const result = updateIncident(r, body, p, d.clock.now(), res ?? undefined);
      if (!result.ok) return after(p, r, await commit(r, result), 'emergency.dispatch', ip);
      if (!(await d.store.resources.dispatch(body.resourceId, r.id))) throw new AppError('CONFLICT', 409, `${res!.name} is not available (unavailable, or sent to an incident already)`);
      let done: { next: IncidentRecord; text: string };
      try {
        done = await commit(r, result);
      } catch (err) {
        await d.store.resources.free(body.resourceId, r.id);
        throw err;
      }
      await tellOthers(r);
      return after(p, r, done, 'emergency.dispatch', ip);
    },

    async end(p: Principal, id: string, body: EmergencyEnd, ip: string): Promise<Incident> {
      const r = await visible(p, id);
      await commanded(p, r, 'emergency.end', ip);
      const done = await commit(r, endIncident(r, body, p, d.clock.now()));
      // back to peacetime: what it was sent is free again (before anything else can fail)
      await d.store.resources.release(r.id);
      await tellOthers(r);
      return after(p, r, done, 'emergency.end', ip);
    },

    /** the incidents running now that the caller may see (a district officer: the district's and every street's), with their logs */
    async running(p: Principal): Promise<Incident[]> {
      return Promise.all((await d.store.incidents.running()).filter((r) => sees(p, r)).map(view));
    },

    /** ended incidents the caller may see, the newest first (without their logs) */
    async archive(p: Principal): Promise<Incident[]> {
      const ended = (await d.store.incidents.ended(ARCHIVE_SCAN)).filter((r) => sees(p, r)).slice(0, ARCHIVE_LIMIT);
      return ended.map((r) => incidentView(r, []));
    },

    /** whether the caller may see an incident (for the resources' `dispatchedTo`) */
    sees: (p: Principal, r: Pick<IncidentRecord, 'areaId'>) => sees(p, r),
  };
}

export type EmergencyService = ReturnType<typeof createEmergencyService>;
