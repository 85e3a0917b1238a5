/**
 * @module web/utils/key-areas
 * 重点区域 and 路长制 on the wall: each key area's board row (its open cases now — a drill's left
 * out — the overdue and the severe among them), and what a case's detail says of its road, its
 * 路长 and its key areas. Pure.
 */
import type { GridEvent, KeyArea, RoadSegment } from '../../../../shared/index.ts';

export interface KeyAreaRow {
  id: string;
  name: string;
  nameEn: string;
  factor: number;
  focus: string | null;
  open: number;
  overdue: number;
  severe: number;
}

/**
 * One row per key area, the busiest (most overdue, then most open) first, then by name.
 * @example keyAreaRows(layers.keyAreas, data.openEvents, serverNow)
 */
export function keyAreaRows(areas: readonly KeyArea[], open: readonly GridEvent[], nowMs: number): KeyAreaRow[] {
  const rows = new Map<string, KeyAreaRow>(
    areas.map((a) => [a.properties.id, { id: a.properties.id, name: a.properties.name, nameEn: a.properties.nameEn, factor: a.properties.factor, focus: a.properties.focus, open: 0, overdue: 0, severe: 0 }]),
  );
  for (const e of open) {
    if (e.drill) continue;
    for (const id of e.keyAreaIds) {
      const r = rows.get(id);
      if (!r) continue;
      r.open++;
      if (e.dueAt !== null && Date.parse(e.dueAt) <= nowMs) r.overdue++;
      if (e.severity === 'high' || e.severity === 'critical') r.severe++;
    }
  }
  return [...rows.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.name.localeCompare(b.name, 'zh'));
}

/** what a case's detail says of where it lies among the layers (null where nothing is known) */
export interface CasePlace {
  road: { name: string; chief: RoadSegment['properties']['chief'] } | null;
  keyAreas: string[];
  /** the limits' tightening, when its key areas tighten them */
  factor: number | null;
}

export function casePlace(e: Pick<GridEvent, 'roadId' | 'keyAreaIds' | 'limitFactor'>, roads: readonly RoadSegment[], areas: readonly KeyArea[], lang: 'zh' | 'en'): CasePlace {
  const seg = e.roadId === null ? undefined : roads.find((r) => r.properties.roadId === e.roadId);
  return {
    road: e.roadId === null ? null : { name: seg?.properties.name ?? e.roadId, chief: seg?.properties.chief ?? null },
    keyAreas: e.keyAreaIds.map((id) => {
      const a = areas.find((x) => x.properties.id === id);
      return a ? (lang === 'zh' ? a.properties.name : a.properties.nameEn) : id;
    }),
    factor: e.limitFactor < 1 ? e.limitFactor : null,
  };
}
