/**
 * @module server/domain/forecast/series
 * Hourly series for forecasting: observations on the hour grid, short gaps filled by linear
 * interpolation, long gaps cutting the history, and the rule for "enough history". Pure.
 */

export const HOUR_MS = 3_600_000;

/** A value observed for one hour (epoch ms of the hour's start). */
export interface HourPoint {
  hour: number;
  value: number;
}

/** What the forecast needs from the history before it will fit a model. */
export interface HistoryRules {
  /** gaps of at most this many missing hours are interpolated linearly; a longer one cuts the history */
  maxGapHours: number;
  /** observed (not interpolated) hours needed after the last long gap: 72 = three days */
  minObservedHours: number;
  /** the newest observation may be at most this many hours before the forecast origin */
  maxStalenessHours: number;
  /** only this many trailing hours are fitted (older data adds little and costs time) */
  windowHours: number;
}

export const DEFAULT_HISTORY_RULES: HistoryRules = { maxGapHours: 6, minObservedHours: 72, maxStalenessHours: 3, windowHours: 240 };

export type PreparedHistory =
  | { ok: true; /** start of the first hour in `values` */ start: number; values: number[]; observed: number }
  | { ok: false; reason: 'insufficient_history' | 'stale_history'; observed: number };

/**
 * The fit-ready history for a forecast made at `origin` (the first hour to forecast):
 * points at or after `origin` are ignored, the trailing `windowHours` are kept, gaps up to
 * `maxGapHours` are interpolated, and only the stretch after the last longer gap is used.
 * Non-finite values are treated as missing; duplicate hours keep the last one given.
 */
export function prepareHistory(points: readonly HourPoint[], origin: number, rules: HistoryRules = DEFAULT_HISTORY_RULES): PreparedHistory {
  const first = origin - rules.windowHours * HOUR_MS;
  const byHour = new Map<number, number>();
  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.hour)) continue;
    const h = p.hour - (((p.hour % HOUR_MS) + HOUR_MS) % HOUR_MS);
    if (h < first || h >= origin) continue;
    byHour.set(h, p.value);
  }
  const slots: (number | null)[] = [];
  for (let h = first; h < origin; h += HOUR_MS) slots.push(byHour.get(h) ?? null);
  let lastObs = -1;
  for (let i = slots.length - 1; i >= 0; i--) if (slots[i] !== null) { lastObs = i; break; }
  if (lastObs < 0) return { ok: false, reason: 'insufficient_history', observed: 0 };
  if (slots.length - 1 - lastObs > rules.maxStalenessHours) return { ok: false, reason: 'stale_history', observed: byHour.size };
  // walk back from the newest observation; stop at the first gap longer than allowed
  let begin = lastObs;
  let gap = 0;
  for (let i = lastObs - 1; i >= 0; i--) {
    if (slots[i] === null) {
      gap++;
      if (gap > rules.maxGapHours) break;
    } else {
      gap = 0;
      begin = i;
    }
  }
  // the hours between the newest observation and the origin are held at the last value
  const values: number[] = [];
  let observed = 0;
  let prev = -1;
  for (let i = begin; i <= lastObs; i++) {
    const v = slots[i];
    if (v === null || v === undefined) continue;
    observed++;
    if (prev >= 0 && i - prev > 1) {
      const a = slots[prev]!;
      for (let k = prev + 1; k < i; k++) values.push(a + ((v - a) * (k - prev)) / (i - prev));
    }
    values.push(v);
    prev = i;
  }
  const last = values[values.length - 1]!;
  for (let i = lastObs + 1; i < slots.length; i++) values.push(last);
  if (observed < rules.minObservedHours) return { ok: false, reason: 'insufficient_history', observed };
  return { ok: true, start: first + begin * HOUR_MS, values, observed };
}

/**
 * Hourly means of samples (e.g. 10-minute roll-up buckets that are written only when the value
 * changes): each sample holds until the next one, for at most `holdMs`, and an hour's value is
 * the time-weighted mean of what held within it. Hours with nothing held are left out.
 */
export function hourlyMeans(samples: readonly { at: number; value: number }[], holdMs: number, until: number): HourPoint[] {
  const s = samples.filter((x) => Number.isFinite(x.value) && Number.isFinite(x.at)).sort((a, b) => a.at - b.at);
  const acc = new Map<number, { w: number; sum: number }>();
  for (let i = 0; i < s.length; i++) {
    const cur = s[i]!;
    const end = Math.min(s[i + 1]?.at ?? until, cur.at + holdMs, until);
    for (let t = cur.at; t < end; ) {
      const hour = t - (t % HOUR_MS);
      const next = Math.min(end, hour + HOUR_MS);
      const a = acc.get(hour) ?? { w: 0, sum: 0 };
      a.w += next - t;
      a.sum += (next - t) * cur.value;
      acc.set(hour, a);
      t = next;
    }
  }
  return [...acc].filter(([, a]) => a.w > 0).map(([hour, a]) => ({ hour, value: a.sum / a.w })).sort((a, b) => a.hour - b.hour);
}
