import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Task, TasksResponse } from '../../shared/index.ts';
import { HttpError } from '../../web/src/lib/api/http.ts';
import { TASK_POLL_MS, WallTasks } from '../../web/src/lib/state/wall-tasks.svelte.ts';
import { fitBoard, taskBoard } from '../../web/src/lib/utils/task-board.ts';

let n = 0;
const task = (unitId: string, over: Partial<Task> = {}): Task => ({
  id: `t${++n}`, kind: 'task', title: `task ${n}`, unitId, person: 'p', standard: 's', deadline: '2027-01-01T00:00:00.000Z', areaId: 'd',
  location: null, milestones: [], status: 'active', progress: 0, lastVisitAt: null, createdAt: '2026-12-01T00:00:00.000Z', createdBy: 'x',
  updatedAt: '2026-12-01T00:00:00.000Z', version: 1, late: false, lateMilestones: [], slow: false, awaitingReport: [], visitDue: false, ...over,
});
const NAMES: Record<string, string> = { a: '区城管执法局', b: '区房管局', c: '区市场监管局' };
const name = (id: string) => NAMES[id] ?? id;

describe('taskBoard', () => {
  it('should put overdue first, then 慢落实, then on track; a unit\'s tasks together, each by deadline; done ones left out', () => {
    const ok1 = task('a', { deadline: '2027-03-01T00:00:00.000Z' });
    const ok2 = task('b');
    const ok3 = task('a', { deadline: '2027-02-01T00:00:00.000Z' });
    const slow = task('c', { slow: true, lateMilestones: [0] });
    const late = task('b', { late: true, slow: true });
    const done = task('a', { status: 'done', late: true });
    const b = taskBoard([ok1, ok2, ok3, slow, late, done], name);
    expect(b.groups.map((g) => [g.standing, g.rows.map((r) => r.id)])).toEqual([
      ['late', [late.id]],
      ['slow', [slow.id]],
      // 区城管执法局 (a) before 区房管局 (b) in pinyin order; a's by deadline
      ['ok', [ok3.id, ok1.id, ok2.id]],
    ]);
    expect(b.groups.flatMap((g) => g.rows.map((r) => r.no))).toEqual([1, 2, 3, 4, 5]);
    expect(b.numbers.get(ok3.id)).toBe(3);
    expect(b.numbers.has(done.id)).toBe(false);
    expect(b.counts).toEqual({ late: 1, slow: 1, ok: 3 });
  });

  it('should name the owner and the next milestone not reached, flagged when it is late, and what is owed', () => {
    const t = task('b', {
      person: '王某 处长',
      kind: 'project',
      slow: true,
      milestones: [
        { title: '完成签约', due: '2026-10-31T00:00:00.000Z', doneAt: '2026-10-30T00:00:00.000Z', chasedAt: null, lateReport: null },
        { title: '开工', due: '2026-12-01T00:00:00.000Z', doneAt: null, chasedAt: null, lateReport: null },
        { title: '竣工', due: '2026-11-15T00:00:00.000Z', doneAt: null, chasedAt: null, lateReport: null },
      ],
      lateMilestones: [2],
      awaitingReport: [2],
      visitDue: true,
    });
    const [row] = taskBoard([t], name).groups[0]!.rows;
    expect(row).toMatchObject({ unitName: '区房管局', person: '王某 处长', kind: 'project', standing: 'slow', reportsOwed: 1, visitDue: true });
    expect(row!.next).toEqual({ title: '竣工', due: Date.parse('2026-11-15T00:00:00.000Z'), late: true });
    const reached = task('a', { milestones: [{ title: 'x', due: '2026-10-31T00:00:00.000Z', doneAt: '2026-10-30T00:00:00.000Z', chasedAt: null, lateReport: null }] });
    expect(taskBoard([reached], name).groups[0]!.rows[0]!.next).toBeNull();
  });
});

describe('fitBoard', () => {
  const board = taskBoard([task('a', { late: true }), task('a', { late: true }), task('b', { slow: true }), task('c'), task('c'), task('c')], name);

  it('should show every row when there is room, a heading costing its share of a row', () => {
    expect(fitBoard(board, 7.5, 0.5)).toMatchObject({ hidden: 0 });
    expect(fitBoard(board, 7.5, 0.5).groups.map((g) => g.rows.length)).toEqual([2, 1, 3]);
  });

  it('should cut the last groups first and count what it left out, never showing a heading without a row', () => {
    const f = fitBoard(board, 4.6, 0.5);
    // late: 0.5 + 2 = 2.5; slow: 0.5 + 1 = 4; ok: 0.6 left is not a heading and a row
    expect(f.groups.map((g) => [g.standing, g.rows.length])).toEqual([['late', 2], ['slow', 1]]);
    expect(f.hidden).toBe(3);
    expect(fitBoard(board, 0.4, 0.5)).toEqual({ groups: [], hidden: 6 });
  });
});

describe('WallTasks', () => {
  afterEach(() => vi.useRealTimers());
  const answer = (tasks: Task[]): TasksResponse => ({ tasks, total: tasks.length, coverage: { quarterStart: '2026-09-30T16:00:00.000Z', projects: 0, visited: 0 } });

  it('should ask for the area\'s active tasks, again every minute, and start afresh on another area', async () => {
    vi.useFakeTimers();
    const asked: string[] = [];
    const fetcher = vi.fn(async (q: { areaId?: string; status?: string }) => {
      asked.push(`${q.areaId}:${q.status}`);
      return answer([task(q.areaId ?? '')]);
    });
    const w = new WallTasks(() => {}, fetcher as never);
    w.watch('');
    expect(fetcher).not.toHaveBeenCalled();
    w.watch('d');
    await vi.waitFor(() => expect(w.tasks).toHaveLength(1));
    expect(w.fetchedAt).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(TASK_POLL_MS);
    expect(asked).toEqual(['d:active', 'd:active']);
    w.watch('s1');
    expect(w.tasks).toEqual([]);
    expect(w.fetchedAt).toBe(0);
    await vi.waitFor(() => expect(w.tasks[0]?.unitId).toBe('s1'));
    w.destroy();
    await vi.advanceTimersByTimeAsync(3 * TASK_POLL_MS);
    expect(asked).toEqual(['d:active', 'd:active', 's1:active']);
  });

  it('should keep the last tasks through a failure, and report a lost session', async () => {
    vi.useFakeTimers();
    let fail: Error | null = null;
    const lost = vi.fn();
    const w = new WallTasks(lost, (async () => {
      if (fail) throw fail;
      return answer([task('a')]);
    }) as never);
    w.watch('d');
    await vi.waitFor(() => expect(w.tasks).toHaveLength(1));
    fail = new Error('502');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await vi.advanceTimersByTimeAsync(TASK_POLL_MS);
    expect(w.failed).toBe(true);
    expect(w.tasks).toHaveLength(1);
    expect(lost).not.toHaveBeenCalled();
    fail = new HttpError(401, '/api/v1/tasks', 'UNAUTHORIZED', 'signed out');
    await vi.advanceTimersByTimeAsync(TASK_POLL_MS);
    expect(lost).toHaveBeenCalledTimes(1);
    w.destroy();
  });
});
