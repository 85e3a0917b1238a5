/**
 * @module shared/schemas/forecast
 * Short-horizon forecasts of an indicator for an area (趋势预判, DOMAIN.md R3.2):
 * `GET /api/v1/indicators/:id/forecast?areaId=&horizon=` answers hourly point forecasts with an
 * 80 % prediction interval, and the first forecast hour that reaches the warn or alarm
 * threshold (预计 N 小时后超标).
 */
import { z } from 'zod';
import { IsoDateTime } from './common.ts';

/** Query of the forecast route: the area (default: the session's own) and the horizon in hours. */
export const ForecastQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }),
  horizon: z.coerce.number().int().min(1).max(24).default(12).meta({ description: 'hours ahead, 1–24 (default 12)' }),
});
export type ForecastQuery = z.infer<typeof ForecastQuery>;

/** One forecast hour: the hourly mean expected to start at `at`, and its prediction interval. */
export const ForecastPoint = z.object({
  at: IsoDateTime,
  value: z.number(),
  lower: z.number(),
  upper: z.number(),
}).meta({ id: 'ForecastPoint', description: 'The expected hourly mean of the hour starting at `at`, with the lower and upper bound of its prediction interval.' });
export type ForecastPoint = z.infer<typeof ForecastPoint>;

/** The first forecast hour at the alarm level (or, if none, at the warn level) of the area's thresholds. */
export const ForecastCrossing = z.object({
  level: z.enum(['warn', 'alarm']),
  at: IsoDateTime,
}).meta({ id: 'ForecastCrossing', description: 'The first forecast hour whose point forecast reaches the alarm threshold of the area’s level (or, if none does, the warn threshold).' });
export type ForecastCrossing = z.infer<typeof ForecastCrossing>;

/**
 * Why there are no points: the indicator is derived from the loop's records or not shown at the
 * area's level (`not_applicable`), too few hours were observed (`insufficient_history`: fewer than
 * 72 after the last gap longer than 6 h), or nothing came in over the last 3 hours (`stale_history`).
 */
export const ForecastReason = z.enum(['not_applicable', 'insufficient_history', 'stale_history']);
export type ForecastReason = z.infer<typeof ForecastReason>;

export const ForecastResponse = z.object({
  indicatorId: z.string(),
  areaId: z.string(),
  generatedAt: IsoDateTime,
  horizonHours: z.number().int().min(1).max(24),
  /** the prediction interval's nominal coverage */
  interval: z.literal(0.8),
  /** which model made the points (empty when there are none) */
  model: z.string(),
  points: z.array(ForecastPoint),
  crossing: ForecastCrossing.nullable(),
  reason: ForecastReason.optional(),
}).meta({ id: 'ForecastResponse', description: 'Hourly forecasts of an indicator for an area with an 80 % prediction interval; `points` is empty, with a `reason`, when there is no forecast.' });
export type ForecastResponse = z.infer<typeof ForecastResponse>;
