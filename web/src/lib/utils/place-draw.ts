/**
 * @module web/utils/place-draw
 * Where a new task is (挂图作战): a point typed as `lng,lat` or clicked on the map, or an area drawn
 * by clicking its corners; pure functions from what the officer did to the task's `location`
 * (shared/schemas/task.ts: a Point, or a Polygon of one closed ring).
 *
 * @example
 * parsePoint('121.514, 31.302')           // { type: 'Point', coordinates: [121.514, 31.302] }
 * ringOf([[0, 0], [1, 0], [1, 1]])         // { type: 'Polygon', coordinates: [[[0,0],[1,0],[1,1],[0,0]]] }
 */
import type { TaskLocation } from '../../../../shared/index.ts';

export type Position = [number, number];
/** the schema's limit is 500 points a ring, the closing one included */
export const MAX_CORNERS = 499;

/** six decimals: about 0.1 m, more than a click can mean */
const round = (x: number) => Math.round(x * 1e6) / 1e6;
export const roundPosition = ([lng, lat]: readonly [number, number]): Position => [round(lng), round(lat)];

/** `lng,lat` (comma, full-width comma or spaces) as a point; null when empty; an error message when unreadable */
export function parsePoint(text: string): TaskLocation | null | { error: string } {
  const t = text.trim();
  if (!t) return null;
  const parts = t.split(/[,，\s]+/).map(Number);
  if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x))) return { error: 'lng,lat' };
  const [lng, lat] = parts as Position;
  if (lng < -180 || lng > 180 || lat < -90 || lat > 90) return { error: 'lng,lat' };
  return { type: 'Point', coordinates: roundPosition([lng, lat]) };
}

/** `lng,lat` of a point, as the text field shows it */
export const pointText = (p: readonly [number, number]): string => `${round(p[0])},${round(p[1])}`;

/**
 * The corners clicked, as a polygon: repeated clicks on one spot count once, the ring is closed;
 * null with fewer than three distinct corners or more than {@link MAX_CORNERS}.
 */
export function ringOf(corners: readonly (readonly [number, number])[]): Extract<TaskLocation, { type: 'Polygon' }> | null {
  const ring: Position[] = [];
  for (const c of corners.map(roundPosition)) {
    const last = ring.at(-1);
    if (!last || last[0] !== c[0] || last[1] !== c[1]) ring.push(c);
  }
  // a last click on the first corner closes the ring: it is not a corner of its own
  if (ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1]) ring.pop();
  if (new Set(ring.map((p) => p.join(','))).size < 3 || ring.length > MAX_CORNERS) return null;
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}
