/**
 * @module server/routes/notifications
 * Notification channels and the delivery log over HTTP (role admin), mounted at
 * `/api/v1/admin/notifications`: list, create, change and delete channels (URLs masked, secrets
 * never shown), send a test, read the delivery log and try a failed delivery again.
 */
import { Hono } from 'hono';
import { ChannelCreate, ChannelUpdate, DeliveryQuery, type ChannelList, type ChannelView, type DeliveryList, type DeliveryView } from '../../shared/index.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { NotifyService } from '../services/notify.service.ts';
import { parseJsonBody } from './body.ts';

/** a channel id is a UUID; anything else is simply not found */
const CHANNEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function notificationRoutes(auth: AuthService, notifications: NotifyService) {
  const by = (c: { var: { principal: { name: string; kind: 'user' | 'display' } } }, ip: string) => ({ actor: c.var.principal.name, actorKind: c.var.principal.kind, ip });
  const channelId = (raw: string) => {
    if (!CHANNEL_ID.test(raw)) throw notFound('channel');
    return raw;
  };
  const deliveryId = (raw: string) => {
    if (!/^[1-9]\d{0,14}$/.test(raw)) throw notFound('delivery');
    return Number(raw);
  };
  return new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth), requireRole(auth, 'admin'))
    .get('/channels', async (c) => c.json((await notifications.listChannels()) satisfies ChannelList))
    .post('/channels', async (c) => {
      const body = await parseJsonBody(c.req.raw, ChannelCreate);
      return c.json((await notifications.createChannel(by(c, clientIp(c)), body)) satisfies ChannelView, 201);
    })
    .patch('/channels/:id', async (c) => {
      const id = channelId(c.req.param('id'));
      const body = await parseJsonBody(c.req.raw, ChannelUpdate);
      return c.json((await notifications.updateChannel(by(c, clientIp(c)), id, body)) satisfies ChannelView);
    })
    .delete('/channels/:id', async (c) => {
      await notifications.deleteChannel(by(c, clientIp(c)), channelId(c.req.param('id')));
      return c.body(null, 204);
    })
    .post('/channels/:id/test', async (c) => c.json((await notifications.sendTest(by(c, clientIp(c)), channelId(c.req.param('id')))) satisfies DeliveryView, 202))
    .get('/deliveries', async (c) => {
      const q = DeliveryQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      return c.json((await notifications.listDeliveries(q.data)) satisfies DeliveryList);
    })
    .post('/deliveries/:id/retry', async (c) => c.json((await notifications.retryDelivery(by(c, clientIp(c)), deliveryId(c.req.param('id')))) satisfies DeliveryView, 202));
}
