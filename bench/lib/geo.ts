/**
 * @module bench/lib/geo
 * A pool of points inside the district's grids (data/geo/areas.geojson), so every benchmark event
 * and point reading is placeable: for each grid, its `pointOnFeature` nudged a few metres, plus
 * random points of its bounding box kept only if they fall inside the grid polygon. Each point is
 * checked with the server's own placement (AreaTree.locate) before it enters the pool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bbox, booleanPointInPolygon, point, pointOnFeature } from '@turf/turf';
import type { Feature, Polygon, MultiPolygon } from 'geojson';
import { AreaTree } from '../../server/domain/areas.ts';
import type { AreaCollection } from '../../shared/index.ts';
import { REPO_ROOT } from './child.ts';

export interface PoolPoint {
  lng: number;
  lat: number;
  gridId: string;
  /** the street the grid belongs to (its parent area) */
  streetId: string;
}

/** deterministic PRNG (mulberry32), so runs post the same places */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pointPool(perGrid = 8, seed = 7): { points: PoolPoint[]; grids: number; districtId: string; streetIds: string[] } {
  const fc = JSON.parse(readFileSync(join(REPO_ROOT, 'data/geo/areas.geojson'), 'utf8')) as AreaCollection;
  const tree = new AreaTree(fc);
  const rand = rng(seed);
  const grids = fc.features.filter((f) => f.properties.level === 'grid') as unknown as Feature<Polygon | MultiPolygon, { id: string }>[];
  const points: PoolPoint[] = [];
  const keep = (lng: number, lat: number) => {
    const g = tree.locate(lng, lat);
    if (g) points.push({ lng: Math.round(lng * 1e6) / 1e6, lat: Math.round(lat * 1e6) / 1e6, gridId: g.id, streetId: tree.ancestorAt(g.id, 'street')?.id ?? '' });
    return !!g;
  };
  for (const f of grids) {
    const [x0, y0, x1, y1] = bbox(f);
    const inside = (lng: number, lat: number) => booleanPointInPolygon(point([lng, lat]), f);
    const [px, py] = pointOnFeature(f).geometry.coordinates as [number, number];
    // the point on the feature, jittered by up to ~10 m while it stays inside
    let placed = false;
    for (let i = 0; i < 20 && !placed; i++) {
      const lng = px + (rand() - 0.5) * 2e-4;
      const lat = py + (rand() - 0.5) * 2e-4;
      if (inside(lng, lat)) placed = keep(lng, lat);
    }
    if (!placed) keep(px, py);
    for (let k = 1, tries = 0; k < perGrid && tries < perGrid * 30; tries++) {
      const lng = x0 + rand() * (x1 - x0);
      const lat = y0 + rand() * (y1 - y0);
      if (inside(lng, lat) && keep(lng, lat)) k++;
    }
  }
  // shuffle, so consecutive events spread over the district
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  return { points, grids: grids.length, districtId: tree.districtId, streetIds: tree.ofLevel('street').map((s) => s.id) };
}
