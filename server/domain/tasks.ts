/**
 * @module server/domain/tasks
 * Tasks on the map (挂图作战, DOMAIN.md R5.1–R5.4, R5.6) as pure functions: who may see and act on
 * a task, what an action does to it, what the clock derives (late, 慢落实, a report owed, a site
 * visit due this quarter), and which late milestones and deadlines the server chases (催办) by
 * itself. No I/O: `now` and the time zone are passed in.
 */
import type { Role, Task, TaskAction, TaskActionName, TaskLocation, TaskLogEntry } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';
import { resolveWallTime, startOfZonedDay, zonedParts } from '../../shared/time-zone.ts';

export interface MilestoneRecord {
  title: string;
  due: number;
  doneAt: number | null;
  chasedAt: number | null;
  lateReport: { text: string; attachment: string; at: number; by: string } | null;
}

/** A task as stored (times in epoch ms). */
export interface TaskRecord {
  id: string;
  kind: Task['kind'];
  title: string;
  unitId: string;
  person: string;
  standard: string;
  deadline: number;
  areaId: string;
  location: TaskLocation | null;
  milestones: MilestoneRecord[];
  status: Task['status'];
  progress: number;
  lastVisitAt: number | null;
  /** when the server chased the task for its deadline (null: not yet) */
  chasedAt: number | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  version: number;
}

export interface TaskActor {
  name: string;
  role: Role;
  areaId: string;
  unitId?: string | undefined;
  /** a unit account limited to several streets (its area is then the district) */
  streets?: readonly string[] | undefined;
}

export type TaskEntry = Omit<TaskLogEntry, 'seq'>;

/** Whether the principal may see a task: an area sees the tasks of its area; a unit its own tasks. */
export function canSeeTask(tree: AreaTree, p: TaskActor, t: Pick<TaskRecord, 'areaId' | 'unitId'>): boolean {
  if (!tree.get(t.areaId)) return false;
  // a unit bound to a street sees its tasks there; one bound to the district, all of its tasks
  if (p.role !== 'unit') return tree.isWithin(t.areaId, p.areaId);
  if (p.unitId !== t.unitId) return false;
  // limited to several streets: its tasks of those streets, and its unit's district-wide tasks
  if (p.streets?.length) return p.streets.includes(t.areaId) || tree.level(t.areaId) === 'district';
  return tree.isWithin(t.areaId, p.areaId) || tree.isWithin(p.areaId, t.areaId);
}

/** What each role may do to a task it sees; a unit only to its own (it is the responsible unit). */
const ROLE_TASK_ACTIONS: Record<Role, readonly TaskActionName[]> = {
  admin: ['progress', 'milestone', 'lateReport', 'urge', 'supervise', 'visit', 'complete'],
  district: ['progress', 'milestone', 'lateReport', 'urge', 'supervise', 'visit', 'complete'],
  street: ['progress', 'milestone', 'lateReport', 'urge', 'visit', 'complete'],
  unit: ['progress', 'milestone', 'lateReport', 'visit'],
  wall: [],
};

/** who may create tasks (in their area) */
export const mayCreateTask = (role: Role): boolean => role === 'admin' || role === 'district' || role === 'street';

/** the start of the quarter `now` lies in, in the centre's time zone (its first day's first instant) */
export function quarterStart(now: number, timeZone: string): number {
  const p = zonedParts(now, timeZone);
  const noon = resolveWallTime({ year: p.year, month: p.month - ((p.month - 1) % 3), day: 1, hour: 12 }, timeZone).ms;
  return startOfZonedDay(noon, timeZone);
}

const isLate = (m: MilestoneRecord, now: number) => (m.doneAt ?? now) > m.due;

/** The task as served: the record with what the clock derives. */
export function taskView(t: TaskRecord, now: number, timeZone: string): Task {
  const active = t.status === 'active';
  const lateMilestones = t.milestones.flatMap((m, i) => (isLate(m, now) && (m.doneAt === null ? active : true) ? [i] : []));
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: t.id,
    kind: t.kind,
    title: t.title,
    unitId: t.unitId,
    person: t.person,
    standard: t.standard,
    deadline: iso(t.deadline),
    areaId: t.areaId,
    location: t.location,
    milestones: t.milestones.map((m) => ({
      title: m.title,
      due: iso(m.due),
      doneAt: m.doneAt === null ? null : iso(m.doneAt),
      chasedAt: m.chasedAt === null ? null : iso(m.chasedAt),
      lateReport: m.lateReport ? { ...m.lateReport, at: iso(m.lateReport.at) } : null,
    })),
    status: t.status,
    progress: t.progress,
    lastVisitAt: t.lastVisitAt === null ? null : iso(t.lastVisitAt),
    createdAt: iso(t.createdAt),
    createdBy: t.createdBy,
    updatedAt: iso(t.updatedAt),
    version: t.version,
    late: active && now > t.deadline,
    lateMilestones,
    slow: lateMilestones.length > 0,
    awaitingReport: lateMilestones.filter((i) => t.milestones[i]!.lateReport === null),
    visitDue: active && t.kind === 'project' && (t.lastVisitAt ?? 0) < quarterStart(now, timeZone),
  };
}

/** Overdue first, then 慢落实, then the nearest deadline. */
export function compareTasks(a: Task, b: Task): number {
  return Number(b.late) - Number(a.late) || Number(b.slow) - Number(a.slow) || Date.parse(a.deadline) - Date.parse(b.deadline) || a.id.localeCompare(b.id);
}

export type TaskRefusal = { ok: false; code: 'FORBIDDEN' | 'CONFLICT' | 'INVALID_TRANSITION' | 'VALIDATION'; message: string };
export type TaskApplied = { ok: true; next: TaskRecord; entry: TaskEntry };
const refuse = (code: TaskRefusal['code'], message: string): TaskRefusal => ({ ok: false, code, message });

/** the actions this actor may take on this task now */
export function taskActions(t: TaskRecord, actor: TaskActor): TaskActionName[] {
  if (actor.role === 'unit' && actor.unitId !== t.unitId) return [];
  if (t.status === 'done') return actor.role === 'wall' ? [] : ROLE_TASK_ACTIONS[actor.role].filter((a) => a === 'visit');
  return ROLE_TASK_ACTIONS[actor.role].filter((a) => (a === 'milestone' ? t.milestones.some((m) => m.doneAt === null) : true));
}

export function applyTaskAction(t: TaskRecord, req: TaskAction, actor: TaskActor, now: number): TaskApplied | TaskRefusal {
  if (!taskActions(t, actor).includes(req.action)) {
    if (actor.role === 'unit' && actor.unitId !== t.unitId) return refuse('FORBIDDEN', 'your unit is not responsible for this task');
    if (!ROLE_TASK_ACTIONS[actor.role].includes(req.action)) return refuse('FORBIDDEN', `a ${actor.role} may not ${req.action} a task`);
    return refuse('INVALID_TRANSITION', `cannot ${req.action} a task that is ${t.status}`);
  }
  if (req.version !== t.version) return refuse('CONFLICT', `the task changed meanwhile (now version ${t.version}); reload and try again`);
  const next: TaskRecord = { ...t, milestones: t.milestones.map((m) => ({ ...m })), version: t.version + 1, updatedAt: now };
  const data: Record<string, unknown> = {};
  const milestone = (i: number) => next.milestones[i];
  switch (req.action) {
    case 'progress':
      next.progress = req.progress;
      data.progress = req.progress;
      break;
    case 'milestone': {
      const m = milestone(req.index);
      if (!m) return refuse('VALIDATION', `no milestone ${req.index}`);
      if (m.doneAt !== null) return refuse('INVALID_TRANSITION', `milestone ${req.index} is reached already`);
      m.doneAt = now;
      Object.assign(data, { index: req.index, late: now > m.due });
      break;
    }
    case 'lateReport': {
      const m = milestone(req.index);
      if (!m) return refuse('VALIDATION', `no milestone ${req.index}`);
      if (!isLate(m, now)) return refuse('INVALID_TRANSITION', `milestone ${req.index} is not late`);
      if (m.lateReport) return refuse('INVALID_TRANSITION', `milestone ${req.index} has its report already`);
      m.lateReport = { text: req.text, attachment: req.attachment, at: now, by: actor.name };
      Object.assign(data, { index: req.index, attachment: req.attachment });
      break;
    }
    case 'visit':
      next.lastVisitAt = now;
      break;
    case 'complete':
      if (next.milestones.some((m) => m.doneAt === null)) return refuse('INVALID_TRANSITION', 'every milestone must be reached first');
      next.status = 'done';
      next.progress = 100;
      break;
    default:
      break;
  }
  const note = 'note' in req && req.note ? req.note : req.action === 'lateReport' ? req.text : '';
  return { ok: true, next, entry: { at: new Date(now).toISOString(), actor: actor.name, actorRole: actor.role, action: req.action, note, data } };
}

/**
 * What the server chases by itself (催办): each milestone past due and not reached, once, and the
 * deadline once it passes with the task not done. Null when nothing is new.
 */
export function chaseDue(t: TaskRecord, now: number): { next: TaskRecord; entries: TaskEntry[] } | null {
  if (t.status !== 'active') return null;
  const entries: TaskEntry[] = [];
  const next: TaskRecord = { ...t, milestones: t.milestones.map((m) => ({ ...m })) };
  const at = new Date(now).toISOString();
  next.milestones.forEach((m, i) => {
    if (m.doneAt === null && m.chasedAt === null && now > m.due) {
      m.chasedAt = now;
      entries.push({ at, actor: 'system', actorRole: 'system', action: 'chase', note: '', data: { milestone: i, due: new Date(m.due).toISOString() } });
    }
  });
  if (next.chasedAt === null && now > t.deadline) {
    next.chasedAt = now;
    entries.push({ at, actor: 'system', actorRole: 'system', action: 'chase', note: '', data: { deadline: new Date(t.deadline).toISOString() } });
  }
  if (!entries.length) return null;
  return { next: { ...next, version: t.version + 1, updatedAt: now }, entries };
}

/** The earliest time something of the task falls due unchased (the store indexes it; null: nothing will). */
export function nextDue(t: Pick<TaskRecord, 'status' | 'milestones' | 'deadline' | 'chasedAt'>): number | null {
  if (t.status !== 'active') return null;
  const times = t.milestones.filter((m) => m.doneAt === null && m.chasedAt === null).map((m) => m.due);
  if (t.chasedAt === null) times.push(t.deadline);
  return times.length ? Math.min(...times) : null;
}
