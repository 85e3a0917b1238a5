import { describe, expect, it } from 'vitest';
import { createStatsService, STATS_FLOOR_MS, STATS_REUSE_MS } from '../../server/services/stats.service.ts';
import type { CaseHistory } from '../../server/domain/stats.ts';

const AREA = { id: '310110019000', level: 'street' as const };
const FROM = Date.UTC(2026, 10, 20);

function setup() {
  const clock = { t: FROM + 3_600_000, now: () => clock.t };
  const reads: string[] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const store = {
    async caseHistories(from: number, to: number, area?: { id: string }): Promise<CaseHistory[]> {
      reads.push(`${area?.id}|${from}|${to}`);
      if (gate) await gate;
      return [];
    },
    async countByStatus() {
      return [];
    },
  };
  const svc = createStatsService({ store: { cases: store } as never, clock });
  return {
    svc,
    clock,
    reads,
    hold: () => (gate = new Promise<void>((r) => (release = r))),
    release: () => {
      gate = null;
      release?.();
    },
  };
}

describe(createStatsService.name, () => {
  it('should recount a rolling period once for walls asking alike, and share a recount under way', async () => {
    const t = setup();
    t.hold();
    const asked = Array.from({ length: 20 }, () => t.svc.stats(AREA, FROM, null));
    t.release();
    const answers = await Promise.all(asked);
    expect(t.reads).toHaveLength(1);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]!.to).toBe(new Date(t.clock.t + 1).toISOString());
    t.clock.t += STATS_REUSE_MS - 1;
    await t.svc.stats(AREA, FROM, null);
    expect(t.reads).toHaveLength(1);
    t.clock.t += 1;
    await t.svc.stats(AREA, FROM, null);
    expect(t.reads).toHaveLength(2);
    // another area or period is its own
    await t.svc.stats({ id: '310110', level: 'district' }, FROM, null);
    await t.svc.stats(AREA, FROM - 60_000, null);
    expect(t.reads).toHaveLength(4);
  });

  it('should recount a rolling period after a change once the floor has passed, and a fixed period at once', async () => {
    const t = setup();
    const to = FROM + 1_800_000;
    await t.svc.stats(AREA, FROM, null);
    await t.svc.stats(AREA, FROM, to);
    expect(t.reads).toHaveLength(2);
    t.svc.changed();
    t.clock.t += STATS_FLOOR_MS - 1;
    await t.svc.stats(AREA, FROM, null); // within the floor: reused
    await t.svc.stats(AREA, FROM, to); // a report: recounted
    expect(t.reads).toEqual([`${AREA.id}|${FROM}|${FROM + 3_600_001}`, `${AREA.id}|${FROM}|${to}`, `${AREA.id}|${FROM}|${to}`]);
    t.clock.t += 1;
    await t.svc.stats(AREA, FROM, null);
    expect(t.reads).toHaveLength(4);
    // nothing changed since: reused again
    t.clock.t += STATS_FLOOR_MS * 5;
    await t.svc.stats(AREA, FROM, null);
    await t.svc.stats(AREA, FROM, to);
    expect(t.reads).toHaveLength(4);
  });

  it('should forget a failed recount at once', async () => {
    const t = setup();
    let fail = true;
    const svc = createStatsService({
      store: { cases: { caseHistories: async () => (fail ? Promise.reject(new Error('db down')) : []), countByStatus: async () => [] } } as never,
      clock: t.clock,
    });
    await expect(svc.stats(AREA, FROM, null)).rejects.toThrow('db down');
    fail = false;
    await expect(svc.stats(AREA, FROM, null)).resolves.toMatchObject({ areaId: AREA.id });
    expect(svc.recounts()).toBe(2);
  });
});
