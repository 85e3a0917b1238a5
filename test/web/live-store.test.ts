import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmDelta, EventDelta, GridEvent, IndicatorDelta, IndicatorValue, Snapshot } from '../../shared/index.ts';
import {
  CLEARED_CAP,
  OPEN_EVENTS_CAP,
  TICKER_CAP,
  applySnapshot,
  bumpHourly,
  hourlyAt,
  indicatorKey,
  initialLiveData,
  markInterrupted,
  mergePoint,
  openCountsByChild,
  receiveDelta,
  type Delta,
  type LiveData,
} from '../../web/src/lib/state/live-store.ts';

const NOW = Date.parse('2026-11-22T10:30:00+08:00');
const TODAY_START = Date.parse('2026-11-22T00:00:00+08:00');
const HOUR = 3_600_000;

let counter = 0;
function makeEvent(over: Partial<GridEvent> = {}): GridEvent {
  counter += 1;
  const at = new Date(NOW).toISOString();
  return {
    id: `ev-${counter}`,
    source: 'grid',
    externalId: `x-${counter}`,
    category: 'fire_hazard',
    title: `event ${counter}`,
    description: '',
    lng: 121.52,
    lat: 31.28,
    gridId: '310110001000-g001',
    streetId: '310110001000',
    districtId: '310110',
    severity: 'medium',
    status: 'reported',
    occurredAt: at,
    receivedAt: at,
    updatedAt: at,
    simulated: true,
    version: 1,
    leadUnit: null,
    coUnits: [],
    escalated: false,
    stageStartedAt: at,
    dueAt: null,
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
    ...over,
  };
}

function value(indicatorId: string, v: number, areaId = '310110'): IndicatorValue {
  return { indicatorId, areaId, value: v, at: new Date(NOW).toISOString(), status: 'normal', simulated: true };
}

function makeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 10,
    epoch: 'e1',
    areaId: '310110',
    serverTime: new Date(NOW).toISOString(),
    simulatorOn: true,
    indicators: [value('pm25', 40)],
    trends: { pm25: [[NOW - 2 * HOUR, 30], [NOW - HOUR, 35]] },
    events: [],
    openTotal: 0,
    recent: [],
    hourly: { today: new Array(24).fill(0), yesterday: new Array(24).fill(1), todayStart: TODAY_START },
    alarms: [],
    ...over,
  };
}

const ev = (seq: number, event: GridEvent, created = true, epoch = 'e1'): Delta => ({
  kind: 'event',
  delta: { seq, epoch, events: [{ created, event }] } satisfies EventDelta,
});
/** one delta carrying a batch of events (one commit) */
const batch = (seq: number, events: { created: boolean; event: GridEvent }[], epoch = 'e1'): Delta => ({ kind: 'event', delta: { seq, epoch, events } satisfies EventDelta });
const ind = (seq: number, values: IndicatorValue[], points: IndicatorDelta['points'] = {}, epoch = 'e1'): Delta => ({
  kind: 'indicator',
  delta: { seq, epoch, values, points } satisfies IndicatorDelta,
});

function synced(over: Partial<Snapshot> = {}): LiveData {
  return applySnapshot(initialLiveData('310110'), makeSnapshot(over), NOW).data;
}

describe('applySnapshot', () => {
  it('should replace the state with the snapshot', () => {
    const open = makeEvent();
    const closed = makeEvent({ status: 'archived' });
    const out = applySnapshot(initialLiveData('310110'), makeSnapshot({ events: [open, closed], openTotal: 1, recent: [open] }), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.status).toBe('synced');
    expect(out.data.seq).toBe(10);
    expect(out.data.epoch).toBe('e1');
    expect(out.data.openEvents.map((e) => e.id)).toEqual([open.id]);
    expect(out.data.openComplete).toBe(true);
    expect(out.data.indicators[indicatorKey('310110', 'pm25')]?.value).toBe(40);
    expect(out.data.trends.pm25).toHaveLength(2);
    expect(out.data.snapshots).toBe(1);
  });

  it('should know when the open list is capped by the server', () => {
    const data = synced({ events: [makeEvent()], openTotal: 40 });
    expect(data.openComplete).toBe(false);
    expect(data.openTotal).toBe(40);
  });

  it('should compute the server clock offset', () => {
    const data = applySnapshot(initialLiveData('310110'), makeSnapshot({ serverTime: new Date(NOW + 5000).toISOString() }), NOW).data;
    expect(data.serverOffsetMs).toBe(5000);
  });

  it('should cap the ticker', () => {
    const recent = Array.from({ length: 80 }, () => makeEvent());
    expect(synced({ recent }).recent).toHaveLength(TICKER_CAP);
  });
});

describe('buffered deltas before the first snapshot', () => {
  it('should buffer deltas and apply only those after the snapshot seq', () => {
    let data = initialLiveData('310110');
    const old = makeEvent();
    const fresh = makeEvent();
    for (const d of [ev(9, old), ev(10, makeEvent()), ev(11, fresh), ind(12, [value('pm25', 99)])]) {
      const out = receiveDelta(data, d, NOW);
      expect(out.resync).toBe(false);
      data = out.data;
    }
    expect(data.buffer).toHaveLength(4);
    const out = applySnapshot(data, makeSnapshot({ seq: 10 }), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.seq).toBe(12);
    expect(out.data.buffer).toHaveLength(0);
    expect(out.data.openEvents.map((e) => e.id)).toEqual([fresh.id]);
    expect(out.created.map((e) => e.id)).toEqual([fresh.id]);
    expect(out.data.indicators[indicatorKey('310110', 'pm25')]?.value).toBe(99);
  });

  it('should drop buffered deltas of another epoch', () => {
    let data = receiveDelta(initialLiveData('310110'), ev(11, makeEvent(), true, 'old'), NOW).data;
    data = applySnapshot(data, makeSnapshot({ seq: 10 }), NOW).data;
    expect(data.seq).toBe(10);
    expect(data.openEvents).toHaveLength(0);
  });

  it('should ask for a resync when the buffer has a gap after the snapshot', () => {
    let data = receiveDelta(initialLiveData('310110'), ev(13, makeEvent()), NOW).data;
    const out = applySnapshot(data, makeSnapshot({ seq: 10 }), NOW);
    expect(out.resync).toBe(true);
    expect(out.data.status).toBe('resyncing');
    data = applySnapshot(out.data, makeSnapshot({ seq: 12 }), NOW).data;
    expect(data.seq).toBe(13);
    expect(data.status).toBe('synced');
  });
});

describe('receiveDelta', () => {
  it('should apply deltas in sequence', () => {
    let data = synced();
    const e = makeEvent();
    data = receiveDelta(data, ev(11, e), NOW).data;
    data = receiveDelta(data, ind(12, [value('pm25', 50)], { pm25: [NOW, 50] }), NOW).data;
    expect(data.seq).toBe(12);
    expect(data.openEvents[0]?.id).toBe(e.id);
    expect(data.openTotal).toBe(1);
    expect(data.recent[0]?.id).toBe(e.id);
    expect(data.trends.pm25?.at(-1)).toEqual([NOW, 50]);
  });

  it('should ignore duplicates', () => {
    let data = synced();
    data = receiveDelta(data, ev(11, makeEvent()), NOW).data;
    const out = receiveDelta(data, ev(11, makeEvent()), NOW);
    expect(out.resync).toBe(false);
    expect(out.data).toBe(data);
  });

  it('should detect a gap, buffer, and recover from the next snapshot', () => {
    let data = synced();
    const late = makeEvent();
    const gap = receiveDelta(data, ev(12, late), NOW);
    expect(gap.resync).toBe(true);
    expect(gap.data.status).toBe('resyncing');
    // while resyncing nothing is applied and no second resync is asked for
    const more = receiveDelta(gap.data, ev(13, makeEvent()), NOW);
    expect(more.resync).toBe(false);
    expect(more.data.buffer).toHaveLength(2);
    const out = applySnapshot(more.data, makeSnapshot({ seq: 12, events: [late], openTotal: 1 }), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.seq).toBe(13);
    expect(out.data.openEvents).toHaveLength(2);
  });

  it('should resync on an epoch change', () => {
    const out = receiveDelta(synced(), ev(1, makeEvent(), true, 'e2'), NOW);
    expect(out.resync).toBe(true);
    const after = applySnapshot(out.data, makeSnapshot({ seq: 0, epoch: 'e2' }), NOW);
    expect(after.data.epoch).toBe('e2');
    expect(after.data.seq).toBe(1);
    expect(after.data.openEvents).toHaveLength(1);
  });

  it('should buffer after an interruption until the next snapshot', () => {
    const data = markInterrupted(synced());
    expect(data.status).toBe('resyncing');
    const out = receiveDelta(data, ev(11, makeEvent()), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.openEvents).toHaveLength(0);
  });
});

describe('event deltas', () => {
  it('should apply a batch in order under its one seq', () => {
    const e = makeEvent();
    const other = makeEvent();
    let data = synced();
    const out = receiveDelta(
      data,
      batch(11, [
        { created: true, event: e },
        { created: true, event: other },
        { created: false, event: { ...e, status: 'dispatched', version: 2 } },
        { created: false, event: { ...other, status: 'archived', version: 3 } },
      ]),
      NOW,
    );
    expect(out.resync).toBe(false);
    data = out.data;
    expect(data.seq).toBe(11);
    expect(data.openEvents.map((x) => [x.id, x.status])).toEqual([[e.id, 'dispatched']]);
    expect(data.openTotal).toBe(1);
    // the ticker: both new, newest (the later in the batch) on top, each as it stands after the batch
    expect(data.recent.map((x) => [x.id, x.status])).toEqual([[other.id, 'archived'], [e.id, 'dispatched']]);
    expect(out.created.map((x) => x.id)).toEqual([e.id, other.id]);
    // the next delta must be seq 12: a batch counts once
    expect(receiveDelta(data, ev(13, makeEvent()), NOW).resync).toBe(true);
    expect(receiveDelta(data, ev(12, makeEvent()), NOW).data.seq).toBe(12);
  });

  it('should buffer batches before a snapshot and apply those after its seq, in order', () => {
    let data = initialLiveData('310110');
    const [a, b, c] = [makeEvent(), makeEvent(), makeEvent()];
    for (const d of [batch(12, [{ created: true, event: c }]), batch(10, [{ created: true, event: a }]), batch(11, [{ created: true, event: b }, { created: false, event: { ...b, version: 2, status: 'accepted' } }])]) {
      data = receiveDelta(data, d, NOW).data;
    }
    const out = applySnapshot(data, makeSnapshot({ seq: 10 }), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.seq).toBe(12);
    expect(out.data.openEvents.map((x) => [x.id, x.status])).toEqual([[c.id, 'reported'], [b.id, 'accepted']]);
    expect(out.created.map((x) => x.id)).toEqual([b.id, c.id]);
  });

  it('should update an event in place and remove it from the open list when closed', () => {
    const e = makeEvent();
    let data = synced({ events: [e], openTotal: 1, recent: [e] });
    data = receiveDelta(data, ev(11, { ...e, status: 'dispatched', version: 2 }, false), NOW).data;
    expect(data.openEvents[0]?.status).toBe('dispatched');
    expect(data.recent[0]?.status).toBe('dispatched');
    data = receiveDelta(data, ev(12, { ...e, status: 'archived', version: 3 }, false), NOW).data;
    expect(data.openEvents).toHaveLength(0);
    expect(data.openTotal).toBe(0);
    expect(data.recent[0]?.status).toBe('archived');
  });

  it('should not let an older version overwrite a newer one', () => {
    const e = makeEvent({ version: 3, status: 'handled' });
    let data = synced({ events: [e], openTotal: 1, recent: [e] });
    data = receiveDelta(data, ev(11, { ...e, version: 2, status: 'dispatched' }, false), NOW).data;
    expect(data.openEvents[0]?.status).toBe('handled');
    expect(data.recent[0]?.status).toBe('handled');
  });

  it('should cap the ticker at 50 lines, newest first', () => {
    let data = synced();
    const events = Array.from({ length: 70 }, () => makeEvent());
    events.forEach((e, i) => {
      data = receiveDelta(data, ev(11 + i, e), NOW).data;
    });
    expect(data.recent).toHaveLength(TICKER_CAP);
    expect(data.recent[0]?.id).toBe(events.at(-1)?.id);
  });

  it('should cap the open list and then mark it incomplete', () => {
    let data = synced();
    for (let i = 0; i < OPEN_EVENTS_CAP + 5; i++) data = receiveDelta(data, ev(11 + i, makeEvent()), NOW).data;
    expect(data.openEvents).toHaveLength(OPEN_EVENTS_CAP);
    expect(data.openComplete).toBe(false);
    expect(data.openTotal).toBe(OPEN_EVENTS_CAP + 5);
  });

  it('should count created events into the hourly chart by the hour they occurred', () => {
    let data = synced();
    data = receiveDelta(data, ev(11, makeEvent({ occurredAt: new Date(TODAY_START + 10 * HOUR + 60_000).toISOString() })), NOW).data;
    data = receiveDelta(data, ev(12, makeEvent(), false), NOW).data;
    expect(data.hourly.today[10]).toBe(1);
    expect(data.hourly.today.reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe(bumpHourly.name, () => {
  const h = { today: new Array(24).fill(0), yesterday: new Array(24).fill(0), todayStart: TODAY_START };
  it('should roll over at Shanghai midnight', () => {
    const a = bumpHourly(h, TODAY_START + 23 * HOUR);
    const b = bumpHourly(a, TODAY_START + 24 * HOUR + 5);
    expect(b.todayStart).toBe(TODAY_START + 24 * HOUR);
    expect(b.yesterday[23]).toBe(1);
    expect(b.today[0]).toBe(1);
  });
  it('should count a late event of yesterday into yesterday', () => {
    expect(bumpHourly(h, TODAY_START - HOUR).yesterday[23]).toBe(1);
  });
  it('should clear both days after a gap of more than a day', () => {
    const b = bumpHourly(bumpHourly(h, TODAY_START + HOUR), TODAY_START + 50 * HOUR);
    expect(b.yesterday.every((n) => n === 0)).toBe(true);
    expect(b.today[2]).toBe(1);
  });
  it('should ignore an event from before yesterday', () => {
    expect(bumpHourly(h, TODAY_START - 25 * HOUR)).toEqual(h);
  });

  describe('in a zone with summer time (Europe/Berlin)', () => {
    const TZ = 'Europe/Berlin';
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST, the day is 23 h long
    const SPRING = Date.parse('2026-03-29T00:00:00+01:00');
    const NEXT = Date.parse('2026-03-30T00:00:00+02:00');
    const day = (todayStart: number) => ({ today: new Array(24).fill(0), yesterday: new Array(24).fill(0), todayStart });

    it('should roll over at the next local midnight, 23 h after a spring-forward midnight', () => {
      expect(NEXT - SPRING).toBe(23 * HOUR);
      const a = bumpHourly(day(SPRING), NEXT - 1, TZ);
      expect(a.todayStart).toBe(SPRING);
      expect(a.today[23]).toBe(1);
      const b = bumpHourly(a, NEXT, TZ);
      expect(b.todayStart).toBe(NEXT);
      expect(b.today[0]).toBe(1);
      expect(b.yesterday[23]).toBe(1);
    });
    it('should count by the hour the clock showed, leaving the skipped hour empty', () => {
      let h = day(SPRING);
      for (const iso of ['2026-03-29T01:59:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:10:00+02:00']) h = bumpHourly(h, Date.parse(iso), TZ);
      expect(h.today.slice(0, 5)).toEqual([0, 1, 0, 1, 1]);
    });
    it('should count both of the repeated hours into one slot on the fall-back day, 25 h long', () => {
      const AUTUMN = Date.parse('2026-10-25T00:00:00+02:00');
      const after = Date.parse('2026-10-26T00:00:00+01:00');
      expect(after - AUTUMN).toBe(25 * HOUR);
      let h = day(AUTUMN);
      h = bumpHourly(h, Date.parse('2026-10-25T02:30:00+02:00'), TZ);
      h = bumpHourly(h, Date.parse('2026-10-25T02:30:00+01:00'), TZ);
      h = bumpHourly(h, after - 1, TZ); // 23:59:59 CET, 24 h 59 min after midnight: still today
      expect(h.todayStart).toBe(AUTUMN);
      expect(h.today[2]).toBe(2);
      expect(h.today[23]).toBe(1);
      expect(hourlyAt(h, after - 1, TZ)).toBe(h);
      expect(hourlyAt(h, after, TZ).todayStart).toBe(after);
    });
    it("should count a late event of yesterday into yesterday's local hour", () => {
      const h = bumpHourly(day(NEXT), Date.parse('2026-03-29T03:15:00+02:00'), TZ);
      expect(h.yesterday[3]).toBe(1);
      expect(h.todayStart).toBe(NEXT);
    });
  });
});

describe(mergePoint.name, () => {
  it.each([
    ['append', [[0, 1], [10, 2]], [20, 3], [[0, 1], [10, 2], [20, 3]]],
    ['replace the last bucket', [[0, 1], [10, 2]], [10, 5], [[0, 1], [10, 5]]],
    ['insert in order', [[0, 1], [20, 2]], [10, 5], [[0, 1], [10, 5], [20, 2]]],
    ['replace an earlier bucket', [[0, 1], [20, 2]], [0, 7], [[0, 7], [20, 2]]],
  ] as const)('should %s', (_n, series, point, expected) => {
    expect(mergePoint(series.map((p) => [p[0], p[1]]), [point[0], point[1]])).toEqual(expected);
  });
  it('should keep only the last 24 hours', () => {
    const out = mergePoint([[0, 1], [HOUR, 2]], [25 * HOUR, 3]);
    expect(out).toEqual([[HOUR, 2], [25 * HOUR, 3]]);
  });
});

describe(openCountsByChild.name, () => {
  it('should count from the list when it is complete', () => {
    const data = synced({ events: [makeEvent({ streetId: 'a' }), makeEvent({ streetId: 'a' })], openTotal: 2 });
    expect(openCountsByChild(data, ['a', 'b'], 'streetId')).toEqual(new Map([['a', 2], ['b', 0]]));
  });
  it('should use the children indicator values when the list is capped', () => {
    const data = synced({
      events: [makeEvent({ streetId: 'a' })],
      openTotal: 50,
      indicators: [value('open_events', 30, 'a'), value('open_events', 20, 'b')],
    });
    expect(openCountsByChild(data, ['a', 'b'], 'streetId')).toEqual(new Map([['a', 30], ['b', 20]]));
  });
});

describe(hourlyAt.name, () => {
  const h = { today: [5, ...new Array(23).fill(0)], yesterday: new Array(24).fill(1), todayStart: TODAY_START };
  it('should keep the counts during the day', () => {
    expect(hourlyAt(h, TODAY_START + 23 * HOUR)).toBe(h);
  });
  it('should roll over after midnight without events', () => {
    const r = hourlyAt(h, TODAY_START + 25 * HOUR);
    expect(r.yesterday[0]).toBe(5);
    expect(r.today.every((n) => n === 0)).toBe(true);
    expect(r.todayStart).toBe(TODAY_START + 24 * HOUR);
  });
  it('should clear both days after more than a day', () => {
    const r = hourlyAt(h, TODAY_START + 49 * HOUR);
    expect(r.todayStart).toBe(TODAY_START + 48 * HOUR);
    expect([...r.today, ...r.yesterday].every((n) => n === 0)).toBe(true);
  });
  it('should roll over at the local midnight of a zone with summer time', () => {
    // New York, 8 March 2026: the spring-forward day ends 23 h after it began
    const start = Date.parse('2026-03-08T00:00:00-05:00');
    const ny = { ...h, todayStart: start };
    expect(hourlyAt(ny, start + 23 * HOUR - 1, 'America/New_York')).toBe(ny);
    expect(hourlyAt(ny, start + 23 * HOUR, 'America/New_York').todayStart).toBe(Date.parse('2026-03-09T00:00:00-04:00'));
  });
});

function makeAlarm(over: Partial<Alarm> = {}): Alarm {
  counter += 1;
  const at = new Date(NOW).toISOString();
  return {
    id: `al-${counter}`,
    ruleId: 'pm25-high',
    kind: 'threshold',
    indicatorId: 'pm25',
    areaId: '310110',
    streetId: null,
    severity: 'warn',
    state: 'raised',
    title: { zh: 'PM2.5 超标', en: 'PM2.5 high' },
    value: 90,
    threshold: 75,
    since: at,
    raisedAt: at,
    lastAt: at,
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackNote: null,
    caseId: null,
    createCase: 'off',
    simulated: false,
    version: 1,
    ...over,
  };
}
const al = (seq: number, alarm: Alarm, epoch = 'e1'): Delta => ({ kind: 'alarm', delta: { seq, epoch, alarms: [alarm] } satisfies AlarmDelta });

describe('alarm deltas', () => {
  it('should apply a batch of alarms in order under one seq', () => {
    const a = makeAlarm({ severity: 'warn' });
    let data = synced();
    data = receiveDelta(data, { kind: 'alarm', delta: { seq: 11, epoch: 'e1', alarms: [a, { ...a, version: 2, severity: 'alarm' }, { ...a, version: 3, state: 'cleared', severity: 'alarm' }] } }, NOW).data;
    expect(data.seq).toBe(11);
    expect(data.alarms).toEqual([]);
    expect(data.clearedAlarms.map((x) => [x.id, x.version])).toEqual([[a.id, 3]]);
  });

  it('should take the active alarms of the snapshot in panel order', () => {
    const warn = makeAlarm({ raisedAt: new Date(NOW - HOUR).toISOString() });
    const alarm = makeAlarm({ severity: 'alarm' });
    const older = makeAlarm({ severity: 'alarm', raisedAt: new Date(NOW - 2 * HOUR).toISOString() });
    const data = synced({ alarms: [warn, alarm, older] });
    expect(data.alarms.map((a) => a.id)).toEqual([older.id, alarm.id, warn.id]);
    expect(data.clearedAlarms).toEqual([]);
  });

  it('should raise, update and clear an alarm in sequence', () => {
    let data = synced();
    const a = makeAlarm();
    data = receiveDelta(data, al(11, a), NOW).data;
    expect(data.seq).toBe(11);
    expect(data.alarms.map((x) => x.id)).toEqual([a.id]);
    const escalated = { ...a, severity: 'alarm' as const, value: 130, version: 2 };
    data = receiveDelta(data, al(12, escalated), NOW).data;
    expect(data.alarms).toHaveLength(1);
    expect(data.alarms[0]?.severity).toBe('alarm');
    const acked = { ...escalated, state: 'acknowledged' as const, acknowledgedBy: 'zhang', version: 3 };
    data = receiveDelta(data, al(13, acked), NOW).data;
    expect(data.alarms[0]?.acknowledgedBy).toBe('zhang');
    const cleared = { ...acked, state: 'cleared' as const, clearedAt: new Date(NOW).toISOString(), version: 4 };
    data = receiveDelta(data, al(14, cleared), NOW).data;
    expect(data.alarms).toEqual([]);
    expect(data.clearedAlarms.map((x) => x.id)).toEqual([a.id]);
  });

  it('should order by severity, then age', () => {
    let data = synced();
    const young = makeAlarm({ severity: 'alarm', raisedAt: new Date(NOW).toISOString() });
    const old = makeAlarm({ severity: 'alarm', raisedAt: new Date(NOW - HOUR).toISOString() });
    const warn = makeAlarm({ severity: 'warn', raisedAt: new Date(NOW - 5 * HOUR).toISOString() });
    data = receiveDelta(data, al(11, warn), NOW).data;
    data = receiveDelta(data, al(12, young), NOW).data;
    data = receiveDelta(data, al(13, old), NOW).data;
    expect(data.alarms.map((x) => x.id)).toEqual([old.id, young.id, warn.id]);
  });

  it('should not let an older version overwrite a newer one', () => {
    const a = makeAlarm({ version: 3, state: 'acknowledged' });
    let data = synced({ alarms: [a] });
    data = receiveDelta(data, al(11, { ...a, version: 2, state: 'raised' }), NOW).data;
    expect(data.seq).toBe(11);
    expect(data.alarms[0]?.state).toBe('acknowledged');
    // a cleared episode does not come back from an older version either
    data = receiveDelta(data, al(12, { ...a, version: 4, state: 'cleared', clearedAt: new Date(NOW).toISOString() }), NOW).data;
    data = receiveDelta(data, al(13, { ...a, version: 3 }), NOW).data;
    expect(data.alarms).toEqual([]);
  });

  it('should keep only the last cleared alarms, newest first', () => {
    let data = synced();
    const ids: string[] = [];
    for (let i = 0; i < CLEARED_CAP + 5; i++) {
      const a = makeAlarm({ state: 'cleared', clearedAt: new Date(NOW + i).toISOString() });
      ids.unshift(a.id);
      data = receiveDelta(data, al(11 + i, a), NOW).data;
    }
    expect(data.clearedAlarms.map((x) => x.id)).toEqual(ids.slice(0, CLEARED_CAP));
    expect(data.alarms).toEqual([]);
  });

  it('should detect a gap across mixed delta kinds and recover from the snapshot', () => {
    let data = synced();
    const a = makeAlarm();
    data = receiveDelta(data, ev(11, makeEvent()), NOW).data;
    data = receiveDelta(data, ind(12, [value('pm25', 120)]), NOW).data;
    // seq 13 (an event) is lost: the alarm at 14 reveals the gap
    const gap = receiveDelta(data, al(14, a), NOW);
    expect(gap.resync).toBe(true);
    expect(gap.data.status).toBe('resyncing');
    expect(gap.data.alarms).toEqual([]);
    const b = makeAlarm({ severity: 'alarm' });
    const more = receiveDelta(gap.data, al(15, b), NOW);
    expect(more.resync).toBe(false);
    // the snapshot at 14 already holds `a`; `b` follows from the buffer
    const out = applySnapshot(more.data, makeSnapshot({ seq: 14, alarms: [a] }), NOW);
    expect(out.resync).toBe(false);
    expect(out.data.seq).toBe(15);
    expect(out.data.alarms.map((x) => x.id)).toEqual([b.id, a.id]);
  });

  it('should resync when an alarm delta brings a new epoch', () => {
    const out = receiveDelta(synced({ alarms: [makeAlarm()] }), al(1, makeAlarm(), 'e2'), NOW);
    expect(out.resync).toBe(true);
    const after = applySnapshot(out.data, makeSnapshot({ seq: 0, epoch: 'e2' }), NOW);
    expect(after.data.seq).toBe(1);
    expect(after.data.alarms).toHaveLength(1);
  });

  it('should buffer alarm deltas before the first snapshot', () => {
    const a = makeAlarm();
    const data = receiveDelta(initialLiveData('310110'), al(11, a), NOW).data;
    expect(data.alarms).toEqual([]);
    const out = applySnapshot(data, makeSnapshot({ seq: 10 }), NOW);
    expect(out.data.alarms.map((x) => x.id)).toEqual([a.id]);
  });
});

describe("a unit's stream", () => {
  it('should keep the cases the unit works on and drop one it is taken off', () => {
    const mine = makeEvent({ status: 'dispatched', leadUnit: 'fire-safety', version: 3 });
    const co = makeEvent({ status: 'dispatched', leadUnit: 'housing', coUnits: ['fire-safety'], version: 3 });
    let data = applySnapshot(initialLiveData('310110', 'fire-safety'), makeSnapshot({ indicators: [], trends: {}, events: [mine, co], openTotal: 2 }), NOW).data;
    expect(data.unitId).toBe('fire-safety');
    expect(data.openEvents.map((e) => e.id)).toEqual([mine.id, co.id]);
    // the unit returned its case: the stream says so once, with no unit on it
    const returned = { ...mine, status: 'accepted' as const, leadUnit: null, version: 4 };
    data = receiveDelta(data, ev(11, returned, false), NOW).data;
    expect(data.openEvents.map((e) => e.id)).toEqual([co.id]);
    expect(data.openTotal).toBe(1);
    // a new snapshot keeps the unit
    data = applySnapshot(data, makeSnapshot({ seq: 20, events: [co], openTotal: 1 }), NOW).data;
    expect(data.unitId).toBe('fire-safety');
    // a case newly dispatched to it arrives; one of another unit (never sent, but if it were) is not kept
    const next = makeEvent({ status: 'dispatched', leadUnit: 'fire-safety' });
    const other = makeEvent({ status: 'dispatched', leadUnit: 'housing' });
    data = receiveDelta(data, batch(21, [{ created: false, event: next }, { created: false, event: other }]), NOW).data;
    expect(data.openEvents.map((e) => e.id).sort()).toEqual([co.id, next.id].sort());
  });

  it("should leave an area's stream as it was", () => {
    const e = makeEvent({ status: 'accepted' });
    const data = applySnapshot(initialLiveData('310110'), makeSnapshot({ events: [e], openTotal: 1 }), NOW).data;
    expect(data.unitId).toBeUndefined();
    expect(data.openEvents).toHaveLength(1);
  });
});

describe('a case withdrawn from the room (marked confidential)', () => {
  it('should drop it, and ignore a change of it from before the marking that arrives late', () => {
    const e = makeEvent({ status: 'accepted', version: 3 });
    let data = synced({ events: [e], openTotal: 1, recent: [e] });
    const remove: Delta = { kind: 'remove', delta: { seq: 11, epoch: 'e1', removed: [{ id: e.id, version: 5 }] } };
    data = receiveDelta(data, remove, NOW).data;
    expect(data.openEvents).toEqual([]);
    expect(data.recent).toEqual([]);
    expect(data.openTotal).toBe(0);
    // version 4 was committed before the marking on another node, and delivered after it
    data = receiveDelta(data, ev(12, { ...e, version: 4, status: 'dispatched' }, false), NOW).data;
    expect(data.openEvents).toEqual([]);
    expect(data.seq).toBe(12);
    // unmarked later (version 6): back
    data = receiveDelta(data, ev(13, { ...e, version: 6, status: 'dispatched' }, false), NOW).data;
    expect(data.openEvents.map((x) => x.id)).toEqual([e.id]);
  });
});
