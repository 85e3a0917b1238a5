/**
 * @module server/routes/emergency
 * 平战结合: `GET /api/v1/emergency` (the mode of an area), `POST /api/v1/emergency` (start an
 * incident), `POST /api/v1/emergency/end` (end the incident of an area), `GET /api/v1/emergency/archive`,
 * `GET /api/v1/emergency/:id`, `POST /api/v1/emergency/:id/log` (a release or a change) and
 * `POST /api/v1/emergency/:id/end`. Areas' roles only: a unit has no area to be at war.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { EmergencyEnd, EmergencyStart, IncidentUpdate, type EmergencyState, type Incident } from '../../shared/index.ts';
import { AREA_ROLES } from '../domain/access.ts';
import { AppError, issuesOf } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { EmergencyService } from '../services/emergency.service.ts';
import { parseJsonBody } from './body.ts';

const AreaQuery = z.strictObject({ areaId: z.string().min(1).max(64).optional() });
const EndOfArea = EmergencyEnd.extend({ areaId: z.string().min(1).max(64).optional() });

export function emergencyRoutes(d: { auth: AuthService; emergency: EmergencyService }) {
  const guard = [sameOrigin, requireSession(d.auth), requireRole(d.auth, ...AREA_ROLES)] as const;
  return new Hono<SessionEnv>()
    .use('/emergency', ...guard)
    .use('/emergency/*', ...guard)
    .get('/emergency', async (c) => {
      const q = AreaQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      return c.json((await d.emergency.state(c.var.principal, q.data.areaId)) satisfies EmergencyState);
    })
    .post('/emergency', async (c) => {
      const body = await parseJsonBody(c.req.raw, EmergencyStart);
      return c.json((await d.emergency.start(c.var.principal, body, clientIp(c))) satisfies Incident, 201);
    })
    .get('/emergency/archive', async (c) => c.json({ incidents: await d.emergency.archive(c.var.principal) }))
    .get('/emergency/running', async (c) => c.json({ incidents: await d.emergency.running(c.var.principal) }))
    .post('/emergency/end', async (c) => {
      const body = await parseJsonBody(c.req.raw, EndOfArea);
      const p = c.var.principal;
      const state = await d.emergency.state(p, body.areaId);
      const areaId = body.areaId ?? p.areaId;
      // only the incident of the area itself ends here (the district's is ended by the district)
      if (state.mode !== 'war' || state.incident.areaId !== areaId) throw new AppError('NOT_FOUND', 404, `${areaId} runs no incident of its own`);
      return c.json((await d.emergency.end(p, state.incident.id, { version: body.version, summary: body.summary }, clientIp(c))) satisfies Incident);
    })
    .get('/emergency/:id', async (c) => c.json((await d.emergency.get(c.var.principal, c.req.param('id'))) satisfies Incident))
    .post('/emergency/:id/log', async (c) => {
      const body = await parseJsonBody(c.req.raw, IncidentUpdate);
      return c.json((await d.emergency.update(c.var.principal, c.req.param('id'), body, clientIp(c))) satisfies Incident);
    })
    .post('/emergency/:id/end', async (c) => {
      const body = await parseJsonBody(c.req.raw, EmergencyEnd);
      return c.json((await d.emergency.end(c.var.principal, c.req.param('id'), body, clientIp(c))) satisfies Incident);
    });
}
