/**
 * Confidential cases (涉密/敏感) and personal data (R6.1, R6.2): a confidential case is on no wall
 * and in no view without clearance, over REST and the socket, and is still counted in statistics;
 * personal data in reports is masked in every answer and frame, and shown in full only to officers
 * who handle cases, each time audited.
 */
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, EventDelta, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const PHONE = '13812345678';
const ID_NO = '310110198501012345';

function connect(s: TestServer, cookie: string) {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
  const frames: unknown[] = [];
  const events: EventDelta['events'] = [];
  const removed: string[] = [];
  socket.on('event:upsert', (d) => {
    frames.push(d);
    events.push(...d.events);
  });
  socket.on('event:remove', (d) => {
    frames.push(d);
    removed.push(...d.removed.map((r) => r.id));
  });
  const ready = new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, frames, events, removed, ready };
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('confidential cases and personal data', () => {
  let s: TestServer;
  let seq = 0;
  const cookies: Record<string, string> = {};

  async function report(over: Record<string, unknown> = {}): Promise<string> {
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: '12345', externalId: `conf-${++seq}`, category: 'road_occupation', title: '占道经营', occurredAt: new Date().toISOString(), ...WJC_POINT, ...over }] }, s.ingestKey);
    expect(r.status, r.text).toBe(200);
    return r.json.results[0].id as string;
  }
  const act = (cookie: string, id: string, body: object) => postJson(s.url, `/api/v1/events/${id}/transitions`, body, undefined, { cookie });
  const version = async (id: string) => (await s.get(`/api/v1/events/${id}`)).json.version as number;

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    const user = async (name: string, ...args: Parameters<TestServer['createUser']>) => {
      const u = await s.createUser(...args);
      cookies[name] = await s.login(u.username, u.password);
    };
    await user('street', 'street', WJC);
    await user('streetCleared', 'street', WJC, undefined, true);
    await user('unit', 'unit', undefined, 'urban-management');
    await user('unitCleared', 'unit', undefined, 'urban-management', true);
    cookies.admin = await s.login(ADMIN.username, ADMIN.password);
    const wall = await s.createDisplay('310110');
    const enrol = await postJson(s.url, '/api/v1/session/display', { token: wall.token });
    cookies.wall = enrol.headers.get('set-cookie')!.match(/onescreen_session=[^;]+/)![0];
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should keep a confidential case off every wall and out of every view without clearance, and still count it', async () => {
    const wall = connect(s, cookies.wall!);
    const street = connect(s, cookies.street!);
    await Promise.all([wall.ready, street.ready]);
    const id = await report({ title: '涉密：某单位线索', confidential: true });
    const marker = await report({ title: '普通事件' });
    await until(() => wall.events.some((e) => e.event.id === marker) && street.events.some((e) => e.event.id === marker));
    for (const c of [wall, street]) expect(JSON.stringify(c.frames)).not.toContain(id);

    const missing = await s.get('/api/v1/events/00000000-0000-0000-0000-000000000000', cookies.street);
    const list = async (cookie: string) => (await s.get('/api/v1/events?limit=1000', cookie)).json.events.map((e: any) => e.id) as string[];
    // the district officer and a cleared street officer see it; an uncleared one and a wall do not
    expect(await list(s.cookie)).toContain(id);
    expect(await list(cookies.streetCleared!)).toContain(id);
    expect(await list(cookies.street!)).not.toContain(id);
    expect(await list(cookies.wall!)).not.toContain(id);
    expect(await s.get(`/api/v1/events/${id}`, cookies.street)).toEqual(missing);
    expect((await s.get(`/api/v1/events/${id}`, cookies.wall)).status).toBe(404);
    expect((await s.get(`/api/v1/events/${id}`, cookies.streetCleared)).json).toMatchObject({ id, confidential: true });
    // no snapshot holds it, a district officer's neither (the streams are shared with the walls)
    const snap = await s.get('/api/v1/snapshot');
    expect(JSON.stringify(snap.json)).not.toContain(id);
    expect(JSON.stringify(await wall.socket.emitWithAck('snapshot:request'))).not.toContain(id);
    // counted in statistics, without its details
    const stats = await s.get('/api/v1/stats', cookies.wall);
    expect(stats.json.byStreet.find((r: any) => r.key === WJC).received).toBe(2);

    // dispatched to a unit: only the unit's cleared account sees it
    expect((await act(s.cookie, id, { action: 'accept', version: await version(id) })).status).toBe(200);
    expect((await act(s.cookie, id, { action: 'dispatch', version: await version(id), unit: 'urban-management' })).status).toBe(200);
    expect(await list(cookies.unitCleared!)).toContain(id);
    expect(await list(cookies.unit!)).not.toContain(id);
    expect((await s.get(`/api/v1/events/${id}`, cookies.unit)).status).toBe(404);
    expect(JSON.stringify(wall.frames)).not.toContain(id);
    wall.socket.close();
    street.socket.close();
  });

  it('should take a case off every screen the moment an officer marks it confidential, and bring it back when unmarked', async () => {
    const wall = connect(s, cookies.wall!);
    await wall.ready;
    const id = await report({ title: '后来发现涉及敏感信息' });
    await until(() => wall.events.some((e) => e.event.id === id));
    // a street officer may not classify; a reason is required
    expect((await act(cookies.streetCleared!, id, { action: 'classify', version: await version(id), confidential: true, note: '涉密线索' })).status).toBe(403);
    expect((await act(s.cookie, id, { action: 'classify', version: await version(id), confidential: true })).status).toBe(400);
    const marked = await act(s.cookie, id, { action: 'classify', version: await version(id), confidential: true, note: '涉及未公开的执法行动' });
    expect(marked.status).toBe(200);
    expect(marked.json.confidential).toBe(true);
    await until(() => wall.removed.includes(id));
    expect(JSON.stringify(await wall.socket.emitWithAck('snapshot:request'))).not.toContain(id);
    expect((await s.get(`/api/v1/events/${id}`, cookies.street)).status).toBe(404);
    // further changes are not streamed
    const before = wall.events.length;
    expect((await act(s.cookie, id, { action: 'urge', version: await version(id) })).status).toBe(200);
    const marker = await report({ title: '之后的普通事件' });
    await until(() => wall.events.some((e) => e.event.id === marker));
    expect(wall.events.slice(before).map((e) => e.event.id)).toEqual([marker]);
    // unmarked: back on the walls
    expect((await act(s.cookie, id, { action: 'classify', version: await version(id), confidential: false, note: '已解密' })).status).toBe(200);
    await until(() => wall.events.some((e) => e.event.id === id && !e.event.confidential));
    expect((await s.get(`/api/v1/events/${id}`, cookies.street)).status).toBe(200);
    const timeline = (await s.get(`/api/v1/events/${id}`)).json.timeline.filter((t: any) => t.action === 'classify');
    expect(timeline.map((t: any) => [t.data.confidential, t.note])).toEqual([[true, '涉及未公开的执法行动'], [false, '已解密']]);
    wall.socket.close();
  });

  it("should leave no trace of a confidential case in other cases' links, merged reports or one grid's figures", async () => {
    const point = { lng: 121.5132, lat: 31.3016 };
    const a = await report({ title: '早先的占道', ...point });
    const b = await report({ title: '同一地点再次占道', ...point });
    expect((await s.get(`/api/v1/events/${b}`)).json.relatedIds).toContain(a);
    expect((await act(s.cookie, a, { action: 'classify', version: await version(a), confidential: true, note: '涉及未公开的执法行动' })).status).toBe(200);
    expect((await s.get(`/api/v1/events/${b}`, cookies.street)).json.relatedIds).not.toContain(a);
    // a report merged into a confidential case becomes confidential too
    const dup = await report({ title: '重复反映', ...point });
    const merged = await act(s.cookie, dup, { action: 'reject', version: await version(dup), reason: 'duplicate', duplicateOf: a });
    expect(merged.status).toBe(200);
    expect(merged.json.confidential).toBe(true);
    expect((await s.get(`/api/v1/events/${dup}`, cookies.street)).status).toBe(404);
    // an uncleared officer cannot merge into it, nor list its merged reports, nor learn it exists
    const own = await report({ title: '街道自己的重复件', ...point });
    const tryMerge = await act(cookies.street!, own, { action: 'reject', version: await version(own), reason: 'duplicate', duplicateOf: a });
    expect(tryMerge.status).toBe(400);
    expect(tryMerge.json.error.message).toBe(`duplicateOf: no case ${a} in your area`);
    expect((await s.get(`/api/v1/events?duplicateOf=${a}`, cookies.street)).json).toEqual({ events: [], total: 0 });
    // one grid's figures would point at it: streets and up only without clearance
    const grid = (await s.get(`/api/v1/events/${b}`)).json.gridId;
    expect((await s.get(`/api/v1/stats?areaId=${grid}`, cookies.street)).status).toBe(400);
    expect((await s.get(`/api/v1/stats?areaId=${grid}`)).status).toBe(200);
  });

  it('should mask personal data in every answer and frame, and unmask it only for officers who handle cases, audited', async () => {
    const wall = connect(s, cookies.wall!);
    await wall.ready;
    const id = await report({ title: `沪A12345 占道，联系人：张三`, description: `来电人张三，电话${PHONE}，身份证${ID_NO}` });
    await until(() => wall.events.some((e) => e.event.id === id));
    const everything = JSON.stringify([wall.frames, await wall.socket.emitWithAck('snapshot:request'), (await s.get('/api/v1/events?limit=1000')).json, (await s.get(`/api/v1/events/${id}`)).json, (await s.get('/api/v1/snapshot')).json]);
    for (const secret of [PHONE, ID_NO, '沪A12345', '张三']) expect(everything).not.toContain(secret);
    const view = (await s.get(`/api/v1/events/${id}`)).json;
    expect(view).toMatchObject({ masked: true, title: '沪A****5 占道，联系人：张*', description: '来电人张*，电话138****5678，身份证310110********2345' });

    const unmask = (cookie: string) => postJson(s.url, `/api/v1/events/${id}/personal`, {}, undefined, { cookie });
    const full = await unmask(s.cookie);
    expect(full.status).toBe(200);
    expect(full.json).toEqual({ title: '沪A12345 占道，联系人：张三', description: `来电人张三，电话${PHONE}，身份证${ID_NO}` });
    expect(full.headers.get('cache-control')).toBe('no-store');
    expect((await unmask(cookies.street!)).status).toBe(200);
    expect((await unmask(cookies.wall!)).status).toBe(403);
    expect((await unmask(cookies.admin!)).status).toBe(403);
    expect((await unmask(cookies.unit!)).status).toBe(404); // not its case
    // the stored case itself still reads masked
    expect((await s.get(`/api/v1/events/${id}`)).json.description).toBe('来电人张*，电话138****5678，身份证310110********2345');
    const audit = (await s.get('/api/v1/admin/audit?limit=1000', cookies.admin)).json.filter((a: any) => a.action === 'case.unmask' && a.target === id);
    expect(audit.filter((a: any) => a.outcome === 'ok')).toHaveLength(2);
    expect(audit.filter((a: any) => a.outcome === 'denied').length).toBeGreaterThanOrEqual(3);
    wall.socket.close();
  });

  it('should mask the reports stored before masking existed, in the background, and keep them whole for permitted officers', async () => {
    const id = await report({ title: '噪声扰民' });
    // as an older version stored it: the full text in the case, not yet checked
    const db = new Database(`${s.dataDir}/onescreen.sqlite`);
    try {
      db.prepare('UPDATE events SET description = ?, masked = NULL WHERE id = ?').run(`投诉人李小明，电话${PHONE}`, id);
    } finally {
      db.close();
    }
    expect((await s.get(`/api/v1/events/${id}`)).json.description).toBe(`投诉人李小明，电话${PHONE}`);
    while ((await s.app.cases.maskStored()) > 0);
    expect((await s.get(`/api/v1/events/${id}`)).json).toMatchObject({ masked: true, description: '投诉人李**，电话138****5678' });
    expect((await postJson(s.url, `/api/v1/events/${id}/personal`, {}, undefined, { cookie: s.cookie })).json.description).toBe(`投诉人李小明，电话${PHONE}`);
    expect(await s.app.cases.maskStored()).toBe(0);
  });
});
