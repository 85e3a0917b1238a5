/**
 * The once-only count of wall reports, at the service: copies of one report sent at once (the
 * rate limiter's answer is asynchronous, as Redis's is on several nodes) count once, and a copy
 * refused by the limiter leaves the report to be counted when it comes again.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from '../../server/domain/access.ts';
import { createWallStatusService } from '../../server/services/wall-status.service.ts';
import type { WallReport } from '../../shared/index.ts';

const officer: Principal = { kind: 'user', id: 'u1', name: 'duty', role: 'district', areaId: '310110', sessionHash: 'h1', expiresAt: Infinity };
const report: WallReport = { kind: 'reload', id: 'a1b2c3d4e5f6a7b8', reason: 'stall', build: 'b1', at: '2026-12-02T10:00:00.000Z' };

function service(consume: () => Promise<unknown>) {
  const reloads: string[] = [];
  const walls = createWallStatusService({
    store: { displayStatus: { seen: async () => undefined, reloaded: async () => undefined, list: async () => [] } } as never,
    clock: { now: () => 0 },
    metrics: { wallReport: () => undefined, wallReload: (r) => void reloads.push(r) },
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    build: 'b1',
    limiter: () => ({ consume }) as unknown as RateLimiterAbstract,
  });
  return { walls, reloads };
}

describe('wall reports counted once', () => {
  it('should count two copies sent at once once, while the limiter is still answering', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { walls, reloads } = service(() => gate);
    const both = Promise.all([walls.report(officer, report), walls.report(officer, report)]);
    release();
    expect((await both).map((r) => r.ok)).toEqual([true, true]);
    expect(reloads).toEqual(['stall']);
  });

  it('should count a report the limiter refused when it comes again', async () => {
    let refuse = true;
    const { walls, reloads } = service(async () => {
      if (refuse) throw new RateLimiterRes(0, 1000);
    });
    expect((await walls.report(officer, report)).ok).toBe(false);
    refuse = false;
    expect((await walls.report(officer, report)).ok).toBe(true);
    expect(reloads).toEqual(['stall']);
  });
});
