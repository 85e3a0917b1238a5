/**
 * @module server/domain/lifecycle
 * The closed loop 统一受理、发现上报、指挥派遣、处置反馈、任务核查、评价归档 as a pure state machine:
 * given a case, a request and who asks, either the next case and the timeline entry to append,
 * or the reason it is refused. No I/O, no clock: `now` is passed in.
 *
 *   reported ─accept→ accepted ─dispatch→ dispatched ─handle→ handled ─verify→ verified ─archive→ archived
 *      │                 │  ↑                 │                  │
 *      └──reject─────────┴──┼── return ───────┘      rework ─────┘ (back to dispatched)
 *                 (rejected)
 *   escalate (street → district, written reason) and urge (催办) are logged without a change of stage.
 *
 * A unit (条) acts only on the cases it works on: its lead handles, returns a mis-dispatched case
 * and asks other units to co-handle (cohandle); each co-unit reports its own part (feedback).
 */
import { nextRung, type CaseAction, type EventStatus, type LadderRung, type Role, type Severity, type StageLimits, type TimeLimits, type TimelineEntry, type TransitionRequest, type Unit } from '../../shared/index.ts';

export interface CaseState {
  id: string;
  status: EventStatus;
  version: number;
  category: string;
  severity: Severity;
  streetId: string;
  leadUnit: string | null;
  coUnits: string[];
  escalated: boolean;
  /** when the current stage began, and when it is due (null once closed) */
  stageStartedAt: number;
  dueAt: number | null;
  rating: 'good' | 'bad' | null;
  satisfaction: number | null;
  duplicateOf: string | null;
  /** 涉密/敏感 */
  confidential: boolean;
  /** the escalation ladder's rung reached */
  ladder: LadderRung | null;
  /** its limits' factor (a key area's tightening; 1 elsewhere) */
  limitFactor: number;
}

export interface Actor {
  name: string;
  role: Role;
  areaId: string;
  /** the unit a unit's officer works for */
  unitId?: string | undefined;
}

/** From which stages an action may be taken, and where it leads (null: the stage does not change). */
export const TRANSITIONS: Record<CaseAction, { from: readonly EventStatus[]; to: EventStatus | null }> = {
  accept: { from: ['reported'], to: 'accepted' },
  reject: { from: ['reported', 'accepted'], to: 'rejected' },
  dispatch: { from: ['accepted'], to: 'dispatched' },
  return: { from: ['dispatched'], to: 'accepted' },
  handle: { from: ['dispatched'], to: 'handled' },
  verify: { from: ['handled'], to: 'verified' },
  rework: { from: ['handled'], to: 'dispatched' },
  escalate: { from: ['reported', 'accepted', 'dispatched', 'handled'], to: null },
  urge: { from: ['reported', 'accepted', 'dispatched', 'handled', 'verified'], to: null },
  archive: { from: ['verified'], to: 'archived' },
  feedback: { from: ['dispatched'], to: null },
  cohandle: { from: ['dispatched'], to: null },
  classify: { from: ['reported', 'accepted', 'dispatched', 'handled', 'verified', 'archived', 'rejected'], to: null },
  coordinate: { from: ['dispatched'], to: null },
};

/**
 * Who may take which action. District duty officers (and admins) run the whole loop; a street
 * officer runs it within its street, escalates to the district, and once a case is escalated may
 * only report handling, return a mis-dispatched case and urge; wall displays only watch.
 */
export const ROLE_ACTIONS: Record<Role, readonly CaseAction[]> = {
  admin: ['accept', 'reject', 'dispatch', 'return', 'handle', 'verify', 'rework', 'urge', 'archive', 'classify', 'coordinate'],
  district: ['accept', 'reject', 'dispatch', 'return', 'handle', 'verify', 'rework', 'urge', 'archive', 'classify', 'coordinate'],
  street: ['accept', 'reject', 'dispatch', 'return', 'handle', 'verify', 'rework', 'escalate', 'urge', 'archive', 'coordinate'],
  wall: [],
  unit: ['handle', 'return', 'cohandle', 'feedback', 'coordinate'],
};
const STREET_ON_ESCALATED: readonly CaseAction[] = ['handle', 'return', 'urge', 'coordinate'];
/** what a unit may do as the case's lead (牵头单位), and as one of its co-units */
const UNIT_AS_LEAD: readonly CaseAction[] = ['handle', 'return', 'cohandle', 'feedback', 'coordinate'];
const UNIT_AS_CO: readonly CaseAction[] = ['feedback'];

/** why a unit may not take this action on this case (null: it may) */
function unitRefusal(c: Pick<CaseState, 'leadUnit' | 'coUnits'>, actor: Actor, action: CaseAction): string | null {
  if (actor.role !== 'unit') return null;
  if (actor.unitId !== undefined && c.leadUnit === actor.unitId) return UNIT_AS_LEAD.includes(action) ? null : `the lead unit may not ${action}`;
  if (actor.unitId !== undefined && c.coUnits.includes(actor.unitId)) return UNIT_AS_CO.includes(action) ? null : `a co-handling unit may only give its feedback; the lead unit may ${action}`;
  return 'your unit does not work on this case';
}

/** the stage whose clock runs while a case is in a status */
export const STAGE_OF: Partial<Record<EventStatus, keyof StageLimits>> = {
  reported: 'accept',
  accepted: 'dispatch',
  dispatched: 'handle',
  handled: 'verify',
};

/**
 * The limits of a category, or the default (`*`) ones. The code comes from outside (any source may
 * post any category), so only the table's own entries count: `constructor` or `__proto__` must
 * not find something on Object.prototype and leave a case without a deadline.
 */
export function limitsFor(limits: TimeLimits, category: string): StageLimits {
  return (Object.hasOwn(limits.categories, category) ? limits.categories[category] : undefined) ?? limits.categories['*']!;
}

/** When the stage entered at `start` is due, or null if no clock runs in that status. */
export function dueAt(limits: TimeLimits, category: string, severity: Severity, status: EventStatus, start: number, factor = 1): number | null {
  const stage = STAGE_OF[status];
  if (!stage) return null;
  // `factor`: a key area's tightening (重点区域, below 1), the case's own
  return start + Math.round(limitsFor(limits, category)[stage] * limits.severityFactor[severity] * factor * 60_000);
}

export type Clock = 'ok' | 'amber' | 'red' | 'none';
/** amber once `warnAt` of the stage's time is used, red once it is due */
export function clockState(limits: TimeLimits, c: Pick<CaseState, 'stageStartedAt' | 'dueAt'>, now: number): Clock {
  if (c.dueAt === null) return 'none';
  if (now >= c.dueAt) return 'red';
  return now >= c.stageStartedAt + (c.dueAt - c.stageStartedAt) * limits.warnAt ? 'amber' : 'ok';
}

export type Refusal = { ok: false; code: 'FORBIDDEN' | 'CONFLICT' | 'INVALID_TRANSITION' | 'VALIDATION'; message: string };
export type Applied = { ok: true; next: CaseState; entry: Omit<TimelineEntry, 'seq'> };

export interface LifecycleContext {
  units: ReadonlyMap<string, Unit>;
  limits: TimeLimits;
  now: number;
  /** is the street within the actor's scope (the area tree knows) */
  inScope: (streetId: string) => boolean;
}

const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

export function applyTransition(c: CaseState, req: TransitionRequest, actor: Actor, ctx: LifecycleContext): Applied | Refusal {
  if (!ctx.inScope(c.streetId)) return refuse('FORBIDDEN', 'this case is outside your area');
  if (!ROLE_ACTIONS[actor.role].includes(req.action)) return refuse('FORBIDDEN', `a ${actor.role} may not ${req.action}`);
  if (actor.role === 'street' && c.escalated && !STREET_ON_ESCALATED.includes(req.action)) {
    return refuse('FORBIDDEN', 'this case was escalated to the district, which now directs it');
  }
  const notYours = unitRefusal(c, actor, req.action);
  if (notYours) return refuse('FORBIDDEN', notYours);
  if (req.version !== c.version) return refuse('CONFLICT', `the case changed meanwhile (now version ${c.version}); reload and try again`);
  const t = TRANSITIONS[req.action];
  if (!t.from.includes(c.status)) return refuse('INVALID_TRANSITION', `cannot ${req.action} a case that is ${c.status}`);

  const next: CaseState = { ...c, version: c.version + 1 };
  const data: Record<string, unknown> = {};
  switch (req.action) {
    case 'reject':
      if (req.reason === 'duplicate') {
        if (!req.duplicateOf) return refuse('VALIDATION', 'a duplicate names the case it duplicates (duplicateOf)');
        if (req.duplicateOf === c.id) return refuse('VALIDATION', 'a case cannot duplicate itself');
        next.duplicateOf = req.duplicateOf;
        data.duplicateOf = req.duplicateOf;
      }
      data.reason = req.reason;
      break;
    case 'dispatch': {
      const lead = ctx.units.get(req.unit);
      if (!lead) return refuse('VALIDATION', `unknown unit ${req.unit}`);
      for (const u of req.coUnits) {
        if (!ctx.units.has(u)) return refuse('VALIDATION', `unknown unit ${u}`);
        if (u === req.unit) return refuse('VALIDATION', 'the lead unit cannot also be a co-unit');
      }
      for (const u of [lead, ...req.coUnits.map((x) => ctx.units.get(x)!)]) {
        if (u.kind === 'street' && u.streetId !== c.streetId) return refuse('VALIDATION', `${u.name.zh} works only in its own street`);
      }
      next.leadUnit = req.unit;
      next.coUnits = [...new Set(req.coUnits)];
      Object.assign(data, { unit: req.unit, coUnits: next.coUnits });
      break;
    }
    case 'return':
      data.unit = c.leadUnit;
      next.leadUnit = null;
      next.coUnits = [];
      break;
    case 'cohandle': {
      const asked = [...new Set(req.units)];
      for (const u of asked) {
        const unit = ctx.units.get(u);
        if (!unit) return refuse('VALIDATION', `unknown unit ${u}`);
        if (u === c.leadUnit) return refuse('VALIDATION', 'the lead unit cannot also be a co-unit');
        if (unit.kind === 'street' && unit.streetId !== c.streetId) return refuse('VALIDATION', `${unit.name.zh} works only in its own street`);
      }
      const added = asked.filter((u) => !c.coUnits.includes(u));
      if (added.length === 0) return refuse('VALIDATION', 'these units already co-handle this case');
      if (c.coUnits.length + added.length > 10) return refuse('VALIDATION', 'a case has at most 10 co-units');
      next.coUnits = [...c.coUnits, ...added];
      data.coUnits = added;
      break;
    }
    case 'coordinate': {
      // one rung at a time, in order: deputy head, principal head, district government
      const rung = nextRung(c.ladder);
      if (rung === null) return refuse('INVALID_TRANSITION', 'the dispute is with the district government already');
      if (req.rung !== rung) return refuse('INVALID_TRANSITION', `the next rung of the ladder is ${rung}, not ${req.rung}`);
      if (req.rung === 'government' && req.positions.length < 2) return refuse('VALIDATION', "the district government is given each party's position: two or more");
      next.ladder = req.rung;
      Object.assign(data, { rung: req.rung, person: req.person, ...(req.positions.length ? { positions: req.positions } : {}) });
      break;
    }
    case 'classify':
      if (c.confidential === req.confidential) return refuse('INVALID_TRANSITION', req.confidential ? 'this case is confidential already' : 'this case is not confidential');
      next.confidential = req.confidential;
      data.confidential = req.confidential;
      break;
    case 'escalate':
      if (c.escalated) return refuse('INVALID_TRANSITION', 'this case is already with the district');
      next.escalated = true;
      data.to = 'district';
      break;
    case 'archive':
      next.rating = req.rating;
      next.satisfaction = req.satisfaction ?? null;
      Object.assign(data, { rating: req.rating, ...(req.satisfaction ? { satisfaction: req.satisfaction } : {}) });
      break;
    default:
      break;
  }
  // whose words these are: the lead's or one co-unit's (the timeline names the unit)
  if (actor.role === 'unit' && actor.unitId !== undefined && data.unit === undefined) data.unit = actor.unitId;
  if (t.to !== null && t.to !== c.status) {
    next.status = t.to;
    next.stageStartedAt = ctx.now;
    next.dueAt = dueAt(ctx.limits, c.category, c.severity, t.to, ctx.now, c.limitFactor);
  }
  return {
    ok: true,
    next,
    entry: {
      at: new Date(ctx.now).toISOString(),
      actor: actor.name,
      actorRole: actor.role,
      action: req.action,
      from: c.status,
      to: next.status,
      note: req.note ?? '',
      attachments: req.attachments,
      data,
    },
  };
}

/** the actions this actor may take on this case now (for the console's buttons) */
export function allowedActions(c: CaseState, actor: Actor, inScope: boolean): CaseAction[] {
  if (!inScope) return [];
  return ROLE_ACTIONS[actor.role].filter(
    (a) =>
      TRANSITIONS[a].from.includes(c.status) &&
      !(a === 'escalate' && c.escalated) &&
      !(a === 'coordinate' && nextRung(c.ladder) === null) &&
      !(actor.role === 'street' && c.escalated && !STREET_ON_ESCALATED.includes(a)) &&
      unitRefusal(c, actor, a) === null,
  );
}

/** The lead unit the responsibility list suggests for a category in a street (area rule first). */
export function suggestUnit(rules: readonly { category: string; areaId?: string | undefined; unit: string }[], category: string, streetId: string): string | null {
  return (
    rules.find((r) => r.category === category && r.areaId === streetId)?.unit ??
    rules.find((r) => r.category === category && r.areaId === undefined)?.unit ??
    rules.find((r) => r.category === '*' && r.areaId === streetId)?.unit ??
    null
  );
}

/**
 * A stage overran its time limit: the breach is counted and logged by the system, and a street
 * case rises to the district. The clock keeps running (the stage is still due).
 */
export function breach(c: CaseState, now: number): { next: CaseState; entry: Omit<TimelineEntry, 'seq'> } {
  const stage = STAGE_OF[c.status] ?? 'handle';
  return {
    next: { ...c, version: c.version + 1, escalated: true },
    entry: {
      at: new Date(now).toISOString(),
      actor: 'system',
      actorRole: 'system',
      action: 'breach',
      from: c.status,
      to: c.status,
      note: '',
      attachments: [],
      data: { stage, dueAt: c.dueAt === null ? null : new Date(c.dueAt).toISOString(), escalatedTo: c.escalated ? null : 'district' },
    },
  };
}
