/**
 * Units (条) see exactly the cases they lead or co-handle, across streets, over REST and the
 * socket, and nothing else: every unit × street pair of the shipped district.
 */
import { pointOnFeature } from '@turf/turf';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, EventDelta, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const data = shippedData();
const DISTRICT = '310110';
const streets = data.areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);
/** units that work anywhere (teams and departments), and each street's own unit */
const roaming = data.units.filter((u) => u.kind !== 'street').map((u) => u.id);
const streetUnits = data.units.filter((u) => u.kind === 'street');
const pointIn = (streetId: string): [number, number] => {
  const grid = data.areas.features.find((f) => f.properties.level === 'grid' && f.properties.parentId === streetId)!;
  return pointOnFeature(grid as never).geometry.coordinates as [number, number];
};

function connect(s: TestServer, cookie: string, areaId?: string) {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: areaId ? { areaId } : {}, extraHeaders: { cookie } });
  const events: EventDelta['events'] = [];
  socket.on('event:upsert', (d) => events.push(...d.events));
  const alarms: unknown[] = [];
  socket.on('alarm:upsert', (d) => alarms.push(...d.alarms));
  const indicators: unknown[] = [];
  socket.on('indicator:update', (d) => indicators.push(...d.values));
  const ready = new Promise<{ snapshot?: Snapshot; error?: string }>((resolve) => {
    socket.once('snapshot', (snapshot) => resolve({ snapshot }));
    socket.once('connect_error', (e) => resolve({ error: e.message }));
  });
  return { socket, events, alarms, indicators, ready };
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

interface Case {
  id: string;
  streetId: string;
  lead: string;
  co: string[];
}

describe('unit scope: every unit × street pair', () => {
  let s: TestServer;
  /** a session per unit (each bound to the district, a street's unit to its street) */
  const cookies = new Map<string, string>();
  const cases: Case[] = [];
  let seq = 0;

  const act = (cookie: string, id: string, body: object) => postJson(s.url, `/api/v1/events/${id}/transitions`, body, undefined, { cookie });
  /** a case reported in a street and dispatched by the district to a lead unit and co-units */
  async function dispatched(streetId: string, lead: string, co: string[] = [], prefix = 'u'): Promise<Case> {
    const [lng, lat] = pointIn(streetId);
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `${prefix}-${++seq}`, category: 'fire_hazard', title: `${lead} in ${streetId}`, lng, lat, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    const id = r.json.results[0].id as string;
    expect((await act(s.cookie, id, { action: 'accept', version: 1 })).status).toBe(200);
    const d = await act(s.cookie, id, { action: 'dispatch', version: 2, unit: lead, coUnits: co });
    expect(d.status).toBe(200);
    return { id, streetId, lead, co };
  }

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    for (const u of data.units) {
      const user = await s.createUser('unit', undefined, u.id);
      cookies.set(u.id, await s.login(user.username, user.password));
    }
    // every roaming unit leads one case in every street; each street's unit one in its street;
    // and in every street one case led by one unit with two others co-handling
    for (const streetId of streets) {
      for (const u of roaming) cases.push(await dispatched(streetId, u));
      cases.push(await dispatched(streetId, `st-${streetId}`));
    }
    for (const [i, streetId] of streets.entries()) {
      cases.push(await dispatched(streetId, roaming[i % roaming.length]!, [roaming[(i + 1) % roaming.length]!, `st-${streetId}`]));
    }
  }, 120_000);
  afterAll(() => s.stop({ removeData: true }));

  const mine = (unitId: string) => new Set(cases.filter((c) => c.lead === unitId || c.co.includes(unitId)).map((c) => c.id));

  it('should cover every pair', () => {
    expect(streets).toHaveLength(12);
    expect(roaming.length).toBeGreaterThanOrEqual(10);
    expect(streetUnits).toHaveLength(12);
    // every roaming unit has a case in every street; every street's unit one in its own
    for (const u of roaming) for (const st of streets) expect(cases.some((c) => c.lead === u && c.streetId === st)).toBe(true);
  });

  it('should list, open and count exactly its own cases over REST, and refuse every other case like an unknown id', async () => {
    const missing = await s.get('/api/v1/events/00000000-0000-0000-0000-000000000000', cookies.get(roaming[0]!)!);
    expect(missing.status).toBe(404);
    let pairs = 0;
    for (const u of data.units) {
      const c = cookies.get(u.id)!;
      const own = mine(u.id);
      const list = await s.get('/api/v1/events?limit=1000', c);
      expect(list.status).toBe(200);
      expect(new Set(list.json.events.map((e: any) => e.id))).toEqual(own);
      expect(list.json.total).toBe(own.size);
      for (const streetId of streets) {
        const inStreet = await s.get(`/api/v1/events?limit=1000&areaId=${streetId}`, c);
        const expected = cases.filter((x) => own.has(x.id) && x.streetId === streetId).map((x) => x.id);
        if (u.streetId && u.streetId !== streetId) {
          // a street's unit is bound to its street: another street is outside its area
          expect(inStreet.status).toBe(404);
        } else {
          pairs++;
          expect(inStreet.json.events.map((e: any) => e.id).sort()).toEqual(expected.sort());
        }
      }
      for (const x of cases) {
        const r = await s.get(`/api/v1/events/${x.id}`, c);
        if (own.has(x.id)) expect(r.status).toBe(200);
        else expect(r).toEqual(missing);
      }
      // another unit's list is refused outright
      const other = data.units.find((o) => o.id !== u.id)!.id;
      expect((await s.get(`/api/v1/events?unit=${other}`, c)).status).toBe(403);
      expect((await s.get(`/api/v1/events?unit=${u.id}&limit=1000`, c)).json.total).toBe(own.size);
    }
    expect(pairs).toBe(roaming.length * streets.length + streetUnits.length);
  });

  it("should give a unit no area's data: indicators, alarms, hotspots, analytics, forecasts, replay, handover", async () => {
    for (const u of data.units) {
      const c = cookies.get(u.id)!;
      for (const path of [
        '/api/v1/indicators',
        `/api/v1/indicators?areaId=${DISTRICT}`,
        '/api/v1/alarms',
        '/api/v1/hotspots',
        '/api/v1/analytics/hotline',
        '/api/v1/analytics/hotline.csv',
        '/api/v1/indicators/pm25/forecast',
        '/api/v1/snapshot',
        `/api/v1/snapshot?at=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
        '/api/v1/handover',
        '/api/v1/displays',
        '/api/v1/admin/users',
      ]) {
        const r = await s.get(path, c);
        expect(`${u.id} ${path} → ${r.status}`).toBe(`${u.id} ${path} → 403`);
      }
    }
  });

  it("should give a unit every unit's standing but no street's figures, and the funnel of its own cases", async () => {
    const u = roaming[0]!;
    const st = await s.get('/api/v1/stats', cookies.get(u)!);
    expect(st.status).toBe(200);
    expect(st.json.byStreet).toEqual([]);
    expect(st.json.byUnit.length).toBeGreaterThan(1);
    expect(st.json.funnel.dispatched).toBe(mine(u).size);
    expect(st.json.funnel.reported).toBe(0);
    const district = await s.get('/api/v1/stats');
    expect(district.json.byStreet.length).toBe(12);
  });

  it('should send a unit socket only its own cases, in its snapshot and live, and refuse any area outside', async () => {
    const clients = data.units.map((u) => ({ unit: u, ...connect(s, cookies.get(u.id)!) }));
    for (const cl of clients) {
      const r = await cl.ready;
      expect(r.error).toBeUndefined();
      const snap = r.snapshot!;
      expect(snap.areaId).toBe(cl.unit.streetId ?? DISTRICT);
      expect(new Set(snap.events.map((e) => e.id))).toEqual(mine(cl.unit.id));
      expect(snap.recent.every((e) => mine(cl.unit.id).has(e.id))).toBe(true);
      expect(snap.openTotal).toBe(mine(cl.unit.id).size);
      expect(snap.indicators).toEqual([]);
      expect(snap.alarms).toEqual([]);
      expect(snap.trends).toEqual({});
      const again = await cl.socket.emitWithAck('snapshot:request');
      expect(again.ok && new Set(again.data.events.map((e) => e.id))).toEqual(mine(cl.unit.id));
    }
    // a street's unit may not watch another street or the district; a roaming one nothing above the district
    const st = streetUnits[0]!;
    for (const area of [DISTRICT, streets.find((x) => x !== st.streetId)!]) {
      const x = connect(s, cookies.get(st.id)!, area);
      expect((await x.ready).error).toBe('forbidden');
      x.socket.close();
    }
    const up = connect(s, cookies.get(roaming[0]!)!, '310000');
    expect((await up.ready).error).toBe('forbidden');
    up.socket.close();

    // live: a new case for every pair again, then one last case per unit; each socket is ordered,
    // so once a unit has its last case, anything sent to it before would have arrived
    const live: Case[] = [];
    for (const streetId of streets) for (const u of roaming) live.push(await dispatched(streetId, u, [], 'live'));
    for (const u of streetUnits) live.push(await dispatched(u.streetId!, u.id, [], 'live'));
    const last = new Map<string, string>();
    for (const u of data.units) last.set(u.id, (await dispatched(u.streetId ?? streets[0]!, u.id, [], 'last')).id);
    for (const cl of clients) await until(() => cl.events.some((e) => e.event.id === last.get(cl.unit.id)));
    for (const cl of clients) {
      const u = cl.unit.id;
      expect(cl.events.length).toBeGreaterThan(0);
      // every frame is about a case this unit works on (each dispatch sends the case once reported… no:
      // a unit hears of a case only once it is dispatched to it)
      for (const e of cl.events) expect(e.event.leadUnit === u || e.event.coUnits.includes(u)).toBe(true);
      const expected = new Set([...live.filter((x) => x.lead === u).map((x) => x.id), last.get(u)!]);
      expect(new Set(cl.events.map((e) => e.event.id))).toEqual(expected);
      expect(cl.alarms).toEqual([]);
      expect(cl.indicators).toEqual([]);
      cl.socket.close();
    }
  }, 120_000);

  it('should let the lead handle, return and ask for co-handling, and each co-unit give its own feedback', async () => {
    const [lead, co, asked] = [roaming[0]!, roaming[1]!, roaming[2]!];
    const streetId = streets[3]!;
    const x = await dispatched(streetId, lead, [co], 'path');
    const view = async (u: string) => s.get(`/api/v1/events/${x.id}`, cookies.get(u)!);
    expect((await view(lead)).json.allowedActions.sort()).toEqual(['cohandle', 'coordinate', 'feedback', 'handle', 'return']);
    expect((await view(co)).json.allowedActions).toEqual(['feedback']);
    expect((await view(asked)).status).toBe(404);
    // a co-unit may not handle, return or dispatch the case; nobody in a unit accepts or archives
    const v = () => view(lead).then((r) => r.json.version as number);
    expect((await act(cookies.get(co)!, x.id, { action: 'handle', version: await v(), note: '已处理' })).status).toBe(403);
    expect((await act(cookies.get(co)!, x.id, { action: 'return', version: await v(), note: '不归我们管' })).status).toBe(403);
    expect((await act(cookies.get(lead)!, x.id, { action: 'dispatch', version: await v(), unit: asked })).status).toBe(403);
    expect((await act(cookies.get(asked)!, x.id, { action: 'feedback', version: await v(), note: '看看' })).status).toBe(404);

    // the lead asks a third unit to co-handle: it sees the case at once, on its socket too
    const watcher = connect(s, cookies.get(asked)!);
    await watcher.ready;
    const ask = await act(cookies.get(lead)!, x.id, { action: 'cohandle', version: await v(), units: [asked], note: '需要配合清理' });
    expect(ask.status).toBe(200);
    expect(ask.json.coUnits).toEqual([co, asked]);
    await until(() => watcher.events.some((e) => e.event.id === x.id));
    expect((await act(cookies.get(lead)!, x.id, { action: 'cohandle', version: await v(), units: [asked], note: '再次' })).status).toBe(400);
    expect((await act(cookies.get(lead)!, x.id, { action: 'cohandle', version: await v(), units: ['no-such-unit'], note: '再次' })).status).toBe(400);

    // each co-unit reports its own part; the lead sees both on the timeline, named by unit
    expect((await act(cookies.get(co)!, x.id, { action: 'feedback', version: await v(), note: '交通已疏导', attachments: ['现场照片1.jpg'] })).status).toBe(200);
    expect((await act(cookies.get(asked)!, x.id, { action: 'feedback', version: await v(), note: '占道已清理' })).status).toBe(200);
    const timeline = (await view(lead)).json.timeline as any[];
    const feedback = timeline.filter((t) => t.action === 'feedback');
    expect(feedback.map((t) => [t.data.unit, t.note, t.actorRole])).toEqual([[co, '交通已疏导', 'unit'], [asked, '占道已清理', 'unit']]);
    expect(feedback[0].attachments).toEqual(['现场照片1.jpg']);
    expect((await view(lead)).json.status).toBe('dispatched');

    // the lead reports it handled: the district verifies as usual
    const handled = await act(cookies.get(lead)!, x.id, { action: 'handle', version: await v(), note: '隐患已整改', attachments: ['整改照片.jpg'] });
    expect(handled.status).toBe(200);
    expect(handled.json.status).toBe('handled');
    expect(handled.json.allowedActions).toEqual([]);

    // a mis-dispatched case: the lead returns it with a reason, and it is no longer the unit's
    const y = await dispatched(streetId, lead, [co], 'path');
    const leadSocket = connect(s, cookies.get(lead)!);
    await leadSocket.ready;
    const before = (await s.get(`/api/v1/events/${y.id}`, cookies.get(lead)!)).json.version;
    expect((await act(cookies.get(lead)!, y.id, { action: 'return', version: before, note: '' })).status).toBe(400);
    const back = await act(cookies.get(lead)!, y.id, { action: 'return', version: before, note: '不属本单位职责，应由房管处理' });
    expect(back.status).toBe(200);
    expect(back.json.allowedActions).toEqual([]);
    expect((await s.get(`/api/v1/events/${y.id}`, cookies.get(lead)!)).status).toBe(404);
    expect((await s.get(`/api/v1/events/${y.id}`, cookies.get(co)!)).status).toBe(404);
    const d = await s.get(`/api/v1/events/${y.id}`);
    expect(d.json.status).toBe('accepted');
    expect(d.json.timeline.at(-1)).toMatchObject({ action: 'return', actorRole: 'unit', note: '不属本单位职责，应由房管处理', data: { unit: lead } });
    // the units taken off it are told once (so their screens drop it): the case as returned, with no unit on it
    await until(() => leadSocket.events.some((e) => e.event.id === y.id));
    expect(leadSocket.events.filter((e) => e.event.id === y.id).map((e) => [e.event.status, e.event.leadUnit])).toEqual([['accepted', null]]);
    leadSocket.socket.close();
    watcher.socket.close();
  });

  it('should climb the escalation ladder from the lead unit, rung by rung, streamed with the case', async () => {
    const [lead, co] = [roaming[3]!, roaming[4]!];
    const x = await dispatched(streets[5]!, lead, [co], 'ladder');
    const v = async () => (await s.get(`/api/v1/events/${x.id}`)).json.version as number;
    const climb = (cookie: string, body: object) => act(cookie, x.id, { action: 'coordinate', ...body });
    const district = connect(s, s.cookie);
    await district.ready;
    expect((await climb(cookies.get(co)!, { version: await v(), rung: 'deputy', person: '王副局长', note: '协办单位不能升级' })).status).toBe(403);
    expect((await climb(cookies.get(lead)!, { version: await v(), rung: 'principal', person: '李局长', note: '跳过分管' })).status).toBe(422);
    expect((await climb(cookies.get(lead)!, { version: await v(), rung: 'deputy', person: '张副局长', note: '分管负责人召集协调未果' })).status).toBe(200);
    expect((await climb(cookies.get(lead)!, { version: await v(), rung: 'principal', person: '李局长', note: '主要负责人亲自协调未果' })).status).toBe(200);
    const noPositions = await climb(cookies.get(lead)!, { version: await v(), rung: 'government', person: '区城运中心', note: '报区政府研究决定' });
    expect(noPositions.status).toBe(400);
    const gov = await climb(cookies.get(lead)!, {
      version: await v(),
      rung: 'government',
      person: '区城运中心',
      note: '两单位职责分歧，列明理据报区政府研究决定',
      positions: [{ party: lead, position: '不属本单位法定职责' }, { party: co, position: '应由牵头单位负责' }],
    });
    expect(gov.status).toBe(200);
    expect(gov.json.ladder).toBe('government');
    expect(gov.json.allowedActions).not.toContain('coordinate');
    const steps = gov.json.timeline.filter((t: any) => t.action === 'coordinate').map((t: any) => [t.data.rung, t.data.person, t.actor]);
    expect(steps.map((x: string[]) => x[0])).toEqual(['deputy', 'principal', 'government']);
    // the district's screens see the rung with the case (the wall counts open cases at each rung)
    await until(() => district.events.some((e) => e.event.id === x.id && e.event.ladder === 'government'));
    district.socket.close();
  });

  it('should audit what a unit was refused', async () => {
    const audit = await s.get('/api/v1/admin/audit?limit=20000', await s.login(ADMIN.username, ADMIN.password));
    const denied = audit.json.filter((a: any) => a.outcome === 'denied');
    expect(denied.some((a: any) => a.action === 'GET /api/v1/events/:id' && a.detail === 'not a case of this unit')).toBe(true);
    expect(denied.some((a: any) => a.action === 'GET /api/v1/indicators' && a.detail === 'role unit')).toBe(true);
    expect(denied.some((a: any) => a.action === 'socket.join' && a.detail === 'area outside scope')).toBe(true);
  });
});

describe('a unit account limited to several streets', () => {
  let s: TestServer;
  let cookie = '';
  const unit = roaming[0]!;
  const [a, b, c] = [streets[0]!, streets[1]!, streets[2]!];
  const ids: Record<string, string> = {};
  let seq = 0;
  const act = (who: string, id: string, body: object) => postJson(s.url, `/api/v1/events/${id}/transitions`, body, undefined, { cookie: who });
  async function dispatched(streetId: string): Promise<string> {
    const [lng, lat] = pointIn(streetId);
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: `several-${++seq}`, category: 'fire_hazard', title: `case in ${streetId}`, lng, lat, occurredAt: new Date().toISOString() }] }, s.ingestKey);
    const id = r.json.results[0].id as string;
    expect((await act(s.cookie, id, { action: 'accept', version: 1 })).status).toBe(200);
    expect((await act(s.cookie, id, { action: 'dispatch', version: 2, unit })).status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    const system = { actor: 'test', actorKind: 'system' as const, ip: '127.0.0.1' };
    const pw = 'several-streets-long-password';
    await s.app.auth.createUser(system, { username: 'cg-east', role: 'unit', unitId: unit, streets: [b, a, a], password: pw });
    cookie = await s.login('cg-east', pw);
    for (const st of [a, b, c]) ids[st] = await dispatched(st);
  });
  afterAll(async () => {
    await s?.stop({ removeData: true });
  });

  it('should refuse to bind what makes no sense, and tell the session its streets', async () => {
    const system = { actor: 'test', actorKind: 'system' as const, ip: '127.0.0.1' };
    const bad = (over: object) => s.app.auth.createUser(system, { username: `bad-${++seq}`, role: 'unit', unitId: unit, password: 'a-long-enough-password', ...over });
    await expect(bad({ streets: [a] })).rejects.toThrow(/at least two/);
    await expect(bad({ streets: [a, DISTRICT] })).rejects.toThrow(/not a street/);
    await expect(bad({ streets: [a, b], areaId: a })).rejects.toThrow(/not both/);
    await expect(bad({ streets: [a, b], unitId: streetUnits[0]!.id })).rejects.toThrow(/works only in/);
    await expect(bad({ streets: [a, b], role: 'district', unitId: undefined })).rejects.toThrow(/only a unit account/);
    const session = await s.get('/api/v1/session', cookie);
    expect(session.json).toMatchObject({ role: 'unit', areaId: DISTRICT, unitId: unit, streets: [a, b].sort() });
  });

  it('should list, show and let it act on its cases in its streets only', async () => {
    const list = async (q = '') => ((await s.get(`/api/v1/events?limit=100${q}`, cookie)).json.events as { id: string }[]).map((e) => e.id).sort();
    expect(await list()).toEqual([ids[a]!, ids[b]!].sort());
    expect(await list(`&areaId=${a}`)).toEqual([ids[a]]);
    expect((await s.get(`/api/v1/events?areaId=${c}`, cookie)).status).toBeGreaterThanOrEqual(403);
    expect((await s.get(`/api/v1/events/${ids[a]}`, cookie)).status).toBe(200);
    expect((await s.get(`/api/v1/events/${ids[c]}`, cookie)).status).toBe(404);
    expect((await act(cookie, ids[c]!, { action: 'handle', version: 3, note: '已处理' })).status).toBe(404);
    expect((await act(cookie, ids[a]!, { action: 'handle', version: 3, note: '已处理' })).status).toBe(200);
    // its funnel counts its streets' cases only, and it gets no rows (they would count street C)
    const stats = await s.get('/api/v1/stats', cookie);
    expect(stats.json.funnel).toMatchObject({ dispatched: 1, handled: 1 });
    expect(stats.json.byUnit).toEqual([]);
    expect(stats.json.byStreet).toEqual([]);
    const csv = await fetch(`${s.url}/api/v1/stats.csv`, { headers: { cookie } });
    expect(await csv.text()).not.toContain('区');
  });

  it("should show it its unit's tasks in its streets and the district's, never another street's", async () => {
    const task = async (areaId: string, title: string) => {
      const r = await postJson(s.url, '/api/v1/tasks', { title, unitId: unit, person: '张某 科长', standard: '达标', deadline: new Date(Date.now() + 86_400_000 * 30).toISOString(), areaId, milestones: [{ title: 'm', due: new Date(Date.now() + 86_400_000).toISOString() }] }, undefined, { cookie: s.cookie });
      expect(r.status, r.text).toBe(201);
      return r.json.id as string;
    };
    const ids = { a: await task(a, 'in A'), c: await task(c, 'in C'), d: await task(DISTRICT, 'district-wide') };
    const titles = async (q = '') => ((await s.get(`/api/v1/tasks${q}`, cookie)).json.tasks as { title: string }[]).map((t) => t.title).sort();
    expect(await titles()).toEqual(['district-wide', 'in A']);
    expect(await titles(`?areaId=${a}`)).toEqual(['in A']);
    expect((await s.get(`/api/v1/tasks?areaId=${c}`, cookie)).status).toBe(404);
    expect((await s.get(`/api/v1/tasks/${ids.c}`, cookie)).status).toBe(404);
    expect((await s.get(`/api/v1/tasks/${ids.a}`, cookie)).status).toBe(200);
    expect(await (await fetch(`${s.url}/api/v1/tasks.csv`, { headers: { cookie } })).text()).not.toContain('in C');
  });

  it('should stream each of its streets on its own, and neither the district nor another street', async () => {
    const district = connect(s, cookie);
    expect((await district.ready).error).toBe('forbidden');
    const other = connect(s, cookie, c);
    expect((await other.ready).error).toBe('forbidden');
    const mine = connect(s, cookie, b);
    const { snapshot } = await mine.ready;
    expect(snapshot!.events.map((e) => e.id)).toEqual([ids[b]]);
    const later = { c: await dispatched(c), b: await dispatched(b) };
    await until(() => mine.events.some((e) => e.event.id === later.b));
    expect(mine.events.map((e) => e.event.id)).not.toContain(later.c);
    for (const x of [district, other, mine]) x.socket.close();
  });
});
