import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/index.ts';
import { Readiness } from '../../shared/index.ts';
import type { Logger } from '../../server/ports.ts';
import { LATEST_SCHEMA_VERSION } from '../../server/stores/sqlite/migrations.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const WUJIAOCHANG: [number, number] = [121.514, 31.302];
const OUTSIDE: [number, number] = [121.6, 31.2];
let n = 0;
const ev = (over: Record<string, unknown> = {}) => ({
  source: 'grid',
  externalId: `ops-${Date.now()}-${++n}`,
  category: 'fire_hazard',
  title: '消防通道堵塞',
  lng: WUJIAOCHANG[0],
  lat: WUJIAOCHANG[1],
  occurredAt: new Date().toISOString(),
  ...over,
});

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

async function scrape(s: { url: string }, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
async function connect(s: TestServer): Promise<{ socket: Client; upserts: number; frames: number }> {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie: s.cookie } });
  const client = { socket, upserts: 0, frames: 0 };
  socket.on('event:upsert', (d) => {
    client.frames++;
    client.upserts += d.events.length;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  return client;
}

describe('GET /metrics', () => {
  it('should count ingest by source and outcome, commit latency, login failures, deltas, sockets by level and the database size', async () => {
    const s = await startTestServer({ serveWeb: false });
    const other = await startTestServer({ serveWeb: false });
    const client = await connect(s);
    try {
      const source = `test-${s.port}`; // the ingest key's name
      const a = ev();
      const events = await postJson(s.url, '/api/v1/events', { events: [a, ev(), a, ev({ lng: OUTSIDE[0], lat: OUTSIDE[1] })] }, s.ingestKey);
      expect(events.json).toMatchObject({ accepted: 3, rejected: 1 });
      const readings = await postJson(s.url, '/api/v1/readings', { readings: [
        { indicator: 'pm25', value: 35, at: new Date().toISOString(), areaId: '310110' },
        { indicator: 'no_such_indicator', value: 1, at: new Date().toISOString(), areaId: '310110' },
      ] }, s.ingestKey);
      expect(readings.status).toBe(200);
      expect((await postJson(s.url, '/api/v1/events', { events: [{ title: 'no fields' }] }, s.ingestKey)).status).toBe(400);
      expect((await postJson(s.url, '/api/v1/events', { events: [ev()] }, 'osk_not-a-key')).status).toBe(401);
      await expect(s.login('admin', 'not-the-password')).rejects.toThrow(/401/);
      await expect(s.login('nobody-here', 'not-the-password')).rejects.toThrow(/401/);
      await expect.poll(() => client.upserts, { timeout: 5000 }).toBeGreaterThanOrEqual(2);

      const m = await scrape(s);
      expect(m.status).toBe(200);
      expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const t = m.text;
      expect(sample(t, 'onescreen_ingest_items_total', { kind: 'event', source, outcome: 'created' })).toBe(2);
      expect(sample(t, 'onescreen_ingest_items_total', { kind: 'event', source, outcome: 'duplicate' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_items_total', { kind: 'event', source, outcome: 'rejected' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_items_total', { kind: 'reading', source, outcome: 'accepted' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_items_total', { kind: 'reading', source, outcome: 'rejected' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'event', source, outcome: 'committed' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'event', source, outcome: 'invalid' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'event', source: 'unknown', outcome: 'unauthorized' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'reading', source, outcome: 'committed' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_commit_duration_seconds_count', { kind: 'event' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_commit_duration_seconds_count', { kind: 'reading' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_commit_duration_seconds_sum', { kind: 'event' })).toBeGreaterThan(0);
      expect(sample(t, 'onescreen_login_failures_total', { reason: 'wrong_password' })).toBe(1);
      expect(sample(t, 'onescreen_login_failures_total', { reason: 'unknown_user' })).toBe(1);
      expect(sample(t, 'onescreen_login_failures_total', { reason: 'throttled' })).toBe(0);
      // the officer's socket sits in the district room: two events created by one commit, one delta carrying both
      expect(client.frames).toBe(1);
      expect(sample(t, 'onescreen_deltas_sent_total', { kind: 'event:upsert', level: 'district' })).toBe(1);
      expect(sample(t, 'onescreen_sockets', { level: 'district' })).toBe(1);
      expect(sample(t, 'onescreen_sockets', { level: 'street' })).toBe(0);
      expect(sample(t, 'onescreen_database_size_bytes')).toBeGreaterThanOrEqual(statSync(join(s.dataDir, 'onescreen.sqlite')).size);
      expect(sample(t, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(t).toMatch(/^process_cpu_user_seconds_total /m);

      client.socket.disconnect();
      await expect.poll(async () => sample((await scrape(s)).text, 'onescreen_sockets', { level: 'district' }), { timeout: 5000 }).toBe(0);
      // every app has its own registry: the other server counted nothing of this
      const o = (await scrape(other)).text;
      expect(sample(o, 'onescreen_ingest_items_total', { kind: 'event', source, outcome: 'created' })).toBeUndefined();
      expect(sample(o, 'onescreen_login_failures_total', { reason: 'wrong_password' })).toBe(0);
    } finally {
      client.socket.disconnect();
      await other.stop({ removeData: true });
      await s.stop({ removeData: true });
    }
  });

  it('should count failed sign-ins by reason: unknown user, wrong password, disabled, throttled', async () => {
    const s = await startTestServer({ serveWeb: false, app: { auth: { loginFailuresPerUser: 2 } } });
    try {
      const u = await s.createUser('district');
      await s.app.auth.setUserDisabled({ actor: 'test', actorKind: 'system', ip: '-' }, u.username, true);
      await expect(s.login(u.username, u.password)).rejects.toThrow(/401/); // disabled
      await expect(s.login('nobody-here', 'some-password')).rejects.toThrow(/401/);
      await expect(s.login('admin', 'not-the-password')).rejects.toThrow(/401/);
      await expect(s.login('admin', 'not-the-password')).rejects.toThrow(/401/);
      await expect(s.login('admin', 'admin-password-1')).rejects.toThrow(/429/); // two failures: throttled
      const t = (await scrape(s)).text;
      expect(['unknown_user', 'wrong_password', 'disabled', 'throttled'].map((reason) => sample(t, 'onescreen_login_failures_total', { reason }))).toEqual([1, 2, 1, 1]);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should count a throttled ingest request against its key', async () => {
    const s = await startTestServer({ serveWeb: false, ingestRatePerSec: 1 });
    try {
      const statuses: number[] = [];
      while (!statuses.includes(429)) statuses.push((await postJson(s.url, '/api/v1/events', { events: [ev()] }, s.ingestKey)).status);
      const t = (await scrape(s)).text;
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'event', source: `test-${s.port}`, outcome: 'rate_limited' })).toBe(1);
      expect(sample(t, 'onescreen_ingest_batches_total', { kind: 'event', source: `test-${s.port}`, outcome: 'committed' })).toBe(statuses.length - 1);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should count a breach once, by the stage that overran', async () => {
    let now = Date.now();
    const s = await startTestServer({ serveWeb: false, clock: { now: () => now }, breachCheckMs: 50 });
    try {
      const r = await postJson(s.url, '/api/v1/events', { events: [ev({ severity: 'critical' })] }, s.ingestKey); // accept within 75 s
      const id = r.json.results[0].id;
      now += 80_000;
      await expect.poll(async () => (await s.get(`/api/v1/events/${id}`)).json.breaches, { timeout: 5000 }).toBe(1);
      expect(sample((await scrape(s)).text, 'onescreen_case_breaches_total', { stage: 'reported' })).toBe(1);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should ask for the bearer token when METRICS_TOKEN is set, and only then', async () => {
    const token = 'a-metrics-token-of-some-length';
    const s = await startTestServer({ serveWeb: false, app: { metricsToken: token } });
    try {
      expect((await scrape(s)).status).toBe(401);
      expect((await scrape(s, { authorization: 'Bearer a-metrics-token-of-some-lengtX' })).status).toBe(401);
      expect((await scrape(s, { authorization: `Basic ${token}` })).status).toBe(401);
      const ok = await scrape(s, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('onescreen_ingest_items_total');
      // the other routes are not affected
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('GET /api/ready', () => {
  /** the warnings the server logs (the public answer says only that it is not ready) */
  function warnings() {
    const lines: string[] = [];
    const logger: Logger = { info() {}, debug() {}, error() {}, warn: (o) => void lines.push(JSON.stringify(o)) };
    return { lines, logger };
  }
  const NOT_READY = { status: 'unavailable', checks: { database: 'not answering as this version expects; see the server log' } };

  it('should be ready while the database answers, and 503 once it is closed, while health stays up', async () => {
    const log = warnings();
    const s = await startTestServer({ serveWeb: false, logger: log.logger });
    try {
      const ready = await fetch(`${s.url}/api/ready`);
      expect(ready.status).toBe(200);
      expect(Readiness.parse(await ready.json())).toEqual({ status: 'ready', checks: { database: 'ok' } });

      await s.store.close(); // the database goes away under the running server
      const down = await fetch(`${s.url}/api/ready`);
      expect(down.status).toBe(503);
      expect(Readiness.parse(await down.json())).toEqual(NOT_READY);
      expect(log.lines.join('\n')).toContain('the database is closed');
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
      expect(sample((await scrape(s)).text, 'onescreen_database_size_bytes')).toBeNaN();
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should be unavailable when the database holds a schema this version does not expect', async () => {
    const log = warnings();
    const s = await startTestServer({ serveWeb: false, logger: log.logger });
    try {
      // another process (a newer OneScreen, say) migrates the same file further
      const other = new Database(join(s.dataDir, 'onescreen.sqlite'));
      other.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', Date.now());
      other.close();
      const res = await fetch(`${s.url}/api/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual(NOT_READY);
      expect(log.lines.join('\n')).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}, this version expects ${LATEST_SCHEMA_VERSION}`);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('access log', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const logger: Logger = {
      info: (o, msg) => void lines.push(typeof o === 'string' ? { msg: o } : { ...o, msg }),
      warn() {},
      debug() {},
      error() {},
    };
    return { lines, logger, access: () => lines.filter((l) => l.type === 'access') };
  }

  it('should write method, route pattern, status, duration and address, and never a cookie, token, id or query', async () => {
    const log = capture();
    const s = await startTestServer({ serveWeb: false, logger: log.logger });
    try {
      const display = await s.createDisplay('310110019000');
      const posted = await postJson(s.url, '/api/v1/events', { events: [ev()] }, s.ingestKey);
      const id: string = posted.json.results[0].id;
      const cookieValue = s.cookie.split('=')[1]!;
      const before = log.access().length;
      const got = await fetch(`${s.url}/api/v1/events/${id}?display=${display.token}`, { headers: { cookie: s.cookie, authorization: `Bearer ${s.ingestKey}` } });
      expect(got.status).toBe(200);
      // an unknown query parameter: refused, and the refusal is logged with its route
      expect((await fetch(`${s.url}/api/v1/events?display=${display.token}`, { headers: { cookie: s.cookie } })).status).toBe(400);
      expect((await fetch(`${s.url}/api/v1/no-such-thing/${id}?display=${display.token}`, { headers: { cookie: s.cookie } })).status).toBe(404);
      await postJson(s.url, '/api/v1/session', { username: 'admin', password: 'a-wrong-password' });

      const lines = log.access().slice(before);
      expect(lines).toEqual([
        { type: 'access', method: 'GET', route: '/api/v1/events/:id', status: 200, ms: expect.any(Number), ip: '127.0.0.1', msg: 'request' },
        { type: 'access', method: 'GET', route: '/api/v1/events', status: 400, ms: expect.any(Number), ip: '127.0.0.1', msg: 'request' },
        { type: 'access', method: 'GET', route: '/api/*', status: 404, ms: expect.any(Number), ip: '127.0.0.1', msg: 'request' },
        { type: 'access', method: 'POST', route: '/api/v1/session', status: 401, ms: expect.any(Number), ip: '127.0.0.1', msg: 'request' },
      ]);
      expect(log.access().find((l) => l.method === 'POST' && l.route === '/api/v1/events')).toMatchObject({ status: 200 });
      const all = JSON.stringify(log.lines);
      for (const secret of [cookieValue, s.ingestKey, display.token, id, 'a-wrong-password', 'display=']) expect(all).not.toContain(secret);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should write nothing when ACCESS_LOG is off', async () => {
    const log = capture();
    const s = await startTestServer({ serveWeb: false, logger: log.logger, app: { accessLog: false } });
    try {
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
      expect(log.access()).toEqual([]);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('a database written by a newer version', () => {
  const run = (file: string, args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      // the timeout only ends a server that wrongly started; it is not what the test measures
      execFile(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });

  it('should stop the server and the admin command with a clear message', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-newer-'));
    try {
      const store = new SqliteStore(join(dataDir, 'onescreen.sqlite'));
      await store.migrate();
      await store.close();
      const db = new Database(join(dataDir, 'onescreen.sqlite'));
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 3, 'from the future', Date.now());
      db.close();
      const message = `this database was written by a newer OneScreen (schema ${LATEST_SCHEMA_VERSION + 3}, this version knows up to ${LATEST_SCHEMA_VERSION}); upgrade OneScreen or restore a backup`;

      const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'silent' };
      const server = await run('server/main.ts', [], env);
      expect(server.code).toBe(1);
      expect(server.stderr).toContain(message);
      const admin = await run('server/admin.ts', ['user', 'list'], env);
      expect(admin.code).toBe(2);
      expect(admin.stderr).toContain(message);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
