/**
 * @module server/routes/resources
 * The emergency resource registry: `GET /api/v1/resources` (areas' roles; a wall without contacts)
 * and `PUT /api/v1/admin/resources` (the administrator imports the whole registry as GeoJSON).
 */
import { Hono } from 'hono';
import { ResourceImport, type ResourceList } from '../../shared/index.ts';
import { AREA_ROLES } from '../domain/access.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { ResourceService } from '../services/resource.service.ts';
import { parseJsonBody } from './body.ts';

export function resourceRoutes(d: { auth: AuthService; resources: ResourceService }) {
  return new Hono<SessionEnv>()
    .get('/resources', sameOrigin, requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES), async (c) => c.json({ resources: await d.resources.list(c.var.principal) } satisfies ResourceList))
    .put('/admin/resources', sameOrigin, requireSession(d.auth), requireRole(d.auth, 'admin'), async (c) => {
      const body = await parseJsonBody(c.req.raw, ResourceImport);
      return c.json({ resources: await d.resources.import(c.var.principal, body, clientIp(c)) } satisfies ResourceList);
    });
}
