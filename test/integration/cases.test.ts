import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDelta } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };
let n = 0;
const report = async (s: TestServer, over: Record<string, unknown> = {}) => {
  const r = await postJson(s.url, '/api/v1/events', { events: [{ source: '12345', externalId: `case-${++n}`, category: 'fire_hazard', title: '消防通道堵塞', ...WJC_POINT, occurredAt: new Date().toISOString(), ...over }] }, s.ingestKey);
  return r.json.results[0].id as string;
};
const act = (s: TestServer, cookie: string, id: string, body: object) => postJson(s.url, `/api/v1/events/${id}/transitions`, body, undefined, { cookie });

describe('the closed loop over HTTP', () => {
  let s: TestServer;
  let street: string;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    const u = await s.createUser('street', WJC);
    street = await s.login(u.username, u.password);
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should take a case from report to archive, every step on the timeline, in the audit and on the wall live', async () => {
    const id = await report(s);
    const wall = io(s.url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie: s.cookie } });
    const seen: EventDelta['events'] = [];
    wall.on('event:upsert', (d) => seen.push(...d.events));
    await new Promise((r) => wall.once('snapshot', r));

    let c = (await s.get(`/api/v1/events/${id}`)).json;
    expect(c).toMatchObject({ status: 'reported', version: 1, suggestedUnit: 'fire-safety', allowedActions: expect.arrayContaining(['accept', 'reject']) });
    expect(c.timeline).toHaveLength(1);
    expect(c.timeline[0]).toMatchObject({ seq: 1, action: 'report', actor: '12345' });
    expect(Date.parse(c.dueAt) - Date.parse(c.stageStartedAt)).toBe(5 * 60_000); // fire: accept within 5 min
    // screens colour the clock amber from the server's own warning fraction
    expect((await (await fetch(`${s.url}/api/health`)).json()).clockWarnAt).toBe(0.75);

    const steps = [
      { action: 'accept' },
      { action: 'dispatch', unit: 'fire-safety', coUnits: [`st-${WJC}`] },
      { action: 'urge', note: '请尽快处置' },
      { action: 'handle', note: '已清理楼道堆物', attachments: ['现场照片.jpg'] },
      { action: 'verify' },
      { action: 'archive', rating: 'good', satisfaction: 5 },
    ];
    for (const step of steps) {
      const r = await act(s, street, id, { ...step, version: c.version });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      c = r.json;
    }
    expect(c).toMatchObject({ status: 'archived', version: 7, leadUnit: 'fire-safety', coUnits: [`st-${WJC}`], rating: 'good', satisfaction: 5, dueAt: null, allowedActions: [] });
    expect(c.timeline.map((e: any) => e.action)).toEqual(['report', 'accept', 'dispatch', 'urge', 'handle', 'verify', 'archive']);
    expect(c.timeline[4]).toMatchObject({ note: '已清理楼道堆物', attachments: ['现场照片.jpg'], from: 'dispatched', to: 'handled' });

    const until = Date.now() + 3000;
    while (seen.filter((d) => d.event.id === id).length < 6 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const mine = seen.filter((d) => d.event.id === id);
    expect(mine.map((d) => d.event.status)).toEqual(['accepted', 'dispatched', 'dispatched', 'handled', 'verified', 'archived']);
    expect(mine.every((d) => d.created === false)).toBe(true);
    wall.close();

    const audit = (await s.get('/api/v1/admin/audit?limit=1000', await s.login(ADMIN.username, ADMIN.password))).json;
    const actions = audit.filter((a: any) => a.target === id && a.outcome === 'ok').map((a: any) => a.action).reverse();
    expect(actions).toEqual(['case.accept', 'case.dispatch', 'case.urge', 'case.handle', 'case.verify', 'case.archive']);
  });

  it('should give the second of two officers acting on the same version a clear conflict', async () => {
    const id = await report(s);
    const [a, b] = await Promise.all([act(s, s.cookie, id, { action: 'accept', version: 1 }), act(s, street, id, { action: 'reject', reason: 'invalid', version: 1 })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.json.error.code).toBe('CONFLICT');
    expect(loser.json.error.message).toMatch(/changed meanwhile/);
    const c = (await s.get(`/api/v1/events/${id}`)).json;
    expect(c.version).toBe(2);
    expect(c.timeline).toHaveLength(2);
  });

  it('should refuse invalid moves, wrong roles and other streets', async () => {
    const id = await report(s);
    expect((await act(s, street, id, { action: 'verify', version: 1 })).status).toBe(422);
    expect((await act(s, street, id, { action: 'dispatch', unit: 'nobody', version: 1 })).status).toBe(422);
    expect((await act(s, street, id, { action: 'escalate', note: '', version: 1 })).json.error.issues[0].path).toBe('note');
    expect((await act(s, street, id, { action: 'fly', version: 1 })).status).toBe(400);
    const wall = await s.createDisplay(WJC);
    const enrol = await postJson(s.url, '/api/v1/session/display', { token: wall.token });
    const wallCookie = /onescreen_session=[^;]+/.exec(enrol.headers.get('set-cookie')!)![0];
    expect((await act(s, wallCookie, id, { action: 'accept', version: 1 })).status).toBe(403);
    const other = await report(s, DINGHAI_POINT);
    const r = await act(s, street, other, { action: 'accept', version: 1 });
    expect(r.status).toBe(404); // like an id that does not exist
    expect((await s.get(`/api/v1/events/${other}`, street)).status).toBe(404);
  });

  it('should escalate a street case to the district with a written reason', async () => {
    const id = await report(s);
    const r = await act(s, street, id, { action: 'escalate', note: '涉及多个部门，需区级统筹', version: 1 });
    expect(r.json).toMatchObject({ escalated: true, status: 'reported' });
    expect(r.json.allowedActions).toEqual(['urge']); // the district directs it now
    const d = (await s.get(`/api/v1/events/${id}`)).json;
    expect(d.allowedActions).toContain('accept');
  });

  it('should list the units', async () => {
    const units = (await s.get('/api/v1/units')).json;
    expect(units.length).toBeGreaterThan(12);
    expect(units.find((u: any) => u.id === `st-${WJC}`)).toMatchObject({ kind: 'street', streetId: WJC });
  });

  it("should list each unit's own cases, led or co-handled, within the caller's area", async () => {
    const led = await report(s);
    const helped = await report(s, { category: 'neighbour_dispute', title: '楼道堆物纠纷' });
    const elsewhere = await report(s, DINGHAI_POINT);
    const other = await report(s, { category: 'traffic_violation', title: '违停' });
    const dispatch = async (id: string, body: object) => {
      expect((await act(s, s.cookie, id, { action: 'accept', version: 1 })).status).toBe(200);
      expect((await act(s, s.cookie, id, { action: 'dispatch', version: 2, ...body })).status).toBe(200);
    };
    await dispatch(led, { unit: 'fire-safety' });
    await dispatch(helped, { unit: `st-${WJC}`, coUnits: ['fire-safety'] });
    await dispatch(elsewhere, { unit: 'fire-safety' });
    await dispatch(other, { unit: 'traffic-police' });
    const ids = async (q: string, cookie?: string) => ((await s.get(`/api/v1/events?${q}`, cookie)).json.events as { id: string }[]).map((e) => e.id).sort();
    // (other tests of this server may have left cases with these units: look at this test's own)
    const mine = (list: string[]) => list.filter((id) => [led, helped, elsewhere, other].includes(id));
    expect(mine(await ids('unit=fire-safety&status=open'))).toEqual([led, helped, elsewhere].sort());
    expect(mine(await ids('unit=traffic-police&status=open'))).toEqual([other]);
    // a street centre sees the unit's cases in its own street only
    expect(mine(await ids('unit=fire-safety&status=open', street))).toEqual([led, helped].sort());
    expect((await s.get('/api/v1/events?unit=Not%20A%20Code')).status).toBe(400);
  });

  it('should merge a duplicate report into its original, and show a street only its own merged reports', async () => {
    const original = await report(s, { title: '消防栓损坏' });
    const dup = await report(s, { title: '消防栓漏水（重复）', source: 'grid' });
    const farDup = await report(s, { ...DINGHAI_POINT, title: '定海路上报的同一消防栓' });
    const r = await act(s, street, dup, { action: 'reject', reason: 'duplicate', duplicateOf: original, version: 1 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'rejected', duplicateOf: original });
    // the district merges a report from another street into it too
    expect((await act(s, s.cookie, farDup, { action: 'reject', reason: 'duplicate', duplicateOf: original, version: 1 })).status).toBe(200);
    const byDistrict = (await s.get(`/api/v1/events/${original}`)).json;
    expect(byDistrict.duplicates.map((d: any) => d.id).sort()).toEqual([dup, farDup].sort());
    const byStreet = (await s.get(`/api/v1/events/${original}`, street)).json;
    expect(byStreet.duplicates.map((d: any) => d.id)).toEqual([dup]);
    expect(((await s.get(`/api/v1/events?duplicateOf=${original}`, street)).json.events as any[]).map((e) => e.id)).toEqual([dup]);
    // a report cannot be merged into a rejected one: the error names the case to merge into
    const third = await report(s, { title: '又一次上报' });
    const bad = await act(s, street, third, { action: 'reject', reason: 'duplicate', duplicateOf: dup, version: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain(original);
    expect((await s.get(`/api/v1/events/${third}`, street)).json).toMatchObject({ status: 'reported', version: 1 });
  });
});

describe('time limits', () => {
  it('should breach on the stored deadline — also across a restart — and raise a street case to the district', async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const s1 = await startTestServer({ serveWeb: false, clock, breachCheckMs: 50 });
    const id = await report(s1, { severity: 'critical' }); // fire, critical: accept within 75 s
    const dataDir = s1.dataDir;
    await s1.stop();

    now += 80_000; // the server was down while the clock ran out
    const s2 = await startTestServer({ serveWeb: false, clock, dataDir, breachCheckMs: 50 });
    try {
      // the watch runs on its timer; running it here as well makes the check independent of timing
      await s2.app.cases.checkBreaches();
      const c = (await s2.get(`/api/v1/events/${id}`)).json;
      expect(c).toMatchObject({ breaches: 1, escalated: true, status: 'reported' });
      expect(c.timeline.at(-1)).toMatchObject({ action: 'breach', actor: 'system', data: { stage: 'accept', escalatedTo: 'district' } });
      // counted once per stage, however long it stays overdue
      now += 60_000;
      await s2.app.cases.checkBreaches();
      await s2.app.cases.checkBreaches();
      expect((await s2.get(`/api/v1/events/${id}`)).json.breaches).toBe(1);
      // the next stage gets its own clock
      const acc = await postJson(s2.url, `/api/v1/events/${id}/transitions`, { action: 'accept', version: c.version }, undefined, { cookie: s2.cookie });
      expect(Date.parse(acc.json.dueAt) - now).toBe(150_000); // dispatch 10 min × 0.25
      const overdue = (await s2.get('/api/v1/indicators')).json.values.find((v: any) => v.indicatorId === 'overdue_events' && v.areaId === '310110');
      expect(overdue).toBeDefined();
    } finally {
      await s2.stop({ removeData: true });
    }
  });
});

describe('statistics and the period report', () => {
  it('should count the comparison board exactly as an independent recount of the stored timelines', async () => {
    let now = Date.now();
    const t0 = now;
    const s = await startTestServer({ serveWeb: false, clock: { now: () => now }, breachCheckMs: 50 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await report(s, i % 2 ? DINGHAI_POINT : {}));
      const go = async (id: string, steps: object[]) => {
        let v = (await s.get(`/api/v1/events/${id}`)).json.version;
        for (const st of steps) {
          const r = await act(s, s.cookie, id, { ...st, version: v });
          expect(r.status, JSON.stringify(r.json)).toBe(200);
          v = r.json.version;
        }
      };
      const full = [{ action: 'accept' }, { action: 'dispatch', unit: 'fire-safety' }, { action: 'handle', note: '已处置' }, { action: 'verify' }];
      await go(ids[0]!, [...full, { action: 'archive', rating: 'good', satisfaction: 4 }]);
      // six minutes pass: the five cases still waiting overrun their 5-minute acceptance limit
      now += 6 * 60_000;
      await expect.poll(async () => (await Promise.all(ids.slice(1).map(async (id) => (await s.get(`/api/v1/events/${id}`)).json.breaches))).join(), { timeout: 5000 }).toBe('1,1,1,1,1');
      await go(ids[1]!, [...full, { action: 'archive', rating: 'bad', satisfaction: 2 }]);
      await go(ids[2]!, [{ action: 'accept' }, { action: 'dispatch', unit: 'traffic-police' }, { action: 'return', note: '非本单位' }]);
      await go(ids[3]!, [{ action: 'reject', reason: 'invalid' }]);

      const stats = (await s.get(`/api/v1/stats?from=${new Date(t0 - 60_000).toISOString()}`)).json;
      // the independent recount: straight from the timelines in the database
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(`${s.dataDir}/onescreen.sqlite`, { readonly: true });
      const q = (sql: string, ...a: unknown[]) => db.prepare(sql).all(...a) as any[];
      const count = (action: string, street: string) => q(`SELECT COUNT(*) n FROM event_timeline t JOIN events e ON e.id = t.event_id WHERE t.action = ? AND e.street_id = ?`, action, street)[0].n as number;
      for (const row of stats.byStreet) {
        const [{ n: good }] = q(`SELECT COUNT(*) n FROM event_timeline t JOIN events e ON e.id = t.event_id WHERE t.action = 'archive' AND json_extract(t.data, '$.rating') = 'good' AND e.street_id = ?`, row.key);
        const [{ n: late }] = q(
          `SELECT COUNT(*) n FROM event_timeline a JOIN events e ON e.id = a.event_id WHERE a.action = 'archive' AND e.street_id = ?
             AND EXISTS (SELECT 1 FROM event_timeline b WHERE b.event_id = a.event_id AND b.action = 'breach')`,
          row.key,
        );
        const closed = count('archive', row.key);
        expect({ received: row.received, closed: row.closed, returns: row.returns, good: row.good, breaches: row.breaches, onTimeRate: row.onTimeRate }).toEqual({
          received: count('report', row.key),
          closed,
          returns: count('return', row.key),
          good,
          breaches: count('breach', row.key),
          onTimeRate: closed ? (closed - late) / closed : null,
        });
      }
      db.close();
      const wjc = stats.byStreet.find((r: any) => r.key === WJC);
      expect(wjc).toMatchObject({ received: 3, closed: 1, onTimeRate: 1, good: 1, breaches: 2 });
      expect(stats.byStreet.find((r: any) => r.key !== WJC)).toMatchObject({ received: 3, closed: 1, onTimeRate: 0, bad: 1, breaches: 3 });
      expect(stats.byUnit.find((r: any) => r.key === 'fire-safety')).toMatchObject({ received: 2, closed: 2, good: 1, bad: 1, satisfaction: 3 });
      expect(stats.byUnit.find((r: any) => r.key === 'traffic-police')).toMatchObject({ received: 1, returns: 1 });
      expect(stats.funnel).toEqual({ reported: 2, accepted: 1, dispatched: 0, handled: 0, verified: 0 });

      const csv = await fetch(`${s.url}/api/v1/stats.csv?from=${new Date(t0 - 60_000).toISOString()}`, { headers: { cookie: s.cookie } });
      expect(csv.headers.get('content-disposition')).toMatch(/onescreen-report-/);
      const bytes = new Uint8Array(await csv.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte-order mark
      const text = new TextDecoder().decode(bytes);
      expect(text).toContain('"街道 street","五角场街道","3","1","100.0"');
      expect(text).toContain('"单位 unit","消防安全专班","2","2","50.0"');

      const u = await s.createUser('street', WJC);
      const streetStats = (await s.get('/api/v1/stats', await s.login(u.username, u.password))).json;
      expect(streetStats.byStreet.map((r: any) => r.key)).toEqual([WJC]);
      expect((await s.get('/api/v1/stats?areaId=310110', await s.login(u.username, u.password))).status).toBe(404);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
