import { describe, expect, it } from 'vitest';
import type { Task } from '../../shared/index.ts';
import { taskShown, unitTaskRows } from '../../web/src/lib/state/task-desk.svelte.ts';

const task = (unitId: string, over: Partial<Task> = {}): Task => ({
  id: `${unitId}-${Math.random()}`, kind: 'task', title: 't', unitId, person: 'p', standard: 's', deadline: '2027-01-01T00:00:00.000Z', areaId: 'd',
  location: null, milestones: [], status: 'active', progress: 0, lastVisitAt: null, createdAt: '2026-12-01T00:00:00.000Z', createdBy: 'x',
  updatedAt: '2026-12-01T00:00:00.000Z', version: 1, late: false, lateMilestones: [], slow: false, awaitingReport: [], visitDue: false, ...over,
});

describe('unitTaskRows', () => {
  it('should count each unit\'s active, overdue, slow and done tasks, the most overdue first', () => {
    const rows = unitTaskRows([
      task('a'), task('a', { slow: true }), task('b', { late: true, slow: true }), task('b', { status: 'done' }), task('c', { status: 'done' }),
    ]);
    expect(rows).toEqual([
      { unitId: 'b', active: 1, late: 1, slow: 1, done: 1 },
      { unitId: 'a', active: 2, late: 0, slow: 1, done: 0 },
      { unitId: 'c', active: 0, late: 0, slow: 0, done: 1 },
    ]);
  });
});

describe('taskShown', () => {
  it('should filter by unit and by the statuses the API takes', () => {
    const late = task('a', { late: true, slow: true });
    const done = task('b', { status: 'done' });
    expect([late, done].filter((t) => taskShown(t, { status: '', unit: '' }))).toEqual([late, done]);
    expect([late, done].filter((t) => taskShown(t, { status: 'late', unit: '' }))).toEqual([late]);
    expect([late, done].filter((t) => taskShown(t, { status: 'slow', unit: '' }))).toEqual([late]);
    expect([late, done].filter((t) => taskShown(t, { status: 'done', unit: '' }))).toEqual([done]);
    expect([late, done].filter((t) => taskShown(t, { status: 'active', unit: 'b' }))).toEqual([]);
    expect([late, done].filter((t) => taskShown(t, { status: '', unit: 'b' }))).toEqual([done]);
  });
});
