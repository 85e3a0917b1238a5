/**
 * Wall displays' scenes over HTTP and the socket: an admin saves a display's playlist and layout
 * (validated: bounds, areas within the display's own), the display's walls get it live and only
 * theirs; officers pause and resume a display's rotation within their scope, audited, and a street
 * officer cannot touch another street's display.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, DisplayConfig, ServerToClientEvents } from '../../shared/index.ts';
import { LocalCluster, type Cluster, type ClusterMessage, type Deliver, type LimiterOptions } from '../../server/cluster/cluster.ts';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const WJC = '310110019000'; // 五角场街道
const DHL = '310110001000'; // 定海路街道
const areas = shippedData().areas.features.map((f) => f.properties);
const gridOf = (streetId: string) => areas.find((a) => a.level === 'grid' && a.parentId === streetId)!.id;

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** a socket that records every configuration it is sent */
function connect(s: TestServer, cookie: string) {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
  const configs: DisplayConfig[] = [];
  socket.on('display:config', (c) => configs.push(c));
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, configs, ready };
}

describe('display scenes', () => {
  let s: TestServer;
  let admin: string;
  let wjcOfficer: string;
  let dhlOfficer: string;
  let wjcWall: { id: string; cookie: string };
  let dhlWall: { id: string; cookie: string };
  const sockets: Client[] = [];

  const enrol = async (areaId: string) => {
    const d = await s.createDisplay(areaId);
    const r = await postJson(s.url, '/api/v1/session/display', { token: d.token });
    expect(r.status).toBe(200);
    return { id: d.id, cookie: /onescreen_session=[^;]+/.exec(r.headers.get('set-cookie')!)![0] };
  };
  const send = async (method: string, path: string, body: unknown, cookie: string) => {
    const res = await fetch(`${s.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const put = (id: string, body: unknown, cookie = admin) => send('PUT', `/api/v1/admin/displays/${encodeURIComponent(id)}/config`, body, cookie);
  const rotate = (id: string, body: unknown, cookie: string) => send('POST', `/api/v1/displays/${encodeURIComponent(id)}/rotation`, body, cookie);

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    admin = await s.login(ADMIN.username, ADMIN.password);
    const w = await s.createUser('street', WJC);
    wjcOfficer = await s.login(w.username, w.password);
    const d = await s.createUser('street', DHL);
    dhlOfficer = await s.login(d.username, d.password);
    wjcWall = await enrol(WJC);
    dhlWall = await enrol(DHL);
  }, 60_000);
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s.stop({ removeData: true });
  });

  it('should answer the defaults for a display never configured', async () => {
    const r = await s.get(`/api/v1/admin/displays/${wjcWall.id}/config`, admin);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ displayId: wjcWall.id, areaId: WJC, scenes: [], layout: '1920x1080', pause: null, updatedAt: null, updatedBy: null });
    expect((await s.get('/api/v1/admin/displays/nope/config', admin)).status).toBe(404);
    expect((await s.get('/api/v1/admin/displays/constructor/config', admin)).status).toBe(404);
    // officers and walls are not admins
    expect((await s.get(`/api/v1/admin/displays/${wjcWall.id}/config`, wjcOfficer)).status).toBe(403);
    expect((await s.get(`/api/v1/admin/displays/${wjcWall.id}/config`, wjcWall.cookie)).status).toBe(403);
  });

  it('should refuse bad playlists with 400 naming the field, and store nothing', async () => {
    const grid = gridOf(WJC);
    const bad: [unknown, string][] = [
      [{ scenes: [{ kind: 'street', areaId: DHL, durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'], // another street
      [{ scenes: [{ kind: 'street', areaId: grid, durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'], // a grid is no street
      [{ scenes: [{ kind: 'area', areaId: gridOf(DHL), durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'], // another street's grid
      [{ scenes: [{ kind: 'area', areaId: 'constructor', durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'],
      [{ scenes: [{ kind: 'street', durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'], // names no area
      [{ scenes: [{ kind: 'alarms', areaId: WJC, durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.areaId'], // takes none
      [{ scenes: [{ kind: 'overview', durationSec: 9 }], layout: '1920x1080' }, 'scenes.0.durationSec'],
      [{ scenes: [{ kind: 'overview', durationSec: 3601 }], layout: '1920x1080' }, 'scenes.0.durationSec'],
      [{ scenes: [{ kind: 'overview', durationSec: 12.5 }], layout: '1920x1080' }, 'scenes.0.durationSec'],
      [{ scenes: [{ kind: 'ticker', durationSec: 30 }], layout: '1920x1080' }, 'scenes.0.kind'],
      [{ scenes: Array.from({ length: 21 }, () => ({ kind: 'loop', durationSec: 10 })), layout: '1920x1080' }, 'scenes'],
      [{ scenes: [], layout: '1024x768' }, 'layout'],
      [{ scenes: [], layout: '1920x1080', extra: 1 }, '(body)'],
    ];
    for (const [body, path] of bad) {
      const r = await put(wjcWall.id, body);
      expect(r.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(r.json.error.code).toBe('VALIDATION');
      expect(r.json.error.issues.map((i: { path: string }) => i.path), JSON.stringify(body).slice(0, 120)).toContain(path);
    }
    expect((await put(wjcWall.id, 'not json')).status).toBe(400);
    expect((await put(wjcWall.id, { scenes: [], layout: '1920x1080', pad: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await put('nope', { scenes: [], layout: '1920x1080' })).status).toBe(404);
    expect((await put(wjcWall.id, { scenes: [], layout: '1920x1080' }, wjcOfficer)).status).toBe(403);
    expect(await s.store.displayConfigs.get(wjcWall.id)).toBeNull();
  });

  it('should push a saved playlist live to that display’s walls only, and send it to a wall when it connects', async () => {
    const mine = connect(s, wjcWall.cookie);
    const other = connect(s, dhlWall.cookie);
    const person = connect(s, wjcOfficer);
    sockets.push(mine.socket, other.socket, person.socket);
    await Promise.all([mine.ready, other.ready, person.ready]);
    // on connection each display gets its own configuration (the defaults), a person none
    await until(() => mine.configs.length === 1 && other.configs.length === 1);
    expect(mine.configs[0]).toMatchObject({ displayId: wjcWall.id, scenes: [] });
    expect(other.configs[0]).toMatchObject({ displayId: dhlWall.id });

    const scenes = [
      { kind: 'overview', durationSec: 20 },
      { kind: 'street', areaId: WJC, durationSec: 30 },
      { kind: 'area', areaId: gridOf(WJC), durationSec: 15 },
      { kind: 'alarms', durationSec: 10 },
      { kind: 'loop', durationSec: 10 },
      { kind: 'hotline', durationSec: 10 },
    ];
    const r = await put(wjcWall.id, { scenes, layout: '5760x1080' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ displayId: wjcWall.id, scenes, layout: '5760x1080', updatedBy: ADMIN.username });
    await until(() => mine.configs.length === 2);
    expect(mine.configs[1]).toEqual(r.json);
    // a burst of saves: the last one is what the display ends up with
    await Promise.all([10, 20, 30].map((d) => put(wjcWall.id, { scenes: [{ kind: 'loop', durationSec: d }], layout: '1920x1080' })));
    await until(() => mine.configs.length === 5);
    expect(mine.configs.at(-1)).toEqual((await s.get(`/api/v1/admin/displays/${wjcWall.id}/config`, admin)).json);

    // a new wall of the display gets the stored configuration when it connects
    const again = connect(s, wjcWall.cookie);
    sockets.push(again.socket);
    await again.ready;
    await until(() => again.configs.length === 1);
    expect(again.configs[0]).toEqual(mine.configs.at(-1));

    expect(other.configs).toHaveLength(1);
    expect(person.configs).toHaveLength(0);
    const audit = (await s.get('/api/v1/admin/audit?limit=50', admin)).json as { action: string; target: string; detail: string }[];
    expect(audit.find((a) => a.action === 'display.config')).toMatchObject({ outcome: 'ok' });
  });

  it('should let an officer pause and resume a display within their scope, pushed live, and refuse others', async () => {
    const mine = connect(s, wjcWall.cookie);
    sockets.push(mine.socket);
    await mine.ready;
    await until(() => mine.configs.length === 1);

    // the street's own officer: pause for 15 min
    const t0 = Date.now();
    const paused = await rotate(wjcWall.id, { action: 'pause', minutes: 15 }, wjcOfficer);
    expect(paused.status).toBe(200);
    expect(paused.json.pause.by).toMatch(/^street-/);
    const until15 = Date.parse(paused.json.pause.until) - t0;
    expect(until15).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(until15).toBeLessThanOrEqual(15 * 60_000 + 5000);
    await until(() => mine.configs.length === 2);
    expect(mine.configs[1]!.pause).toEqual(paused.json.pause);
    // the playlist is kept while paused
    expect(mine.configs[1]!.scenes).toEqual(mine.configs[0]!.scenes);

    // another street's officer: answered like an unknown display, and audited
    expect((await rotate(wjcWall.id, { action: 'resume' }, dhlOfficer)).status).toBe(404);
    expect((await rotate('nope', { action: 'resume' }, dhlOfficer)).status).toBe(404);
    const audit = (await s.get('/api/v1/admin/audit?limit=50', admin)).json as { action: string; outcome: string; detail: string }[];
    expect(audit.find((a) => a.action === 'display.rotation' && a.outcome === 'denied')).toMatchObject({ detail: 'display outside scope' });
    // a wall may not pause anything, not even itself
    expect((await rotate(wjcWall.id, { action: 'resume' }, wjcWall.cookie)).status).toBe(403);
    // bad requests
    for (const body of [{ action: 'pause' }, { action: 'pause', minutes: 0 }, { action: 'pause', minutes: 10081 }, { action: 'stop' }, { action: 'resume', minutes: 5 }]) {
      expect((await rotate(wjcWall.id, body, wjcOfficer)).status, JSON.stringify(body)).toBe(400);
    }
    expect(mine.configs).toHaveLength(2);

    // the district's officer: until resumed, then resume
    const forever = await rotate(wjcWall.id, { action: 'pause', minutes: null }, s.cookie);
    expect(forever.json.pause).toMatchObject({ until: null });
    const resumed = await rotate(wjcWall.id, { action: 'resume' }, wjcOfficer);
    expect(resumed.status).toBe(200);
    expect(resumed.json.pause).toBeNull();
    await until(() => mine.configs.length === 4);
    expect(mine.configs[3]!.pause).toBeNull();
    expect(audit.find((a) => a.action === 'display.rotation' && a.outcome === 'ok')).toMatchObject({ detail: 'paused for 15 min' });
  });

  it('should list to each officer only the displays within their scope', async () => {
    const ids = async (cookie: string) => ((await s.get('/api/v1/displays', cookie)).json as DisplayConfig[]).map((d) => d.displayId).sort();
    expect(await ids(wjcOfficer)).toEqual([wjcWall.id]);
    expect(await ids(dhlOfficer)).toEqual([dhlWall.id]);
    expect(await ids(s.cookie)).toEqual([wjcWall.id, dhlWall.id].sort());
    expect((await s.get('/api/v1/displays', wjcWall.cookie)).status).toBe(403);
    expect((await fetch(`${s.url}/api/v1/displays`)).status).toBe(401);
  });

  it('should refuse to configure or pause a revoked display', async () => {
    const gone = await enrol(WJC);
    const r = await send('POST', `/api/v1/admin/displays/${gone.id}/revoke`, {}, admin);
    expect(r.status).toBe(200);
    expect((await put(gone.id, { scenes: [], layout: '1920x1080' })).status).toBe(409);
    expect((await rotate(gone.id, { action: 'pause', minutes: 15 }, s.cookie)).status).toBe(404);
    expect(((await s.get('/api/v1/displays', s.cookie)).json as DisplayConfig[]).map((d) => d.displayId)).not.toContain(gone.id);
  });
});

/**
 * Two nodes in one process on one database, linked by a bus that carries what each shares to the
 * other (as Redis does between processes): everything else is the single-process cluster.
 */
class BusCluster implements Cluster {
  readonly nodeId = 'bus';
  readonly shared = false;
  private readonly local = new LocalCluster();
  private readonly handlers: ((m: ClusterMessage) => void)[] = [];
  readonly sent: ClusterMessage[] = [];
  peer: BusCluster | undefined;
  adapter = () => undefined;
  start = (deliver: Deliver) => this.local.start(deliver);
  publish = (frames: Parameters<Cluster['publish']>[0]) => this.local.publish(frames);
  position = (areaId: string) => this.local.position(areaId);
  share(m: ClusterMessage): void {
    this.sent.push(m);
    for (const h of this.peer?.handlers ?? []) h(JSON.parse(JSON.stringify(m)) as ClusterMessage);
  }
  onShared(fn: (m: ClusterMessage) => void): void {
    this.handlers.push(fn);
  }
  lease = (name: string) => this.local.lease(name);
  limiter = (o: LimiterOptions) => this.local.limiter(o);
  stop = () => this.local.stop();
}

describe('display scenes on two nodes', () => {
  it('should push a playlist saved on one node to the display’s wall on the other, through the cluster', async () => {
    const busA = new BusCluster();
    const busB = new BusCluster();
    busA.peer = busB;
    busB.peer = busA;
    const a = await startTestServer({ serveWeb: false, cluster: busA });
    const b = await startTestServer({ serveWeb: false, cluster: busB, dataDir: a.dataDir });
    try {
      const d = await b.createDisplay(WJC);
      const r = await postJson(b.url, '/api/v1/session/display', { token: d.token });
      const wall = connect(b, /onescreen_session=[^;]+/.exec(r.headers.get('set-cookie')!)![0]);
      await wall.ready;
      await until(() => wall.configs.length === 1);
      const admin = await a.login(ADMIN.username, ADMIN.password);
      const scenes = [{ kind: 'hotline', durationSec: 10 }];
      const res = await fetch(`${a.url}/api/v1/admin/displays/${d.id}/config`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie: admin }, body: JSON.stringify({ scenes, layout: '1080x1920' }) });
      expect(res.status).toBe(200);
      expect(busA.sent).toEqual([{ t: 'display', config: expect.objectContaining({ displayId: d.id, scenes }) }]);
      await until(() => wall.configs.length === 2);
      expect(wall.configs[1]).toMatchObject({ displayId: d.id, scenes, layout: '1080x1920' });
      wall.socket.close();
    } finally {
      await b.stop();
      await a.stop({ removeData: true });
    }
  }, 60_000);
});
