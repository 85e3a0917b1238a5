/**
 * @module server/routes/alarms
 * Alarms over HTTP: `GET /api/v1/alarms` and `/alarms/:id` (scoped like cases: a street sees the
 * alarms of its street and grids), `POST /alarms/:id/ack` and `/alarms/:id/case` (officers), and
 * the rule set: `GET|PUT /api/v1/admin/rules` (administrators; every save audited and applied live).
 */
import { Hono, type Context } from 'hono';
import {
  AlarmAckRequest,
  AlarmCaseRequest,
  AlarmQuery,
  AlarmRulesSave,
  type Alarm,
  type AlarmRule,
  type AlarmRuleSet,
  type AlarmsResponse,
  type AlarmView,
  type CaseView,
} from '../../shared/index.ts';
import { AREA_ROLES, canSee } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AlarmService } from '../services/alarm.service.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { CaseService } from '../services/case.service.ts';
import { parseJsonBody } from './body.ts';

export interface AlarmRouteDeps {
  auth: AuthService;
  alarms: AlarmService;
  cases: CaseService;
  tree: AreaTree;
}

/** A one-line account of what a rule-set save changed, for the audit trail. */
export function ruleDiff(before: readonly AlarmRule[], after: readonly AlarmRule[]): string {
  const old = new Map(before.map((r) => [r.id, JSON.stringify(r)]));
  const now = new Map(after.map((r) => [r.id, JSON.stringify(r)]));
  const added = [...now.keys()].filter((id) => !old.has(id));
  const removed = [...old.keys()].filter((id) => !now.has(id));
  const changed = [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id));
  const part = (label: string, ids: string[]) => (ids.length ? `${label} ${ids.join(', ')}` : '');
  return [part('added', added), part('changed', changed), part('removed', removed)].filter(Boolean).join('; ') || 'no change';
}

export function alarmRoutes({ auth, alarms, cases, tree }: AlarmRouteDeps) {
  /** the alarm, if the caller may see it; else a 404 like one that does not exist (audited) */
  async function visible(c: Context<SessionEnv>): Promise<Alarm> {
    const p = c.var.principal;
    const id = c.req.param('id') ?? '';
    const a = id.length <= 64 ? await alarms.view(id) : null;
    if (!a) throw notFound(`alarm ${id}`);
    if (!canSee(tree, p, a.areaId)) {
      await auth.audit({ actor: p.name, actorKind: p.kind, action: `${c.req.method} /api/v1/alarms/:id`, target: id, outcome: 'denied', ip: clientIp(c), detail: 'alarm outside scope' });
      throw notFound(`alarm ${id}`);
    }
    return a;
  }

  const officers = new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth))
    .get('/alarms', requireRole(auth, ...AREA_ROLES), async (c) => {
      const q = AlarmQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const p = c.var.principal;
      const areaId = q.data.areaId ?? p.areaId;
      if (!canSee(tree, p, areaId)) throw notFound(`area ${areaId}`);
      const r = await alarms.list({ area: { id: areaId, level: tree.level(areaId)! }, status: q.data.status, limit: q.data.limit });
      return c.json(r satisfies AlarmsResponse);
    })
    .get('/alarms/:id', requireRole(auth, ...AREA_ROLES), async (c) => c.json((await visible(c)) as AlarmView))
    .post('/alarms/:id/ack', requireRole(auth, 'district', 'street'), async (c) => {
      const a = await visible(c);
      const req = await parseJsonBody(c.req.raw, AlarmAckRequest);
      const p = c.var.principal;
      const r = await alarms.acknowledge(a, req.version, req.note, p.name);
      await auth.audit({ actor: p.name, actorKind: p.kind, action: 'alarm.ack', target: a.id, outcome: 'ok', ip: clientIp(c), detail: `${a.ruleId} ${a.areaId}${req.note ? `: ${req.note}` : ''}` });
      return c.json(r satisfies Alarm);
    })
    .post('/alarms/:id/case', requireRole(auth, 'district', 'street'), async (c) => {
      const a = await visible(c);
      const req = await parseJsonBody(c.req.raw, AlarmCaseRequest);
      const p = c.var.principal;
      const r = await alarms.openCase(a, p.name, req.note);
      await auth.audit({ actor: p.name, actorKind: p.kind, action: 'alarm.case', target: a.id, outcome: 'ok', ip: clientIp(c), detail: `case ${r.event.id}` });
      const view = await cases.view(p, r.event.id, clientIp(c));
      return c.json({ alarm: r.alarm, case: view } satisfies { alarm: Alarm; case: CaseView }, 201);
    });

  const admin = new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth), requireRole(auth, 'admin'))
    .get('/rules', (c) => c.json(alarms.ruleSet() satisfies AlarmRuleSet))
    .put('/rules', async (c) => {
      const req = await parseJsonBody(c.req.raw, AlarmRulesSave);
      const p = c.var.principal;
      const before = alarms.ruleSet().rules;
      try {
        const saved = await alarms.saveRules(req.version, req.rules, p.name);
        await auth.audit({ actor: p.name, actorKind: p.kind, action: 'rules.save', target: `v${saved.version}`, outcome: 'ok', ip: clientIp(c), detail: ruleDiff(before, saved.rules) });
        return c.json(saved satisfies AlarmRuleSet);
      } catch (err) {
        if (err instanceof AppError) await auth.audit({ actor: p.name, actorKind: p.kind, action: 'rules.save', target: `v${req.version}`, outcome: 'failed', ip: clientIp(c), detail: err.message });
        throw err;
      }
    });

  return { officers, admin };
}
