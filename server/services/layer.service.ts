/**
 * @module server/services/layer.service
 * The district's own map layers (路长制 roads, key areas; DOMAIN.md R1.8, R1.9): the kept layer
 * (else the shipped demo's, drawn approximately), the index ingest asks where a case lies, the
 * scoped answers screens read (a 路长's phone masked), the administrator's import — checked whole,
 * saved under its version, audited, the other nodes told — and export.
 */
import type {
  AuditEntry, Building, BuildingCollection, KeyArea, KeyAreaCollection, KeyAreaImportCollection, LayerSaved, RoadCollection, RoadImport, RoadSegment, ValidationIssue,
} from '../../shared/index.ts';
import { BuildingImportCollection, KeyAreaImportCollection as KeyAreaImportSchema, RoadImport as RoadImportSchema } from '../../shared/index.ts';
import type { Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { LayerIndex, maskPhone, readBuildings, readKeyAreas, readRoads, type LayerResult, type Placement } from '../domain/layers.ts';
import { AppError, issuesOf } from '../errors.ts';
import type { Clock, LayerKind, Logger, Store } from '../ports.ts';

export type { LayerKind };

export interface LayerServiceDeps {
  store: Pick<Store, 'layers'>;
  tree: AreaTree;
  clock: Clock;
  logger: Logger;
  /** the demo's layers, shown until a centre imports its own */
  demo: { roads: RoadImport; keyAreas: KeyAreaImportCollection; buildings: BuildingImportCollection };
  audit: (a: { actor: string; actorKind: AuditEntry['actorKind']; action: string; target: string; outcome: AuditEntry['outcome']; ip: string; detail?: string }) => Promise<void>;
  /** a layer was saved here: the other nodes reload it */
  saved?: (kind: LayerKind) => void;
}

interface Held<T> {
  features: T[];
  version: number;
}

export function createLayerService(d: LayerServiceDeps) {
  const { store, tree, clock } = d;
  const demoOf = <T>(r: LayerResult<T>, what: string): T[] => {
    if (r.ok) return r.features;
    throw new Error(`the shipped ${what} do not fit the district:\n  ${r.errors.slice(0, 5).join('\n  ')}`);
  };
  const demo = {
    roads: demoOf(readRoads(d.demo.roads, tree), 'roads'),
    key_areas: demoOf(readKeyAreas(d.demo.keyAreas, tree), 'key areas'),
    buildings: demoOf(readBuildings(d.demo.buildings, tree), 'buildings'),
  };
  let roads: Held<RoadSegment> = { features: demo.roads, version: 0 };
  let keyAreas: Held<KeyArea> = { features: demo.key_areas, version: 0 };
  let buildings: Held<Building> = { features: demo.buildings, version: 0 };
  let index = new LayerIndex(roads.features, keyAreas.features, buildings.features);
  const masked = <C extends { phone: string }>(c: C | null): C | null => c && { ...c, phone: maskPhone(c.phone) };
  const NAMES: Record<LayerKind, string> = { roads: 'road network', key_areas: 'key areas', buildings: 'buildings' };

  async function loadKind<T>(kind: LayerKind, fallback: T[]): Promise<Held<T>> {
    const kept = await store.layers.get(kind);
    return kept ? { features: JSON.parse(kept.body) as T[], version: kept.version } : { features: fallback, version: 0 };
  }

  /** a street account sees what lies in its street (a unit limited to streets: in those); a district account all */
  function sees(p: Principal, streetIds: readonly string[]): boolean {
    if (p.streets?.length) return streetIds.some((s) => p.streets!.includes(s));
    const own = tree.lineage(p.areaId).find((a) => a.level === 'street');
    return own === undefined ? tree.isWithin(p.areaId, tree.districtId) || p.areaId === tree.rootId : streetIds.includes(own.id);
  }

  return {
    /** read the kept layers (at start, and when another node saved one) */
    async load(): Promise<void> {
      [roads, keyAreas, buildings] = await Promise.all([loadKind('roads', demo.roads), loadKind('key_areas', demo.key_areas), loadKind('buildings', demo.buildings)]);
      index = new LayerIndex(roads.features, keyAreas.features, buildings.features);
    },

    /** where a new case lies: its road, key areas and limits' factor */
    place(lng: number, lat: number): Placement {
      return index.place(lng, lat);
    },

    roadsFor(p: Principal): RoadCollection {
      const features = roads.features
        .filter((r) => sees(p, r.properties.streetIds))
        .map((r) => ({ ...r, properties: { ...r.properties, chief: masked(r.properties.chief) } }));
      return { type: 'FeatureCollection', version: roads.version, features };
    },

    keyAreasFor(p: Principal): KeyAreaCollection {
      return { type: 'FeatureCollection', version: keyAreas.version, features: keyAreas.features.filter((a) => sees(p, a.properties.streetIds)) };
    },

    /** the buildings of a grid the caller may see (三长: the phones masked); null for a grid it may not */
    buildingsOf(p: Principal, gridId: string): BuildingCollection | null {
      const grid = tree.get(gridId);
      if (grid?.level !== 'grid' || !sees(p, [grid.parentId!])) return null;
      const features = buildings.features
        .filter((b) => b.properties.gridId === gridId)
        .map((b) => ({ ...b, properties: { ...b.properties, chief: masked(b.properties.chief), units: b.properties.units.map((u) => ({ ...u, chief: masked(u.chief) })) } }));
      return { type: 'FeatureCollection', version: buildings.version, features };
    },

    /** the grid a registered building stands in */
    buildingGrid(id: string): string | undefined {
      return index.buildingGrid(id);
    },

    /** a road's name (for reports), or undefined */
    roadName(roadId: string): string | undefined {
      return roads.features.find((r) => r.properties.roadId === roadId)?.properties.name;
    },
    keyAreaName(id: string): string | undefined {
      return keyAreas.features.find((a) => a.properties.id === id)?.properties.name;
    },

    /** the administrator's export: the layer as kept, the 路长's phone whole */
    exportLayer(kind: LayerKind): RoadCollection | KeyAreaCollection | BuildingCollection {
      const held = kind === 'roads' ? roads : kind === 'key_areas' ? keyAreas : buildings;
      return { type: 'FeatureCollection', version: held.version, features: held.features } as RoadCollection | KeyAreaCollection | BuildingCollection;
    },

    /**
     * Replace a layer with an import, checked whole (nothing is kept of a refused one), as the
     * version after `expected` (the version the administrator saw: 409 when another saved since).
     */
    async importLayer(kind: LayerKind, body: unknown, expected: number, p: Principal, ip: string): Promise<LayerSaved> {
      const refuse = async (status: 400 | 409, message: string, issues?: ValidationIssue[]): Promise<never> => {
        await d.audit({ actor: p.name, actorKind: p.kind, action: `layer.import`, target: kind, outcome: 'failed', ip, detail: message });
        throw new AppError(status === 409 ? 'CONFLICT' : 'VALIDATION', status, message, issues);
      };
      const parsed = kind === 'roads' ? RoadImportSchema.safeParse(body) : kind === 'key_areas' ? KeyAreaImportSchema.safeParse(body) : BuildingImportCollection.safeParse(body);
      if (!parsed.success) return refuse(400, `the ${NAMES[kind]} are not valid GeoJSON of the expected shape; nothing was changed`, issuesOf(parsed.error).slice(0, 100));
      const read: LayerResult<unknown> =
        kind === 'roads' ? readRoads(parsed.data as RoadImport, tree) : kind === 'key_areas' ? readKeyAreas(parsed.data as KeyAreaImportCollection, tree) : readBuildings(parsed.data as BuildingImportCollection, tree);
      if (!read.ok) {
        const issues = read.errors.slice(0, 100).map((e) => ({ path: e.slice(0, e.indexOf(':')), message: e.slice(e.indexOf(':') + 2) }));
        return refuse(400, `${read.errors.length} problem(s) in the ${NAMES[kind]}; nothing was changed`, issues);
      }
      const current = (kind === 'roads' ? roads : kind === 'key_areas' ? keyAreas : buildings).version;
      if (expected !== current) return refuse(409, `the ${kind} were changed (version ${current}, you saw ${expected}): reload and import again`);
      const now = clock.now();
      if (!(await store.layers.save(kind, { body: JSON.stringify(read.features), version: current + 1, savedAt: now, savedBy: p.name }))) {
        return refuse(409, `the ${kind} were changed by someone else just now: reload and import again`);
      }
      await this.load();
      d.saved?.(kind);
      await d.audit({ actor: p.name, actorKind: p.kind, action: 'layer.import', target: kind, outcome: 'ok', ip, detail: `version ${current + 1}, ${read.features.length} features` });
      return { kind, version: current + 1, features: read.features.length, savedAt: new Date(now).toISOString() };
    },
  };
}
export type LayerService = ReturnType<typeof createLayerService>;
