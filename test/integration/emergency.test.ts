/**
 * 平战结合 over the API and the socket: who may start, change and end an incident of which area,
 * the mode every area follows (its own incident, else the nearest above it), the walls in scope
 * told at once and the others not, the log kept whole into the archive.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/index.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const DISTRICT = '310110';
const WJC = '310110019000'; // 五角场
const KJL = '310110001000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };

let s: TestServer;
const cookies = {} as Record<'wjc' | 'kjl' | 'wall' | 'admin' | 'unit', string>;
const post = (path: string, body: unknown, who = s.cookie) => postJson(s.url, path, body, undefined, { cookie: who });
const start = (over: object = {}, who = s.cookie) =>
  post('/api/v1/emergency', { grade: 'II', class: 'accident', title: '化工仓库火灾', ...WJC_POINT, radiusM: 1500, command: { commander: '王某某 副区长', members: ['区应急管理局'] }, ...over }, who);

function watch(cookie: string, areaId: string) {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { areaId }, extraHeaders: { cookie } });
  const told: string[] = [];
  socket.on('emergency:changed', (m) => told.push(m.areaId));
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('snapshot', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, told, ready };
}
const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  s = await startTestServer({ serveWeb: false });
  for (const [name, role, area] of [['wjc', 'street', WJC], ['kjl', 'street', KJL], ['wall', 'wall', DISTRICT], ['admin', 'admin', undefined], ['unit', 'unit', undefined]] as const) {
    const u = await s.createUser(role, area, role === 'unit' ? 'hazmat' : undefined);
    cookies[name] = await s.login(u.username, u.password);
  }
});
afterAll(async () => {
  await s?.stop({ removeData: true });
});

describe('wartime mode', () => {
  it('should let only those who command an area start its incident, in its own area', async () => {
    expect((await start({}, cookies.wall)).status).toBe(403);
    expect((await start({}, cookies.admin)).status).toBe(403);
    expect((await start({}, cookies.unit)).status).toBe(403);
    // a street officer: its own street only
    expect((await start({ areaId: DISTRICT }, cookies.kjl)).status).toBe(400);
    expect((await start({ areaId: WJC }, cookies.kjl)).status).toBe(400);
    // the place lies in the area; the body is checked
    expect((await start({ areaId: KJL, ...WJC_POINT }, cookies.kjl)).status).toBe(400);
    expect((await start({ grade: 'V' })).status).toBe(400);
    expect((await start({ radiusM: 10 })).status).toBe(400);
    expect((await start({ constructor: 'x' })).status).toBe(400);
    expect((await s.get('/api/v1/emergency', cookies.unit)).status).toBe(403);
    expect((await s.get('/api/v1/emergency')).json).toEqual({ mode: 'peace' });
  });

  it('should switch the walls of the area and below at once, follow the nearest incident, and keep the log whole', async () => {
    const district = watch(cookies.wall, DISTRICT);
    const wjc = watch(cookies.wjc, WJC);
    const kjl = watch(cookies.kjl, KJL);
    await Promise.all([district.ready, wjc.ready, kjl.ready]);

    // a street's own incident: its walls are told, the district's and its neighbour's are not
    const own = await start({ areaId: WJC, grade: 'IV', title: '五角场地下通道积水', drill: true }, cookies.wjc);
    expect(own.status).toBe(201);
    expect(own.json).toMatchObject({ areaId: WJC, grade: 'IV', drill: true, version: 1, endedAt: null, log: [{ seq: 1, kind: 'start' }] });
    await until(() => wjc.told.length === 1);
    expect((await s.get(`/api/v1/emergency?areaId=${WJC}`, cookies.wjc)).json).toMatchObject({ mode: 'war', incident: { id: own.json.id } });
    expect((await s.get('/api/v1/emergency', cookies.kjl)).json).toEqual({ mode: 'peace' });
    expect((await s.get('/api/v1/emergency', cookies.wall)).json).toEqual({ mode: 'peace' });
    // a neighbour may neither read nor end it
    expect((await s.get(`/api/v1/emergency/${own.json.id}`, cookies.kjl)).status).toBe(404);
    expect((await post(`/api/v1/emergency/${own.json.id}/end`, { version: 1, summary: 'x' }, cookies.kjl)).status).toBe(404);
    expect((await start({ areaId: WJC }, cookies.wjc)).status).toBe(409);

    // the district's: every wall is told; the neighbour follows it, 五角场 keeps its own
    const big = await start();
    expect(big.status).toBe(201);
    await until(() => district.told.length === 1 && kjl.told.length === 1 && wjc.told.length === 2);
    expect((await s.get('/api/v1/emergency', cookies.kjl)).json).toMatchObject({ mode: 'war', incident: { id: big.json.id, areaId: DISTRICT } });
    expect((await s.get('/api/v1/emergency', cookies.wjc)).json).toMatchObject({ mode: 'war', incident: { id: own.json.id } });
    // the street reads the district's incident, but does not command it
    expect((await s.get(`/api/v1/emergency/${big.json.id}`, cookies.kjl)).status).toBe(200);
    expect((await post(`/api/v1/emergency/${big.json.id}/log`, { kind: 'release', version: 1, text: '不该由街道发布' }, cookies.kjl)).status).toBe(403);

    // releases and a change, under the version
    const r1 = await post(`/api/v1/emergency/${big.json.id}/log`, { kind: 'release', version: 1, text: '17:40 明火已得到控制，军工路双向封闭，请绕行' });
    expect(r1.status).toBe(200);
    expect((await post(`/api/v1/emergency/${big.json.id}/log`, { kind: 'release', version: 1, text: '晚了一步' })).status).toBe(409);
    const up = await post(`/api/v1/emergency/${big.json.id}/log`, { kind: 'update', version: 2, grade: 'I', radiusM: 3000, note: '升级为一级响应' });
    expect(up.json).toMatchObject({ grade: 'I', radiusM: 3000, version: 3 });
    await until(() => district.told.length === 3);

    // back to peacetime: the area's own incident ends, the neighbour follows peace again
    expect((await post('/api/v1/emergency/end', { version: 3, summary: '明火已扑灭，周边交通恢复' })).status).toBe(200);
    await until(() => district.told.length === 4 && kjl.told.length === 4);
    expect((await s.get('/api/v1/emergency', cookies.kjl)).json).toEqual({ mode: 'peace' });
    expect((await post(`/api/v1/emergency/${big.json.id}/log`, { kind: 'release', version: 4, text: '结束后' })).status).toBe(422);
    const archived = await s.get(`/api/v1/emergency/${big.json.id}`);
    expect(archived.json.log.map((e: { kind: string }) => e.kind)).toEqual(['start', 'release', 'update', 'end']);
    expect(archived.json).toMatchObject({ endedBy: expect.any(String), summary: '明火已扑灭，周边交通恢复' });
    expect((await s.get('/api/v1/emergency/archive')).json.incidents.map((i: { id: string }) => i.id)).toEqual([big.json.id]);
    // the street's own incident archive is not the neighbour's
    expect((await post('/api/v1/emergency/end', { version: 1, summary: '积水已排除' }, cookies.wjc)).status).toBe(200);
    // a neighbour's archive: the district's, not 五角场's own
    expect((await s.get('/api/v1/emergency/archive', cookies.kjl)).json.incidents.map((i: { id: string }) => i.id)).toEqual([big.json.id]);
    for (const w of [district, wjc, kjl]) w.socket.close();

    const audit = await s.get('/api/v1/admin/audit?limit=500', cookies.admin);
    const actions = audit.json.filter((a: { action: string }) => a.action.startsWith('emergency.')).map((a: { action: string; outcome: string }) => `${a.action}:${a.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['emergency.start:ok', 'emergency.release:ok', 'emergency.update:ok', 'emergency.end:ok', 'emergency.start:denied', 'emergency.release:denied']));
  });

  it('should import the resource registry, show it without contacts to walls, and dispatch each resource to one incident until it ends', async () => {
    const feature = (id: string, lng = WJC_POINT.lng, lat = WJC_POINT.lat, over: object = {}) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lng, lat] }, properties: { id, kind: 'team', name: `队 ${id}`, owner: '区消防救援支队', contact: '值班室 021-1234-5678', capacity: '队员 30 人', ...over } });
    const put = (body: unknown, who = cookies.admin) => fetch(`${s.url}/api/v1/admin/resources`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie: who }, body: JSON.stringify(body) });
    expect((await put({ type: 'FeatureCollection', features: [feature('a')] }, s.cookie)).status).toBe(403);
    const twice = await put({ type: 'FeatureCollection', features: [feature('a'), feature('a')] });
    expect(twice.status).toBe(400);
    expect((await twice.json()).error.message).toMatch(/features\.1\.properties\.id: a is listed twice/);
    const outside = await put({ type: 'FeatureCollection', features: [feature('a'), feature('far', 121.0, 31.0)] });
    expect((await outside.json()).error.message).toMatch(/features\.1\.geometry: .* lies outside the district/);
    expect((await put({ type: 'FeatureCollection', features: [feature('constructor', WJC_POINT.lng, WJC_POINT.lat, { kind: 'army' })] })).status).toBe(400);
    const ok = await put({ type: 'FeatureCollection', features: [feature('fire-1'), feature('sandbags', WJC_POINT.lng, WJC_POINT.lat, { kind: 'supply' }), feature('off', WJC_POINT.lng, WJC_POINT.lat, { available: false })] });
    expect(ok.status).toBe(200);
    expect((await ok.json()).resources[0]).toMatchObject({ id: 'fire-1', streetId: WJC, demo: false, dispatchedTo: null });
    expect((await s.get('/api/v1/resources', cookies.wall)).json.resources.every((r: { contact: string }) => r.contact === '')).toBe(true);
    expect((await s.get('/api/v1/resources')).json.resources[0].contact).toBe('值班室 021-1234-5678');
    expect((await s.get('/api/v1/resources', cookies.unit)).status).toBe(403);

    // a street's own incident first: under the district's, the district's commanders lead (统一指挥)
    const other = (await start({ areaId: WJC, title: '街道积水' }, cookies.wjc)).json;
    const inc = (await start({ title: '仓库火灾' })).json;
    expect((await start({ areaId: KJL, title: '另一条街' }, cookies.kjl)).status).toBe(409);
    // the district officer reads both running (and commands both); the neighbour only the district's
    expect((await s.get('/api/v1/emergency/running')).json.incidents.map((i: { id: string }) => i.id).sort()).toEqual([inc.id, other.id].sort());
    expect((await s.get('/api/v1/emergency/running', cookies.kjl)).json.incidents.map((i: { id: string }) => i.id)).toEqual([inc.id]);
    const send = (i: { id: string }, version: number, resourceId: string, who = s.cookie) => post(`/api/v1/emergency/${i.id}/log`, { kind: 'dispatch', version, resourceId, note: '立即出动' }, who);
    expect((await send(inc, 1, 'nope')).status).toBe(422);
    expect((await send(inc, 1, 'off')).status).toBe(409);
    const sent = await send(inc, 1, 'fire-1');
    expect(sent.status).toBe(200);
    expect(sent.json.log.at(-1)).toMatchObject({ kind: 'dispatch', text: '队 fire-1：立即出动', data: { resourceId: 'fire-1' } });
    // busy: not for the street's incident, nor twice
    expect((await send(other, 1, 'fire-1', cookies.wjc)).status).toBe(409);
    expect((await s.get('/api/v1/resources')).json.resources.find((r: { id: string }) => r.id === 'fire-1').dispatchedTo).toBe(inc.id);
    // a re-import keeps it out on its incident
    expect((await put({ type: 'FeatureCollection', features: [feature('fire-1'), feature('sandbags', WJC_POINT.lng, WJC_POINT.lat, { kind: 'supply' })] })).status).toBe(200);
    expect((await send(other, 1, 'fire-1', cookies.wjc)).status).toBe(409);
    // a neighbour learns it is busy, not for which incident; 五角场 sees the district's incident
    expect((await s.get('/api/v1/resources', cookies.wjc)).json.resources.find((r: { id: string }) => r.id === 'fire-1').dispatchedTo).toBe(inc.id);
    expect((await send(other, 1, 'sandbags', cookies.wjc)).status).toBe(200);
    expect((await s.get('/api/v1/resources', cookies.kjl)).json.resources.find((r: { id: string }) => r.id === 'sandbags').dispatchedTo).toBe('other');
    // a stale version frees what it claimed
    expect((await send(inc, 1, 'fire-1')).status).toBe(409);
    // the end frees its resources
    expect((await post(`/api/v1/emergency/${inc.id}/end`, { version: 2, summary: '结束' })).status).toBe(200);
    expect((await s.get('/api/v1/resources')).json.resources.find((r: { id: string }) => r.id === 'fire-1').dispatchedTo).toBeNull();
    expect((await send(other, 2, 'fire-1', cookies.wjc)).status).toBe(200);
    expect((await post('/api/v1/emergency/end', { version: 3, summary: '结束' }, cookies.wjc)).status).toBe(200);
    // the street's archive holds its own and the district's
    expect((await s.get('/api/v1/emergency/archive', cookies.wjc)).json.incidents.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([inc.id, other.id]));

    // two streets at war at once: a resource one sends or frees is news to the other's walls too
    // (they show the resources near their incident)
    const wjcInc = (await start({ areaId: WJC, title: '街道积水 2' }, cookies.wjc)).json;
    const kjlInc = (await start({ areaId: KJL, title: '燃气泄漏', lng: 121.5467, lat: 31.2706 }, cookies.kjl)).json;
    expect(kjlInc.id).toBeTruthy();
    const kjlWall = watch(cookies.kjl, KJL);
    await kjlWall.ready;
    try {
      expect((await send(wjcInc, 1, 'fire-1', cookies.wjc)).status).toBe(200);
      await until(() => kjlWall.told.includes(KJL));
      kjlWall.told.length = 0;
      expect((await post('/api/v1/emergency/end', { version: 2, summary: '结束' }, cookies.wjc)).status).toBe(200);
      await until(() => kjlWall.told.includes(KJL));
    } finally {
      kjlWall.socket.close();
    }
    expect((await post('/api/v1/emergency/end', { version: 1, summary: '结束' }, cookies.kjl)).status).toBe(200);
  });
});
