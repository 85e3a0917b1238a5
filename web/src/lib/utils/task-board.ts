/**
 * @module web/utils/task-board
 * The wall's task board (挂图作战, DOMAIN.md R5.1/R5.6): the active tasks of the area in view, in
 * three groups by how they stand — overdue first, then 慢落实 (a milestone late), then on track —
 * and within a group by responsible unit, then by deadline, so one unit's work sits together.
 * Every row is numbered; the map's task markers carry the same numbers. Pure: no I/O, no clock
 * (the server derives `late`/`slow` from its own).
 *
 * @example
 * const b = taskBoard(tasks, (id) => unitNames.get(id) ?? id);
 * b.groups[0]  // { standing: 'late', rows: [{ no: 1, title: '老旧小区加装电梯推进', … }] }
 * b.numbers.get(taskId)  // 1: the number on the map
 */
import type { Task } from '../../../../shared/index.ts';

export type TaskStanding = 'late' | 'slow' | 'ok';
export const STANDINGS: readonly TaskStanding[] = ['late', 'slow', 'ok'];
/** the colours of the three standings, on the map and the board */
export const STANDING_COLOURS: Readonly<Record<TaskStanding, string>> = { ok: '#38d6ff', slow: '#ffb020', late: '#ff4d4f' };

export const standingOf = (task: Pick<Task, 'late' | 'slow'>): TaskStanding => (task.late ? 'late' : task.slow ? 'slow' : 'ok');

export interface TaskBoardRow {
  id: string;
  /** its number on the board and the map, from 1 */
  no: number;
  kind: Task['kind'];
  title: string;
  unitId: string;
  unitName: string;
  person: string;
  standing: TaskStanding;
  progress: number;
  deadline: number;
  /** the first milestone not reached (by due date), or null when all are */
  next: { title: string; due: number; late: boolean } | null;
  /** late milestones still owing their written report */
  reportsOwed: number;
  /** a project with no site visit this quarter */
  visitDue: boolean;
}

export interface TaskBoard {
  groups: { standing: TaskStanding; rows: TaskBoardRow[] }[];
  counts: Record<TaskStanding, number>;
  /** task id → its number */
  numbers: ReadonlyMap<string, number>;
}

const collator = new Intl.Collator('zh-CN');

function nextMilestone(task: Task): TaskBoardRow['next'] {
  let best: TaskBoardRow['next'] = null;
  task.milestones.forEach((m, i) => {
    if (m.doneAt) return;
    const due = Date.parse(m.due);
    if (!best || due < best.due) best = { title: m.title, due, late: task.lateMilestones.includes(i) };
  });
  return best;
}

/** The board of `tasks` (done ones are left out); `unitName` names a unit id. */
export function taskBoard(tasks: readonly Task[], unitName: (id: string) => string): TaskBoard {
  const rows = tasks
    .filter((t) => t.status === 'active')
    .map((t): Omit<TaskBoardRow, 'no'> => ({
      id: t.id,
      kind: t.kind,
      title: t.title,
      unitId: t.unitId,
      unitName: unitName(t.unitId),
      person: t.person,
      standing: standingOf(t),
      progress: t.progress,
      deadline: Date.parse(t.deadline),
      next: nextMilestone(t),
      reportsOwed: t.awaitingReport.length,
      visitDue: t.visitDue,
    }));
  const rank = (s: TaskStanding) => STANDINGS.indexOf(s);
  rows.sort((a, b) => rank(a.standing) - rank(b.standing) || collator.compare(a.unitName, b.unitName) || a.deadline - b.deadline || a.id.localeCompare(b.id));
  const numbers = new Map<string, number>();
  const counts: Record<TaskStanding, number> = { late: 0, slow: 0, ok: 0 };
  const groups: TaskBoard['groups'] = [];
  rows.forEach((r, i) => {
    const row = { ...r, no: i + 1 };
    numbers.set(row.id, row.no);
    counts[row.standing]++;
    const last = groups.at(-1);
    if (last?.standing === row.standing) last.rows.push(row);
    else groups.push({ standing: row.standing, rows: [row] });
  });
  return { groups, counts, numbers };
}

/**
 * What the board shows in `room` row-heights, a group's heading taking `headCost` of one: the
 * groups cut to fit, in order, and how many rows did not fit. A group is shown only with at least
 * one of its rows.
 */
export function fitBoard(board: TaskBoard, room: number, headCost = 0.5): { groups: TaskBoard['groups']; hidden: number } {
  let left = room;
  let hidden = 0;
  const groups: TaskBoard['groups'] = [];
  for (const g of board.groups) {
    const fits = Math.max(0, Math.floor(left - headCost + 1e-9));
    const rows = g.rows.slice(0, fits);
    hidden += g.rows.length - rows.length;
    if (!rows.length) continue;
    groups.push({ standing: g.standing, rows });
    left -= headCost + rows.length;
  }
  return { groups, hidden };
}
