/**
 * @module server/services/resource.service
 * The emergency resource registry (R7.5) as use cases: the administrator imports it whole (GeoJSON
 * points within the district, ids unique; each placed in its street), every area's officers and
 * walls read it (a wall without the contacts), and the demo's sample registry is loaded into an
 * empty one when the simulator runs. Dispatching is the incident's (emergency.service).
 */
import type { AuditEntry, Resource, ResourceImport } from '../../shared/index.ts';
import type { Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError } from '../errors.ts';
import type { Store } from '../ports.ts';

export interface ResourceServiceDeps {
  store: Pick<Store, 'resources' | 'incidents'>;
  tree: AreaTree;
  /** whether a principal may see an incident of an area (emergency.service) */
  seesIncident: (p: Principal, incident: { areaId: string }) => boolean;
  audit: (a: { actor: string; actorKind: AuditEntry['actorKind']; action: string; target: string; outcome: AuditEntry['outcome']; ip: string; detail?: string }) => Promise<void>;
}

export function createResourceService(d: ResourceServiceDeps) {
  /** the registry's rows, or an error naming the first bad feature */
  function rows(body: ResourceImport): Resource[] {
    const seen = new Set<string>();
    return body.features.map((f, i) => {
      const p = f.properties;
      if (seen.has(p.id)) throw new AppError('VALIDATION', 400, `features.${i}.properties.id: ${p.id} is listed twice`);
      seen.add(p.id);
      const [lng, lat] = f.geometry.coordinates;
      const grid = d.tree.locate(lng, lat);
      if (!grid) throw new AppError('VALIDATION', 400, `features.${i}.geometry: ${lng},${lat} (${p.name}) lies outside the district`);
      return {
        id: p.id, kind: p.kind, name: p.name, owner: p.owner, contact: p.contact, capacity: p.capacity, available: p.available, lng, lat,
        streetId: d.tree.ancestorAt(grid.id, 'street')?.id ?? null, demo: body.demo === true, dispatchedTo: null,
      };
    });
  }

  return {
    /**
     * every resource of the district; a wall (a screen anyone may read) gets no contacts, and a
     * resource sent to an incident the caller may not see says only `other`
     */
    async list(p: Principal): Promise<Resource[]> {
      const all = await d.store.resources.list();
      const areas = new Map((await d.store.incidents.running()).map((i) => [i.id, i.areaId]));
      return all.map((r) => {
        const area = r.dispatchedTo === null ? undefined : areas.get(r.dispatchedTo);
        const dispatchedTo = r.dispatchedTo === null ? null : area !== undefined && d.seesIncident(p, { areaId: area }) ? r.dispatchedTo : 'other';
        return { ...r, dispatchedTo, contact: p.role === 'wall' ? '' : r.contact };
      });
    },

    /** the whole registry replaced (admins) */
    async import(p: Principal, body: ResourceImport, ip: string): Promise<Resource[]> {
      // a resource out on an incident stays out, whatever the new registry says of it
      const out = new Map((await d.store.resources.list()).filter((r) => r.dispatchedTo !== null).map((r) => [r.id, r.dispatchedTo]));
      const list = rows(body).map((r) => ({ ...r, dispatchedTo: out.get(r.id) ?? null }));
      await d.store.resources.replaceAll(list);
      await d.audit({ actor: p.name, actorKind: p.kind, action: 'resources.import', target: 'registry', outcome: 'ok', ip, detail: `${list.length} resources${body.demo ? ' (sample)' : ''}` });
      return list;
    },

    /** the sample registry into an empty one (the demo, with the simulator on); false if it had entries */
    async seedDemo(body: ResourceImport): Promise<boolean> {
      if ((await d.store.resources.list()).length) return false;
      await d.store.resources.replaceAll(rows({ ...body, demo: true }));
      return true;
    },
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;
