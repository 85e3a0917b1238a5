import { describe, expect, it } from 'vitest';
import type { StatsRow } from '../../shared/index.ts';
import { boardRows, formatRate, onTimeColour, overallOnTime } from '../../web/src/lib/utils/board.ts';
import { PALETTE } from '../../web/src/lib/utils/status.ts';

const row = (key: string, over: Partial<StatsRow> = {}): StatsRow => ({
  key,
  received: 0,
  closed: 0,
  onTimeRate: null,
  avgStageMinutes: { accept: null, dispatch: null, handle: null, verify: null },
  breaches: 0,
  returns: 0,
  good: 0,
  bad: 0,
  satisfaction: null,
  ...over,
});

const streets = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, name: id.toUpperCase() }));

describe('boardRows', () => {
  it('should rank by on-time rate, then fewer breaches, more closed, fewer open; streets with nothing closed last', () => {
    const stats = [
      row('a', { closed: 10, onTimeRate: 0.8, breaches: 2, received: 12 }),
      row('b', { closed: 4, onTimeRate: 1, received: 5 }),
      row('c', { closed: 10, onTimeRate: 0.8, breaches: 1, received: 11 }),
      row('d', { received: 3 }),
    ];
    const rows = boardRows(streets, stats, new Map([['a', 7], ['d', 2], ['e', 1]]));
    expect(rows.map((r) => r.id)).toEqual(['b', 'c', 'a', 'e', 'd']);
    // a street with no figures in the period is still listed, with zeros and its open cases
    expect(rows.find((r) => r.id === 'e')).toEqual({ id: 'e', name: 'E', open: 1, onTimeRate: null, breaches: 0, received: 0, closed: 0 });
    expect(rows.find((r) => r.id === 'a')).toMatchObject({ open: 7, closed: 10, breaches: 2, received: 12 });
  });

  it('should ignore figures of areas that are not streets of the scope', () => {
    expect(boardRows(streets.slice(0, 1), [row('zz', { closed: 3, onTimeRate: 1 })], new Map()).map((r) => r.id)).toEqual(['a']);
  });
});

describe('overallOnTime', () => {
  it('should weight each street by its closed cases, and be null when nothing closed', () => {
    expect(overallOnTime([row('a', { closed: 3, onTimeRate: 1 }), row('b', { closed: 1, onTimeRate: 0 })])).toBe(0.75);
    expect(overallOnTime([row('a'), row('b', { closed: 0, onTimeRate: null })])).toBeNull();
  });
});

describe('onTimeColour and formatRate', () => {
  it('should be green from 90 %, amber from 70 %, red below, grey without a rate', () => {
    expect([0.95, 0.9, 0.89, 0.7, 0.69, 0, null].map(onTimeColour)).toEqual([PALETTE.normal, PALETTE.normal, PALETTE.warn, PALETTE.warn, PALETTE.alarm, PALETTE.alarm, PALETTE.nodata]);
    expect([0.934, 1, 0, null].map(formatRate)).toEqual(['93%', '100%', '0%', '—']);
  });
});
