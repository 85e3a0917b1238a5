/**
 * @module server/domain/throttle
 * A token bucket per ingest key, as a pure state machine over a clock reading. (Sign-in and
 * per-address limits use rate-limiter-flexible in the auth service.)
 */

/** A token bucket per key: `ratePerSec` refill up to `burst`. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {}

  /** take one token: 0 if granted, else ms until one is available */
  take(key: string, now: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.ratePerSec) * 1000);
  }
}
