import { describe, expect, it } from 'vitest';
import { shiftStart, type AlarmView, type GridEvent, type TimelineEntry } from '../../shared/index.ts';
import { alarmAsOf, caseAsOf, derivedCountsAt, handover, openCasesAt } from '../../server/domain/replay.ts';
import { loadShippedData } from '../../server/data.ts';
import { dueAt } from '../../server/domain/lifecycle.ts';

const limits = loadShippedData().timeLimits;
const MIN = 60_000;
const T = Date.parse('2026-12-01T10:00:00+08:00');
const iso = (t: number) => new Date(t).toISOString();

const event = (over: Partial<GridEvent> = {}): GridEvent => ({
  id: 'c1', source: 'grid', externalId: 'x', category: 'hotline_request', title: 't', description: '', lng: 121.5, lat: 31.3,
  gridId: 'g1', streetId: 's1', districtId: 'd', severity: 'medium', status: 'archived', occurredAt: iso(T - MIN), receivedAt: iso(T),
  updatedAt: iso(T + 90 * MIN), simulated: false, version: 6, leadUnit: 'u1', coUnits: ['u2'], escalated: true, stageStartedAt: iso(T + 90 * MIN),
  dueAt: null, breaches: 1, rating: 'good', satisfaction: 5, duplicateOf: null, tags: ['recurring', 'typical'], relatedIds: ['c0'], confidential: false, masked: false, ladder: null, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null, ...over,
});
let seq = 0;
const entry = (action: TimelineEntry['action'], from: GridEvent['status'], to: GridEvent['status'], at: number, data: Record<string, unknown> = {}): TimelineEntry => ({
  seq: ++seq, at: iso(at), actor: 'a', actorRole: 'district', action, from, to, note: '', attachments: [], data,
});
const timeline = [
  entry('report', 'reported', 'reported', T),
  entry('accept', 'reported', 'accepted', T + 10 * MIN),
  entry('dispatch', 'accepted', 'dispatched', T + 20 * MIN, { unit: 'u1', coUnits: ['u2'] }),
  entry('breach', 'dispatched', 'dispatched', T + 30 * MIN, { stage: 'handle' }),
  entry('tag', 'dispatched', 'dispatched', T + 40 * MIN, { tag: 'typical', on: true }),
  entry('archive', 'dispatched', 'archived', T + 90 * MIN, { rating: 'good', satisfaction: 5 }),
];
const upTo = (at: number) => timeline.filter((e) => Date.parse(e.at) <= at);

describe('caseAsOf', () => {
  it('should replay the timeline up to the time: stage, clock, unit, escalation, breaches, tags, version', () => {
    const at = T + 35 * MIN;
    expect(caseAsOf(event(), upTo(at), at, limits)).toMatchObject({
      status: 'dispatched', version: 4, leadUnit: 'u1', coUnits: ['u2'], escalated: true, breaches: 1, stageStartedAt: iso(T + 20 * MIN),
      rating: null, satisfaction: null, tags: ['recurring'], updatedAt: iso(T + 30 * MIN),
      dueAt: iso(dueAt(limits, 'hotline_request', 'medium', 'dispatched', T + 20 * MIN)!),
    });
    expect(caseAsOf(event(), upTo(T + 5 * MIN), T + 5 * MIN, limits)).toMatchObject({ status: 'reported', version: 1, leadUnit: null, escalated: false, breaches: 0, dueAt: iso(dueAt(limits, 'hotline_request', 'medium', 'reported', T)!) });
    expect(caseAsOf(event(), upTo(T + 45 * MIN), T + 45 * MIN, limits)!.tags).toEqual(['recurring', 'typical']);
  });

  it('should leave an unchanged case as stored and drop one not yet received', () => {
    const e = event({ status: 'reported', updatedAt: iso(T) });
    expect(caseAsOf(e, null, T + MIN, limits)).toBe(e);
    expect(caseAsOf(event(), null, T - 1, limits)).toBeNull();
    expect(caseAsOf(event(), [], T + 1, limits)).toBeNull();
  });

  it('should list the cases open then, soonest due first', () => {
    const open = openCasesAt([
      { event: event({ id: 'late' }), timeline: upTo(T + 5 * MIN) },
      { event: event({ id: 'closed' }), timeline: timeline },
      { event: event({ id: 'later', severity: 'low' }), timeline: upTo(T + 5 * MIN) },
    ], T + 100 * MIN, limits);
    expect(open.map((e) => e.id)).toEqual(['late', 'later']);
    const counts = derivedCountsAt(open, [{ gridId: 'g1' }], ['g1', 'g2'], T + 100 * MIN);
    expect([counts.open_events.get('g1')!.value, counts.overdue_events.get('g1')!.value, counts.events_today.get('g1')!.value, counts.open_events.get('g2')!.value]).toEqual([2, 2, 1, 0]);
  });
});

const alarm = (over: Partial<AlarmView> = {}): AlarmView => ({
  id: 'a1', ruleId: 'r', kind: 'threshold', indicatorId: 'pm25', areaId: 'g1', streetId: 's1', severity: 'alarm', state: 'cleared',
  title: { zh: '超标', en: 'high' }, value: 150, threshold: 115, since: iso(T - MIN), raisedAt: iso(T), lastAt: iso(T + 50 * MIN),
  clearedAt: iso(T + 60 * MIN), acknowledgedAt: iso(T + 20 * MIN), acknowledgedBy: 'wang', ackNote: '已知', caseId: 'c9', createCase: 'manual', simulated: false, version: 5,
  history: [
    { at: iso(T), kind: 'raised', severity: 'warn', value: 80, by: null, note: null },
    { at: iso(T + 10 * MIN), kind: 'escalated', severity: 'alarm', value: 150, by: null, note: null },
    { at: iso(T + 20 * MIN), kind: 'acknowledged', severity: 'alarm', value: 150, by: 'wang', note: '已知' },
    { at: iso(T + 30 * MIN), kind: 'case_opened', severity: 'alarm', value: 150, by: 'wang', note: null },
    { at: iso(T + 60 * MIN), kind: 'cleared', severity: 'alarm', value: 40, by: null, note: null },
  ],
  ...over,
});

describe('alarmAsOf', () => {
  it('should give the alarm as its history says it was', () => {
    expect(alarmAsOf(alarm(), T + 5 * MIN)).toMatchObject({ state: 'raised', severity: 'warn', value: 80, acknowledgedAt: null, caseId: null, clearedAt: null, version: 1 });
    expect(alarmAsOf(alarm(), T + 25 * MIN)).toMatchObject({ state: 'acknowledged', severity: 'alarm', acknowledgedBy: 'wang', caseId: null, version: 3 });
    expect(alarmAsOf(alarm(), T + 35 * MIN)).toMatchObject({ caseId: 'c9' });
    expect(alarmAsOf(alarm(), T - 1)).toBeNull();
    expect(alarmAsOf(alarm(), T + 60 * MIN)).toBeNull();
  });
});

describe('handover', () => {
  it('should count each case once per section, by street and category, and the alarms of the window', () => {
    const e1 = event({ id: 'n1', category: 'a' });
    const e2 = event({ id: 'n2', category: 'b', gridId: 'g2', streetId: 's2' });
    const h = handover({
      areaId: 'd', since: T, until: T + 2 * 60 * MIN, now: T + 3 * 60 * MIN,
      entries: [
        { action: 'report', at: T + MIN, event: e1 },
        { action: 'report', at: T + 2 * MIN, event: e2 },
        { action: 'breach', at: T + 3 * MIN, event: e1 },
        { action: 'breach', at: T + 4 * MIN, event: e1 },
        { action: 'archive', at: T + 5 * MIN, event: e1 },
        { action: 'accept', at: T + 5 * MIN, event: e2 },
      ],
      alarms: [alarm(), alarm({ id: 'a2', raisedAt: iso(T - 60 * MIN), clearedAt: null, areaId: 's2', streetId: 's2' })],
      streetOf: (id) => (id.startsWith('g') ? (id === 'g2' ? 's2' : 's1') : id),
    });
    expect([h.newCases.total, h.closedCases.total, h.overdueCases.total, h.alarmsRaised.total, h.alarmsCleared.total]).toEqual([2, 1, 1, 1, 1]);
    expect(h.newCases.items.map((c) => c.id)).toEqual(['n2', 'n1']);
    expect(h.byStreet).toEqual([
      { streetId: 's1', newCases: 1, closedCases: 1, overdueCases: 1, alarmsRaised: 1, alarmsCleared: 1 },
      { streetId: 's2', newCases: 1, closedCases: 0, overdueCases: 0, alarmsRaised: 0, alarmsCleared: 0 },
    ]);
    expect(h.byCategory.map((c) => c.category)).toEqual(['a', 'b']);
    expect(h.alarmsRaised.items[0]).not.toHaveProperty('history');
  });
});

describe('shiftStart', () => {
  it.each([
    ['2026-12-01T09:30:00+08:00', '2026-12-01T08:00:00+08:00'],
    ['2026-12-01T08:00:00+08:00', '2026-12-01T08:00:00+08:00'],
    ['2026-12-01T21:00:00+08:00', '2026-12-01T20:00:00+08:00'],
    ['2026-12-01T03:00:00+08:00', '2026-11-30T20:00:00+08:00'],
    ['2026-12-01T07:59:59+08:00', '2026-11-30T20:00:00+08:00'],
  ])('should start the shift of %s at %s (Shanghai)', (t, start) => {
    expect(shiftStart(Date.parse(t), 'Asia/Shanghai')).toBe(Date.parse(start));
  });
});
