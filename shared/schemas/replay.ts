/**
 * @module shared/schemas/replay
 * The wall back in time and the shift handover (交接班): `GET /api/v1/snapshot?areaId=&at=` (a
 * room's snapshot as it was at a past time, or the live one without `at`) and
 * `GET /api/v1/handover?areaId=&since=&until=` (what happened in a window).
 */
import { z } from 'zod';
import { IsoDateTime } from './common.ts';
import { GridEvent, Severity } from './event.ts';
import { IndicatorValue, SeriesPoint } from './indicator.ts';
import { Alarm } from './alarm.ts';
import { resolveWallTime, zonedParts } from '../time-zone.ts';
import { BuildId } from './wall.ts';

/** how far back a historical snapshot may go */
export const REPLAY_MAX_DAYS = 7;
/** the longest window a handover may cover */
export const HANDOVER_MAX_DAYS = 7;
/** most cases (and alarms) a handover lists per section; the counts are complete */
export const HANDOVER_LIST_CAP = 200;

/** the local hours shifts change at (交接班): 08:00 and 20:00 */
export const SHIFT_CHANGE_HOURS = [8, 20] as const;

/** The start of the shift `t` falls in, in the centre's time zone: the last 08:00 or 20:00 at or before `t`. */
export function shiftStart(t: number, tz: string): number {
  const p = zonedParts(t, tz);
  for (let back = 0; back <= 1; back++) {
    const day = new Date(Date.UTC(p.year, p.month - 1, p.day - back));
    for (const hour of [...SHIFT_CHANGE_HOURS].reverse()) {
      const ms = resolveWallTime({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour }, tz).ms;
      if (ms <= t) return ms;
    }
  }
  return t - 12 * 3_600_000;
}

export const SnapshotQuery = z
  .strictObject({
    areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own); one outside the session's scope answers 404" }),
    at: IsoDateTime.optional().meta({ description: `the time to reconstruct, within the last ${REPLAY_MAX_DAYS} days and not in the future; without it, the live snapshot` }),
  })
  .meta({ id: 'SnapshotQuery' });
export type SnapshotQuery = z.infer<typeof SnapshotQuery>;

/** The room's snapshot (the shape of the socket's `snapshot` message, `shared/socket.ts`). */
export const SnapshotResponse = z
  .object({
    seq: z.number().int().min(0).meta({ description: 'the room sequence it is consistent with (0 for a historical snapshot)' }),
    epoch: z.string().meta({ description: 'the stream epoch (`replay` for a historical snapshot)' }),
    areaId: z.string(),
    serverTime: IsoDateTime.meta({ description: 'the time the snapshot shows: now, or `at`' }),
    simulatorOn: z.boolean(),
    indicators: z.array(IndicatorValue),
    trends: z.record(z.string(), z.array(SeriesPoint)),
    events: z.array(GridEvent).meta({ description: 'open cases, nearest their limits first (capped at 1,000)' }),
    openTotal: z.number().int().min(0),
    recent: z.array(GridEvent),
    hourly: z.object({ today: z.array(z.number().int().min(0)), yesterday: z.array(z.number().int().min(0)), todayStart: z.number() }),
    alarms: z.array(Alarm),
    build: BuildId.nullable().optional().meta({ description: 'the build of the wall this server serves (null: none); a page running another one reloads itself' }),
  })
  .meta({ id: 'Snapshot', description: 'What a wall shows of an area, as of `serverTime`.' });
export type SnapshotResponse = z.infer<typeof SnapshotResponse>;

export const HandoverQuery = z
  .strictObject({
    areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own); one outside the session's scope answers 404" }),
    since: IsoDateTime.optional().meta({ description: 'start of the window (default: the start of the current shift, the last 08:00 or 20:00 in the centre’s time zone)' }),
    until: IsoDateTime.optional().meta({ description: `end of the window (default: now; at most ${HANDOVER_MAX_DAYS} days after since, not in the future)` }),
  })
  .meta({ id: 'HandoverQuery' });
export type HandoverQuery = z.infer<typeof HandoverQuery>;

/** One case in a handover list: what it is, where, and when the listed thing happened. */
export const HandoverCase = z
  .object({
    id: z.string(),
    title: z.string(),
    category: z.string(),
    streetId: z.string(),
    gridId: z.string(),
    severity: Severity,
    /** its status now */
    status: GridEvent.shape.status,
    /** when it was received, closed or went overdue (by the section) */
    at: IsoDateTime,
  })
  .meta({ id: 'HandoverCase' });
export type HandoverCase = z.infer<typeof HandoverCase>;

export const HandoverCaseSection = z
  .object({
    total: z.number().int().min(0),
    /** newest first, at most HANDOVER_LIST_CAP */
    items: z.array(HandoverCase),
  })
  .meta({ id: 'HandoverCaseSection' });
export type HandoverCaseSection = z.infer<typeof HandoverCaseSection>;

export const HandoverAlarmSection = z
  .object({
    total: z.number().int().min(0),
    /** the most severe first, then newest, at most HANDOVER_LIST_CAP */
    items: z.array(Alarm),
  })
  .meta({ id: 'HandoverAlarmSection' });
export type HandoverAlarmSection = z.infer<typeof HandoverAlarmSection>;

const HandoverCounts = z.object({
  newCases: z.number().int().min(0),
  closedCases: z.number().int().min(0),
  overdueCases: z.number().int().min(0),
  alarmsRaised: z.number().int().min(0),
  alarmsCleared: z.number().int().min(0),
});

/** The answer to `GET /api/v1/handover`: what happened in [since, until) below the area. */
export const Handover = z
  .object({
    areaId: z.string(),
    since: IsoDateTime,
    until: IsoDateTime,
    generatedAt: IsoDateTime,
    /** cases received in the window */
    newCases: HandoverCaseSection,
    /** cases archived (评价归档) in the window */
    closedCases: HandoverCaseSection,
    /** cases whose stage went past its time limit in the window (once per case, its first breach in the window) */
    overdueCases: HandoverCaseSection,
    alarmsRaised: HandoverAlarmSection,
    alarmsCleared: HandoverAlarmSection,
    /** per street (the area's own streets, or the area itself below a street), most new cases first */
    byStreet: z.array(HandoverCounts.extend({ streetId: z.string() })),
    /** per case category, most new cases first (alarms have no category) */
    byCategory: z.array(HandoverCounts.omit({ alarmsRaised: true, alarmsCleared: true }).extend({ category: z.string() })),
  })
  .meta({ id: 'Handover', description: 'A shift handover (交接班): new, closed and overdue cases, alarms raised and cleared, by street and category.' });
export type Handover = z.infer<typeof Handover>;
