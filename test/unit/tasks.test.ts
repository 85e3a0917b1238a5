import { describe, expect, it } from 'vitest';
import { chaseDue, nextDue, quarterStart, taskView, type TaskRecord } from '../../server/domain/tasks.ts';
import { chaseNotice } from '../../server/services/task.service.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-07T09:00:00+08:00');
const rec = (over: Partial<TaskRecord> = {}): TaskRecord => ({
  id: 't1', kind: 'task', title: 't', unitId: 'u', person: 'p', standard: 's', deadline: T0 + 30 * DAY, areaId: 'S',
  location: null,
  milestones: [{ title: 'm0', due: T0 + 7 * DAY, doneAt: null, chasedAt: null, lateReport: null }, { title: 'm1', due: T0 + 20 * DAY, doneAt: null, chasedAt: null, lateReport: null }],
  status: 'active', progress: 0, lastVisitAt: null, chasedAt: null, createdAt: T0, createdBy: 'x', updatedAt: T0, version: 1,
  ...over,
});

describe('tasks: the clock', () => {
  it('should start a quarter on its first day in the centre\'s zone', () => {
    expect(quarterStart(T0, 'Asia/Shanghai')).toBe(Date.parse('2026-10-01T00:00:00+08:00'));
    expect(quarterStart(Date.parse('2026-04-01T00:30:00+08:00'), 'Asia/Shanghai')).toBe(Date.parse('2026-04-01T00:00:00+08:00'));
    expect(quarterStart(Date.parse('2026-03-31T23:59:00+08:00'), 'Asia/Shanghai')).toBe(Date.parse('2026-01-01T00:00:00+08:00'));
    // New York in daylight time on the first of July
    expect(quarterStart(Date.parse('2026-08-15T12:00:00-04:00'), 'America/New_York')).toBe(Date.parse('2026-07-01T00:00:00-04:00'));
  });

  it('should flag a milestone reached late as 慢落实 too, owing its report until filed', () => {
    const t = rec({ milestones: [{ title: 'm0', due: T0, doneAt: T0 + DAY, chasedAt: null, lateReport: null }] });
    expect(taskView(t, T0 + 2 * DAY, 'Asia/Shanghai')).toMatchObject({ slow: true, lateMilestones: [0], awaitingReport: [0], late: false });
    const reported = rec({ milestones: [{ title: 'm0', due: T0, doneAt: T0 + DAY, chasedAt: null, lateReport: { text: 'x', attachment: 'a.pdf', at: T0 + DAY, by: 'u' } }] });
    expect(taskView(reported, T0 + 2 * DAY, 'Asia/Shanghai')).toMatchObject({ slow: true, awaitingReport: [] });
  });

  it('should chase each late milestone and the deadline once, and know what falls due next', () => {
    const t = rec();
    expect(nextDue(t)).toBe(T0 + 7 * DAY);
    expect(chaseDue(t, T0 + 6 * DAY)).toBeNull();
    const c = chaseDue(t, T0 + 8 * DAY)!;
    expect(c.entries.map((e) => e.data)).toEqual([{ milestone: 0, due: new Date(T0 + 7 * DAY).toISOString() }]);
    expect(nextDue(c.next)).toBe(T0 + 20 * DAY);
    expect(chaseDue(c.next, T0 + 9 * DAY)).toBeNull();
    const all = chaseDue(c.next, T0 + 31 * DAY)!;
    expect(all.entries.map((e) => Object.keys(e.data)[0])).toEqual(['milestone', 'deadline']);
    expect(nextDue(all.next)).toBeNull();
    expect(chaseDue(rec({ status: 'done' }), T0 + 31 * DAY)).toBeNull();
  });
});

describe('chaseNotice', () => {
  it('should warn of a late milestone with its written report due, and alarm at a passed deadline, once per thing chased', () => {
    const t = rec({ title: '加装电梯', person: '王某' });
    const unit = { zh: '区房管局', en: 'Housing bureau' };
    const m = chaseNotice(t, [{ data: { milestone: 1 } }], unit, T0);
    expect(m).toMatchObject({ key: 't1:m1'.replace(/^/, 'task:'), kind: 'task', severity: 'warn', areaId: 'S', path: '/tasks?task=t1' });
    expect(m.text.zh).toBe('区房管局（责任人 王某）节点“m1”已逾期，请提交书面报告。');
    const d = chaseNotice(t, [{ data: { milestone: 0 } }, { data: { deadline: 'x' } }], unit, T0);
    expect(d).toMatchObject({ key: 'task:t1:m0,deadline', severity: 'alarm' });
  });
});
