/**
 * The wall back in time against a real server (simulator off, a fake clock): a live snapshot is
 * taken, then the centre moves on — new cases, cases worked round the loop, rejected, tagged,
 * and every open case overruns its limit — and the snapshot asked for at the first time must say
 * exactly what the live one said then (cases with their stages, versions and clocks, counts, the
 * ticker, hourly counts, the derived indicators). Then scope, bad queries and the shift handover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Handover, SnapshotResponse, type GridEvent } from '../../shared/index.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const WJC = '310110019000';
const DINGHAI = '310110001000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };

let s: TestServer;
let now = Math.floor(Date.now() / H) * H - 10 * MIN;
const T0 = now;
let street: string;
let n = 0;
const ids: Record<string, string> = {};
let unit = '';

async function ingest(name: string, over: { category?: string; at: number; lng?: number; lat?: number; severity?: string } = { at: now - H }) {
  const { at, ...rest } = over;
  const r = await postJson(
    s.url,
    '/api/v1/events',
    { events: [{ source: 'grid', externalId: `rp-${++n}`, category: 'hotline_request', title: `案件 ${name}`, ...WJC_POINT, ...rest, occurredAt: new Date(at).toISOString() }] },
    s.ingestKey,
  );
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  ids[name] = r.json.results[0].id;
}

async function go(name: string, steps: object[], cookie = s.cookie) {
  const id = ids[name]!;
  let v = (await s.get(`/api/v1/events/${id}`)).json.version;
  for (const st of steps) {
    now += MIN;
    const r = await postJson(s.url, `/api/v1/events/${id}/transitions`, { ...st, version: v }, undefined, { cookie });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    v = r.json.version;
  }
}

const snapshot = async (query: string, cookie = s.cookie) => {
  const r = await s.get(`/api/v1/snapshot${query}`, cookie);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return SnapshotResponse.parse(r.json);
};
const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());
const until = async (what: string, cond: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const value = (snap: SnapshotResponse, indicatorId: string, areaId: string) => snap.indicators.find((v) => v.indicatorId === indicatorId && v.areaId === areaId)?.value;

let T1 = 0;
let live: SnapshotResponse;
let liveStreet: SnapshotResponse;

beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, clock: { now: () => now }, breachCheckMs: 100 });
  const u = await s.createUser('street', WJC);
  street = await s.login(u.username, u.password);
  unit = ((await s.get('/api/v1/units')).json as { id: string }[])[0]!.id;

  // the state at T1: six cases in two streets, some worked
  await ingest('a', { at: now - 3 * H });
  await ingest('b', { at: now - 2 * H, severity: 'high' });
  await ingest('c', { at: now - 26 * H }); // occurred yesterday (or earlier): the hourly counts tell
  await ingest('d', { at: now - H, ...DINGHAI_POINT });
  await ingest('e', { at: now - 30 * MIN, ...DINGHAI_POINT, category: 'neighbour_dispute' });
  await ingest('f', { at: now - 20 * MIN });
  await go('a', [{ action: 'accept' }, { action: 'dispatch', unit }]);
  await go('b', [{ action: 'accept' }]);
  await go('d', [{ action: 'accept' }, { action: 'dispatch', unit }, { action: 'handle', note: '已处理' }]);
  await go('f', [{ action: 'accept' }, { action: 'dispatch', unit }, { action: 'handle', note: '已处理' }, { action: 'verify' }, { action: 'archive', rating: 'good', satisfaction: 5 }]);
  now += MIN;
  T1 = now;
  // the live snapshot once an indicator tick that began at T1 (after every change above) has counted:
  // an earlier tick may have counted 5 open cases before f was even reported (a race CI once lost)
  await until('the derived counts of T1', async () => {
    live = await snapshot('');
    const today = live.indicators.find((v) => v.indicatorId === 'events_today' && v.areaId === live.areaId);
    return value(live, 'open_events', live.areaId) === 5 && today?.at === new Date(T1).toISOString();
  });
  liveStreet = await snapshot('', street);

  // the centre moves on
  now += 10 * MIN;
  await ingest('g', { at: now - 5 * MIN });
  await ingest('h', { at: now - 4 * MIN, ...DINGHAI_POINT });
  await go('a', [{ action: 'handle', note: '修好了' }, { action: 'verify' }, { action: 'archive', rating: 'bad', satisfaction: 2 }]);
  await go('b', [{ action: 'reject', reason: 'invalid' }]);
  await go('c', [{ action: 'accept' }, { action: 'escalate', note: '需区级协调' }], street);
  now += MIN;
  const tag = await postJson(s.url, `/api/v1/events/${ids.e}/tags`, { tag: 'typical', on: true, note: '典型' }, undefined, { cookie: s.cookie });
  expect(tag.status, JSON.stringify(tag.json)).toBe(200);
  // the open cases overrun their stages (all but d, whose verification has 8 hours): the breach watch marks them (and raises street cases)
  now += 3 * H;
  for (const name of ['c', 'e', 'g', 'h']) await until(`the breach of ${name}`, async () => (await s.get(`/api/v1/events/${ids[name]}`)).json.breaches > 0);
  now += MIN;
}, 60_000);

afterAll(async () => {
  await s?.stop({ removeData: true });
});

const sameCases = (a: GridEvent[], b: GridEvent[]) => expect(a).toEqual(b);

describe('GET /api/v1/snapshot?at=', () => {
  it('should say at a past time what the live snapshot said then', async () => {
    const then = await snapshot(`?at=${iso(T1)}`);
    expect(then.serverTime).toBe(new Date(T1).toISOString());
    expect(then.epoch).toBe('replay');
    expect(then.openTotal).toBe(live.openTotal);
    expect(then.openTotal).toBe(5);
    sameCases(then.events, live.events);
    sameCases(then.recent, live.recent);
    expect(then.hourly).toEqual(live.hourly);
    for (const id of ['open_events', 'overdue_events', 'events_today']) {
      for (const area of [live.areaId, WJC, DINGHAI]) expect(value(then, id, area), `${id} of ${area}`).toBe(value(live, id, area));
    }
    expect(then.alarms).toEqual(live.alarms);
    // and the present differs: the replay is not the live state
    const nowSnap = await snapshot('');
    expect(nowSnap.events.map((e) => e.id).sort()).not.toEqual(then.events.map((e) => e.id).sort());
    expect(then.events.find((e) => e.id === ids.c)).toMatchObject({ status: 'reported', escalated: false, breaches: 0, version: 1 });
    expect(nowSnap.events.find((e) => e.id === ids.c)).toMatchObject({ status: 'accepted', escalated: true });
  });

  it('should give a street session its own street, as it was', async () => {
    const then = await snapshot(`?at=${iso(T1)}`, street);
    expect(then.areaId).toBe(WJC);
    expect(then.events.every((e) => e.streetId === WJC)).toBe(true);
    expect(then.recent.every((e) => e.streetId === WJC)).toBe(true);
    sameCases(then.events, liveStreet.events);
    sameCases(then.recent, liveStreet.recent);
    expect(then.openTotal).toBe(liveStreet.openTotal);
    expect(then.hourly).toEqual(liveStreet.hourly);
  });

  it('should answer another street or an unknown area like one that does not exist', async () => {
    for (const areaId of [DINGHAI, 'nope', 'constructor']) {
      const r = await s.get(`/api/v1/snapshot?areaId=${areaId}&at=${iso(T1)}`, street);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('NOT_FOUND');
    }
    expect((await s.get(`/api/v1/snapshot?areaId=${DINGHAI}`, street)).status).toBe(404);
    expect((await s.get(`/api/v1/snapshot?at=${iso(T1)}`, '')).status).toBe(401);
  });

  it('should refuse a malformed, future or too old time, and unknown parameters', async () => {
    for (const q of ['?at=yesterday', `?at=${iso(now + MIN)}`, `?at=${iso(now - 8 * DAY)}`, `?at=${iso(T1)}&foo=1`, '?at=']) {
      const r = await s.get(`/api/v1/snapshot${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code).toBe('VALIDATION');
    }
  });

  it('should serve the live snapshot without at', async () => {
    const r = await snapshot(`?areaId=${DINGHAI}`);
    expect(r.areaId).toBe(DINGHAI);
    expect(r.epoch).not.toBe('replay');
    expect(r.events.every((e) => e.streetId === DINGHAI)).toBe(true);
  });
});

describe('GET /api/v1/handover', () => {
  it('should count and list what happened in the window, by street and category', async () => {
    const r = await s.get(`/api/v1/handover?since=${iso(T0 - MIN)}&until=${iso(now)}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const h = Handover.parse(r.json);
    expect(h.newCases.total).toBe(8);
    expect(h.closedCases.items.map((c) => c.id).sort()).toEqual([ids.a, ids.f].sort());
    // the cases that overran their stage after the jump (c, e, g, h)
    expect(h.overdueCases.items.map((c) => c.id).sort()).toEqual([ids.c, ids.e, ids.g, ids.h].sort());
    const wjc = h.byStreet.find((x) => x.streetId === WJC)!;
    expect(wjc).toMatchObject({ newCases: 5, closedCases: 2, overdueCases: 2 });
    expect(h.byStreet.find((x) => x.streetId === DINGHAI)).toMatchObject({ newCases: 3, closedCases: 0, overdueCases: 2 });
    expect(h.byCategory.find((x) => x.category === 'neighbour_dispute')).toMatchObject({ newCases: 1 });
    // newest first
    const times = h.newCases.items.map((c) => Date.parse(c.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    // only the window: the shift before T1 saw the first six cases arrive and one closed
    const early = Handover.parse((await s.get(`/api/v1/handover?since=${iso(T0 - MIN)}&until=${iso(T1)}`)).json);
    expect(early.newCases.total).toBe(6);
    expect(early.closedCases.items.map((c) => c.id)).toEqual([ids.f]);
    expect(early.overdueCases.total).toBe(0);
  });

  it('should give a street session its own street only', async () => {
    const h = Handover.parse((await s.get(`/api/v1/handover?since=${iso(T0 - MIN)}`, street)).json);
    expect(h.areaId).toBe(WJC);
    expect(h.newCases.total).toBe(5);
    expect(h.byStreet.map((x) => x.streetId)).toEqual([WJC]);
    expect([...h.newCases.items, ...h.closedCases.items, ...h.overdueCases.items].every((c) => c.streetId === WJC)).toBe(true);
    expect((await s.get(`/api/v1/handover?areaId=${DINGHAI}&since=${iso(T0 - MIN)}`, street)).status).toBe(404);
  });

  it('should refuse bad windows', async () => {
    for (const q of [
      '?since=noon',
      `?since=${iso(now)}&until=${iso(now - H)}`,
      `?since=${iso(now - 8 * DAY)}`,
      `?since=${iso(now - H)}&until=${iso(now + H)}`,
      `?since=${iso(now - H)}&limit=5`,
    ]) {
      const r = await s.get(`/api/v1/handover${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code).toBe('VALIDATION');
    }
  });
});
