/**
 * @module server/domain/hotspots
 * Recurring problems and emerging hotspots (DOMAIN.md R5.5 「对苗头性、倾向性问题抓早抓小,对顽固性、
 * 反复性问题抓常抓长」) as pure functions over values: no I/O, no clock (`now` is passed in).
 *
 * - **Recurring**: a new case is `recurring` when earlier cases of its category lie within
 *   `radiusM` metres (great-circle) and occurred within `windowMs` before it. The store narrows
 *   the candidates with a bounding box ({@link searchBox}) on an index; {@link relatedCases}
 *   decides on the exact distance.
 * - **Emerging**: a (grid, category) whose count in the recent window is significantly above its
 *   own baseline — the same hours of the past 4 weeks ({@link baselinePlan}) — by a one-sided
 *   Poisson test ({@link detectEmerging}).
 *
 * @example
 *   const plan = baselinePlan('24h'); // { windowMs: 86_400_000, periodMs: 86_400_000, spans: 28 }
 *   detectEmerging([{ key: 'g1|noise', observed: 9, history: Array(28).fill(1) }], plan.spans);
 */
import { createRequire } from 'node:module';
import { distance, point } from '@turf/turf';
import { HOTSPOT_WINDOW_MS, MAX_RELATED_IDS, type HotspotWindow, type Role } from '../../shared/index.ts';

// jstat ships CommonJS only (and no types): the one function used here is typed below
const { jStat } = createRequire(import.meta.url)('jstat') as { jStat: { poisson: { cdf(k: number, lambda: number): number; pdf(k: number, lambda: number): number } } };

/** How recurrence is decided; `RECURRENCE_RADIUS_M` / `RECURRENCE_WINDOW_DAYS` configure it. */
export interface RecurrenceRule {
  /** great-circle distance, metres */
  radiusM: number;
  /** how far back (by occurredAt) an earlier case still counts */
  windowMs: number;
}
export const DEFAULT_RECURRENCE: RecurrenceRule = { radiusM: 200, windowMs: 30 * 86_400_000 };

/** A case as far as recurrence and clustering need it. */
export interface CasePoint {
  id: string;
  category: string;
  lng: number;
  lat: number;
  /** epoch ms */
  occurredAt: number;
  gridId: string;
  streetId: string;
}

/** great-circle distance in metres (haversine on the mean Earth radius, through turf) */
export function distanceMeters(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  return distance(point([a.lng, a.lat]), point([b.lng, b.lat]), { units: meters });
}
const meters = 'meters' as const;

const EARTH_RADIUS_M = 6_371_008.8;
/**
 * A lng/lat box that surely contains every point within `radiusM` of (lng, lat): the candidates a
 * store fetches by index before {@link relatedCases} measures exactly. 1 % wider than needed.
 */
export function searchBox(lng: number, lat: number, radiusM: number): { minLng: number; maxLng: number; minLat: number; maxLat: number } {
  const dLat = ((radiusM / EARTH_RADIUS_M) * 180) / Math.PI * 1.01;
  // the widest longitude span is at the box's pole-ward edge
  const edge = Math.min(89.9, Math.abs(lat) + dLat);
  const dLng = dLat / Math.cos((edge * Math.PI) / 180);
  return { minLng: lng - dLng, maxLng: lng + dLng, minLat: lat - dLat, maxLat: lat + dLat };
}

/**
 * A coarse lattice of 0.002° cells (about 220 m × 190 m here) that lets the store seek the cases
 * near a point by index instead of scanning a band of latitude. A cell's number is
 * `row · 1e6 + column`, so the cells of one row of a box form one contiguous range.
 * The store computes the same number in SQL for rows stored before (same double arithmetic).
 */
export const GEO_CELL_DEG = 0.002;
export function geoCell(lng: number, lat: number): number {
  return Math.floor((lat + 90) / GEO_CELL_DEG) * 1_000_000 + Math.floor((lng + 180) / GEO_CELL_DEG);
}
/** the cell-number ranges (one per lattice row) that cover a box */
export function cellRanges(box: { minLng: number; maxLng: number; minLat: number; maxLat: number }): [number, number][] {
  const r0 = Math.floor((box.minLat + 90) / GEO_CELL_DEG);
  const r1 = Math.floor((box.maxLat + 90) / GEO_CELL_DEG);
  const c0 = Math.floor((box.minLng + 180) / GEO_CELL_DEG);
  const c1 = Math.floor((box.maxLng + 180) / GEO_CELL_DEG);
  const out: [number, number][] = [];
  for (let r = r0; r <= r1; r++) out.push([r * 1_000_000 + c0, r * 1_000_000 + c1]);
  return out;
}

/**
 * The lattice cells a store must search for cases within `radiusM` of (lng, lat): the cells of
 * {@link cellRanges}' box whose rectangle comes within the radius by the same flat-earth estimate
 * (1 % over) the store filters rows by; the box's corner cells usually do not. A cell left out
 * holds no row that estimate would keep (its edges are widened by a hair for rounding).
 */
export function cellsNear(lng: number, lat: number, radiusM: number): number[] {
  const box = searchBox(lng, lat, radiusM);
  const r = box.maxLat - lat; // the radius in degrees of latitude, 1 % over
  const cos2 = Math.cos((lat * Math.PI) / 180) ** 2;
  const eps = 1e-9;
  const out: number[] = [];
  for (const [first, last] of cellRanges(box)) {
    const row = Math.floor(first / 1_000_000);
    const lat0 = row * GEO_CELL_DEG - 90 - eps;
    const lat1 = (row + 1) * GEO_CELL_DEG - 90 + eps;
    const dy = Math.max(0, lat0 - lat, lat - lat1);
    for (let cell = first; cell <= last; cell++) {
      const col = cell - row * 1_000_000;
      const lng0 = col * GEO_CELL_DEG - 180 - eps;
      const lng1 = (col + 1) * GEO_CELL_DEG - 180 + eps;
      const dx = Math.max(0, lng0 - lng, lng - lng1);
      if (dy * dy + dx * dx * cos2 <= r * r) out.push(cell);
    }
  }
  return out;
}

/**
 * The earlier cases a new case links to: same category, occurred in [occurredAt − windowMs,
 * occurredAt] (an earlier stamp, or the same instant), within `radiusM`, itself excluded; the most
 * recent first (then the nearest), at most {@link MAX_RELATED_IDS}. Empty: the case is not recurring.
 * The candidates must already exclude merged duplicates (they are one problem, not a recurrence).
 */
export function relatedCases(c: Omit<CasePoint, 'gridId' | 'streetId'>, candidates: readonly Omit<CasePoint, 'gridId' | 'streetId'>[], rule: RecurrenceRule): string[] {
  const near: { id: string; d: number; at: number }[] = [];
  for (const o of candidates) {
    if (o.id === c.id || o.category !== c.category) continue;
    if (o.occurredAt > c.occurredAt || o.occurredAt < c.occurredAt - rule.windowMs) continue;
    const d = distanceMeters(c, o);
    if (d <= rule.radiusM) near.push({ id: o.id, d, at: o.occurredAt });
  }
  near.sort((a, b) => b.at - a.at || a.d - b.d || (a.id < b.id ? -1 : 1));
  return near.slice(0, MAX_RELATED_IDS).map((n) => n.id);
}

/**
 * How a window is compared with its own past. The window is [now − windowMs, now); baseline span
 * k (1…spans) is the same window shifted back by k·periodMs:
 * - `6h`, `24h`: the same clock hours on each of the 28 days before (period 24 h, 28 spans);
 * - `7d`: the same weekday-hours of each of the 4 weeks before (period 7 d, 4 spans).
 * Shifts are whole multiples of 24 h (Asia/Shanghai keeps no daylight saving time).
 */
export function baselinePlan(window: HotspotWindow): { windowMs: number; periodMs: number; spans: number } {
  const windowMs = HOTSPOT_WINDOW_MS[window];
  return window === '7d' ? { windowMs, periodMs: 7 * 86_400_000, spans: 4 } : { windowMs, periodMs: 86_400_000, spans: 28 };
}

/**
 * P(X ≥ k) for X ~ Poisson(lambda), k ≥ 0. Above the mean the tail is summed term by term (1 − cdf
 * would round a very small p to 0, and bursts could no longer be ranked by it).
 */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (k <= lambda) return Math.min(1, Math.max(0, 1 - jStat.poisson.cdf(k - 1, lambda)));
  let sum = 0;
  for (let i = k; i < k + 1000; i++) {
    const term = jStat.poisson.pdf(i, lambda);
    sum += term;
    if (term <= sum * 1e-16) break;
  }
  return Math.min(1, sum);
}

export interface EmergingOptions {
  /** flagged when p is below this (default 0.01) */
  alpha: number;
  /** and at least this many cases in the window (default 3) */
  minCount: number;
}
export const DEFAULT_EMERGING: EmergingOptions = { alpha: 0.01, minCount: 3 };

export interface WindowCounts<K> {
  key: K;
  /** cases in the current window */
  observed: number;
  /** cases in each baseline span (missing spans count as 0) */
  history: readonly number[];
}

export interface EmergingResult<K> {
  key: K;
  observed: number;
  /** the mean of the baseline spans, as used by the test (after the floor) */
  baseline: number;
  p: number;
}

/**
 * The cells whose window count is significantly above their own baseline: λ = the mean count of
 * the `spans` baseline spans, but at least 0.5 / spans (a cell never seen before is treated as if
 * half a case had been seen in its whole history, so the test stays defined: with 28 spans, 3
 * new cases give p ≈ 1e-6 and are flagged, 2 are not — the minimum count); p = P(X ≥ observed | λ);
 * flagged when p < alpha, observed ≥ minCount and observed > λ. Most significant first.
 */
export function detectEmerging<K>(cells: readonly WindowCounts<K>[], spans: number, opts: EmergingOptions = DEFAULT_EMERGING): EmergingResult<K>[] {
  const out: EmergingResult<K>[] = [];
  const floor = 0.5 / spans;
  for (const c of cells) {
    if (c.observed < opts.minCount) continue;
    let sum = 0;
    for (const h of c.history) sum += h;
    const lambda = Math.max(sum / spans, floor);
    if (c.observed <= lambda) continue;
    const p = poissonTail(c.observed, lambda);
    if (p < opts.alpha) out.push({ key: c.key, observed: c.observed, baseline: sum / spans, p });
  }
  return out.sort((a, b) => a.p - b.p || b.observed - a.observed);
}

/** A recurring case with the earlier cases it links to. */
export interface RecurringCase extends CasePoint {
  relatedIds: readonly string[];
}

export interface RecurringCluster {
  /** the cases of the cluster in the window, newest first */
  cases: CasePoint[];
  category: string;
  /** the grid and street most of its cases lie in */
  gridId: string;
  streetId: string;
  centroid: [number, number];
}

/**
 * Recurring spots: recurring cases joined with the earlier cases they link to into connected
 * clusters, counting the cases in the window (`recurring` and `inWindow`); the clusters of at least
 * `minCases` such cases, largest first.
 */
export function recurringClusters(recurring: readonly RecurringCase[], inWindow: ReadonlyMap<string, CasePoint>, minCases: number): RecurringCluster[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; parent.get(y) !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  const add = (x: string) => void (parent.has(x) || parent.set(x, x));
  const points = new Map<string, CasePoint>();
  for (const c of recurring) {
    add(c.id);
    points.set(c.id, c);
    for (const rid of c.relatedIds) {
      // an earlier case outside the window still joins the cases that link to it (same place),
      // but is not counted
      const o = inWindow.get(rid);
      add(rid);
      if (o) points.set(rid, o);
      const a = find(c.id);
      const b = find(rid);
      if (a !== b) parent.set(a, b);
    }
  }
  const groups = new Map<string, CasePoint[]>();
  for (const id of parent.keys()) {
    if (!points.has(id)) continue;
    const root = find(id);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(points.get(id)!);
  }
  const out: RecurringCluster[] = [];
  for (const cases of groups.values()) {
    if (cases.length < minCases) continue;
    cases.sort((a, b) => b.occurredAt - a.occurredAt || (a.id < b.id ? -1 : 1));
    const grids = new Map<string, { n: number; streetId: string }>();
    for (const c of cases) {
      const g = grids.get(c.gridId) ?? { n: 0, streetId: c.streetId };
      g.n++;
      grids.set(c.gridId, g);
    }
    const [gridId, g] = [...grids.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))[0]!;
    const lng = cases.reduce((s, c) => s + c.lng, 0) / cases.length;
    const lat = cases.reduce((s, c) => s + c.lat, 0) / cases.length;
    out.push({ cases, category: cases[0]!.category, gridId, streetId: g.streetId, centroid: [lng, lat] });
  }
  return out.sort((a, b) => b.cases.length - a.cases.length || b.cases[0]!.occurredAt - a.cases[0]!.occurredAt);
}

/** who may mark a case typical: the roles that act on cases (a wall only watches) */
export const mayTag = (role: Role): boolean => role === 'admin' || role === 'district' || role === 'street';
