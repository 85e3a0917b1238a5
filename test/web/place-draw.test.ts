import { describe, expect, it } from 'vitest';
import { TaskLocation } from '../../shared/index.ts';
import { MAX_CORNERS, parsePoint, pointText, ringOf } from '../../web/src/lib/utils/place-draw.ts';

describe('parsePoint', () => {
  it('should read lng,lat with a comma, a full-width comma or spaces, and round to six decimals', () => {
    expect(parsePoint('121.514,31.302')).toEqual({ type: 'Point', coordinates: [121.514, 31.302] });
    expect(parsePoint(' 121.5140001， 31.3020004 ')).toEqual({ type: 'Point', coordinates: [121.514, 31.302] });
    expect(parsePoint('121.514 31.302')).toEqual({ type: 'Point', coordinates: [121.514, 31.302] });
    expect(parsePoint('')).toBeNull();
  });
  it('should refuse what is not a place', () => {
    for (const bad of ['121.5', '121.5,31.3,4', 'a,b', '200,31', '121,95', 'Infinity,1']) expect(parsePoint(bad)).toEqual({ error: 'lng,lat' });
  });
  it('should write a point back as the field shows it', () => {
    expect(pointText([121.51400049, 31.3])).toBe('121.514,31.3');
  });
});

describe('ringOf', () => {
  it('should close the ring of the corners clicked, as the task schema takes it', () => {
    const p = ringOf([[121.5, 31.3], [121.51, 31.3], [121.51, 31.31]]);
    expect(p).toEqual({ type: 'Polygon', coordinates: [[[121.5, 31.3], [121.51, 31.3], [121.51, 31.31], [121.5, 31.3]]] });
    expect(TaskLocation.safeParse(p).success).toBe(true);
  });
  it('should count a double click once, and a last click on the first corner as closing', () => {
    const p = ringOf([[0, 0], [1, 0], [1, 0], [1, 1], [0, 0]]);
    expect(p!.coordinates[0]).toEqual([[0, 0], [1, 0], [1, 1], [0, 0]]);
  });
  it('should refuse fewer than three distinct corners, or more than the schema allows', () => {
    expect(ringOf([[0, 0], [1, 1]])).toBeNull();
    expect(ringOf([[0, 0], [1, 1], [0, 0], [1, 1]])).toBeNull();
    const many = Array.from({ length: MAX_CORNERS + 1 }, (_, i) => [Math.cos(i) * 0.01, Math.sin(i) * 0.01] as [number, number]);
    expect(ringOf(many)).toBeNull();
    const most = ringOf(many.slice(0, MAX_CORNERS));
    expect(TaskLocation.safeParse(most).success).toBe(true);
  });
});
