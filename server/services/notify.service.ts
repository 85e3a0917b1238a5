/**
 * @module server/services/notify.service
 * Notifications out: the channels admins configure, and a durable outbox in front of them.
 * `notify()` (the {@link Notifier} port services call) only enqueues; in the background the
 * notice is matched against the channels (area lineage, severity, kind) and one delivery per
 * channel is written — at most one per (channel, notice key), so a notice told twice is sent
 * once. A worker sends due deliveries a few at a time, with a timeout, no redirects and a capped
 * answer, and retries failures with backoff and jitter. Deliveries live in the database, so a
 * restart resumes them.
 *
 * @example
 * const notifications = createNotifyService({ store, tree, clock, logger, audit });
 * notifications.notify({ key: `alarm:${id}:raised`, kind: 'alarm', severity: 'alarm', areaId, title, text, at: clock.now() });
 */
import { randomUUID } from 'node:crypto';
import {
  Notice,
  type ChannelCreate,
  type ChannelUpdate,
  type ChannelView,
  type DeliveryQuery,
  type DeliveryView,
  type LocalisedText,
} from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  channelMatches,
  judgeAnswer,
  maskUrl,
  nextDelay,
  renderRequest,
  retryAfterMs,
  type AttemptResult,
  type ChannelRecord,
  type NoticePayload,
  type OutgoingRequest,
} from '../domain/notify.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock, DeliveryRecord, Logger, Metrics, Notifier, Store } from '../ports.ts';

export interface NotifyOptions {
  /** the delay before each retry; when spent, the delivery has failed */
  retryScheduleMs: readonly number[];
  /** ± this share of each delay, at random */
  jitter: number;
  /** one request's time limit */
  timeoutMs: number;
  /** deliveries sent at once */
  concurrency: number;
  /** how often the worker looks for due deliveries (it is also woken when one is added) */
  pollMs: number;
  /** the most of an answer's body that is read */
  maxResponseBytes: number;
  /** delivered and failed deliveries are pruned this long after their last change */
  retentionMs: number;
  random: () => number;
}

export const DEFAULT_NOTIFY_OPTIONS: NotifyOptions = {
  retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  jitter: 0.2,
  timeoutMs: 5_000,
  concurrency: 4,
  pollMs: 2_000,
  maxResponseBytes: 16 * 1024,
  retentionMs: 30 * 86_400_000,
  random: Math.random,
};

/** who changes a channel, for the audit trail */
export interface Actor {
  actor: string;
  actorKind: 'user' | 'display';
  ip: string;
}

export interface NotifyServiceDeps {
  store: Pick<Store, 'notifications'>;
  tree: AreaTree;
  clock: Clock;
  logger: Logger;
  audit: (a: { actor: string; actorKind: 'user' | 'display' | 'system'; action: string; target: string; outcome: 'ok' | 'denied' | 'failed'; ip: string; detail?: string }) => Promise<void>;
  metrics?: Pick<Metrics, 'notification'> | undefined;
  /** the origin people use (PUBLIC_URL): a notice's `path` becomes a link on it */
  publicUrl?: string | undefined;
  options?: Partial<NotifyOptions> | undefined;
}

export function channelView(c: ChannelRecord): ChannelView {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    url: maskUrl(c.url),
    hasSecret: c.secret !== null,
    areaId: c.areaId,
    minSeverity: c.minSeverity,
    kinds: c.kinds,
    enabled: c.enabled,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export function deliveryView(d: DeliveryRecord): DeliveryView {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  let title: LocalisedText = { zh: d.noticeKey, en: d.noticeKey };
  try {
    const p = JSON.parse(d.payload) as Partial<NoticePayload>;
    if (p.title && typeof p.title.zh === 'string' && typeof p.title.en === 'string') title = { zh: p.title.zh.slice(0, 200) || '-', en: p.title.en.slice(0, 200) || '-' };
  } catch {
    // a payload that does not parse keeps the key as its title
  }
  return {
    id: d.id,
    channelId: d.channelId,
    channelName: d.channelName,
    noticeKey: d.noticeKey,
    kind: d.kind,
    severity: d.severity,
    title,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastError: d.lastError,
    lastStatus: d.lastStatus,
    createdAt: iso(d.createdAt)!,
    updatedAt: iso(d.updatedAt)!,
    deliveredAt: iso(d.deliveredAt),
  };
}

/** Read at most `max` bytes of an answer's body as text, then let go of the rest. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** why a request failed before any answer, in words an admin can act on */
function networkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return `could not connect: ${String(cause).slice(0, 200)}`;
}

export function createNotifyService(deps: NotifyServiceDeps) {
  const { store, tree, clock, logger } = deps;
  const opt: NotifyOptions = { ...DEFAULT_NOTIFY_OPTIONS, ...deps.options };
  /** a claimed delivery is not claimed again until its attempt has surely ended (or the server died) */
  const leaseMs = opt.timeoutMs * 2 + 1_000;

  let chain: Promise<void> = Promise.resolve();
  let pumping: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const areaName = (id: string): LocalisedText => {
    const a = tree.get(id);
    return a ? { zh: a.name, en: a.nameEn } : { zh: id, en: id };
  };

  /** write one delivery per matching channel (none twice for a key), then wake the worker */
  async function route(n: Notice): Promise<void> {
    const channels = (await store.notifications.listChannels()).filter((c) => channelMatches(tree, c, n));
    if (!channels.length) return;
    const now = clock.now();
    const added = await store.notifications.enqueueDeliveries(
      channels.map((c) => ({ channelId: c.id, channelName: c.name, noticeKey: n.key, kind: n.kind, severity: n.severity, payload: JSON.stringify(n), createdAt: now })),
    );
    if (added.length) void pump();
  }

  const notifier: Notifier = {
    notify(raw) {
      const r = Notice.safeParse(raw);
      if (!r.success) {
        logger.error({ key: (raw as { key?: unknown })?.key, issues: r.error.issues.slice(0, 3) }, 'a notice that does not fit the schema was dropped');
        return;
      }
      chain = chain.then(() => route(r.data)).catch((err) => logger.error({ err, key: r.data.key }, 'notice could not be queued'));
    },
  };

  async function post(req: OutgoingRequest, kind: ChannelRecord['kind']): Promise<AttemptResult> {
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: 'POST',
        headers: { 'user-agent': 'OneScreen-notifier/1', ...req.headers },
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opt.timeoutMs),
      });
    } catch (err) {
      return { ok: false, retry: true, status: null, error: networkError(err, opt.timeoutMs) };
    }
    let text: string;
    try {
      text = await readCapped(res, opt.maxResponseBytes);
    } catch (err) {
      if (res.status >= 200 && res.status < 300 && kind === 'webhook') return { ok: true, status: res.status };
      return { ok: false, retry: true, status: res.status, error: `the answer broke off: ${networkError(err, opt.timeoutMs)}` };
    }
    return judgeAnswer(kind, res.status, text, retryAfterMs(res.headers.get('retry-after'), clock.now()));
  }

  /** one attempt of one delivery, its outcome written back */
  async function attempt(d: DeliveryRecord): Promise<void> {
    const ch = d.channelId ? await store.notifications.getChannel(d.channelId) : null;
    const attempts = d.attempts + 1;
    let result: AttemptResult;
    if (!ch) result = { ok: false, retry: false, status: null, error: 'the channel was deleted' };
    else if (!ch.enabled && d.kind !== 'test') result = { ok: false, retry: false, status: null, error: 'the channel is disabled' };
    else {
      try {
        const payload = JSON.parse(d.payload) as NoticePayload;
        const req = renderRequest(ch, payload, { deliveryId: d.id, areaName: areaName(payload.areaId), publicUrl: deps.publicUrl, now: clock.now() });
        result = await post(req, ch.kind);
      } catch (err) {
        logger.error({ err, delivery: d.id }, 'a notification could not be prepared');
        result = { ok: false, retry: false, status: null, error: 'the notification could not be prepared' };
      }
    }
    const now = clock.now();
    if (result.ok) {
      await store.notifications.finishAttempt(d.id, { status: 'delivered', attempts, nextAttemptAt: null, lastError: null, lastStatus: result.status, at: now });
      deps.metrics?.notification(d.kind, 'delivered');
      return;
    }
    const delay = result.retry ? nextDelay(attempts, opt.retryScheduleMs, opt.random(), opt.jitter, result.retryAfterMs) : null;
    const status = delay === null ? 'failed' : 'pending';
    await store.notifications.finishAttempt(d.id, { status, attempts, nextAttemptAt: delay === null ? null : now + delay, lastError: result.error, lastStatus: result.status, at: now });
    deps.metrics?.notification(d.kind, delay === null ? 'failed' : 'retry');
    if (delay === null) logger.warn({ delivery: d.id, channel: d.channelName, error: result.error }, 'notification failed');
  }

  /**
   * Send every due delivery, `concurrency` at a time, until none is due. Calls while a round runs
   * join it (and make it look once more before it ends).
   */
  function pump(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      try {
        do {
          again = false;
          for (;;) {
            if (stopped) return;
            const now = clock.now();
            const due = await store.notifications.claimDueDeliveries(now, now + leaseMs, opt.concurrency);
            if (!due.length) break;
            await Promise.all(due.map((d) => attempt(d).catch((err) => logger.error({ err, delivery: d.id }, 'delivery attempt failed'))));
          }
        } while (again);
      } finally {
        pumping = undefined;
      }
    })();
    return pumping;
  }

  async function requireChannel(id: string): Promise<ChannelRecord> {
    const c = await store.notifications.getChannel(id);
    if (!c) throw notFound('channel');
    return c;
  }

  function checkArea(areaId: string) {
    if (!tree.get(areaId)) throw new AppError('VALIDATION', 400, `areaId: no area ${areaId}`, [{ path: 'areaId', message: `no area ${areaId}` }]);
  }

  const describe = (c: ChannelRecord) =>
    `${c.kind}, url ${maskUrl(c.url)}, area ${c.areaId}, from ${c.minSeverity}, kinds ${c.kinds.join('+')}, ${c.enabled ? 'enabled' : 'disabled'}${c.secret ? ', with secret' : ''}`;

  return {
    notify: notifier.notify,
    notifier,
    /** resolves once every notice told so far is routed into the outbox (tests) */
    idle: () => chain,
    /** send what is due now (the worker's round; tests call it too) */
    pump,

    async listChannels(): Promise<ChannelView[]> {
      return (await store.notifications.listChannels()).map(channelView);
    },

    async createChannel(by: Actor, body: ChannelCreate): Promise<ChannelView> {
      checkArea(body.areaId);
      const now = clock.now();
      const c: ChannelRecord = {
        id: randomUUID(),
        name: body.name,
        kind: body.kind,
        url: body.url,
        secret: body.secret ?? null,
        areaId: body.areaId,
        minSeverity: body.minSeverity,
        kinds: body.kinds,
        enabled: body.enabled,
        createdAt: now,
        updatedAt: now,
      };
      await store.notifications.createChannel(c);
      await deps.audit({ ...by, action: 'notification.channel.create', target: c.name, outcome: 'ok', detail: describe(c) });
      return channelView(c);
    },

    async updateChannel(by: Actor, id: string, body: ChannelUpdate): Promise<ChannelView> {
      const old = await requireChannel(id);
      if (body.areaId !== undefined) checkArea(body.areaId);
      const next: ChannelRecord = {
        ...old,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.secret !== undefined ? { secret: body.secret } : {}),
        ...(body.areaId !== undefined ? { areaId: body.areaId } : {}),
        ...(body.minSeverity !== undefined ? { minSeverity: body.minSeverity } : {}),
        ...(body.kinds !== undefined ? { kinds: body.kinds } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        updatedAt: clock.now(),
      };
      if (next.kind === 'webhook' && !next.secret) throw new AppError('VALIDATION', 400, 'a webhook channel signs what it sends: it keeps a secret', [{ path: 'secret', message: 'a webhook needs a secret' }]);
      if (!(await store.notifications.updateChannel(next))) throw notFound('channel');
      const changed = (Object.keys(body) as (keyof ChannelUpdate)[]).map((k) => (k === 'secret' ? (body.secret === null ? 'secret removed' : 'secret replaced') : k === 'url' ? `url ${maskUrl(next.url)}` : k));
      await deps.audit({ ...by, action: 'notification.channel.update', target: next.name, outcome: 'ok', detail: `changed: ${changed.join(', ') || 'nothing'}; now ${describe(next)}` });
      return channelView(next);
    },

    async deleteChannel(by: Actor, id: string): Promise<void> {
      const c = await requireChannel(id);
      if (!(await store.notifications.deleteChannel(id))) throw notFound('channel');
      await deps.audit({ ...by, action: 'notification.channel.delete', target: c.name, outcome: 'ok', detail: describe(c) });
    },

    /** queue a test notice to one channel (enabled or not), whatever its kinds and severity */
    async sendTest(by: Actor, id: string): Promise<DeliveryView> {
      const c = await requireChannel(id);
      const now = clock.now();
      const n: NoticePayload = {
        key: `test:${randomUUID()}`,
        kind: 'test',
        severity: 'warn',
        areaId: c.areaId,
        title: { zh: 'OneScreen 测试通知', en: 'OneScreen test notification' },
        text: { zh: `${by.actor} 从系统管理页发送的测试消息：收到即表示通道可用。`, en: `A test sent by ${by.actor} from the admin page: if you read this, the channel works.` },
        at: now,
      };
      const [d] = await store.notifications.enqueueDeliveries([{ channelId: c.id, channelName: c.name, noticeKey: n.key, kind: 'test', severity: 'warn', payload: JSON.stringify(n), createdAt: now }]);
      await deps.audit({ ...by, action: 'notification.channel.test', target: c.name, outcome: 'ok', detail: `delivery ${d!.id}` });
      void pump();
      return deliveryView(d!);
    },

    async listDeliveries(q: DeliveryQuery): Promise<DeliveryView[]> {
      return (await store.notifications.listDeliveries({ limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.channelId ? { channelId: q.channelId } : {}) })).map(deliveryView);
    },

    /** a failed delivery tried again now, its schedule afresh */
    async retryDelivery(by: Actor, id: number): Promise<DeliveryView> {
      const d = await store.notifications.getDelivery(id);
      if (!d) throw notFound('delivery');
      if (!(await store.notifications.retryDelivery(id, clock.now()))) throw new AppError('CONFLICT', 409, `delivery ${id} is ${d.status}: only a failed delivery is tried again`);
      await deps.audit({ ...by, action: 'notification.retry', target: String(id), outcome: 'ok', detail: `${d.channelName}: ${d.noticeKey}` });
      void pump();
      return deliveryView((await store.notifications.getDelivery(id))!);
    },

    /** forget delivered and failed deliveries past the retention */
    async prune(): Promise<number> {
      return store.notifications.pruneDeliveries(clock.now() - opt.retentionMs);
    },

    /** poll for due deliveries (start() of the app) */
    start(): void {
      stopped = false;
      if (!timer) timer = setInterval(() => void pump().catch((err) => logger.error({ err }, 'notification worker failed')), opt.pollMs);
      void pump();
    },

    /** stop polling and wait for the attempts under way (each ends within the timeout) */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      stopped = true;
      await chain.catch(() => undefined);
      await pumping?.catch(() => undefined);
    },
  };
}
export type NotifyService = ReturnType<typeof createNotifyService>;
