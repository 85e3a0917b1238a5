/**
 * @module web/utils/scope
 * What the wall draws for its root area (the session's area): a district wall shows its streets
 * and their grids; a street centre shows its own street and grids, with the district around it
 * as an outline only. The server sends only the session's area, its descendants and its
 * ancestors, so siblings are simply missing and nothing here may depend on them.
 */
import type { AreaFeature, AreaLevel } from '../../../../shared/index.ts';

export interface ScopeGeometry {
  /** the session's area, once the areas are in */
  root: AreaFeature | undefined;
  rootLevel: AreaLevel;
  /** ancestors below the city, drawn as outlines only (the district around a street centre) */
  context: AreaFeature[];
  /** the streets drawn and labelled: the district's streets, or the street itself */
  streets: AreaFeature[];
  /** the grids of those streets (or the grid itself for a grid-bound wall) */
  grids: AreaFeature[];
  /** whether the wall may drill from its root into a street (district and city walls) */
  canDrill: boolean;
}

/** Ancestors of an area that are present in `byId`, nearest first. */
export function ancestorsOf(byId: ReadonlyMap<string, AreaFeature>, id: string): AreaFeature[] {
  const out: AreaFeature[] = [];
  const seen = new Set<string>([id]);
  let parent = byId.get(id)?.properties.parentId ?? null;
  while (parent && !seen.has(parent)) {
    seen.add(parent);
    const a = byId.get(parent);
    if (!a) break;
    out.push(a);
    parent = a.properties.parentId;
  }
  return out;
}

/** Whether `id` is `rootId` or lies below it. */
export function isWithin(byId: ReadonlyMap<string, AreaFeature>, id: string, rootId: string): boolean {
  return id === rootId || ancestorsOf(byId, id).some((a) => a.properties.id === rootId);
}

/**
 * The geometry a wall rooted at `rootId` draws.
 * @example scopeGeometry(areas, '310110019000').streets // [五角场街道]
 */
export function scopeGeometry(areas: readonly AreaFeature[], rootId: string, levelHint: AreaLevel = 'district'): ScopeGeometry {
  const byId = new Map(areas.map((a) => [a.properties.id, a]));
  const root = byId.get(rootId);
  const rootLevel = root?.properties.level ?? levelHint;
  const context = ancestorsOf(byId, rootId).filter((a) => a.properties.level !== 'city');
  const below = (a: AreaFeature) => isWithin(byId, a.properties.id, rootId);
  let streets: AreaFeature[];
  let grids: AreaFeature[];
  switch (rootLevel) {
    case 'street':
      streets = root ? [root] : [];
      grids = areas.filter((a) => a.properties.level === 'grid' && a.properties.parentId === rootId);
      break;
    case 'grid':
      streets = [];
      grids = root ? [root] : [];
      break;
    default: {
      streets = areas.filter((a) => a.properties.level === 'street' && below(a));
      const ids = new Set(streets.map((s) => s.properties.id));
      grids = areas.filter((a) => a.properties.level === 'grid' && a.properties.parentId !== null && ids.has(a.properties.parentId));
    }
  }
  return { root, rootLevel, context, streets, grids, canDrill: rootLevel === 'district' || rootLevel === 'city' };
}
