/**
 * @module bench/lib/histogram
 * A latency histogram in a typed array, cheap enough to feed once per socket delivery (100,000+
 * a second) and small enough to send over IPC and merge across client processes: logarithmic
 * buckets 0.5 % wide from 10 µs up (bucket b holds latencies in (MIN·G^(b−1), MIN·G^b]), so a
 * percentile read from it is the upper edge of its bucket, at most 0.5 % above the true sample.
 * The maximum is kept exactly.
 */
import type { Pcts } from './stats.ts';

const MIN_MS = 0.01;
const GROWTH = 1.005;
const LOG_G = Math.log(GROWTH);
/** MIN·G^4200 ≈ 1.3·10^7 ms: anything slower lands in the last bucket */
export const BUCKETS = 4200;

export interface LatencyHistogram {
  counts: Uint32Array;
  n: number;
  max: number;
}

export const newHistogram = (): LatencyHistogram => ({ counts: new Uint32Array(BUCKETS), n: 0, max: 0 });

export function record(h: LatencyHistogram, ms: number): void {
  const b = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_G));
  h.counts[b]!++;
  h.n++;
  if (ms > h.max) h.max = ms;
}

/** plain data for IPC: only the non-empty buckets, as [bucket, count] pairs */
export function toWire(h: LatencyHistogram): { pairs: number[]; n: number; max: number } {
  const pairs: number[] = [];
  for (let b = 0; b < BUCKETS; b++) if (h.counts[b]) pairs.push(b, h.counts[b]!);
  return { pairs, n: h.n, max: h.max };
}

export function mergeWire(into: LatencyHistogram, w: { pairs: number[]; n: number; max: number }): void {
  for (let i = 0; i < w.pairs.length; i += 2) into.counts[w.pairs[i]!]! += w.pairs[i + 1]!;
  into.n += w.n;
  if (w.max > into.max) into.max = w.max;
}

/** nearest-rank percentiles, each the upper edge of its bucket (NaN when empty) */
export function histogramPercentiles(h: LatencyHistogram): Pcts {
  if (h.n === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * h.n));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += h.counts[b]!;
      if (seen >= rank) return Math.min(h.max, MIN_MS * GROWTH ** b);
    }
    return h.max;
  };
  return { n: h.n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: h.max };
}
