/**
 * @module server/routes/cases
 * The closed loop over HTTP: `GET /api/v1/events/:id` (the case with its timeline and what the
 * caller may do), `POST /api/v1/events/:id/transitions`, and `GET /api/v1/units`.
 */
import { Hono } from 'hono';
import { TransitionRequest } from '../../shared/index.ts';
import { clientIp, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { CaseService } from '../services/case.service.ts';
import { parseJsonBody } from './body.ts';

export function caseRoutes(auth: AuthService, cases: CaseService) {
  return new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth))
    .get('/units', (c) => c.json(cases.units))
    .get('/events/:id', async (c) => {
      const v = await cases.view(c.var.principal, c.req.param('id'), clientIp(c));
      return c.json({ ...v.event, timeline: v.timeline, allowedActions: v.allowedActions, suggestedUnit: v.suggestedUnit });
    })
    .post('/events/:id/transitions', async (c) => {
      const req = await parseJsonBody(c.req.raw, TransitionRequest);
      const v = await cases.transition(c.var.principal, c.req.param('id'), req, clientIp(c));
      return c.json({ ...v.event, timeline: v.timeline, allowedActions: v.allowedActions, suggestedUnit: v.suggestedUnit });
    });
}
