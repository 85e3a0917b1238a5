/**
 * @module server/domain/loop-indicators
 * Indicators derived from the closed loop's own records (DOMAIN.md R2.7, R2.8, R3.4, R5.2):
 * 首办成功率, 好差评满意度, 按时办结率 and 12345 来电量. The store counts per grid (cheap, one
 * grouped query); this module turns those counts into the direct values the roll-up works on.
 * The rates are `ratio` indicators: each grid carries its numerator and denominator, and every
 * street and the district recompute their rate from their own summed counts.
 *
 * Cost: the rates' counts (30 days of closed cases) are re-read only when a case was archived,
 * and on the service's periodic full refresh as the window slides; the calls (one hour) on
 * every change.
 *
 * Definitions (also in `data/indicators.json` and the README):
 * - a case is *closed* when it is archived (评价归档); rejected reports are not closed cases;
 * - the rates count the cases closed in the last {@link RATE_WINDOW_MS} (30 days, rolling);
 * - 首办成功率 `first_time_success_rate`: closed cases never returned (退单) nor sent back for
 *   rework (返工) ÷ closed cases;
 * - 好差评满意度 `satisfaction`: closed cases rated 好评 (good) ÷ closed cases that carry a rating;
 * - 按时办结率 `on_time_closure_rate`: closed cases none of whose stages overran its time limit
 *   (no breach on the timeline) ÷ closed cases;
 * - 12345 来电量 `calls_12345`: events from the source `12345` that occurred in the last hour
 *   (every call counts, including those later rejected as duplicates or invalid).
 * Pure: no I/O, the time is passed in.
 */
import type { DirectValue } from './indicators.ts';

/** the rolling window of the closed-case rates */
export const RATE_WINDOW_MS = 30 * 86_400_000;
/** the window of the 12345 call volume (the registry's unit is calls per hour) */
export const CALLS_WINDOW_MS = 3_600_000;
/** the source code of the 12345 hotline */
export const HOTLINE_SOURCE = '12345';

/** Per grid: the cases closed (archived) in the rate window, and how they went. */
export interface ClosedCounts {
  gridId: string;
  /** cases archived in the rate window */
  closed: number;
  /** of those, never returned nor reworked */
  firstTime: number;
  /** of those, without any breach of a stage's time limit */
  onTime: number;
  /** of those, carrying a good/bad rating */
  rated: number;
  /** of those, rated good */
  good: number;
}

/** Per grid: 12345 events that occurred in the calls window. */
export interface CallCounts {
  gridId: string;
  calls: number;
}

/** The windows of the counts: their starts (exclusive) and their common end (inclusive). */
export interface LoopCountWindows {
  now: number;
  closedAfter: number;
  callsAfter: number;
  /** the source code whose events are calls */
  hotlineSource: string;
}

export function loopCountWindows(now: number): LoopCountWindows {
  return { now, closedAfter: now - RATE_WINDOW_MS, callsAfter: now - CALLS_WINDOW_MS, hotlineSource: HOTLINE_SOURCE };
}

type RateField = Exclude<keyof ClosedCounts, 'gridId'>;
/** the derived rates: indicator id → [numerator, denominator] */
export const LOOP_RATES: Readonly<Record<string, readonly [RateField, RateField]>> = {
  first_time_success_rate: ['firstTime', 'closed'],
  satisfaction: ['good', 'rated'],
  on_time_closure_rate: ['onTime', 'closed'],
};
/** the derived counts: indicator id → field */
export const LOOP_COUNTS: Readonly<Record<string, 'calls'>> = { calls_12345: 'calls' };

/** is this a derived indicator this module computes */
export function isLoopIndicator(id: string): boolean {
  return Object.hasOwn(LOOP_RATES, id) || Object.hasOwn(LOOP_COUNTS, id);
}

const NONE_CLOSED: Omit<ClosedCounts, 'gridId'> = { closed: 0, firstTime: 0, onTime: 0, rated: 0, good: 0 };

/** is this loop indicator one of the closed-case rates (as opposed to the call volume) */
export function isLoopRate(id: string): boolean {
  return Object.hasOwn(LOOP_RATES, id);
}

/**
 * The direct value of a loop indicator for every grid, from the store's per-grid counts (grids
 * without a row count zero). Rates carry their counts; the call volume is a plain count.
 */
export function loopDirectValues(
  indicatorId: string,
  closed: readonly ClosedCounts[],
  calls: readonly CallCounts[],
  gridIds: Iterable<string>,
  now: number,
): Map<string, DirectValue> {
  const out = new Map<string, DirectValue>();
  const rate = Object.hasOwn(LOOP_RATES, indicatorId) ? LOOP_RATES[indicatorId] : undefined;
  const count = Object.hasOwn(LOOP_COUNTS, indicatorId) ? LOOP_COUNTS[indicatorId] : undefined;
  if (rate) {
    const byGrid = new Map(closed.map((c) => [c.gridId, c]));
    const [num, den] = rate;
    for (const gridId of gridIds) {
      const c = byGrid.get(gridId) ?? { gridId, ...NONE_CLOSED };
      out.set(gridId, { value: 0, at: now, simulated: false, counts: { num: c[num], den: c[den] } });
    }
  } else if (count) {
    const byGrid = new Map(calls.map((c) => [c.gridId, c.calls]));
    for (const gridId of gridIds) out.set(gridId, { value: byGrid.get(gridId) ?? 0, at: now, simulated: false });
  }
  return out;
}
