import { describe, expect, it } from 'vitest';
import type { Alarm, IndicatorValue } from '../../shared/index.ts';
import { areaAlarmLevels, belowFrom, healthScores, tileMarks } from '../../web/src/lib/utils/alarm-marks.ts';
import { formatDuration } from '../../web/src/lib/utils/format.ts';

const DISTRICT = '310110';
const WJC = '310110019000';
const WJC_G1 = '310110019000-g001';
const DINGHAI = '310110001000';
const parents = new Map<string, string | null>([
  [DISTRICT, '310000'],
  ['310000', null],
  [WJC, DISTRICT],
  [DINGHAI, DISTRICT],
  [WJC_G1, WJC],
]);
const isBelow = belowFrom(parents);

let n = 0;
function alarm(over: Partial<Alarm> = {}): Alarm {
  n += 1;
  const at = '2026-11-22T02:00:00.000Z';
  return {
    id: `al-${n}`, ruleId: 'r', kind: 'threshold', indicatorId: 'pm25', areaId: DISTRICT, streetId: null,
    severity: 'warn', state: 'raised', title: { zh: 't', en: 't' }, value: 90, threshold: 75,
    since: at, raisedAt: at, lastAt: at, clearedAt: null, acknowledgedAt: null, acknowledgedBy: null, ackNote: null,
    caseId: null, createCase: 'off', simulated: false, version: 1, ...over,
  };
}

describe(belowFrom.name, () => {
  it('should follow parents up the tree, and not call an area below itself', () => {
    expect(isBelow(WJC_G1, DISTRICT)).toBe(true);
    expect(isBelow(WJC_G1, WJC)).toBe(true);
    expect(isBelow(WJC, WJC)).toBe(false);
    expect(isBelow(DINGHAI, WJC)).toBe(false);
    expect(isBelow('constructor', DISTRICT)).toBe(false);
  });
});

describe(tileMarks.name, () => {
  it('should mark an indicator with its worst active alarm of the area or below', () => {
    const marks = tileMarks([alarm(), alarm({ severity: 'alarm', areaId: WJC_G1 }), alarm({ indicatorId: 'fire_alarms', areaId: DINGHAI })], WJC, isBelow);
    expect(marks.get('pm25')).toMatchObject({ severity: 'alarm', silent: false, count: 1 });
    // the district's own alarm is above the street, Dinghai's beside it
    expect(marks.has('fire_alarms')).toBe(false);
    expect(tileMarks([alarm(), alarm({ severity: 'alarm', areaId: WJC_G1 })], DISTRICT, isBelow).get('pm25')?.count).toBe(2);
  });

  it('should say silent only when every alarm of the indicator is a silence alarm', () => {
    expect(tileMarks([alarm({ kind: 'silence', value: null })], DISTRICT, isBelow).get('pm25')).toMatchObject({ silent: true, interrupted: true });
    const mixed = tileMarks([alarm({ kind: 'silence', value: null }), alarm({ severity: 'alarm' })], DISTRICT, isBelow).get('pm25');
    expect(mixed).toMatchObject({ silent: false, interrupted: true, severity: 'alarm' });
  });

  it('should ignore cleared alarms', () => {
    expect(tileMarks([alarm({ state: 'cleared' })], DISTRICT, isBelow).size).toBe(0);
  });
});

describe(areaAlarmLevels.name, () => {
  it('should mark a street for an alarm in it or in one of its grids', () => {
    const m = areaAlarmLevels([alarm({ areaId: WJC_G1, severity: 'alarm' }), alarm({ areaId: DINGHAI })], [WJC, DINGHAI], isBelow);
    expect([...m]).toEqual([[WJC, 2], [DINGHAI, 1]]);
    // a district-level alarm marks no street
    expect(areaAlarmLevels([alarm()], [WJC, DINGHAI], isBelow).size).toBe(0);
  });
});

describe(formatDuration.name, () => {
  it.each([
    [0, '0秒', '0 s'],
    [59_999, '59秒', '59 s'],
    [754_000, '12分34秒', '12 min 34 s'],
    [3 * 3_600_000 + 5 * 60_000, '3小时05分', '3 h 05 min'],
    [50 * 3_600_000, '2天2小时', '2 d 2 h'],
    [-5000, '0秒', '0 s'],
  ])('should format %i ms', (ms, zh, en) => {
    expect(formatDuration(ms, 'zh')).toBe(zh);
    expect(formatDuration(ms, 'en')).toBe(en);
  });
  it('should give nothing for a bad time', () => {
    expect(formatDuration(Number.NaN, 'zh')).toBe('');
  });
});

describe(healthScores.name, () => {
  const defs = [
    { id: 'pm25', levels: ['district' as const, 'street' as const], weight: 2 },
    { id: 'fire_alarms', levels: ['district' as const, 'street' as const] },
  ];
  const v = (indicatorId: string, areaId: string, status: IndicatorValue['status'] = 'normal'): IndicatorValue => ({
    indicatorId, areaId, value: 1, at: '2026-11-22T02:00:00.000Z', status, simulated: false,
  });
  it('should score each area from its own values and the alarms in and below it', () => {
    const values = [v('pm25', DISTRICT), v('fire_alarms', DISTRICT), v('pm25', WJC), v('fire_alarms', WJC), v('pm25', DINGHAI), v('fire_alarms', DINGHAI)];
    const scores = healthScores(
      [{ id: DISTRICT, level: 'district' }, { id: WJC, level: 'street' }, { id: DINGHAI, level: 'street' }],
      defs, values, [alarm({ indicatorId: 'fire_alarms', areaId: WJC, severity: 'alarm' })], isBelow,
    );
    expect(scores.get(DINGHAI)?.score).toBe(100);
    // the street itself: fire_alarms (weight 1 of 3) lost entirely
    expect(scores.get(WJC)).toMatchObject({ score: 67, drags: [{ indicatorId: 'fire_alarms', why: 'alarm' }] });
    // the district: the same alarm below it counts half
    expect(scores.get(DISTRICT)?.score).toBe(83);
  });
  it('should have no score for an area without data', () => {
    expect(healthScores([{ id: WJC, level: 'street' }], defs, [], [], isBelow).get(WJC)).toEqual({ areaId: WJC, score: null, drags: [] });
  });
});
