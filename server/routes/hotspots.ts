/**
 * @module server/routes/hotspots
 * Hotspots and problem tags (DOMAIN.md R5.5): `GET /api/v1/hotspots` (emerging hotspots and
 * recurring spots of an area, scoped like `GET /api/v1/events`) and `POST /api/v1/events/:id/tags`
 * (an officer marks a case typical, 典型).
 */
import { Hono } from 'hono';
import { CaseTagRequest, HotspotQuery, type CaseView, type HotspotsResponse } from '../../shared/index.ts';
import { AREA_ROLES, canSee } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { CaseService } from '../services/case.service.ts';
import type { HotspotService } from '../services/hotspot.service.ts';
import { parseJsonBody } from './body.ts';

export interface HotspotRouteDeps {
  auth: AuthService;
  cases: CaseService;
  hotspots: HotspotService;
  tree: AreaTree;
}

export function hotspotRoutes({ auth, cases, hotspots, tree }: HotspotRouteDeps) {
  return new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth))
    .get('/hotspots', requireRole(auth, ...AREA_ROLES), async (c) => {
      const q = HotspotQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const p = c.var.principal;
      const areaId = q.data.areaId ?? p.areaId;
      if (!canSee(tree, p, areaId)) {
        if (tree.get(areaId)) {
          await auth.audit({ actor: p.name, actorKind: p.kind, action: `GET ${c.req.path}`, target: areaId, outcome: 'denied', ip: clientIp(c), detail: 'area outside scope' });
        }
        throw notFound(`area ${areaId}`);
      }
      const r = await hotspots.forArea(areaId, q.data.window);
      return c.json({ areaId, window: q.data.window, ...r } satisfies HotspotsResponse);
    })
    .post('/events/:id/tags', async (c) => {
      const req = await parseJsonBody(c.req.raw, CaseTagRequest);
      return c.json(await cases.tag(c.var.principal, c.req.param('id'), req, clientIp(c)) satisfies CaseView);
    });
}
