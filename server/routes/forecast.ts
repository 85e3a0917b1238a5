/**
 * @module server/routes/forecast
 * `GET /api/v1/indicators/:id/forecast?areaId=&horizon=`: an indicator's forecast for an area,
 * scoped like `GET /api/v1/indicators` — an area outside the session's scope answers exactly like
 * an unknown one (404, and the attempt is audited). No forecast (a derived indicator, too little
 * or stale history) is a 200 with `points: []` and a `reason`, so a screen simply draws nothing.
 */
import { Hono } from 'hono';
import { ForecastQuery, type ForecastResponse } from '../../shared/index.ts';
import { AREA_ROLES, canSee, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { ForecastService } from '../services/forecast.service.ts';

export interface ForecastRouteDeps {
  tree: AreaTree;
  auth: AuthService;
  forecasts: ForecastService;
}

export function forecastRoutes(d: ForecastRouteDeps) {
  return new Hono<SessionEnv>()
    .use('/indicators/:id/forecast', requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES))
    .get('/indicators/:id/forecast', async (c) => {
      const q = ForecastQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const p: Principal = c.var.principal;
      const areaId = q.data.areaId ?? p.areaId;
      if (!canSee(d.tree, p, areaId)) {
        if (d.tree.get(areaId)) {
          await d.auth.audit({ actor: p.name, actorKind: p.kind, action: `GET ${c.req.path}`, target: areaId, outcome: 'denied', ip: clientIp(c), detail: 'area outside scope' });
        }
        throw notFound(`area ${areaId}`);
      }
      const id = c.req.param('id');
      if (id.length > 64) throw notFound('indicator');
      return c.json((await d.forecasts.forecast(id, areaId, q.data.horizon)) satisfies ForecastResponse);
    });
}
