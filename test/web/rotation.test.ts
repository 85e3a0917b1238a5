import { describe, expect, it } from 'vitest';
import type { Alarm, GridEvent, Scene } from '../../shared/index.ts';
import { criticalItems, rotate, sceneFor, type CriticalItem, type RotationInput, type RotationPosition } from '../../shared/rotation.ts';

const WJC = '310110019000';
const WJC_G1 = '310110019000-g001';
const DHL = '310110001000';
const T0 = Date.UTC(2026, 11, 2, 6);
const S = 1000;

const playlist: Scene[] = [
  { kind: 'overview', durationSec: 20 },
  { kind: 'street', areaId: WJC, durationSec: 30 },
  { kind: 'alarms', durationSec: 10 },
];

const alarmItem = (over: Partial<CriticalItem> = {}): CriticalItem => ({ kind: 'alarm', id: 'a1', areaId: WJC, streetId: WJC, since: T0, ...over });
const caseItem = (over: Partial<CriticalItem> = {}): CriticalItem => ({ kind: 'case', id: 'c1', areaId: WJC_G1, streetId: WJC, since: T0, ...over });

/** Runs the rotation tick by tick (1 s), as a wall does, keeping the position between calls. */
function run(base: Omit<RotationInput, 'now' | 'position'>, from: number, to: number, position: RotationPosition | null = null) {
  let p = position;
  let last = rotate({ ...base, now: from, position: p });
  p = last.position;
  for (let t = from + S; t <= to; t += S) {
    last = rotate({ ...base, now: t, position: p });
    p = last.position;
  }
  return last;
}

describe('rotate', () => {
  it('should show each scene for its duration, in order, round and round', () => {
    const base = { scenes: playlist, pause: null, critical: [] };
    const first = rotate({ ...base, now: T0, position: null });
    expect(first).toMatchObject({ scene: { kind: 'overview', areaId: null }, index: 0, nextAt: T0 + 20 * S, nextIndex: 1, pinned: null, paused: false });
    expect(run(base, T0, T0 + 19 * S).index).toBe(0);
    expect(run(base, T0, T0 + 20 * S)).toMatchObject({ index: 1, scene: { kind: 'street', areaId: WJC }, nextAt: T0 + 50 * S, nextIndex: 2 });
    expect(run(base, T0, T0 + 50 * S)).toMatchObject({ index: 2, scene: { kind: 'alarms' }, nextIndex: 0 });
    expect(run(base, T0, T0 + 60 * S).index).toBe(0);
    expect(run(base, T0, T0 + 85 * S).index).toBe(1);
  });

  it('should stay on the overview with an empty playlist, pinned or not', () => {
    expect(rotate({ scenes: [], now: T0, position: null, pause: null, critical: [] })).toMatchObject({ scene: { kind: 'overview', areaId: null }, index: null, nextAt: null, position: null });
    const pinned = rotate({ scenes: [], now: T0, position: null, pause: null, critical: [alarmItem()] });
    expect(pinned).toMatchObject({ scene: { kind: 'overview' }, pinned: { id: 'a1' }, index: null });
  });

  it('should not schedule a change with a single scene', () => {
    const r = run({ scenes: [{ kind: 'loop', durationSec: 10 }], pause: null, critical: [] }, T0, T0 + 95 * S);
    expect(r).toMatchObject({ index: 0, scene: { kind: 'loop' }, nextAt: null, nextIndex: null });
  });

  it('should pin an alarm to the alarms scene, and resume where it stopped once it is acknowledged', () => {
    const base = { scenes: playlist, pause: null };
    // 25 s in: the street scene, 5 s of its 30 shown
    const before = run({ ...base, critical: [] }, T0, T0 + 25 * S);
    expect(before).toMatchObject({ index: 1 });
    // an alarm for a minute: pinned to the alarms scene, nothing scheduled
    const during = run({ ...base, critical: [alarmItem()] }, T0 + 26 * S, T0 + 86 * S, before.position);
    expect(during).toMatchObject({ index: 2, scene: { kind: 'alarms' }, pinned: { id: 'a1' }, nextAt: null });
    // acknowledged: back on the street scene with 24 s of it left (5 s + the second before the pin)
    const after = rotate({ ...base, critical: [], now: T0 + 87 * S, position: during.position });
    expect(after).toMatchObject({ index: 1, scene: { kind: 'street' }, pinned: null });
    expect(after.nextAt! - (T0 + 87 * S)).toBe(24 * S);
  });

  it('should pin an alarm to a street or area scene of its area when there is no alarms scene, else to an alarms scene of its own', () => {
    const scenes: Scene[] = [
      { kind: 'overview', durationSec: 20 },
      { kind: 'street', areaId: WJC, durationSec: 30 },
      { kind: 'area', areaId: WJC_G1, durationSec: 30 },
    ];
    expect(sceneFor(scenes, alarmItem({ areaId: WJC }))).toEqual({ index: 1, scene: { kind: 'street', areaId: WJC } });
    // the narrowest: the grid's own area scene before its street
    expect(sceneFor(scenes, alarmItem({ areaId: WJC_G1 }))).toEqual({ index: 2, scene: { kind: 'area', areaId: WJC_G1 } });
    expect(sceneFor(scenes, alarmItem({ areaId: DHL, streetId: DHL }))).toEqual({ index: null, scene: { kind: 'alarms', areaId: null } });
    expect(sceneFor(scenes, alarmItem({ areaId: '310110', streetId: null }))).toEqual({ index: null, scene: { kind: 'alarms', areaId: null } });
  });

  it('should pin a critical case to the street scene with it, else to the overview map', () => {
    expect(sceneFor(playlist, caseItem())).toEqual({ index: 1, scene: { kind: 'street', areaId: WJC } });
    expect(sceneFor(playlist, caseItem({ areaId: `${DHL}-g001`, streetId: DHL }))).toEqual({ index: null, scene: { kind: 'overview', areaId: null } });
    const r = rotate({ scenes: playlist, now: T0, position: null, pause: null, critical: [caseItem()] });
    expect(r).toMatchObject({ scene: { kind: 'street', areaId: WJC }, pinned: { kind: 'case', id: 'c1' } });
  });

  it('should pin the oldest alarm first when several are open, alarms before cases, and count the others', () => {
    const critical = [caseItem({ since: T0 - 3600 * S }), alarmItem({ id: 'young', since: T0 }), alarmItem({ id: 'old', since: T0 - 60 * S })];
    const r = rotate({ scenes: playlist, now: T0, position: null, pause: null, critical });
    expect(r).toMatchObject({ pinned: { id: 'old' }, pinnedMore: 2, scene: { kind: 'alarms' } });
    // the oldest acknowledged: the next one pins
    expect(rotate({ scenes: playlist, now: T0, position: null, pause: null, critical: critical.filter((c) => c.id !== 'old') }).pinned?.id).toBe('young');
    // only the case left
    expect(rotate({ scenes: playlist, now: T0, position: null, pause: null, critical: critical.slice(0, 1) })).toMatchObject({ pinned: { kind: 'case' }, pinnedMore: 0, scene: { kind: 'street' } });
  });

  it('should hold a paused rotation on its scene until the pause ends, then go on with what was left', () => {
    const base = { scenes: playlist, critical: [] };
    const before = run({ ...base, pause: null }, T0, T0 + 5 * S);
    const pause = { until: T0 + 605 * S };
    const during = run({ ...base, pause }, T0 + 6 * S, T0 + 600 * S, before.position);
    expect(during).toMatchObject({ index: 0, paused: true, nextAt: null });
    // past `until`, the pause counts as none: 14 s of the overview were left
    const after = rotate({ ...base, pause, now: T0 + 606 * S, position: during.position });
    expect(after).toMatchObject({ index: 0, paused: false });
    expect(after.nextAt! - (T0 + 606 * S)).toBe(14 * S);
    // until resumed: never ends by itself
    expect(run({ ...base, pause: { until: null } }, T0 + 6 * S, T0 + 900 * S, before.position)).toMatchObject({ index: 0, paused: true });
  });

  it('should pin a paused wall, and after the pin return to the paused scene, still paused', () => {
    const base = { scenes: playlist, pause: { until: null } };
    const paused = run({ ...base, critical: [] }, T0, T0 + 25 * S);
    // paused from the start: still on the overview
    expect(paused).toMatchObject({ index: 0, paused: true });
    const pinned = rotate({ ...base, critical: [alarmItem()], now: T0 + 26 * S, position: paused.position });
    expect(pinned).toMatchObject({ scene: { kind: 'alarms' }, pinned: { id: 'a1' }, paused: true });
    const back = rotate({ ...base, critical: [], now: T0 + 90 * S, position: pinned.position });
    expect(back).toMatchObject({ index: 0, scene: { kind: 'overview' }, paused: true, pinned: null });
  });

  it('should follow a playlist changed while pinned: the pin moves to the new scene that shows it, and the rotation resumes on the new list', () => {
    const before = run({ scenes: playlist, pause: null, critical: [] }, T0, T0 + 55 * S); // on index 2 (alarms), 5 s in
    const pinned = rotate({ scenes: playlist, pause: null, critical: [caseItem()], now: T0 + 56 * S, position: before.position });
    expect(pinned).toMatchObject({ index: 1, scene: { kind: 'street' } });
    // the admin saves a shorter playlist with no street scene: the case pins the overview map
    const shorter: Scene[] = [{ kind: 'hotline', durationSec: 15 }, { kind: 'loop', durationSec: 15 }];
    const moved = rotate({ scenes: shorter, pause: null, critical: [caseItem()], now: T0 + 57 * S, position: pinned.position });
    expect(moved).toMatchObject({ index: null, scene: { kind: 'overview', areaId: null }, pinned: { id: 'c1' } });
    // the case is accepted: the old position (index 2) is past the new list's end, so it starts over
    const resumed = rotate({ scenes: shorter, pause: null, critical: [], now: T0 + 58 * S, position: moved.position });
    expect(resumed).toMatchObject({ index: 0, scene: { kind: 'hotline' }, nextAt: T0 + 72 * S }); // the second since the pin was last seen counts
  });

  it('should count no time when the clock goes back, and go at most once round when it leaps forward', () => {
    const base = { scenes: playlist, pause: null, critical: [] };
    const at = run(base, T0, T0 + 25 * S); // street, 5 s in
    const back = rotate({ ...base, now: T0 - 3600 * S, position: at.position });
    expect(back).toMatchObject({ index: 1 });
    expect(back.position!.shownMs).toBe(5 * S);
    // a day later (the machine slept): a valid scene, with less than its duration shown
    const later = rotate({ ...base, now: T0 + 86_400 * S, position: at.position });
    expect(later.index).not.toBeNull();
    expect(later.position!.shownMs).toBeLessThan(playlist[later.index!]!.durationSec * S);
    expect(later.position!.shownMs).toBeGreaterThanOrEqual(0);
  });

  it('should start over from a position that makes no sense', () => {
    for (const position of [{ index: -1, shownMs: 0, at: T0 }, { index: 1.5, shownMs: 0, at: T0 }, { index: 0, shownMs: Number.NaN, at: T0 }, { index: 99, shownMs: 0, at: T0 }]) {
      expect(rotate({ scenes: playlist, pause: null, critical: [], now: T0, position })).toMatchObject({ index: 0, nextAt: T0 + 20 * S });
    }
  });
});

describe('criticalItems', () => {
  const at = new Date(T0).toISOString();
  const alarm = (over: Partial<Alarm>): Alarm => ({
    id: 'a', ruleId: 'r', kind: 'threshold', indicatorId: 'fire_alarms', areaId: WJC, streetId: WJC, severity: 'alarm', state: 'raised',
    title: { zh: 't', en: 't' }, value: 3, threshold: 1, since: at, raisedAt: at, lastAt: at, clearedAt: null, acknowledgedAt: null,
    acknowledgedBy: null, ackNote: null, caseId: null, createCase: 'off', simulated: false, version: 1, ...over,
  });
  const event = (over: Partial<GridEvent>): GridEvent => ({
    id: 'e', source: 'grid', externalId: 'x', category: 'fire_hazard', title: 't', description: '', lng: 121.5, lat: 31.3, gridId: WJC_G1,
    streetId: WJC, districtId: '310110', severity: 'critical', status: 'reported', occurredAt: at, receivedAt: at, updatedAt: at,
    simulated: false, version: 1, leadUnit: null, coUnits: [], escalated: false, stageStartedAt: at, dueAt: null, breaches: 0,
    rating: null, satisfaction: null, duplicateOf: null, tags: [], relatedIds: [], confidential: false, masked: false, ladder: null, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null, ...over,
  });

  it('should take raised alarms at alarm severity and critical cases not yet accepted, and nothing else', () => {
    const items = criticalItems(
      [alarm({ id: 'raised' }), alarm({ id: 'warn', severity: 'warn' }), alarm({ id: 'acked', state: 'acknowledged' }), alarm({ id: 'cleared', state: 'cleared' })],
      [event({ id: 'new' }), event({ id: 'high', severity: 'high' }), event({ id: 'accepted', status: 'accepted' }), event({ id: 'archived', status: 'archived' }), event({ id: 'dup', duplicateOf: 'new' })],
    );
    expect(items.map((i) => `${i.kind}:${i.id}`)).toEqual(['alarm:raised', 'case:new']);
    expect(items[1]).toEqual({ kind: 'case', id: 'new', areaId: WJC_G1, streetId: WJC, since: T0 });
  });
});
