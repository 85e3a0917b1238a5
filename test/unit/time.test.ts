import { describe, expect, it } from 'vitest';
import { floorTo, hourHistogram, nextLocalDay, startOfLocalDay, zoneOffsetMs } from '../../server/domain/time.ts';

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
    const h = hourHistogram([d, d + 1, d + 3_600_000 * 5 + 10, d - 1, d + 86_400_000], d, 'Asia/Shanghai');
    expect(h).toHaveLength(24);
    expect(h[0]).toBe(2);
    expect(h[5]).toBe(1);
    expect(h.reduce((a, b) => a + b)).toBe(3);
  });
  it('should count by local hour on the days the clocks change', () => {
    const H = 3_600_000;
    // Berlin springs forward at 02:00 CET (01:00Z) on 29 March 2026: a 23-hour day without 02:xx
    const spring = startOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(new Date(spring).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(nextLocalDay(spring, 'Europe/Berlin') - spring).toBe(23 * H);
    const s = hourHistogram([Date.parse('2026-03-29T00:30:00Z'), Date.parse('2026-03-29T01:30:00Z'), Date.parse('2026-03-29T21:59:00Z')], spring, 'Europe/Berlin');
    expect([s[1], s[2], s[3], s[23]]).toEqual([1, 0, 1, 1]); // 01:30 CET, 03:30 CEST, 23:59 CEST
    // and falls back at 03:00 CEST (01:00Z) on 25 October 2026: a 25-hour day with 02:xx twice
    const autumn = startOfLocalDay(Date.parse('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect(new Date(autumn).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(nextLocalDay(autumn, 'Europe/Berlin') - autumn).toBe(25 * H);
    const a = hourHistogram([Date.parse('2026-10-25T00:30:00Z'), Date.parse('2026-10-25T01:30:00Z'), Date.parse('2026-10-25T22:59:00Z'), Date.parse('2026-10-25T23:00:00Z')], autumn, 'Europe/Berlin');
    expect(a[2]).toBe(2); // 02:30 CEST and 02:30 CET
    expect(a[23]).toBe(1); // 23:59 CET is still this day; midnight is the next
    expect(a.reduce((x, y) => x + y)).toBe(3);
  });
  it('should floor to buckets', () => {
    expect(floorTo(1_234_567, 600_000)).toBe(1_200_000);
  });
});
