import { describe, expect, it } from 'vitest';
import { floorTo, hourHistogram, startOfLocalDay, zoneOffsetMs } from '../../server/domain/time.ts';

describe('time', () => {
  it('should know Shanghai is 8 h ahead of UTC', () => {
    expect(zoneOffsetMs(Date.parse('2026-11-22T01:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3_600_000);
  });
  it('should find the local midnight in Shanghai', () => {
    // 01:00 UTC is 09:00 in Shanghai: the day began at 16:00 UTC the day before
    expect(new Date(startOfLocalDay(Date.parse('2026-11-22T01:00:00Z'), 'Asia/Shanghai')).toISOString()).toBe('2026-11-21T16:00:00.000Z');
    // 17:00 UTC is already 01:00 of the next local day
    expect(new Date(startOfLocalDay(Date.parse('2026-11-22T17:00:00Z'), 'Asia/Shanghai')).toISOString()).toBe('2026-11-22T16:00:00.000Z');
  });
  it('should handle a zone with daylight saving', () => {
    // the day of the spring-forward in New York is 23 hours long
    const start = startOfLocalDay(Date.parse('2026-03-08T18:00:00Z'), 'America/New_York');
    expect(new Date(start).toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });
  it('should count times per hour and ignore those outside the day', () => {
    const d = Date.parse('2026-11-21T16:00:00Z');
    const h = hourHistogram([d, d + 1, d + 3_600_000 * 5 + 10, d - 1, d + 86_400_000], d);
    expect(h).toHaveLength(24);
    expect(h[0]).toBe(2);
    expect(h[5]).toBe(1);
    expect(h.reduce((a, b) => a + b)).toBe(3);
  });
  it('should floor to buckets', () => {
    expect(floorTo(1_234_567, 600_000)).toBe(1_200_000);
  });
});
