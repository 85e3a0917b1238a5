/**
 * @module server/domain/throttle
 * Rate limits as pure state machines over a clock reading: failed-login throttling and a token
 * bucket for ingest keys.
 */

/**
 * Counts failures per key in a sliding window; `limit` failures within `windowMs` block the key
 * until `windowMs` after the last of them.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** ms until the key may try again, or 0 if it may now */
  blockedFor(key: string, now: number): number {
    const list = this.recent(key, now);
    if (list.length < this.limit) return 0;
    return list[list.length - 1]! + this.windowMs - now;
  }

  fail(key: string, now: number): void {
    this.recent(key, now);
    const list = this.failures.get(key) ?? [];
    list.push(now);
    this.failures.set(key, list.slice(-this.limit));
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  /** forget keys with no failure in the window (bounded memory on a month-long run) */
  prune(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
  }
}

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
