/**
 * @module shared/schemas/stats
 * Closed-loop statistics (DOMAIN.md R5.2, R5.7; feature 16): `GET /api/v1/stats` answers them
 * per street and per unit for a period, with the funnel of open cases by stage. The wall's
 * comparison board, the console and the CSV period report (通报) all read this one shape.
 */
import { z } from 'zod';
import { OverlayKind } from './area.ts';
import { IsoDateTime } from './common.ts';

const Count = z.number().int().nonnegative();
const Minutes = z.number().nonnegative().nullable();

export const StatsStage = z.enum(['accept', 'dispatch', 'handle', 'verify']);
export type StatsStage = z.infer<typeof StatsStage>;

/** One street's or one unit's figures for the period. */
export const StatsRow = z.object({
  /** the street's area id or the unit's id */
  key: z.string(),
  received: Count,
  closed: Count,
  /** closed with no breach, over closed (null when nothing closed) */
  onTimeRate: z.number().min(0).max(1).nullable(),
  /** mean minutes each stage took, over stages completed in the period */
  avgStageMinutes: z.object({ accept: Minutes, dispatch: Minutes, handle: Minutes, verify: Minutes }),
  breaches: Count,
  returns: Count,
  good: Count,
  bad: Count,
  /** mean 1–5 satisfaction of the closed cases that carry one */
  satisfaction: z.number().min(1).max(5).nullable(),
}).meta({ id: 'StatsRow', description: 'One street’s or one unit’s figures for the period.' });
export type StatsRow = z.infer<typeof StatsRow>;

/** Open cases by stage of the loop, now (not for the period). */
export const StatsFunnel = z.object({ reported: Count, accepted: Count, dispatched: Count, handled: Count, verified: Count }).meta({ id: 'StatsFunnel', description: 'Open cases by stage of the loop, now.' });
export type StatsFunnel = z.infer<typeof StatsFunnel>;

/** Query of `GET /api/v1/stats` and `GET /api/v1/stats.csv`: the area (default: the session's own) and the period (default: today). */
export const StatsQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }),
  from: IsoDateTime.optional().meta({ description: "start of the period (default: the start of today in the centre's time zone)" }),
  to: IsoDateTime.optional().meta({ description: 'end of the period, exclusive (default: now)' }),
  by: OverlayKind.optional().meta({ description: '多格合一: also rows by the 城运 (`chengyun`), 警务 (`jingwu`) or 综治 (`zongzhi`) grid the cases’ grids belong to (`byOverlay`); confidential cases are in them only for a session with clearance' }),
});
export type StatsQuery = z.infer<typeof StatsQuery>;

/** `GET /api/v1/stats?areaId=&from=&to=` */
export const StatsResponse = z.object({
  areaId: z.string(),
  from: IsoDateTime,
  to: IsoDateTime,
  byStreet: z.array(StatsRow),
  byUnit: z.array(StatsRow),
  funnel: StatsFunnel,
  /** with `by`: the overlay asked for, and its rows keyed by overlay id (as the grids' `overlays` name them) */
  overlay: OverlayKind.optional(),
  byOverlay: z.array(StatsRow).optional(),
}).meta({ id: 'StatsResponse' });
export type StatsResponse = z.infer<typeof StatsResponse>;
