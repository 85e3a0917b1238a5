/**
 * @module grid-overlays
 *
 * The demo's 多格合一 (DOMAIN.md R1.5, R1.6): which 城运, 警务 and 综治 grid each generated grid
 * belongs to, its zone type and an estimated population. No open data gives these memberships, so
 * they are drawn approximately, like the grids themselves, and a centre imports its own
 * (`npm run geo:import`):
 *
 * - 城运 work grid (工作网格): the grids of a street in one 2 × 2 block of the 400 m lattice (≈ 800 m);
 * - 警务 grid (社区警务区): the grids of a street in one 3 × 3 block (≈ 1.2 km);
 * - 综治 grid: the nearest residents' committee (居委) of the grid's own street, by its seat point
 *   in the 2016 统计用区划代码 (id: the committee's 12-digit code, name: its name); a street with
 *   fewer than {@link MIN_COMMITTEES} such points (殷行 has one) falls back to 2 × 2 blocks;
 * - zone type: `core` (杨浦 lies wholly in the central city, 中心城区);
 * - population: the district's census total shared out by area, marked `populationEstimated`.
 *
 * Pure: no I/O.
 */
import type { GridAttributes } from '../../shared/index.ts';

export interface OverlayGrid {
  id: string;
  streetId: string;
  streetName: string;
  /** the grid's centroid */
  lng: number;
  lat: number;
  /** the lattice cell (column west → east, row north → south) of its centroid */
  col: number;
  row: number;
  areaM2: number;
}

export interface Committee {
  code: string;
  /** the street (街道/镇) code it belongs to */
  parent: string;
  name: string;
  lng: number;
  lat: number;
}

/** a street needs this many committee points for its 综治 grids to follow them */
export const MIN_COMMITTEES = 3;

/** numbered blocks of a street, in the order the grids come (north → south, west → east) */
function blocks(grids: readonly OverlayGrid[], size: number, prefix: string): Map<string, { id: string; n: number }> {
  const byKey = new Map<string, { id: string; n: number }>();
  const perStreet = new Map<string, number>();
  const out = new Map<string, { id: string; n: number }>();
  for (const g of grids) {
    const key = `${g.streetId}|${Math.floor(g.col / size)}|${Math.floor(g.row / size)}`;
    let b = byKey.get(key);
    if (!b) {
      const n = (perStreet.get(g.streetId) ?? 0) + 1;
      perStreet.set(g.streetId, n);
      b = { id: `${g.streetId}-${prefix}${String(n).padStart(2, '0')}`, n };
      byKey.set(key, b);
    }
    out.set(g.id, b);
  }
  return out;
}

/** squared ground distance, good enough to pick the nearest point within a district */
const d2 = (a: { lng: number; lat: number }, b: { lng: number; lat: number }) => {
  const k = Math.cos((a.lat * Math.PI) / 180);
  return ((a.lng - b.lng) * k) ** 2 + (a.lat - b.lat) ** 2;
};

/**
 * The attributes of every grid (in the order given, which numbers the blocks).
 * @example gridOverlays(grids, committees, 1_242_548).get('310110001000-g001')?.overlays?.zongzhi
 */
export function gridOverlays(grids: readonly OverlayGrid[], committees: readonly Committee[], populationTotal: number): Map<string, GridAttributes> {
  const chengyun = blocks(grids, 2, 'c');
  const jingwu = blocks(grids, 3, 'j');
  const fallback = blocks(grids, 2, 'z');
  const totalM2 = grids.reduce((s, g) => s + g.areaM2, 0);
  const out = new Map<string, GridAttributes>();
  for (const g of grids) {
    const own = committees.filter((c) => c.parent === g.streetId);
    const near = own.length >= MIN_COMMITTEES ? own.reduce((best, c) => (d2(c, g) < d2(best, g) ? c : best)) : null;
    const c = chengyun.get(g.id)!;
    const j = jingwu.get(g.id)!;
    const z = near ? { id: near.code, name: near.name } : { id: fallback.get(g.id)!.id, name: `${g.streetName} 第${fallback.get(g.id)!.n}综治网格` };
    out.set(g.id, {
      overlays: { chengyun: c.id, jingwu: j.id, zongzhi: z.id },
      overlayNames: { chengyun: `${g.streetName} 第${c.n}城运工作网格`, jingwu: `${g.streetName} 第${j.n}警务区`, zongzhi: z.name },
      zoneType: 'core',
      population: Math.round((populationTotal * g.areaM2) / totalM2),
      populationEstimated: true,
    });
  }
  return out;
}
