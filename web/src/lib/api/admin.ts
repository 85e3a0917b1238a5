/**
 * @module web/api/admin
 * The admin API (role admin): users, display tokens, the audit trail and the alarm rules. Answers are checked
 * with the shared schemas.
 */
import { z } from 'zod';
import {
  AlarmRuleSet,
  AuditEntry,
  ChannelView,
  DeliveryView,
  DisplayCreated,
  DisplayTokenView,
  UserView,
  type ChannelCreate,
  type ChannelUpdate,
  type DeliveryStatus,
  type AlarmRulesSave,
  type DisplayTokenCreate,
  type ValidationIssue,
  type UserCreate,
} from '../../../../shared/index.ts';
import { getJson, HttpError, sendJson, validItems } from './http.ts';

export { DisplayCreated } from '../../../../shared/index.ts';

function parse<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${what}: ${r.error.issues[0]?.message ?? 'invalid answer'}`);
  return r.data;
}

const id = (s: string) => encodeURIComponent(s);

export async function listUsers(signal?: AbortSignal): Promise<UserView[]> {
  return validItems(UserView, await getJson('/api/v1/admin/users', signal), 'user');
}

export async function createUser(body: UserCreate): Promise<UserView> {
  return parse(UserView, await sendJson('POST', '/api/v1/admin/users', body), 'user');
}

export async function setUserDisabled(userId: string, disabled: boolean): Promise<UserView> {
  return parse(UserView, await sendJson('POST', `/api/v1/admin/users/${id(userId)}/${disabled ? 'disable' : 'enable'}`), 'user');
}

export async function resetPassword(userId: string, password: string): Promise<void> {
  await sendJson('POST', `/api/v1/admin/users/${id(userId)}/password`, { password });
}

export async function listDisplays(signal?: AbortSignal): Promise<DisplayTokenView[]> {
  return validItems(DisplayTokenView, await getJson('/api/v1/admin/displays', signal), 'display');
}

export async function createDisplay(body: z.input<typeof DisplayTokenCreate>): Promise<DisplayCreated> {
  return parse(DisplayCreated, await sendJson('POST', '/api/v1/admin/displays', body), 'display');
}

/** a new enrolment link for a display (its old link stops working) */
export async function relinkDisplay(displayId: string): Promise<DisplayCreated> {
  return parse(DisplayCreated, await sendJson('POST', `/api/v1/admin/displays/${id(displayId)}/link`), 'display');
}

export async function revokeDisplay(displayId: string): Promise<DisplayTokenView> {
  return parse(DisplayTokenView, await sendJson('POST', `/api/v1/admin/displays/${id(displayId)}/revoke`), 'display');
}

export interface AuditRange {
  /** ISO instants; either may be missing */
  from?: string | null;
  to?: string | null;
}

function auditQuery(r: AuditRange, limit?: number): string {
  const q = new URLSearchParams();
  if (r.from) q.set('from', r.from);
  if (r.to) q.set('to', r.to);
  if (limit !== undefined) q.set('limit', String(limit));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Audit entries in a time range, newest first. */
export async function listAudit(r: AuditRange, limit = 500, signal?: AbortSignal): Promise<AuditEntry[]> {
  return validItems(AuditEntry, await getJson(`/api/v1/admin/audit${auditQuery(r, limit)}`, signal), 'audit entry');
}

/** The address of the CSV export of a time range (a plain link: the browser downloads it). */
export function auditCsvHref(r: AuditRange): string {
  return `/api/v1/admin/audit.csv${auditQuery(r)}`;
}

// ---- notifications out ---------------------------------------------------------------------------

const NOTIFY = '/api/v1/admin/notifications';

/** Every notification channel (URLs masked, secrets never shown). */
export async function listChannels(signal?: AbortSignal): Promise<ChannelView[]> {
  return validItems(ChannelView, await getJson(`${NOTIFY}/channels`, signal), 'channel');
}

export async function createChannel(body: z.input<typeof ChannelCreate>): Promise<ChannelView> {
  return parse(ChannelView, await sendJson('POST', `${NOTIFY}/channels`, body), 'channel');
}

/** change the fields given; leave out `url` and `secret` to keep them */
export async function updateChannel(channelId: string, body: ChannelUpdate): Promise<ChannelView> {
  return parse(ChannelView, await sendJson('PATCH', `${NOTIFY}/channels/${id(channelId)}`, body), 'channel');
}

export async function deleteChannel(channelId: string): Promise<void> {
  await sendJson('DELETE', `${NOTIFY}/channels/${id(channelId)}`);
}

/** queue a test notice to the channel; its delivery shows in the log */
export async function testChannel(channelId: string): Promise<DeliveryView> {
  return parse(DeliveryView, await sendJson('POST', `${NOTIFY}/channels/${id(channelId)}/test`), 'delivery');
}

/** the delivery log, newest first */
export async function listDeliveries(q: { status?: DeliveryStatus; limit?: number } = {}, signal?: AbortSignal): Promise<DeliveryView[]> {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  p.set('limit', String(q.limit ?? 200));
  return validItems(DeliveryView, await getJson(`${NOTIFY}/deliveries?${p.toString()}`, signal), 'delivery');
}

/** try a failed delivery again now */
export async function retryDelivery(deliveryId: number): Promise<DeliveryView> {
  return parse(DeliveryView, await sendJson('POST', `${NOTIFY}/deliveries/${deliveryId}/retry`), 'delivery');
}

/** `GET /api/v1/admin/rules`: the live alarm rule set with its version and who saved it. */
export async function fetchRules(signal?: AbortSignal): Promise<AlarmRuleSet> {
  return parse(AlarmRuleSet, await getJson('/api/v1/admin/rules', signal), 'rules');
}

export type RulesSaveResult =
  | { ok: true; set: AlarmRuleSet }
  /** someone saved since `version` was loaded (409): reload */
  | { ok: false; kind: 'conflict'; message: string }
  /** 400: the schema's issues by field, or the server's own checks in its message */
  | { ok: false; kind: 'invalid'; message: string; issues: readonly ValidationIssue[] }
  | { ok: false; kind: 'failed'; status: number | null; message: string };

/** `PUT /api/v1/admin/rules`: saved and applied at once, or why not. */
export async function saveRules(body: z.input<typeof AlarmRulesSave>): Promise<RulesSaveResult> {
  try {
    return { ok: true, set: parse(AlarmRuleSet, await sendJson('PUT', '/api/v1/admin/rules', body), 'rules') };
  } catch (err) {
    if (err instanceof HttpError) {
      if (err.status === 409) return { ok: false, kind: 'conflict', message: err.serverMessage };
      if (err.status === 400) return { ok: false, kind: 'invalid', message: err.serverMessage, issues: err.issues };
      return { ok: false, kind: 'failed', status: err.status, message: err.serverMessage || `HTTP ${err.status}` };
    }
    return { ok: false, kind: 'failed', status: null, message: err instanceof Error ? err.message : String(err) };
  }
}
