/**
 * The 12345 analysis against a real server (simulator off, a fake clock): hotline and other
 * events are ingested with chosen times, some hotline cases go round the loop (one of them late),
 * and the answer is checked against an independent recount of the database; then scope, bad
 * queries and the CSV export.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HotlineAnalysis } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const H = 3_600_000;
const DAY = 24 * H;
const WJC = '310110019000';
const DINGHAI = '310110001000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };
const EVIL = '=HYPERLINK("http://evil.example/","点我")';

let s: TestServer;
let now = Math.floor(Date.now() / H) * H - 30 * 60_000;
const T0 = now;
let street: string;
let n = 0;
const ids: Record<string, string> = {};

/** one event; its id is kept under `name` */
async function ingest(name: string, over: { source?: string; category?: string; title?: string; at: number; lng?: number; lat?: number; severity?: string }) {
  const { at, ...rest } = over;
  const r = await postJson(
    s.url,
    '/api/v1/events',
    { events: [{ source: '12345', externalId: `hl-${++n}`, category: 'hotline_request', title: '路灯不亮', ...WJC_POINT, ...rest, occurredAt: new Date(at).toISOString() }] },
    s.ingestKey,
  );
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  ids[name] = r.json.results[0].id;
}

async function go(id: string, steps: object[]) {
  let v = (await s.get(`/api/v1/events/${id}`)).json.version;
  for (const st of steps) {
    const r = await postJson(s.url, `/api/v1/events/${id}/transitions`, { ...st, version: v }, undefined, { cookie: s.cookie });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    v = r.json.version;
  }
}
const LOOP = [{ action: 'accept' }, { action: 'dispatch', unit: 'city-management' }, { action: 'handle', note: '已修复' }, { action: 'verify' }];

/** the period asked about: the last day up to two hours past the start (the loop runs meanwhile) */
const FROM = T0 - DAY;
const TO = T0 + 2 * H;
const q = (extra = '') => `from=${encodeURIComponent(new Date(FROM).toISOString())}&to=${encodeURIComponent(new Date(TO).toISOString())}${extra}`;

beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, clock: { now: () => now }, breachCheckMs: 60_000 });
  const u = await s.createUser('street', WJC);
  street = await s.login(u.username, u.password);
  const units = (await s.get('/api/v1/units')).json as { id: string }[];
  LOOP[1] = { action: 'dispatch', unit: units[0]!.id };

  // the period: a spot of three calls within ~50 m in 五角场, two more there, two in 定海路
  await ingest('spot1', { at: T0 - 5 * H });
  await ingest('spot2', { at: T0 - 4 * H, lng: WJC_POINT.lng + 0.0003 });
  await ingest('spot3', { at: T0 - 1 * H, lat: WJC_POINT.lat + 0.0003, title: EVIL, category: 'property_dispute' });
  await ingest('late', { at: T0 - 3 * H, severity: 'critical', lng: 121.52, lat: 31.305 });
  await ingest('dispute1', { at: T0 - 2 * H, category: 'neighbour_dispute', lng: 121.51, lat: 31.3 });
  await ingest('dh1', { at: T0 - 6 * H, category: 'neighbour_dispute', ...DINGHAI_POINT });
  await ingest('dh2', { at: T0 - 7 * H, category: 'neighbour_dispute', ...DINGHAI_POINT });
  // not hotline: never counted
  await ingest('grid', { at: T0 - 2 * H, source: 'grid', category: 'fire_hazard', title: '消防通道堵塞' });
  await ingest('camera', { at: T0 - 2 * H, source: 'camera', category: 'traffic_violation', title: '违停' });
  // the baseline (the same hours a week earlier) and outside both windows
  await ingest('base1', { at: T0 - 7 * DAY - 5 * H });
  await ingest('base2', { at: T0 - 7 * DAY - 20 * H, category: 'property_dispute' });
  await ingest('base3', { at: T0 - 7 * DAY - 21 * H, category: 'property_dispute', ...DINGHAI_POINT });
  await ingest('outside', { at: T0 - 3 * DAY });

  // one hotline case closed on time and rated well; one closed after overrunning its acceptance limit
  await go(ids.spot1!, [...LOOP, { action: 'archive', rating: 'good', satisfaction: 5 }]);
  now += 10 * 60_000; // a critical hotline case must be accepted within 7.5 minutes
  await s.app.cases.checkBreaches();
  expect((await s.get(`/api/v1/events/${ids.late}`)).json.breaches).toBe(1);
  await go(ids.late!, [...LOOP, { action: 'archive', rating: 'bad', satisfaction: 2 }]);
  await go(ids.grid!, [...LOOP, { action: 'archive', rating: 'good', satisfaction: 5 }]); // not hotline
});
afterAll(() => s.stop({ removeData: true }));

describe('GET /api/v1/analytics/hotline', () => {
  it('should match an independent recount of the stored events and timelines', async () => {
    const r = await s.get(`/api/v1/analytics/hotline?${q()}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const a = HotlineAnalysis.parse(r.json);
    expect(a.areaId).toBe('310110');
    expect(Date.parse(a.baselineFrom)).toBe(FROM - 7 * DAY);
    expect(Date.parse(a.baselineTo)).toBe(TO - 7 * DAY);

    const db = new Database(`${s.dataDir}/onescreen.sqlite`, { readonly: true });
    try {
      const count = (from: number, to: number) =>
        Object.fromEntries(
          (db.prepare(`SELECT category, COUNT(*) n FROM events WHERE source = '12345' AND occurred_at >= ? AND occurred_at < ? GROUP BY category`).all(from, to) as { category: string; n: number }[]).map((x) => [x.category, x.n]),
        );
      const period = count(FROM, TO);
      const base = count(FROM - 7 * DAY, TO - 7 * DAY);
      const cats = new Set([...Object.keys(period), ...Object.keys(base)]);
      expect(Object.fromEntries(a.byCategory.map((x) => [x.category, [x.count, x.baseline]]))).toEqual(Object.fromEntries([...cats].map((c) => [c, [period[c] ?? 0, base[c] ?? 0]])));
      const archived = db
        .prepare(
          `SELECT e.id, json_extract(t.data, '$.rating') rating, json_extract(t.data, '$.satisfaction') sat,
             EXISTS (SELECT 1 FROM event_timeline b WHERE b.event_id = e.id AND b.action = 'breach') late
           FROM event_timeline t JOIN events e ON e.id = t.event_id WHERE t.action = 'archive' AND e.source = '12345' AND t.at >= ? AND t.at < ?`,
        )
        .all(FROM, TO) as { rating: string; sat: number; late: number }[];
      const closed = archived.length;
      expect(a.closure.period).toMatchObject({
        closed,
        onTime: archived.filter((x) => !x.late).length,
        onTimeRate: archived.filter((x) => !x.late).length / closed,
        good: archived.filter((x) => x.rating === 'good').length,
        bad: archived.filter((x) => x.rating === 'bad').length,
        satisfaction: archived.reduce((t, x) => t + x.sat, 0) / closed,
      });
      const grids = db.prepare(`SELECT grid_id gridId, COUNT(*) count FROM events WHERE source = '12345' AND occurred_at >= ? AND occurred_at < ? GROUP BY grid_id`).all(FROM, TO);
      expect([...a.byGrid].sort((x, y) => x.gridId.localeCompare(y.gridId))).toEqual([...(grids as { gridId: string }[])].sort((x, y) => x.gridId.localeCompare(y.gridId)));
    } finally {
      db.close();
    }

    // and the figures this fixture was built for
    expect(a.total).toEqual({ count: 7, baseline: 3, change: 4, changePct: 4 / 3 });
    expect(a.byCategory.find((x) => x.category === 'neighbour_dispute')).toMatchObject({ count: 3, baseline: 0, change: 3, changePct: null, score: 3 });
    expect(a.rising.map((x) => x.category)).toEqual(['neighbour_dispute', 'hotline_request']);
    expect(a.closure.period).toEqual({ closed: 2, onTime: 1, onTimeRate: 0.5, good: 1, bad: 1, goodRate: 0.5, satisfaction: 3.5, satisfactionN: 2 });
    expect(a.closure.baseline).toMatchObject({ closed: 0, onTimeRate: null, satisfaction: null });
    const spot = a.repeats.byPlace.find((x) => x.caseIds.includes(ids.spot1!));
    expect(spot).toMatchObject({ kind: 'place', count: 3, streetId: WJC, sampleTitle: EVIL });
    expect([...spot!.caseIds].sort()).toEqual([ids.spot1, ids.spot2, ids.spot3].sort());
    expect(a.repeats.byPlace.find((x) => x.caseIds.includes(ids.dh1!))?.count).toBe(2);
    // repeat grids: exactly the grids with two or more hotline cases, the spot's grid among them
    expect(a.repeats.byGrid.map((g) => [g.gridId, g.count]).sort()).toEqual(a.byGrid.filter((g) => g.count >= 2).map((g) => [g.gridId, g.count]).sort());
    expect(a.repeats.byGrid.some((g) => g.caseIds.includes(ids.spot1!))).toBe(true);
    expect(a.hourly).toHaveLength(26);
    expect(a.hourly.reduce((t, h) => t + h.count, 0)).toBe(7);
    expect(a.hourly.reduce((t, h) => t + h.baseline, 0)).toBe(3);
    // spot1 and base1, 5 hours before T0 in their weeks: the same entry
    expect(a.hourly[19]).toEqual({ at: new Date(T0 - 5 * H).toISOString(), count: 1, baseline: 1 });
  });

  it('should default to the last 24 hours', async () => {
    const a = (await s.get('/api/v1/analytics/hotline')).json;
    expect(Date.parse(a.to)).toBe(now);
    expect(Date.parse(a.to) - Date.parse(a.from)).toBe(DAY);
    expect(a.hourly).toHaveLength(24);
  });

  it("should show a street centre its own street only, and refuse another street's or the district's figures like unknown areas", async () => {
    const mine = (await s.get(`/api/v1/analytics/hotline?${q()}`, street)).json;
    expect(mine.areaId).toBe(WJC);
    expect(mine.total.count).toBe(5);
    expect(mine.byCategory.find((x: { category: string }) => x.category === 'neighbour_dispute').count).toBe(1);
    expect(mine.repeats.byPlace.flatMap((x: { caseIds: string[] }) => x.caseIds)).not.toContain(ids.dh1);
    expect(mine.repeats.byGrid.every((x: { streetId: string }) => x.streetId === WJC)).toBe(true);
    for (const other of [DINGHAI, '310110']) {
      const r = await s.get(`/api/v1/analytics/hotline?areaId=${other}&${q()}`, street);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('NOT_FOUND');
      expect((await fetch(`${s.url}/api/v1/analytics/hotline.csv?areaId=${other}`, { headers: { cookie: street } })).status).toBe(404);
    }
    // the district sees a street's own figures
    expect((await s.get(`/api/v1/analytics/hotline?areaId=${DINGHAI}&${q()}`)).json.total.count).toBe(2);
    // refusals are audited
    const audit = (await s.get('/api/v1/admin/audit?limit=200', await s.login(ADMIN.username, ADMIN.password))).json as { action: string; target: string; outcome: string }[];
    expect(audit.some((x) => x.action === 'GET /api/v1/analytics/hotline' && x.target === DINGHAI && x.outcome === 'denied')).toBe(true);
    // signed out: 401
    expect((await fetch(`${s.url}/api/v1/analytics/hotline`)).status).toBe(401);
  });

  it('should refuse bad periods and garbage with a clear 400, and unknown areas with 404', async () => {
    const iso = (t: number) => encodeURIComponent(new Date(t).toISOString());
    const bad = [
      `from=${iso(TO)}&to=${iso(FROM)}`,
      `from=${iso(TO)}&to=${iso(TO)}`,
      `from=${iso(TO - 93 * DAY)}&to=${iso(TO)}`,
      'from=yesterday',
      'to=2026-13-45T99:00:00Z',
      'from[]=1',
      'limit=5',
      `areaId=${'x'.repeat(100)}`,
      'from=0001-01-01T00:00:00Z&to=0001-02-01T00:00:00Z',
    ];
    for (const query of bad) {
      const r = await s.get(`/api/v1/analytics/hotline?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error.code, query).toBe('VALIDATION');
    }
    expect((await s.get(`/api/v1/analytics/hotline?from=${iso(TO)}&to=${iso(FROM)}`)).json.error.message).toMatch(/after/);
    expect((await s.get(`/api/v1/analytics/hotline?from=${iso(TO - 93 * DAY)}&to=${iso(TO)}`)).json.error.message).toMatch(/92 days/);
    // exactly 92 days is allowed
    expect((await s.get(`/api/v1/analytics/hotline?from=${iso(TO - 92 * DAY)}&to=${iso(TO)}`)).status).toBe(200);
    for (const area of ['constructor', '__proto__', 'nowhere']) expect((await s.get(`/api/v1/analytics/hotline?areaId=${area}`)).status).toBe(404);
    // the far ends of the calendar are answered (empty), never a failure
    for (const [from, to] of [['2000-01-01T00:00:00Z', '2000-02-01T00:00:00Z'], ['9999-11-01T00:00:00Z', '9999-12-31T23:59:59Z'], ['2026-11-01T00:00:00+14:00', '2026-11-02T00:00:00-12:00']]) {
      const r = await s.get(`/api/v1/analytics/hotline?from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`);
      expect(r.status, `${from} ${JSON.stringify(r.json)}`).toBe(200);
      expect(HotlineAnalysis.parse(r.json).total.count).toBe(0);
    }
  });

  it('should answer parallel requests alike', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => s.get(`/api/v1/analytics/hotline?${q()}`)));
    expect(new Set(all.map((r) => JSON.stringify(r.json))).size).toBe(1);
  });
});

describe('GET /api/v1/analytics/hotline.csv', () => {
  it('should export categories with their baseline and repeat locations, with a BOM and no live formula', async () => {
    const res = await fetch(`${s.url}/api/v1/analytics/hotline.csv?${q()}`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="onescreen-12345-.*\.csv"/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('类别 category,代码 code,本期 count,上周同期 baseline,变化 change,变化% change %,上升指数 rise score');
    expect(text).toContain('"邻里纠纷","neighbour_dispute","3","0","3","","3"');
    expect(text).toContain('"合计 total","","7","3","4","133.3",""');
    expect(text).toContain('类型 kind,街道 street,网格 grid,经度 lng,纬度 lat,件数 count');
    // the citizen's title is there, as text: no cell starts with a formula character
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/"",""点我"")"`);
    for (const line of lines) for (const cell of line.match(/"(?:[^"]|"")*"/g) ?? []) expect(cell, line).not.toMatch(/^"[=+@\t\r]/);
    // a fall is a number, not text
    const r = await fetch(`${s.url}/api/v1/analytics/hotline.csv?from=${encodeURIComponent(new Date(T0 - 7 * DAY - 22 * H).toISOString())}&to=${encodeURIComponent(new Date(T0 - 7 * DAY).toISOString())}`, { headers: { cookie: s.cookie } });
    expect(await r.text()).toMatch(/"合计 total","","\d+","0"/);
  });
});
