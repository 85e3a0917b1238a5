/**
 * @module areas-validate
 *
 * Pure validation and normalisation of an area-hierarchy GeoJSON
 * (city → district → street → grid), as written to `data/geo/areas.geojson`
 * by `npm run geo` or imported from a centre's own data by `npm run geo:import`.
 *
 * Rules:
 * - a FeatureCollection of Features with Polygon or MultiPolygon geometry;
 * - properties `id` (non-empty string; an integer is accepted and turned into a
 *   string), `level` ("city" | "district" | "street" | "grid"), `parentId`
 *   (an id, or null for the root), `name` (non-empty string);
 *   optional `nameEn` (defaults to `name`), `approximate` (defaults to false),
 *   `seq` (grids only: positive integer unique within the street; missing
 *   values are filled with the next free numbers in input order);
 * - grids only, each optional (多格合一, R1.5/R1.6): `overlays` (`{ chengyun, jingwu, zongzhi }`
 *   ids of the 城运, 警务 and 综治 grids it belongs to), `overlayNames` (their names), `zoneType`
 *   ("core" | "urbanised" | "rural"), `focus` (管理重点), `population` (an integer),
 *   `populationEstimated`; a street, district or city carrying one is an error;
 * - ids are unique; exactly one root (parentId null) and it is a city or a
 *   district; every parentId exists; a district's parent is a city, a street's
 *   parent is a district and a grid's parent is a street.
 *
 * Every error names the feature by its index in `features` and its id.
 * The property types are the shared ones (shared/schemas/area.ts).
 */
import { GRID_ATTRIBUTE_KEYS, GridAttributes, type AreaCollection, type AreaFeature, type AreaLevel, type AreaProperties } from '../../shared/index.ts';

export type { AreaCollection, AreaFeature, AreaLevel, AreaProperties };

export const AREA_LEVELS: readonly AreaLevel[] = ['city', 'district', 'street', 'grid'];

/** The parent level each level must have (the root has none). */
const PARENT_LEVEL: Record<AreaLevel, AreaLevel | null> = {
  city: null,
  district: 'city',
  street: 'district',
  grid: 'street',
};

/** Same limit as the shared zod schema (shared/schemas/area.ts). */
const MAX_ID_LENGTH = 64;

export interface AreasValidation {
  ok: boolean;
  errors: string[];
  /** Normalised collection (defaults filled, properties in a fixed order); null when not ok. */
  areas: AreaCollection | null;
  counts: Record<AreaLevel, number>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isPosition = (p: unknown): boolean =>
  Array.isArray(p) &&
  p.length >= 2 &&
  p.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
  Math.abs(p[0] as number) <= 180 &&
  Math.abs(p[1] as number) <= 90;

/** Returns a problem description, or null if the ring is fine. */
function ringProblem(ring: unknown): string | null {
  if (!Array.isArray(ring)) return 'a ring is not an array';
  if (ring.length < 4) return `a ring has ${ring.length} positions (at least 4 needed)`;
  if (!ring.every(isPosition)) return 'a ring has a position that is not [lng, lat] in range';
  const a = ring[0] as number[];
  const b = ring[ring.length - 1] as number[];
  if (a[0] !== b[0] || a[1] !== b[1]) return 'a ring is not closed (first and last positions differ)';
  return null;
}

function polygonProblem(rings: unknown): string | null {
  if (!Array.isArray(rings) || rings.length === 0) return 'a polygon has no rings';
  for (const r of rings) {
    const p = ringProblem(r);
    if (p) return p;
  }
  return null;
}

function geometryProblem(g: unknown): string | null {
  if (!isObject(g)) return 'geometry is missing';
  if (g.type === 'Polygon') return polygonProblem(g.coordinates);
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'MultiPolygon has no polygons';
    for (const poly of g.coordinates) {
      const p = polygonProblem(poly);
      if (p) return p;
    }
    return null;
  }
  return `geometry type must be Polygon or MultiPolygon, got ${JSON.stringify(g.type)}`;
}

/** Accepts a non-empty string or an integer; returns the string form or null. */
function idString(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '' && v.length <= MAX_ID_LENGTH) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return null;
}

/**
 * Validates an area hierarchy. Pure: no I/O, input is not modified.
 */
export function validateAreas(input: unknown): AreasValidation {
  const errors: string[] = [];
  const counts: Record<AreaLevel, number> = { city: 0, district: 0, street: 0, grid: 0 };
  const fail = (): AreasValidation => ({ ok: false, errors, areas: null, counts });

  if (!isObject(input) || input.type !== 'FeatureCollection' || !Array.isArray(input.features)) {
    errors.push('input is not a GeoJSON FeatureCollection with a "features" array');
    return fail();
  }
  if (input.features.length === 0) {
    errors.push('the FeatureCollection has no features');
    return fail();
  }

  const label = (i: number, id: string | null) => `feature[${i}]${id !== null ? ` (id "${id}")` : ''}`;
  /** Valid features (null where pass 1 found a problem). */
  const out: (AreaFeature | null)[] = [];
  /** What could be read of every feature, valid or not, so that pass 2 can still check the rest. */
  const seen: { id: string | null; parentId: string | null | undefined; level: AreaLevel | undefined }[] = [];

  // Pass 1: each feature on its own.
  input.features.forEach((f: unknown, i: number) => {
    if (!isObject(f) || f.type !== 'Feature') {
      errors.push(`${label(i, null)}: not a GeoJSON Feature`);
      out.push(null);
      seen.push({ id: null, parentId: undefined, level: undefined });
      return;
    }
    const p = isObject(f.properties) ? f.properties : null;
    const id = p ? idString(p.id) : null;
    const where = label(i, id);
    const before = errors.length;
    if (!p) {
      errors.push(`${where}: properties are missing`);
      out.push(null);
      seen.push({ id: null, parentId: undefined, level: undefined });
      return;
    }
    if (id === null) errors.push(`${where}: properties.id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    // the live stream names a unit's channel `unit:<unit>:<area>` (server/realtime/hub.ts)
    else if (id.startsWith('unit:')) errors.push(`${where}: properties.id must not begin with "unit:"`);
    const level = p.level as AreaLevel;
    if (!AREA_LEVELS.includes(level))
      errors.push(`${where}: properties.level must be one of ${AREA_LEVELS.join(', ')}; got ${JSON.stringify(p.level)}`);
    let parentId: string | null = null;
    if (!('parentId' in p) || p.parentId === undefined)
      errors.push(`${where}: properties.parentId is missing (use null for the root)`);
    else if (p.parentId !== null) {
      parentId = idString(p.parentId);
      if (parentId === null) errors.push(`${where}: properties.parentId must be an id string or null`);
    }
    if (typeof p.name !== 'string' || p.name.trim() === '')
      errors.push(`${where}: properties.name must be a non-empty string`);
    if (p.nameEn !== undefined && p.nameEn !== null && typeof p.nameEn !== 'string')
      errors.push(`${where}: properties.nameEn must be a string if given`);
    if (p.approximate !== undefined && p.approximate !== null && typeof p.approximate !== 'boolean')
      errors.push(`${where}: properties.approximate must be true or false if given`);
    let seq: number | undefined;
    if (level === 'grid' && p.seq !== undefined && p.seq !== null) {
      if (typeof p.seq !== 'number' || !Number.isSafeInteger(p.seq) || p.seq < 1)
        errors.push(`${where}: properties.seq must be a positive integer if given`);
      else seq = p.seq;
    }
    const attrs: Record<string, unknown> = {};
    for (const k of GRID_ATTRIBUTE_KEYS) if (p[k] !== undefined && p[k] !== null) attrs[k] = p[k];
    let gridAttrs: GridAttributes = {};
    if (Object.keys(attrs).length && level !== 'grid') errors.push(`${where}: ${Object.keys(attrs).join(', ')} belong to grids only`);
    else if (level === 'grid') {
      const r = GridAttributes.safeParse(attrs);
      if (r.success) gridAttrs = r.data;
      else for (const issue of r.error.issues) errors.push(`${where}: properties.${issue.path.join('.')}: ${issue.message}`);
    }
    const gp = geometryProblem(f.geometry);
    if (gp) errors.push(`${where}: ${gp}`);
    seen.push({
      id,
      parentId: p.parentId === null ? null : (parentId ?? undefined),
      level: AREA_LEVELS.includes(level) ? level : undefined,
    });

    if (errors.length > before) {
      out.push(null);
      return;
    }
    const name = p.name as string;
    const props: AreaProperties = {
      id: id!,
      level,
      parentId,
      name,
      nameEn: typeof p.nameEn === 'string' && p.nameEn.trim() !== '' ? p.nameEn : name,
      approximate: p.approximate === true,
    };
    if (seq !== undefined) props.seq = seq;
    Object.assign(props, gridAttrs);
    out.push({ type: 'Feature', properties: props, geometry: f.geometry as AreaFeature['geometry'] });
  });

  // Pass 2: the hierarchy, using whatever pass 1 could read (so one bad feature
  // does not hide the problems of the others).
  const byId = new Map<string, number>();
  seen.forEach(({ id }, i) => {
    if (id === null) return;
    const first = byId.get(id);
    if (first !== undefined) errors.push(`${label(i, id)}: duplicate id (first used by feature[${first}])`);
    else byId.set(id, i);
  });

  const roots = seen.map((s, i) => ({ s, i })).filter(({ s }) => s.parentId === null);
  if (roots.length === 0) errors.push('no root: exactly one feature (the city or the district) must have parentId null');
  if (roots.length > 1)
    errors.push(`${roots.length} roots (${roots.map(({ s, i }) => label(i, s.id)).join(', ')}): exactly one feature may have parentId null`);
  for (const { s, i } of roots)
    if (s.level !== undefined && s.level !== 'city' && s.level !== 'district')
      errors.push(`${label(i, s.id)}: a ${s.level} cannot be the root (parentId null); the root must be a city or a district`);

  seen.forEach(({ id, level, parentId }, i) => {
    if (level !== undefined) counts[level]++;
    if (parentId === null || parentId === undefined || level === undefined) return;
    const where = label(i, id);
    const pi = byId.get(parentId);
    if (pi === undefined) {
      errors.push(`${where}: parentId "${parentId}" does not exist`);
      return;
    }
    const parentLevel = seen[pi]!.level;
    if (parentLevel === undefined) return; // the parent's own error is reported already
    const want = PARENT_LEVEL[level];
    if (want === null) errors.push(`${where}: a city must be the root (parentId null), but has parentId "${parentId}"`);
    else if (parentLevel !== want)
      errors.push(`${where}: a ${level}'s parent must be a ${want}, but "${parentId}" (feature[${pi}]) is a ${parentLevel}`);
  });

  if (errors.length > 0) return fail();
  const feats = out as AreaFeature[];

  // Grid sequence numbers: unique within the street; fill in missing ones.
  const used = new Map<string, Set<number>>();
  feats.forEach((f, i) => {
    const { level, parentId, seq, id } = f.properties;
    if (level !== 'grid' || seq === undefined || parentId === null) return;
    const set = used.get(parentId) ?? new Set<number>();
    if (set.has(seq)) errors.push(`${label(i, id)}: seq ${seq} is already used in street "${parentId}"`);
    set.add(seq);
    used.set(parentId, set);
  });
  if (errors.length > 0) return fail();

  const features = feats.map((f) => {
    const p = { ...f.properties };
    if (p.level === 'grid' && p.seq === undefined && p.parentId !== null) {
      const set = used.get(p.parentId) ?? new Set<number>();
      let n = 1;
      while (set.has(n)) n++;
      set.add(n);
      used.set(p.parentId, set);
      p.seq = n;
    }
    const props: AreaProperties = {
      id: p.id,
      level: p.level,
      parentId: p.parentId,
      name: p.name,
      nameEn: p.nameEn,
      approximate: p.approximate,
    };
    if (p.level === 'grid') {
      props.seq = p.seq;
      for (const k of GRID_ATTRIBUTE_KEYS) if (p[k] !== undefined) Object.assign(props, { [k]: p[k] });
    }
    return { type: 'Feature' as const, properties: props, geometry: f.geometry };
  });

  return { ok: true, errors: [], areas: { type: 'FeatureCollection', features }, counts };
}
