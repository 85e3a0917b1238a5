/**
 * @module test/helpers/server
 * Starts the real OneScreen app on an ephemeral loopback port with a temporary SQLite file,
 * optionally with the simulator, and creates an ingest key for the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type AppOptions, type OneScreenApp } from '../../server/app.ts';
import type { Cluster } from '../../server/cluster/cluster.ts';
import { loadShippedData, type ShippedData } from '../../server/data.ts';
import { createIngestKey } from '../../server/middleware/ingest-auth.ts';
import type { Clock, Logger, Store } from '../../server/ports.ts';
import type { AuthOptions, ScryptParams } from '../../server/services/auth.service.ts';
import type { Role, TimeLimits } from '../../shared/index.ts';
import { startSimulator } from '../../server/simulator/simulator.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

export const quietLogger: Logger = { info() {}, warn() {}, debug() {}, error: (o, m) => console.error(m ?? '', o) };

let shipped: ShippedData | undefined;
export const shippedData = () => (shipped ??= loadShippedData());

/** no roads and no key areas */
const NO_LAYERS = { roads: { type: 'FeatureCollection' as const, features: [] }, keyAreas: { type: 'FeatureCollection' as const, features: [] }, buildings: { type: 'FeatureCollection' as const, features: [] } };

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/**
 * A cheap password hash for tests (production uses {@link PRODUCTION_SCRYPT}: 128 MiB and a third
 * of a second a hash, which would make every sign-in in the suite slow).
 */
export const TEST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

export interface TestServer<S extends Store = SqliteStore> {
  url: string;
  port: number;
  ingestKey: string;
  /** a `Cookie` header value of a district duty officer's session */
  cookie: string;
  /** sign in through the API; returns the `Cookie` header value `onescreen_session=…` */
  login(username: string, password: string): Promise<string>;
  /** a new user of that role (and area; a `unit` account names its unit); its password is returned */
  createUser(role: Role, areaId?: string, unitId?: string, cleared?: boolean): Promise<{ username: string; password: string }>;
  /** a new display token for an area */
  createDisplay(areaId: string): Promise<{ id: string; token: string }>;
  /** GET a JSON API path with the district officer's (or the given) session */
  get(path: string, cookie?: string): Promise<{ status: number; json: any }>;
  dataDir: string;
  app: OneScreenApp;
  store: S;
  /** stop the server (and simulator); the data dir is kept unless `removeData` */
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

export interface TestServerOptions<S extends Store = SqliteStore> {
  /**
   * open another store instead of the SQLite file in the data dir (e.g. a PostgresStore; call it
   * again with the same database to restart on it); it is migrated here and closed by `stop()`
   */
  store?: () => S;
  simulator?: boolean;
  seed?: number;
  /** reuse a data dir, e.g. to restart on the same database */
  dataDir?: string;
  clock?: Clock;
  ingestMaxBytes?: number;
  flushPerSec?: number;
  /** serve the built web from dist/web (default true) */
  serveWeb?: boolean;
  /**
   * the shipped demo's roads and key areas (default off: a case in 五角场 would otherwise run on the
   * key area's tightened limits, and every test would have to allow for it)
   */
  demoLayers?: boolean;
  simulatorTickMs?: number;
  /** simulated minutes per real minute (default 1): a faster simulated centre closes cases sooner */
  simulatorSpeed?: number;
  ingestRatePerSec?: number;
  breachCheckMs?: number;
  /** district-wide simulated events per hour at peak activity (default 60) */
  simulatorEventsPerHour?: number;
  /** time limits instead of the shipped `data/time-limits.json` (short ones let a test see a breach) */
  timeLimits?: TimeLimits;
  /** auth options over the test defaults (cheap hashes, a generous limit of sign-ins per address) */
  auth?: Partial<AuthOptions>;
  publicUrl?: string;
  trustProxy?: number;
  secureCookies?: boolean;
  sessionCheckMs?: number;
  /** instead of the quiet logger (e.g. to capture access logs) */
  logger?: Logger;
  /** further app options (e.g. `metricsToken`) */
  app?: Partial<AppOptions>;
  /** the centre's `TIME_ZONE` (default Asia/Shanghai) */
  timeZone?: string;
  /** instead of the single-process cluster (e.g. one that links two test servers) */
  cluster?: Cluster;
}

export function startTestServer<S extends Store>(opts: TestServerOptions<S> & { store: () => S }): Promise<TestServer<S>>;
export function startTestServer(opts?: TestServerOptions): Promise<TestServer>;
export async function startTestServer(opts: TestServerOptions<Store> = {}): Promise<TestServer<Store>> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'onescreen-test-'));
  const store = opts.store ? opts.store() : new SqliteStore(join(dataDir, 'onescreen.sqlite'));
  await store.migrate();
  const clock = opts.clock ?? { now: () => Date.now() };
  const app = createApp({
    store,
    clock,
    data: { ...shippedData(), ...(opts.timeLimits ? { timeLimits: opts.timeLimits } : {}), ...(opts.demoLayers ? {} : NO_LAYERS) },
    logger: opts.logger ?? quietLogger,
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    options: {
      ingestMaxBytes: opts.ingestMaxBytes ?? 4 * 1024 * 1024,
      indicatorFlushPerSec: opts.flushPerSec ?? 4,
      rawRetentionHours: 48,
      timeZone: opts.timeZone ?? 'Asia/Shanghai',
      centreName: { zh: '杨浦区城市运行管理中心', en: 'Yangpu District City Operations Centre' },
      simulatorOn: opts.simulator ?? false,
      ingestRatePerSec: opts.ingestRatePerSec ?? 1000,
      sessionCheckMs: opts.sessionCheckMs ?? 500,
      auth: { scrypt: TEST_SCRYPT, anonymousPerMinute: 10_000, ...opts.auth },
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
      ...(opts.secureCookies ? { secureCookies: true } : {}),
      breachCheckMs: opts.breachCheckMs ?? 200,
      ...(opts.serveWeb === false ? {} : { staticRoot: fileURLToPath(new URL('../../dist/web', import.meta.url)) }),
      ...opts.app,
    },
  });
  const { port } = await app.start(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const { key } = await createIngestKey(store, `test-${port}`, { now: clock.now() });
  const system = { actor: 'test', actorKind: 'system' as const, ip: '-' };
  if (!(await store.identities.findUserByUsername(ADMIN.username))) await app.auth.createUser(system, { ...ADMIN, role: 'admin' });
  let users = 0;
  const login = async (username: string, password: string) => {
    const r = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (r.status !== 200) throw new Error(`login of ${username} answered ${r.status}: ${await r.text()}`);
    const m = /onescreen_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
    if (!m) throw new Error('login set no session cookie');
    return `onescreen_session=${m[1]}`;
  };
  const createUser = async (role: Role, areaId?: string, unitId?: string, cleared?: boolean) => {
    const u = { username: `${role}-${port}-${++users}`, password: `pw-${role}-${users}-long-enough` };
    await app.auth.createUser(system, { ...u, role, areaId, unitId, cleared });
    return u;
  };
  const officer = await createUser('district');
  const cookie = await login(officer.username, officer.password);
  const simulator = opts.simulator
    ? await startSimulator({
        baseUrl: url,
        store,
        tree: app.tree,
        indicators: app.indicators.definitions,
        seed: opts.seed ?? 42,
        timeZone: opts.timeZone ?? 'Asia/Shanghai',
        logger: quietLogger,
        tickMs: opts.simulatorTickMs ?? 1000,
        eventsPerHour: opts.simulatorEventsPerHour ?? 60,
        ...(opts.simulatorSpeed ? { speed: opts.simulatorSpeed } : {}),
        loop: { limits: app.data.timeLimits, rules: app.data.responsibility },
        passwordHashing: TEST_SCRYPT,
      })
    : undefined;
  return {
    url,
    port,
    ingestKey: key,
    cookie,
    login,
    createUser,
    async createDisplay(areaId: string) {
      const r = await app.auth.createDisplay(system, `wall-${port}-${++users}`, areaId);
      return { id: r.display.id, token: r.token };
    },
    async get(path: string, c = cookie) {
      const res = await fetch(`${url}${path}`, { headers: { cookie: c } });
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    },
    dataDir,
    app,
    store,
    async stop(o) {
      await simulator?.stop();
      await app.stop();
      await store.close();
      if (o?.removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST a JSON body to the ingest API with a key */
export async function postJson(base: string, path: string, body: unknown, key?: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
