import { describe, expect, it } from 'vitest';
import type { GridEvent } from '../../shared/index.ts';
import {
  clockColour,
  commandOf,
  setClockWarnAt,
  WARN_AT,
  deadlineWatch,
  EMPTY_FILTER,
  filterQueue,
  formatCountdown,
  isTypingTarget,
  moveCursor,
  neighbours,
  periodRange,
  reportHref,
  sortQueue,
  timeLeft,
  urgencyOf,
  ladderCounts,
} from '../../web/src/lib/utils/queue.ts';

const NOW = Date.parse('2026-11-25T02:00:00Z'); // a Wednesday, 10:00 in Shanghai
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

let n = 0;
function makeEvent(over: Partial<GridEvent> & { startMin?: number; dueMin?: number | null } = {}): GridEvent {
  const { startMin = -10, dueMin = 20, ...rest } = over;
  return {
    id: `e${++n}`,
    source: 'grid',
    externalId: `x${n}`,
    category: 'fire_hazard',
    title: '消防通道堵塞',
    description: '',
    lng: 121.514,
    lat: 31.302,
    gridId: '310110019000-g1',
    streetId: '310110019000',
    districtId: '310110',
    severity: 'medium',
    status: 'accepted',
    occurredAt: iso(NOW - 20 * MIN),
    receivedAt: iso(NOW - 20 * MIN),
    updatedAt: iso(NOW),
    simulated: false,
    version: 1,
    leadUnit: null,
    coUnits: [],
    escalated: false,
    stageStartedAt: iso(NOW + startMin * MIN),
    dueAt: dueMin === null ? null : iso(NOW + dueMin * MIN),
    breaches: 0,
    rating: null,
    satisfaction: null,
    duplicateOf: null,
    tags: [],
    relatedIds: [],
    confidential: false,
    drill: false,
    roadId: null,
    keyAreaIds: [],
    limitFactor: 1,
    buildingId: null,
    masked: false, ladder: null,
    ...rest,
  };
}

describe('clockColour', () => {
  it('should be ok before 75 % of the stage, amber from it, red once due, none without a clock', () => {
    // stage of 40 min started 10 min ago: 25 % used
    expect(clockColour(makeEvent({ startMin: -10, dueMin: 30 }), NOW)).toBe('ok');
    // exactly 75 % used
    expect(clockColour(makeEvent({ startMin: -30, dueMin: 10 }), NOW)).toBe('amber');
    expect(clockColour(makeEvent({ startMin: -40, dueMin: 0 }), NOW)).toBe('red');
    expect(clockColour(makeEvent({ startMin: -50, dueMin: -10 }), NOW)).toBe('red');
    expect(clockColour(makeEvent({ dueMin: null }), NOW)).toBe('none');
  });
});

describe('setClockWarnAt', () => {
  it("should colour clocks by the server's warning fraction once known, and ignore a nonsensical one", () => {
    const e = makeEvent({ startMin: -25, dueMin: 15 }); // 62.5 % of the stage used
    expect(clockColour(e, NOW)).toBe('ok');
    try {
      setClockWarnAt(0.5);
      expect(clockColour(e, NOW)).toBe('amber');
      setClockWarnAt(1.5);
      expect(clockColour(e, NOW)).toBe('amber');
    } finally {
      setClockWarnAt(WARN_AT);
    }
    expect(clockColour(e, NOW)).toBe('ok');
  });
});

describe('sortQueue', () => {
  it('should put breached first, then escalated, then near the limit, then new, each by time left', () => {
    const newLate = makeEvent({ id: 'new-late', status: 'reported', startMin: -1, dueMin: 29 });
    const newSoon = makeEvent({ id: 'new-soon', status: 'reported', startMin: -1, dueMin: 9 });
    const near = makeEvent({ id: 'near', startMin: -30, dueMin: 5 });
    const escalated = makeEvent({ id: 'esc', escalated: true, startMin: -1, dueMin: 60 });
    const breachedLong = makeEvent({ id: 'red-long', startMin: -60, dueMin: -30, escalated: true });
    const breachedJust = makeEvent({ id: 'red-just', startMin: -60, dueMin: -1 });
    const calm = makeEvent({ id: 'calm', startMin: -1, dueMin: 100 });
    const noClock = makeEvent({ id: 'verified', status: 'verified', dueMin: null });
    const order = sortQueue([calm, newLate, noClock, near, newSoon, breachedJust, escalated, breachedLong], NOW).map((e) => e.id);
    expect(order).toEqual(['red-long', 'red-just', 'esc', 'near', 'new-soon', 'new-late', 'calm', 'verified']);
  });

  it.each([
    [{ startMin: -60, dueMin: -1, escalated: true }, 'breached'],
    [{ escalated: true }, 'escalated'],
    [{ startMin: -30, dueMin: 5 }, 'near'],
    [{ status: 'reported' as const }, 'new'],
    [{}, 'other'],
  ])('should group %o as %s', (over, group) => {
    expect(urgencyOf(makeEvent(over), NOW)).toBe(group);
  });
});

describe('filterQueue', () => {
  const a = makeEvent({ id: 'a', title: 'Blocked fire exit', streetId: 's1', gridId: 's1-g1', category: 'fire_hazard', status: 'reported' });
  const b = makeEvent({ id: 'b', title: '占道经营', streetId: 's1', gridId: 's1-g2', category: 'street_vending', status: 'dispatched', leadUnit: 'city-mgmt' });
  const c = makeEvent({ id: 'c', title: '噪声扰民', streetId: 's2', gridId: 's2-g1', category: 'noise', status: 'dispatched', leadUnit: 'st-s2', coUnits: ['city-mgmt'] });
  const all = [a, b, c];
  it.each([
    [{}, ['a', 'b', 'c']],
    [{ streetId: 's1' }, ['a', 'b']],
    [{ streetId: 's1', gridId: 's1-g2' }, ['b']],
    [{ category: 'noise' }, ['c']],
    [{ status: 'dispatched' as const }, ['b', 'c']],
    // a unit's cases: led by it, or worked on as a co-unit
    [{ unit: 'city-mgmt' }, ['b', 'c']],
    [{ unit: 'st-s2' }, ['c']],
    [{ unit: 'nobody' }, []],
    [{ text: 'FIRE' }, ['a']],
    [{ text: '  经营 ' }, ['b']],
    [{ streetId: 's2', text: 'fire' }, []],
  ])('should keep %o → %o', (f, ids) => {
    expect(filterQueue(all, { ...EMPTY_FILTER, ...f }).map((e) => e.id)).toEqual(ids);
  });
});

describe('formatCountdown', () => {
  it.each([
    [65_000, '01:05', false],
    [59_999, '00:59', false],
    [0, '00:00', false],
    [-400, '+00:01', false],
    [-65_000, '+01:05', false],
    [59 * MIN + 59_000, '59:59', false],
    [3600_000, '1:00', true],
    [3 * 3600_000 + 5 * MIN + 30_000, '3:05', true],
    [-(26 * 3600_000 + 7 * MIN), '+26:07', true],
  ])('should show %d ms as %s', (ms, text, long) => {
    expect(formatCountdown(ms)).toEqual({ text, long });
  });
  it('should show a dash without a clock', () => {
    expect(formatCountdown(null).text).toBe('—');
    expect(timeLeft(makeEvent({ dueMin: null }), NOW)).toBeNull();
    expect(timeLeft(makeEvent({ dueMin: 2 }), NOW)).toBe(2 * MIN);
  });
});

describe('commandOf', () => {
  it.each([
    ['j', { kind: 'move', by: 1 }],
    ['ArrowDown', { kind: 'move', by: 1 }],
    ['k', { kind: 'move', by: -1 }],
    ['ArrowUp', { kind: 'move', by: -1 }],
    ['Enter', { kind: 'open' }],
    ['/', { kind: 'search' }],
    ['Escape', { kind: 'escape' }],
    ['a', { kind: 'action', action: 'accept' }],
    ['d', { kind: 'action', action: 'dispatch' }],
    ['h', { kind: 'action', action: 'handle' }],
    ['v', { kind: 'action', action: 'verify' }],
    ['e', { kind: 'action', action: 'escalate' }],
    ['u', { kind: 'action', action: 'urge' }],
    ['x', { kind: 'action', action: 'archive' }],
    ['q', null],
    ['A', null],
  ])('should map %s', (key, cmd) => {
    expect(commandOf(key)).toEqual(cmd);
  });
  it('should ignore keys with a modifier (browser shortcuts stay theirs)', () => {
    expect(commandOf('a', { ctrl: true })).toBeNull();
    expect(commandOf('d', { meta: true })).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it.each([
    [{ tagName: 'INPUT', type: 'text' }, true],
    [{ tagName: 'INPUT', type: 'search' }, true],
    [{ tagName: 'input' }, true],
    [{ tagName: 'INPUT', type: 'radio' }, false],
    [{ tagName: 'INPUT', type: 'submit' }, false],
    [{ tagName: 'TEXTAREA' }, true],
    [{ tagName: 'SELECT' }, true],
    [{ tagName: 'DIV', isContentEditable: true }, true],
    [{ tagName: 'BUTTON' }, false],
    [{ tagName: 'BODY' }, false],
  ])('should tell %o → %s', (el, typing) => {
    expect(isTypingTarget(el)).toBe(typing);
  });
  it('should treat no target as not typing', () => {
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('moveCursor', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    [null, 1, 'a'],
    ['a', 1, 'b'],
    ['c', 1, 'c'],
    ['a', -1, 'a'],
    ['c', -1, 'b'],
    ['gone', 1, 'a'],
  ])('should move from %s by %d to %s', (from, by, to) => {
    expect(moveCursor(ids, from, by)).toBe(to);
  });
  it('should give null on an empty queue', () => {
    expect(moveCursor([], 'a', 1)).toBeNull();
  });
});

describe('periodRange', () => {
  it('should start today at Shanghai midnight', () => {
    expect(iso(periodRange('today', NOW).from)).toBe('2026-11-24T16:00:00.000Z');
    expect(periodRange('today', NOW).to).toBe(NOW + 1);
  });
  it('should start the week on Monday in Shanghai, also on a Sunday evening and a Monday morning', () => {
    expect(iso(periodRange('week', NOW).from)).toBe('2026-11-22T16:00:00.000Z'); // Mon 23 Nov
    expect(iso(periodRange('week', Date.parse('2026-11-29T15:00:00Z')).from)).toBe('2026-11-22T16:00:00.000Z'); // Sun 23:00
    expect(iso(periodRange('week', Date.parse('2026-11-29T16:30:00Z')).from)).toBe('2026-11-29T16:00:00.000Z'); // Mon 00:30
  });
  it('should start the week at Monday\'s local midnight across a daylight-saving change', () => {
    // Berlin went to summer time on Sunday 29 March 2026: the week from Monday 23 March is 167 h long
    expect(iso(periodRange('week', Date.parse('2026-03-29T21:00:00Z'), 'Europe/Berlin').from)).toBe('2026-03-22T23:00:00.000Z'); // Sun 23:00 CEST
    expect(iso(periodRange('week', Date.parse('2026-03-30T08:00:00Z'), 'Europe/Berlin').from)).toBe('2026-03-29T22:00:00.000Z'); // Mon 10:00 CEST
    expect(iso(periodRange('today', Date.parse('2026-03-29T21:00:00Z'), 'Europe/Berlin').from)).toBe('2026-03-28T23:00:00.000Z');
    // New York: Sunday evening is already Monday in UTC
    expect(iso(periodRange('week', Date.parse('2026-11-02T03:00:00Z'), 'America/New_York').from)).toBe('2026-10-26T04:00:00.000Z');
  });
  it('should build the report address', () => {
    expect(reportHref(Date.parse('2026-11-24T16:00:00Z'), Date.parse('2026-11-25T02:00:00Z'), '310110')).toBe(
      '/api/v1/stats.csv?areaId=310110&from=2026-11-24T16%3A00%3A00.000Z&to=2026-11-25T02%3A00%3A00.000Z',
    );
    expect(reportHref(0, 1, undefined, 'zongzhi')).toBe('/api/v1/stats.csv?from=1970-01-01T00%3A00%3A00.000Z&to=1970-01-01T00%3A00%3A00.001Z&by=zongzhi');
  });
});

describe('neighbours', () => {
  it('should list open cases within the radius, nearest first, without the case itself', () => {
    const me = makeEvent({ id: 'me', lng: 121.5, lat: 31.3 });
    const near = makeEvent({ id: 'near', lng: 121.505, lat: 31.3 }); // ~475 m
    const nearer = makeEvent({ id: 'nearer', lng: 121.501, lat: 31.3 });
    const far = makeEvent({ id: 'far', lng: 121.6, lat: 31.3 });
    expect(neighbours([me, far, near, nearer], me).map((e) => e.id)).toEqual(['nearer', 'near']);
  });
});

describe('deadlineWatch', () => {
  it('should list overdue cases first (longest overdue on top), then near-limit ones (least time left on top), and count each', () => {
    const ok = makeEvent({ id: 'ok', startMin: -5, dueMin: 35 });
    const near = makeEvent({ id: 'near', startMin: -35, dueMin: 5 });
    const nearer = makeEvent({ id: 'nearer', startMin: -38, dueMin: 2 });
    const over = makeEvent({ id: 'over', startMin: -45, dueMin: -5 });
    const longOver = makeEvent({ id: 'long-over', startMin: -100, dueMin: -60 });
    const unclocked = makeEvent({ id: 'unclocked', dueMin: null });
    const w = deadlineWatch([ok, near, over, unclocked, nearer, longOver], NOW);
    expect(w.rows.map((e) => e.id)).toEqual(['long-over', 'over', 'nearer', 'near']);
    expect({ breached: w.breached, near: w.near }).toEqual({ breached: 2, near: 2 });
  });

  it('should move a case from amber to red as the clock passes its due time', () => {
    const e = makeEvent({ startMin: -35, dueMin: 5 });
    expect(deadlineWatch([e], NOW)).toMatchObject({ breached: 0, near: 1 });
    expect(deadlineWatch([e], NOW + 5 * MIN)).toMatchObject({ breached: 1, near: 0 });
    expect(deadlineWatch([], NOW)).toEqual({ rows: [], breached: 0, near: 0 });
  });
});

describe('ladderCounts', () => {
  it('should count open disputes at each rung of the escalation ladder', () => {
    expect(ladderCounts([{ ladder: null }, { ladder: 'deputy' }, { ladder: 'deputy' }, { ladder: 'government' }])).toEqual({ deputy: 2, principal: 0, government: 1 });
    expect(ladderCounts([])).toEqual({ deputy: 0, principal: 0, government: 0 });
  });
});
