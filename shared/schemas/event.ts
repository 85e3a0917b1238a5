/**
 * @module shared/schemas/event
 * Grid events (网格事件): what sources post, and what the server keeps and streams.
 */
import { z } from 'zod';
import { Code, IsoDateTime, Lat, LocalisedText, Lng, ReportedTime } from './common.ts';

export const Severity = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * The closed loop 统一受理、发现上报、指挥派遣、处置反馈、任务核查、评价归档 (DOMAIN.md R2.1).
 * Today every ingested event starts as `reported`; the transitions arrive with the console.
 */
export const EventStatus = z.enum(['reported', 'accepted', 'dispatched', 'handled', 'verified', 'archived', 'rejected']);
export type EventStatus = z.infer<typeof EventStatus>;
export const CLOSED_STATUSES: readonly EventStatus[] = ['archived', 'rejected'];
export const isOpenStatus = (s: EventStatus): boolean => !CLOSED_STATUSES.includes(s);

/** Where an event came from: `12345`, `grid`, `sensor`, `camera`, or another source code. */
export const EventSource = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'must be a source code such as 12345, grid, sensor, camera');
export const KNOWN_SOURCES = ['12345', 'grid', 'sensor', 'camera'] as const;

/** One event as posted to `POST /api/v1/events` (WGS84 coordinates). */
export const EventIngestItem = z.strictObject({
  source: EventSource,
  externalId: z.string().min(1).max(128),
  category: Code,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  lng: Lng,
  lat: Lat,
  occurredAt: ReportedTime,
  severity: Severity.optional(),
  /** 涉密/敏感: kept off every wall, and from every street and unit without clearance (R6.2) */
  confidential: z.boolean().optional(),
  /** 演练: a case of an exercise (R7.4), marked so on every screen and left out of every statistic */
  drill: z.boolean().optional(),
  /** the building (楼栋) it was reported at, by the id the buildings layer gives it (else placed by its location) */
  buildingId: Code.optional(),
}).meta({ id: 'EventIngestItem', description: 'One event as a source posts it (WGS84 coordinates).' });
export type EventIngestItem = z.infer<typeof EventIngestItem>;

/**
 * Problem tags (DOMAIN.md R5.5 「苗头性…抓早抓小,反复性…抓常抓长,典型性…抓严抓实」):
 * `recurring` — the same category near earlier cases (decided at ingest, then kept);
 * `emerging` — reported inside an emerging hotspot (a grid whose count rose significantly above its own baseline);
 * `typical` — marked by an officer as a typical case (典型).
 */
export const CaseTag = z.enum(['recurring', 'emerging', 'typical']);
export type CaseTag = z.infer<typeof CaseTag>;
/** most earlier cases a recurring case links to */
export const MAX_RELATED_IDS = 10;

/**
 * The escalation ladder of a dispute (R2.4, 004「经单位分管负责人协调不成的,应由单位主要负责人亲自协调」
 * …「报区政府研究决定」): the unit's deputy head, then its principal head, then the district government.
 */
export const LadderRung = z.enum(['deputy', 'principal', 'government']);
export type LadderRung = z.infer<typeof LadderRung>;
export const LADDER: readonly LadderRung[] = LadderRung.options;
/** the rung a dispute climbs to next (null: it is with the district government already) */
export function nextRung(current: LadderRung | null): LadderRung | null {
  return LADDER[current === null ? 0 : LADDER.indexOf(current) + 1] ?? null;
}

/** A grid event as the server keeps and serves it. */
export const GridEvent = z.object({
  id: z.string(),
  source: z.string(),
  externalId: z.string(),
  category: z.string(),
  title: z.string(),
  description: z.string(),
  lng: z.number(),
  lat: z.number(),
  gridId: z.string(),
  streetId: z.string(),
  districtId: z.string(),
  severity: Severity,
  status: EventStatus,
  occurredAt: IsoDateTime,
  receivedAt: IsoDateTime,
  updatedAt: IsoDateTime,
  simulated: z.boolean(),
  version: z.number().int().positive(),
  /** the closed loop: one lead unit plus optional co-units (DOMAIN.md R2.3) */
  leadUnit: z.string().nullable(),
  coUnits: z.array(z.string()),
  /** escalated from the street to the district */
  escalated: z.boolean(),
  /** the current stage's clock: when it started and when it is due (null once closed) */
  stageStartedAt: IsoDateTime,
  dueAt: IsoDateTime.nullable(),
  /** how many stage time limits this case has overrun */
  breaches: z.number().int().min(0),
  rating: z.enum(['good', 'bad']).nullable(),
  satisfaction: z.number().int().min(1).max(5).nullable(),
  duplicateOf: z.string().nullable(),
  /** problem tags (R5.5): recurring, emerging, typical */
  tags: z.array(CaseTag),
  /** for a recurring case: the earlier cases of its category nearby it links to (nearest first, at most 10) */
  relatedIds: z.array(z.string()).max(MAX_RELATED_IDS),
  /** 涉密/敏感 (R6.2): never on a wall or a socket, seen only by officers with clearance */
  confidential: z.boolean(),
  /**
   * personal data (names, phone, ID and plate numbers) found in the report was masked in `title`
   * and `description`; the full text is kept once, apart, and shown only to permitted officers on
   * request (`POST /api/v1/events/:id/personal`, audited)
   */
  masked: z.boolean(),
  /** the highest rung of the escalation ladder its coordination reached (null: none) */
  ladder: LadderRung.nullable(),
  /**
   * 演练 (R7.4): a case of an exercise, reported so at intake. It runs the closed loop like any
   * other and is marked on every screen, but no statistic counts it: indicators, /stats, hotspots,
   * recurrence, the 12345 analysis and the hourly histogram leave it out.
   */
  drill: z.boolean(),
  /** 路长制 (R1.8): the road it was reported on (within 30 m), or null */
  roadId: z.string().nullable(),
  /** 重点区域 (R1.9): the key areas it was reported in */
  keyAreaIds: z.array(z.string()),
  /** its stages' time limits are multiplied by this (the tightest factor of its key areas; 1 outside them) */
  limitFactor: z.number().positive(),
  /** 三长联动 (R1.7): the building it was reported at, or null */
  buildingId: z.string().nullable(),
}).meta({ id: 'GridEvent', description: 'A grid event (case) as the server keeps and serves it.' });
export type GridEvent = z.infer<typeof GridEvent>;

/** whether a unit works on a case: it leads it or co-handles it (a unit's whole scope, 条) */
export function involves(c: { leadUnit: string | null; coUnits: readonly string[] }, unitId: string): boolean {
  return c.leadUnit === unitId || c.coUnits.includes(unitId);
}

/** An entry of the shipped event category list (`data/event-categories.json`). */
export const EventCategory = z.object({
  code: Code,
  name: LocalisedText,
  indicatorCategory: z.enum(['public_safety', 'public_service', 'public_management']),
  basis: z.string().min(1),
}).meta({ id: 'EventCategory', description: 'An event category of the shipped list (`data/event-categories.json`).' });
export type EventCategory = z.infer<typeof EventCategory>;
export const EventCategoryList = z.array(EventCategory).min(1).meta({ id: 'EventCategoryList' });

/** Query of `GET /api/v1/events`. */
export const EventQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own); one outside the session's scope answers 404" }),
  status: z.union([EventStatus, z.literal('open'), z.literal('closed')]).optional().meta({ description: 'one status, or `open` / `closed` for all open or closed ones' }),
  from: IsoDateTime.optional().meta({ description: 'occurred at or after this time' }),
  to: IsoDateTime.optional().meta({ description: 'occurred before this time' }),
  /** cases of one unit: it leads them or works on them as a co-unit (see `GET /api/v1/units`) */
  unit: Code.optional().meta({ description: 'cases of one unit: it leads them or works on them as a co-unit (see `GET /api/v1/units`)' }),
  /** the reports merged into a case as its duplicates */
  duplicateOf: z.string().min(1).max(64).optional().meta({ description: 'the reports merged into this case as its duplicates' }),
  confidential: z.enum(['only', 'none']).optional().meta({ description: 'only the confidential (涉密) cases, or none of them; a session without clearance never gets any' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200).meta({ description: 'at most this many events' }),
});
export type EventQuery = z.infer<typeof EventQuery>;

/** The answer to `GET /api/v1/events`: the events asked for (latest received first, at most `limit`) and how many match in all. */
export const EventsResponse = z
  .object({ events: z.array(GridEvent), total: z.number().int().min(0) })
  .meta({ id: 'EventsResponse', description: 'The events asked for, latest received first (at most `limit`), and `total`: how many match in all.' });
export type EventsResponse = z.infer<typeof EventsResponse>;
