import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDelta } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const WJC = '310110019000';
const DAY = 86_400_000;
/** a point in 五角场 (street 310110019000), moved `m` metres north */
const wjc = (m = 0, eastM = 0) => ({ lng: 121.514 + eastM / (111_195 * Math.cos((31.302 * Math.PI) / 180)), lat: 31.302 + m / 111_195 });
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };
/** the centre of the i-th grid of 五角场 whose bbox centre lies inside it */
let spot: (i: number) => { lng: number; lat: number };

let n = 0;
type Item = Record<string, unknown>;
const item = (over: Item = {}): Item => ({ source: 'grid', externalId: `hs-${++n}`, category: 'illegal_parking', title: '占道停车', ...wjc(), occurredAt: new Date().toISOString(), ...over });
const post = async (s: TestServer, items: Item[]) => {
  const r = await postJson(s.url, '/api/v1/events', { events: items }, s.ingestKey);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  expect(r.json.rejected, JSON.stringify(r.json)).toBe(0);
  return r.json.results.map((x: any) => x.id as string) as string[];
};
const tag = (s: TestServer, cookie: string, id: string, body: unknown) => postJson(s.url, `/api/v1/events/${id}/tags`, body, undefined, { cookie, origin: s.url });

describe('hotspots and problem tags', () => {
  let s: TestServer;
  let wjcStreet: string;
  let otherStreet: string;
  let otherStreetId: string;
  beforeAll(async () => {
    // no cache: every request recomputes, so a test sees what it just posted
    s = await startTestServer({ serveWeb: false, app: { hotspots: { cacheMs: 0 }, emergingTagMs: 3_600_000 } });
    const u = await s.createUser('street', WJC);
    wjcStreet = await s.login(u.username, u.password);
    const centres = s.app.tree
      .children(WJC)
      .map((g) => ({ id: g.id, lng: (g.bbox[0] + g.bbox[2]) / 2, lat: (g.bbox[1] + g.bbox[3]) / 2 }))
      .filter((c) => s.app.tree.locate(c.lng, c.lat)?.id === c.id);
    spot = (i) => ({ lng: centres[i]!.lng, lat: centres[i]!.lat });
    otherStreetId = s.app.tree.ancestorAt(s.app.tree.locate(DINGHAI_POINT.lng, DINGHAI_POINT.lat)!.id, 'street')!.id;
    expect(otherStreetId).not.toBe(WJC);
    const o = await s.createUser('street', otherStreetId);
    otherStreet = await s.login(o.username, o.password);
  });
  afterAll(() => s.stop({ removeData: true }));

  describe('recurring', () => {
    it('should tag the second of two cases 100 m apart of one category recurring and link it to the first', async () => {
      const [a] = await post(s, [item({ category: 'rec_a', ...wjc(0), occurredAt: new Date(Date.now() - 3 * DAY).toISOString() })]);
      const [b] = await post(s, [item({ category: 'rec_a', ...wjc(100) })]);
      const ea = (await s.get(`/api/v1/events/${a}`)).json;
      const eb = (await s.get(`/api/v1/events/${b}`)).json;
      expect(ea).toMatchObject({ tags: [], relatedIds: [] });
      expect(eb).toMatchObject({ tags: ['recurring'], relatedIds: [a] });
      // and the list answers carry the tags too
      const listed = (await s.get(`/api/v1/events?limit=5`)).json.events.find((e: any) => e.id === b);
      expect(listed.tags).toEqual(['recurring']);
    });

    it('should not tag a case 300 m away, of another category, or older than the window', async () => {
      await post(s, [item({ category: 'rec_b', ...wjc(0, 400) })]);
      const [far, other, late] = await post(s, [
        item({ category: 'rec_b', ...wjc(300, 400) }),
        item({ category: 'rec_b_other', ...wjc(0, 400) }),
        item({ category: 'rec_c', ...wjc(-600, 0), occurredAt: new Date(Date.now() - 40 * DAY).toISOString() }),
      ]);
      const [tooLate] = await post(s, [item({ category: 'rec_c', ...wjc(-590, 0) })]);
      for (const id of [far, other, late, tooLate]) expect((await s.get(`/api/v1/events/${id}`)).json.tags).toEqual([]);
    });

    it('should link within one batch, and count neither merged duplicates nor a repeated report', async () => {
      const [first, second] = await post(s, [item({ category: 'rec_d', ...wjc(0, -1500) }), item({ category: 'rec_d', ...wjc(50, -1500) })]);
      expect((await s.get(`/api/v1/events/${second}`)).json).toMatchObject({ tags: ['recurring'], relatedIds: [first] });
      // merge the second into the first: a third case links to the first only
      const r = await postJson(s.url, `/api/v1/events/${second}/transitions`, { action: 'reject', reason: 'duplicate', duplicateOf: first, version: 1 }, undefined, { cookie: s.cookie, origin: s.url });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const again = item({ category: 'rec_d', ...wjc(60, -1500) });
      const [third] = await post(s, [again]);
      expect((await s.get(`/api/v1/events/${third}`)).json.relatedIds).toEqual([first]);
      // the same report again is a duplicate and changes nothing
      const [repeat] = await post(s, [again]);
      expect(repeat).toBe(third);
      expect((await s.get(`/api/v1/events/${third}`)).json.version).toBe(1);
    });
  });

  describe('GET /api/v1/hotspots', () => {
    let burst: string[];
    let gridId: string;
    beforeAll(async () => {
      const now = Date.now();
      // a flat history: one case a day for four weeks, each at the same clock hour as today's burst
      const history = Array.from({ length: 28 }, (_, i) => item({ category: 'hs_burst', ...spot(1), occurredAt: new Date(now - (i + 1) * DAY - 2 * 3_600_000).toISOString() }));
      await post(s, history);
      burst = await post(s, Array.from({ length: 8 }, (_, i) => item({ category: 'hs_burst', ...spot(1), lat: spot(1).lat + i * 0.00001, occurredAt: new Date(now - (8 - i) * 600_000).toISOString() })));
      gridId = (await s.get(`/api/v1/events/${burst[0]}`)).json.gridId;
    });

    it('should report a burst against a flat history as an emerging hotspot', async () => {
      const r = await s.get('/api/v1/hotspots?window=24h');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ areaId: '310110', window: '24h' });
      expect(Date.parse(r.json.generatedAt)).toBeGreaterThan(0);
      const h = r.json.hotspots.find((x: any) => x.kind === 'emerging' && x.categoryCode === 'hs_burst');
      expect(h).toMatchObject({ gridId, streetId: WJC, count: 8 });
      expect(h.baseline).toBeCloseTo(1, 6);
      expect(h.p).toBeLessThan(0.01);
      expect(h.caseIds.sort()).toEqual([...burst].sort());
      expect(h.centroid).toHaveLength(2);
      // the same burst is a recurring spot (every case lies within 200 m of the earlier ones)
      const rec = r.json.hotspots.find((x: any) => x.kind === 'recurring' && x.categoryCode === 'hs_burst');
      expect(rec.count).toBeGreaterThanOrEqual(8);
      expect(rec).toMatchObject({ baseline: null, p: null, streetId: WJC });
    });

    it('should answer the default window (24h) and 7d, and leave a steady category alone', async () => {
      const d = await s.get('/api/v1/hotspots');
      expect(d.json.window).toBe('24h');
      const week = await s.get('/api/v1/hotspots?window=7d');
      expect(week.status).toBe(200);
      expect(week.json.window).toBe('7d');
      // the other categories posted here have no burst against their history
      expect(d.json.hotspots.filter((x: any) => x.kind === 'emerging' && x.categoryCode?.startsWith('rec_'))).toEqual([]);
    });

    it('should scope hotspots like events: a street sees its own grids only', async () => {
      const own = await s.get(`/api/v1/hotspots?window=24h`, wjcStreet);
      expect(own.json.areaId).toBe(WJC);
      expect(own.json.hotspots.some((x: any) => x.categoryCode === 'hs_burst')).toBe(true);
      const other = await s.get(`/api/v1/hotspots?window=24h`, otherStreet);
      expect(other.status).toBe(200);
      expect(other.json.hotspots.filter((x: any) => x.streetId !== otherStreetId)).toEqual([]);
      for (const areaId of [WJC, '310110', 'constructor', '__proto__']) {
        expect((await s.get(`/api/v1/hotspots?areaId=${areaId}`, otherStreet)).status).toBe(404);
      }
      expect((await s.get(`/api/v1/hotspots?areaId=${WJC}`, s.cookie)).json.hotspots.length).toBeGreaterThan(0);
    });

    it('should refuse bad query parameters with 400', async () => {
      for (const q of ['window=1h', 'window=', 'window=constructor', 'extra=1', `areaId=${'x'.repeat(100)}`]) {
        const r = await s.get(`/api/v1/hotspots?${q}`);
        expect(r.status, q).toBe(400);
        expect(r.json.error.code).toBe('VALIDATION');
      }
      expect((await fetch(`${s.url}/api/v1/hotspots`)).status).toBe(401);
    });

    it('should tag the cases of an emerging hotspot emerging, with a timeline entry, once', async () => {
      expect(await s.app.hotspots.tagEmerging()).toBeGreaterThanOrEqual(8);
      const c = (await s.get(`/api/v1/events/${burst[0]}`)).json;
      expect(c.tags).toEqual(['recurring', 'emerging']);
      expect(c.timeline.at(-1)).toMatchObject({ action: 'tag', actor: 'system', data: { tag: 'emerging', on: true, category: 'hs_burst' } });
      // a second run changes nothing
      const version = c.version;
      await s.app.hotspots.tagEmerging();
      expect((await s.get(`/api/v1/events/${burst[0]}`)).json.version).toBe(version);
    });
  });

  describe('typical (典型)', () => {
    it('should let an officer mark a case typical with a note: on the timeline, audited, live on the wall', async () => {
      const [id] = await post(s, [item({ category: 'typ_a', ...spot(2) })]);
      const wall = io(s.url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie: s.cookie } });
      const seen: EventDelta['events'] = [];
      wall.on('event:upsert', (d) => seen.push(...d.events));
      await new Promise((r) => wall.once('snapshot', r));

      const r = await tag(s, wjcStreet, id!, { tag: 'typical', on: true, note: '同一地点反复占道' });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json).toMatchObject({ tags: ['typical'], version: 2 });
      expect(r.json.timeline.at(-1)).toMatchObject({ action: 'tag', note: '同一地点反复占道', actorRole: 'street', data: { tag: 'typical', on: true } });
      // setting it again changes nothing
      const again = await tag(s, s.cookie, id!, { tag: 'typical', on: true });
      expect(again.json.version).toBe(2);
      const until = Date.now() + 5000;
      while (!seen.some((d) => d.event.id === id && d.event.tags.includes('typical')) && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
      expect(seen.find((d) => d.event.id === id)?.event.tags).toEqual(['typical']);
      wall.close();

      const off = await tag(s, s.cookie, id!, { tag: 'typical', on: false });
      expect(off.json).toMatchObject({ tags: [], version: 3 });
      const audit = (await s.get('/api/v1/admin/audit?limit=1000', await s.login(ADMIN.username, ADMIN.password))).json;
      const mine = audit.filter((a: any) => a.target === id && a.action === 'case.tag').map((a: any) => a.detail).reverse();
      expect(mine).toEqual(['typical on', 'typical on (unchanged)', 'typical off']);
    });

    it('should refuse another street, a wall, bad bodies and other origins', async () => {
      const [id] = await post(s, [item({ category: 'typ_b', ...spot(2) })]);
      const r = await tag(s, otherStreet, id!, { tag: 'typical', on: true });
      expect(r.status).toBe(404);
      const display = await s.createDisplay('310110');
      const enrol = await postJson(s.url, '/api/v1/session/display', { token: display.token });
      const wallCookie = /onescreen_session=([^;]+)/.exec(enrol.headers.get('set-cookie') ?? '')![0];
      expect((await tag(s, wallCookie, id!, { tag: 'typical', on: true })).status).toBe(403);
      for (const body of [{ tag: 'recurring', on: true }, { tag: 'typical', on: 'yes' }, { tag: 'typical' }, { tag: 'typical', on: true, note: 'x'.repeat(600) }, { tag: 'typical', on: true, constructor: 1 }]) {
        const b = await tag(s, s.cookie, id!, body);
        expect(b.status, JSON.stringify(body)).toBe(400);
      }
      expect((await postJson(s.url, `/api/v1/events/${id}/tags`, { tag: 'typical', on: true }, undefined, { cookie: s.cookie, origin: 'https://evil.example' })).status).toBe(403);
      expect((await tag(s, s.cookie, 'no-such-case', { tag: 'typical', on: true })).status).toBe(404);
      // nothing changed
      expect((await s.get(`/api/v1/events/${id}`)).json).toMatchObject({ tags: [], version: 1 });
    });
  });
});
