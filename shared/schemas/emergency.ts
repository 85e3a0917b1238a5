/**
 * @module shared/schemas/emergency
 * 平战结合 (DOMAIN.md R7.1–R7.8): an area in peacetime, or in wartime for one incident — its grade
 * (I–IV, 分级负责) and class (the four classes of 突发事件, 分类管理), where it is and how far it
 * reaches, its command group (统一指挥), whether it is a drill (演练, R7.4), and its log: the start,
 * every information release (滚动发布, R7.6), every change, and its end (恢复). An ended incident is
 * archived with its whole log; the log is only ever appended to.
 */
import { z } from 'zod';
import { IsoDateTime, Lat, Lng } from './common.ts';

/** Ⅰ 特别重大, Ⅱ 重大, Ⅲ 较大, Ⅳ 一般 */
export const EmergencyGrade = z.enum(['I', 'II', 'III', 'IV']);
export type EmergencyGrade = z.infer<typeof EmergencyGrade>;
/** 自然灾害, 事故灾难, 公共卫生事件, 社会安全事件 */
export const EmergencyClass = z.enum(['natural', 'accident', 'health', 'security']);
export type EmergencyClass = z.infer<typeof EmergencyClass>;

export const MIN_RADIUS_M = 50;
export const MAX_RADIUS_M = 20_000;

const Text = (max: number) => z.string().trim().min(1).max(max);
const Person = z.string().trim().min(2).max(60);

export const CommandGroup = z.strictObject({
  /** 总指挥 */
  commander: Person,
  /** the group's members (units or people), as the centre names them */
  members: z.array(Text(60)).max(30),
}).meta({ id: 'CommandGroup' });
export type CommandGroup = z.infer<typeof CommandGroup>;

/** `POST /api/v1/emergency` */
export const EmergencyStart = z.strictObject({
  /** default: the session's own area (the district, or a street officer's street) */
  areaId: z.string().min(1).max(64).optional(),
  grade: EmergencyGrade,
  class: EmergencyClass,
  title: Text(200),
  lng: Lng,
  lat: Lat,
  radiusM: z.number().int().min(MIN_RADIUS_M).max(MAX_RADIUS_M),
  drill: z.boolean().default(false),
  command: CommandGroup,
}).meta({ id: 'EmergencyStart' });
export type EmergencyStart = z.infer<typeof EmergencyStart>;

/** `POST /api/v1/emergency/:id/log`: a release (滚动发布) or a change of the incident, under its version */
export const IncidentUpdate = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('release'), version: z.number().int().positive(), text: Text(2000) }),
  z.strictObject({ kind: z.literal('update'), version: z.number().int().positive(), grade: EmergencyGrade.optional(), radiusM: z.number().int().min(MIN_RADIUS_M).max(MAX_RADIUS_M).optional(), note: Text(2000) }),
  /** a resource of the registry sent to the incident (it is busy until the incident ends) */
  z.strictObject({ kind: z.literal('dispatch'), version: z.number().int().positive(), resourceId: z.string().min(1).max(64), note: Text(2000) }),
]).meta({ id: 'IncidentUpdate' });
export type IncidentUpdate = z.infer<typeof IncidentUpdate>;

/** `POST /api/v1/emergency/:id/end`: back to peacetime, with what was done */
export const EmergencyEnd = z.strictObject({ version: z.number().int().positive(), summary: Text(4000) }).meta({ id: 'EmergencyEnd' });
export type EmergencyEnd = z.infer<typeof EmergencyEnd>;

export const IncidentLogEntry = z.object({
  seq: z.number().int().positive(),
  at: IsoDateTime,
  actor: z.string(),
  kind: z.enum(['start', 'release', 'update', 'dispatch', 'end']),
  text: z.string(),
  data: z.record(z.string(), z.unknown()),
}).meta({ id: 'IncidentLogEntry' });
export type IncidentLogEntry = z.infer<typeof IncidentLogEntry>;

export const Incident = z.object({
  id: z.string(),
  /** the area in wartime: it and every area below it */
  areaId: z.string(),
  grade: EmergencyGrade,
  class: EmergencyClass,
  title: z.string(),
  lng: Lng,
  lat: Lat,
  radiusM: z.number().int(),
  drill: z.boolean(),
  command: CommandGroup,
  startedAt: IsoDateTime,
  startedBy: z.string(),
  endedAt: IsoDateTime.nullable(),
  endedBy: z.string().nullable(),
  summary: z.string().nullable(),
  version: z.number().int().positive(),
  log: z.array(IncidentLogEntry),
}).meta({ id: 'Incident', description: 'An incident the centre runs in wartime mode (平战结合), with its log.' });
export type Incident = z.infer<typeof Incident>;

/** `GET /api/v1/emergency?areaId=`: the mode of an area — its own incident or the nearest above it */
export const EmergencyState = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('peace') }),
  z.object({ mode: z.literal('war'), incident: Incident }),
]).meta({ id: 'EmergencyState' });
export type EmergencyState = z.infer<typeof EmergencyState>;
