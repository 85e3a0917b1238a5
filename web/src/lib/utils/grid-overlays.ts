/**
 * @module web/utils/grid-overlays
 * 多格合一 on the map (DOMAIN.md R1.5, R1.6): each grid coloured by the 城运, 警务 or 综治 grid it
 * belongs to, neighbouring overlay grids in different colours (a greedy colouring of the groups
 * over the grids' touching boxes), and the names the wall shows for overlays, zone types and a
 * grid's detail.
 */
import type { AreaFeature, LocalisedText, OverlayKind, StatsGrouping, ZoneType } from '../../../../shared/index.ts';
import { boundsOf } from './geo.ts';
import type { Lang } from './i18n.ts';

/** colours told apart on the dark map, from 5 m */
export const OVERLAY_PALETTE = ['#38d6ff', '#ffb020', '#b98cff', '#4ee08a', '#ff6f91', '#f5e960', '#5f8dff'] as const;

export const OVERLAY_NAMES: Record<OverlayKind, LocalisedText> = {
  chengyun: { zh: '城运网格', en: 'City ops grids' },
  jingwu: { zh: '警务网格', en: 'Police grids' },
  zongzhi: { zh: '综治网格', en: 'Governance grids' },
};
/** how the statistics may be grouped besides streets and units */
export const GROUPING_LABELS: Record<StatsGrouping, LocalisedText> = {
  ...OVERLAY_NAMES,
  road: { zh: '道路（路长）', en: 'Roads' },
  keyArea: { zh: '重点区域', en: 'Key areas' },
};
export const ZONE_TYPE_NAMES: Record<ZoneType, LocalisedText> = {
  core: { zh: '核心区', en: 'Core area' },
  urbanised: { zh: '城市化地区', en: 'Urbanised area' },
  rural: { zh: '农村地区', en: 'Rural area' },
};

const EPS = 1e-6;
type Box = [number, number, number, number];
const touches = (a: Box, b: Box) => a[0] <= b[2] + EPS && b[0] <= a[2] + EPS && a[1] <= b[3] + EPS && b[1] <= a[3] + EPS;

/**
 * A colour index per grid for one overlay kind: the grids of one overlay grid share it, and two
 * overlay grids whose grids touch get different ones where the palette allows. Grids in no overlay
 * grid of that kind are left out.
 * @example overlayColours(grids, 'zongzhi').get('310110001000-g001') // 0…6
 */
export function overlayColours(grids: readonly AreaFeature[], kind: OverlayKind): Map<string, number> {
  const boxes: { id: string; group: string; box: Box }[] = [];
  for (const g of grids) {
    const group = g.properties.overlays?.[kind];
    const b = boundsOf([g.geometry]);
    if (group !== undefined && b) boxes.push({ id: g.properties.id, group, box: [b[0][0], b[0][1], b[1][0], b[1][1]] });
  }
  const neighbours = new Map<string, Set<string>>();
  for (const x of boxes) if (!neighbours.has(x.group)) neighbours.set(x.group, new Set());
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.group !== b.group && touches(a.box, b.box)) {
        neighbours.get(a.group)!.add(b.group);
        neighbours.get(b.group)!.add(a.group);
      }
    }
  }
  // most-constrained first, then by id: the same colours on every screen
  const order = [...neighbours.keys()].sort((a, b) => neighbours.get(b)!.size - neighbours.get(a)!.size || a.localeCompare(b));
  const colour = new Map<string, number>();
  for (const group of order) {
    const taken = new Set([...neighbours.get(group)!].map((n) => colour.get(n)).filter((c) => c !== undefined));
    let c = 0;
    while (taken.has(c) && c < OVERLAY_PALETTE.length - 1) c++;
    colour.set(group, c);
  }
  return new Map(boxes.map((x) => [x.id, colour.get(x.group)!]));
}

/** the lines of a grid's detail about its overlays: kind, overlay grid's name (or id) */
export function overlayLines(p: AreaFeature['properties'], lang: Lang): { kind: OverlayKind; label: string; value: string }[] {
  const out: { kind: OverlayKind; label: string; value: string }[] = [];
  for (const kind of ['chengyun', 'jingwu', 'zongzhi'] as const) {
    const id = p.overlays?.[kind];
    if (id !== undefined) out.push({ kind, label: OVERLAY_NAMES[kind][lang], value: p.overlayNames?.[kind] ?? id });
  }
  return out;
}
