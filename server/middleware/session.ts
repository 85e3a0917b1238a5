/**
 * @module server/middleware/session
 * Session cookies for people and wall displays: who is calling, and may they.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes, routePath } from 'hono/route';
import type { Role } from '../../shared/index.ts';
import type { Principal } from '../domain/access.ts';
import { AppError } from '../errors.ts';
import { clientIp } from './network.ts';
import type { AuthService } from '../services/auth.service.ts';

export const SESSION_COOKIE = 'onescreen_session';

export type SessionEnv = { Variables: { principal: Principal } };

export { clientIp, sameOrigin } from './network.ts';

export function setSessionCookie(c: Context, secret: string, expiresAt: number, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'Strict', path: '/', secure, expires: new Date(expiresAt) });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure, httpOnly: true, sameSite: 'Strict' });
}

/** 401 unless the request carries a live session */
export function requireSession(auth: AuthService) {
  return createMiddleware<SessionEnv>(async function requireSession(c, next) {
    // SameSite=Strict still sends the cookie from a sibling site (another *.gov.cn page): a
    // request the browser marks as from another site reads and exports nothing either
    const site = c.req.header('sec-fetch-site');
    if (site === 'same-site' || site === 'cross-site') throw new AppError('FORBIDDEN', 403, 'cross-origin request refused');
    const p = await auth.authenticate(getCookie(c, SESSION_COOKIE));
    if (!p) throw new AppError('UNAUTHORIZED', 401, 'sign in first');
    c.set('principal', p);
    await next();
  });
}

/** the pattern of the route a request matched (`/api/v1/events/:id`), or of this middleware when no route did */
const routeOf = (c: Context) => matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? routePath(c);

/** 403 (and an audit entry) unless the session's role is one of `roles` */
export function requireRole(auth: AuthService, ...roles: Role[]) {
  return createMiddleware<SessionEnv>(async function requireRole(c, next) {
    const p = c.var.principal;
    if (!roles.includes(p.role)) {
      // the route's pattern, not the path asked for: a caller must not be able to vary the row
      await auth.audit({ actor: p.name, actorKind: p.kind, action: `${c.req.method} ${routeOf(c)}`, outcome: 'denied', ip: clientIp(c), detail: `role ${p.role}` });
      throw new AppError('FORBIDDEN', 403, 'your role may not do this');
    }
    await next();
  });
}
