/**
 * @module server/services/replay.service
 * The wall back in time (replay, incident review) and the shift handover (交接班), read from what
 * the stores keep: cases and their append-only timelines, readings (raw and folded hourly), the
 * rolled-up series and the alarms' histories. The caller has checked scope; everything read here
 * is cut to the area in the query. The reconstruction itself is `domain/replay.ts`.
 */
import type { Handover, IndicatorDefinition, IndicatorValue, SeriesPoint, Snapshot, TimeLimits } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { rollUp, type DirectValue } from '../domain/indicators.ts';
import { isLoopIndicator, isLoopRate, loopCountWindows, loopDirectValues } from '../domain/loop-indicators.ts';
import { alarmAsOf, caseAsOf, compareActiveAlarms, derivedCountsAt, handover, openCasesAt } from '../domain/replay.ts';
import { hourHistogram, nextLocalDay, startOfLocalDay } from '../domain/time.ts';
import type { AreaScope, Clock, Store } from '../ports.ts';
import { SNAPSHOT_ALARMS, SNAPSHOT_OPEN_EVENTS, SNAPSHOT_RECENT_EVENTS } from '../realtime/snapshot.ts';
import { TREND_WINDOW_MS } from './indicator.service.ts';

export interface ReplayServiceDeps {
  store: Pick<Store, 'cases' | 'readings' | 'alarms'>;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  indicators: readonly IndicatorDefinition[];
  limits: TimeLimits;
  simulatorOn: boolean;
}

/** the epoch of a historical snapshot: no live stream follows it */
export const REPLAY_EPOCH = 'replay';
/** most alarms read per snapshot or handover (far more than a wall shows) */
const MAX_ALARMS_READ = 20_000;

/** the rows of cases that are not confidential (a wall, then or now, shows none) */
const notConfidential = <T extends { event: { confidential: boolean } }>(rows: T[]): T[] => rows.filter((r) => !r.event.confidential);

export function createReplayService(d: ReplayServiceDeps) {
  const { store, tree } = d;
  const defs = d.indicators;
  // readings older than the longest staleness window cannot make a value that is not stale
  const maxStaleMs = Math.max(0, ...defs.map((x) => x.staleAfterSec * 1000));
  const loopDefs = defs.filter((x) => x.source === 'derived' && isLoopIndicator(x.id));
  const wantsRates = loopDefs.some((x) => isLoopRate(x.id));
  const wantsCalls = loopDefs.some((x) => !isLoopRate(x.id));
  const scopeOf = (areaId: string): AreaScope => ({ id: areaId, level: tree.level(areaId)! });
  /** the street an area counts under in a handover (itself at or above a street) */
  const streetOf = (areaId: string) => (tree.level(areaId) === 'grid' ? (tree.ancestorAt(areaId, 'street')?.id ?? areaId) : areaId);

  return {
    /**
     * The area's snapshot as the live one said it at `at` (a past time): the cases open then
     * with their stage then, the newest cases received by then, today's and yesterday's hourly
     * counts of then, the indicator values and trends of then, and the alarms active then.
     */
    async snapshotAt(areaId: string, at: number): Promise<Snapshot> {
      const area = scopeOf(areaId);
      const todayStart = startOfLocalDay(at, d.timeZone);
      const yesterdayStart = startOfLocalDay(todayStart - 1, d.timeZone);
      const w = loopCountWindows(at);
      const [candidates, newest, arrivals, readings, series, alarms, closed, calls] = await Promise.all([
        // a confidential case never shows on a wall, then or now
        store.cases.casesOpenAt(at, area).then(notConfidential),
        store.cases.receivedBy(at, SNAPSHOT_RECENT_EVENTS, area).then(notConfidential),
        store.cases.arrivals(yesterdayStart, nextLocalDay(todayStart, d.timeZone), at, area),
        store.readings.readingsAsOf(at, at - maxStaleMs),
        store.readings.series(areaId, at - TREND_WINDOW_MS, at),
        store.alarms.overlapping(at, at, MAX_ALARMS_READ, area),
        wantsRates ? store.cases.closedCountsByGrid(w.closedAfter, w.now) : Promise.resolve([]),
        wantsCalls ? store.cases.callCountsByGrid(w.hotlineSource, w.callsAfter, w.now) : Promise.resolve([]),
      ]);
      const open = openCasesAt(candidates, at, d.limits);

      // the indicators: the live roll-up fed with the direct values of then
      const direct = new Map<string, Map<string, DirectValue>>(defs.map((x) => [x.id, new Map()]));
      for (const r of readings) direct.get(r.indicatorId)?.set(r.areaId, { value: r.value, at: r.at, simulated: r.simulated });
      // a drill's cases (演练) show, but no indicator counts them (arrivals leave them out already)
      const counts = derivedCountsAt(open.filter((e) => !e.drill), arrivals.filter((a) => a.occurredAt >= todayStart && a.occurredAt <= at), tree.gridIds(), at);
      for (const def of defs) {
        if (def.source !== 'derived') continue;
        if (Object.hasOwn(counts, def.id)) direct.set(def.id, counts[def.id as keyof typeof counts]);
        else if (isLoopIndicator(def.id)) direct.set(def.id, loopDirectValues(def.id, closed, calls, tree.gridIds(), at));
      }
      const shown = new Set([areaId, ...tree.children(areaId).map((c) => c.id)]);
      const indicators: IndicatorValue[] = [];
      for (const def of defs) {
        for (const v of rollUp(def, tree, direct.get(def.id)!, at).values()) if (shown.has(v.areaId)) indicators.push(v);
      }
      const trends: Record<string, SeriesPoint[]> = Object.create(null) as Record<string, SeriesPoint[]>;
      for (const r of series) (trends[r.indicatorId] ??= []).push([r.bucket, r.value]);

      const times = arrivals.map((a) => a.occurredAt);
      return {
        seq: 0,
        epoch: REPLAY_EPOCH,
        areaId,
        serverTime: new Date(at).toISOString(),
        simulatorOn: d.simulatorOn,
        indicators,
        trends,
        events: open.slice(0, SNAPSHOT_OPEN_EVENTS),
        openTotal: open.length,
        recent: newest.flatMap((c) => caseAsOf(c.event, c.timeline, at, d.limits) ?? []),
        alarms: alarms.flatMap((a) => alarmAsOf(a, at) ?? []).sort(compareActiveAlarms).slice(0, SNAPSHOT_ALARMS),
        hourly: { today: hourHistogram(times, todayStart, d.timeZone), yesterday: hourHistogram(times, yesterdayStart, d.timeZone), todayStart },
      };
    },

    /** what happened below the area in [since, until): the shift handover */
    async handover(areaId: string, since: number, until: number): Promise<Handover> {
      const area = scopeOf(areaId);
      const [entries, alarms] = await Promise.all([
        // its counts are statistics: a drill's cases (演练) are not in them
        store.cases.entriesBetween(since, until, ['report', 'archive', 'breach'], area).then((rows) => notConfidential(rows).filter((r) => !r.event.drill)),
        store.alarms.overlapping(since, until, MAX_ALARMS_READ, area),
      ]);
      return handover({ areaId, since, until, now: d.clock.now(), entries, alarms, streetOf });
    },
  };
}
export type ReplayService = ReturnType<typeof createReplayService>;
