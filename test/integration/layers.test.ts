/**
 * 路长制 roads and key areas over the API (R1.8, R1.9): the demo's layers scoped to the caller (a
 * 路长's phone masked), a case attributed to the road it lies on and the key areas around it, a key
 * area's tightened time limits on a fake clock (at report and at each later stage), statistics by
 * road and by key area, and the administrator's import — checked whole with every problem named,
 * nothing kept of a refused one, under its version — and export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildingCollection, GridEvent, KeyAreaCollection, RoadCollection, StatsResponse } from '../../shared/index.ts';
import { AreaTree } from '../../server/domain/areas.ts';
import { dueAt } from '../../server/domain/lifecycle.ts';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const WJC = '310110019000'; // 五角场
/** the demo's sample buildings stand in one grid (国权东路示例小区) */
const B1 = { lng: 121.5063, lat: 31.2962 };
const tree = new AreaTree(shippedData().areas);
const B_GRID = tree.locate(B1.lng, B1.lat)!;
const limits = shippedData().timeLimits;
const clock = { t: Date.parse('2026-12-03T02:00:00Z'), now: () => clock.t };
const MIN = 60_000;

let s: TestServer;
let streetCookie = '';
let adminCookie = '';
let seq = 0;
beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, demoLayers: true, clock, app: { recurrence: null } });
  const u = await s.createUser('street', WJC);
  streetCookie = await s.login(u.username, u.password);
  adminCookie = await s.login(ADMIN.username, ADMIN.password);
});
afterAll(() => s?.stop({ removeData: true }));

const report = async (lng: number, lat: number, over: object = {}): Promise<GridEvent> => {
  const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `ly-${++seq}`, category: 'fire_hazard', title: 't', lng, lat, occurredAt: new Date(clock.t).toISOString(), ...over }] }, s.ingestKey);
  expect(r.status, r.text).toBe(200);
  return (await s.get(`/api/v1/events/${r.json.results[0].id}`)).json as GridEvent;
};
const put = (path: string, body: unknown, cookie = adminCookie) =>
  fetch(`${s.url}${path}`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json', origin: s.url }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));

describe('路长制 roads and key areas', () => {
  it('should answer the demo layers scoped to the caller, a 路长’s phone masked', async () => {
    const all = (await s.get('/api/v1/roads')).json as RoadCollection;
    expect(all.version).toBe(0);
    expect(all.features.length).toBe(10);
    const xiangyin = all.features.find((f) => f.properties.roadId === 'xiangyin-rd')!;
    expect(xiangyin.properties).toMatchObject({ name: '翔殷路', class: 'arterial', approximate: true, chief: { phone: '139****0004' } });
    const own = (await s.get('/api/v1/roads', streetCookie)).json as RoadCollection;
    expect(own.features.length).toBeGreaterThan(0);
    expect(own.features.every((f) => f.properties.streetIds.includes(WJC))).toBe(true);
    expect(own.features.some((f) => f.properties.roadId === 'yangshupu-rd')).toBe(false);
    const areas = (await s.get('/api/v1/key-areas', streetCookie)).json as KeyAreaCollection;
    expect(areas.features.map((f) => f.properties.id)).toContain('wujiaochang');
    expect(areas.features.map((f) => f.properties.id)).not.toContain('yangpu-riverside');
    expect(((await s.get('/api/v1/key-areas')).json as KeyAreaCollection).features).toHaveLength(3);
  });

  it('should attribute a case to the road within 30 m and to its key areas, and tighten its limits there', async () => {
    // on 翔殷路 (a vertex of it, 10 m north), outside every key area
    const onRoad = await report(121.53, 31.305 + 10 / 111_320);
    expect(onRoad).toMatchObject({ roadId: 'xiangyin-rd', keyAreaIds: [], limitFactor: 1 });
    expect(Date.parse(onRoad.dueAt!)).toBe(dueAt(limits, 'fire_hazard', 'medium', 'reported', clock.t));
    // 300 m off every road
    expect((await report(121.535, 31.292)).roadId).toBeNull();
    // in 五角场商圈 (factor 0.5), on 四平路's last vertex
    const inArea = await report(121.5135, 31.301);
    expect(inArea).toMatchObject({ keyAreaIds: ['wujiaochang'], limitFactor: 0.5 });
    expect(inArea.roadId).not.toBeNull();
    expect(Date.parse(inArea.dueAt!)).toBe(dueAt(limits, 'fire_hazard', 'medium', 'reported', clock.t, 0.5));
    expect(Date.parse(inArea.dueAt!) - clock.t).toBe((dueAt(limits, 'fire_hazard', 'medium', 'reported', clock.t)! - clock.t) / 2);
    // a later stage runs on the tightened limit too
    clock.t += MIN;
    const r = await postJson(s.url, `/api/v1/events/${inArea.id}/transitions`, { action: 'accept', version: inArea.version }, undefined, { cookie: s.cookie });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(Date.parse(r.json.dueAt)).toBe(dueAt(limits, 'fire_hazard', 'medium', 'accepted', clock.t, 0.5));
  });

  it('should count the statistics by road and by key area', async () => {
    const from = new Date(clock.t - 3_600_000).toISOString();
    const byRoad = (await s.get(`/api/v1/stats?from=${from}&by=road`)).json as StatsResponse;
    expect(byRoad.by).toBe('road');
    expect(byRoad.byGroup!.find((r) => r.key === 'xiangyin-rd')?.received).toBe(1);
    const byArea = (await s.get(`/api/v1/stats?from=${from}&by=keyArea`)).json as StatsResponse;
    expect(byArea.byGroup).toEqual([expect.objectContaining({ key: 'wujiaochang', received: 1 })]);
    const csv = await fetch(`${s.url}/api/v1/stats.csv?from=${from}&by=road`, { headers: { cookie: s.cookie } }).then((x) => x.text());
    expect(csv).toContain('翔殷路');
  });

  it('should refuse a bad import whole, naming every problem, and keep the layer as it was', async () => {
    const line = (coords: number[][], props: object) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: props });
    const bad = {
      type: 'FeatureCollection',
      features: [
        line([[121.52, 31.28], [121.53, 31.281]], { roadId: 'a', name: '甲路', class: 'arterial' }),
        line([[121.53, 31.281], [121.54, 31.282]], { roadId: 'a', name: '甲路', class: 'branch' }), // class differs
        line([[121.30, 31.10], [121.31, 31.11]], { name: '城外路', class: 'branch' }), // outside the district
        line([[121.52, 31.29], [121.53, 31.29]], { id: 'a-1', name: '乙路', class: 'branch' }), // id a-1 taken by the first
      ],
    };
    const r = await put('/api/v1/admin/roads?version=0', bad);
    expect(r.status).toBe(400);
    const text = JSON.stringify(r.json);
    for (const part of ['features[1] (甲路)', 'class arterial', 'features[2] (城外路)', 'outside the district', 'features[3] (乙路)', 'a-1']) expect(text).toContain(part);
    // not the expected shape at all: the schema's issues, by path
    const shape = await put('/api/v1/admin/roads?version=0', { type: 'FeatureCollection', features: [line([[121.52, 31.28]], { name: '', class: 'lane', constructor: 1 })] });
    expect(shape.status).toBe(400);
    expect(JSON.stringify(shape.json)).toContain('features.0.geometry.coordinates');
    // nothing changed; a version is required; only an admin imports
    expect(((await s.get('/api/v1/roads')).json as RoadCollection).version).toBe(0);
    expect((await put('/api/v1/admin/roads', bad)).status).toBe(400);
    expect((await put('/api/v1/admin/roads?version=0', bad, s.cookie)).status).toBe(403);
  });

  it('should replace a layer under its version, attribute new cases by it, and export it whole', async () => {
    const fixture = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'LineString', coordinates: [[121.534, 31.29], [121.536, 31.294]] }, properties: { roadId: 'test-rd', name: '测试路', class: 'branch', chief: { name: '测试路长', unit: '测试单位', phone: '021-6512 3456' } } },
        { type: 'Feature', geometry: { type: 'LineString', coordinates: [[121.536, 31.294], [121.538, 31.296]] }, properties: { roadId: 'test-rd', name: '测试路', class: 'branch' } },
      ],
    };
    const saved = await put('/api/v1/admin/roads?version=0', fixture);
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json).toMatchObject({ kind: 'roads', version: 1, features: 2 });
    // a second import from the old version is refused: someone saved since
    expect((await put('/api/v1/admin/roads?version=0', fixture)).status).toBe(409);
    const served = (await s.get('/api/v1/roads')).json as RoadCollection;
    expect(served.version).toBe(1);
    expect(served.features.map((f) => f.properties.id)).toEqual(['test-rd-1', 'test-rd-2']);
    // the 路长 given on one segment is the whole road's, masked
    expect(served.features.every((f) => f.properties.chief?.phone === '021****3456')).toBe(true);
    // 翔殷路 is gone: a case there now lies on no road; one by the fixture road lies on it
    expect((await report(121.53, 31.305)).roadId).toBeNull();
    expect((await report(121.537, 31.295)).roadId).toBe('test-rd');
    const exported = (await s.get('/api/v1/admin/roads', adminCookie)).json as RoadCollection;
    expect(exported.features[0]!.properties.chief?.phone).toBe('021-6512 3456');
    expect((await s.get('/api/v1/admin/roads')).status).toBe(403);
  });

  it('should list a grid’s buildings with their 三长 (phones masked) to those who see the grid, and place a case at a building', async () => {
    const own = (await s.get(`/api/v1/buildings?gridId=${B_GRID.id}`)).json as BuildingCollection;
    expect(own.features.map((b) => b.properties.id)).toEqual(['demo-b1', 'demo-b2', 'demo-b3', 'demo-b4', 'demo-b5', 'demo-b6']);
    const b1 = own.features[0]!.properties;
    expect(b1).toMatchObject({ gridId: B_GRID.id, chief: { phone: '136****0000' } });
    expect(b1.units.map((u) => [u.id, u.chief?.phone])).toEqual([['demo-b1-u1', '137****0001'], ['demo-b1-u2', '137****0002'], ['demo-b1-u3', '137****0003']]);
    // a street sees only its own grids' buildings; a grid unknown or left out answers alike
    const other = B_GRID.parentId === WJC ? '310110001000' : WJC;
    const u = await s.createUser('street', other);
    const otherCookie = await s.login(u.username, u.password);
    expect((await s.get(`/api/v1/buildings?gridId=${B_GRID.id}`, otherCookie)).status).toBe(404);
    expect((await s.get('/api/v1/buildings?gridId=constructor')).status).toBe(404);
    expect((await s.get('/api/v1/buildings')).status).toBe(400);

    // within 15 m of a building given as a point: at it; 100 m away: at none
    expect((await report(B1.lng + 5 / 95_000, B1.lat)).buildingId).toBe('demo-b1');
    expect((await report(B1.lng, B1.lat - 100 / 111_320)).buildingId).toBeNull();
    // named by the report: kept when the building stands in the grid of the location, else refused
    expect((await report(B1.lng, B1.lat, { buildingId: 'demo-b3' })).buildingId).toBe('demo-b3');
    const refused = async (over: object, lng = B1.lng, lat = B1.lat) =>
      (await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `ly-${++seq}`, category: 'fire_hazard', title: 't', lng, lat, occurredAt: new Date(clock.t).toISOString(), ...over }] }, s.ingestKey)).json.results[0];
    expect(await refused({ buildingId: 'nope' })).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION' } });
    expect((await refused({ buildingId: 'demo-b1' }, 121.535, 31.292)).error.message).toContain('stands in grid');
  });
});

describe('layers: odd imports', () => {
  const put = (path: string, body: unknown) =>
    fetch(`${s.url}${path}`, { method: 'PUT', headers: { cookie: adminCookie, 'content-type': 'application/json', origin: s.url }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));

  it('should answer a broken ring or an empty version with 400, not fail, and take an export back as it is', async () => {
    const ring = await put(`/api/v1/admin/key-areas?version=0`, { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[]] }, properties: { id: 'x', name: 'x', factor: 0.5 } }] });
    expect(ring.status).toBe(400);
    expect((await put('/api/v1/admin/key-areas?version=', { type: 'FeatureCollection', features: [] })).status).toBe(400);
    // the demo's buildings, exported and imported again: the same buildings, the next version
    const exported = (await s.get('/api/v1/admin/buildings', adminCookie)).json as { version: number; features: { properties: { id: string } }[] };
    const again = await put(`/api/v1/admin/buildings?version=${exported.version}`, exported);
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    expect(again.json).toMatchObject({ kind: 'buildings', version: exported.version + 1, features: exported.features.length });
    expect(((await s.get('/api/v1/admin/buildings', adminCookie)).json as typeof exported).features).toEqual(exported.features);
  });
});
