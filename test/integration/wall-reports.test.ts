/**
 * A wall that recovers by itself, on the server: `POST /api/v1/wall/reports` (validation, sessions
 * only, attribution to the session's display whatever the body says, the rate limit, the metrics),
 * the display's last-seen time and build from its socket (throttled), `GET
 * /api/v1/admin/displays/status` (admins only), and the build id in /api/health and every snapshot.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayStatusList, type ClientToServerEvents, type ServerToClientEvents, type Snapshot } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const WUJIAOCHANG_ID = '310110019000';
const DINGHAI_ID = '310110001000';

/** the value of one sample of a Prometheus text exposition, or undefined when absent */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

const report = (over: Record<string, unknown> = {}) => ({ kind: 'reload', reason: 'stall', build: 'abc123def456', at: new Date().toISOString(), detail: { stallMs: 61_000, uptimeMs: 3_600_000 }, ...over });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('wall reports and display status', () => {
  let s: TestServer;
  let adminCookie: string;
  /** display session cookies: one of 五角场, one of 定海路 */
  let wjc: { id: string; cookie: string };
  let dh: { id: string; cookie: string };
  const post = (body: unknown, cookie?: string, extra: Record<string, string> = {}) =>
    postJson(s.url, '/api/v1/wall/reports', body, undefined, { ...(cookie ? { cookie } : {}), origin: s.url, ...extra });
  const metrics = async () => (await fetch(`${s.url}/metrics`)).text();
  async function enrol(areaId: string) {
    const d = await s.createDisplay(areaId);
    const r = await postJson(s.url, '/api/v1/session/display', { token: d.token }, undefined, { origin: s.url });
    expect(r.status).toBe(200);
    const m = /onescreen_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
    return { id: d.id, cookie: `onescreen_session=${m![1]}` };
  }

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, sessionCheckMs: 100, app: { buildId: 'server-build-1', wallStatus: { seenEveryMs: 60_000, reportsPerMinute: 3 } } });
    adminCookie = await s.login(ADMIN.username, ADMIN.password);
    wjc = await enrol(WUJIAOCHANG_ID);
    dh = await enrol(DINGHAI_ID);
  });
  afterAll(async () => {
    await s.stop({ removeData: true });
  });

  it('should tell its build in /api/health and in every snapshot', async () => {
    expect((await s.get('/api/health')).json).toMatchObject({ build: 'server-build-1' });
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie: s.cookie } });
    try {
      const snap = await new Promise<Snapshot>((resolve, reject) => {
        socket.once('snapshot', resolve);
        socket.once('connect_error', reject);
      });
      expect(snap.build).toBe('server-build-1');
    } finally {
      socket.close();
    }
  });

  it('should refuse a report without a session, from another origin, or that fails its schema — and count the invalid ones', async () => {
    const before = sample(await metrics(), 'onescreen_wall_reports_total', { outcome: 'invalid' }) ?? 0;
    expect((await post(report())).status).toBe(401);
    expect((await post(report(), wjc.cookie, { origin: 'https://evil.example' })).status).toBe(403);
    const bad = [
      report({ reason: 'bored' }),
      report({ build: '../../etc/passwd' }),
      report({ build: 'x'.repeat(65) }),
      report({ kind: 'start' }),
      report({ at: 'yesterday' }),
      report({ displayId: dh.id }), // attribution is the session's, never the body's
      report({ detail: { stallMs: -1 } }),
      report({ detail: { constructor: 1 } }),
      report({ id: 'short' }),
      report({ id: '../../etc/passwd' }),
      JSON.stringify(report()).replace(/^\{/, '{"__proto__":{"admin":true},'),
      [],
      'null',
    ];
    for (const body of bad) {
      const r = await post(body, wjc.cookie);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('VALIDATION');
    }
    const notJson = await fetch(`${s.url}/api/v1/wall/reports`, { method: 'POST', headers: { cookie: wjc.cookie, origin: s.url, 'content-type': 'text/plain' }, body: 'x' });
    expect(notJson.status).toBe(415);
    const huge = await post(report({ detail: { stallMs: 1 }, pad: 'x'.repeat(70_000) }), wjc.cookie);
    expect(huge.status).toBe(413);
    const after = sample(await metrics(), 'onescreen_wall_reports_total', { outcome: 'invalid' }) ?? 0;
    expect(after - before).toBe(bad.length + 1); // + the one that is not JSON (the too-large body is refused before)
    // nothing was kept for the display
    const list = DisplayStatusList.parse((await s.get('/api/v1/admin/displays/status', adminCookie)).json);
    expect(list.displays.find((d) => d.displayId === wjc.id)?.reloads ?? 0).toBe(0);
  });

  it('should keep a display session’s report for its own display, count an officer’s without keeping it, and count reloads by reason', async () => {
    const m0 = await metrics();
    const r = await post(report({ reason: 'stall', build: 'page-build-7' }), wjc.cookie);
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ accepted: true, displayId: wjc.id });
    const officer = await post(report({ reason: 'memory', late: true }), s.cookie);
    expect(officer.status).toBe(202);
    expect(officer.json).toEqual({ accepted: true, displayId: null });
    const m1 = await metrics();
    const delta = (name: string, labels: Record<string, string>) => (sample(m1, name, labels) ?? 0) - (sample(m0, name, labels) ?? 0);
    expect(delta('onescreen_wall_reloads_total', { reason: 'stall' })).toBe(1);
    expect(delta('onescreen_wall_reloads_total', { reason: 'memory' })).toBe(1);
    expect(delta('onescreen_wall_reloads_total', { reason: 'version' })).toBe(0);
    expect(delta('onescreen_wall_reports_total', { outcome: 'accepted' })).toBe(2);
    const list = DisplayStatusList.parse((await s.get('/api/v1/admin/displays/status', adminCookie)).json);
    expect(list.serverBuild).toBe('server-build-1');
    expect(list.displays.find((d) => d.displayId === wjc.id)).toMatchObject({ reloads: 1, lastReloadReason: 'stall', build: 'page-build-7' });
    // the other street's display is untouched
    expect(list.displays.find((d) => d.displayId === dh.id)?.reloads ?? 0).toBe(0);
  });

  it('should count a report sent again with the same id once, and acknowledge it each time', async () => {
    const m0 = await metrics();
    const once = report({ reason: 'memory', id: 'a1b2c3d4e5f6a7b8c9d0e1f2' });
    const [first, again] = [await post(once, s.cookie), await post({ ...once, late: true }, s.cookie)];
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.json).toEqual({ accepted: true, displayId: null });
    // two copies of another report sent at once count once too
    const twice = report({ reason: 'memory', id: 'f0e1d2c3b4a5968778695a4b' });
    expect((await Promise.all([post(twice, s.cookie), post(twice, s.cookie)])).map((r) => r.status)).toEqual([202, 202]);
    // the same id from another identity is its own report
    expect((await post(once, dh.cookie)).status).toBe(202);
    const m1 = await metrics();
    expect((sample(m1, 'onescreen_wall_reloads_total', { reason: 'memory' }) ?? 0) - (sample(m0, 'onescreen_wall_reloads_total', { reason: 'memory' }) ?? 0)).toBe(3);
  });

  it('should rate-limit reports per session (429 with Retry-After), counted, and keep other sessions unaffected', async () => {
    // 3 a minute in this server; 五角场's display used one already
    const results = await Promise.all(Array.from({ length: 6 }, () => post(report({ reason: 'version' }), wjc.cookie)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 202)).toHaveLength(2);
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(4);
    expect(limited[0]!.json.error.code).toBe('RATE_LIMITED');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sample(await metrics(), 'onescreen_wall_reports_total', { outcome: 'rate_limited' })).toBeGreaterThanOrEqual(4);
    // only the accepted ones were kept
    const list = DisplayStatusList.parse((await s.get('/api/v1/admin/displays/status', adminCookie)).json);
    expect(list.displays.find((d) => d.displayId === wjc.id)).toMatchObject({ reloads: 3, lastReloadReason: 'version' });
    // another display's session has its own allowance
    expect((await post(report(), dh.cookie)).status).toBe(202);
  });

  it('should show display status to admins only', async () => {
    expect((await s.get('/api/v1/admin/displays/status', 'onescreen_session=nope')).status).toBe(401);
    expect((await s.get('/api/v1/admin/displays/status')).status).toBe(403); // a district officer
    expect((await s.get('/api/v1/admin/displays/status', wjc.cookie)).status).toBe(403); // a display
  });

  it('should record when a display was last seen and the build its page runs, from its socket, writing at most once a minute', async () => {
    const fresh = await enrol(WUJIAOCHANG_ID);
    const writes: string[] = [];
    const repo = s.store.displayStatus;
    const seen = repo.seen.bind(repo);
    repo.seen = async (id, at, build) => {
      if (id === fresh.id) writes.push(`${id}@${build}`);
      return seen(id, at, build);
    };
    try {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(s.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: { cookie: fresh.cookie },
        auth: { build: 'page-build-9' },
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('snapshot', () => resolve());
        socket.once('connect_error', reject);
      });
      const row = await until('the display seen', async () => {
        const list = DisplayStatusList.parse((await s.get('/api/v1/admin/displays/status', adminCookie)).json);
        return list.displays.find((d) => d.displayId === fresh.id);
      });
      expect(row).toMatchObject({ build: 'page-build-9', reloads: 0 });
      expect(Date.parse(row.lastSeenAt!)).toBeGreaterThan(Date.now() - 60_000);
      // the session check runs every 100 ms here and says "seen" each time: still one write
      const checks = 10;
      const t0 = Date.now();
      await until('several session checks', async () => Date.now() - t0 > checks * 100 && writes.length > 0);
      expect(writes).toEqual([`${fresh.id}@page-build-9`]);
      socket.close();
    } finally {
      repo.seen = seen;
    }
  });
});
