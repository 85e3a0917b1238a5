/**
 * @module server/services/forecast.service
 * Forecasts (趋势预判) of an indicator for an area from the server's own history, for the wall's
 * trend chart and for early warnings (预计 N 小时后超标).
 *
 * History, first that has enough (see {@link prepareHistory}: ≥ 72 observed hours after the
 * last gap over 6 h, the newest at most 3 h old):
 *   1. the area's own readings, as hourly means (raw readings and their hourly aggregates);
 *   2. the area's rolled-up series (10-minute buckets of the live roll-up, kept 35 days), each
 *      value held until the next for at most the indicator's stale time, averaged per hour;
 *   3. for an indicator that areas inherit (PM2.5: one station holds for the district), the
 *      readings of the nearest ancestor.
 * The hour now under way counts with what it has so far; the first forecast hour is the next.
 *
 * Fits run in one worker thread ({@link createForecastWorker}), never on the event loop. A
 * 24-hour forecast is cached per (indicator, area) until the next full hour or for 10 minutes,
 * whichever comes first; shorter horizons are cut from it; parallel requests share one fit.
 */
import type { AreaLevel, ForecastReason, ForecastResponse, IndicatorDefinition } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { firstCrossing, type Crossing } from '../domain/forecast/crossing.ts';
import { DEFAULT_HISTORY_RULES, HOUR_MS, hourlyMeans, prepareHistory, type HourPoint, type PreparedHistory } from '../domain/forecast/series.ts';
import { floorTo } from '../domain/time.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock, Logger, ReadingRepository } from '../ports.ts';
import { ForecastBusyError, type FitFn } from './forecast-worker.ts';

export const FORECAST_MAX_HORIZON = 24;
export const FORECAST_CACHE_MS = 10 * 60_000;
const INTERVAL = 0.8;

export interface ForecastServiceDeps {
  readings: Pick<ReadingRepository, 'readingHours' | 'series'>;
  tree: AreaTree;
  indicators: readonly IndicatorDefinition[];
  clock: Clock;
  logger: Logger;
  /** fits a model; in the app, the worker thread's */
  fit: FitFn;
}

interface Full {
  generatedAt: number;
  model: string;
  points: { at: number; value: number; lower: number; upper: number }[];
  reason?: ForecastReason;
}

export type ForecastService = ReturnType<typeof createForecastService>;

export function createForecastService(deps: ForecastServiceDeps) {
  const { readings: repo, tree, clock } = deps;
  const defs = new Map(deps.indicators.map((d) => [d.id, d]));
  const cache = new Map<string, { expires: number; full: Promise<Full> }>();
  const rules = DEFAULT_HISTORY_RULES;

  function lookup(indicatorId: string, areaId: string): { def: IndicatorDefinition; level: AreaLevel } {
    const def = defs.get(indicatorId); // a Map: `constructor` and friends are not keys
    if (!def) throw notFound(`indicator ${indicatorId}`);
    const level = tree.level(areaId);
    if (!level) throw notFound(`area ${areaId}`);
    return { def, level };
  }

  /** the candidate histories, in order, each prepared for a forecast from `origin` */
  async function history(def: IndicatorDefinition, areaId: string, origin: number): Promise<PreparedHistory> {
    const from = origin - rules.windowHours * HOUR_MS;
    const readings = async (id: string): Promise<HourPoint[]> => (await repo.readingHours(def.id, id, from)).map((r) => ({ hour: r.hour, value: r.value }));
    const rolled = async (): Promise<HourPoint[]> => {
      const rows = (await repo.series(areaId, from)).filter((r) => r.indicatorId === def.id);
      return hourlyMeans(rows.map((r) => ({ at: r.bucket, value: r.value })), def.staleAfterSec * 1000, clock.now());
    };
    const sources: (() => Promise<HourPoint[]>)[] = [() => readings(areaId), rolled];
    if (def.inherit) for (const a of tree.lineage(areaId).slice(1)) sources.push(() => readings(a.id));
    let best: PreparedHistory = { ok: false, reason: 'insufficient_history', observed: 0 };
    for (const src of sources) {
      const h = prepareHistory(await src(), origin, rules);
      if (h.ok) return h;
      if (h.observed > best.observed) best = h;
    }
    return best;
  }

  async function compute(def: IndicatorDefinition, areaId: string, now: number): Promise<Full> {
    const origin = floorTo(now, HOUR_MS) + HOUR_MS;
    const h = await history(def, areaId, origin);
    if (!h.ok) return { generatedAt: now, model: '', points: [], reason: h.reason };
    const out = await deps.fit({ values: h.values, horizon: FORECAST_MAX_HORIZON, range: def.range });
    return { generatedAt: now, model: out.model, points: out.points.map((p, i) => ({ at: origin + i * HOUR_MS, ...p })) };
  }

  function full(def: IndicatorDefinition, areaId: string): Promise<Full> {
    const now = clock.now();
    const key = `${def.id}\u0000${areaId}`;
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.full;
    for (const [k, v] of cache) if (v.expires <= now) cache.delete(k);
    const p = compute(def, areaId, now);
    const entry = { expires: Math.min(floorTo(now, HOUR_MS) + HOUR_MS, now + FORECAST_CACHE_MS), full: p };
    cache.set(key, entry);
    // a failed fit is not cached: the next request tries again
    p.catch((err: unknown) => {
      if (cache.get(key) === entry) cache.delete(key);
      if (!(err instanceof ForecastBusyError)) deps.logger.warn({ err, indicatorId: def.id, areaId }, 'forecast failed');
    });
    return p;
  }

  async function fullOrBusy(def: IndicatorDefinition, areaId: string): Promise<Full> {
    try {
      return await full(def, areaId);
    } catch (err) {
      if (err instanceof ForecastBusyError) throw new AppError('UNAVAILABLE', 503, 'forecasts are busy; try again shortly');
      throw err;
    }
  }

  const cut = (f: Full, horizon: number) => f.points.slice(0, horizon);

  return {
    /**
     * The forecast of an indicator for an area over the next `horizonHours` (1–24). Unknown
     * indicator or area: a NOT_FOUND AppError (scope is the route's business). No forecast: no
     * points and a reason.
     */
    async forecast(indicatorId: string, areaId: string, horizonHours: number): Promise<ForecastResponse> {
      const { def, level } = lookup(indicatorId, areaId);
      const horizon = Math.min(FORECAST_MAX_HORIZON, Math.max(1, Math.trunc(horizonHours)));
      const base = { indicatorId: def.id, areaId, horizonHours: horizon, interval: INTERVAL } as const;
      if (def.source !== 'readings' || !def.levels.includes(level)) {
        return { ...base, generatedAt: new Date(clock.now()).toISOString(), model: '', points: [], crossing: null, reason: 'not_applicable' };
      }
      const f = await fullOrBusy(def, areaId);
      const points = cut(f, horizon);
      const c = firstCrossing(def, level, points);
      return {
        ...base,
        generatedAt: new Date(f.generatedAt).toISOString(),
        model: f.model,
        points: points.map((p) => ({ at: new Date(p.at).toISOString(), value: p.value, lower: p.lower, upper: p.upper })),
        crossing: c ? { level: c.level, at: new Date(c.at).toISOString() } : null,
        ...(f.reason ? { reason: f.reason } : {}),
      };
    },

    /**
     * The first forecast hour within `horizonHours` (default 12) whose point forecast reaches the
     * alarm threshold of the area's level (or, failing that, the warn threshold), or null — also
     * null when there is no forecast. For early-warning alarms (预计 3 小时后超标).
     */
    async crossing(indicatorId: string, areaId: string, horizonHours = 12): Promise<Crossing | null> {
      const { def, level } = lookup(indicatorId, areaId);
      if (def.source !== 'readings' || !def.levels.includes(level)) return null;
      const f = await fullOrBusy(def, areaId);
      return firstCrossing(def, level, cut(f, Math.min(FORECAST_MAX_HORIZON, Math.max(1, Math.trunc(horizonHours)))));
    },
  };
}
