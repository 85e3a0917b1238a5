/**
 * @module server/services/hotspot.service
 * Hotspots (DOMAIN.md R5.5): emerging hotspots by the Poisson test of `domain/hotspots.ts` and
 * recurring spots from the cases tagged `recurring` at ingest, computed district-wide once per
 * window and cached briefly (a wall of screens asking every minute costs one computation), then
 * cut to each caller's area.
 *
 * The `emerging` tag is given at detection time: every `tagEveryMs` the 24 h window is evaluated
 * and the cases of each emerging (grid, category) that occurred in that window — and not merged as
 * duplicates — are tagged, with a timeline entry; later cases in the same grid are tagged at the
 * next run while the hotspot lasts. Like `recurring`, the tag then stays.
 */
import { centroid } from '@turf/turf';
import { MAX_HOTSPOT_CASE_IDS, type AreaCollection, type GridEvent, type Hotspot, type HotspotWindow } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { baselinePlan, DEFAULT_EMERGING, detectEmerging, recurringClusters, type CasePoint, type EmergingOptions, type WindowCounts } from '../domain/hotspots.ts';
import type { Broadcaster, Clock, Logger, Store } from '../ports.ts';

export interface HotspotOptions {
  /** how long a computed window is served from cache (default 60 s) */
  cacheMs: number;
  /** a recurring spot has at least this many linked cases in the window (default 3) */
  minRecurring: number;
  emerging: EmergingOptions;
}
export const DEFAULT_HOTSPOT_OPTIONS: HotspotOptions = { cacheMs: 60_000, minRecurring: 3, emerging: DEFAULT_EMERGING };

export interface HotspotServiceDeps {
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  clock: Clock;
  areas: AreaCollection;
  logger: Logger;
  options?: Partial<HotspotOptions>;
  /** the live stream: the cases whose tags changed go out through it, one call per tagging round */
  broadcaster: Pick<Broadcaster, 'publishEvents'>;
}

/** A hotspot with its cases' grids, so it can be cut to any scope. */
interface Computed extends Omit<Hotspot, 'caseIds'> {
  cases: { id: string; gridId: string }[];
}

/** the most cases of an emerging hotspot the tagging run looks at */
const MAX_TAGGED_PER_HOTSPOT = 500;

export function createHotspotService(deps: HotspotServiceDeps) {
  const { store, tree, clock, logger } = deps;
  const opts = { ...DEFAULT_HOTSPOT_OPTIONS, ...deps.options };
  const centroids = new Map<string, [number, number]>();
  for (const f of deps.areas.features) {
    if (f.properties.level === 'grid') centroids.set(f.properties.id, centroid(f as never).geometry.coordinates as [number, number]);
  }
  const cache = new Map<HotspotWindow, { at: number; result: Promise<{ generatedAt: number; hotspots: Computed[] }> }>();

  async function compute(window: HotspotWindow, now: number): Promise<{ generatedAt: number; hotspots: Computed[] }> {
    const plan = baselinePlan(window);
    const from = now - plan.windowMs;
    // emerging: per (grid, category) and per grid over all categories
    const rows = await store.cases.hotspotCounts({ now, ...plan });
    const cells = new Map<string, WindowCounts<{ gridId: string; streetId: string; category: string | null }> & { history: number[] }>();
    const cell = (gridId: string, streetId: string, category: string | null) => {
      const k = `${gridId}\u0000${category ?? ''}`;
      let c = cells.get(k);
      if (!c) cells.set(k, (c = { key: { gridId, streetId, category }, observed: 0, history: new Array<number>(plan.spans).fill(0) }));
      return c;
    };
    for (const r of rows) {
      for (const c of [cell(r.gridId, r.streetId, r.category), cell(r.gridId, r.streetId, null)]) {
        if (r.k === 0) c.observed += r.n;
        else if (r.k <= plan.spans) c.history[r.k - 1]! += r.n;
      }
    }
    const hotspots: Computed[] = [];
    for (const e of detectEmerging([...cells.values()], plan.spans, opts.emerging)) {
      const ids = await store.cases.casesInGrid(from, now, e.key.gridId, e.key.category, MAX_HOTSPOT_CASE_IDS);
      hotspots.push({
        kind: 'emerging',
        gridId: e.key.gridId,
        streetId: e.key.streetId,
        categoryCode: e.key.category,
        count: e.observed,
        baseline: e.baseline,
        p: e.p,
        centroid: centroids.get(e.key.gridId) ?? [0, 0],
        cases: ids.map((id) => ({ id, gridId: e.key.gridId })),
      });
    }
    // recurring: clusters of linked cases in the window
    const recurring = await store.cases.recurringCases(from, now);
    const linked = new Set(recurring.flatMap((r) => r.relatedIds));
    for (const r of recurring) linked.delete(r.id);
    const inWindow = new Map<string, CasePoint>(recurring.map((r) => [r.id, r]));
    for (const p of await store.cases.casePoints([...linked])) if (p.occurredAt >= from && p.occurredAt < now) inWindow.set(p.id, p);
    for (const c of recurringClusters(recurring, inWindow, opts.minRecurring)) {
      hotspots.push({
        kind: 'recurring',
        gridId: c.gridId,
        streetId: c.streetId,
        categoryCode: c.category,
        count: c.cases.length,
        baseline: null,
        p: null,
        centroid: c.centroid,
        cases: c.cases.map((x) => ({ id: x.id, gridId: x.gridId })),
      });
    }
    return { generatedAt: now, hotspots };
  }

  /** the district-wide hotspots of a window, from cache while fresh; parallel callers share one computation */
  function districtWide(window: HotspotWindow): Promise<{ generatedAt: number; hotspots: Computed[] }> {
    const now = clock.now();
    const hit = cache.get(window);
    if (hit && now - hit.at < opts.cacheMs) return hit.result;
    const result = compute(window, now);
    cache.set(window, { at: now, result });
    result.catch(() => cache.delete(window));
    return result;
  }

  return {
    /** the hotspots whose grid lies in the area, their cases cut to the area */
    async forArea(areaId: string, window: HotspotWindow): Promise<{ generatedAt: string; hotspots: Hotspot[] }> {
      const { generatedAt, hotspots } = await districtWide(window);
      const out: Hotspot[] = [];
      for (const h of hotspots) {
        if (!tree.isWithin(h.gridId, areaId)) continue;
        const visible = h.cases.filter((c) => tree.isWithin(c.gridId, areaId));
        // a recurring cluster reaching into another street counts only what this scope may see
        const count = h.kind === 'recurring' ? visible.length : h.count;
        if (h.kind === 'recurring' && count < opts.minRecurring) continue;
        const { cases: _cases, ...rest } = h;
        out.push({ ...rest, count, caseIds: visible.slice(0, MAX_HOTSPOT_CASE_IDS).map((c) => c.id) });
      }
      return { generatedAt: new Date(generatedAt).toISOString(), hotspots: out };
    },

    /** tag the cases of the current 24 h emerging hotspots `emerging`; returns how many changed */
    async tagEmerging(): Promise<number> {
      const now = clock.now();
      const { windowMs } = baselinePlan('24h');
      const { hotspots } = await districtWide('24h');
      const at = new Date(now).toISOString();
      const changes = [];
      for (const h of hotspots) {
        if (h.kind !== 'emerging') continue;
        const ids = await store.cases.casesInGrid(now - windowMs, now, h.gridId, h.categoryCode, MAX_TAGGED_PER_HOTSPOT);
        for (const id of ids) {
          changes.push({
            id,
            tag: 'emerging' as const,
            on: true,
            entry: { at, actor: 'system', actorRole: 'system', action: 'tag' as const, note: '', attachments: [], data: { tag: 'emerging', on: true, gridId: h.gridId, category: h.categoryCode, count: h.count, baseline: h.baseline, p: h.p } },
          });
        }
      }
      if (!changes.length) return 0;
      const changed = await store.cases.setTags(changes, now);
      if (changed.length) deps.broadcaster.publishEvents(changed.map((event) => ({ created: false, event })));
      if (changed.length) logger.info({ tagged: changed.length }, 'cases in emerging hotspots tagged');
      return changed.length;
    },
  };
}
export type HotspotService = ReturnType<typeof createHotspotService>;
