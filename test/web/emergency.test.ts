import { describe, expect, it } from 'vitest';
import type { GridEvent } from '../../shared/index.ts';
import { casesInReach, elapsedClock } from '../../web/src/lib/utils/emergency.ts';

const ev = (id: string, lng: number, lat: number, severity: GridEvent['severity']) => ({ id, lng, lat, severity }) as GridEvent;

describe('casesInReach', () => {
  it('should keep the cases within the radius, the most severe first, then the nearest', () => {
    const at = { lng: 121.5, lat: 31.3, radiusM: 1000 };
    // 0.001° of latitude is about 111 m
    const list = [ev('far', 121.5, 31.32, 'critical'), ev('near-low', 121.5, 31.301, 'low'), ev('mid-high', 121.5, 31.305, 'high'), ev('near-high', 121.5, 31.302, 'high'), ev('edge', 121.5, 31.3089, 'medium')];
    const r = casesInReach(list, at);
    expect(r.map((c) => c.event.id)).toEqual(['near-high', 'mid-high', 'edge', 'near-low']);
    expect(r[0]!.metres).toBeGreaterThan(200);
    expect(r[0]!.metres).toBeLessThan(250);
  });
});

describe('elapsedClock', () => {
  it('should count hours past a day', () => {
    expect(elapsedClock(0)).toBe('00:00:00');
    expect(elapsedClock(90 * 60_000 + 5_000)).toBe('01:30:05');
    expect(elapsedClock(26 * 3_600_000)).toBe('26:00:00');
    expect(elapsedClock(-5)).toBe('00:00:00');
  });
});
