import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaseAction, EventStatus, Role, TimeLimits, TransitionRequest, Unit, type TimelineEntry } from '../../shared/index.ts';
import {
  allowedActions,
  applyTransition,
  clockState,
  dueAt,
  ROLE_ACTIONS,
  suggestUnit,
  TRANSITIONS,
  type Actor,
  type CaseState,
  type LifecycleContext,
} from '../../server/domain/lifecycle.ts';

const limits = TimeLimits.parse(JSON.parse(readFileSync(new URL('../../data/time-limits.json', import.meta.url), 'utf8')));
const units = new Map(
  (JSON.parse(readFileSync(new URL('../../data/units.json', import.meta.url), 'utf8')) as unknown[]).map((u) => Unit.parse(u)).map((u) => [u.id, u]),
);
const WJC = '310110019000';
const DINGHAI = '310110001000';
const T0 = Date.parse('2026-11-22T01:00:00Z');
const MIN = 60_000;

const fresh = (over: Partial<CaseState> = {}): CaseState => ({
  id: 'c1',
  status: 'reported',
  version: 1,
  category: 'fire_hazard',
  severity: 'medium',
  streetId: WJC,
  leadUnit: null,
  coUnits: [],
  escalated: false,
  stageStartedAt: T0,
  dueAt: dueAt(limits, 'fire_hazard', 'medium', 'reported', T0),
  rating: null,
  satisfaction: null,
  confidential: false,
  ladder: null,
  limitFactor: 1,
  duplicateOf: null,
  ...over,
});
const district: Actor = { name: 'duty', role: 'district', areaId: '310110' };
const street: Actor = { name: 'wjc', role: 'street', areaId: WJC };
const ctx = (actor: Actor, now = T0): LifecycleContext => ({ units, limits, now, inScope: (s) => actor.areaId === '310110' || actor.areaId === s });

/** a valid request body for an action */
function request(action: CaseAction, version: number): TransitionRequest {
  const extra: Record<CaseAction, object> = {
    accept: {},
    reject: { reason: 'invalid' },
    dispatch: { unit: 'fire-safety', coUnits: [`st-${WJC}`] },
    return: { note: '不属本单位职责' },
    handle: { note: '已清理通道' },
    verify: {},
    rework: { note: '现场仍有堆物' },
    escalate: { note: '涉及多个部门，需区级协调' },
    urge: {},
    archive: { rating: 'good', satisfaction: 5 },
    feedback: { note: '协办部分已完成' },
    cohandle: { units: ['traffic-police'], note: '需交警配合' },
    classify: { confidential: true, note: '涉及未公开的执法行动' },
    coordinate: { rung: 'deputy', person: '张副局长', note: '分管负责人召集协调' },
  };
  return TransitionRequest.parse({ action, version, ...extra[action] });
}

describe('applyTransition', () => {
  it('should take a case around the whole loop, each step on the timeline', () => {
    let c = fresh();
    const entries: Omit<TimelineEntry, 'seq'>[] = [];
    for (const action of ['accept', 'dispatch', 'handle', 'verify', 'archive'] as const) {
      const r = applyTransition(c, request(action, c.version), district, ctx(district));
      if (!r.ok) throw new Error(r.message);
      c = r.next;
      entries.push(r.entry);
    }
    expect(c).toMatchObject({ status: 'archived', version: 6, leadUnit: 'fire-safety', coUnits: [`st-${WJC}`], rating: 'good', satisfaction: 5, dueAt: null });
    expect(entries.map((e) => `${e.from}→${e.to}`)).toEqual(['reported→accepted', 'accepted→dispatched', 'dispatched→handled', 'handled→verified', 'verified→archived']);
  });

  it('should return a mis-dispatched case for re-dispatch, and send a failed verification back for rework', () => {
    let c = fresh({ status: 'dispatched', leadUnit: 'traffic-police' });
    const back = applyTransition(c, request('return', 1), district, ctx(district));
    expect(back.ok && back.next).toMatchObject({ status: 'accepted', leadUnit: null });
    c = fresh({ status: 'handled', leadUnit: 'fire-safety' });
    const rework = applyTransition(c, request('rework', 1), district, ctx(district));
    expect(rework.ok && rework.next.status).toBe('dispatched');
    expect(rework.ok && rework.next.leadUnit).toBe('fire-safety');
  });

  it('should merge a duplicate into its original', () => {
    const r = applyTransition(fresh(), TransitionRequest.parse({ action: 'reject', version: 1, reason: 'duplicate', duplicateOf: 'c0' }), district, ctx(district));
    expect(r.ok && r.next).toMatchObject({ status: 'rejected', duplicateOf: 'c0', dueAt: null });
    const self = applyTransition(fresh(), TransitionRequest.parse({ action: 'reject', version: 1, reason: 'duplicate', duplicateOf: 'c1' }), district, ctx(district));
    expect(self.ok).toBe(false);
    const none = applyTransition(fresh(), TransitionRequest.parse({ action: 'reject', version: 1, reason: 'duplicate' }), district, ctx(district));
    expect(!none.ok && none.code).toBe('VALIDATION');
  });

  it('should escalate a street case to the district once, with a written reason, after which the street only handles, returns and urges', () => {
    const r = applyTransition(fresh({ status: 'accepted' }), request('escalate', 1), street, ctx(street));
    if (!r.ok) throw new Error(r.message);
    expect(r.next).toMatchObject({ escalated: true, status: 'accepted' });
    expect(r.entry.note).toBe('涉及多个部门，需区级协调');
    expect(applyTransition(r.next, request('escalate', 2), street, ctx(street))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(applyTransition(r.next, request('dispatch', 2), street, ctx(street))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(applyTransition(r.next, request('dispatch', 2), district, ctx(district)).ok).toBe(true);
    expect(() => TransitionRequest.parse({ action: 'escalate', version: 1, note: '' })).toThrow(/written reason/);
  });

  it('should refuse a stale version with a conflict, never overwrite', () => {
    const c = fresh({ version: 3 });
    expect(applyTransition(c, request('accept', 2), district, ctx(district))).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('should keep a street officer inside its street, and units inside theirs', () => {
    const other = fresh({ streetId: DINGHAI });
    expect(applyTransition(other, request('accept', 1), street, ctx(street))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const c = fresh({ status: 'accepted' });
    const wrongStreetUnit = TransitionRequest.parse({ action: 'dispatch', version: 1, unit: `st-${DINGHAI}` });
    expect(applyTransition(c, wrongStreetUnit, district, ctx(district))).toMatchObject({ ok: false, code: 'VALIDATION' });
    const unknown = TransitionRequest.parse({ action: 'dispatch', version: 1, unit: 'nobody' });
    expect(applyTransition(c, unknown, district, ctx(district))).toMatchObject({ ok: false, code: 'VALIDATION' });
  });

  it('should let a district officer mark a case confidential and back, with a reason, in any stage', () => {
    const closed = fresh({ status: 'archived' });
    const mark = applyTransition(closed, request('classify', 1), district, ctx(district));
    expect(mark).toMatchObject({ ok: true, next: { confidential: true, status: 'archived' }, entry: { action: 'classify', data: { confidential: true } } });
    const again = applyTransition({ ...closed, confidential: true }, request('classify', 1), district, ctx(district));
    expect(again).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
    expect(applyTransition(closed, request('classify', 1), street, ctx(street))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(TransitionRequest.safeParse({ action: 'classify', version: 1, confidential: true }).success).toBe(false); // a reason is required
  });

  it('should climb the escalation ladder one rung at a time, the last with each party\'s position', () => {
    const lead: Actor = { name: 'cg', role: 'unit', areaId: '310110', unitId: 'urban-management' };
    const co: Actor = { name: 'fg', role: 'unit', areaId: '310110', unitId: 'housing' };
    let c = fresh({ status: 'dispatched', leadUnit: 'urban-management', coUnits: ['housing'] });
    const step = (actor: Actor, body: object) => applyTransition(c, TransitionRequest.parse({ action: 'coordinate', version: c.version, ...body }), actor, ctx(actor));
    // not a rung skipped, not by a co-unit
    expect(step(lead, { rung: 'principal', person: '李局长', note: '直接主要负责人' })).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
    expect(step(co, { rung: 'deputy', person: '王副局长', note: '协办单位' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    for (const [rung, person] of [['deputy', '张副局长'], ['principal', '李局长']] as const) {
      const r = step(lead, { rung, person, note: `${person}协调未果` });
      expect(r).toMatchObject({ ok: true, next: { ladder: rung, status: 'dispatched' }, entry: { action: 'coordinate', actorRole: 'unit', data: { rung, person, unit: 'urban-management' } } });
      if (r.ok) c = r.next;
    }
    // the district government: a written rationale with each party's position
    expect(step(lead, { rung: 'government', person: '区城运中心', note: '报区政府研究决定', positions: [{ party: 'urban-management', position: '属物业管理范畴' }] })).toMatchObject({ ok: false, code: 'VALIDATION' });
    const gov = step(lead, {
      rung: 'government',
      person: '区城运中心',
      note: '两单位对职责认定分歧，报区政府研究决定',
      positions: [{ party: 'urban-management', position: '属物业管理范畴，应由房管牵头' }, { party: 'housing', position: '属占道经营，应由城管执法' }],
    });
    expect(gov).toMatchObject({ ok: true, next: { ladder: 'government' }, entry: { data: { rung: 'government', positions: [{ party: 'urban-management' }, { party: 'housing' }] } } });
    if (gov.ok) c = gov.next;
    expect(allowedActions(c, lead, true)).not.toContain('coordinate');
    expect(step(lead, { rung: 'government', person: '区城运中心', note: '再次上报', positions: [{ party: 'a', position: '甲方意见' }, { party: 'b', position: '乙方意见' }] })).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
  });

  it('should let a unit act only on its own cases: the lead handles, returns and asks; a co-unit gives feedback', () => {
    const c = fresh({ status: 'dispatched', leadUnit: 'fire-safety', coUnits: ['traffic-police'] });
    const lead: Actor = { name: 'xf', role: 'unit', areaId: '310110', unitId: 'fire-safety' };
    const co: Actor = { name: 'jj', role: 'unit', areaId: '310110', unitId: 'traffic-police' };
    const stranger: Actor = { name: 'fg', role: 'unit', areaId: '310110', unitId: 'housing' };
    expect(allowedActions(c, lead, true).sort()).toEqual(['cohandle', 'coordinate', 'feedback', 'handle', 'return']);
    expect(allowedActions(c, co, true)).toEqual(['feedback']);
    expect(allowedActions(c, stranger, true)).toEqual([]);
    expect(applyTransition(c, request('handle', 1), co, ctx(co))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(applyTransition(c, request('feedback', 1), stranger, ctx(stranger))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const fb = applyTransition(c, request('feedback', 1), co, ctx(co));
    expect(fb).toMatchObject({ ok: true, next: { status: 'dispatched', coUnits: ['traffic-police'] }, entry: { action: 'feedback', actorRole: 'unit', data: { unit: 'traffic-police' } } });
    const ask = applyTransition(c, TransitionRequest.parse({ action: 'cohandle', version: 1, units: ['housing', 'traffic-police'], note: '请房管配合' }), lead, ctx(lead));
    expect(ask).toMatchObject({ ok: true, next: { coUnits: ['traffic-police', 'housing'] }, entry: { data: { unit: 'fire-safety', coUnits: ['housing'] } } });
    const self = applyTransition(c, TransitionRequest.parse({ action: 'cohandle', version: 1, units: ['fire-safety'], note: '自己' }), lead, ctx(lead));
    expect(self).toMatchObject({ ok: false, code: 'VALIDATION' });
    const otherStreet = applyTransition(c, TransitionRequest.parse({ action: 'cohandle', version: 1, units: [`st-${DINGHAI}`], note: '街道' }), lead, ctx(lead));
    expect(otherStreet).toMatchObject({ ok: false, code: 'VALIDATION' });
    const back = applyTransition(c, request('return', 1), lead, ctx(lead));
    expect(back).toMatchObject({ ok: true, next: { status: 'accepted', leadUnit: null, coUnits: [] }, entry: { data: { unit: 'fire-safety' } } });
  });

  // every action × role × status: allowed exactly when the role may take it and the status allows it
  const roles = Role.options;
  const statuses = EventStatus.options;
  it.each(roles.flatMap((role) => CaseAction.options.map((action) => [role, action] as const)))('%s × %s follows the tables in every status', (role, action) => {
    // a unit acts here as the lead of the case (its limits as a co-unit are tested below)
    const actor: Actor = { name: 'x', role, areaId: role === 'street' ? WJC : '310110', ...(role === 'unit' ? { unitId: 'fire-safety' } : {}) };
    for (const status of statuses) {
      const c = fresh({ status, leadUnit: status === 'dispatched' || status === 'handled' ? 'fire-safety' : null });
      const r = applyTransition(c, request(action, 1), actor, ctx(actor));
      const expected = ROLE_ACTIONS[role].includes(action) && TRANSITIONS[action].from.includes(status);
      expect(`${status}: ${r.ok}`).toBe(`${status}: ${expected}`);
      expect(allowedActions(c, actor, true).includes(action)).toBe(expected);
    }
  });
});

describe('time limits', () => {
  it('should scale each stage limit by severity', () => {
    expect(dueAt(limits, 'fire_hazard', 'medium', 'reported', T0)).toBe(T0 + 5 * MIN);
    expect(dueAt(limits, 'fire_hazard', 'critical', 'dispatched', T0)).toBe(T0 + 60 * MIN); // 240 × 0.25
    expect(dueAt(limits, 'no_such_category', 'low', 'accepted', T0)).toBe(T0 + 90 * MIN); // default 60 × 1.5
    expect(dueAt(limits, 'fire_hazard', 'medium', 'archived', T0)).toBeNull();
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'should give category %s the default limits, not something found on Object.prototype',
    (category) => {
      expect(dueAt(limits, category, 'low', 'accepted', T0)).toBe(T0 + 90 * MIN);
    },
  );

  it('should turn amber at 75% of the stage and red at the limit', () => {
    const c = { stageStartedAt: T0, dueAt: T0 + 100 * MIN };
    expect(clockState(limits, c, T0 + 74 * MIN)).toBe('ok');
    expect(clockState(limits, c, T0 + 75 * MIN)).toBe('amber');
    expect(clockState(limits, c, T0 + 100 * MIN)).toBe('red');
    expect(clockState(limits, { stageStartedAt: T0, dueAt: null }, T0)).toBe('none');
  });

  it('should restart the clock of each new stage from the moment of the transition', () => {
    const r = applyTransition(fresh(), request('accept', 1), district, ctx(district, T0 + 3 * MIN));
    expect(r.ok && r.next.stageStartedAt).toBe(T0 + 3 * MIN);
    expect(r.ok && r.next.dueAt).toBe(T0 + 3 * MIN + 10 * MIN); // fire dispatch: 10 min
  });
});

describe('suggestUnit', () => {
  const rules = JSON.parse(readFileSync(new URL('../../data/responsibility.json', import.meta.url), 'utf8'));
  it('should suggest by category, then by the street for street matters', () => {
    expect(suggestUnit(rules, 'fire_hazard', WJC)).toBe('fire-safety');
    expect(suggestUnit(rules, 'neighbour_dispute', WJC)).toBe(`st-${WJC}`);
    expect(suggestUnit(rules, 'other_report', DINGHAI)).toBe(`st-${DINGHAI}`);
    for (const r of rules) expect(units.has(r.unit)).toBe(true);
  });
});

describe('random action sequences (property)', () => {
  const actors: Actor[] = [district, street, { name: 'w', role: 'wall', areaId: WJC }, { name: 'a', role: 'admin', areaId: '310110' }];
  it('should never reach an invalid state and never lose a timeline entry', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...CaseAction.options), fc.nat(3), fc.boolean()), { maxLength: 40 }), (steps) => {
        let c = fresh();
        const timeline: Omit<TimelineEntry, 'seq'>[] = [];
        let t = T0;
        for (const [action, who, staleVersion] of steps) {
          t += 7 * MIN;
          const before = c;
          const r = applyTransition(c, request(action, staleVersion ? c.version + 1 : c.version), actors[who]!, ctx(actors[who]!, t));
          if (!r.ok) {
            expect(c).toBe(before); // a refusal changes nothing
            continue;
          }
          expect(r.entry.from).toBe(c.status);
          c = r.next;
          timeline.push(r.entry);
          // invariants
          expect(EventStatus.options).toContain(c.status);
          expect(c.version).toBe(1 + timeline.length);
          if (['dispatched', 'handled', 'verified', 'archived'].includes(c.status)) expect(c.leadUnit).not.toBeNull();
          if (c.leadUnit) expect(c.coUnits).not.toContain(c.leadUnit);
          expect(c.dueAt === null).toBe(['verified', 'archived', 'rejected'].includes(c.status));
          if (c.status === 'archived') expect(c.rating).not.toBeNull();
        }
        // the timeline chains: each entry starts where the last one ended
        timeline.forEach((e, i) => expect(e.from).toBe(i === 0 ? 'reported' : timeline[i - 1]!.to));
        expect(timeline.at(-1)?.to ?? 'reported').toBe(c.status);
      }),
      { numRuns: 500, seed: 20261122 },
    );
  });
});
