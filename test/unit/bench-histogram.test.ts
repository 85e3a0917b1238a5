import { describe, expect, it } from 'vitest';
import { histogramPercentiles, mergeWire, newHistogram, record, toWire } from '../../bench/lib/histogram.ts';
import { rng } from '../../bench/lib/geo.ts';
import { percentiles } from '../../bench/lib/stats.ts';

describe('bench latency histogram', () => {
  const rand = rng(3);
  // a long-tailed latency mix: most around 5–40 ms, some up to seconds, a few below 10 µs
  const samples = Array.from({ length: 50_000 }, (_, i) => (i % 997 === 0 ? rand() * 0.005 : i % 50 === 0 ? 100 + rand() * 2900 : 5 + rand() * rand() * 35));

  it('reads percentiles at most 0.5 % above the exact ones, never below, with the exact maximum', () => {
    const h = newHistogram();
    for (const x of samples) record(h, x);
    const exact = percentiles(samples);
    const got = histogramPercentiles(h);
    expect(got.n).toBe(samples.length);
    expect(got.max).toBe(exact.max);
    for (const p of ['p50', 'p90', 'p99'] as const) {
      expect(got[p]).toBeGreaterThanOrEqual(exact[p] * (1 - 1e-12)); // float rounding at a bucket edge
      expect(got[p]).toBeLessThanOrEqual(exact[p] * 1.005 + 1e-9);
    }
  });

  it('merges the wire form of several histograms into the histogram of all samples', () => {
    const whole = newHistogram();
    const parts = [newHistogram(), newHistogram(), newHistogram()];
    samples.forEach((x, i) => {
      record(whole, x);
      record(parts[i % 3]!, x);
    });
    const merged = newHistogram();
    for (const p of parts) mergeWire(merged, JSON.parse(JSON.stringify(toWire(p))));
    expect(histogramPercentiles(merged)).toEqual(histogramPercentiles(whole));
    expect([...merged.counts]).toEqual([...whole.counts]);
  });

  it('is empty-safe and clamps what lies beyond its range', () => {
    expect(histogramPercentiles(newHistogram()).p50).toBeNaN();
    const h = newHistogram();
    record(h, 0);
    record(h, 1e12);
    const p = histogramPercentiles(h);
    expect(p.p50).toBeCloseTo(0.01);
    expect(p.max).toBe(1e12);
    expect(p.p99).toBeLessThanOrEqual(1e12);
  });
});
