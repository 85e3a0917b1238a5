/**
 * @module server/services/task.service
 * Tasks on the map (挂图作战) as use cases: list a scope's tasks (overdue first, with the quarter's
 * site-visit coverage of projects), create one, act on one under the optimistic version check,
 * each step audited and on the task's append-only log; and the chase — late milestones and
 * deadlines are chased (催办) by the server itself, once each, from stored due times, so a restart
 * loses no clock. Scope: an area sees its tasks, a unit its own (server/domain/tasks.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry, Notice, Task, TaskAction, TaskCreate, TaskQuery, TasksResponse, TaskView, Unit } from '../../shared/index.ts';
import { canSee, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { applyTaskAction, canSeeTask, chaseDue, compareTasks, mayCreateTask, quarterStart, taskActions, taskView, type TaskRecord } from '../domain/tasks.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock, Logger, Notifier, Store, TaskFilter } from '../ports.ts';

export interface TaskServiceDeps {
  store: Pick<Store, 'tasks'>;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  units: readonly Unit[];
  logger: Logger;
  /** told of every chase (webhooks, WeCom, DingTalk): the channels of the task's area and above */
  notifier?: Notifier;
  audit: (a: { actor: string; actorKind: AuditEntry['actorKind']; action: string; target: string; outcome: AuditEntry['outcome']; ip: string; detail?: string }) => Promise<void>;
}

/** most tasks a list reads before it filters by the clock (late, 慢落实) */
const SCAN_LIMIT = 2000;

/**
 * The notice of a chase: one per chase (the key names the task and what fell due), a warning; a
 * passed deadline is an alarm. The title came from an officer: the channel formats make it plain text.
 */
export function chaseNotice(t: TaskRecord, entries: readonly { data: Record<string, unknown> }[], unit: { zh: string; en: string }, now: number): Notice {
  const deadline = entries.some((e) => 'deadline' in e.data);
  const what = entries.map((e) => ('deadline' in e.data ? 'deadline' : `m${String(e.data.milestone)}`)).join(',');
  const late = entries.flatMap((e) => (typeof e.data.milestone === 'number' ? [t.milestones[e.data.milestone]?.title ?? ''] : []));
  return {
    key: `task:${t.id}:${what}`,
    kind: 'task',
    severity: deadline ? 'alarm' : 'warn',
    areaId: t.areaId,
    title: { zh: `任务催办：${t.title}`, en: `Task overdue: ${t.title}` },
    text: {
      zh: `${unit.zh}（责任人 ${t.person}）${deadline ? '任务已超过完成时限' : `节点“${late.join('、')}”已逾期，请提交书面报告`}。`,
      en: `${unit.en} (${t.person}): ${deadline ? 'the task is past its deadline' : `milestone "${late.join(', ')}" is late; a written report is due`}.`,
    },
    at: now,
    path: `/tasks?task=${encodeURIComponent(t.id)}`,
  };
}

export function createTaskService(d: TaskServiceDeps) {
  const units = new Map(d.units.map((u) => [u.id, u]));
  const status = { FORBIDDEN: 403, CONFLICT: 409, INVALID_TRANSITION: 422, VALIDATION: 400 } as const;

  /** the store's filter for a principal's tasks in an area (default its own), or null if out of scope */
  function scope(p: Principal, areaId: string | undefined, unit: string | undefined): Omit<TaskFilter, 'limit'> | null {
    const area = areaId ?? p.areaId;
    const level = d.tree.level(area);
    if (!level || (level !== 'district' && level !== 'street')) return null;
    if (p.role === 'unit') {
      if (!d.tree.isWithin(area, p.areaId) || p.unitId === undefined) return null;
      if (p.streets?.length && level === 'street' && !p.streets.includes(area)) return null;
      return { ...(level === 'street' ? { streetId: area } : { districtId: area }), unitId: p.unitId };
    }
    if (!canSee(d.tree, p, area)) return null;
    return { ...(level === 'street' ? { streetId: area } : { districtId: area }), ...(unit ? { unitId: unit } : {}) };
  }

  async function load(p: Principal, id: string, ip: string, action: string): Promise<TaskRecord> {
    const t = await d.store.tasks.get(id);
    if (t && !canSeeTask(d.tree, p, t)) await d.audit({ actor: p.name, actorKind: p.kind, action, target: id, outcome: 'denied', ip, detail: 'task outside scope' });
    if (!t || !canSeeTask(d.tree, p, t)) throw notFound('task');
    return t;
  }

  async function viewOf(p: Principal, t: TaskRecord): Promise<TaskView> {
    return { ...taskView(t, d.clock.now(), d.timeZone), log: await d.store.tasks.log(t.id), allowedActions: taskActions(t, p) };
  }

  return {
    async list(p: Principal, q: TaskQuery, ip: string): Promise<TasksResponse> {
      if (p.role === 'unit' && q.unit !== undefined && q.unit !== p.unitId) {
        await d.audit({ actor: p.name, actorKind: p.kind, action: 'GET /api/v1/tasks', target: q.unit, outcome: 'denied', ip, detail: "another unit's tasks" });
        throw new AppError('FORBIDDEN', 403, 'a unit sees only its own tasks');
      }
      const f = scope(p, q.areaId, q.unit);
      if (!f) throw notFound(`area ${q.areaId ?? p.areaId}`);
      const now = d.clock.now();
      const byClock = q.status === 'late' || q.status === 'slow';
      const stored = await d.store.tasks.list({ ...f, ...(q.status === 'done' ? { status: 'done' } : q.status ? { status: 'active' } : {}), limit: SCAN_LIMIT });
      // a unit limited to several streets reads its district's list, cut to what it may see
      const limited = p.role === 'unit' && !!p.streets?.length;
      let tasks: Task[] = (limited ? stored.filter((t) => canSeeTask(d.tree, p, t)) : stored).map((t) => taskView(t, now, d.timeZone));
      if (q.status === 'late') tasks = tasks.filter((t) => t.late);
      if (q.status === 'slow') tasks = tasks.filter((t) => t.slow);
      tasks.sort(compareTasks);
      // the rows read are all there are unless the scan was full
      const total = byClock || limited || stored.length < SCAN_LIMIT ? tasks.length : await d.store.tasks.count({ ...f, ...(q.status === 'done' || q.status === 'active' ? { status: q.status } : {}) });
      // R5.4: every active project of the scope visited this quarter?
      const projects = (q.status === undefined || q.status === 'active' ? tasks : (await d.store.tasks.list({ ...f, status: 'active', limit: SCAN_LIMIT })).filter((t) => canSeeTask(d.tree, p, t)).map((t) => taskView(t, now, d.timeZone))).filter(
        (t) => t.kind === 'project' && t.status === 'active',
      );
      return {
        tasks: tasks.slice(0, q.limit),
        total,
        coverage: { quarterStart: new Date(quarterStart(now, d.timeZone)).toISOString(), projects: projects.length, visited: projects.filter((t) => !t.visitDue).length },
      };
    },

    async view(p: Principal, id: string, ip: string): Promise<TaskView> {
      return viewOf(p, await load(p, id, ip, 'GET /api/v1/tasks/:id'));
    },

    async create(p: Principal, body: TaskCreate, ip: string): Promise<TaskView> {
      if (!mayCreateTask(p.role)) {
        await d.audit({ actor: p.name, actorKind: p.kind, action: 'task.create', target: '-', outcome: 'denied', ip, detail: `role ${p.role}` });
        throw new AppError('FORBIDDEN', 403, `a ${p.role} may not create tasks`);
      }
      const areaId = body.areaId ?? p.areaId;
      const level = d.tree.level(areaId);
      if (!level || !canSee(d.tree, p, areaId)) throw new AppError('VALIDATION', 400, `areaId: no area ${areaId} in your scope`);
      if (level !== 'district' && level !== 'street') throw new AppError('VALIDATION', 400, 'areaId: a task belongs to the district or to a street');
      if (!units.has(body.unitId)) throw new AppError('VALIDATION', 400, `unitId: unknown unit ${body.unitId}`);
      const unit = units.get(body.unitId)!;
      if (unit.kind === 'street' && unit.streetId !== areaId) throw new AppError('VALIDATION', 400, `unitId: ${unit.name.zh} works only in its own street`);
      const deadline = Date.parse(body.deadline);
      const milestones = body.milestones.map((m) => ({ title: m.title, due: Date.parse(m.due), doneAt: null, chasedAt: null, lateReport: null }));
      if (milestones.some((m) => m.due > deadline)) throw new AppError('VALIDATION', 400, 'milestones: every milestone is due by the deadline');
      // the task's place lies in its area (a polygon: each of its corners)
      if (body.location) {
        const points = body.location.type === 'Point' ? [body.location.coordinates] : body.location.coordinates[0]!;
        for (const [lng, lat] of points) {
          const grid = d.tree.locate(lng, lat);
          if (!grid || !d.tree.isWithin(grid.id, areaId)) throw new AppError('VALIDATION', 400, `location: ${lng},${lat} lies outside ${d.tree.get(areaId)!.name}`);
        }
      }
      const now = d.clock.now();
      const t: TaskRecord = {
        id: randomUUID(),
        kind: body.kind,
        title: body.title,
        unitId: body.unitId,
        person: body.person,
        standard: body.standard,
        deadline,
        areaId,
        location: body.location ?? null,
        milestones,
        status: 'active',
        progress: 0,
        lastVisitAt: null,
        chasedAt: null,
        createdAt: now,
        createdBy: p.name,
        updatedAt: now,
        version: 1,
      };
      const districtId = level === 'district' ? areaId : d.tree.ancestorAt(areaId, 'district')!.id;
      await d.store.tasks.create({ ...t, districtId, streetId: level === 'street' ? areaId : null }, {
        at: new Date(now).toISOString(), actor: p.name, actorRole: p.role, action: 'create', note: '', data: { unitId: t.unitId, deadline: body.deadline },
      });
      await d.audit({ actor: p.name, actorKind: p.kind, action: 'task.create', target: t.id, outcome: 'ok', ip, detail: `${t.kind} for ${t.unitId} in ${areaId}` });
      return viewOf(p, t);
    },

    async act(p: Principal, id: string, req: TaskAction, ip: string): Promise<TaskView> {
      const t = await load(p, id, ip, `task.${req.action}`);
      const r = applyTaskAction(t, req, p, d.clock.now());
      if (!r.ok) {
        await d.audit({ actor: p.name, actorKind: p.kind, action: `task.${req.action}`, target: id, outcome: 'denied', ip, detail: r.message });
        throw new AppError(r.code, status[r.code], r.message);
      }
      const saved = await d.store.tasks.update(id, t.version, r.next, [r.entry]);
      if (!saved) throw new AppError('CONFLICT', 409, 'the task changed meanwhile; reload and try again');
      await d.audit({ actor: p.name, actorKind: p.kind, action: `task.${req.action}`, target: id, outcome: 'ok', ip });
      return viewOf(p, saved);
    },

    /** chase (催办) every late milestone and deadline not chased yet; returns how many tasks were chased */
    async chase(): Promise<number> {
      const now = d.clock.now();
      let chased = 0;
      for (const t of await d.store.tasks.pastDue(now, 200)) {
        const c = chaseDue(t, now);
        if (!c) continue;
        // an officer acted meanwhile: the next round looks again
        if (!(await d.store.tasks.update(t.id, t.version, c.next, c.entries))) continue;
        chased++;
        d.notifier?.notify(chaseNotice(t, c.entries, units.get(t.unitId)?.name ?? { zh: t.unitId, en: t.unitId }, now));
      }
      if (chased) d.logger.info({ chased }, 'late tasks chased');
      return chased;
    },
  };
}
export type TaskService = ReturnType<typeof createTaskService>;
