/**
 * @module server/services/indicator.service
 * The live state of every indicator for every area. Readings and server-derived counts are kept
 * as direct values per (indicator, area); on each tick the indicators that changed are rolled up
 * (domain/indicators.ts) and only the values that changed are published. Roll-ups of streets and
 * the district are also written to a bucketed series, which feeds the trend sparklines.
 */
import { isOpenStatus, type EventStatus, type GridEvent, type IndicatorDefinition, type IndicatorValue, type SeriesPoint } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { rollUp, valueChanged, type DirectValue } from '../domain/indicators.ts';
import { isLoopIndicator, isLoopRate, loopCountWindows, loopDirectValues, type ClosedCounts } from '../domain/loop-indicators.ts';
import { floorTo, startOfLocalDay } from '../domain/time.ts';
import type { Broadcaster, Clock, IndicatorPoint, Logger, NewReading, SeriesRow, Store } from '../ports.ts';

export const SERIES_BUCKET_MS = 10 * 60_000;
export const TREND_WINDOW_MS = 24 * 3_600_000;
/** every so often all indicators are re-evaluated, so values turn stale without new readings */
const FULL_RECOMPUTE_MS = 30_000;
const SERIES_LEVELS = new Set(['city', 'district', 'street']);

export interface IndicatorServiceDeps {
  store: Pick<Store, 'cases' | 'readings'>;
  tree: AreaTree;
  indicators: readonly IndicatorDefinition[];
  clock: Clock;
  timeZone: string;
  /** the live stream: changed values and new points go out through it */
  broadcaster: Pick<Broadcaster, 'publishIndicators'>;
  /** told of every published change too (the alarm rules judge rolled-up values) */
  valuesChanged?: (values: IndicatorValue[]) => void;
  logger: Logger;
}

export function createIndicatorService(deps: IndicatorServiceDeps) {
  const { store, tree, clock, broadcaster } = deps;
  const defs = new Map(deps.indicators.map((d) => [d.id, d]));
  const direct = new Map<string, Map<string, DirectValue>>(deps.indicators.map((d) => [d.id, new Map()]));
  const current = new Map<string, Map<string, IndicatorValue>>(deps.indicators.map((d) => [d.id, new Map()]));
  const dirty = new Set<string>();
  let derivedDirty = true;
  let lastFull = 0;
  let running: Promise<void> | null = null;

  // the closed loop's rates and the 12345 volume are counted only if the registry has any of them
  const loopDefs = deps.indicators.filter((d) => d.source === 'derived' && isLoopIndicator(d.id));
  const wantsRates = loopDefs.some((d) => isLoopRate(d.id));
  const wantsCalls = loopDefs.some((d) => !isLoopRate(d.id));
  // 30 days of closed cases move only when a case is archived (or leave the window, which the
  // periodic full refresh catches): their counts are kept between refreshes
  let closedRows: ClosedCounts[] = [];
  let closedDirty = true;

  // Open and today's cases per grid: counted in full at start, on a new local day and with the
  // periodic full refresh, and in between kept up to date from what ingest and the loop report (a
  // tick re-reads only the overdue cases, by their deadline index), so a refresh does not re-read
  // every open case. Changes are reported right after their commit, with no I/O in between: the
  // full count (a synchronous SQLite read at the start of a tick) never sees a change it is told
  // of again; the periodic full count bounds any drift all the same.
  let gridCounts: Map<string, { open: number; today: number }> | null = null;
  let countsDay = 0;
  /** changes reported so far: a full count that saw one arrive while it read is not kept */
  let reported = 0;
  const countsOf = (gridId: string) => {
    let c = gridCounts!.get(gridId);
    if (!c) gridCounts!.set(gridId, (c = { open: 0, today: 0 }));
    return c;
  };

  async function refreshDerived(now: number) {
    // cleared before the reads: a change that arrives while they run marks them again
    derivedDirty = false;
    try {
      await readDerived(now);
    } catch (err) {
      derivedDirty = true;
      throw err;
    }
  }

  async function readCounts(now: number): Promise<Map<string, { open: number; overdue: number; today: number }>> {
    const todayStart = startOfLocalDay(now, deps.timeZone);
    let overdue: { gridId: string; overdue: number }[];
    let counts: Map<string, { open: number; today: number }>;
    if (!gridCounts || countsDay !== todayStart) {
      const before = reported;
      const rows = await store.cases.openCountsByGrid(now, todayStart);
      counts = new Map(rows.map((r) => [r.gridId, { open: r.open, today: r.today }]));
      countsDay = todayStart;
      overdue = rows;
      // A change reported while the count was read (the read and the report's commit can
      // interleave: always on PostgreSQL, between microtasks on SQLite) may or may not be in it, and
      // was not added to it: such a count serves this tick only, and the next one counts in full.
      gridCounts = reported === before ? counts : null;
      if (!gridCounts) derivedDirty = true;
    } else {
      // kept before the read: a change reported meanwhile may drop the running counts
      counts = gridCounts;
      overdue = await store.cases.overdueCountsByGrid(now);
    }
    const out = new Map<string, { open: number; overdue: number; today: number }>();
    for (const [gridId, c] of counts) out.set(gridId, { ...c, overdue: 0 });
    for (const o of overdue) {
      const c = out.get(o.gridId);
      if (c) c.overdue = o.overdue;
      else out.set(o.gridId, { open: 0, today: 0, overdue: o.overdue });
    }
    return out;
  }

  async function readDerived(now: number) {
    const byGrid = await readCounts(now);
    const pick = { open_events: 'open', overdue_events: 'overdue', events_today: 'today' } as const;
    for (const def of deps.indicators) {
      if (def.source !== 'derived') continue;
      const field = Object.hasOwn(pick, def.id) ? pick[def.id as keyof typeof pick] : undefined;
      if (!field) continue;
      const m = direct.get(def.id)!;
      for (const gridId of tree.gridIds()) m.set(gridId, { value: byGrid.get(gridId)?.[field] ?? 0, at: now, simulated: false });
      dirty.add(def.id);
    }
    if (loopDefs.length) {
      const w = loopCountWindows(now);
      if (wantsRates && closedDirty) {
        closedDirty = false;
        try {
          closedRows = await store.cases.closedCountsByGrid(w.closedAfter, w.now);
        } catch (err) {
          closedDirty = true;
          throw err;
        }
      }
      const calls = wantsCalls ? await store.cases.callCountsByGrid(w.hotlineSource, w.callsAfter, w.now) : [];
      for (const def of loopDefs) {
        direct.set(def.id, loopDirectValues(def.id, closedRows, calls, tree.gridIds(), now));
        dirty.add(def.id);
      }
    }
  }

  function recompute(now: number, publish: boolean) {
    const changed: IndicatorValue[] = [];
    const series: SeriesRow[] = [];
    const points: IndicatorPoint[] = [];
    const bucket = floorTo(now, SERIES_BUCKET_MS);
    for (const id of dirty) {
      const values = rollUp(defs.get(id)!, tree, direct.get(id)!, now);
      const cur = current.get(id)!;
      // derived counts are re-stamped on every refresh: only a new value or status is news
      const derived = defs.get(id)!.source === 'derived';
      for (const v of values.values()) {
        const before = cur.get(v.areaId);
        if (!valueChanged(before, v, !derived)) {
          if (before && before.at !== v.at) cur.set(v.areaId, v);
          continue;
        }
        cur.set(v.areaId, v);
        changed.push(v);
        if (v.value !== null && v.status !== 'stale' && SERIES_LEVELS.has(tree.level(v.areaId)!) && before?.value !== v.value) {
          series.push({ indicatorId: id, areaId: v.areaId, bucket, value: v.value });
          points.push({ areaId: v.areaId, indicatorId: id, point: [bucket, v.value] });
        }
      }
    }
    dirty.clear();
    return { changed, series, points, publish };
  }

  async function tick(): Promise<void> {
    const now = clock.now();
    if (derivedDirty) await refreshDerived(now);
    if (now - lastFull >= FULL_RECOMPUTE_MS) {
      lastFull = now;
      derivedDirty = true; // overdue counts move with the clock, closed cases leave the rates' window
      closedDirty = true;
      gridCounts = null; // and open and today's cases are counted in full again

      for (const id of defs.keys()) dirty.add(id);
    }
    if (dirty.size === 0) return;
    const r = recompute(now, true);
    if (r.series.length) await store.readings.upsertSeries(r.series);
    if (r.changed.length) {
      broadcaster.publishIndicators(r.changed, r.points);
      deps.valuesChanged?.(r.changed);
    }
  }

  return {
    definitions: deps.indicators,

    /** load the latest direct values from the store and compute every value (publishes nothing) */
    async init(): Promise<void> {
      for (const r of await store.readings.latestReadings()) {
        direct.get(r.indicatorId)?.set(r.areaId, { value: r.value, at: r.at, simulated: r.simulated });
      }
      const now = clock.now();
      await refreshDerived(now);
      for (const id of defs.keys()) dirty.add(id);
      lastFull = now;
      const r = recompute(now, false);
      if (r.series.length) await store.readings.upsertSeries(r.series);
    },

    /**
     * Readings committed (by this node, or by another: then `writeSeries` is false, since the node
     * that committed them wrote their series points).
     */
    readingsStored(rows: NewReading[], writeSeries = true): void {
      const series: SeriesRow[] = [];
      for (const r of rows) {
        const m = direct.get(r.indicatorId);
        if (!m) continue;
        const prev = m.get(r.areaId);
        if (!prev || r.at >= prev.at) m.set(r.areaId, { value: r.value, at: r.at, simulated: r.simulated });
        dirty.add(r.indicatorId);
        // a value posted for a street or the district is itself a point of that area's series,
        // and of the series of the areas below that inherit it
        if (writeSeries && SERIES_LEVELS.has(tree.level(r.areaId)!)) {
          const bucket = floorTo(r.at, SERIES_BUCKET_MS);
          series.push({ indicatorId: r.indicatorId, areaId: r.areaId, bucket, value: r.value });
          if (defs.get(r.indicatorId)!.inherit) {
            for (const c of tree.children(r.areaId)) {
              if (SERIES_LEVELS.has(c.level) && !m.has(c.id)) series.push({ indicatorId: r.indicatorId, areaId: c.id, bucket, value: r.value });
            }
          }
        }
      }
      if (series.length) store.readings.upsertSeries(series).catch((err) => deps.logger.error({ err }, 'series write failed'));
    },

    /**
     * Events or cases changed: derived values are refreshed on the next tick. Pass the changed
     * case when there is one: an archived case also refreshes the closed-case rates (otherwise
     * they follow within the periodic full refresh).
     */
    eventsChanged(changed?: { status: EventStatus }): void {
      derivedDirty = true;
      reported++;
      gridCounts = null; // nothing says what changed: counted in full
      if (changed?.status === 'archived') closedDirty = true;
    },

    /** new cases just committed: counted in (a drill's never), refreshed on the next tick */
    eventsCreated(events: readonly (Pick<GridEvent, 'gridId' | 'status' | 'occurredAt'> & { drill?: boolean })[]): void {
      derivedDirty = true;
      reported++;
      if (!gridCounts) return;
      for (const e of events) {
        if (e.drill) continue;
        const c = countsOf(e.gridId);
        if (isOpenStatus(e.status)) c.open++;
        if (Date.parse(e.occurredAt) >= countsDay) c.today++;
      }
    },

    /**
     * A case just changed (committed): its move between open and closed is counted; an archived
     * case also refreshes the closed-case rates (otherwise they follow within the full refresh).
     */
    caseChanged(before: Pick<GridEvent, 'gridId' | 'status'>, after: Pick<GridEvent, 'gridId' | 'status'> & { drill?: boolean }): void {
      derivedDirty = true;
      reported++;
      if (after.drill) return; // a drill's case (演练) is in no count
      if (after.status === 'archived') closedDirty = true;
      if (!gridCounts) return;
      if (isOpenStatus(before.status)) countsOf(before.gridId).open--;
      if (isOpenStatus(after.status)) countsOf(after.gridId).open++;
    },

    /** evaluate what changed and publish it; overlapping calls share one run */
    tick(): Promise<void> {
      running ??= tick().finally(() => (running = null));
      return running;
    },

    /**
     * Several nodes: values another node (the leaseholder, which computes and publishes them)
     * rolled up, so this node's snapshots show them too.
     */
    adopt(values: readonly IndicatorValue[]): void {
      for (const v of values) current.get(v.indicatorId)?.set(v.areaId, v);
    },

    /**
     * Several nodes: this node just took the lease and computes from now on. Direct values are
     * reloaded from the store (every reading committed anywhere is there; those committed from now
     * on arrive through the cluster), derived ones are read on the next tick, and that tick
     * publishes whatever differs from the values last adopted.
     */
    async resync(): Promise<void> {
      for (const r of await store.readings.latestReadings()) {
        const m = direct.get(r.indicatorId);
        const prev = m?.get(r.areaId);
        if (m && (!prev || r.at >= prev.at)) m.set(r.areaId, { value: r.value, at: r.at, simulated: r.simulated });
      }
      derivedDirty = true;
      closedDirty = true;
      for (const id of defs.keys()) dirty.add(id);
    },

    /** every current value (all indicators, all areas) */
    allValues(): IndicatorValue[] {
      const out: IndicatorValue[] = [];
      for (const m of current.values()) out.push(...m.values());
      return out;
    },

    /** current values of the area and of its direct children */
    valuesFor(areaId: string): IndicatorValue[] {
      const ids = new Set([areaId, ...(tree.get(areaId)?.children ?? [])]);
      const out: IndicatorValue[] = [];
      for (const m of current.values()) for (const id of ids) {
        const v = m.get(id);
        if (v) out.push(v);
      }
      return out;
    },

    async trends(areaId: string): Promise<Record<string, SeriesPoint[]>> {
      const rows = await store.readings.series(areaId, clock.now() - TREND_WINDOW_MS);
      const out: Record<string, SeriesPoint[]> = Object.create(null) as Record<string, SeriesPoint[]>;
      for (const r of rows) (out[r.indicatorId] ??= []).push([r.bucket, r.value]);
      return out;
    },
  };
}
export type IndicatorService = ReturnType<typeof createIndicatorService>;
