/**
 * @module server/services/case.service
 * The closed loop as a use case: load a case, check scope, apply the pure state machine, store
 * the change with its timeline entry under an optimistic version check, audit it and tell every
 * permitted screen. Also the breach watch: stages past their time limit are marked, counted and
 * (for street cases) raised to the district — from stored deadlines, so restarts lose no clock.
 */
import type { AuditEntry, CaseTagRequest, CaseView, GridEvent, Notice, TransitionRequest } from '../../shared/index.ts';
import { canSee, canSeeCase, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { allowedActions, applyTransition, breach, suggestUnit, type CaseState } from '../domain/lifecycle.ts';
import { mayTag } from '../domain/hotspots.ts';
import type { ShippedData } from '../data.ts';
import { AppError, notFound } from '../errors.ts';
import type { Broadcaster, CaseChange, Clock, Logger, Metrics, Notifier, Store } from '../ports.ts';
import { maskReport } from '../domain/personal-data.ts';

export interface CaseServiceDeps {
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  clock: Clock;
  data: Pick<ShippedData, 'units' | 'responsibility' | 'timeLimits'>;
  logger: Logger;
  audit: (a: { actor: string; actorKind: AuditEntry['actorKind']; action: string; target: string; outcome: AuditEntry['outcome']; ip: string; detail?: string }) => Promise<void>;
  /** the live stream: every committed change of a case goes out through it */
  broadcaster: Pick<Broadcaster, 'publishEvents' | 'withdrawEvents'>;
  /** a case changed (told right after the commit, after it was streamed): derived indicators follow */
  changed?: (before: GridEvent, after: GridEvent) => void;
  /** breaches counted for `GET /metrics` */
  metrics?: Pick<Metrics, 'breach'>;
  /** told of every breach marked (webhooks, WeCom, DingTalk) */
  notifier?: Notifier;
}

/** the work of the stage a case waits in, whose time limit a breach overran */
const STAGE_WORK: Partial<Record<GridEvent['status'], { zh: string; en: string }>> = {
  reported: { zh: '受理', en: 'Acceptance' },
  accepted: { zh: '派遣', en: 'Dispatch' },
  dispatched: { zh: '处置', en: 'Handling' },
  handled: { zh: '核查', en: 'Verification' },
  verified: { zh: '归档', en: 'Archiving' },
};

/**
 * The notice of a breach: one per stage a case spends (the key names the stage and when it
 * began, so the same stage entered again after a return is a new notice). A critical case's
 * breach is an alarm, any other a warning. The case's title came from outside: the channel
 * formats make it plain text.
 */
export function breachNotice(ev: GridEvent, now: number): Notice {
  const stage = STAGE_WORK[ev.status] ?? { zh: ev.status, en: ev.status };
  const raised = ev.escalated ? { zh: '', en: '' } : { zh: '，已上报区级', en: '; raised to the district' };
  const id = ev.id.slice(0, 8);
  // a confidential case's notice names neither its title nor its category (channels are outside),
  // and goes only to the district's channels, not to a street's
  const secret = ev.confidential;
  return {
    key: `breach:${ev.id}:${ev.status}:${Date.parse(ev.stageStartedAt)}`,
    kind: 'breach',
    severity: ev.severity === 'critical' ? 'alarm' : 'warn',
    areaId: secret ? ev.districtId : ev.gridId,
    title: secret ? { zh: `${stage.zh}超时：涉密事件`, en: `${stage.en} overdue: a confidential case` } : { zh: `${stage.zh}超时：${ev.title}`, en: `${stage.en} overdue: ${ev.title}` },
    text: secret
      ? { zh: `涉密事件 ${id} ${stage.zh}环节已超过时限，请登录系统查看。`, en: `Confidential case ${id} is past a time limit; sign in to see it.` }
      : {
          zh: `案件 ${id}（${ev.category}）${stage.zh}环节已超过时限${raised.zh}。`,
          en: `Case ${id} (${ev.category}) is past the time limit of its ${stage.en.toLowerCase()} stage${raised.en}.`,
        },
    at: now,
    path: `/console?case=${encodeURIComponent(ev.id)}`,
  };
}

export function toCaseState(e: GridEvent): CaseState {
  return {
    id: e.id,
    status: e.status,
    version: e.version,
    category: e.category,
    severity: e.severity,
    streetId: e.streetId,
    leadUnit: e.leadUnit,
    coUnits: e.coUnits,
    escalated: e.escalated,
    stageStartedAt: Date.parse(e.stageStartedAt),
    dueAt: e.dueAt === null ? null : Date.parse(e.dueAt),
    rating: e.rating,
    satisfaction: e.satisfaction,
    duplicateOf: e.duplicateOf,
    confidential: e.confidential,
    ladder: e.ladder,
    limitFactor: e.limitFactor,
  };
}

const change = (c: CaseState, breachFlag = false): CaseChange => ({
  status: c.status,
  leadUnit: c.leadUnit,
  coUnits: c.coUnits,
  escalated: c.escalated,
  stageStartedAt: c.stageStartedAt,
  dueAt: c.dueAt,
  rating: c.rating,
  satisfaction: c.satisfaction,
  duplicateOf: c.duplicateOf,
  confidential: c.confidential,
  ...(c.ladder !== null ? { ladder: c.ladder } : {}),
  breach: breachFlag,
});

/** who may see a report's personal data: the officers who handle cases (R6.1: by need) */
export const mayUnmask = (role: Principal['role']): boolean => role === 'district' || role === 'street' || role === 'unit';

/** most merged reports a case view lists */
export const MAX_DUPLICATES = 50;

export function createCaseService(deps: CaseServiceDeps) {
  const { store, tree, clock, data, logger } = deps;
  const units = new Map(data.units.map((u) => [u.id, u]));
  /** a committed change: streamed, then derived indicators told (with no I/O since the commit) */
  const changed = (before: GridEvent, after: GridEvent) => {
    try {
      if (after.confidential) {
        // just marked confidential: every screen that was sent it drops it (marking changes neither
        // its grid nor its units, so its rooms are the ones it was sent to); after that, nothing is streamed
        if (!before.confidential) deps.broadcaster.withdrawEvents([after]);
      } else {
        // units taken off the case (a return, another dispatch) are told once, so their screens drop it
        const now = new Set([after.leadUnit, ...after.coUnits]);
        const former = [before.leadUnit, ...before.coUnits].filter((u): u is string => u !== null && !now.has(u));
        deps.broadcaster.publishEvents([{ created: false, event: after }], former.length ? new Map([[after.id, former]]) : undefined);
      }
    } catch (err) {
      logger.error({ err }, 'broadcast after commit failed');
    }
    deps.changed?.(before, after);
  };

  /** the case, or a 404 that reads exactly like an unknown id when it lies outside the scope */
  async function load(p: Principal, id: string, ip: string, action: string): Promise<GridEvent> {
    const ev = await store.cases.getEvent(id);
    if (ev && !canSeeCase(tree, p, ev)) {
      await deps.audit({ actor: p.name, actorKind: p.kind, action, target: ev.id, outcome: 'denied', ip, detail: p.role === 'unit' ? 'not a case of this unit' : 'event outside scope' });
    }
    if (!ev || !canSeeCase(tree, p, ev)) throw notFound('event');
    return ev;
  }

  async function viewOf(p: Principal, event: GridEvent): Promise<CaseView> {
    const areaLevel = tree.level(p.areaId);
    const [timeline, merged] = await Promise.all([
      store.cases.timeline(event.id),
      // scoped in the query, so another street's merged reports never take this caller's places;
      // a unit never sees merged reports (rejected at intake, no unit works on them)
      p.role === 'unit' ? [] : store.cases.listEvents({ duplicateOf: event.id, limit: MAX_DUPLICATES, ...(areaLevel ? { areaId: p.areaId, areaLevel } : {}) }),
    ]);
    return {
      ...event,
      timeline,
      // a unit that just returned the case sees the result of its act, and may do nothing more
      allowedActions: allowedActions(toCaseState(event), p, canSeeCase(tree, p, event)),
      suggestedUnit: suggestUnit(data.responsibility, event.category, event.streetId),
      // a district officer may have merged a neighbouring street's report: a street sees only its own
      duplicates: merged.filter((d) => canSeeCase(tree, p, d)),
    };
  }

  return {
    units: data.units,

    async view(p: Principal, id: string, ip: string): Promise<CaseView> {
      return viewOf(p, await load(p, id, ip, 'GET /api/v1/events/:id'));
    },

    async transition(p: Principal, id: string, req: TransitionRequest, ip: string): Promise<CaseView> {
      const event = await load(p, id, ip, `case.${req.action}`);
      const r = applyTransition(toCaseState(event), req, p, { units, limits: data.timeLimits, now: clock.now(), inScope: (s) => (p.role === 'unit' ? tree.isWithin(s, p.areaId) : canSee(tree, p, s)) });
      if (!r.ok) {
        await deps.audit({ actor: p.name, actorKind: p.kind, action: `case.${req.action}`, target: id, outcome: 'denied', ip, detail: r.message });
        const status = { FORBIDDEN: 403, CONFLICT: 409, INVALID_TRANSITION: 422, VALIDATION: 400 } as const;
        throw new AppError(r.code === 'INVALID_TRANSITION' ? 'INVALID_TRANSITION' : r.code, status[r.code], r.message);
      }
      if (req.action === 'reject' && req.duplicateOf) {
        const original = await store.cases.getEvent(req.duplicateOf);
        if (!original || !canSeeCase(tree, p, original)) throw new AppError('VALIDATION', 400, `duplicateOf: no case ${req.duplicateOf} in your area`);
        if (original.status === 'rejected') {
          const root = original.duplicateOf ? `: merge it into ${original.duplicateOf}` : '';
          throw new AppError('VALIDATION', 400, `duplicateOf: case ${original.id} was itself rejected${root}`);
        }
        // a report merged into a confidential case is part of it: confidential too (its link would show the case)
        if (original.confidential) r.next.confidential = true;
      }
      const saved = await store.cases.changeCase(id, req.version, change(r.next), r.entry, clock.now());
      if (!saved) {
        throw new AppError('CONFLICT', 409, 'the case changed meanwhile; reload and try again');
      }
      changed(event, saved);
      if (saved.confidential && !event.confidential) await store.cases.unlinkRelated(id);
      await deps.audit({ actor: p.name, actorKind: p.kind, action: `case.${req.action}`, target: id, outcome: 'ok', ip, detail: `${r.entry.from}→${r.entry.to}` });
      return viewOf(p, saved);
    },

    /**
     * The report as posted, personal data unmasked, for an officer who handles cases in its scope
     * (district, street, the unit working on it — never a wall, nor the administrator). Every
     * unmasking is audited.
     */
    async personal(p: Principal, id: string, ip: string): Promise<{ title: string; description: string }> {
      const event = await load(p, id, ip, 'case.unmask');
      if (!mayUnmask(p.role)) {
        await deps.audit({ actor: p.name, actorKind: p.kind, action: 'case.unmask', target: id, outcome: 'denied', ip, detail: `a ${p.role} may not see personal data` });
        throw new AppError('FORBIDDEN', 403, `a ${p.role} may not see personal data`);
      }
      const full = event.masked ? await store.cases.personalData(id) : null;
      await deps.audit({ actor: p.name, actorKind: p.kind, action: 'case.unmask', target: id, outcome: 'ok', ip, detail: event.masked ? 'personal data shown' : 'nothing was masked' });
      return full ?? { title: event.title, description: event.description };
    },

    /** mark or unmark a case typical (典型): people in its scope who may act on cases; audited, streamed */
    async tag(p: Principal, id: string, req: CaseTagRequest, ip: string): Promise<CaseView> {
      const event = await load(p, id, ip, 'case.tag');
      if (!mayTag(p.role)) {
        await deps.audit({ actor: p.name, actorKind: p.kind, action: 'case.tag', target: id, outcome: 'denied', ip, detail: `a ${p.role} may not tag cases` });
        throw new AppError('FORBIDDEN', 403, `a ${p.role} may not tag cases`);
      }
      const now = clock.now();
      const [saved] = await store.cases.setTags(
        [{ id, tag: req.tag, on: req.on, entry: { at: new Date(now).toISOString(), actor: p.name, actorRole: p.role, action: 'tag', note: req.note ?? '', attachments: [], data: { tag: req.tag, on: req.on } } }],
        now,
      );
      if (saved) changed(event, saved);
      await deps.audit({ actor: p.name, actorKind: p.kind, action: 'case.tag', target: id, outcome: 'ok', ip, detail: `${req.tag} ${req.on ? 'on' : 'off'}${saved ? '' : ' (unchanged)'}` });
      return viewOf(p, saved ?? event);
    },

    /**
     * Mask the personal data of cases stored before masking existed, a batch at a time (the
     * maintenance round calls it until none is left); returns how many were checked.
     */
    async maskStored(batch = 500): Promise<number> {
      const rows = await store.cases.uncheckedForMasking(batch);
      if (!rows.length) return 0;
      await store.cases.saveMasking(rows.map((r) => ({ id: r.id, ...maskReport(r.title, r.description) })));
      const masked = rows.length;
      logger.info({ checked: masked }, 'personal data of stored cases masked');
      return masked;
    },

    /** mark every stage that is past due; returns how many were marked */
    async checkBreaches(): Promise<number> {
      const now = clock.now();
      let marked = 0;
      for (const ev of await store.cases.dueCases(now, 500)) {
        const b = breach(toCaseState(ev), now);
        const saved = await store.cases.changeCase(ev.id, ev.version, change(b.next, true), b.entry, now);
        if (!saved) continue; // an officer acted meanwhile: the next round looks again
        marked++;
        deps.metrics?.breach(ev.status);
        changed(ev, saved);
        deps.notifier?.notify(breachNotice(ev, now));
        await deps.audit({ actor: 'system', actorKind: 'system', action: 'case.breach', target: ev.id, outcome: 'ok', ip: '-', detail: `${ev.status} overdue${ev.escalated ? '' : '; raised to the district'}` });
      }
      if (marked) logger.info({ marked }, 'time-limit breaches marked');
      return marked;
    },
  };
}
export type CaseService = ReturnType<typeof createCaseService>;
