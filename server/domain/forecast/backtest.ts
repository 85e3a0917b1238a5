/**
 * @module server/domain/forecast/backtest
 * Rolling-origin evaluation. For every origin over the last `evalDays` of a series (spaced
 * `stepHours` apart), the model is fitted on the history before the origin only (the trailing
 * window of {@link prepareHistory}, gaps filled from that history alone, so nothing after the
 * origin leaks in), forecasts `horizon` hours, and is compared with the observed values. The two
 * baselines see exactly the same history: naive persistence repeats the last value, seasonal
 * naive repeats the same hour of the day before. MAE is averaged over every (origin, lead hour)
 * with an observation; hours missing from the file are not scored; coverage is the share of
 * scored hours inside the model's prediction interval. An origin whose history is too short or
 * stale is skipped for all three alike and counted.
 */
import { forecastSeries, INTERVAL, MODEL_NAME } from './model.ts';
import { DEFAULT_HISTORY_RULES, HOUR_MS, prepareHistory, type HistoryRules, type HourPoint } from './series.ts';

export interface BacktestOptions {
  horizon: number;
  evalDays: number;
  stepHours: number;
  range: readonly [number, number];
  rules?: HistoryRules;
}

export const DEFAULT_BACKTEST = { horizon: 12, evalDays: 60, stepHours: 6 } as const;

export interface BacktestResult {
  model: { name: string; /** origins where the fit failed or diverged and persistence stood in (or the history was constant) */ fallbacks: number; mae: number; coverage: number; interval: number };
  naive: { mae: number };
  seasonalNaive: { mae: number };
  /** model MAE ÷ baseline MAE (below 1: the model is better) */
  ratios: { naive: number; seasonalNaive: number };
  horizon: number;
  stepHours: number;
  evalDays: number;
  /** first and last origin (ISO) */
  from: string;
  to: string;
  origins: number;
  skippedOrigins: number;
  /** (origin, lead hour) pairs compared */
  scored: number;
}

/** the naive and seasonal naive forecasts for lead hours 1…horizon from a gap-free history */
export function baselines(history: readonly number[], horizon: number): { naive: number[]; seasonalNaive: number[] } {
  if (history.length < 24) throw new RangeError('seasonal naive needs at least 24 hours of history');
  const last = history[history.length - 1]!;
  const n = history.length;
  return {
    naive: Array.from({ length: horizon }, () => last),
    seasonalNaive: Array.from({ length: horizon }, (_, i) => history[n - 24 + (i % 24)]!),
  };
}

export function backtest(points: readonly HourPoint[], opts: BacktestOptions): BacktestResult {
  const rules = opts.rules ?? DEFAULT_HISTORY_RULES;
  const sorted = points.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.hour - b.hour);
  if (!sorted.length) throw new RangeError('the series is empty');
  const actual = new Map(sorted.map((p) => [p.hour, p.value]));
  const end = sorted[sorted.length - 1]!.hour + HOUR_MS;
  const firstOrigin = end - opts.evalDays * 24 * HOUR_MS;
  if (firstOrigin - rules.minObservedHours * HOUR_MS < sorted[0]!.hour) {
    throw new RangeError(`the series is too short: it needs ${opts.evalDays} days to evaluate plus ${rules.minObservedHours} hours of history before them`);
  }
  let sum = { model: 0, naive: 0, seasonalNaive: 0 };
  let covered = 0;
  let scored = 0;
  let origins = 0;
  let skipped = 0;
  let fallbacks = 0;
  let lastOrigin = firstOrigin;
  // index of the first point at or after the window start, advanced with the origin
  let lo = 0;
  for (let o = firstOrigin; o + opts.horizon * HOUR_MS <= end; o += opts.stepHours * HOUR_MS) {
    origins++;
    lastOrigin = o;
    const windowStart = o - rules.windowHours * HOUR_MS;
    while (lo < sorted.length && sorted[lo]!.hour < windowStart) lo++;
    let hi = lo;
    while (hi < sorted.length && sorted[hi]!.hour < o) hi++;
    const h = prepareHistory(sorted.slice(lo, hi), o, rules);
    if (!h.ok) {
      skipped++;
      continue;
    }
    const f = forecastSeries({ values: h.values, horizon: opts.horizon, range: opts.range });
    if (f.model !== MODEL_NAME) fallbacks++;
    const b = baselines(h.values, opts.horizon);
    for (let k = 0; k < opts.horizon; k++) {
      const a = actual.get(o + k * HOUR_MS);
      if (a === undefined) continue;
      const p = f.points[k]!;
      sum.model += Math.abs(p.value - a);
      sum.naive += Math.abs(b.naive[k]! - a);
      sum.seasonalNaive += Math.abs(b.seasonalNaive[k]! - a);
      if (a >= p.lower && a <= p.upper) covered++;
      scored++;
    }
  }
  if (!scored) throw new RangeError('no origin had enough history to forecast: the series has too many gaps');
  const mae = { model: sum.model / scored, naive: sum.naive / scored, seasonalNaive: sum.seasonalNaive / scored };
  return {
    model: { name: MODEL_NAME, fallbacks, mae: mae.model, coverage: covered / scored, interval: INTERVAL },
    naive: { mae: mae.naive },
    seasonalNaive: { mae: mae.seasonalNaive },
    ratios: { naive: mae.model / mae.naive, seasonalNaive: mae.model / mae.seasonalNaive },
    horizon: opts.horizon,
    stepHours: opts.stepHours,
    evalDays: opts.evalDays,
    from: new Date(firstOrigin).toISOString(),
    to: new Date(lastOrigin).toISOString(),
    origins,
    skippedOrigins: skipped,
    scored,
  };
}
