/**
 * @module server/domain/layers
 * 路长制 roads and key areas (DOMAIN.md R1.8, R1.9), pure: an imported layer checked against the
 * district (ids, one name and class per road, one 路长 per road, lying in the district) and
 * normalised with the streets each feature lies in; the indexes ingest asks where a case is — the
 * nearest road within {@link ROAD_SNAP_M} metres, the key areas around it, and the limits' factor
 * those areas give.
 */
import { booleanIntersects, booleanPointInPolygon, centroid, distance, point, pointToLineDistance } from '@turf/turf';
import {
  BUILDING_SNAP_M, ROAD_SNAP_M,
  type Building, type BuildingImportCollection, type KeyArea, type KeyAreaImportCollection, type RoadChief, type RoadImport, type RoadSegment,
} from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

type Position = [number, number];
type BBox = [number, number, number, number];

/** A checked layer, or every problem found (each naming the feature by its index). */
export type LayerResult<T> = { ok: true; features: T[] } | { ok: false; errors: string[] };

const M_PER_DEG = 111_320;

function bboxOf(positions: readonly Position[]): BBox {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of positions) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}
const lineParts = (g: RoadSegment['geometry']): Position[][] => (g.type === 'LineString' ? [g.coordinates as Position[]] : (g.coordinates as Position[][]));
const polygonPositions = (g: KeyArea['geometry']): Position[] => (g.type === 'Polygon' ? g.coordinates.flat() : g.coordinates.flat(2)) as Position[];

/** the streets a line or polygon touches (a box test first, then the exact one) */
function streetsTouched(tree: AreaTree, g: RoadSegment['geometry'] | KeyArea['geometry']): string[] {
  const [x0, y0, x1, y1] = bboxOf(g.type === 'LineString' || g.type === 'MultiLineString' ? lineParts(g).flat() : polygonPositions(g));
  return tree
    .ofLevel('street')
    .filter((s) => s.bbox[0] <= x1 && x0 <= s.bbox[2] && s.bbox[1] <= y1 && y0 <= s.bbox[3])
    .filter((s) => booleanIntersects(tree.features.get(s.id)! as never, { type: 'Feature', properties: {}, geometry: g } as never))
    .map((s) => s.id)
    .sort();
}

const sameChief = (a: RoadChief, b: RoadChief) => a.name === b.name && a.unit === b.unit && a.phone === b.phone;

/**
 * Check and normalise an imported road network: segment ids unique (default `<roadId>-<n>`),
 * segments of one road (by `roadId`, default its name) agree on name and class and name at most
 * one 路长, and every segment runs through the district.
 */
export function readRoads(input: RoadImport, tree: AreaTree): LayerResult<RoadSegment> {
  const errors: string[] = [];
  const roads = new Map<string, { name: string; class: string; chief: RoadChief | null; first: number }>();
  const ids = new Map<string, number>();
  const perRoad = new Map<string, number>();
  const out: RoadSegment[] = [];
  input.features.forEach((f, i) => {
    const p = f.properties;
    const roadId = p.roadId ?? p.name;
    const where = `features[${i}] (${p.name})`;
    const road = roads.get(roadId);
    if (!road) roads.set(roadId, { name: p.name, class: p.class, chief: p.chief ?? null, first: i });
    else {
      if (road.name !== p.name) errors.push(`${where}: road ${roadId} is named "${road.name}" by features[${road.first}]`);
      if (road.class !== p.class) errors.push(`${where}: road ${roadId} is of class ${road.class} by features[${road.first}]`);
      if (p.chief && road.chief && !sameChief(road.chief, p.chief)) errors.push(`${where}: road ${roadId} has another 路长 in features[${road.first}]`);
      if (p.chief && !road.chief) road.chief = p.chief;
    }
    const n = (perRoad.get(roadId) ?? 0) + 1;
    perRoad.set(roadId, n);
    const id = p.id ?? `${roadId}-${n}`;
    if (ids.has(id)) errors.push(`${where}: id ${id} is used by features[${ids.get(id)}] too`);
    ids.set(id, i);
    const streetIds = streetsTouched(tree, f.geometry);
    if (streetIds.length === 0) errors.push(`${where}: lies outside the district (WGS84 expected: coordinates from Amap or Baidu are offset)`);
    out.push({ type: 'Feature', geometry: f.geometry, properties: { id, roadId, name: p.name, class: p.class, chief: null, approximate: p.approximate ?? false, streetIds } });
  });
  if (errors.length) return { ok: false, errors };
  // every segment names its road's 路长, wherever it was given
  for (const s of out) s.properties.chief = roads.get(s.properties.roadId)!.chief;
  return { ok: true, features: out };
}

/** Check and normalise imported key areas: ids unique, each overlapping the district. */
export function readKeyAreas(input: KeyAreaImportCollection, tree: AreaTree): LayerResult<KeyArea> {
  const errors: string[] = [];
  const ids = new Map<string, number>();
  const out: KeyArea[] = [];
  input.features.forEach((f, i) => {
    const p = f.properties;
    const where = `features[${i}] (${p.name})`;
    if (ids.has(p.id)) errors.push(`${where}: id ${p.id} is used by features[${ids.get(p.id)}] too`);
    ids.set(p.id, i);
    const streetIds = streetsTouched(tree, f.geometry);
    if (streetIds.length === 0) errors.push(`${where}: lies outside the district (WGS84 expected: coordinates from Amap or Baidu are offset)`);
    out.push({
      type: 'Feature',
      geometry: f.geometry,
      properties: { id: p.id, name: p.name, nameEn: p.nameEn ?? p.name, factor: p.factor, focus: p.focus ?? null, approximate: p.approximate ?? false, streetIds },
    });
  });
  return errors.length ? { ok: false, errors } : { ok: true, features: out };
}

/**
 * Check and normalise imported buildings: ids unique, each standing in a grid of the district (a
 * polygon by its centroid), its units' ids unique (default `<id>-u<n>`).
 */
export function readBuildings(input: BuildingImportCollection, tree: AreaTree): LayerResult<Building> {
  const errors: string[] = [];
  const ids = new Map<string, number>();
  const out: Building[] = [];
  input.features.forEach((f, i) => {
    const p = f.properties;
    const where = `features[${i}] (${p.name})`;
    if (ids.has(p.id)) errors.push(`${where}: id ${p.id} is used by features[${ids.get(p.id)}] too`);
    ids.set(p.id, i);
    const [lng, lat] = (f.geometry.type === 'Point' ? f.geometry.coordinates : centroid(f.geometry as never).geometry.coordinates) as Position;
    const grid = tree.locate(lng, lat);
    if (!grid) errors.push(`${where}: lies outside the district (WGS84 expected: coordinates from Amap or Baidu are offset)`);
    const units = (p.units ?? []).map((u, k) => ({ id: u.id ?? `${p.id}-u${k + 1}`, name: u.name, chief: u.chief ?? null }));
    const unitIds = new Set<string>();
    for (const u of units) {
      if (unitIds.has(u.id)) errors.push(`${where}: unit id ${u.id} is given twice`);
      unitIds.add(u.id);
    }
    if (grid) out.push({ type: 'Feature', geometry: f.geometry, properties: { id: p.id, name: p.name, chief: p.chief ?? null, units, approximate: p.approximate ?? false, gridId: grid.id, streetId: grid.parentId! } });
  });
  return errors.length ? { ok: false, errors } : { ok: true, features: out };
}

/** Where a case lies among the layers: its road (and how far), its key areas, its limits' factor. */
export interface Placement {
  /** the building it was reported at (三长联动), or null */
  buildingId: string | null;
  roadId: string | null;
  keyAreaIds: string[];
  /** the tightest factor of its key areas (1 outside every key area) */
  limitFactor: number;
}

/**
 * The layers as ingest asks them, one point at a time: a box test first, the exact distance or
 * containment only for the few features near the point.
 * @example new LayerIndex(roads, keyAreas).place(121.514, 31.302) // { roadId: '四平路', keyAreaIds: ['wujiaochang'], limitFactor: 0.5 }
 */
export class LayerIndex {
  private readonly lines: { roadId: string; bbox: BBox; part: Position[] }[] = [];
  private readonly areas: { id: string; factor: number; bbox: BBox; feature: KeyArea }[] = [];
  /** buildings by grid: a case is measured against its own grid's only (a handful, not the district's thousands) */
  private readonly buildingsByGrid = new Map<string, { id: string; bbox: BBox; feature: Building }[]>();
  private readonly buildingGrids = new Map<string, string>();

  constructor(roads: readonly RoadSegment[], keyAreas: readonly KeyArea[], buildings: readonly Building[] = []) {
    for (const b of buildings) {
      const gridId = b.properties.gridId;
      this.buildingGrids.set(b.properties.id, gridId);
      const g = b.geometry;
      const entry = { id: b.properties.id, bbox: g.type === 'Point' ? bboxOf([g.coordinates as Position]) : bboxOf(polygonPositions(g as KeyArea['geometry'])), feature: b };
      const list = this.buildingsByGrid.get(gridId);
      if (list) list.push(entry);
      else this.buildingsByGrid.set(gridId, [entry]);
    }
    for (const r of roads) for (const part of lineParts(r.geometry)) this.lines.push({ roadId: r.properties.roadId, bbox: bboxOf(part), part });
    for (const a of keyAreas) this.areas.push({ id: a.properties.id, factor: a.properties.factor, bbox: bboxOf(polygonPositions(a.geometry)), feature: a });
  }

  /** the nearest road within `maxM` metres, or null */
  nearestRoad(lng: number, lat: number, maxM = ROAD_SNAP_M): { roadId: string; metres: number } | null {
    const dLat = maxM / M_PER_DEG;
    const dLng = dLat / Math.cos((lat * Math.PI) / 180);
    let best: { roadId: string; metres: number } | null = null;
    const pt = point([lng, lat]);
    for (const l of this.lines) {
      if (lng < l.bbox[0] - dLng || lng > l.bbox[2] + dLng || lat < l.bbox[1] - dLat || lat > l.bbox[3] + dLat) continue;
      const metres = pointToLineDistance(pt, { type: 'LineString', coordinates: l.part }, { units: 'meters' });
      if (metres <= maxM && (!best || metres < best.metres || (metres === best.metres && l.roadId < best.roadId))) best = { roadId: l.roadId, metres };
    }
    return best;
  }

  /** the key areas around a point */
  private areasAround(lng: number, lat: number) {
    const pt = point([lng, lat]);
    return this.areas.filter((a) => lng >= a.bbox[0] && lng <= a.bbox[2] && lat >= a.bbox[1] && lat <= a.bbox[3] && booleanPointInPolygon(pt, a.feature as never));
  }

  /** the key areas around a point, by id */
  keyAreasAt(lng: number, lat: number): string[] {
    return this.areasAround(lng, lat).map((a) => a.id).sort();
  }

  /**
   * the building of a grid a point lies in (an outline), or nearest within {@link BUILDING_SNAP_M}
   * metres (a point), or null; only the case's own grid's buildings (as one named by a report must be)
   */
  buildingAt(lng: number, lat: number, gridId?: string): string | null {
    const d = BUILDING_SNAP_M / M_PER_DEG;
    const dLng = d / Math.cos((lat * Math.PI) / 180);
    const pt = point([lng, lat]);
    let best: { id: string; metres: number } | null = null;
    const candidates = gridId !== undefined ? (this.buildingsByGrid.get(gridId) ?? []) : [...this.buildingsByGrid.values()].flat();
    for (const b of candidates) {
      if (lng < b.bbox[0] - dLng || lng > b.bbox[2] + dLng || lat < b.bbox[1] - d || lat > b.bbox[3] + d) continue;
      const g = b.feature.geometry;
      const metres = g.type === 'Point' ? distance(pt, point(g.coordinates), { units: 'meters' }) : booleanPointInPolygon(pt, g as never) ? 0 : Infinity;
      if (metres <= BUILDING_SNAP_M && (!best || metres < best.metres)) best = { id: b.id, metres };
    }
    return best?.id ?? null;
  }

  /** a building's grid, or undefined for an unknown id */
  buildingGrid(id: string): string | undefined {
    return this.buildingGrids.get(id);
  }

  place(lng: number, lat: number, gridId?: string): Placement {
    const around = this.areasAround(lng, lat);
    return {
      buildingId: this.buildingAt(lng, lat, gridId),
      roadId: this.nearestRoad(lng, lat)?.roadId ?? null,
      keyAreaIds: around.map((a) => a.id).sort(),
      limitFactor: Math.min(1, ...around.map((a) => a.factor)),
    };
  }
}

/**
 * a phone as screens show it: a mobile's middle four digits hidden (138****5678); a shorter number
 * (a landline) keeps only its first two and last two (65****56), a very short one none of them
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length >= 7) return `${digits.slice(0, 2)}****${digits.slice(-2)}`;
  return '****';
}

/**
 * A kept layer back in the shape an import takes (what the administrator exports, and what a
 * restart re-checks against the areas of the day): the derived fields (streets, grid) and empty
 * ones left out.
 */
export function importFormOf(kind: 'roads' | 'key_areas' | 'buildings', features: readonly (RoadSegment | KeyArea | Building)[]): { type: 'FeatureCollection'; features: unknown[] } {
  const drop = <T extends object>(o: T, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k, v]) => !keys.includes(k) && v !== null));
  const derived = { roads: ['streetIds'], key_areas: ['streetIds'], buildings: ['gridId', 'streetId'] }[kind];
  return {
    type: 'FeatureCollection',
    features: features.map((f) => {
      const p = drop(f.properties, derived);
      if (kind === 'buildings') p.units = (f as Building).properties.units.map((u) => drop(u, []));
      return { type: 'Feature', geometry: f.geometry, properties: p };
    }),
  };
}
