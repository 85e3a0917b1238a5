/**
 * Notifications out against a local receiver (127.0.0.1 only): a breach delivered once and
 * signed, retries with backoff on a fake clock, failures at once, robot error codes, a delivery
 * that survives a restart, and the admin routes — who may call them, what they refuse, and that a
 * secret never comes back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { API_OPERATIONS } from '../../server/openapi/operations.ts';
import { breachNotice } from '../../server/services/case.service.ts';
import { ChannelView, DeliveryView, type Notice } from '../../shared/index.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const SECRET = 'whsec-test-0123456789abcdef';
let n = 0;

/** a fake clock the test moves; the worker's polling is slow, so the test drives every round */
const fakeClock = () => {
  const c = { t: Date.now(), now: () => c.t };
  return c;
};
const start = (clock: { now(): number }, over: Parameters<typeof startTestServer>[0] = {}) =>
  startTestServer({ serveWeb: false, clock, breachCheckMs: 60_000, publicUrl: 'https://ops.yangpu.example', app: { notify: { pollMs: 60_000, jitter: 0 } }, ...over });

const admin = async (s: TestServer) => {
  const u = await s.createUser('admin');
  return s.login(u.username, u.password);
};
const send = (s: TestServer, cookie: string, method: string, path: string, body?: unknown) =>
  fetch(`${s.url}${path}`, { method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const addChannel = async (s: TestServer, cookie: string, body: Record<string, unknown>) => {
  const res = await send(s, cookie, 'POST', '/api/v1/admin/notifications/channels', { name: `ch-${++n}`, areaId: '310110', ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return ChannelView.parse(await res.json());
};
const deliveries = async (s: TestServer, cookie: string, q = '') => {
  const res = await send(s, cookie, 'GET', `/api/v1/admin/notifications/deliveries${q}`);
  expect(res.status).toBe(200);
  return DeliveryView.array().parse(await res.json());
};
const alarm = (over: Partial<Notice> = {}): Notice => ({
  key: `alarm:${++n}:raised`,
  kind: 'alarm',
  severity: 'alarm',
  areaId: WJC,
  title: { zh: 'PM2.5 超标', en: 'PM2.5 above limit' },
  text: { zh: '五角场 PM2.5 已达 160 µg/m³', en: 'PM2.5 at 160 µg/m³ in Wujiaochang' },
  at: Date.now(),
  ...over,
});
/** let the notifier route what it was told, then run one round of the worker */
const round = async (s: TestServer) => {
  await s.app.notifications.idle();
  await s.app.notifications.pump();
};
const verify = (headers: Record<string, unknown>, body: string, secret: string) => {
  const ts = String(headers['x-onescreen-timestamp']);
  const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
  const got = Buffer.from(String(headers['x-onescreen-signature']));
  return want.length === got.length && timingSafeEqual(want, got);
};

describe('notifications out', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(() => rx.close());

  it('should send a breach exactly once, signed, to the channels whose area holds it', async () => {
    const clock = fakeClock();
    const s = await start(clock);
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      rx.script({ status: 200 });
      await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/district`, secret: SECRET });
      const otherStreet = s.app.tree.children('310110').find((a) => a.id !== WJC)!.id;
      await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/other-street`, secret: SECRET, areaId: otherStreet });
      await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/alarms-only`, secret: SECRET, minSeverity: 'alarm' });
      const r = await postJson(s.url, '/api/v1/events', { events: [{ source: '12345', externalId: `nt-${++n}`, category: 'fire_hazard', title: '消防通道堵塞 [点此](http://x)', ...WJC_POINT, occurredAt: new Date(clock.t).toISOString() }] }, s.ingestKey);
      const id = r.json.results[0].id as string;

      clock.t += 6 * 60_000; // fire, medium: accept within 5 min
      expect(await s.app.cases.checkBreaches()).toBe(1);
      await round(s);
      // told again (another round of the watch, a second check): nothing more is sent
      await s.app.cases.checkBreaches();
      s.app.notifier.notify(breachNotice((await s.get(`/api/v1/events/${id}`)).json, clock.t));
      await round(s);

      expect(rx.requests.map((q) => q.url)).toEqual(['/district']);
      const [req] = rx.requests;
      expect(verify(req!.headers, req!.body, SECRET)).toBe(true);
      expect(verify(req!.headers, req!.body, 'another-secret-value')).toBe(false);
      const body = JSON.parse(req!.body);
      expect(body).toMatchObject({ kind: 'breach', severity: 'warn', url: `https://ops.yangpu.example/console?case=${id}`, areaName: { zh: expect.any(String), en: expect.any(String) } });
      expect(body.key).toMatch(new RegExp(`^breach:${id}:reported:`));
      expect(s.app.tree.isWithin(body.areaId, WJC)).toBe(true);
      const log = await deliveries(s, cookie);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ kind: 'breach', status: 'delivered', attempts: 1, lastStatus: 200, nextAttemptAt: null, lastError: null });
      expect(log[0]!.id).toBe(body.id);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should retry a 500 with backoff and deliver on the third attempt', async () => {
    const clock = fakeClock();
    const s = await start(clock, { app: { notify: { pollMs: 60_000, jitter: 0, retryScheduleMs: [30_000, 120_000, 600_000] } } });
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      rx.script({ status: 500, body: 'down' }, { status: 500, body: 'still down' }, { status: 200 });
      await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/flaky`, secret: SECRET, kinds: ['alarm'] });
      s.app.notifier.notify(alarm());
      await round(s);
      let [d] = await deliveries(s, cookie);
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
      expect(Date.parse(d!.nextAttemptAt!)).toBe(clock.t + 30_000);

      clock.t += 29_000; // not due yet
      await round(s);
      expect(rx.requests).toHaveLength(1);
      clock.t += 1_000;
      await round(s);
      [d] = await deliveries(s, cookie);
      expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 500 });
      expect(Date.parse(d!.nextAttemptAt!)).toBe(clock.t + 120_000);

      clock.t += 120_000;
      await round(s);
      [d] = await deliveries(s, cookie);
      expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null });
      expect(rx.requests).toHaveLength(3);
      // the same delivery each time: a receiver deduplicates on its id
      expect(new Set(rx.requests.map((q) => JSON.parse(q.body).id)).size).toBe(1);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/onescreen_notifications_total\{kind="alarm",outcome="retry"\} 2/);
      expect(metrics).toMatch(/onescreen_notifications_total\{kind="alarm",outcome="delivered"\} 1/);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should fail a 400 at once, give up when the schedule is spent, and wait out a 429’s Retry-After', async () => {
    const clock = fakeClock();
    const s = await start(clock, { app: { notify: { pollMs: 60_000, jitter: 0, retryScheduleMs: [1_000] } } });
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      const bad = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/bad`, secret: SECRET });
      rx.script({ status: 400, body: '{"error":"no"}' });
      s.app.notifier.notify(alarm());
      await round(s);
      clock.t += 3_600_000;
      await round(s);
      expect(rx.requests).toHaveLength(1);
      expect((await deliveries(s, cookie, `?channelId=${bad.id}`))[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 400, nextAttemptAt: null });
      await send(s, cookie, 'PATCH', `/api/v1/admin/notifications/channels/${bad.id}`, { enabled: false });

      rx.requests.length = 0;
      const busy = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/busy`, secret: SECRET });
      rx.script({ status: 429, headers: { 'retry-after': '120' } }, { status: 503 });
      s.app.notifier.notify(alarm());
      await round(s);
      let [d] = await deliveries(s, cookie, `?channelId=${busy.id}`);
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 429 });
      expect(Date.parse(d!.nextAttemptAt!)).toBe(clock.t + 120_000);
      clock.t += 120_000;
      await round(s);
      [d] = await deliveries(s, cookie, `?channelId=${busy.id}`);
      // one retry in this schedule: a second failure is final
      expect(d).toMatchObject({ status: 'failed', attempts: 2, lastStatus: 503 });
      expect((await deliveries(s, cookie, '?status=failed')).map((x) => x.channelId).sort()).toEqual([bad.id, busy.id].sort());

      // retry now: back to pending at once, delivered on the next round
      rx.script({ status: 204 });
      const again = await send(s, cookie, 'POST', `/api/v1/admin/notifications/deliveries/${d!.id}/retry`);
      expect(again.status).toBe(202);
      expect(DeliveryView.parse(await again.json())).toMatchObject({ status: 'pending', attempts: 0 });
      await round(s);
      expect((await deliveries(s, cookie, `?channelId=${busy.id}`))[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
      expect((await send(s, cookie, 'POST', `/api/v1/admin/notifications/deliveries/${d!.id}/retry`)).status).toBe(409);
      expect((await send(s, cookie, 'POST', '/api/v1/admin/notifications/deliveries/999999/retry')).status).toBe(404);
      expect((await send(s, cookie, 'POST', '/api/v1/admin/notifications/deliveries/constructor/retry')).status).toBe(404);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should treat a robot’s errcode ≠ 0 as a failure: WeCom retried, DingTalk’s wrong signature failed at once', async () => {
    const clock = fakeClock();
    const s = await start(clock);
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      const wecom = await addChannel(s, cookie, { kind: 'wecom', url: `${rx.url}/cgi-bin/webhook/send?key=693a91f6-7d2c-4bc4-97a0-0ec2b1fa5aaa` });
      rx.script({ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }, { status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
      s.app.notifier.notify(alarm());
      await round(s);
      expect((await deliveries(s, cookie))[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 200, lastError: 'errcode 45009: api freq out of limit' });
      clock.t += 3_600_000;
      await round(s);
      expect((await deliveries(s, cookie))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
      const msg = JSON.parse(rx.requests[1]!.body);
      expect(msg.msgtype).toBe('markdown');
      expect(msg.markdown.content).toContain('PM2.5 超标');
      expect(rx.requests[1]!.url).toBe('/cgi-bin/webhook/send?key=693a91f6-7d2c-4bc4-97a0-0ec2b1fa5aaa');
      await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${wecom.id}`);

      rx.requests.length = 0;
      const dingSecret = 'SEC0123456789abcdef0123456789abcdef';
      await addChannel(s, cookie, { kind: 'dingtalk', url: `${rx.url}/robot/send?access_token=tok`, secret: dingSecret });
      rx.script({ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' });
      s.app.notifier.notify(alarm());
      await round(s);
      const [d] = await deliveries(s, cookie);
      expect(d).toMatchObject({ status: 'failed', attempts: 1, lastError: 'errcode 310000: sign not match' });
      const u = new URL(rx.requests[0]!.url, rx.url);
      const ts = u.searchParams.get('timestamp')!;
      expect(Number(ts)).toBe(clock.t);
      expect(u.searchParams.get('sign')).toBe(createHmac('sha256', dingSecret).update(`${ts}\n${dingSecret}`).digest('base64'));
      expect(JSON.parse(rx.requests[0]!.body).markdown.title).toContain('PM2.5 超标');
      // the log outlives a deleted channel, under its name
      expect((await deliveries(s, cookie)).find((x) => x.kind === 'alarm' && x.channelId === null)).toMatchObject({ channelName: wecom.name, status: 'delivered' });
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should give up on a receiver that does not answer in time, follow no redirect, and read a huge answer only in part', async () => {
    const clock = fakeClock();
    const s = await start(clock, { app: { notify: { pollMs: 60_000, jitter: 0, timeoutMs: 300, maxResponseBytes: 1024 } } });
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      const slow = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/slow`, secret: SECRET });
      rx.script({ status: 200, hang: true });
      s.app.notifier.notify(alarm());
      await round(s);
      expect((await deliveries(s, cookie, `?channelId=${slow.id}`))[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: 'no answer within 0.3 s' });
      await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${slow.id}`);

      rx.requests.length = 0;
      const moved = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/moved`, secret: SECRET });
      rx.script({ status: 302, headers: { location: `${rx.url}/elsewhere` } });
      s.app.notifier.notify(alarm());
      await round(s);
      expect((await deliveries(s, cookie, `?channelId=${moved.id}`))[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 302 });
      expect(rx.requests.map((q) => q.url)).toEqual(['/moved']);
      await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${moved.id}`);

      const robot = await addChannel(s, cookie, { kind: 'wecom', url: `${rx.url}/huge?key=k` });
      rx.script({ status: 200, body: `{"errcode":1,"errmsg":"${'x'.repeat(5_000_000)}"}` });
      s.app.notifier.notify(alarm());
      await round(s);
      // only the first KiB was read: not JSON then, so a retry; the error names it and stays short
      const [d] = await deliveries(s, cookie, `?channelId=${robot.id}`);
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 200, lastError: 'the robot answered something that is not JSON' });
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should deliver after a restart what was pending before it', async () => {
    const clock = fakeClock();
    const s1 = await start(clock);
    const dataDir = s1.dataDir;
    rx.requests.length = 0;
    try {
      const cookie = await admin(s1);
      await addChannel(s1, cookie, { kind: 'webhook', url: `${rx.url}/restart`, secret: SECRET });
      rx.script({ status: 503 }, { status: 200 });
      s1.app.notifier.notify(alarm({ key: 'alarm:restart:raised' }));
      await round(s1);
      expect((await deliveries(s1, cookie))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      await s1.stop();
    }
    clock.t += 3_600_000;
    const s2 = await start(clock, { dataDir });
    try {
      // the worker's first round runs at start; this one makes the check independent of its timing
      await round(s2);
      const cookie = await admin(s2);
      await expect.poll(async () => (await deliveries(s2, cookie))[0]?.status).toBe('delivered');
      expect((await deliveries(s2, cookie))[0]).toMatchObject({ attempts: 2 });
      expect(rx.requests.filter((q) => q.url === '/restart')).toHaveLength(2);
      // the same notice told again after the restart is not sent again
      s2.app.notifier.notify(alarm({ key: 'alarm:restart:raised' }));
      await round(s2);
      expect(rx.requests.filter((q) => q.url === '/restart')).toHaveLength(2);
    } finally {
      await s2.stop({ removeData: true });
    }
  });

  it('should send an alarm of the rules when it is raised and when it clears, to the channels of its street', async () => {
    const clock = fakeClock();
    const s = await start(clock);
    try {
      const cookie = await admin(s);
      rx.requests.length = 0;
      rx.script({ status: 200 });
      await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/wjc-alarms`, secret: SECRET, areaId: WJC, kinds: ['alarm', 'alarm_cleared'] });
      const grid = s.app.tree.children(WJC)[0]!.id;
      // five fire alarms in a grid of 五角场: the street's rule (alarm at 4) fires at once
      await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'fire_alarms', areaId: grid, value: 5, at: new Date(clock.t).toISOString() }] }, s.ingestKey);
      await expect.poll(async () => (await s.get('/api/v1/alarms')).json.alarms.some((a: { ruleId: string }) => a.ruleId === 'fire_alarms.street')).toBe(true);
      await s.app.alarms.idle();
      await round(s);
      expect(rx.requests.map((q) => q.url)).toEqual(['/wjc-alarms']);
      const raised = JSON.parse(rx.requests[0]!.body);
      expect(verify(rx.requests[0]!.headers, rx.requests[0]!.body, SECRET)).toBe(true);
      expect(raised).toMatchObject({ kind: 'alarm', severity: 'alarm', areaId: WJC });
      expect(raised.title.zh ?? raised.title).toMatch(/火灾报警/);
      // back to nothing for the rule's 15 minutes: cleared, told once
      await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'fire_alarms', areaId: grid, value: 0, at: new Date(clock.t + 1000).toISOString() }] }, s.ingestKey);
      clock.t += 16 * 60_000;
      await expect.poll(async () => {
        await s.app.alarms.tick();
        return (await s.get('/api/v1/alarms')).json.alarms.some((a: { ruleId: string }) => a.ruleId === 'fire_alarms.street');
      }).toBe(false);
      await s.app.alarms.idle();
      await round(s);
      expect(rx.requests.map((q) => JSON.parse(q.body).kind)).toEqual(['alarm', 'alarm_cleared']);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('the channel routes', () => {
  let s: TestServer;
  let cookie: string;
  let rx: Receiver;
  const clock = fakeClock();
  beforeAll(async () => {
    rx = await startReceiver();
    s = await start(clock);
    cookie = await admin(s);
  });
  afterAll(async () => {
    await s.stop({ removeData: true });
    await rx.close();
  });

  it('should refuse everyone but an admin', async () => {
    const street = await s.createUser('street', WJC);
    const streetCookie = await s.login(street.username, street.password);
    for (const c of [s.cookie, streetCookie]) {
      expect((await send(s, c, 'GET', '/api/v1/admin/notifications/channels')).status).toBe(403);
      expect((await send(s, c, 'GET', '/api/v1/admin/notifications/deliveries')).status).toBe(403);
      expect((await send(s, c, 'POST', '/api/v1/admin/notifications/channels', { name: 'x', kind: 'wecom', url: `${rx.url}/x`, areaId: WJC })).status).toBe(403);
    }
    expect((await fetch(`${s.url}/api/v1/admin/notifications/channels`)).status).toBe(401);
    expect((await send(s, cookie, 'GET', '/api/v1/admin/notifications/channels')).status).toBe(200);
  });

  it.each([
    ['ftp:', 'ftp://example.com/hook'],
    ['javascript:', 'javascript:alert(1)'],
    ['no host', 'http://'],
    ['relative', '/api/v1/events'],
    ['credentials', 'https://user:pw@example.com/hook'],
    ['not a string', 42],
  ])('should refuse a %s URL with 400', async (_what, url) => {
    const res = await send(s, cookie, 'POST', '/api/v1/admin/notifications/channels', { name: 'bad', kind: 'wecom', url, areaId: WJC });
    expect(res.status).toBe(400);
    expect((await res.json()).error.issues.map((i: any) => i.path)).toContain('url');
  });

  it('should refuse unknown areas, fields and ids, and a webhook without a secret', async () => {
    const post = (body: unknown) => send(s, cookie, 'POST', '/api/v1/admin/notifications/channels', body);
    expect((await post({ name: 'x', kind: 'wecom', url: `${rx.url}/x`, areaId: 'constructor' })).status).toBe(400);
    expect((await post({ name: 'x', kind: 'wecom', url: `${rx.url}/x`, areaId: WJC, __proto__: { enabled: false }, isAdmin: true })).status).toBe(400);
    expect((await post({ name: 'x', kind: 'webhook', url: `${rx.url}/x`, areaId: WJC })).status).toBe(400);
    expect((await post({ name: 'x'.repeat(65), kind: 'wecom', url: `${rx.url}/x`, areaId: WJC })).status).toBe(400);
    const notJson = await fetch(`${s.url}/api/v1/admin/notifications/channels`, { method: 'POST', headers: { cookie, 'content-type': 'application/xml' }, body: '<x/>' });
    expect(notJson.status).toBe(415);
    for (const id of ['constructor', '00000000-0000-0000-0000-000000000000', '..%2Fusers']) {
      expect((await send(s, cookie, 'PATCH', `/api/v1/admin/notifications/channels/${id}`, { enabled: false })).status).toBe(404);
      expect((await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${id}`)).status).toBe(404);
      expect((await send(s, cookie, 'POST', `/api/v1/admin/notifications/channels/${id}/test`)).status).toBe(404);
    }
    const ch = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/x`, secret: SECRET, areaId: WJC });
    expect((await send(s, cookie, 'PATCH', `/api/v1/admin/notifications/channels/${ch.id}`, { secret: null })).status).toBe(400);
    expect((await send(s, cookie, 'PATCH', `/api/v1/admin/notifications/channels/${ch.id}`, { url: 'ftp://x' })).status).toBe(400);
    expect((await send(s, cookie, 'GET', '/api/v1/admin/notifications/deliveries?limit=0')).status).toBe(400);
    expect((await send(s, cookie, 'GET', '/api/v1/admin/notifications/deliveries?status=lost')).status).toBe(400);
  });

  it('should never give the secret or the URL’s key back, in answers or in the audit trail', async () => {
    const key = 'wecom-key-0f1e2d3c4b5a69788796a5b4';
    const secret = 'super-secret-signing-key-9876';
    const ch = await addChannel(s, cookie, { kind: 'webhook', url: `${rx.url}/hook?token=${key}`, secret });
    expect(ch).toMatchObject({ hasSecret: true, url: `${rx.url}/hook?token=••••${key.slice(-4)}` });
    const changed = await send(s, cookie, 'PATCH', `/api/v1/admin/notifications/channels/${ch.id}`, { secret: `${secret}-2`, url: `${rx.url}/hook2?token=${key}`, minSeverity: 'alarm' });
    expect(changed.status).toBe(200);
    expect(ChannelView.parse(await changed.json())).toMatchObject({ minSeverity: 'alarm', hasSecret: true });
    rx.script({ status: 200 });
    const test = await send(s, cookie, 'POST', `/api/v1/admin/notifications/channels/${ch.id}/test`);
    expect(test.status).toBe(202);
    const queued = DeliveryView.parse(await test.json());
    expect(queued).toMatchObject({ kind: 'test', channelId: ch.id });
    await s.app.notifications.pump();
    expect((await deliveries(s, cookie)).find((d) => d.id === queued.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    const sent = rx.requests.at(-1)!;
    expect(sent.url).toBe(`/hook2?token=${key}`);
    expect(verify(sent.headers, sent.body, `${secret}-2`)).toBe(true);
    await s.app.auth.flushAudit(true);

    const answers = await Promise.all(
      ['/api/v1/admin/notifications/channels', '/api/v1/admin/notifications/deliveries', '/api/v1/admin/audit?limit=1000', '/api/v1/admin/audit.csv'].map(async (p) => {
        const res = await send(s, cookie, 'GET', p);
        expect(res.status, p).toBe(200);
        return res.text();
      }),
    );
    for (const text of answers) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(key);
    }
    const audit = JSON.parse(answers[2]!) as { action: string; detail: string }[];
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['notification.channel.create', 'notification.channel.update', 'notification.channel.test']));
    expect(audit.find((a) => a.action === 'notification.channel.update')!.detail).toContain('secret replaced');
  });

  it('should keep one channel per create under parallel requests, and delete it', async () => {
    const before = (await s.app.notifications.listChannels()).length;
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => addChannel(s, cookie, { kind: 'wecom', url: `${rx.url}/p${i}?key=k${i}` })));
    expect(new Set(made.map((c) => c.id)).size).toBe(8);
    expect((await s.app.notifications.listChannels()).length).toBe(before + 8);
    const del = await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${made[0]!.id}`);
    expect(del.status).toBe(204);
    expect((await send(s, cookie, 'DELETE', `/api/v1/admin/notifications/channels/${made[0]!.id}`)).status).toBe(404);
  });

  it('should answer as the API description documents: every status, every body with its schema and no more', async () => {
    const documented = async (method: string, path: string, res: Response) => {
      const op = API_OPERATIONS.find((o) => o.method === method && o.path === path)!;
      expect(op, `${method} ${path}`).toBeDefined();
      const answer = op.operation.responses[String(res.status)];
      expect(answer, `${method} ${path} answered ${res.status}`).toBeDefined();
      const text = await res.text();
      const content = answer!.content as Record<string, { schema: z.ZodType }> | undefined;
      if (!content) return expect(text).toBe('');
      const body = JSON.parse(text);
      const parsed = content['application/json']!.schema.safeParse(body);
      expect(parsed.success, `${method} ${path} ${res.status}`).toBe(true);
      expect(parsed.data).toStrictEqual(body);
    };
    const P = '/api/v1/admin/notifications';
    const created = await send(s, cookie, 'POST', `${P}/channels`, { name: 'oa', kind: 'dingtalk', url: `${rx.url}/robot/send?access_token=tok`, areaId: WJC });
    const ch = ChannelView.parse(await created.clone().json());
    await documented('post', `${P}/channels`, created);
    await documented('post', `${P}/channels`, await send(s, cookie, 'POST', `${P}/channels`, { name: 'oa', kind: 'dingtalk', url: 'ftp://x', areaId: WJC }));
    await documented('post', `${P}/channels`, await send(s, s.cookie, 'POST', `${P}/channels`, { name: 'oa', kind: 'dingtalk', url: `${rx.url}/x`, areaId: WJC }));
    await documented('patch', `${P}/channels/{id}`, await send(s, cookie, 'PATCH', `${P}/channels/${ch.id}`, { kinds: ['alarm'] }));
    await documented('patch', `${P}/channels/{id}`, await send(s, cookie, 'PATCH', `${P}/channels/00000000-0000-0000-0000-000000000000`, { kinds: ['alarm'] }));
    rx.script({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const test = await send(s, cookie, 'POST', `${P}/channels/${ch.id}/test`);
    const queued = DeliveryView.parse(await test.clone().json());
    await documented('post', `${P}/channels/{id}/test`, test);
    await s.app.notifications.pump();
    await documented('get', `${P}/deliveries`, await send(s, cookie, 'GET', `${P}/deliveries?status=delivered&limit=5`));
    await documented('get', `${P}/deliveries`, await send(s, cookie, 'GET', `${P}/deliveries?limit=abc`));
    await documented('post', `${P}/deliveries/{id}/retry`, await send(s, cookie, 'POST', `${P}/deliveries/${queued.id}/retry`));
    await documented('delete', `${P}/channels/{id}`, await send(s, cookie, 'DELETE', `${P}/channels/${ch.id}`));
    await documented('delete', `${P}/channels/{id}`, await send(s, cookie, 'DELETE', `${P}/channels/${ch.id}`));
  });
});
