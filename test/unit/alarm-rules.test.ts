import { describe, expect, it } from 'vitest';
import { AlarmRule, AlarmRuleList } from '../../shared/index.ts';
import { AlarmEvaluator, type Sample, type Transition } from '../../server/domain/alarm-rules.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1, 0, 0);
const levels: Record<string, string> = { d: 'district', s1: 'street', s2: 'street', g1: 'grid' };
const ctx = { levelOf: (id: string) => levels[id], staleMs: () => 3 * 3_600_000 };

const pm25 = AlarmRule.parse({
  id: 'pm25-level',
  name: { zh: 'PM2.5 超标', en: 'PM2.5 high' },
  indicatorId: 'pm25',
  levels: ['street', 'district'],
  kind: 'threshold',
  direction: 'above',
  warn: 75,
  alarm: 115,
  clear: 60,
  forSec: 600,
});

const s = (minute: number, value: number): Sample => ({ at: T0 + minute * MIN, value, simulated: false });
const kinds = (ts: Transition[]) => ts.map((t) => (t.type === 'update' ? `update:${t.severity}${t.change ? `:${t.change}` : ''}` : `${t.type}${t.type === 'raise' ? `:${t.severity}` : ''}`));

describe('threshold rules', () => {
  it('open only after the minimum duration, measured on the readings’ own timestamps', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 80), s(5, 82)])).toEqual([]);
    const t = ev.observe('pm25', 's1', [s(10, 81)]);
    expect(kinds(t)).toEqual(['raise:warn']);
    expect(t[0]).toMatchObject({ since: T0, threshold: 75 });
  });

  it('judge a backfilled hour in one batch like live data, in time order whatever the order posted', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    const hour = Array.from({ length: 13 }, (_, i) => s(i * 5, 120)).reverse();
    const t = ev.observe('pm25', 's1', hour);
    expect(kinds(t)).toEqual(['raise:alarm']);
    expect(t[0]).toMatchObject({ since: T0, at: T0 + 10 * MIN });
  });

  it('never flap for a value oscillating inside the hysteresis band', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    const out: Transition[] = [];
    out.push(...ev.observe('pm25', 's1', [s(0, 90), s(10, 90)]));
    for (let m = 11; m < 600; m++) out.push(...ev.observe('pm25', 's1', [s(m, m % 2 ? 61 : 76)]));
    expect(out.filter((t) => t.type === 'raise')).toHaveLength(1);
    expect(out.filter((t) => t.type === 'clear')).toHaveLength(0);
    // below clear: cleared once; back above warn: a new episode only after the duration again
    expect(kinds(ev.observe('pm25', 's1', [s(600, 59)]))).toEqual(['clear']);
    expect(ev.observe('pm25', 's1', [s(601, 80), s(605, 80)])).toEqual([]);
    expect(kinds(ev.observe('pm25', 's1', [s(611, 80)]))).toEqual(['raise:warn']);
  });

  it('a short spike never raises anything', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 200), s(9, 200), s(10, 50), s(30, 50)])).toEqual([]);
  });

  it('escalate within the episode, and step back to warn only past the margin', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    expect(kinds(ev.observe('pm25', 's1', [s(0, 80), s(10, 80)]))).toEqual(['raise:warn']);
    expect(kinds(ev.observe('pm25', 's1', [s(11, 120), s(15, 120)]))).toEqual(['update:warn']);
    expect(kinds(ev.observe('pm25', 's1', [s(21, 121)]))).toEqual(['update:alarm:escalated']);
    // 112 is below alarm (115) but within the margin (75 − 60 = 15): still an alarm
    expect(ev.observe('pm25', 's1', [s(21.5, 112)])).toEqual([]);
    expect(kinds(ev.observe('pm25', 's1', [s(23, 99)]))).toEqual(['update:warn:deescalated']);
  });

  it('one episode per rule and area; each area on its own; other levels ignored', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    const t = [...ev.observe('pm25', 's1', [s(0, 80), s(10, 80)]), ...ev.observe('pm25', 's2', [s(0, 80), s(10, 80)]), ...ev.observe('pm25', 'g1', [s(0, 500), s(30, 500)])];
    expect(t.map((x) => x.areaId)).toEqual(['s1', 's2']);
    expect(ev.observe('pm25', 's1', [s(20, 81), s(40, 82), s(80, 90)]).every((x) => x.type === 'update')).toBe(true);
  });

  it('a value holds until it turns stale: the minimum duration passes without new readings', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 130)])).toEqual([]);
    expect(ev.hold(T0 + 9 * MIN)).toEqual([]);
    expect(kinds(ev.hold(T0 + 10 * MIN))).toEqual(['raise:alarm']);
    expect(ev.hold(T0 + 11 * MIN)).toEqual([]);
    // a stale value holds only until its staleness: an old reading raises nothing by the clock
    const old = new AlarmEvaluator([pm25], ctx);
    old.observe('pm25', 's1', [s(0, 130)]);
    expect(old.hold(T0 + 5 * 3_600_000).length).toBe(1); // held 3 h ≥ 10 min: raised as of then
    const brief = new AlarmEvaluator([AlarmRule.parse({ ...pm25, forSec: 4 * 3600 })], ctx);
    brief.observe('pm25', 's1', [s(0, 130)]);
    expect(brief.hold(T0 + 5 * 3_600_000)).toEqual([]);
  });

  it('older readings than the newest judged change nothing; a current value does', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    ev.observe('pm25', 's1', [s(0, 80), s(10, 80)]);
    expect(ev.observe('pm25', 's1', [s(5, 10)])).toEqual([]);
    expect(kinds(ev.observeCurrent('pm25', 's1', s(5, 10)))).toEqual(['clear']);
  });

  it('below-direction rules mirror above', () => {
    const rate = AlarmRule.parse({ ...pm25, id: 'fts', indicatorId: 'first_time_success_rate', direction: 'below', warn: 90, alarm: 85, clear: 92, forSec: 0 });
    const ev = new AlarmEvaluator([rate], ctx);
    expect(kinds(ev.observe('first_time_success_rate', 'd', [s(0, 89)]))).toEqual(['raise:warn']);
    expect(ev.observe('first_time_success_rate', 'd', [s(1, 91)]).filter((t) => t.type === 'clear')).toEqual([]);
    expect(kinds(ev.observe('first_time_success_rate', 'd', [s(2, 93)]))).toEqual(['clear']);
  });

  it('restored episodes are not opened twice after a restart', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    ev.restore([{ ruleId: 'pm25-level', areaId: 's1', severity: 'warn' }]);
    expect(kinds(ev.observe('pm25', 's1', [s(0, 80), s(10, 80)]))).toEqual(['update:warn']);
  });

  it('removing or disabling a rule clears its open episodes', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    ev.observe('pm25', 's1', [s(0, 80), s(10, 80)]);
    const t = ev.setRules([{ ...pm25, enabled: false }], T0 + 20 * MIN);
    expect(t).toMatchObject([{ type: 'clear', reason: 'rule_removed', areaId: 's1' }]);
    expect(ev.observe('pm25', 's1', [s(30, 200), s(50, 200)])).toEqual([]);
  });
});

describe('rate-of-change rules', () => {
  const rise = AlarmRule.parse({ id: 'pm25-rise', name: { zh: 'PM2.5 快速上升', en: 'PM2.5 rising fast' }, indicatorId: 'pm25', levels: ['street'], kind: 'rate', direction: 'rise', windowSec: 3600, changePct: 50, minBase: 10 });

  it('raise when the value rose by the percentage within the window, clear below half of it', () => {
    const ev = new AlarmEvaluator([rise], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 40), s(30, 50)])).toEqual([]);
    const t = ev.observe('pm25', 's1', [s(60, 61)]);
    expect(kinds(t)).toEqual(['raise:warn']);
    expect(t[0]).toMatchObject({ threshold: 40, value: 61 });
    expect(ev.observe('pm25', 's1', [s(90, 70)]).filter((x) => x.type !== 'update')).toEqual([]); // vs 50: +40 % ≥ 25 %
    expect(kinds(ev.observe('pm25', 's1', [s(120, 70)]))).toEqual(['clear']); // vs 61: +15 %
  });

  it('ignore changes from a base below minBase, and windows without a base', () => {
    const ev = new AlarmEvaluator([rise], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 4), s(60, 40)])).toEqual([]);
    const fresh = new AlarmEvaluator([rise], ctx);
    expect(fresh.observe('pm25', 's1', [s(0, 40), s(30, 100)])).toEqual([]);
  });
});

describe('silence and forecast rules', () => {
  it('数据中断 after the window, cleared by a reading', () => {
    const rule = AlarmRule.parse({ id: 'pm25-silent', name: { zh: 'PM2.5 数据中断', en: 'PM2.5 silent' }, indicatorId: 'pm25', levels: ['street'], kind: 'silence', windowSec: 1800 });
    if (rule.kind !== 'silence') throw new Error('kind');
    const ev = new AlarmEvaluator([rule], ctx);
    expect(ev.silence(rule, 's1', T0, T0 + 29 * MIN)).toEqual([]);
    expect(kinds(ev.silence(rule, 's1', T0, T0 + 30 * MIN))).toEqual(['raise:warn']);
    expect(ev.silence(rule, 's1', T0, T0 + 90 * MIN)).toEqual([]);
    expect(kinds(ev.silence(rule, 's1', T0 + 91 * MIN, T0 + 91 * MIN))).toEqual(['clear']);
    expect(ev.silence(rule, 'g1', T0, T0 + 90 * MIN)).toEqual([]);
  });

  it('预计超标 while a crossing is forecast within the horizon', () => {
    const rule = AlarmRule.parse({ id: 'pm25-forecast', name: { zh: 'PM2.5 预计超标', en: 'PM2.5 forecast' }, indicatorId: 'pm25', levels: ['district'], kind: 'forecast', horizonHours: 6 });
    if (rule.kind !== 'forecast') throw new Error('kind');
    const ev = new AlarmEvaluator([rule], ctx);
    expect(ev.forecast(rule, 'd', { at: T0 + 7 * 3_600_000, value: 120, threshold: 115 }, T0)).toEqual([]);
    expect(kinds(ev.forecast(rule, 'd', { at: T0 + 3 * 3_600_000, value: 120, threshold: 115 }, T0))).toEqual(['raise:warn']);
    // a forecast wavering around the level: one check without a crossing does not clear it
    expect(ev.forecast(rule, 'd', null, T0 + MIN)).toEqual([]);
    expect(ev.forecast(rule, 'd', { at: T0 + 2 * 3_600_000, value: 116, threshold: 115 }, T0 + 2 * MIN).filter((t) => t.type !== 'update')).toEqual([]);
    expect(ev.forecast(rule, 'd', null, T0 + 3 * MIN)).toEqual([]);
    expect(kinds(ev.forecast(rule, 'd', null, T0 + 4 * MIN))).toEqual(['clear']);
  });
});

describe('the rule schema', () => {
  const base = { id: 'x', name: { zh: '甲', en: 'x' }, indicatorId: 'pm25', levels: ['street'], kind: 'threshold', direction: 'above' };
  it('refuse a clear level that leaves no hysteresis, and thresholds in the wrong order', () => {
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 80 }).success).toBe(false);
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 75 }).success).toBe(false);
    expect(AlarmRule.safeParse({ ...base, warn: 75, alarm: 60, clear: 50 }).success).toBe(false);
    expect(AlarmRule.safeParse({ ...base, clear: 50 }).success).toBe(false);
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 60 }).success).toBe(true);
  });
  it('a rule that opens cases names its category; ids are unique; unknown fields refused', () => {
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 60, createCase: 'auto' }).success).toBe(false);
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 60, createCase: 'auto', case: { category: 'air_pollution' } }).success).toBe(true);
    expect(AlarmRule.safeParse({ ...base, warn: 75, clear: 60, constructor: 1 }).success).toBe(false);
    expect(AlarmRuleList.safeParse([{ ...base, warn: 75, clear: 60 }, { ...base, warn: 75, clear: 60 }]).success).toBe(false);
  });
});

describe('clearing a noisy count', () => {
  const counts = AlarmRule.parse({ id: 'fire', name: { zh: '火警', en: 'fire' }, indicatorId: 'fire_alarms', levels: ['street'], kind: 'threshold', direction: 'above', warn: 2, alarm: 4, clear: 1.5, clearForSec: 600 });

  it('raises at once but clears only after the value stayed past clear for clearForSec', () => {
    const ev = new AlarmEvaluator([counts], ctx);
    expect(kinds(ev.observe('fire_alarms', 's1', [s(0, 3)]))).toEqual(['raise:warn']);
    // dips for a moment: no clear, no new episode when it comes back
    expect(ev.observe('fire_alarms', 's1', [s(1, 0), s(2, 3)]).filter((t) => t.type !== 'update')).toEqual([]);
    expect(ev.observe('fire_alarms', 's1', [s(3, 1), s(12, 1)])).toEqual([]);
    expect(kinds(ev.observe('fire_alarms', 's1', [s(13, 0)]))).toEqual(['clear']);
  });

  it('clears by the clock when the low value holds without new readings', () => {
    const ev = new AlarmEvaluator([counts], ctx);
    ev.observe('fire_alarms', 's1', [s(0, 3), s(1, 0)]);
    expect(ev.hold(T0 + 10 * MIN)).toEqual([]);
    expect(kinds(ev.hold(T0 + 11 * MIN))).toEqual(['clear']);
  });
});

describe('rule sets against the registry', () => {
  it('name what cannot be used', async () => {
    const { ruleProblems } = await import('../../server/domain/alarm-rules.ts');
    const indicators = [{ id: 'pm25', levels: ['grid', 'street', 'district'], source: 'readings' }, { id: 'open', levels: ['street'], source: 'derived' }];
    const categories = [{ code: 'fire_hazard' }];
    const rule = (over: object) => AlarmRule.parse({ id: 'r', name: { zh: '甲', en: 'a' }, indicatorId: 'pm25', levels: ['street'], kind: 'threshold', direction: 'above', warn: 1, clear: 0.5, ...over });
    expect(ruleProblems([rule({})], indicators, categories)).toEqual([]);
    expect(ruleProblems([rule({ indicatorId: 'nope' })], indicators, categories)[0]).toMatch(/unknown indicator nope/);
    expect(ruleProblems([rule({ indicatorId: 'open', levels: ['district'] })], indicators, categories)[0]).toMatch(/not shown for district/);
    expect(ruleProblems([rule({ createCase: 'auto', case: { category: 'nope' } })], indicators, categories)[0]).toMatch(/unknown case category/);
    expect(ruleProblems([AlarmRule.parse({ id: 's', name: { zh: '甲', en: 'a' }, indicatorId: 'open', levels: ['street'], kind: 'silence', windowSec: 600 })], indicators, categories)[0]).toMatch(/derived/);
    expect(ruleProblems([AlarmRule.parse({ id: 'f', name: { zh: '甲', en: 'a' }, indicatorId: 'pm25', levels: ['grid'], kind: 'forecast', horizonHours: 6 })], indicators, categories)[0]).toMatch(/not every grid/);
  });
});

describe('what the review found', () => {
  it('a rule set saved again unchanged keeps a running minimum duration', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    ev.observe('pm25', 's1', [s(0, 90), s(6, 90)]);
    ev.setRules([AlarmRule.parse(JSON.parse(JSON.stringify(pm25)))], T0 + 6 * MIN);
    expect(kinds(ev.observe('pm25', 's1', [s(10, 90)]))).toEqual(['raise:warn']);
  });

  it('an episode at alarm steps back to warn when its rule loses the alarm level', () => {
    const ev = new AlarmEvaluator([pm25], ctx);
    ev.observe('pm25', 's1', [s(0, 130), s(10, 130)]);
    const { alarm: _drop, ...warnOnly } = pm25 as Extract<typeof pm25, { kind: 'threshold' }>;
    const t = ev.setRules([AlarmRule.parse(warnOnly)], T0 + 11 * MIN);
    expect(t).toMatchObject([{ type: 'update', severity: 'warn', change: 'deescalated', threshold: 75 }]);
  });

  it('a rate rule clears below clearPct only if that is below changePct', () => {
    const bad = AlarmRule.safeParse({ id: 'r', name: { zh: '甲', en: 'a' }, indicatorId: 'pm25', levels: ['street'], kind: 'rate', direction: 'rise', windowSec: 3600, changePct: 10, clearPct: 50 });
    expect(bad.success).toBe(false);
  });

  it('a rate rule keeps a bounded buffer however often its sensor reports', () => {
    const week = AlarmRule.parse({ id: 'wk', name: { zh: '甲', en: 'a' }, indicatorId: 'pm25', levels: ['street'], kind: 'rate', direction: 'rise', windowSec: 7 * 86_400, changePct: 50, minBase: 1 });
    const ev = new AlarmEvaluator([week], ctx);
    const samples = Array.from({ length: 20_000 }, (_, i) => ({ at: T0 + i * 60_000, value: 40, simulated: false }));
    ev.observe('pm25', 's1', samples);
    const buffer = (ev as unknown as { rates: Map<string, { buffer: unknown[] }> }).rates.get('wk|s1')!.buffer;
    expect(buffer.length).toBeLessThan(2_000); // of 20,000 readings
    // still judged against the value a week before
    expect(kinds(ev.observe('pm25', 's1', [{ at: T0 + 20_000 * 60_000, value: 70, simulated: false }]))).toEqual(['raise:warn']);
  });
});
