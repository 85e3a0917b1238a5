import { describe, expect, it } from 'vitest';
import { BoundedConcurrency, Busy } from '../../server/services/concurrency.ts';

describe(BoundedConcurrency.name, () => {
  it('should run at most `limit` at once, queue `queue` more, and refuse the rest at once', async () => {
    const gate = new BoundedConcurrency(2, 3);
    const release: (() => void)[] = [];
    let peak = 0;
    let now = 0;
    const job = () =>
      gate.run(async () => {
        now += 1;
        peak = Math.max(peak, now);
        await new Promise<void>((r) => release.push(r));
        now -= 1;
        return 'done';
      });
    const runs = Array.from({ length: 8 }, () => job().catch((e: unknown) => e));
    await Promise.resolve();
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    const refused = await Promise.all(runs.slice(5));
    expect(refused.every((e) => e instanceof Busy)).toBe(true);
    // let them finish one by one: each place passes to the next in line
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(runs.slice(0, 5))).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('should free its place when the work fails', async () => {
    const gate = new BoundedConcurrency(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 42)).toBe(42);
  });
});
