import { pointOnFeature } from '@turf/turf';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, EventDelta, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const data = shippedData();
const streets = data.areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);
/** a point inside the first grid of each street */
const pointIn = (streetId: string): [number, number] => {
  const grid = data.areas.features.find((f) => f.properties.level === 'grid' && f.properties.parentId === streetId)!;
  return pointOnFeature(grid as never).geometry.coordinates as [number, number];
};

function connect(s: TestServer, cookie: string | undefined, areaId?: string) {
  const socket: Client = io(s.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: areaId ? { areaId } : {},
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  const events: EventDelta['events'] = [];
  socket.on('event:upsert', (d) => events.push(...d.events));
  const ready = new Promise<{ snapshot?: Snapshot; error?: string }>((resolve) => {
    socket.once('snapshot', (snapshot) => resolve({ snapshot }));
    socket.once('connect_error', (e) => resolve({ error: e.message }));
  });
  return { socket, events, ready };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('scope: every street sees exactly its own area', () => {
  let s: TestServer;
  const cookies = new Map<string, string>();
  const eventOf = new Map<string, string>();

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    for (const id of streets) {
      const u = await s.createUser('street', id);
      cookies.set(id, await s.login(u.username, u.password));
    }
    const events = streets.map((id, i) => {
      const [lng, lat] = pointIn(id);
      return { source: 'grid', externalId: `scope-${i}`, category: 'fire_hazard', title: `case in ${id}`, lng, lat, occurredAt: new Date().toISOString() };
    });
    const r = await postJson(s.url, '/api/v1/events', { events }, s.ingestKey);
    r.json.results.forEach((x: any, i: number) => eventOf.set(streets[i]!, x.id));
    for (const id of streets) expect((await s.store.cases.getEvent(eventOf.get(id)!))!.streetId).toBe(id);
  }, 60_000);
  afterAll(() => s.stop({ removeData: true }));

  it('should have 12 streets to test', () => {
    expect(streets).toHaveLength(12);
  });

  it('should refuse every other street\'s events, event ids, indicators and areas over REST — all pairs', async () => {
    const missing = await s.get('/api/v1/events/00000000-0000-0000-0000-000000000000', cookies.get(streets[0]!)!);
    expect(missing.status).toBe(404);
    let pairs = 0;
    for (const mine of streets) {
      const c = cookies.get(mine)!;
      const own = await s.get('/api/v1/events?limit=1000', c);
      expect(own.status).toBe(200);
      expect(own.json.events.map((e: any) => e.id)).toEqual([eventOf.get(mine)]);
      const areas = await s.get('/api/v1/areas', c);
      const areaIds = new Set(areas.json.features.map((f: any) => f.properties.id));
      expect(areaIds.has(mine)).toBe(true);
      for (const other of streets) {
        if (other === mine) continue;
        pairs++;
        const ev = await s.get(`/api/v1/events/${eventOf.get(other)}`, c);
        expect(ev).toEqual(missing); // exactly like an id that does not exist
        expect((await s.get(`/api/v1/events?areaId=${other}`, c)).status).toBe(404);
        expect((await s.get(`/api/v1/events?areaId=${other}-g001`, c)).status).toBe(404);
        expect((await s.get(`/api/v1/indicators?areaId=${other}`, c)).status).toBe(404);
        expect(areaIds.has(other)).toBe(false);
        expect([...areaIds].some((id) => String(id).startsWith(`${other}-g`))).toBe(false);
      }
      // the district is context (an outline) but its data is out of reach
      expect(areaIds.has('310110')).toBe(true);
      expect((await s.get('/api/v1/indicators?areaId=310110', c)).status).toBe(404);
      expect((await s.get('/api/v1/events?areaId=310110', c)).status).toBe(404);
      const ind = await s.get('/api/v1/indicators', c);
      expect(new Set(ind.json.values.map((v: any) => v.areaId.split('-g')[0]))).toEqual(new Set([mine]));
    }
    expect(pairs).toBe(132);
  });

  it('should refuse every socket join of another street — all pairs — and stream only the own street', async () => {
    for (const mine of streets) {
      const c = cookies.get(mine)!;
      for (const other of [...streets.filter((x) => x !== mine), '310110', '310000']) {
        const x = connect(s, c, other);
        expect((await x.ready).error).toBe('forbidden');
        x.socket.close();
      }
    }
    const clients = streets.map((id) => ({ id, ...connect(s, cookies.get(id)!) }));
    for (const cl of clients) {
      const r = await cl.ready;
      expect(r.snapshot!.areaId).toBe(cl.id);
      expect(r.snapshot!.events.every((e) => e.streetId === cl.id)).toBe(true);
      expect(r.snapshot!.indicators.every((v) => v.areaId.startsWith(cl.id))).toBe(true);
      // crafted messages: an unknown event, a join request, a snapshot request for another area
      (cl.socket as any).emit('join', `area:${streets.find((x) => x !== cl.id)}`);
      (cl.socket as any).emit('snapshot:request', { areaId: '310110' }, () => undefined);
      const again = await cl.socket.emitWithAck('snapshot:request');
      expect(again.ok && again.data.areaId).toBe(cl.id);
    }
    const events = streets.map((id, i) => {
      const [lng, lat] = pointIn(id);
      return { source: 'grid', externalId: `live-${i}`, category: 'hazmat', title: 't', lng, lat, occurredAt: new Date().toISOString() };
    });
    await postJson(s.url, '/api/v1/events', { events }, s.ingestKey);
    // then a second case per street: each socket is ordered, so once a street has its own second
    // case, any case of another street sent before it would have arrived already
    const later = streets.map((id, i) => {
      const [lng, lat] = pointIn(id);
      return { source: 'grid', externalId: `live-later-${i}`, category: 'hazmat', title: 't', lng, lat, occurredAt: new Date().toISOString() };
    });
    await postJson(s.url, '/api/v1/events', { events: later }, s.ingestKey);
    for (const cl of clients) await until(() => cl.events.some((e) => e.event.externalId.startsWith('live-later-')));
    for (const cl of clients) {
      expect(cl.events.map((e) => e.event.streetId)).toEqual([cl.id, cl.id]);
      cl.socket.close();
    }
  });

  it('should audit refused REST reads and socket joins', async () => {
    const audit = await s.get('/api/v1/admin/audit?limit=5000', await s.login(ADMIN.username, ADMIN.password));
    const denied = audit.json.filter((a: any) => a.outcome === 'denied');
    expect(denied.some((a: any) => a.action === 'socket.join' && a.detail === 'area outside scope')).toBe(true);
    expect(denied.some((a: any) => a.action === 'GET /api/v1/events/:id' && a.detail === 'event outside scope')).toBe(true);
    expect(denied.some((a: any) => a.action.startsWith('GET /api/v1/indicators') && a.target === streets[1])).toBe(true);
  });
});

describe('roles, sessions and hardening', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, ingestRatePerSec: 2 });
  });
  afterAll(() => s.stop({ removeData: true }));

  const ROUTES: [string, string][] = [
    ['GET', '/api/v1/areas'],
    ['GET', '/api/v1/basemap'],
    ['GET', '/api/v1/categories'],
    ['GET', '/api/v1/indicators'],
    ['GET', '/api/v1/events'],
    ['GET', '/api/v1/session'],
    ['GET', '/api/v1/admin/users'],
    ['GET', '/api/v1/admin/displays'],
    ['GET', '/api/v1/admin/audit'],
    ['GET', '/api/v1/admin/audit.csv'],
    ['POST', '/api/v1/admin/users'],
    ['POST', '/api/v1/admin/displays'],
  ];

  it('should answer every route by role: 401 without a session, 403 for admin routes to non-admins', async () => {
    const wall = await s.createDisplay('310110019000');
    const enrol = await fetch(`${s.url}/api/v1/session/display`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: wall.token }) });
    const wallCookie = /onescreen_session=[^;]+/.exec(enrol.headers.get('set-cookie')!)![0];
    const street = await s.createUser('street', '310110019000');
    const sessions: Record<string, string | undefined> = {
      none: undefined,
      admin: await s.login(ADMIN.username, ADMIN.password),
      district: s.cookie,
      street: await s.login(street.username, street.password),
      wall: wallCookie,
    };
    for (const [method, path] of ROUTES) {
      for (const [role, cookie] of Object.entries(sessions)) {
        const res = await fetch(`${s.url}${path}`, {
          method,
          headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        const admin = path.startsWith('/api/v1/admin');
        const expected = role === 'none' ? 401 : admin && role !== 'admin' ? 403 : method === 'POST' ? 400 : 200;
        expect(`${role} ${method} ${path} → ${res.status}`).toBe(`${role} ${method} ${path} → ${expected}`);
      }
    }
    // an ingest key writes but cannot read
    const asKey = await fetch(`${s.url}/api/v1/events`, { headers: { authorization: `Bearer ${s.ingestKey}` } });
    expect(asKey.status).toBe(401);
  });

  it('should bind roles to the right kind of area', async () => {
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const create = (body: object) => postJson(s.url, '/api/v1/admin/users', body, undefined, { cookie: admin });
    expect((await create({ username: 'st1', role: 'street', password: 'long-enough-pw' })).status).toBe(400);
    expect((await create({ username: 'st2', role: 'street', areaId: '310110', password: 'long-enough-pw' })).json.error.message).toMatch(/street/);
    expect((await create({ username: 'st3', role: 'street', areaId: '310110019000', password: 'short' })).json.error.issues[0].path).toBe('password');
    const ok = await create({ username: 'st4', role: 'street', areaId: '310110019000', password: 'long-enough-pw' });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ username: 'st4', role: 'street', areaId: '310110019000', disabledAt: null });
    expect(JSON.stringify(ok.json)).not.toContain('long-enough-pw');
    expect((await create({ username: 'st4', role: 'street', areaId: '310110019000', password: 'long-enough-pw' })).status).toBe(409);
  });

  it('should throttle failed logins per user with a clear message, and let others in', async () => {
    const u = await s.createUser('district');
    const attempt = (password: string) => postJson(s.url, '/api/v1/session', { username: u.username, password });
    for (let i = 0; i < 5; i++) {
      const r = await attempt('wrong-password');
      expect(r.status).toBe(401);
      expect(r.json.error.message).toBe('wrong username or password');
    }
    const blocked = await attempt(u.password); // even the right password waits
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toBe('too many failed sign-ins for this user from this address; try again in 15 minutes');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    // an unknown user answers like a wrong password
    expect((await postJson(s.url, '/api/v1/session', { username: 'nobody', password: 'x' })).json.error.message).toBe('wrong username or password');
    const other = await s.createUser('district');
    expect((await postJson(s.url, '/api/v1/session', other)).status).toBe(200);
  });

  it('should log out, and end the sessions (and sockets) of a disabled user', async () => {
    const u = await s.createUser('district');
    const c1 = await s.login(u.username, u.password);
    expect((await s.get('/api/v1/session', c1)).json).toMatchObject({ kind: 'user', role: 'district', areaId: '310110' });
    const out = await fetch(`${s.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: c1 } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/onescreen_session=;/);
    expect((await s.get('/api/v1/session', c1)).status).toBe(401);

    const c2 = await s.login(u.username, u.password);
    const live = connect(s, c2);
    await live.ready;
    const closed = new Promise<string>((resolve) => live.socket.once('disconnect', resolve));
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const users = (await s.get('/api/v1/admin/users', admin)).json;
    const id = users.find((x: any) => x.username === u.username).id;
    expect((await postJson(s.url, `/api/v1/admin/users/${id}/disable`, {}, undefined, { cookie: admin })).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    expect((await s.get('/api/v1/session', c2)).status).toBe(401);
    expect((await postJson(s.url, '/api/v1/session', u)).status).toBe(401);
  });

  it('should run a wall on a display token, and stop its stream when the token is revoked', async () => {
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const created = await postJson(s.url, '/api/v1/admin/displays', { name: '五角场大屏', areaId: '310110019000' }, undefined, { cookie: admin });
    expect(created.status).toBe(201);
    expect(created.json.enrolUrl).toBe(`${s.url}/?display=${encodeURIComponent(created.json.token)}`);
    const enrol = await postJson(s.url, '/api/v1/session/display', { token: created.json.token });
    expect(enrol.json).toMatchObject({ kind: 'display', role: 'wall', areaId: '310110019000', name: '五角场大屏' });
    const cookie = /onescreen_session=[^;]+/.exec(enrol.headers.get('set-cookie')!)![0];
    expect(enrol.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(enrol.headers.get('set-cookie')).toMatch(/SameSite=Strict/i);
    const wall = connect(s, cookie);
    expect((await wall.ready).snapshot!.areaId).toBe('310110019000');
    const closed = new Promise<string>((resolve) => wall.socket.once('disconnect', resolve));
    const revoked = await postJson(s.url, `/api/v1/admin/displays/${created.json.display.id}/revoke`, {}, undefined, { cookie: admin });
    expect(revoked.json.revokedAt).not.toBeNull();
    expect(await closed).toBe('io server disconnect');
    expect((await s.get('/api/v1/areas', cookie)).status).toBe(401);
    expect((await postJson(s.url, '/api/v1/session/display', { token: created.json.token })).status).toBe(401);
    const again = connect(s, cookie);
    expect((await again.ready).error).toBe('unauthorized');
    again.socket.close();
  });

  it('should cap the body of sign-in and admin requests', async () => {
    const big = { username: 'x', password: 'y'.repeat(100_000) };
    const r = await postJson(s.url, '/api/v1/session', big);
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should refuse cross-origin state changes', async () => {
    const r = await postJson(s.url, '/api/v1/session', ADMIN, undefined, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
  });

  it('should send a CSP that allows only our origin, and the standard security headers', async () => {
    const res = await fetch(`${s.url}/api/health`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:\/\//);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('should rate-limit an ingest key with 429 and Retry-After', async () => {
    const event = { source: 'grid', externalId: 'rl', category: 'hazmat', title: 't', lng: 121.514, lat: 31.302, occurredAt: new Date().toISOString() };
    const statuses: number[] = [];
    let retry: string | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await postJson(s.url, '/api/v1/events', { events: [{ ...event, externalId: `rl-${i}` }] }, s.ingestKey);
      statuses.push(r.status);
      if (r.status === 429) retry = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]); // the burst
    expect(statuses).toContain(429);
    expect(Number(retry)).toBeGreaterThanOrEqual(1);
  });

  it('should store no password or secret in plain text, and keep the audit trail append-only', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${s.dataDir}/onescreen.sqlite`);
    const dump = JSON.stringify([db.prepare('SELECT * FROM users').all(), db.prepare('SELECT * FROM sessions').all(), db.prepare('SELECT * FROM audit').all()]);
    expect(dump).not.toContain(ADMIN.password);
    expect(dump).toContain('scrypt$');
    expect(() => db.prepare("UPDATE audit SET outcome = 'ok'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    db.close();
  });

  it('should audit each kind of action and export it as CSV', async () => {
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const csv = await fetch(`${s.url}/api/v1/admin/audit.csv`, { headers: { cookie: admin } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="onescreen-audit-/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a byte-order mark, so a spreadsheet reads the Chinese as UTF-8
    const text = new TextDecoder().decode(bytes);
    expect(text.split('\r\n')[0]).toBe('id,at,actor,actorKind,action,target,outcome,ip,detail,count');
    const entries = (await s.get('/api/v1/admin/audit?limit=5000', admin)).json as any[];
    const kinds = new Set(entries.map((e) => `${e.action}:${e.outcome}`));
    for (const k of ['login:ok', 'login:failed', 'login:denied', 'logout:ok', 'user.create:ok', 'user.disable:ok', 'display.create:ok', 'display.enrol:ok', 'display.revoke:ok', 'display.enrol:failed', 'socket.connect:denied', 'GET /api/v1/admin/users:denied']) {
      expect(kinds, k).toContain(k);
    }
    const e = entries.find((x) => x.action === 'login' && x.outcome === 'ok')!;
    expect(e).toMatchObject({ actor: expect.any(String), actorKind: 'user', ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(JSON.stringify(entries)).not.toMatch(/wrong-password|long-enough|pw-district/);
  });
});
