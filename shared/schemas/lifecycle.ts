/**
 * @module shared/schemas/lifecycle
 * The closed loop (DOMAIN.md R2.1): actions on a case, its timeline, units and time limits.
 */
import { z } from 'zod';
import { Code, IsoDateTime, LocalisedText } from './common.ts';
import { EventStatus, GridEvent, LadderRung } from './event.ts';

/**
 * `feedback` is a co-handling unit's own report on its part (联勤联动), `cohandle` the lead unit
 * asking other units to work with it; neither changes the stage. `classify` marks a case
 * 涉密/敏感 (or no longer), with a written reason: it leaves every wall and every view without
 * clearance at once. `coordinate` climbs the escalation ladder of a dispute one rung (the unit's
 * deputy head, its principal head, the district government), naming who coordinates; the last
 * rung needs the written rationale with each party's position.
 */
export const CaseAction = z.enum(['accept', 'reject', 'dispatch', 'return', 'handle', 'verify', 'rework', 'escalate', 'urge', 'archive', 'feedback', 'cohandle', 'classify', 'coordinate']);
export type CaseAction = z.infer<typeof CaseAction>;

const Note = z.string().trim().max(2000);
const NeededNote = z.string().trim().min(2, 'a written note is required').max(2000);
const Attachments = z.array(z.string().trim().min(1).max(200)).max(20).default([]);
const Base = { version: z.number().int().positive(), note: Note.optional(), attachments: Attachments };

/** `POST /api/v1/events/:id/transitions` */
export const TransitionRequest = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('accept'), ...Base }),
  z.strictObject({ action: z.literal('reject'), ...Base, reason: z.enum(['invalid', 'duplicate']), duplicateOf: z.string().min(1).max(64).optional() }),
  z.strictObject({ action: z.literal('dispatch'), ...Base, unit: Code, coUnits: z.array(Code).max(10).default([]) }),
  z.strictObject({ action: z.literal('return'), ...Base, note: NeededNote }),
  z.strictObject({ action: z.literal('handle'), ...Base, note: NeededNote }),
  z.strictObject({ action: z.literal('verify'), ...Base }),
  z.strictObject({ action: z.literal('rework'), ...Base, note: NeededNote }),
  z.strictObject({ action: z.literal('escalate'), ...Base, note: z.string().trim().min(5, 'escalation needs a written reason').max(2000) }),
  z.strictObject({ action: z.literal('urge'), ...Base }),
  z.strictObject({ action: z.literal('archive'), ...Base, rating: z.enum(['good', 'bad']), satisfaction: z.number().int().min(1).max(5).optional() }),
  z.strictObject({ action: z.literal('feedback'), ...Base, note: NeededNote }),
  z.strictObject({ action: z.literal('cohandle'), ...Base, units: z.array(Code).min(1).max(10), note: NeededNote }),
  z.strictObject({ action: z.literal('classify'), ...Base, confidential: z.boolean(), note: NeededNote }),
  z.strictObject({
    action: z.literal('coordinate'),
    ...Base,
    rung: LadderRung,
    /** who coordinates at this rung (the head's name and post) */
    person: z.string().trim().min(2, 'name who coordinates').max(60),
    note: NeededNote,
    /** each party's position (理据): required, two or more, for the district government */
    positions: z.array(z.strictObject({ party: z.string().trim().min(1).max(64), position: z.string().trim().min(2, 'a position is required').max(1000) })).max(10).default([]),
  }),
]).meta({ id: 'TransitionRequest', description: 'An action on a case, with the version of the case it was taken on.' });
export type TransitionRequest = z.infer<typeof TransitionRequest>;

/** One entry of a case's timeline; entries are only ever appended. */
export const TimelineEntry = z.object({
  seq: z.number().int().positive(),
  at: IsoDateTime,
  actor: z.string(),
  actorRole: z.string(),
  action: z.union([CaseAction, z.literal('report'), z.literal('breach'), z.literal('tag')]),
  from: EventStatus,
  to: EventStatus,
  note: z.string(),
  attachments: z.array(z.string()),
  /** action-specific fields (unit, co-units, rating, reason…) */
  data: z.record(z.string(), z.unknown()),
}).meta({ id: 'TimelineEntry', description: 'One entry of a case’s timeline; entries are only ever appended.' });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * A case as `GET /api/v1/events/:id` and a transition answer it: the event, its timeline, what the
 * caller may do now, the lead unit the responsibility list suggests, and the reports merged into it.
 */
export const CaseView = GridEvent.extend({
  timeline: z.array(TimelineEntry),
  /** what this session may do now */
  allowedActions: z.array(CaseAction),
  /** the lead unit the responsibility list suggests */
  suggestedUnit: z.string().nullable(),
  /** the reports merged into this case as its duplicates, as far as the caller may see them */
  duplicates: z.array(GridEvent),
}).meta({
  id: 'CaseView',
  description: 'A case: the event with its timeline (only ever appended to), the actions this session may take now, the lead unit the responsibility list suggests, and the reports merged into it as duplicates (those the caller may see).',
});
export type CaseView = z.infer<typeof CaseView>;

/**
 * `POST /api/v1/events/:id/personal`: the report as posted, its personal data unmasked (R6.1). Shown
 * to the officers who handle cases, each time audited; never to a wall.
 */
export const PersonalData = z.object({ title: z.string(), description: z.string() }).meta({
  id: 'PersonalData',
  description: 'The report as posted, with the names, phone, ID and plate numbers the server masks everywhere else.',
});
export type PersonalData = z.infer<typeof PersonalData>;

export const UnitKind = z.enum(['team', 'department', 'street']);
/** A unit cases are dispatched to: a 专班, a department, or a street centre. */
export const Unit = z.object({
  id: Code,
  name: LocalisedText,
  kind: UnitKind,
  /** a street unit works only in its street */
  streetId: z.string().optional(),
}).meta({ id: 'Unit', description: 'A unit cases are dispatched to: a team (专班), a department or a street centre.' });
export type Unit = z.infer<typeof Unit>;
/** `GET /api/v1/units` */
export const UnitList = z.array(Unit).meta({ id: 'UnitList', description: 'Every unit cases may be dispatched to.' });
export type UnitList = z.infer<typeof UnitList>;

/** Responsibility list: category (and optionally area) → the lead unit to suggest. */
export const ResponsibilityRule = z.object({ category: z.union([Code, z.literal('*')]), areaId: z.string().optional(), unit: Code });
export type ResponsibilityRule = z.infer<typeof ResponsibilityRule>;

/** Minutes allowed for each stage, per category (`*` is the default). */
export const StageLimits = z.object({
  accept: z.number().positive(),
  dispatch: z.number().positive(),
  handle: z.number().positive(),
  verify: z.number().positive(),
});
export type StageLimits = z.infer<typeof StageLimits>;
export const TimeLimits = z.object({
  /** a more severe case gets this fraction of each limit */
  severityFactor: z.object({ low: z.number().positive(), medium: z.number().positive(), high: z.number().positive(), critical: z.number().positive() }),
  /** fraction of a limit after which the case shows amber */
  warnAt: z.number().gt(0).lt(1),
  categories: z.record(z.string(), StageLimits),
});
export type TimeLimits = z.infer<typeof TimeLimits>;
