import { describe, expect, it } from 'vitest';
import { AlarmRule, AlarmRuleList } from '../../shared/index.ts';
import { AlarmEvaluator, type Sample, type Transition } from '../../server/domain/alarm-rules.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1, 0, 0);
const levels: Record<string, string> = { d: 'district', s1: 'street', g1: 'grid' };
const ctx = { levelOf: (id: string) => levels[id], staleMs: () => 3 * 3_600_000 };
const s = (minute: number, value: number): Sample => ({ at: T0 + minute * MIN, value, simulated: false });
const types = (ts: Transition[]) => ts.map((t) => t.type);

const thresholdJson = {
  id: 'pm25-level', name: { zh: 'x', en: 'x' }, indicatorId: 'pm25', levels: ['street'],
  kind: 'threshold', direction: 'above', warn: 75, clear: 60, forSec: 600,
};

describe('regression: evaluator', () => {
  it('saving an identical rule set (freshly parsed objects, as every PUT /admin/rules) keeps the minimum-duration run of an unchanged rule', () => {
    const ev = new AlarmEvaluator([AlarmRule.parse(thresholdJson)], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 80), s(5, 80)])).toEqual([]);
    // an admin saves the rules (same content, new objects), e.g. while editing another rule
    ev.setRules([AlarmRule.parse(thresholdJson)], T0 + 6 * MIN);
    // 10 minutes above warn since minute 0: the warn must be raised now
    expect(types(ev.observe('pm25', 's1', [s(10, 80)]))).toEqual(['raise']);
  });

  it('a rate rule whose clearPct is not below changePct is refused (it would flap on a steady rise)', () => {
    const r = AlarmRuleList.safeParse([{ id: 'rise', name: { zh: 'x', en: 'x' }, indicatorId: 'pm25', levels: ['street'], kind: 'rate', direction: 'rise', windowSec: 3600, changePct: 10, clearPct: 50 }]);
    expect(r.success).toBe(false);
  });

  it('a rate rule’s work and memory per reading stay bounded however many readings a window holds', () => {
    const rules = AlarmRuleList.parse([
      { id: 'rise', name: { zh: 'x', en: 'x' }, indicatorId: 'pm25', levels: ['street'], kind: 'rate', direction: 'rise', windowSec: 7 * 86_400, changePct: 50 },
    ]);
    const ev = new AlarmEvaluator(rules, ctx);
    // one sensor reporting every 5 s for ~2 days into a 7-day window: ~35k buffered samples for ONE (rule, area)
    const N = 35_000;
    for (let i = 0; i < N; i++) ev.observe('pm25', 's1', [{ at: T0 + i * 5000, value: 100, simulated: false }]);
    const buf = (ev as any).rates.get('rise|s1').buffer.length;
    const t = performance.now();
    for (let i = N; i < N + 1000; i++) ev.observe('pm25', 's1', [{ at: T0 + i * 5000, value: 100, simulated: false }]);
    const perReadingUs = ((performance.now() - t) / 1000) * 1000;
    console.log(`rate buffer ${buf} samples; ${perReadingUs.toFixed(1)} µs per reading for one (rule, area)`);
    expect(buf).toBeLessThan(5_000);
  });

  it('a forecast peak wobbling around the threshold keeps one episode', () => {
    const rules = AlarmRuleList.parse([{ id: 'fc', name: { zh: 'x', en: 'x' }, indicatorId: 'pm25', levels: ['district'], kind: 'forecast', horizonHours: 6 }]);
    const ev = new AlarmEvaluator(rules, ctx);
    const r = ev.rule('fc') as any;
    const out: Transition[] = [];
    // the 5-minute forecast rounds: peak 116, 114, 116, 114 … against 115
    for (let i = 0; i < 12; i++) {
      const now = T0 + i * 10 * MIN;
      out.push(...ev.forecast(r, 'd', i % 2 === 0 ? { at: now + 3 * 3_600_000, value: 116, threshold: 115 } : null, now));
    }
    expect(out.filter((t) => t.type === 'raise').length).toBe(1);
  });

  it('an episode at alarm severity steps back when its rule loses the alarm level', () => {
    const both = AlarmRule.parse({ ...thresholdJson, alarm: 115, forSec: 0 });
    const ev = new AlarmEvaluator([both], ctx);
    expect(ev.observe('pm25', 's1', [s(0, 130)]).map((t) => (t as any).severity)).toEqual(['alarm']);
    ev.setRules([AlarmRule.parse({ ...thresholdJson, forSec: 0 })], T0 + MIN); // warn 75 only now
    const out = ev.observe('pm25', 's1', [s(2, 80), s(5, 80), s(10, 80)]);
    expect(out.map((t) => (t as any).severity)).toContain('warn');
  });
});
