/**
 * @module shared/schemas/notification
 * Notifications out (issue 9 §7): what services tell the notifier (a {@link Notice}), the
 * channels admins configure to send notices to (a signed JSON webhook, a WeCom 企业微信 group
 * robot, a DingTalk 钉钉 custom robot), and the delivery log of the outbox.
 */
import { z } from 'zod';
import { IsoDateTime, LocalisedText } from './common.ts';

/** What happened: an alarm raised, an alarm cleared, a case stage past its time limit, a task chased for being late. */
export const NoticeKind = z.enum(['alarm', 'alarm_cleared', 'breach', 'task']);
export type NoticeKind = z.infer<typeof NoticeKind>;
/** A delivery's kind: a notice's, or `test` for the test an admin sends from `/admin`. */
export const DeliveryKind = z.enum([...NoticeKind.options, 'test']);
export type DeliveryKind = z.infer<typeof DeliveryKind>;

export const NoticeSeverity = z.enum(['warn', 'alarm']);
export type NoticeSeverity = z.infer<typeof NoticeSeverity>;
export const NOTICE_SEVERITY_RANK: Record<NoticeSeverity, number> = { warn: 0, alarm: 1 };

/**
 * What a service tells the notifier. `key` deduplicates: a channel is sent one notice of a key
 * once, however often it is told (`alarm:<id>:raised`, `breach:<caseId>:<stage>:<since>`).
 */
export const Notice = z.object({
  key: z.string().min(1).max(200),
  kind: NoticeKind,
  severity: NoticeSeverity,
  /** a grid, street or district id: channels covering it or an area above it get the notice */
  areaId: z.string().min(1).max(64),
  title: LocalisedText,
  text: LocalisedText,
  /** epoch ms */
  at: z.number().int().nonnegative(),
  /** a link on the centre's own server, e.g. `/console?case=…` (made absolute with PUBLIC_URL) */
  path: z.string().regex(/^\/(?!\/)[^\s\\]*$/, 'must be a path on this server').max(500).optional(),
}).meta({ id: 'Notice', description: 'Something a service tells the notifier: an alarm raised or cleared, or a time-limit breach.' });
export type Notice = z.infer<typeof Notice>;

export const ChannelKind = z.enum(['webhook', 'wecom', 'dingtalk']);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** why a URL is not one a channel may post to, or null */
export function channelUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http: or https: URL';
  if (!u.hostname) return 'must name a host';
  if (u.username || u.password) return 'must not carry a user name or password (put a key in the query, or use the secret)';
  if (u.hash) return 'must not carry a #fragment';
  return null;
}

/** Where a channel posts: http or https, with a host, no credentials, at most 2000 characters. */
export const ChannelUrl = z
  .string()
  .trim()
  .max(2000)
  .superRefine((v, ctx) => {
    const problem = channelUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const ChannelName = z.string().trim().min(1).max(64);
/** the HMAC key of a webhook, or a DingTalk robot's 加签 secret (`SEC…`) */
const Secret = z.string().min(8, 'must be at least 8 characters').max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const Kinds = z
  .array(NoticeKind)
  .min(1)
  .max(NoticeKind.options.length)
  .refine((k) => new Set(k).size === k.length, 'must not repeat a kind');

const channelFields = {
  name: ChannelName,
  kind: ChannelKind,
  url: ChannelUrl,
  secret: Secret.optional(),
  /** notices of this area and everything below it */
  areaId: z.string().min(1).max(64),
  minSeverity: NoticeSeverity.default('warn'),
  kinds: Kinds.default([...NoticeKind.options]),
  enabled: z.boolean().default(true),
};

/** a generic webhook is always signed: it needs its secret */
const webhookHasSecret = (c: { kind?: ChannelKind | undefined; secret?: string | null | undefined }) => c.kind !== 'webhook' || (c.secret !== undefined && c.secret !== null);

/** `POST /api/v1/admin/notifications/channels` */
export const ChannelCreate = z
  .strictObject(channelFields)
  .refine(webhookHasSecret, { path: ['secret'], message: 'a webhook channel signs what it sends: give it a secret' })
  .meta({ id: 'ChannelCreate', description: 'A new notification channel. The secret is the HMAC key of a webhook (required) or a DingTalk robot’s 加签 secret (optional; WeCom needs none: its key is in the URL).' });
export type ChannelCreate = z.infer<typeof ChannelCreate>;

/**
 * `PATCH /api/v1/admin/notifications/channels/:id`: the fields to change. Leave out `url` and
 * `secret` to keep them (they are never shown in full); `secret: null` removes it.
 */
export const ChannelUpdate = z
  .strictObject({
    name: ChannelName.optional(),
    url: ChannelUrl.optional(),
    secret: Secret.nullable().optional(),
    areaId: z.string().min(1).max(64).optional(),
    minSeverity: NoticeSeverity.optional(),
    kinds: Kinds.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'ChannelUpdate', description: 'The fields of a channel to change; leave out `url` and `secret` to keep them, `secret: null` removes the secret.' });
export type ChannelUpdate = z.infer<typeof ChannelUpdate>;

/** A channel as the server shows it: the URL's query values and long path parts masked, the secret never. */
export const ChannelView = z.object({
  id: z.string(),
  name: z.string(),
  kind: ChannelKind,
  /** masked: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=•••• a1b2` */
  url: z.string(),
  /** whether a secret is set (it is never shown) */
  hasSecret: z.boolean(),
  areaId: z.string(),
  minSeverity: NoticeSeverity,
  kinds: z.array(NoticeKind),
  enabled: z.boolean(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
}).meta({ id: 'ChannelView', description: 'A notification channel as the server shows it: its URL masked, its secret never.' });
export type ChannelView = z.infer<typeof ChannelView>;
export const ChannelList = z.array(ChannelView).meta({ id: 'ChannelList' });
export type ChannelList = z.infer<typeof ChannelList>;

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One row of the delivery log (the outbox). */
export const DeliveryView = z.object({
  id: z.number().int(),
  /** null once the channel is deleted (its name stays) */
  channelId: z.string().nullable(),
  channelName: z.string(),
  noticeKey: z.string(),
  kind: DeliveryKind,
  severity: NoticeSeverity,
  title: LocalisedText,
  status: DeliveryStatus,
  attempts: z.number().int().nonnegative(),
  /** when the next attempt is due (pending deliveries) */
  nextAttemptAt: IsoDateTime.nullable(),
  /** why the last attempt failed, if it did */
  lastError: z.string().nullable(),
  /** the HTTP status of the last answer, if there was one */
  lastStatus: z.number().int().nullable(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  deliveredAt: IsoDateTime.nullable(),
}).meta({ id: 'DeliveryView', description: 'One delivery of a notice to a channel: pending (with its next attempt), delivered, or failed.' });
export type DeliveryView = z.infer<typeof DeliveryView>;
export const DeliveryList = z.array(DeliveryView).meta({ id: 'DeliveryList', description: 'Deliveries, newest first.' });
export type DeliveryList = z.infer<typeof DeliveryList>;

/** Query of `GET /api/v1/admin/notifications/deliveries`. */
export const DeliveryQuery = z.strictObject({
  status: DeliveryStatus.optional().meta({ description: 'only deliveries of this status' }),
  channelId: z.string().min(1).max(64).optional().meta({ description: 'only deliveries to this channel' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200).meta({ description: 'at most this many, newest first' }),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuery>;
