/**
 * @module server/domain/replay
 * The wall back in time, as pure functions: a case as it was at a past time (from its row as
 * stored now and its append-only timeline up to that time), an alarm as it was (from its
 * history), the direct values of the derived count indicators then, and the shift handover's
 * sections. The stores read; these decide.
 *
 * What the records cannot tell: a case's `dueAt` is recomputed from the time limits in force now
 * (the timeline keeps stage changes, not their deadlines); an alarm's value and last confirmation
 * are those of its last history step at or before the time (values confirmed between steps are
 * not kept); a folded hour of readings is known by its last reading only.
 */
import {
  ALARM_SEVERITY_RANK,
  CaseTag,
  HANDOVER_LIST_CAP,
  isOpenStatus,
  type Alarm,
  type AlarmView,
  type GridEvent,
  type Handover,
  type HandoverCase,
  type TimeLimits,
  type TimelineEntry,
} from '../../shared/index.ts';
import { dueAt } from './lifecycle.ts';
import type { DirectValue } from './indicators.ts';

/**
 * The case as it was at `at`, or null when it did not exist yet. `timeline` holds its entries at
 * or before `at` (in order); null means it has not changed since `at`, so the row is as it was.
 */
export function caseAsOf(now: GridEvent, timeline: readonly TimelineEntry[] | null, at: number, limits: TimeLimits): GridEvent | null {
  if (Date.parse(now.receivedAt) > at) return null;
  if (timeline === null) return now;
  if (timeline.length === 0) return null;
  const c: GridEvent = {
    ...now,
    status: timeline[0]!.to,
    version: 0,
    leadUnit: null,
    coUnits: [],
    escalated: false,
    stageStartedAt: now.receivedAt,
    breaches: 0,
    rating: null,
    satisfaction: null,
    duplicateOf: null,
    // recurrence is decided at ingest and kept; the other tags were set by entries (replayed below)
    tags: now.tags.filter((t) => t === 'recurring'),
  };
  const tags = new Set<CaseTag>(c.tags);
  for (const e of timeline) {
    const d = e.data;
    c.version++;
    c.updatedAt = e.at;
    if (e.to !== e.from) {
      c.status = e.to;
      c.stageStartedAt = e.at;
    }
    switch (e.action) {
      case 'dispatch':
        c.leadUnit = typeof d.unit === 'string' ? d.unit : null;
        c.coUnits = Array.isArray(d.coUnits) ? d.coUnits.filter((u): u is string => typeof u === 'string') : [];
        break;
      case 'return':
        c.leadUnit = null;
        c.coUnits = [];
        break;
      case 'escalate':
        c.escalated = true;
        break;
      case 'breach':
        c.breaches++;
        c.escalated = true;
        break;
      case 'reject':
        c.duplicateOf = typeof d.duplicateOf === 'string' ? d.duplicateOf : null;
        break;
      case 'archive':
        c.rating = d.rating === 'good' || d.rating === 'bad' ? d.rating : null;
        c.satisfaction = typeof d.satisfaction === 'number' ? d.satisfaction : null;
        break;
      case 'tag': {
        const t = CaseTag.safeParse(d.tag);
        if (t.success) {
          if (d.on === true) tags.add(t.data);
          else tags.delete(t.data);
        }
        break;
      }
      default:
        break;
    }
  }
  c.tags = CaseTag.options.filter((t) => tags.has(t));
  const due = dueAt(limits, c.category, c.severity, c.status, Date.parse(c.stageStartedAt), c.limitFactor);
  c.dueAt = due === null ? null : new Date(due).toISOString();
  return c;
}

/** Order of the snapshot's open cases: the soonest due first, unclocked last, then newest received (as the live snapshot's `order: 'due'`). */
export function compareByDue(a: GridEvent, b: GridEvent): number {
  const da = a.dueAt === null ? Infinity : Date.parse(a.dueAt);
  const db = b.dueAt === null ? Infinity : Date.parse(b.dueAt);
  if (da !== db) return da < db ? -1 : 1;
  return Date.parse(b.receivedAt) - Date.parse(a.receivedAt) || Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The open cases at `at`, soonest due first, from the candidates a store read. */
export function openCasesAt(candidates: readonly { event: GridEvent; timeline: TimelineEntry[] | null }[], at: number, limits: TimeLimits): GridEvent[] {
  const out: GridEvent[] = [];
  for (const c of candidates) {
    const then = caseAsOf(c.event, c.timeline, at, limits);
    if (then && isOpenStatus(then.status)) out.push(then);
  }
  return out.sort(compareByDue);
}

/**
 * The alarm as it was at `at` from its history, or null when it was not active then (not yet
 * raised, or cleared by then).
 */
export function alarmAsOf(a: AlarmView, at: number): Alarm | null {
  if (Date.parse(a.raisedAt) > at) return null;
  if (a.clearedAt !== null && Date.parse(a.clearedAt) <= at) return null;
  const { history, ...alarm } = a;
  const steps = history.filter((h) => Date.parse(h.at) <= at);
  const last = steps.at(-1);
  const ack = steps.findLast((h) => h.kind === 'acknowledged');
  const opened = steps.some((h) => h.kind === 'case_opened');
  return {
    ...alarm,
    state: ack ? 'acknowledged' : 'raised',
    severity: last?.severity ?? alarm.severity,
    value: last ? last.value : alarm.value,
    lastAt: last?.at ?? alarm.raisedAt,
    clearedAt: null,
    acknowledgedAt: ack?.at ?? null,
    acknowledgedBy: ack?.by ?? null,
    ackNote: ack ? ack.note : null,
    caseId: opened ? alarm.caseId : null,
    version: Math.max(1, steps.length),
  };
}

/** The snapshot's alarm order: the most severe first, then the oldest (as the live `alarms.list`). */
export function compareActiveAlarms(a: Alarm, b: Alarm): number {
  return ALARM_SEVERITY_RANK[b.severity] - ALARM_SEVERITY_RANK[a.severity] || Date.parse(a.raisedAt) - Date.parse(b.raisedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The derived count indicators' direct values per grid at `at` (as the live service counts them):
 * open cases, open cases past their stage deadline, and cases that occurred since local midnight.
 */
export function derivedCountsAt(
  open: readonly GridEvent[],
  today: readonly { gridId: string }[],
  gridIds: Iterable<string>,
  at: number,
): Record<'open_events' | 'overdue_events' | 'events_today', Map<string, DirectValue>> {
  const counts = new Map<string, { open: number; overdue: number; today: number }>();
  const of = (g: string) => {
    let c = counts.get(g);
    if (!c) counts.set(g, (c = { open: 0, overdue: 0, today: 0 }));
    return c;
  };
  for (const e of open) {
    const c = of(e.gridId);
    c.open++;
    if (e.dueAt !== null && Date.parse(e.dueAt) <= at) c.overdue++;
  }
  for (const t of today) of(t.gridId).today++;
  const out = { open_events: new Map<string, DirectValue>(), overdue_events: new Map<string, DirectValue>(), events_today: new Map<string, DirectValue>() };
  for (const g of gridIds) {
    const c = counts.get(g);
    out.open_events.set(g, { value: c?.open ?? 0, at, simulated: false });
    out.overdue_events.set(g, { value: c?.overdue ?? 0, at, simulated: false });
    out.events_today.set(g, { value: c?.today ?? 0, at, simulated: false });
  }
  return out;
}

/** What the handover reads: timeline entries of the window with their cases, and the alarms overlapping it. */
export interface HandoverInput {
  areaId: string;
  since: number;
  until: number;
  now: number;
  entries: readonly { action: string; at: number; event: GridEvent }[];
  alarms: readonly AlarmView[];
  /** the street a case or alarm counts under (the area itself below a street) */
  streetOf: (areaId: string) => string;
}

const byNewest = (a: { at: string }, b: { at: string }) => Date.parse(b.at) - Date.parse(a.at);

/**
 * The shift handover: cases received, archived and gone overdue in [since, until) (a case once per
 * section, at its first such entry), alarms raised and cleared in it, counted by street and by
 * category, the lists capped at {@link HANDOVER_LIST_CAP} (newest first; alarms most severe first).
 */
export function handover(i: HandoverInput): Handover {
  const sections = { report: new Map<string, HandoverCase>(), archive: new Map<string, HandoverCase>(), breach: new Map<string, HandoverCase>() };
  for (const e of i.entries) {
    const m = sections[e.action as keyof typeof sections];
    if (!m || m.has(e.event.id)) continue;
    const ev = e.event;
    m.set(ev.id, { id: ev.id, title: ev.title, category: ev.category, streetId: ev.streetId, gridId: ev.gridId, severity: ev.severity, status: ev.status, at: new Date(e.at).toISOString() });
  }
  const inWindow = (t: string | null) => t !== null && Date.parse(t) >= i.since && Date.parse(t) < i.until;
  const strip = ({ history: _h, ...a }: AlarmView): Alarm => a;
  const raised = i.alarms.filter((a) => inWindow(a.raisedAt)).map(strip);
  const cleared = i.alarms.filter((a) => inWindow(a.clearedAt)).map(strip);

  type Counts = { newCases: number; closedCases: number; overdueCases: number; alarmsRaised: number; alarmsCleared: number };
  const zero = (): Counts => ({ newCases: 0, closedCases: 0, overdueCases: 0, alarmsRaised: 0, alarmsCleared: 0 });
  const streets = new Map<string, Counts>();
  const categories = new Map<string, Omit<Counts, 'alarmsRaised' | 'alarmsCleared'>>();
  const bump = (key: keyof Counts, streetId: string, category?: string) => {
    let s = streets.get(streetId);
    if (!s) streets.set(streetId, (s = zero()));
    s[key]++;
    if (category !== undefined && key !== 'alarmsRaised' && key !== 'alarmsCleared') {
      let c = categories.get(category);
      if (!c) categories.set(category, (c = { newCases: 0, closedCases: 0, overdueCases: 0 }));
      c[key]++;
    }
  };
  const caseKeys = [['report', 'newCases'], ['archive', 'closedCases'], ['breach', 'overdueCases']] as const;
  for (const [action, key] of caseKeys) for (const c of sections[action].values()) bump(key, i.streetOf(c.gridId), c.category);
  for (const a of raised) bump('alarmsRaised', i.streetOf(a.areaId));
  for (const a of cleared) bump('alarmsCleared', i.streetOf(a.areaId));

  const caseSection = (m: Map<string, HandoverCase>) => ({ total: m.size, items: [...m.values()].sort(byNewest).slice(0, HANDOVER_LIST_CAP) });
  const alarmOrder = (when: (a: Alarm) => string) => (a: Alarm, b: Alarm) =>
    ALARM_SEVERITY_RANK[b.severity] - ALARM_SEVERITY_RANK[a.severity] || Date.parse(when(b)) - Date.parse(when(a)) || (a.id < b.id ? -1 : 1);
  const most = (a: Counts | Omit<Counts, 'alarmsRaised' | 'alarmsCleared'>, b: typeof a) =>
    b.newCases - a.newCases || b.closedCases - a.closedCases || b.overdueCases - a.overdueCases;
  return {
    areaId: i.areaId,
    since: new Date(i.since).toISOString(),
    until: new Date(i.until).toISOString(),
    generatedAt: new Date(i.now).toISOString(),
    newCases: caseSection(sections.report),
    closedCases: caseSection(sections.archive),
    overdueCases: caseSection(sections.breach),
    alarmsRaised: { total: raised.length, items: raised.sort(alarmOrder((a) => a.raisedAt)).slice(0, HANDOVER_LIST_CAP) },
    alarmsCleared: { total: cleared.length, items: cleared.sort(alarmOrder((a) => a.clearedAt!)).slice(0, HANDOVER_LIST_CAP) },
    byStreet: [...streets].map(([streetId, c]) => ({ streetId, ...c })).sort((a, b) => most(a, b) || b.alarmsRaised - a.alarmsRaised || (a.streetId < b.streetId ? -1 : 1)),
    byCategory: [...categories].map(([category, c]) => ({ category, ...c })).sort((a, b) => most(a, b) || (a.category < b.category ? -1 : 1)),
  };
}
