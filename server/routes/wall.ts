/**
 * @module server/routes/wall
 * A wall screen that recovers by itself: `POST /api/v1/wall/reports` (a wall page says it reloads
 * itself, and why; any signed-in session, rate-limited, attributed to the session's display) and
 * `GET /api/v1/admin/displays/status` (admins: each display's last-seen time, build and reloads).
 */
import { Hono } from 'hono';
import { WallReport, type DisplayStatusList, type WallReportAccepted } from '../../shared/index.ts';
import { AppError } from '../errors.ts';
import { requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { WallStatusService } from '../services/wall-status.service.ts';
import { parseJsonBody } from './body.ts';

export function wallRoutes(deps: { auth: AuthService; walls: WallStatusService }) {
  const { auth, walls } = deps;
  const pages = new Hono<SessionEnv>()
    .use('/wall/*', sameOrigin, requireSession(auth))
    .post('/wall/reports', async (c) => {
      let report: WallReport;
      try {
        report = await parseJsonBody(c.req.raw, WallReport, 'the report was refused: fix the fields listed in issues');
      } catch (err) {
        walls.invalid();
        throw err;
      }
      const r = await walls.report(c.var.principal, report);
      if (!r.ok) {
        const sec = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
        c.header('Retry-After', String(sec));
        throw new AppError('RATE_LIMITED', 429, `too many reports from this session; try again in ${sec} s`);
      }
      return c.json({ accepted: true, displayId: r.displayId } satisfies WallReportAccepted, 202);
    });
  const admin = new Hono<SessionEnv>()
    .use('/displays/status', sameOrigin, requireSession(auth), requireRole(auth, 'admin'))
    .get('/displays/status', async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json((await walls.list()) satisfies DisplayStatusList);
    });
  return { pages, admin };
}
