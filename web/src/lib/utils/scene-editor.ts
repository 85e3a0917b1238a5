/**
 * @module web/utils/scene-editor
 * The admin's playlist editor as pure functions: the rows being edited, the areas a scene of a
 * display may show (streets and grids within the display's area), a new row with a sensible area,
 * moving rows, and the body to save (`areaId` only on the kinds that take one).
 */
import { AREA_SCENES, SCENE_MAX_SEC, SCENE_MIN_SEC, type AreaFeature, type DisplayConfigSave, type DisplayLayout, type Scene, type SceneKind } from '../../../../shared/index.ts';

export interface SceneRow {
  kind: SceneKind;
  /** kept while the kind takes none, so switching back restores it */
  areaId: string;
  durationSec: number;
}

/** the areas a `street` or `area` scene of a display bound to `displayAreaId` may show */
export function sceneAreas(areas: readonly AreaFeature[], displayAreaId: string, kind: SceneKind): AreaFeature[] {
  const parent = new Map(areas.map((a) => [a.properties.id, a.properties.parentId]));
  const within = (id: string) => {
    for (let at: string | null | undefined = id; at; at = parent.get(at)) if (at === displayAreaId) return true;
    return false;
  };
  const levels = kind === 'street' ? ['street'] : kind === 'area' ? ['street', 'grid'] : [];
  return areas.filter((a) => levels.includes(a.properties.level) && within(a.properties.id));
}

export const rowsOf = (scenes: readonly Scene[]): SceneRow[] => scenes.map((s) => ({ kind: s.kind, areaId: s.areaId ?? '', durationSec: s.durationSec }));

/** a new row: 30 s, and for a kind that names an area, the first it may show */
export function newRow(kind: SceneKind, options: readonly AreaFeature[]): SceneRow {
  return { kind, areaId: AREA_SCENES.includes(kind) ? (options[0]?.properties.id ?? '') : '', durationSec: 30 };
}

/** the rows with row `i` moved by `by` (−1 up, +1 down); unchanged at either end */
export function moveRow<T>(rows: readonly T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (i < 0 || i >= rows.length || j < 0 || j >= rows.length) return [...rows];
  const out = [...rows];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** a duration typed in, kept within the bounds the server accepts */
export const clampDuration = (v: number): number => (Number.isFinite(v) ? Math.min(SCENE_MAX_SEC, Math.max(SCENE_MIN_SEC, Math.round(v))) : 30);

/** the body of `PUT …/config` */
export function saveBody(rows: readonly SceneRow[], layout: DisplayLayout): DisplayConfigSave {
  return {
    layout,
    scenes: rows.map((r) => (AREA_SCENES.includes(r.kind) ? { kind: r.kind, areaId: r.areaId, durationSec: r.durationSec } : { kind: r.kind, durationSec: r.durationSec })),
  };
}

/** seconds of one full cycle */
export const cycleSeconds = (rows: readonly { durationSec: number }[]): number => rows.reduce((n, r) => n + r.durationSec, 0);
