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
import { canSee, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { importFormOf, LayerIndex, maskPhone, readBuildings, readKeyAreas, readRoads, type LayerResult, type Placement } from '../domain/layers.ts';
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
  /** the demo's layer, or none where it does not fit the areas (a centre imported another district's) */
  const demoOf = <T>(r: LayerResult<T>, what: string): T[] => {
    if (r.ok) return r.features;
    d.logger.warn({ problems: r.errors.slice(0, 5) }, `the demo's ${what} do not fit the areas: none shown until the centre imports its own`);
    return [];
  };
  const readers = {
    roads: (x: unknown) => readRoads(x as RoadImport, tree),
    key_areas: (x: unknown) => readKeyAreas(x as KeyAreaImportCollection, tree),
    buildings: (x: unknown) => readBuildings(x as BuildingImportCollection, tree),
  } satisfies Record<LayerKind, (x: unknown) => LayerResult<unknown>>;
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

  /**
   * a kept layer, its streets and grids worked out again against the areas of the day (the areas
   * may have been imported anew since it was saved; where it no longer fits, it is kept as saved
   * and the problems logged), or the demo's
   */
  async function loadKind<T extends RoadSegment | KeyArea | Building>(kind: LayerKind, held: Held<T>, fallback: T[]): Promise<Held<T>> {
    const kept = await store.layers.get(kind);
    if (!kept) return { features: fallback, version: 0 };
    // an older read (overlapping loads) never replaces a newer layer
    if (kept.version < held.version) return held;
    const saved = JSON.parse(kept.body) as T[];
    const again = readers[kind](importFormOf(kind, saved));
    if (!again.ok) d.logger.warn({ kind, problems: again.errors.slice(0, 5) }, 'a kept map layer no longer fits the areas: kept as saved; import it again');
    return { features: again.ok ? (again.features as T[]) : saved, version: kept.version };
  }
  function reindex(): void {
    index = new LayerIndex(roads.features, keyAreas.features, buildings.features);
  }

  /** a feature lying in these streets is the caller's when one of them is in its area, or its area (a grid's) lies in one of them */
  const sees = (p: Principal, streetIds: readonly string[]): boolean => streetIds.some((s) => canSee(tree, p, s) || tree.isWithin(p.areaId, s));

  return {
    /** read the kept layers (at start, and when another node saved one) */
    async load(): Promise<void> {
      const [r, k, b] = await Promise.all([loadKind('roads', roads, demo.roads), loadKind('key_areas', keyAreas, demo.key_areas), loadKind('buildings', buildings, demo.buildings)]);
      [roads, keyAreas, buildings] = [r, k, b];
      reindex();
    },

    /** where a new case lies (in its grid): its building, road, key areas and limits' factor */
    place(lng: number, lat: number, gridId?: string): Placement {
      return index.place(lng, lat, gridId);
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
      if (grid?.level !== 'grid' || !canSee(tree, p, gridId)) return null;
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

    /** the administrator's export: the layer as kept, in the shape an import takes (phones whole), with its version */
    exportLayer(kind: LayerKind): { type: 'FeatureCollection'; version: number; features: unknown[] } {
      const held = kind === 'roads' ? roads : kind === 'key_areas' ? keyAreas : buildings;
      return { ...importFormOf(kind, held.features), version: held.version };
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
      const read: LayerResult<unknown> = readers[kind](parsed.data);
      if (!read.ok) {
        const issues = read.errors.slice(0, 100).map((e) => ({ path: e.slice(0, e.indexOf(':')), message: e.slice(e.indexOf(':') + 2) }));
        return refuse(400, `${read.errors.length} problem(s) in the ${NAMES[kind]}; nothing was changed`, issues);
      }
      const current = (kind === 'roads' ? roads : kind === 'key_areas' ? keyAreas : buildings).version;
      if (expected !== current) {
        // this node may be the one behind (a reload it missed): read again, so the next try can pass
        await this.load().catch(() => undefined);
        return refuse(409, `the ${kind} were changed (version ${current}, you saw ${expected}): reload and import again`);
      }
      const now = clock.now();
      if (!(await store.layers.save(kind, { body: JSON.stringify(read.features), version: current + 1, savedAt: now, savedBy: p.name }))) {
        await this.load().catch(() => undefined);
        return refuse(409, `the ${kind} were changed by someone else just now: reload and import again`);
      }
      // saved: used here at once, and the other nodes told
      const held = { features: read.features, version: current + 1 };
      if (kind === 'roads') roads = held as Held<RoadSegment>;
      else if (kind === 'key_areas') keyAreas = held as Held<KeyArea>;
      else buildings = held as Held<Building>;
      reindex();
      d.saved?.(kind);
      await d.audit({ actor: p.name, actorKind: p.kind, action: 'layer.import', target: kind, outcome: 'ok', ip, detail: `version ${current + 1}, ${read.features.length} features` });
      return { kind, version: current + 1, features: read.features.length, savedAt: new Date(now).toISOString() };
    },
  };
}
export type LayerService = ReturnType<typeof createLayerService>;
