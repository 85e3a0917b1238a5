import { describe, expect, it } from 'vitest';
import type { StatsRow } from '../../shared/index.ts';
import { unitStanding } from '../../web/src/lib/utils/unit-standing.ts';

const row = (key: string, over: Partial<StatsRow> = {}): StatsRow => ({
  key,
  received: 5,
  closed: 4,
  onTimeRate: 0.75,
  avgStageMinutes: { accept: null, dispatch: null, handle: null, verify: null },
  breaches: 1,
  returns: 0,
  good: 3,
  bad: 1,
  satisfaction: 4.2,
  ...over,
});

describe('unitStanding', () => {
  it('should rank by on-time rate, then cases closed, then fewer returns, units with no case out', () => {
    const rows = [
      row('a', { onTimeRate: 0.5 }),
      row('b', { onTimeRate: 0.9, closed: 2 }),
      row('c', { onTimeRate: 0.9, closed: 8 }),
      row('d', { onTimeRate: null, closed: 0 }),
      row('e', { received: 0, closed: 0, returns: 0, onTimeRate: null }),
      row('f', { onTimeRate: 0.5, returns: 3 }),
    ];
    const s = unitStanding(rows, 'a');
    expect(s.ranked.map((r) => r.key)).toEqual(['c', 'b', 'a', 'f', 'd']);
    // only units that closed cases are ranked: d closed none
    expect(s).toMatchObject({ rank: 3, of: 4, own: { key: 'a', onTimeRate: 0.5 } });
    expect(unitStanding(rows, 'd')).toMatchObject({ rank: null, of: 4, own: { key: 'd' } });
  });

  it('should give a unit with no case this period no rank and zeros', () => {
    const s = unitStanding([row('a')], 'zz');
    expect(s).toMatchObject({ rank: null, of: 1, own: { key: 'zz', received: 0, closed: 0, onTimeRate: null } });
    expect(unitStanding([row('e', { received: 0, closed: 0, onTimeRate: null })], 'e')).toMatchObject({ rank: null, of: 0, own: { key: 'e' } });
  });
});
