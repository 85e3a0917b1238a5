/**
 * @module server/routes/displays
 * Wall displays' scenes over HTTP: `GET|PUT /api/v1/admin/displays/:id/config` (administrators:
 * the playlist and layout, validated, audited, pushed live to the display), and for officers
 * `GET /api/v1/displays` (the displays within their scope, with their rotation's pause) and
 * `POST /api/v1/displays/:id/rotation` (pause or resume; a display outside the caller's scope
 * answers 404 like an unknown one).
 */
import { Hono } from 'hono';
import { DisplayConfigSave, RotationRequest, type DisplayConfig, type DisplayConfigList } from '../../shared/index.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { DisplayConfigService } from '../services/display-config.service.ts';
import { parseJsonBody } from './body.ts';

export function displayRoutes(auth: AuthService, displays: DisplayConfigService) {
  const admin = new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth), requireRole(auth, 'admin'))
    .get('/displays/:id/config', async (c) => c.json((await displays.get(c.req.param('id'))) satisfies DisplayConfig))
    .put('/displays/:id/config', async (c) => {
      const body = await parseJsonBody(c.req.raw, DisplayConfigSave);
      const p = c.var.principal;
      return c.json((await displays.save({ actor: p.name, actorKind: p.kind, ip: clientIp(c) }, c.req.param('id'), body)) satisfies DisplayConfig);
    });

  const officers = new Hono<SessionEnv>()
    .use('/displays', sameOrigin, requireSession(auth), requireRole(auth, 'admin', 'district', 'street'))
    .use('/displays/*', sameOrigin, requireSession(auth), requireRole(auth, 'admin', 'district', 'street'))
    .get('/displays', async (c) => c.json((await displays.listFor(c.var.principal)) satisfies DisplayConfigList))
    .post('/displays/:id/rotation', async (c) => {
      const body = await parseJsonBody(c.req.raw, RotationRequest);
      return c.json((await displays.rotation(c.var.principal, clientIp(c), c.req.param('id'), body)) satisfies DisplayConfig);
    });

  return { admin, officers };
}
