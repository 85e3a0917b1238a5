/**
 * @module server/domain/notify
 * Notifications out, the pure part: which channels a notice goes to, the three wire formats
 * (a signed JSON webhook, a WeCom 企业微信 group robot, a DingTalk 钉钉 custom robot), how an
 * answer is judged, and when a failed delivery is tried again. No I/O; times are passed in.
 *
 * A generic webhook receiver verifies a request like this (Node):
 * @example
 * const ts = req.headers['x-onescreen-timestamp'];          // unix seconds
 * const want = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest('hex');
 * const ok = timingSafeEqual(Buffer.from(want), Buffer.from(req.headers['x-onescreen-signature']))
 *   && Math.abs(Date.now() / 1000 - Number(ts)) < 300;     // refuse replays of old requests
 * // and remember the body's `id` (or `key`) for a while: a retry after a lost answer repeats it
 */
import { createHmac } from 'node:crypto';
import { NOTICE_SEVERITY_RANK, type ChannelKind, type DeliveryKind, type LocalisedText, type NoticeKind, type NoticeSeverity } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

/** A channel as the notifier needs it (secret included: it never leaves the server). */
export interface ChannelRecord {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string;
  secret: string | null;
  areaId: string;
  minSeverity: NoticeSeverity;
  kinds: NoticeKind[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What a delivery sends: a notice, or an admin's test (kind `test`). */
export interface NoticePayload {
  key: string;
  kind: DeliveryKind;
  severity: NoticeSeverity;
  areaId: string;
  title: LocalisedText;
  text: LocalisedText;
  at: number;
  path?: string | undefined;
}

/** true if the channel takes this notice: enabled, its kind, severe enough, and in its area */
export function channelMatches(tree: AreaTree, ch: Pick<ChannelRecord, 'enabled' | 'kinds' | 'minSeverity' | 'areaId'>, n: Pick<NoticePayload, 'kind' | 'severity' | 'areaId'>): boolean {
  if (!ch.enabled || n.kind === 'test') return false;
  if (!ch.kinds.includes(n.kind)) return false;
  if (NOTICE_SEVERITY_RANK[n.severity] < NOTICE_SEVERITY_RANK[ch.minSeverity]) return false;
  return tree.get(n.areaId) !== undefined && tree.isWithin(n.areaId, ch.areaId);
}

// ---- masking ---------------------------------------------------------------------------------

const MASK = '••••';
/** a value shown as its last four characters at most, and only when it is long enough to keep the rest secret */
const maskValue = (v: string) => (v.length >= 16 ? `${MASK}${v.slice(-4)}` : MASK);
/** path parts that look like tokens (Slack's, Feishu's and many others' robots carry them in the path) */
const TOKENISH = /^[A-Za-z0-9_\-.~%]{16,}$/;

/**
 * A URL as admins may see it again: scheme, host, port and path, with every query value and
 * every token-like path part masked. A URL that does not parse is masked whole.
 */
export function maskUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return MASK;
  }
  const path = u.pathname
    .split('/')
    .map((p) => (TOKENISH.test(p) ? maskValue(p) : p))
    .join('/');
  const query = [...u.searchParams.entries()].map(([k, v]) => `${encodeURIComponent(k)}=${maskValue(v)}`).join('&');
  return `${u.protocol}//${u.host}${path}${query ? `?${query}` : ''}`;
}

// ---- text from outside -------------------------------------------------------------------------

/** markdown and HTML control characters, replaced by their full-width look-alikes */
const LOOKALIKE: Record<string, string> = {
  '*': '＊', _: '＿', '`': '｀', '[': '［', ']': '］', '(': '（', ')': '）', '<': '＜', '>': '＞',
  '#': '＃', '~': '～', '|': '｜', '!': '！', '\\': '＼', '&': '＆', '@': '＠', '$': '＄', '{': '｛', '}': '｝',
};
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Text that came from outside (an event's title is whatever a reporter typed) made safe to put in
 * a robot's markdown: one line, no control or direction-changing characters, no markdown or HTML
 * (so no links, mentions, headings or colours), no bare `scheme://` a client would turn into a
 * link, and at most `max` characters (an ellipsis marks a cut).
 */
export function plainText(s: string, max: number): string {
  let out = s
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(CONTROL, '')
    .replace(/[*_`[\]()<>#~|!\\&@${}]/g, (c) => LOOKALIKE[c] ?? '')
    .replace(/:\/\//g, '：//')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...out];
  if (chars.length > max) out = `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
  return out;
}

/** cut a string to at most `maxBytes` of UTF-8, on a character boundary */
export function capBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > maxBytes - 3) break;
    out += ch;
    bytes += b;
  }
  return `${out}…`;
}

// ---- the wire formats --------------------------------------------------------------------------

export const TITLE_MAX = 80;
export const TEXT_MAX = 400;
/** WeCom's markdown content is at most 4096 bytes */
export const WECOM_MAX_BYTES = 4096;
/** DingTalk's limit is larger, but a robot message is read on a phone: keep it as short */
export const DINGTALK_MAX_BYTES = 4096;

export interface RenderContext {
  /** the delivery's id: receivers deduplicate retries with it */
  deliveryId: number;
  /** the notice's area's name, Chinese and English */
  areaName: LocalisedText;
  /** the origin people use (PUBLIC_URL), to make `path` a link; none without it */
  publicUrl?: string | undefined;
  /** epoch ms: the signature's time */
  now: number;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const SEVERITY_LABEL: Record<NoticeSeverity, LocalisedText> = { warn: { zh: '预警', en: 'Warning' }, alarm: { zh: '告警', en: 'Alarm' } };
const KIND_LABEL: Record<DeliveryKind, LocalisedText> = {
  alarm: { zh: '告警', en: 'Alarm' },
  alarm_cleared: { zh: '告警解除', en: 'Alarm cleared' },
  breach: { zh: '超时', en: 'Time limit breached' },
  task: { zh: '任务催办', en: 'Task overdue' },
  test: { zh: '测试', en: 'Test' },
};

function linkOf(n: NoticePayload, publicUrl: string | undefined): string | null {
  if (!n.path || !publicUrl) return null;
  try {
    return new URL(n.path, publicUrl).toString();
  } catch {
    return null;
  }
}

/** HMAC-SHA256 of `<timestamp>.<body>` in hex, as the `X-OneScreen-Signature` header carries it */
export function webhookSignature(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex')}`;
}

/** DingTalk's 加签: base64 of HMAC-SHA256 keyed with the secret over `<timestamp ms>\n<secret>` */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The generic webhook: a JSON body with the notice (texts cut, not escaped: a receiver parses
 * JSON) and two headers, `X-OneScreen-Timestamp` (unix seconds) and `X-OneScreen-Signature`
 * (`sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`).
 */
export function webhookRequest(url: string, secret: string, n: NoticePayload, ctx: RenderContext): OutgoingRequest {
  const cut = (t: LocalisedText, max: number) => ({ zh: [...t.zh].slice(0, max).join(''), en: [...t.en].slice(0, max).join('') });
  // JSON needs no escaping, only bounds
  const body = JSON.stringify({
    id: ctx.deliveryId,
    key: n.key,
    kind: n.kind,
    severity: n.severity,
    areaId: n.areaId,
    areaName: ctx.areaName,
    title: cut(n.title, 200),
    text: cut(n.text, 1000),
    at: new Date(n.at).toISOString(),
    url: linkOf(n, ctx.publicUrl),
  });
  const ts = Math.floor(ctx.now / 1000);
  return {
    url,
    headers: { 'content-type': 'application/json', 'x-onescreen-timestamp': String(ts), 'x-onescreen-signature': webhookSignature(secret, ts, body) },
    body,
  };
}

/** the lines of a robot's markdown message: a heading, then Chinese, then English */
function robotMarkdown(n: NoticePayload, ctx: RenderContext, opts: { colour: boolean }): { title: string; text: string } {
  const sev = SEVERITY_LABEL[n.severity];
  const kind = KIND_LABEL[n.kind];
  const titleZh = plainText(n.title.zh, TITLE_MAX);
  const titleEn = plainText(n.title.en, TITLE_MAX);
  const head = `【${sev.zh}·${kind.zh}】${titleZh}`;
  const mark = opts.colour ? `<font color="${n.severity === 'alarm' ? 'warning' : 'comment'}">【${sev.zh}·${kind.zh}】</font>` : `【${sev.zh}·${kind.zh}】`;
  const at = new Date(n.at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const lines = [
    `### ${mark}${titleZh}`,
    plainText(n.text.zh, TEXT_MAX),
    `区域：${plainText(ctx.areaName.zh, 40)}　时间：${at}`,
    '',
    `> ${sev.en} · ${kind.en}: ${titleEn}`,
    `> ${plainText(n.text.en, TEXT_MAX)}`,
    `> Area: ${plainText(ctx.areaName.en, 40)}`,
  ];
  const link = linkOf(n, ctx.publicUrl);
  if (link) lines.push('', `[查看详情 / Open](${link})`);
  return { title: head, text: lines.join('\n') };
}

/** a WeCom group robot: `{"msgtype":"markdown","markdown":{"content":…}}` to its `…/webhook/send?key=…` URL */
export function wecomRequest(url: string, n: NoticePayload, ctx: RenderContext): OutgoingRequest {
  const { text } = robotMarkdown(n, ctx, { colour: true });
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: capBytes(text, WECOM_MAX_BYTES) } }) };
}

/**
 * a DingTalk custom robot: `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; with a 加签
 * secret the URL gets `&timestamp=<ms>&sign=<urlencoded base64 HMAC>` (DingTalk refuses a
 * timestamp more than an hour off, so it is signed at each attempt)
 */
export function dingtalkRequest(url: string, secret: string | null, n: NoticePayload, ctx: RenderContext): OutgoingRequest {
  const { title, text } = robotMarkdown(n, ctx, { colour: false });
  let target = url;
  if (secret) {
    const u = new URL(url);
    u.searchParams.set('timestamp', String(ctx.now));
    u.searchParams.set('sign', dingtalkSign(secret, ctx.now));
    target = u.toString();
  }
  return { url: target, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'markdown', markdown: { title: capBytes(title, 200), text: capBytes(text, DINGTALK_MAX_BYTES) } }) };
}

export function renderRequest(ch: Pick<ChannelRecord, 'kind' | 'url' | 'secret'>, n: NoticePayload, ctx: RenderContext): OutgoingRequest {
  switch (ch.kind) {
    case 'webhook':
      if (!ch.secret) throw new Error('a webhook channel has no secret');
      return webhookRequest(ch.url, ch.secret, n, ctx);
    case 'wecom':
      return wecomRequest(ch.url, n, ctx);
    case 'dingtalk':
      return dingtalkRequest(ch.url, ch.secret, n, ctx);
  }
}

// ---- judging an answer, and the retry schedule --------------------------------------------------

export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; status: number | null; error: string; retryAfterMs?: number };

/** robot error codes that no retry will cure (a wrong key, a wrong signature, a keyword or IP filter) */
const PERMANENT_ERRCODES: Record<ChannelKind, ReadonlySet<number>> = {
  webhook: new Set(),
  wecom: new Set([93000, 40008]),
  dingtalk: new Set([310000, 300001, 400101]),
};

/** `Retry-After` in seconds or as an HTTP date, as ms from `now`; undefined if absent or unreadable */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * What an answer means. 2xx is delivered — except a robot's `{errcode ≠ 0}`, which is a failure
 * (retried unless the code is one no retry cures). 408, 429 and 5xx are retried (429 not before
 * its `Retry-After`); other 4xx and 3xx (redirects are not followed) fail at once.
 */
export function judgeAnswer(kind: ChannelKind, status: number, body: string, retryAfter?: number): AttemptResult {
  if (status >= 200 && status < 300) {
    if (kind === 'webhook') return { ok: true, status };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { ok: false, retry: true, status, error: 'the robot answered something that is not JSON' };
    }
    const errcode = (parsed as { errcode?: unknown } | null)?.errcode;
    if (errcode === 0) return { ok: true, status };
    const errmsg = String((parsed as { errmsg?: unknown }).errmsg ?? '').slice(0, 200);
    const code = typeof errcode === 'number' ? errcode : NaN;
    return { ok: false, retry: !PERMANENT_ERRCODES[kind].has(code), status, error: `errcode ${String(errcode)}: ${errmsg}` };
  }
  // the status only: what a receiver answers stays out of the log (a misconfigured URL must not
  // turn the delivery log into a window on an internal service)
  const error = `HTTP ${status}`;
  if (status === 429) return { ok: false, retry: true, status, error, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
  if (status === 408 || status >= 500) return { ok: false, retry: true, status, error };
  if (status >= 300 && status < 400) return { ok: false, retry: false, status, error: `HTTP ${status}: redirects are not followed; configure the final URL` };
  return { ok: false, retry: false, status, error };
}

/** a receiver's `Retry-After` is honoured up to a day */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/** The default retry schedule: 30 s, 2 min, 10 min, 30 min, 2 h after the 1st…5th failure; then failed. */
export const DEFAULT_RETRY_SCHEDULE_MS = [30_000, 120_000, 600_000, 1_800_000, 7_200_000] as const;

/**
 * The delay before the next attempt after `failures` failed attempts (1 after the first), with
 * ±`jitter` spread (`random` in [0, 1)), so channels that failed together do not retry together;
 * null when the schedule is spent (the delivery has failed). A `Retry-After` longer than the
 * delay wins.
 */
export function nextDelay(failures: number, schedule: readonly number[], random: number, jitter = 0.2, retryAfter?: number): number | null {
  if (failures < 1 || failures > schedule.length) return null;
  const base = schedule[failures - 1]!;
  const spread = base * (1 + jitter * (2 * random - 1));
  return Math.round(Math.max(spread, Math.min(retryAfter ?? 0, MAX_RETRY_AFTER_MS)));
}
