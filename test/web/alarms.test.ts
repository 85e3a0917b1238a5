/**
 * The console's alarms without a browser: the live store folding `alarm:upsert` deltas into the
 * active list in the room's sequence, and the pure helpers of the alarm list (merging the cleared
 * ones, who may act, how values and ages read).
 */
import { describe, expect, it } from 'vitest';
import { compareAlarms, type Alarm, type IndicatorDefinition, type Snapshot } from '../../shared/index.ts';
import { applyAlarm, applySnapshot, initialLiveData, receiveDelta } from '../../web/src/lib/state/live-store.ts';
import { alarmActions, alarmList, alarmValueText, canActOnAlarms, noteCleared } from '../../web/src/lib/utils/alarms.ts';

const NOW = Date.parse('2026-11-22T10:30:00+08:00');
const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

let n = 0;
function alarm(over: Partial<Alarm> = {}): Alarm {
  n += 1;
  return {
    id: `al-${n}`,
    ruleId: 'elevator_faults.street',
    kind: 'threshold',
    indicatorId: 'elevator_faults',
    areaId: '310110019000',
    streetId: '310110019000',
    severity: 'warn',
    state: 'raised',
    title: { zh: '五角场街道 电梯故障', en: 'Wujiaochang: lift faults' },
    value: 3,
    threshold: 2,
    since: iso(NOW - 10 * MIN),
    raisedAt: iso(NOW - 10 * MIN),
    lastAt: iso(NOW - MIN),
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackNote: null,
    caseId: null,
    createCase: 'manual',
    simulated: false,
    version: 1,
    ...over,
  };
}

function snapshot(alarms: Alarm[], seq = 10): Snapshot {
  return {
    seq,
    epoch: 'e1',
    areaId: '310110019000',
    serverTime: iso(NOW),
    simulatorOn: false,
    indicators: [],
    trends: {},
    events: [],
    openTotal: 0,
    recent: [],
    hourly: { today: new Array(24).fill(0), yesterday: new Array(24).fill(0), todayStart: NOW - 10 * 3_600_000 },
    alarms,
  };
}

describe('live store: alarms', () => {
  it('should take the active alarms from the snapshot in panel order, dropping any cleared one', () => {
    const old = alarm({ raisedAt: iso(NOW - 60 * MIN) });
    const fresh = alarm();
    const severe = alarm({ severity: 'alarm' });
    const gone = alarm({ state: 'cleared', clearedAt: iso(NOW) });
    const { data } = applySnapshot(initialLiveData('310110019000'), snapshot([fresh, gone, old, severe]), NOW);
    expect(data.alarms.map((a) => a.id)).toEqual([severe.id, old.id, fresh.id]);
  });

  it('should apply alarm deltas in the room sequence: raise, acknowledge, clear', () => {
    let { data } = applySnapshot(initialLiveData('310110019000'), snapshot([]), NOW);
    const a = alarm();
    let out = receiveDelta(data, { kind: 'alarm', delta: { seq: 11, epoch: 'e1', alarms: [a] } }, NOW);
    expect(out.resync).toBe(false);
    expect(out.data.alarms).toEqual([a]);
    expect(out.data.seq).toBe(11);
    const acked = { ...a, state: 'acknowledged' as const, acknowledgedAt: iso(NOW), acknowledgedBy: 'street-1', version: 2 };
    out = receiveDelta(out.data, { kind: 'alarm', delta: { seq: 12, epoch: 'e1', alarms: [acked] } }, NOW);
    expect(out.data.alarms).toEqual([acked]);
    // a duplicate of an older delta changes nothing
    expect(receiveDelta(out.data, { kind: 'alarm', delta: { seq: 11, epoch: 'e1', alarms: [a] } }, NOW).data.alarms).toEqual([acked]);
    out = receiveDelta(out.data, { kind: 'alarm', delta: { seq: 13, epoch: 'e1', alarms: [{ ...acked, state: 'cleared', clearedAt: iso(NOW), version: 3 }] } }, NOW);
    expect(out.data.alarms).toEqual([]);
    data = out.data;
    expect(data.seq).toBe(13);
  });

  it('should ask for a resync on a gap, buffering the alarm until the snapshot', () => {
    const { data } = applySnapshot(initialLiveData('310110019000'), snapshot([]), NOW);
    const a = alarm();
    const out = receiveDelta(data, { kind: 'alarm', delta: { seq: 13, epoch: 'e1', alarms: [a] } }, NOW);
    expect(out.resync).toBe(true);
    expect(out.data.alarms).toEqual([]);
    const after = applySnapshot(out.data, snapshot([], 12), NOW);
    expect(after.data.alarms).toEqual([a]);
  });

  it('should keep a newer version over an older one arriving late, and never list a cleared one as active', () => {
    const a = alarm({ version: 3, severity: 'alarm' });
    const data = { ...initialLiveData('310110019000'), alarms: [a] };
    expect(applyAlarm(data, { ...a, version: 2, severity: 'warn' }).alarms).toEqual([a]);
    expect(applyAlarm(data, alarm({ state: 'cleared' })).alarms).toEqual([a]);
  });
});

describe('alarm list helpers', () => {
  it('should list active alarms, and the cleared ones only when asked, each once in its newest version', () => {
    const a = alarm({ severity: 'alarm' });
    const b = alarm();
    const c1 = alarm({ state: 'cleared', clearedAt: iso(NOW - MIN), version: 4 });
    const c2 = alarm({ state: 'cleared', clearedAt: iso(NOW), version: 2 });
    expect(alarmList([b, a], [c1, c2], false).map((x) => x.id)).toEqual([a.id, b.id]);
    expect(alarmList([b, a], [c1, c2], true).map((x) => x.id)).toEqual([a.id, b.id, c2.id, c1.id]);
    // an alarm that cleared live: out of the active list, in the cleared one with its new version
    const bCleared = { ...b, state: 'cleared' as const, clearedAt: iso(NOW), version: 2 };
    const cleared = noteCleared([c1, c2], bCleared);
    expect(alarmList([a], cleared, true).map((x) => `${x.id}@${x.version}`)).toEqual([`${a.id}@1`, `${b.id}@2`, `${c2.id}@2`, `${c1.id}@4`]);
    expect(alarmList([a], cleared, false).map((x) => x.id)).toEqual([a.id]);
    // an older copy in the cleared list never hides the newer one
    expect(noteCleared(cleared, { ...bCleared, version: 1 }).find((x) => x.id === b.id)!.version).toBe(2);
    const sorted = alarmList([a, b], cleared, true);
    expect([...sorted].sort(compareAlarms)).toEqual(sorted);
  });

  it('should let only duty officers act, and offer a case only where the rule opens one and none exists yet', () => {
    const a = alarm();
    expect(canActOnAlarms('street')).toBe(true);
    expect(canActOnAlarms('district')).toBe(true);
    expect(canActOnAlarms('admin')).toBe(false);
    expect(canActOnAlarms('wall')).toBe(false);
    expect(alarmActions(a, 'street')).toEqual({ acknowledge: true, openCase: true });
    expect(alarmActions(a, 'admin')).toEqual({ acknowledge: false, openCase: false });
    expect(alarmActions(a, 'wall')).toEqual({ acknowledge: false, openCase: false });
    expect(alarmActions({ ...a, acknowledgedAt: iso(NOW), caseId: 'ev-1' }, 'district')).toEqual({ acknowledge: false, openCase: false });
    expect(alarmActions({ ...a, createCase: 'off' }, 'district').openCase).toBe(false);
    expect(alarmActions({ ...a, createCase: 'auto' }, 'district').openCase).toBe(true);
  });

  it('should write values with the unit and decimals, and ages in words', () => {
    const def = { decimals: 1, unit: { zh: '起', en: 'faults' } } as IndicatorDefinition;
    expect(alarmValueText(3, def, 'zh')).toBe('3.0 起');
    expect(alarmValueText(3, def, 'en')).toBe('3.0 faults');
    expect(alarmValueText(null, def, 'en')).toBe('—');
    expect(alarmValueText(2.5, undefined, 'en')).toBe('2.5');
  });
});
