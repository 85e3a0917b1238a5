/**
 * @module shared/schemas/task
 * Tasks on the map (挂图作战, DOMAIN.md R5.1–R5.4, R5.6): work the district runs as tasks and
 * projects, distinct from citizens' cases — a responsible unit and person, milestones with dates,
 * a deadline, a standard of completion, a place on the map; progress reported, 催办/督办 logged, a
 * late milestone flagged 慢落实 until the unit files a written report, and for projects a site
 * visit every quarter (「项目责任人每季度至少开展一次现场办公」).
 */
import { z } from 'zod';
import { Code, IsoDateTime, Lat, Lng } from './common.ts';

export const TaskKind = z.enum(['task', 'project']);
export type TaskKind = z.infer<typeof TaskKind>;
export const TaskStatus = z.enum(['active', 'done']);
export type TaskStatus = z.infer<typeof TaskStatus>;

const Position = z.tuple([Lng, Lat]);
/** where a task is: a point, or an area drawn as one polygon (outer ring, closed, at most 500 points) */
export const TaskLocation = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Point'), coordinates: Position }),
  z.strictObject({
    type: z.literal('Polygon'),
    coordinates: z
      .array(z.array(Position).min(4).max(500))
      .length(1, 'one ring: the outline')
      .refine((rings) => rings.every((r) => r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1]), 'a ring ends where it begins'),
  }),
]).meta({ id: 'TaskLocation', description: 'A GeoJSON Point, or a Polygon of one closed ring (WGS84).' });
export type TaskLocation = z.infer<typeof TaskLocation>;

/** The written report a late milestone needs (「责任单位应向区政府作书面报告」). */
export const LateReport = z.object({ text: z.string(), attachment: z.string(), at: IsoDateTime, by: z.string() });
export type LateReport = z.infer<typeof LateReport>;

export const Milestone = z.object({
  title: z.string(),
  due: IsoDateTime,
  doneAt: IsoDateTime.nullable(),
  /** when the server chased it (催办) for being late; null: not yet */
  chasedAt: IsoDateTime.nullable(),
  lateReport: LateReport.nullable(),
}).meta({ id: 'Milestone' });
export type Milestone = z.infer<typeof Milestone>;

/** A task as the server keeps and serves it, with what it derives from the clock. */
export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  title: z.string(),
  /** the responsible unit (`GET /api/v1/units`) and person */
  unitId: z.string(),
  person: z.string(),
  /** the standard of completion (工作标准) */
  standard: z.string(),
  deadline: IsoDateTime,
  /** the district or the street it belongs to (scope) */
  areaId: z.string(),
  location: TaskLocation.nullable(),
  milestones: z.array(Milestone),
  status: TaskStatus,
  /** 0–100, as last reported */
  progress: z.number().int().min(0).max(100),
  /** the last site visit (现场办公), for the quarterly duty of projects */
  lastVisitAt: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  updatedAt: IsoDateTime,
  version: z.number().int().positive(),
  /** derived: past its deadline and not done */
  late: z.boolean(),
  /** derived: milestones past due and not done (their indexes) */
  lateMilestones: z.array(z.number().int().min(0)),
  /** derived: 慢落实 — a milestone is late */
  slow: z.boolean(),
  /** derived: late milestones still without their written report */
  awaitingReport: z.array(z.number().int().min(0)),
  /** derived: a project with no site visit this quarter */
  visitDue: z.boolean(),
}).meta({ id: 'Task', description: 'A task or project on the map (挂图作战), with its milestones and the flags the server derives from the clock.' });
export type Task = z.infer<typeof Task>;

const Text = (max: number) => z.string().trim().min(1).max(max);

/** `POST /api/v1/tasks` */
export const TaskCreate = z.strictObject({
  kind: TaskKind.default('task'),
  title: Text(200),
  unitId: Code,
  person: z.string().trim().min(2).max(60),
  standard: Text(2000),
  deadline: IsoDateTime,
  /** default: the session's own area */
  areaId: z.string().min(1).max(64).optional(),
  location: TaskLocation.optional(),
  milestones: z.array(z.strictObject({ title: Text(200), due: IsoDateTime })).min(1).max(20),
}).meta({ id: 'TaskCreate' });
export type TaskCreate = z.infer<typeof TaskCreate>;

const V = { version: z.number().int().positive() };
const Note = z.string().trim().max(2000).optional();
const NeededNote = z.string().trim().min(2, 'a written note is required').max(2000);
/** `POST /api/v1/tasks/:id/actions` */
export const TaskAction = z.discriminatedUnion('action', [
  /** the responsible unit reports progress */
  z.strictObject({ action: z.literal('progress'), ...V, progress: z.number().int().min(0).max(100), note: Note }),
  /** a milestone reached */
  z.strictObject({ action: z.literal('milestone'), ...V, index: z.number().int().min(0).max(19), note: Note }),
  /** the written report a late milestone needs: its text and the attached file's name */
  z.strictObject({ action: z.literal('lateReport'), ...V, index: z.number().int().min(0).max(19), text: z.string().trim().min(5, 'a written report is required').max(4000), attachment: z.string().trim().min(1, 'name the attached file').max(200) }),
  /** 催办 */
  z.strictObject({ action: z.literal('urge'), ...V, note: Note }),
  /** 督办 (supervised by the district, with a written instruction) */
  z.strictObject({ action: z.literal('supervise'), ...V, note: NeededNote }),
  /** a site visit (现场办公) */
  z.strictObject({ action: z.literal('visit'), ...V, note: NeededNote }),
  /** done to the standard */
  z.strictObject({ action: z.literal('complete'), ...V, note: NeededNote }),
]).meta({ id: 'TaskAction', description: 'An action on a task, with the version of the task it was taken on.' });
export type TaskAction = z.infer<typeof TaskAction>;
export const TaskActionName = z.enum(['progress', 'milestone', 'lateReport', 'urge', 'supervise', 'visit', 'complete']);
export type TaskActionName = z.infer<typeof TaskActionName>;

/** One entry of a task's log; entries are only ever appended. */
export const TaskLogEntry = z.object({
  seq: z.number().int().positive(),
  at: IsoDateTime,
  actor: z.string(),
  actorRole: z.string(),
  /** an action, `create`, or `chase`: the server chasing a late milestone or deadline by itself */
  action: z.union([TaskActionName, z.enum(['create', 'chase'])]),
  note: z.string(),
  data: z.record(z.string(), z.unknown()),
}).meta({ id: 'TaskLogEntry' });
export type TaskLogEntry = z.infer<typeof TaskLogEntry>;

/** `GET /api/v1/tasks/:id` and an action's answer */
export const TaskView = Task.extend({
  log: z.array(TaskLogEntry),
  /** what this session may do now */
  allowedActions: z.array(TaskActionName),
}).meta({ id: 'TaskView' });
export type TaskView = z.infer<typeof TaskView>;

/** Query of `GET /api/v1/tasks` */
export const TaskQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }),
  unit: Code.optional().meta({ description: 'the tasks of one responsible unit' }),
  status: z.enum(['active', 'done', 'late', 'slow']).optional().meta({ description: 'active, done, or the active ones that are late or 慢落实' }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type TaskQuery = z.infer<typeof TaskQuery>;

/** `GET /api/v1/tasks`: overdue first, then by deadline; and the quarter's site-visit coverage of projects */
export const TasksResponse = z.object({
  tasks: z.array(Task),
  total: z.number().int().min(0),
  /** R5.4: active projects visited this quarter, of all active projects listed */
  coverage: z.object({ quarterStart: IsoDateTime, projects: z.number().int().min(0), visited: z.number().int().min(0) }),
}).meta({ id: 'TasksResponse' });
export type TasksResponse = z.infer<typeof TasksResponse>;
