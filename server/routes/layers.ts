/**
 * @module server/routes/layers
 * 路长制 roads and key areas (DOMAIN.md R1.8, R1.9): `GET /api/v1/roads` and `/key-areas` answer
 * GeoJSON scoped to the caller's area (a 路长's phone masked); the administrator exports
 * (`GET /api/v1/admin/roads`, `/admin/key-areas`, the phone whole) and imports a whole layer
 * (`PUT` of the same with `?version=` the version exported: 409 when it moved on).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { BuildingQuery, type BuildingCollection, type KeyAreaCollection, type LayerSaved, type RoadCollection } from '../../shared/index.ts';
import { AREA_ROLES } from '../domain/access.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { LayerKind, LayerService } from '../services/layer.service.ts';
import { parseJsonBody } from './body.ts';

const ImportQuery = z.strictObject({ version: z.string().regex(/^\d{1,9}$/, 'a version number').transform(Number) });

export function layerRoutes(d: { auth: AuthService; layers: LayerService }) {
  const admin = [sameOrigin, requireSession(d.auth), requireRole(d.auth, 'admin')] as const;
  const put = (kind: LayerKind) => async (c: Context<SessionEnv>) => {
    const q = ImportQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('VALIDATION', 400, 'version: the version of the layer the import replaces (as exported) is required', issuesOf(q.error));
    const body = await parseJsonBody(c.req.raw, z.unknown());
    return c.json(await d.layers.importLayer(kind, body, q.data.version, c.var.principal, clientIp(c)) satisfies LayerSaved);
  };
  return new Hono<SessionEnv>()
    .get('/roads', sameOrigin, requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES), (c) => c.json(d.layers.roadsFor(c.var.principal) satisfies RoadCollection))
    .get('/key-areas', sameOrigin, requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES), (c) => c.json(d.layers.keyAreasFor(c.var.principal) satisfies KeyAreaCollection))
    .get('/buildings', sameOrigin, requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES), (c) => {
      const q = BuildingQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'gridId: the grid whose buildings to list is required', issuesOf(q.error));
      const found = d.layers.buildingsOf(c.var.principal, q.data.gridId);
      if (!found) throw notFound(`grid ${q.data.gridId}`);
      return c.json(found satisfies BuildingCollection);
    })
    .get('/admin/roads', ...admin, (c) => c.json(d.layers.exportLayer('roads')))
    .get('/admin/buildings', ...admin, (c) => c.json(d.layers.exportLayer('buildings')))
    .put('/admin/buildings', ...admin, put('buildings'))
    .get('/admin/key-areas', ...admin, (c) => c.json(d.layers.exportLayer('key_areas')))
    .put('/admin/roads', ...admin, put('roads'))
    .put('/admin/key-areas', ...admin, put('key_areas'));
}
