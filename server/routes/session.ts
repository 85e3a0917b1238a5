/**
 * @module server/routes/session
 * `GET|POST|DELETE /api/v1/session` (sign in and out with a password) and
 * `POST /api/v1/session/display` (enrol a wall screen with its display token).
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { DisplayEnrolRequest, LoginRequest, type SessionInfo } from '../../shared/index.ts';
import { AppError } from '../errors.ts';
import { clearSessionCookie, clientIp, requireSession, sameOrigin, SESSION_COOKIE, setSessionCookie, type SessionEnv } from '../middleware/session.ts';
import { AuthError, type AuthService } from '../services/auth.service.ts';
import { parseJsonBody } from './body.ts';

/** AuthError → HTTP answer */
export function toAppError(err: unknown, c: Context): never {
  if (!(err instanceof AuthError)) throw err;
  const status = { UNAUTHORIZED: 401, RATE_LIMITED: 429, VALIDATION: 400, CONFLICT: 409, NOT_FOUND: 404 } as const;
  if (err.code === 'RATE_LIMITED') c.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
  throw new AppError(err.code, status[err.code], err.message);
}

export function sessionRoutes(auth: AuthService, opts: { secureCookies: boolean }) {
  return new Hono<SessionEnv>()
    .use('/session', sameOrigin)
    .use('/session/*', sameOrigin)
    .get('/session', requireSession(auth), (c) => c.json(auth.info(c.var.principal) satisfies SessionInfo))
    .post('/session', async (c) => {
      const body = await parseJsonBody(c.req.raw, LoginRequest);
      const r = await auth.login(body.username, body.password, clientIp(c)).catch((e) => toAppError(e, c));
      setSessionCookie(c, r.secret, r.principal.expiresAt, opts.secureCookies);
      return c.json(auth.info(r.principal) satisfies SessionInfo);
    })
    .delete('/session', requireSession(auth), async (c) => {
      await auth.logout(c.var.principal, clientIp(c));
      clearSessionCookie(c, opts.secureCookies);
      return c.body(null, 204);
    })
    .post('/session/display', async (c) => {
      const body = await parseJsonBody(c.req.raw, DisplayEnrolRequest);
      // a person signed in in this browser is asked first: a link must not silently sign them out
      const current = await auth.authenticate(getCookie(c, SESSION_COOKIE));
      if (current?.kind === 'user' && body.replace !== true) {
        throw new AppError('SESSION_EXISTS', 409, `this browser is signed in as ${current.name}; confirm to make it a wall display instead`);
      }
      const r = await auth.enrolDisplay(body.token, clientIp(c)).catch((e) => toAppError(e, c));
      if (current) await auth.logout(current, clientIp(c), 'replaced by a display enrolment');
      setSessionCookie(c, r.secret, r.principal.expiresAt, opts.secureCookies);
      return c.json(auth.info(r.principal) satisfies SessionInfo);
    })
    .all('/session', (c) => {
      c.header('Allow', 'GET, POST, DELETE');
      throw new AppError('METHOD_NOT_ALLOWED', 405, `${c.req.method} is not allowed here; use GET, POST or DELETE`);
    });
}
