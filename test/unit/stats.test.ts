import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../shared/index.ts';
import { closedLoopStats, funnel, type CaseHistory } from '../../server/domain/stats.ts';

const T = Date.parse('2026-11-22T00:00:00Z');
const M = 60_000;
let seq = 0;
const e = (min: number, action: TimelineEntry['action'], from: TimelineEntry['from'], to: TimelineEntry['to'], data: Record<string, unknown> = {}): TimelineEntry => ({
  seq: ++seq, at: new Date(T + min * M).toISOString(), actor: 'x', actorRole: 'district', action, from, to, note: '', attachments: [], data,
});

// hand-made fixtures
const cases: CaseHistory[] = [
  // A: street S1, fire team, on time, good, satisfaction 5
  { id: 'A', streetId: 'S1', status: 'archived', timeline: [
    e(0, 'report', 'reported', 'reported'), e(10, 'accept', 'reported', 'accepted'), e(30, 'dispatch', 'accepted', 'dispatched', { unit: 'fire' }),
    e(90, 'handle', 'dispatched', 'handled'), e(100, 'verify', 'handled', 'verified'), e(110, 'archive', 'verified', 'archived', { rating: 'good', satisfaction: 5 }),
  ] },
  // B: street S1, returned by traffic, re-dispatched to fire, breached while handling, bad, satisfaction 2
  { id: 'B', streetId: 'S1', status: 'archived', timeline: [
    e(0, 'report', 'reported', 'reported'), e(20, 'accept', 'reported', 'accepted'), e(40, 'dispatch', 'accepted', 'dispatched', { unit: 'traffic' }),
    e(50, 'return', 'dispatched', 'accepted', { unit: 'traffic' }), e(60, 'dispatch', 'accepted', 'dispatched', { unit: 'fire' }),
    e(300, 'breach', 'dispatched', 'dispatched', { stage: 'handle' }), e(400, 'handle', 'dispatched', 'handled'),
    e(410, 'verify', 'handled', 'verified'), e(420, 'archive', 'verified', 'archived', { rating: 'bad', satisfaction: 2 }),
  ] },
  // C: street S2, still open (dispatched to traffic), reported in the period
  { id: 'C', streetId: 'S2', status: 'dispatched', timeline: [
    e(5, 'report', 'reported', 'reported'), e(15, 'accept', 'reported', 'accepted'), e(25, 'dispatch', 'accepted', 'dispatched', { unit: 'traffic' }),
  ] },
  // D: street S2, reported before the period, rejected in it
  { id: 'D', streetId: 'S2', status: 'rejected', timeline: [e(-100, 'report', 'reported', 'reported'), e(10, 'reject', 'reported', 'rejected', { reason: 'invalid' })] },
];

describe(closedLoopStats.name, () => {
  const { byStreet, byUnit } = closedLoopStats(cases, T, T + 86_400_000);
  const s1 = byStreet.find((r) => r.key === 'S1')!;
  const s2 = byStreet.find((r) => r.key === 'S2')!;

  it('should count per street from the timelines', () => {
    expect(s1).toMatchObject({ received: 2, closed: 2, onTimeRate: 0.5, breaches: 1, returns: 1, good: 1, bad: 1, satisfaction: 3.5 });
    // accept: A 10, B 20 → 15; dispatch: A 20, B 20 and 10 (after the return) → 50/3; handle: A 60, B 340 (the returned try does not complete it) → 200; verify 10
    expect(s1.avgStageMinutes.accept).toBe(15);
    expect(s1.avgStageMinutes.dispatch).toBeCloseTo(50 / 3);
    expect(s1.avgStageMinutes.handle).toBe(200);
    expect(s1.avgStageMinutes.verify).toBe(10);
    expect(s2).toMatchObject({ received: 1, closed: 0, onTimeRate: null, breaches: 0, satisfaction: null });
    expect(s2.avgStageMinutes.accept).toBe(10); // C 10; D's rejection completes no stage
  });

  it('should count per unit: dispatches received, returns, closes by the last lead', () => {
    const fire = byUnit.find((r) => r.key === 'fire')!;
    const traffic = byUnit.find((r) => r.key === 'traffic')!;
    expect(fire).toMatchObject({ received: 2, closed: 2, onTimeRate: 0.5, breaches: 1, returns: 0, good: 1, bad: 1 });
    expect(fire.avgStageMinutes.handle).toBe(200);
    expect(traffic).toMatchObject({ received: 2, closed: 0, returns: 1 });
  });

  it('should leave out what happened outside the period', () => {
    const later = closedLoopStats(cases, T + 200 * M, T + 86_400_000);
    const s1l = later.byStreet.find((r) => r.key === 'S1')!;
    expect(s1l).toMatchObject({ received: 0, closed: 1, breaches: 1, returns: 0 });
  });
});

describe(funnel.name, () => {
  it('should count open cases by stage', () => {
    expect(funnel({ reported: 2, dispatched: 1, verified: 1 })).toEqual({ reported: 2, accepted: 0, dispatched: 1, handled: 0, verified: 1 });
  });
});
