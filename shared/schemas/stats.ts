/**
 * @module shared/schemas/stats
 * Closed-loop statistics (DOMAIN.md R5.2, R5.7; feature 16): `GET /api/v1/stats` answers them
 * per street and per unit for a period, with the funnel of open cases by stage. The wall's
 * comparison board, the console and the CSV period report (通报) all read this one shape.
 */
import { z } from 'zod';
import { OVERLAY_KINDS } from './area.ts';
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
/** another grouping of the statistics' rows: a 多格合一 overlay, the road (路长制), the key area */
export const StatsGrouping = z.enum([...OVERLAY_KINDS, 'road', 'keyArea']);
export type StatsGrouping = z.infer<typeof StatsGrouping>;
/** the groupings' names, as a report's row kind says them */
export const GROUPING_NAMES: Record<StatsGrouping, string> = {
  chengyun: '城运网格 chengyun', jingwu: '警务网格 jingwu', zongzhi: '综治网格 zongzhi', road: '道路 road', keyArea: '重点区域 key area',
};

export const StatsQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }),
  from: IsoDateTime.optional().meta({ description: "start of the period (default: the start of today in the centre's time zone)" }),
  to: IsoDateTime.optional().meta({ description: 'end of the period, exclusive (default: now)' }),
  by: StatsGrouping.optional().meta({ description: 'also rows (`byGroup`) by the 城运 (`chengyun`), 警务 (`jingwu`) or 综治 (`zongzhi`) grid the cases’ grids belong to (多格合一), by the road a case was reported on (`road`, 路长制) or by key area (`keyArea`; a case in two counts in both); confidential cases are in them only for a session with clearance' }),
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
  /** with `by`: the grouping asked for, and its rows keyed by overlay grid, road or key area id */
  by: StatsGrouping.optional(),
  byGroup: z.array(StatsRow).optional(),
}).meta({ id: 'StatsResponse' });
export type StatsResponse = z.infer<typeof StatsResponse>;
