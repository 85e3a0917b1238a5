/**
 * @module server/domain/hotline
 * The 12345 hotline analysis (DOMAIN.md R2.7) as pure aggregation over what the store counted:
 * volume by category against the same hours one week earlier, the fastest-rising categories,
 * repeat locations (by grid, and by spots of about 100 m), on-time and satisfaction figures, an
 * hourly series and per-grid counts. No I/O and no clock: the windows are passed in.
 *
 * The rise of a category is scored as (n − b) ÷ √(b + 1), n the period's count and b the
 * baseline's: for Poisson counts √b is the baseline's spread, so the score reads like a z-score
 * (the +1 keeps a category new this week, b = 0, from dividing by zero and from outranking a
 * large real rise with a single call). A category is rising with a score of 1 or more and at
 * least two calls more than the baseline (one new call is not a trend).
 */
import { distance } from '@turf/turf';
import {
  HOTLINE_MAX_IDS,
  HOTLINE_PLACE_RADIUS_M,
  type HotlineAnalysis,
  type HotlineCategoryRow,
  type HotlineClosure,
  type HotlineRepeat,
} from '../../shared/index.ts';
import { HOUR_MS, resolveWallTime, zonedParts } from '../../shared/time-zone.ts';

export type HotlineWindow = 'period' | 'baseline';

/** The period and its baseline: the same wall-clock hours one week earlier. */
export interface HotlineWindows {
  from: number;
  to: number;
  baselineFrom: number;
  baselineTo: number;
}

/** A hotline case of the period, as the store lists it for clustering. */
export interface HotlinePoint {
  id: string;
  category: string;
  gridId: string;
  streetId: string;
  lng: number;
  lat: number;
  occurredAt: number;
  title: string;
  /** counted, but neither its title nor its id is shown (R6.2) */
  confidential: boolean;
}

/** Archived hotline cases of a window, counted by how they fared. */
export interface ClosureRow {
  window: HotlineWindow;
  breached: boolean;
  rating: 'good' | 'bad' | null;
  satisfaction: number | null;
  n: number;
}

/** What the store counts for the analysis: a few small aggregates and the period's points. */
export interface HotlineCounts {
  categories: { window: HotlineWindow; category: string; n: number }[];
  /** counts per whole hour since the window's start */
  hours: { window: HotlineWindow; hour: number; n: number }[];
  /** the period's counts per grid */
  grids: { gridId: string; streetId: string; n: number }[];
  /** the period's cases, newest first (at most the store's cap) */
  points: HotlinePoint[];
  /** the period had more cases than `points` holds */
  pointsTruncated: boolean;
  closures: ClosureRow[];
}

/** The most rising categories listed. */
export const MAX_RISING = 5;
/** The most repeat locations listed per kind. */
export const MAX_REPEATS = 50;
const WEEK_DAYS = 7;

/**
 * The instant showing the same wall-clock time `days` days away in `tz` (not `t ± days × 24 h`:
 * across a daylight-saving change a week is 167 or 169 hours).
 */
export function shiftZonedDays(t: number, days: number, tz: string): number {
  const p = zonedParts(t, tz);
  const d = new Date(Date.UTC(2000, 0, 1, 12));
  d.setUTCFullYear(p.year, p.month - 1, p.day + days);
  const ms = resolveWallTime({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: p.hour, minute: p.minute, second: p.second }, tz).ms;
  return ms + (((t % 1000) + 1000) % 1000);
}

/** The period [from, to) and its baseline one week earlier in the centre's zone. */
export function hotlineWindows(from: number, to: number, tz: string): HotlineWindows {
  return { from, to, baselineFrom: shiftZonedDays(from, -WEEK_DAYS, tz), baselineTo: shiftZonedDays(to, -WEEK_DAYS, tz) };
}

/** The rise score (n − b) ÷ √(b + 1). */
export const riseScore = (n: number, b: number): number => (n - b) / Math.sqrt(b + 1);

const changeOf = (count: number, baseline: number) => ({ count, baseline, change: count - baseline, changePct: baseline ? (count - baseline) / baseline : null });

/** Category rows, the busiest first (then the larger rise, then the code). */
export function categoryRows(rows: HotlineCounts['categories']): HotlineCategoryRow[] {
  const m = new Map<string, { n: number; b: number }>();
  for (const r of rows) {
    const a = m.get(r.category) ?? { n: 0, b: 0 };
    if (r.window === 'period') a.n += r.n;
    else a.b += r.n;
    m.set(r.category, a);
  }
  return [...m]
    .map(([category, { n, b }]) => ({ category, ...changeOf(n, b), score: riseScore(n, b) }))
    .sort((x, y) => y.count - x.count || y.change - x.change || x.category.localeCompare(y.category));
}

/** Categories scoring 1 or more with at least two calls more than the baseline, the most unusual rise first. */
export function risingCategories(rows: readonly HotlineCategoryRow[], max = MAX_RISING): HotlineCategoryRow[] {
  return rows
    .filter((r) => r.score >= 1 && r.change >= 2)
    .sort((x, y) => y.score - x.score || y.count - x.count || x.category.localeCompare(y.category))
    .slice(0, max);
}

/** Closure figures of a window; rates are null when there is nothing to divide. */
export function closureOf(rows: readonly ClosureRow[], window: HotlineWindow): HotlineClosure {
  let closed = 0;
  let onTime = 0;
  let good = 0;
  let bad = 0;
  let satSum = 0;
  let satN = 0;
  for (const r of rows) {
    if (r.window !== window) continue;
    closed += r.n;
    if (!r.breached) onTime += r.n;
    if (r.rating === 'good') good += r.n;
    if (r.rating === 'bad') bad += r.n;
    if (typeof r.satisfaction === 'number' && r.satisfaction >= 1 && r.satisfaction <= 5) {
      satSum += r.satisfaction * r.n;
      satN += r.n;
    }
  }
  return {
    closed,
    onTime,
    onTimeRate: closed ? onTime / closed : null,
    good,
    bad,
    goodRate: good + bad ? good / (good + bad) : null,
    satisfaction: satN ? satSum / satN : null,
    satisfactionN: satN,
  };
}

/** One entry per hour from `from` to `to` (the last may be partial), with the baseline's same hour. */
export function hourlySeries(w: HotlineWindows, hours: HotlineCounts['hours']): HotlineAnalysis['hourly'] {
  const n = Math.max(0, Math.ceil((w.to - w.from) / HOUR_MS));
  const count = new Array<number>(n).fill(0);
  const base = new Array<number>(n).fill(0);
  if (n === 0) return [];
  for (const h of hours) {
    // a baseline an hour longer (a daylight-saving change) folds its extra hour into the last
    const i = Math.min(n - 1, Math.max(0, Math.floor(h.hour)));
    if (h.window === 'period') count[i]! += h.n;
    else base[i]! += h.n;
  }
  return count.map((c, i) => ({ at: new Date(w.from + i * HOUR_MS).toISOString(), count: c, baseline: base[i]! }));
}

const byFrequency = (items: readonly string[]): string[] => {
  const m = new Map<string, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
};

function repeatOf(kind: HotlineRepeat['kind'], pts: readonly HotlinePoint[], count = pts.length, gridId?: string, streetId?: string): HotlineRepeat {
  const newest = [...pts].sort((a, b) => b.occurredAt - a.occurredAt || a.id.localeCompare(b.id));
  const grid = gridId ?? byFrequency(pts.map((p) => p.gridId))[0] ?? '';
  return {
    kind,
    gridId: grid,
    streetId: streetId ?? pts.find((p) => p.gridId === grid)?.streetId ?? '',
    lng: pts.length ? pts.reduce((s, p) => s + p.lng, 0) / pts.length : 0,
    lat: pts.length ? pts.reduce((s, p) => s + p.lat, 0) / pts.length : 0,
    count,
    categories: byFrequency(pts.map((p) => p.category)),
    sampleTitle: newest[0]?.title ?? '',
    caseIds: newest.slice(0, HOTLINE_MAX_IDS).map((p) => p.id),
  };
}

const byCount = (a: HotlineRepeat, b: HotlineRepeat) => b.count - a.count || a.gridId.localeCompare(b.gridId) || (a.caseIds[0] ?? '').localeCompare(b.caseIds[0] ?? '');

/** Grids with two or more hotline cases in the period; counts from the store's exact per-grid counts. */
/**
 * The points a repeat location is built from: a confidential case is in the grids' exact counts,
 * never in a spot's place, centre, title or ids (its position could be worked back from a centre).
 */
const shownPoints = (points: readonly HotlinePoint[]): readonly HotlinePoint[] => (points.some((p) => p.confidential) ? points.filter((p) => !p.confidential) : points);

export function repeatGrids(grids: HotlineCounts['grids'], points: readonly HotlinePoint[], max = MAX_REPEATS): HotlineRepeat[] {
  const pts = new Map<string, HotlinePoint[]>();
  for (const p of shownPoints(points)) {
    const list = pts.get(p.gridId);
    if (list) list.push(p);
    else pts.set(p.gridId, [p]);
  }
  return grids
    .filter((g) => g.n >= 2)
    .map((g) => repeatOf('grid', pts.get(g.gridId) ?? [], g.n, g.gridId, g.streetId))
    .sort(byCount)
    .slice(0, max);
}

/**
 * Spots where hotline cases lie within `radiusM` of each other. Densest first: the case with the
 * most unassigned neighbours within the radius takes them all as one spot, and so on; spots are
 * thus at most 2 × radius across and never chain along a street. Neighbours are found through a
 * lattice of radius-sized cells, so the work grows with the number of cases, not its square.
 */
export function repeatPlaces(all: readonly HotlinePoint[], radiusM = HOTLINE_PLACE_RADIUS_M, max = MAX_REPEATS): HotlineRepeat[] {
  const points = shownPoints(all);
  if (points.length < 2) return [];
  const meanLat = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const cellLat = radiusM / 110_540;
  const cellLng = radiusM / (111_320 * Math.max(0.05, Math.cos((meanLat * Math.PI) / 180)));
  const cellOf = (p: HotlinePoint) => [Math.floor(p.lng / cellLng), Math.floor(p.lat / cellLat)] as const;
  const cells = new Map<string, number[]>();
  points.forEach((p, i) => {
    const [x, y] = cellOf(p);
    const k = `${x}:${y}`;
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  });
  const near: number[][] = points.map((p, i) => {
    const [x, y] = cellOf(p);
    const out: number[] = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of cells.get(`${x + dx}:${y + dy}`) ?? []) {
          if (j !== i && distance([p.lng, p.lat], [points[j]!.lng, points[j]!.lat], { units: 'meters' }) <= radiusM) out.push(j);
        }
      }
    }
    return out;
  });
  const order = points.map((_, i) => i).sort((a, b) => near[b]!.length - near[a]!.length || points[b]!.occurredAt - points[a]!.occurredAt || a - b);
  const taken = new Uint8Array(points.length);
  const spots: HotlineRepeat[] = [];
  for (const i of order) {
    if (taken[i]) continue;
    const members = [i, ...near[i]!.filter((j) => !taken[j])];
    if (members.length < 2) continue;
    for (const j of members) taken[j] = 1;
    spots.push(repeatOf('place', members.map((j) => points[j]!)));
  }
  return spots.sort(byCount).slice(0, max);
}

/** The whole analysis from the store's counts. */
export function hotlineAnalysis(areaId: string, w: HotlineWindows, c: HotlineCounts): HotlineAnalysis {
  const byCategory = categoryRows(c.categories);
  const n = byCategory.reduce((s, r) => s + r.count, 0);
  const b = byCategory.reduce((s, r) => s + r.baseline, 0);
  return {
    areaId,
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
    baselineFrom: new Date(w.baselineFrom).toISOString(),
    baselineTo: new Date(w.baselineTo).toISOString(),
    total: changeOf(n, b),
    byCategory,
    rising: risingCategories(byCategory),
    repeats: {
      radiusM: HOTLINE_PLACE_RADIUS_M,
      byGrid: repeatGrids(c.grids, c.points),
      byPlace: repeatPlaces(c.points),
      truncated: c.pointsTruncated,
    },
    closure: { period: closureOf(c.closures, 'period'), baseline: closureOf(c.closures, 'baseline') },
    hourly: hourlySeries(w, c.hours),
    byGrid: c.grids.filter((g) => g.n > 0).map((g) => ({ gridId: g.gridId, count: g.n })).sort((x, y) => y.count - x.count || x.gridId.localeCompare(y.gridId)),
  };
}
