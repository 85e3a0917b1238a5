/**
 * @module web/state/task-desk
 * The task page's state (挂图作战): the scope's tasks, overdue first (one list a minute: the server
 * derives lateness from its clock), shown filtered by unit and status; the quarter's site-visit
 * coverage; the units compared (active, overdue, 慢落实, done); the open task with its log; taking
 * actions with the version check and creating tasks. Tested without a browser.
 */
import type { SessionInfo, TaskAction, TaskCreate, TaskQuery, Unit } from '../../../../shared/index.ts';
import type { z } from 'zod';
import { isUnauthorized } from '../api/http.ts';
import { actOnTask, createTask, fetchTask, fetchTasks, type Task, type TasksResponse, type TaskView } from '../api/tasks.ts';

export const TASK_REFRESH_MS = 60_000;

export interface UnitTaskRow {
  unitId: string;
  active: number;
  late: number;
  slow: number;
  done: number;
}

/** Whether a task passes the page's filters (the statuses the API takes, and the unit). Pure. */
export function taskShown(t: Task, f: { status: TaskQuery['status'] | ''; unit: string }): boolean {
  if (f.unit && t.unitId !== f.unit) return false;
  switch (f.status) {
    case 'active':
    case 'done':
      return t.status === f.status;
    case 'late':
      return t.late;
    case 'slow':
      return t.slow;
    default:
      return true;
  }
}

/** The units compared by their tasks: most overdue and 慢落实 first. Pure. */
export function unitTaskRows(tasks: readonly Task[]): UnitTaskRow[] {
  const rows = new Map<string, UnitTaskRow>();
  for (const t of tasks) {
    let r = rows.get(t.unitId);
    if (!r) rows.set(t.unitId, (r = { unitId: t.unitId, active: 0, late: 0, slow: 0, done: 0 }));
    if (t.status === 'done') r.done++;
    else {
      r.active++;
      if (t.late) r.late++;
      if (t.slow) r.slow++;
    }
  }
  return [...rows.values()].sort((a, b) => b.late - a.late || b.slow - a.slow || b.active - a.active || a.unitId.localeCompare(b.unitId));
}

export class TaskDesk {
  readonly session: SessionInfo;
  filter = $state<{ status: TaskQuery['status'] | ''; unit: string }>({ status: '', unit: '' });
  /** the scope's tasks (overdue first) and the quarter's coverage, as last fetched */
  list = $state.raw<TasksResponse | null>(null);
  /** the tasks the filters let through */
  shown = $derived(this.list ? this.list.tasks.filter((t) => taskShown(t, this.filter)) : []);
  view = $state.raw<TaskView | null>(null);
  busy = $state(false);
  notice = $state.raw<{ ok: boolean; text: string } | null>(null);
  onsessionlost: (() => void) | null = null;

  units = $derived(unitTaskRows(this.list?.tasks ?? []));
  /** who may create tasks: district officers, admins, street officers (in their street) */
  readonly mayCreate: boolean;

  #timer: ReturnType<typeof setInterval> | null = null;
  #abort = new AbortController();

  constructor(session: SessionInfo) {
    this.session = session;
    this.mayCreate = session.role === 'district' || session.role === 'admin' || session.role === 'street';
  }

  start(): void {
    void this.load();
    this.#timer = setInterval(() => void this.load(), TASK_REFRESH_MS);
  }

  destroy(): void {
    this.#abort.abort();
    if (this.#timer) clearInterval(this.#timer);
  }

  #lost(err: unknown): boolean {
    if (isUnauthorized(err)) {
      this.onsessionlost?.();
      return true;
    }
    return false;
  }

  async load(): Promise<void> {
    try {
      this.list = await fetchTasks({ limit: 1000 }, this.#abort.signal);
      if (this.view) await this.open(this.view.id);
    } catch (err) {
      if (!this.#lost(err) && !this.#abort.signal.aborted) this.notice = { ok: false, text: err instanceof Error ? err.message : String(err) };
    }
  }

  setFilter(patch: Partial<TaskDesk['filter']>): void {
    this.filter = { ...this.filter, ...patch };
  }

  async open(id: string): Promise<void> {
    try {
      this.view = await fetchTask(id, this.#abort.signal);
    } catch (err) {
      if (!this.#lost(err)) this.notice = { ok: false, text: err instanceof Error ? err.message : String(err) };
    }
  }

  /** an action on the open task, with its current version */
  async act(body: Omit<TaskAction, 'version'>): Promise<boolean> {
    const v = this.view;
    if (!v || this.busy) return false;
    this.busy = true;
    try {
      const r = await actOnTask(v.id, { ...body, version: v.version } as TaskAction);
      if (r.ok) {
        this.view = r.view;
        this.notice = { ok: true, text: body.action };
        void this.load();
        return true;
      }
      if (r.status === 401) this.onsessionlost?.();
      this.notice = { ok: false, text: r.message };
      if (r.status === 409) await this.open(v.id);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async create(body: z.input<typeof TaskCreate>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const r = await createTask(body);
      if (!r.ok) {
        if (r.status === 401) this.onsessionlost?.();
        this.notice = { ok: false, text: r.message };
        return false;
      }
      this.view = r.view;
      this.notice = { ok: true, text: 'create' };
      await this.load();
      return true;
    } finally {
      this.busy = false;
    }
  }

  /** units that may be made responsible for a task in an area (a street's own unit only in its street) */
  static usableUnits(units: readonly Unit[], areaId: string): Unit[] {
    return units.filter((u) => u.kind !== 'street' || u.streetId === areaId);
  }
}
