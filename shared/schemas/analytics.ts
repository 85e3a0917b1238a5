/**
 * @module shared/schemas/analytics
 * The 12345 hotline analysis (DOMAIN.md R2.7, feature 13): `GET /api/v1/analytics/hotline`
 * answers, for an area and a period, the hotline volume by category against the same hours one
 * week earlier, the fastest-rising categories, places that call again and again, on-time and
 * satisfaction figures of the hotline cases closed, an hourly series and per-grid counts. The
 * analysis page, the wall's 12345 panel and the CSV export all read this one shape.
 */
import { z } from 'zod';
import { IsoDateTime, ReportedTime } from './common.ts';

const Count = z.number().int().nonnegative();

/** The longest period the hotline analysis covers (a quarter). */
export const HOTLINE_MAX_SPAN_DAYS = 92;
/** Hotline cases closer than this (metres) count as one place. */
export const HOTLINE_PLACE_RADIUS_M = 100;
/** At most this many case ids are listed per repeat location. */
export const HOTLINE_MAX_IDS = 20;

/** Query of `GET /api/v1/analytics/hotline` and `…/hotline.csv`. */
export const HotlineQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }),
  from: ReportedTime.optional().meta({ description: 'start of the period (default: 24 hours before `to`); not before 2000' }),
  to: ReportedTime.optional().meta({ description: 'end of the period, exclusive (default: now)' }),
});
export type HotlineQuery = z.infer<typeof HotlineQuery>;

/** A count in the period against the baseline (the same hours one week earlier). */
const Change = {
  count: Count,
  baseline: Count,
  /** count − baseline */
  change: z.number().int(),
  /** change ÷ baseline; null when the baseline is 0 */
  changePct: z.number().nullable(),
};

/** One category's hotline volume in the period and its baseline. */
export const HotlineCategoryRow = z.object({
  category: z.string(),
  ...Change,
  /** how unusual the rise is: (count − baseline) ÷ √(baseline + 1), a Poisson-style z-score */
  score: z.number(),
}).meta({ id: 'HotlineCategoryRow', description: 'One category’s hotline volume in the period against the same hours one week earlier, with its rise score (count − baseline) ÷ √(baseline + 1).' });
export type HotlineCategoryRow = z.infer<typeof HotlineCategoryRow>;

/** A place with two or more hotline cases in the period: a grid, or a spot of about 100 m. */
export const HotlineRepeat = z.object({
  kind: z.enum(['grid', 'place']),
  /** the grid (for a spot: the grid most of its cases lie in) */
  gridId: z.string(),
  streetId: z.string(),
  /** the spot's centre (the mean of its cases' positions); for a grid, the mean of its cases too */
  lng: z.number(),
  lat: z.number(),
  count: Count,
  /** the categories of its cases, most frequent first */
  categories: z.array(z.string()),
  /** the newest case's title (citizens' text: render as text) */
  sampleTitle: z.string(),
  /** the newest cases first, at most {@link HOTLINE_MAX_IDS} */
  caseIds: z.array(z.string()),
}).meta({ id: 'HotlineRepeat', description: 'A place with two or more hotline cases in the period: a grid, or a spot where cases lie within about 100 m of each other.' });
export type HotlineRepeat = z.infer<typeof HotlineRepeat>;

/** How the hotline cases closed in a window fared. */
export const HotlineClosure = z.object({
  /** archived in the window */
  closed: Count,
  /** of those, without a time-limit breach on their timeline */
  onTime: Count,
  /** onTime ÷ closed; null when nothing closed */
  onTimeRate: z.number().min(0).max(1).nullable(),
  good: Count,
  bad: Count,
  /** good ÷ (good + bad); null without ratings */
  goodRate: z.number().min(0).max(1).nullable(),
  /** mean 1–5 satisfaction of those that carry one; null when none does */
  satisfaction: z.number().min(1).max(5).nullable(),
  satisfactionN: Count,
}).meta({ id: 'HotlineClosure', description: 'The hotline cases archived in a window: on time (no breach on the timeline) over closed, ratings and mean satisfaction; rates are null when there is nothing to divide.' });
export type HotlineClosure = z.infer<typeof HotlineClosure>;

/** One hour of the period, with the same hour one week earlier. */
export const HotlineHour = z.object({ at: IsoDateTime, count: Count, baseline: Count });
export type HotlineHour = z.infer<typeof HotlineHour>;

/** `GET /api/v1/analytics/hotline?areaId=&from=&to=` */
export const HotlineAnalysis = z.object({
  areaId: z.string(),
  from: IsoDateTime,
  to: IsoDateTime,
  /** the baseline window: the same wall-clock hours one week earlier, in the centre's time zone */
  baselineFrom: IsoDateTime,
  baselineTo: IsoDateTime,
  total: z.object(Change),
  /** every category seen in either window, the busiest first */
  byCategory: z.array(HotlineCategoryRow),
  /** categories with a rise score of at least 1 and two or more calls above the baseline, the most unusual rise first (at most 5) */
  rising: z.array(HotlineCategoryRow),
  repeats: z.object({
    radiusM: z.number().positive(),
    byGrid: z.array(HotlineRepeat),
    byPlace: z.array(HotlineRepeat),
    /** the period had more cases than are clustered into spots; spots cover the newest ones */
    truncated: z.boolean(),
  }),
  closure: z.object({ period: HotlineClosure, baseline: HotlineClosure }),
  /** one entry per hour from `from` (the last may be partial) */
  hourly: z.array(HotlineHour),
  /** hotline cases in the period per grid (grids with none are left out) */
  byGrid: z.array(z.object({ gridId: z.string(), count: Count })),
}).meta({ id: 'HotlineAnalysis', description: 'The 12345 hotline analysis of an area for a period, against the same hours one week earlier.' });
export type HotlineAnalysis = z.infer<typeof HotlineAnalysis>;
