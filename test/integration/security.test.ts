/**
 * Probes from outside, as an attacker would send them: each answers as the hardening intends.
 * Several clients are told apart by X-Forwarded-For on a server that trusts one proxy hop.
 */
import { request } from 'node:http';
import { pointOnFeature } from '@turf/turf';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestKey } from '../../server/middleware/ingest-auth.ts';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const WUJIAOCHANG = '310110019000';
const grid = shippedData().areas.features.find((f) => f.properties.level === 'grid' && f.properties.parentId === WUJIAOCHANG)!;
const [LNG, LAT] = pointOnFeature(grid as never).geometry.coordinates as [number, number];

/** POST JSON as a client at `ip` (the server trusts one proxy hop) */
const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });

const sessionCookie = (setCookie: string | null) => /onescreen_session=[^;]+/.exec(setCookie ?? '')?.[0] ?? '';

async function auditRows(s: TestServer) {
  await s.app.auth.flushAudit(true);
  return s.store.audit.listAudit({ limit: 100_000 });
}

describe('sign-in throttling', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, trustProxy: 1 });
  });
  afterAll(() => s.stop({ removeData: true }));

  const login = (username: string, password: string, ip: string) => postJson(s.url, '/api/v1/session', { username, password }, undefined, from(ip));

  it('should check only 5 of 60 wrong passwords sent at once for one account', async () => {
    const u = await s.createUser('district');
    const answers = await Promise.all(Array.from({ length: 60 }, () => login(u.username, 'wrong-password', '198.51.100.1')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 401)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(55);
    const retry = answers.find((a) => a.status === 429)!;
    expect(retry.json.error.message).toMatch(/^too many failed sign-ins for this user from this address; try again in \d+ minutes?$/);
    expect(Number(retry.headers.get('retry-after'))).toBeGreaterThan(60);
    // what was checked is what the audit trail says was checked
    const failed = (await auditRows(s)).filter((r) => r.actor === u.username && r.outcome === 'failed');
    expect(failed.reduce((n, r) => n + r.count, 0)).toBe(5);
  });

  it('should not lock out a user signing in from another address', async () => {
    const u = await s.createUser('district');
    for (let i = 0; i < 6; i++) await login(u.username, 'wrong-password', '198.51.100.2');
    expect((await login(u.username, u.password, '198.51.100.2')).status).toBe(429);
    expect((await login(u.username, u.password, '203.0.113.9')).status).toBe(200);
  });

  it('should throttle an address that guesses across many users, and not other addresses', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `nobody-${i}`);
    for (const n of names) expect((await login(n, 'guess-guess', '198.51.100.3')).status).toBe(401);
    const blocked = await login(ADMIN.username, ADMIN.password, '198.51.100.3');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toMatch(/from this address/);
    expect((await login(ADMIN.username, ADMIN.password, '198.51.100.4')).status).toBe(200);
  });

  it('should count a whole IPv6 /64 as one address', async () => {
    const u = await s.createUser('district');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(u.username, 'wrong-password', `2001:db8:1:2::${(i + 1).toString(16)}`)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(35);
    expect((await login(u.username, u.password, '2001:db8:9:9::1')).status).toBe(200);
  });

  it('should guard the audit CSV against formulas in the usernames of failed sign-ins', async () => {
    await login('=HYPERLINK("http://x.example","y")', 'guess-guess', '198.51.100.5');
    await login('@SUM(1+1)', 'guess-guess', '198.51.100.5');
    const admin = await s.login(ADMIN.username, ADMIN.password);
    await s.app.auth.flushAudit(true);
    const csv = await (await fetch(`${s.url}/api/v1/admin/audit.csv`, { headers: { cookie: admin } })).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://x.example"",""y"")"`);
    expect(csv).toContain(`"'@SUM(1+1)"`);
    expect(csv).not.toMatch(/(^|,)"[=@+-]/m);
  });
});

describe('an account tried from many addresses', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, trustProxy: 1, auth: { loginFailuresPerAccount: 10, accountPaceMs: 1_000 } });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should check at most its allowance plus one a pace, and slow its owner down without locking them out', async () => {
    const u = await s.createUser('district');
    // 40 addresses, 4 guesses each (within each address's own limits), all at once
    const t0 = Date.now();
    const guesses = Array.from({ length: 160 }, (_, i) => postJson(s.url, '/api/v1/session', { username: u.username, password: `guess-${i}` }, undefined, from(`198.18.${Math.floor(i / 4)}.1`)));
    const answers = await Promise.all(guesses);
    const paces = Math.ceil((Date.now() - t0) / 1_000) + 1;
    const checked = answers.filter((a) => a.status === 401).length;
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(checked).toBeLessThanOrEqual(10 + paces); // the allowance, plus one a pace while they ran
    const slowed = answers.find((a) => a.status === 429)!;
    expect(slowed.json.error.message).toMatch(/^this account is being tried from many addresses, so its sign-ins are slowed; try again in \d+ s$/);
    expect(Number(slowed.headers.get('retry-after'))).toBeLessThanOrEqual(1);
    // the owner, from their own address, gets in once the pace allows (a condition, not a sleep)
    await expect
      .poll(async () => (await postJson(s.url, '/api/v1/session', { username: u.username, password: u.password }, undefined, from('203.0.113.50'))).status, { timeout: 10_000, interval: 250 })
      .toBe(200);
  });
});

describe('anonymous writes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, trustProxy: 1, auth: { anonymousPerMinute: 60 } });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should rate-limit 400 bogus enrolments sent at once by address and fold their audit rows', async () => {
    const before = (await auditRows(s)).length;
    const bogus = () => postJson(s.url, '/api/v1/session/display', { token: 'osd_not-a-real-token-at-all' }, undefined, from('192.0.2.77'));
    const answers = await Promise.all(Array.from({ length: 400 }, bogus));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 401)).toHaveLength(60);
    expect(statuses.filter((x) => x === 429)).toHaveLength(340);
    expect(answers.find((a) => a.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
    // another address is not affected
    expect((await postJson(s.url, '/api/v1/session/display', { token: 'osd_not-a-real-token-at-all' }, undefined, from('192.0.2.78'))).status).toBe(401);
    const rows = (await auditRows(s)).slice(0, -before || undefined).filter((r) => r.ip === '192.0.2.77');
    // every attempt is counted, in a handful of rows: the first of each kind and one closing row with the count
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.filter((r) => r.detail.startsWith('unknown token')).reduce((n, r) => n + r.count, 0)).toBe(60);
    expect(rows.filter((r) => r.detail.startsWith('too many requests')).reduce((n, r) => n + r.count, 0)).toBe(340);
  });

  it('should not let sockets from ever-different foreign origins write a row each', async () => {
    const before = (await auditRows(s)).length;
    const attempt = (i: number) =>
      new Promise<string>((resolve) => {
        const sock = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': '192.0.2.88', origin: `http://evil-${i}.example` } });
        sock.once('connect_error', (e) => (sock.close(), resolve(e.message)));
        sock.once('connect', () => (sock.close(), resolve('connected')));
      });
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => attempt(i)));
    expect(new Set(outcomes)).toEqual(new Set(['foreign_origin']));
    const rows = (await auditRows(s)).slice(0, -before || undefined).filter((r) => r.ip === '192.0.2.88');
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(100);
    expect(JSON.stringify(rows)).not.toContain('evil-');
  });

  it('should not let a signed-in screen write a row per made-up path it is refused', async () => {
    const d = await s.createDisplay('310110');
    const enrol = await postJson(s.url, '/api/v1/session/display', { token: d.token }, undefined, from('192.0.2.90'));
    const cookie = sessionCookie(enrol.headers.get('set-cookie'));
    const before = (await auditRows(s)).length;
    for (let i = 0; i < 50; i++) expect((await s.get(`/api/v1/admin/${'x'.repeat(100)}-${i}`, cookie)).status).toBe(403);
    const rows = (await auditRows(s)).slice(0, -before || undefined).filter((r) => r.actorKind === 'display');
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['GET /api/v1/admin/*']));
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(50);
  });

  it('should limit sockets without a session by address too, and fold what they audit', async () => {
    const before = (await auditRows(s)).length;
    const attempt = () =>
      new Promise<string>((resolve) => {
        const sock = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': '192.0.2.99' } });
        sock.once('connect_error', (e) => {
          sock.close();
          resolve(e.message);
        });
        sock.once('connect', () => {
          sock.close();
          resolve('connected');
        });
      });
    const outcomes = await Promise.all(Array.from({ length: 100 }, attempt));
    expect(new Set(outcomes)).toEqual(new Set(['unauthorized']));
    const rows = (await auditRows(s)).slice(0, -before || undefined).filter((r) => r.ip === '192.0.2.99');
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.filter((r) => r.detail === 'no session' || r.detail.startsWith('no session (')).reduce((n, r) => n + r.count, 0)).toBe(60);
    expect(rows.filter((r) => r.detail.startsWith('too many requests')).reduce((n, r) => n + r.count, 0)).toBe(40);
  });
});

describe('request bodies', () => {
  let s: TestServer;
  let admin: string;
  let caseId: string;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    admin = await s.login(ADMIN.username, ADMIN.password);
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: 'body-1', category: 'fire_hazard', title: 't', lng: LNG, lat: LAT, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    caseId = r.json.results[0].id;
  });
  afterAll(() => s.stop({ removeData: true }));

  /** sends headers announcing `length` bytes and a first 1 KiB, and reports the answer without sending the rest */
  function announce(path: string, length: number | 'chunked', cookie: string): Promise<{ status: number; body: string; sent: number }> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, s.url);
      const req = request(url, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...(length === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }) },
      });
      let sent = 0;
      const chunk = Buffer.alloc(1024, 0x20);
      // chunked: keep sending until the server answers (it must, after 64 KiB); announced: send 1 KiB only
      const pump = () => {
        while (length === 'chunked' && !answered && sent < 8 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, sent });
        });
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      req.write(chunk);
      sent += chunk.length;
      pump();
    });
  }

  it('should answer 413 to a 64 MiB transition before reading it', async () => {
    const r = await announce(`/api/v1/events/${caseId}/transitions`, 64 * 1024 * 1024, s.cookie);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('should answer 413 to a chunked body once it passes the limit, without waiting for its end', async () => {
    const r = await announce(`/api/v1/events/${caseId}/transitions`, 'chunked', s.cookie);
    expect(r.status).toBe(413);
    expect(r.sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('should cap the body of every route that reads one', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(100 * 1024) });
    const routes = [
      ['/api/v1/session', ''],
      ['/api/v1/session/display', ''],
      [`/api/v1/events/${caseId}/transitions`, s.cookie],
      ['/api/v1/admin/users', admin],
      ['/api/v1/admin/users/admin/password', admin],
      ['/api/v1/admin/displays', admin],
    ] as const;
    for (const [path, cookie] of routes) {
      const r = await postJson(s.url, path, big, undefined, cookie ? { cookie } : {});
      expect(`${path} → ${r.status}`).toBe(`${path} → 413`);
    }
    // ingest keeps its own, larger limit
    const batch = { events: [{ source: 'grid', externalId: 'big-ok', category: 'fire_hazard', title: 'x'.repeat(500), description: 'y'.repeat(90 * 1024), lng: LNG, lat: LAT, occurredAt: new Date().toISOString() }] };
    expect((await postJson(s.url, '/api/v1/events', batch, s.ingestKey)).status).not.toBe(413);
  });
});

describe('ingest keys and readings', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
  });
  afterAll(() => s.stop({ removeData: true }));

  const event = (source: string, externalId: string) => ({ source, externalId, category: 'hotline_request', title: '路灯不亮', lng: LNG, lat: LAT, occurredAt: new Date().toISOString() });

  it("should keep a key to its own sources, so it cannot pre-empt or read another source's cases", async () => {
    const hotline = await createIngestKey(s.store, 'hotline', { sources: ['12345'], now: Date.now() });
    const grid = await createIngestKey(s.store, 'grid-app', { sources: ['grid'], now: Date.now() });
    const first = await postJson(s.url, '/api/v1/events', { events: [event('12345', 'GD-1')] }, hotline.key);
    expect(first.json.results[0]).toMatchObject({ status: 'created', id: expect.any(String) });
    const probe = await postJson(s.url, '/api/v1/events', { events: [event('12345', 'GD-1'), event('12345', 'GD-2'), event('grid', 'G-1')] }, grid.key);
    expect(probe.status).toBe(200);
    expect(probe.json.results[0]).toEqual({ index: 0, status: 'rejected', error: { code: 'SOURCE_NOT_ALLOWED', message: 'this key may post events of source grid only, not 12345' } });
    expect(JSON.stringify(probe.json)).not.toContain(first.json.results[0].id);
    expect(probe.json.results[1].status).toBe('rejected');
    expect(probe.json.results[2].status).toBe('created');
    // the pre-emption failed: the hotline's own second report is new
    expect((await postJson(s.url, '/api/v1/events', { events: [event('12345', 'GD-2')] }, hotline.key)).json.results[0].status).toBe('created');
  });

  it('should leave keys without sources unbound, as every key made before', async () => {
    const any = await createIngestKey(s.store, 'legacy', { now: Date.now() });
    const r = await postJson(s.url, '/api/v1/events', { events: [event('camera', 'C-1'), event('12345', 'GD-9')] }, any.key);
    expect(r.json.results.map((x: any) => x.status)).toEqual(['created', 'created']);
    expect((await s.store.keys.listIngestKeys()).find((k) => k.name === 'legacy')!.sources).toBeNull();
  });

  it('should not let a reading stamped in the future pin the current value', async () => {
    const now = Date.now();
    const post = (value: number, at: number) =>
      postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'pm25', value, at: new Date(at).toISOString(), areaId: '310110' }] }, s.ingestKey);
    expect((await post(180, now + 4 * 60_000)).json.accepted).toBe(1);
    expect((await post(42, Date.now())).json.accepted).toBe(1);
    await s.app.indicators.tick();
    const v = (await s.get('/api/v1/indicators?areaId=310110')).json.values.find((x: any) => x.indicatorId === 'pm25' && x.areaId === '310110');
    expect(v.value).toBe(42);
  });
});

describe('outside input used as a lookup key', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
  });
  afterAll(() => s.stop({ removeData: true }));

  // category codes are lower-case (a schema rule), so `constructor` is the one name on
  // Object.prototype a source can send; the unit tests of limitsFor cover the others
  it.each(['constructor'])('should give a case of category %s a deadline like any unknown category', async (category) => {
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `proto-${category}`, category, title: 't', lng: LNG, lat: LAT, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    const stored = await s.store.cases.getEvent(r.json.results[0].id);
    const unknown = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `plain-${category}`, category: 'no_such_category', title: 't', lng: LNG, lat: LAT, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    const plain = await s.store.cases.getEvent(unknown.json.results[0].id);
    expect(stored!.dueAt).not.toBeNull();
    expect(Date.parse(stored!.dueAt!) - Date.parse(stored!.receivedAt)).toBe(Date.parse(plain!.dueAt!) - Date.parse(plain!.receivedAt));
  });
});

describe('origins', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should refuse cross-origin state changes on every route a session can make, and accept same-origin ones', async () => {
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: 'origin-1', category: 'fire_hazard', title: 't', lng: LNG, lat: LAT, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    const id = r.json.results[0].id;
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const attempts: [string, string, string, unknown][] = [
      ['POST', '/api/v1/session', '', { username: ADMIN.username, password: ADMIN.password }],
      ['DELETE', '/api/v1/session', s.cookie, undefined],
      ['POST', `/api/v1/events/${id}/transitions`, s.cookie, { action: 'accept', version: 1 }],
      ['POST', '/api/v1/admin/users', admin, { username: 'evil-user', role: 'district', password: 'long-enough-pw' }],
      ['POST', '/api/v1/admin/displays', admin, { name: 'evil', areaId: '310110' }],
    ];
    for (const [method, path, cookie, body] of attempts) {
      const probes: Record<string, string>[] = [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: 'http://ops.evil.example' }, { origin: 'http://evil.example', 'content-type': 'text/plain' }];
      for (const headers of probes) {
        const res = await fetch(`${s.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers, ...(cookie ? { cookie } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(`${method} ${path} ${JSON.stringify(headers)} → ${res.status}`).toBe(`${method} ${path} ${JSON.stringify(headers)} → 403`);
      }
    }
    // nothing happened
    expect((await s.store.cases.getEvent(id))!.status).toBe('reported');
    expect(await s.store.identities.findUserByUsername('evil-user')).toBeNull();
    expect((await s.get('/api/v1/session')).status).toBe(200);
    // the same requests from our own page go through
    const ok = await postJson(s.url, `/api/v1/events/${id}/transitions`, { action: 'accept', version: 1 }, undefined, { cookie: s.cookie, origin: s.url, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    // a program (no Origin, no Sec-Fetch-Site) signs out with a body-less DELETE
    expect((await fetch(`${s.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(204);
  });

  function socket(cookie: string, origin?: string) {
    const sock = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie, ...(origin ? { origin } : {}) } });
    const outcome = new Promise<string>((resolve) => {
      sock.once('snapshot', () => resolve('snapshot'));
      sock.once('connect_error', (e) => resolve(e.message));
    });
    return { sock, outcome };
  }

  it('should read and export nothing for a page of a sibling site, though SameSite=Strict sends it the cookie', async () => {
    const admin = await s.login(ADMIN.username, ADMIN.password);
    for (const site of ['same-site', 'cross-site']) {
      expect((await fetch(`${s.url}/api/v1/admin/audit.csv`, { headers: { cookie: admin, 'sec-fetch-site': site } })).status).toBe(403);
      expect((await fetch(`${s.url}/api/v1/events`, { headers: { cookie: s.cookie, 'sec-fetch-site': site } })).status).toBe(403);
    }
    expect((await fetch(`${s.url}/api/v1/admin/audit.csv`, { headers: { cookie: admin, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('should stream nothing to a socket opened from another origin, even with a valid cookie', async () => {
    const evil = socket(s.cookie, 'http://evil.example');
    expect(await evil.outcome).toBe('foreign_origin');
    evil.sock.close();
    const own = socket(s.cookie, s.url);
    expect(await own.outcome).toBe('snapshot');
    own.sock.close();
  });

  it('should cap the live sockets of one session', async () => {
    const u = await s.createUser('district');
    const cookie = await s.login(u.username, u.password);
    const opened = Array.from({ length: 20 }, () => socket(cookie));
    const outcomes = await Promise.all(opened.map((o) => o.outcome));
    expect(outcomes.filter((o) => o === 'snapshot')).toHaveLength(16);
    expect(outcomes.filter((o) => o === 'too_many_connections')).toHaveLength(4);
    for (const o of opened) o.sock.close();
    // closed sockets free their places
    const again = socket(cookie);
    expect(await again.outcome).toBe('snapshot');
    again.sock.close();
  });
});

describe('display links', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, publicUrl: 'https://ops.yangpu.example' });
  });
  afterAll(() => s.stop({ removeData: true }));

  const enrol = (token: string, cookie?: string, replace?: boolean) =>
    postJson(s.url, '/api/v1/session/display', { token, ...(replace === undefined ? {} : { replace }) }, undefined, cookie ? { cookie } : {});

  it("should ask before replacing an officer's session, and end that session when told to", async () => {
    const d = await s.createDisplay(WUJIAOCHANG);
    const u = await s.createUser('district');
    const officer = await s.login(u.username, u.password);
    const asked = await enrol(d.token, officer);
    expect(asked.status).toBe(409);
    expect(asked.json.error).toMatchObject({ code: 'SESSION_EXISTS', message: expect.stringContaining(u.username) });
    expect((await s.get('/api/v1/session', officer)).status).toBe(200); // untouched
    const replaced = await enrol(d.token, officer, true);
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ kind: 'display', areaId: WUJIAOCHANG });
    expect((await s.get('/api/v1/session', officer)).status).toBe(401);
  });

  it('should enrol once per link, also when the link is opened twice at the same moment', async () => {
    const d = await s.createDisplay(WUJIAOCHANG);
    const answers = await Promise.all(Array.from({ length: 8 }, () => enrol(d.token)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 401);
    expect(refused).toHaveLength(7);
    expect(refused[0]!.json.error.message).toMatch(/used already/);
    const listed = (await s.store.identities.listDisplayTokens()).find((x) => x.id === d.id)!;
    expect(listed.enrolledAt).not.toBeNull();
  });

  it('should give a display a new link at the public address, which works once and retires the old one', async () => {
    const d = await s.createDisplay(WUJIAOCHANG);
    expect((await enrol(d.token)).status).toBe(200);
    const admin = await s.login(ADMIN.username, ADMIN.password);
    const link = await postJson(s.url, `/api/v1/admin/displays/${d.id}/link`, {}, undefined, { cookie: admin });
    expect(link.status).toBe(201);
    expect(link.json.enrolUrl).toBe(`https://ops.yangpu.example/?display=${encodeURIComponent(link.json.token)}`);
    expect(link.json.display.enrolledAt).toBeNull();
    expect((await enrol(d.token)).status).toBe(401);
    expect((await enrol(link.json.token)).status).toBe(200);
    const created = await postJson(s.url, '/api/v1/admin/displays', { name: 'lobby', areaId: WUJIAOCHANG }, undefined, { cookie: admin });
    expect(created.json.enrolUrl).toMatch(/^https:\/\/ops\.yangpu\.example\/\?display=osd_/);
  });
});

describe('error answers', () => {
  it('should answer another method on the session with 405, the methods it takes, and a JSON body', async () => {
    const s = await startTestServer({ serveWeb: false });
    try {
      const r = await fetch(`${s.url}/api/v1/session`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, POST, DELETE');
      expect(await r.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not allowed here; use GET, POST or DELETE' } });
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('statistics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should refuse a period longer than 400 days with a clear error', async () => {
    const r = await s.get('/api/v1/stats?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe('a period may span at most 400 days');
    expect((await s.get('/api/v1/stats?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(200);
  });
});

describe('sessions that expire', () => {
  it('should refuse an expired session over REST and close its live socket', async () => {
    let now = Date.now();
    const s = await startTestServer({ serveWeb: false, clock: { now: () => now }, auth: { sessionTtlMs: 60 * 60_000 }, sessionCheckMs: 100 });
    try {
      const u = await s.createUser('district');
      const cookie = await s.login(u.username, u.password);
      const sock = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
      await new Promise((resolve) => sock.once('snapshot', resolve));
      const closed = new Promise<string>((resolve) => sock.once('disconnect', resolve));
      expect((await s.get('/api/v1/session', cookie)).status).toBe(200);
      now += 61 * 60_000;
      expect(await closed).toBe('io server disconnect');
      expect((await s.get('/api/v1/session', cookie)).status).toBe(401);
      expect((await s.get('/api/v1/events', cookie)).status).toBe(401);
      sock.close();
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('cookies behind TLS', () => {
  it('should mark the session cookie Secure, HttpOnly and SameSite=Strict', async () => {
    const s = await startTestServer({ serveWeb: false, secureCookies: true });
    try {
      const r = await postJson(s.url, '/api/v1/session', ADMIN);
      const set = r.headers.get('set-cookie')!;
      expect(sessionCookie(set)).not.toBe('');
      expect(set).toMatch(/;\s*Secure/i);
      expect(set).toMatch(/;\s*HttpOnly/i);
      expect(set).toMatch(/;\s*SameSite=Strict/i);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
