/**
 * @module server/routes/admin
 * Administration over HTTP (role admin): users, display tokens, the audit trail and its CSV export.
 */
import { Hono, type Context } from 'hono';
import {
  AuditQuery,
  DisplayTokenCreate,
  PasswordReset,
  UserCreate,
  type AuditEntry,
  type AuditList,
  type DisplayCreated,
  type DisplayTokenList,
  type DisplayTokenView,
  type UserList,
  type UserView,
} from '../../shared/index.ts';
import { AppError, issuesOf } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import { publicOrigin } from '../middleware/network.ts';
import type { Store } from '../ports.ts';
import { displayView, userView, type AuthService } from '../services/auth.service.ts';
import { parseJsonBody } from './body.ts';
import { csvDocument } from './csv.ts';
import { toAppError } from './session.ts';

export function auditCsv(rows: AuditEntry[]): string {
  const cols = ['id', 'at', 'actor', 'actorKind', 'action', 'target', 'outcome', 'ip', 'detail', 'count'] as const;
  return csvDocument([...cols], rows.map((r) => cols.map((k) => r[k])));
}

export function adminRoutes(auth: AuthService, store: Pick<Store, 'identities' | 'audit'>) {
  /** the enrolment link, at the address people use (PUBLIC_URL), else the one this request came to */
  const enrolUrl = (c: Context, token: string) => `${publicOrigin(c)}/?display=${encodeURIComponent(token)}`;
  const by = (c: { var: { principal: { name: string; kind: 'user' | 'display' } } }, ip: string) => ({ actor: c.var.principal.name, actorKind: c.var.principal.kind, ip });
  const auditQuery = (q: Record<string, string>) => {
    const r = AuditQuery.safeParse(q);
    if (!r.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(r.error));
    return { limit: r.data.limit, ...(r.data.from ? { from: Date.parse(r.data.from) } : {}), ...(r.data.to ? { to: Date.parse(r.data.to) } : {}) };
  };
  return new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth), requireRole(auth, 'admin'))
    .get('/users', async (c) => c.json((await store.identities.listUsers()).map(userView) satisfies UserList))
    .post('/users', async (c) => {
      const body = await parseJsonBody(c.req.raw, UserCreate);
      const u = await auth.createUser(by(c, clientIp(c)), body).catch((e) => toAppError(e, c));
      return c.json(userView(u) satisfies UserView, 201);
    })
    .post('/users/:id/disable', async (c) => c.json(userView(await auth.setUserDisabled(by(c, clientIp(c)), c.req.param('id'), true).catch((e) => toAppError(e, c))) satisfies UserView))
    .post('/users/:id/enable', async (c) => c.json(userView(await auth.setUserDisabled(by(c, clientIp(c)), c.req.param('id'), false).catch((e) => toAppError(e, c))) satisfies UserView))
    .post('/users/:id/password', async (c) => {
      const body = await parseJsonBody(c.req.raw, PasswordReset);
      await auth.resetPassword(by(c, clientIp(c)), c.req.param('id'), body.password).catch((e) => toAppError(e, c));
      return c.body(null, 204);
    })
    .get('/displays', async (c) => c.json((await store.identities.listDisplayTokens()).map(displayView) satisfies DisplayTokenList))
    .post('/displays', async (c) => {
      const body = await parseJsonBody(c.req.raw, DisplayTokenCreate);
      const r = await auth.createDisplay(by(c, clientIp(c)), body.name, body.areaId).catch((e) => toAppError(e, c));
      return c.json({ display: displayView(r.display), token: r.token, enrolUrl: enrolUrl(c, r.token) } satisfies DisplayCreated, 201);
    })
    .post('/displays/:id/link', async (c) => {
      const r = await auth.reissueDisplay(by(c, clientIp(c)), c.req.param('id')).catch((e) => toAppError(e, c));
      return c.json({ display: displayView(r.display), token: r.token, enrolUrl: enrolUrl(c, r.token) } satisfies DisplayCreated, 201);
    })
    .post('/displays/:id/revoke', async (c) => c.json(displayView(await auth.revokeDisplay(by(c, clientIp(c)), c.req.param('id')).catch((e) => toAppError(e, c))) satisfies DisplayTokenView))
    .get('/audit', async (c) => c.json((await store.audit.listAudit(auditQuery(c.req.query()))) satisfies AuditList))
    .get('/audit.csv', async (c) => {
      const rows = await store.audit.listAudit({ ...auditQuery(c.req.query()), limit: 100_000 });
      await auth.audit({ ...by(c, clientIp(c)), action: 'audit.export', outcome: 'ok', detail: `${rows.length} rows` });
      // a byte-order mark so spreadsheet programs read the Chinese as UTF-8
      return c.body(`\uFEFF${auditCsv(rows)}`, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="onescreen-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      });
    });
}
