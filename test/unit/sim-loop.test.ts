import { describe, expect, it } from 'vitest';
import type { GridEvent } from '../../shared/index.ts';
import { applyTransition, dueAt, type Actor } from '../../server/domain/lifecycle.ts';
import { toCaseState } from '../../server/services/case.service.ts';
import { nextAction } from '../../server/simulator/loop.ts';
import { CATEGORY_PROFILES } from '../../server/simulator/scenario.ts';
import { shippedData } from '../helpers/server.ts';

const data = shippedData();
const units = new Map(data.units.map((u) => [u.id, u]));
const officer: Actor = { name: 'simulator', role: 'district', areaId: '310110' };
const T0 = Date.parse('2026-11-22T00:00:00Z');
const streets = data.areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);

function makeCase(i: number): GridEvent {
  const cat = CATEGORY_PROFILES[i % CATEGORY_PROFILES.length]!;
  const severity = (['low', 'medium', 'high', 'critical'] as const)[i % 4]!;
  const at = new Date(T0).toISOString();
  const due = dueAt(data.timeLimits, cat.code, severity, 'reported', T0);
  return {
    id: `case-${i}`, source: 'grid', externalId: `x${i}`, category: cat.code, title: 't', description: '', lng: 121.5, lat: 31.3,
    gridId: `${streets[i % 12]}-g001`, streetId: streets[i % 12]!, districtId: '310110', severity, status: 'reported',
    occurredAt: at, receivedAt: at, updatedAt: at, simulated: true, version: 1, leadUnit: null, coUnits: [], escalated: false,
    stageStartedAt: at, dueAt: due === null ? null : new Date(due).toISOString(), breaches: 0, rating: null, satisfaction: null, duplicateOf: null, tags: [], relatedIds: [], confidential: false, masked: false, ladder: null, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null,
  };
}

/** run one case minute by minute through the simulated centre and the real state machine */
function run(e: GridEvent, seed: number) {
  const actions: string[] = [];
  let breaches = 0;
  for (let now = T0; now < T0 + 10 * 86_400_000; now += 60_000) {
    if (e.dueAt && now >= Date.parse(e.dueAt) && !actions.includes(`breach@${e.stageStartedAt}`)) {
      breaches++;
      actions.push(`breach@${e.stageStartedAt}`);
    }
    const req = nextAction(e, { seed, now, limits: data.timeLimits, rules: data.responsibility, speed: 1 });
    if (!req) continue;
    const r = applyTransition(toCaseState(e), req, officer, { units, limits: data.timeLimits, now, inScope: () => true });
    if (!r.ok) throw new Error(`${e.id}: ${req.action} refused: ${r.message}`);
    actions.push(req.action);
    const n = r.next;
    e = { ...e, status: n.status, version: n.version, leadUnit: n.leadUnit, coUnits: n.coUnits, stageStartedAt: new Date(n.stageStartedAt).toISOString(), dueAt: n.dueAt === null ? null : new Date(n.dueAt).toISOString(), rating: n.rating, satisfaction: n.satisfaction };
    if (e.status === 'archived' || e.status === 'rejected') return { e, actions, breaches, closedAt: now };
  }
  return { e, actions, breaches, closedAt: null };
}

describe('the simulated centre', () => {
  const runs = Array.from({ length: 240 }, (_, i) => run(makeCase(i), 9));

  it('should close every case it works, only through valid transitions', () => {
    expect(runs.every((r) => r.closedAt !== null)).toBe(true);
    expect(runs.filter((r) => r.e.status === 'archived').length).toBeGreaterThan(200);
  });

  it('should show a living loop: some returns, reworks, rejections and breaches, but mostly on time', () => {
    const count = (a: string) => runs.filter((r) => r.actions.includes(a)).length;
    expect(count('return')).toBeGreaterThan(0);
    expect(count('rework')).toBeGreaterThan(0);
    expect(count('reject')).toBeGreaterThan(0);
    const breached = runs.filter((r) => r.breaches > 0).length;
    expect(breached).toBeGreaterThan(5);
    expect(breached).toBeLessThan(runs.length * 0.4);
  });

  it('should never touch a real (not simulated) case, however long it waits', () => {
    const real = { ...makeCase(4), simulated: false };
    for (const days of [0, 1, 30]) {
      expect(nextAction(real, { seed: 9, now: T0 + days * 86_400_000 + 3_600_000, limits: data.timeLimits, rules: data.responsibility, speed: 1 })).toBeNull();
    }
    expect(run(real, 9).actions.filter((a) => !a.startsWith('breach'))).toEqual([]);
  });

  it('should decide the same for the same seed', () => {
    expect(run(makeCase(3), 9).actions).toEqual(run(makeCase(3), 9).actions);
  });
});
