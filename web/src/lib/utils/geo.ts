/**
 * @module web/utils/geo
 * Small planar helpers over area geometries (a district is a few km across, so lng/lat can be
 * treated as planar for label placement and bounds).
 */
import type { AreaGeometry } from '../../../../shared/index.ts';

export type LngLat = [number, number];
export type Bounds = [[number, number], [number, number]];
type Ring = number[][];

function polygonsOf(g: AreaGeometry): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** [[west, south], [east, north]] of geometries; null if there are no coordinates. */
export function boundsOf(geoms: readonly AreaGeometry[]): Bounds | null {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const g of geoms) {
    for (const poly of polygonsOf(g)) {
      for (const ring of poly) {
        for (const p of ring) {
          const x = p[0] as number, y = p[1] as number;
          if (x < w) w = x;
          if (x > e) e = x;
          if (y < s) s = y;
          if (y > n) n = y;
        }
      }
    }
  }
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}

function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const pi = ring[i] as number[], pj = ring[j] as number[];
    a += (pj[0] as number) * (pi[1] as number) - (pi[0] as number) * (pj[1] as number);
  }
  return a / 2;
}

function inRing(pt: LngLat, ring: Ring): boolean {
  let inside = false;
  const [x, y] = pt;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!, yi = ring[i]![1]!, xj = ring[j]![0]!, yj = ring[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies inside a (multi)polygon, holes excluded. */
export function containsPoint(g: AreaGeometry, pt: LngLat): boolean {
  return polygonsOf(g).some((poly) => poly.length > 0 && inRing(pt, poly[0]!) && !poly.slice(1).some((h) => inRing(pt, h)));
}

/**
 * A point to anchor an area's label: the centroid of its largest polygon when that falls inside,
 * otherwise the interior point of a horizontal scan line through the polygon's middle.
 */
export function labelPoint(g: AreaGeometry): LngLat | null {
  let best: Ring | null = null;
  let bestArea = 0;
  let bestPoly: Ring[] | null = null;
  for (const poly of polygonsOf(g)) {
    const outer = poly[0];
    if (!outer) continue;
    const a = Math.abs(ringArea(outer));
    if (a > bestArea) {
      bestArea = a;
      best = outer;
      bestPoly = poly;
    }
  }
  if (!best || !bestPoly) return null;
  let cx = 0, cy = 0, a6 = 0;
  for (let i = 0, j = best.length - 1; i < best.length; j = i++) {
    const [xi, yi] = best[i] as [number, number];
    const [xj, yj] = best[j] as [number, number];
    const f = xj * yi - xi * yj;
    cx += (xj + xi) * f;
    cy += (yj + yi) * f;
    a6 += f * 3;
  }
  const centroid: LngLat = a6 !== 0 ? [cx / a6, cy / a6] : (best[0] as LngLat);
  const poly = { type: 'Polygon', coordinates: bestPoly } as AreaGeometry;
  if (containsPoint(poly, centroid)) return centroid;
  // Scan line through the centroid's latitude: take the middle of the widest inside span.
  const y = centroid[1];
  const xs: number[] = [];
  for (const ring of bestPoly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i]![0]!, yi = ring[i]![1]!, xj = ring[j]![0]!, yj = ring[j]![1]!;
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((p, q) => p - q);
  let span = -1;
  let mid: LngLat = best[0] as LngLat;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const width = xs[k + 1]! - xs[k]!;
    if (width > span) {
      span = width;
      mid = [(xs[k]! + xs[k + 1]!) / 2, y];
    }
  }
  return mid;
}
