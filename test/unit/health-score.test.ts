import { describe, expect, it } from 'vitest';
import { healthScore, type HealthIndicator } from '../../shared/index.ts';
import type { Alarm, IndicatorValue } from '../../shared/index.ts';

const defs: HealthIndicator[] = [
  { id: 'fire', levels: ['street', 'district'], weight: 3 },
  { id: 'pm25', levels: ['district'], weight: 1 },
  { id: 'calls', levels: ['street', 'district'] },
  { id: 'gridonly', levels: ['grid'], weight: 5 },
];
const v = (indicatorId: string, areaId: string, status: IndicatorValue['status']): IndicatorValue => ({ indicatorId, areaId, value: status === 'nodata' ? null : 1, at: null, status, simulated: false });
const below = (child: string, parent: string) => child.startsWith(parent) && child !== parent;
type A = Pick<Alarm, 'indicatorId' | 'areaId' | 'severity' | 'kind' | 'state'>;
const alarm = (indicatorId: string, areaId: string, severity: 'warn' | 'alarm', kind: Alarm['kind'] = 'threshold', state: Alarm['state'] = 'raised'): A => ({ indicatorId, areaId, severity, kind, state });

describe('体征指数', () => {
  it('is 100 when every indicator is normal, and null without data', () => {
    expect(healthScore('d', 'district', defs, [v('fire', 'd', 'normal'), v('pm25', 'd', 'normal'), v('calls', 'd', 'normal')], [], below).score).toBe(100);
    expect(healthScore('d', 'district', defs, [v('fire', 'd', 'nodata')], [], below)).toEqual({ areaId: 'd', score: null, drags: [] });
  });

  it('weights the registry: an alarm on a heavy indicator costs more, and is named first', () => {
    const values = [v('fire', 'd', 'alarm'), v('pm25', 'd', 'warn'), v('calls', 'd', 'normal')];
    const h = healthScore('d', 'district', defs, values, [], below);
    // weights 3 + 1 + 1 = 5; lost 3 × 1 + 1 × 0.5 = 3.5 → 30
    expect(h.score).toBe(30);
    expect(h.drags.map((d) => [d.indicatorId, d.points, d.why])).toEqual([['fire', 60, 'alarm'], ['pm25', 10, 'warn']]);
  });

  it('counts active alarms of the area fully, those below at half, silence at a quarter; cleared ones not at all', () => {
    const values = [v('fire', 'd', 'normal'), v('calls', 'd', 'normal')];
    const defs2 = defs.filter((d) => d.id !== 'pm25');
    expect(healthScore('d', 'district', defs2, values, [alarm('fire', 'd', 'alarm')], below).score).toBe(25);
    expect(healthScore('d', 'district', defs2, values, [alarm('fire', 'd1', 'alarm')], below).score).toBe(63);
    expect(healthScore('d', 'district', defs2, values, [alarm('calls', 'd', 'alarm', 'silence')], below).drags[0]).toMatchObject({ indicatorId: 'calls', why: 'silent', loss: 0.25 });
    expect(healthScore('d', 'district', defs2, values, [alarm('fire', 'd', 'alarm', 'threshold', 'cleared')], below).score).toBe(100);
    expect(healthScore('d', 'district', defs2, values, [alarm('fire', 'x', 'alarm')], below).score).toBe(100);
  });

  it('only indicators shown for the area’s level count', () => {
    expect(healthScore('d1', 'street', defs, [v('gridonly', 'd1', 'alarm'), v('fire', 'd1', 'normal')], [], below).score).toBe(100);
  });
});
