import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmDelta, AlarmRule, Snapshot } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const DISTRICT = '310110';
const WJC = '310110019000';
const DINGHAI = '310110001000';
const MIN = 60_000;

/** wait until `fn` gives something truthy (polling; the failure names what was awaited) */
async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const readings = (s: TestServer, items: object[]) => postJson(s.url, '/api/v1/readings', { readings: items }, s.ingestKey);
const iso = (t: number) => new Date(t).toISOString();

/** every alarm change a wall received, with the seq of the delta that carried it */
type AlarmSeen = Pick<AlarmDelta, 'seq' | 'epoch'> & { alarm: Alarm };

function wall(s: TestServer, cookie: string, areaId?: string): { socket: Socket; deltas: AlarmSeen[]; snapshot: Promise<Snapshot> } {
  const socket = io(s.url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie }, auth: areaId ? { areaId } : {} });
  const deltas: AlarmSeen[] = [];
  socket.on('alarm:upsert', (d: AlarmDelta) => {
    for (const alarm of d.alarms) deltas.push({ seq: d.seq, epoch: d.epoch, alarm });
  });
  const snapshot = new Promise<Snapshot>((r) => socket.once('snapshot', r));
  return { socket, deltas, snapshot };
}

describe('alarms from the vital signs', () => {
  let s: TestServer;
  let wjcOfficer: string;
  let dinghaiOfficer: string;
  let admin: string;
  let wjcGrid: string;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, app: { alarmTickMs: 100 } });
    const u = await s.createUser('street', WJC);
    wjcOfficer = await s.login(u.username, u.password);
    const d = await s.createUser('street', DINGHAI);
    dinghaiOfficer = await s.login(d.username, d.password);
    admin = await s.login(ADMIN.username, ADMIN.password);
    wjcGrid = s.app.tree.children(WJC)[0]!.id;
  });
  afterAll(() => s.stop({ removeData: true }));

  const active = async (cookie = s.cookie, q = '') => (await s.get(`/api/v1/alarms?status=active${q}`, cookie)).json.alarms as Alarm[];
  const ofRule = async (ruleId: string, status = 'active') => ((await s.get(`/api/v1/alarms?status=${status}`)).json.alarms as Alarm[]).filter((a) => a.ruleId === ruleId);

  it('a backfilled half hour above the level raises one alarm, live to the district wall, not to a street', async () => {
    const district = wall(s, s.cookie);
    const street = wall(s, wjcOfficer);
    await Promise.all([district.snapshot, street.snapshot]);
    const now = Date.now();
    // 31 minutes of PM2.5 at 130 µg/m³ (alarm ≥ 115 for 30 min), posted at once and newest first
    const r = await readings(s, Array.from({ length: 32 }, (_, i) => ({ indicator: 'pm25', areaId: DISTRICT, value: 130, at: iso(now - i * MIN) })));
    expect(r.status).toBe(200);
    const [a] = await until('the PM2.5 alarm', async () => (await ofRule('pm25.district')).length === 1 && ofRule('pm25.district'));
    expect(a).toMatchObject({ areaId: DISTRICT, severity: 'alarm', state: 'raised', value: 130, threshold: 115, kind: 'threshold', caseId: null, createCase: 'off' });
    expect(Date.parse(a!.since)).toBe(now - 31 * MIN);
    await until('the delta on the district wall', () => district.deltas.some((d) => d.alarm.id === a!.id));
    // the street's room never hears of a district-level alarm, nor does its API
    expect(street.deltas.some((d) => d.alarm.id === a!.id)).toBe(false);
    expect((await active(wjcOfficer)).some((x) => x.id === a!.id)).toBe(false);
    expect((await s.get(`/api/v1/alarms/${a!.id}`, wjcOfficer)).status).toBe(404);
    // a fresh snapshot carries it
    const again = wall(s, s.cookie);
    expect((await again.snapshot).alarms.map((x) => x.id)).toContain(a!.id);
    for (const w of [district, street, again]) w.socket.close();
  });

  it('keeps one episode while it fires, steps back within it, and clears only past the clear level', async () => {
    const now = Date.now();
    await readings(s, [{ indicator: 'pm25', areaId: DISTRICT, value: 140, at: iso(now) }]);
    await readings(s, [{ indicator: 'pm25', areaId: DISTRICT, value: 70, at: iso(now + 1) }]); // below warn (75), above clear (55)
    const [a] = await until('the step back to warn', async () => {
      const x = await ofRule('pm25.district');
      return x.length === 1 && x[0]!.severity === 'warn' && x;
    });
    expect(a!.state).toBe('raised');
    await readings(s, [{ indicator: 'pm25', areaId: DISTRICT, value: 50, at: iso(now + 2) }]);
    await until('the clear', async () => (await ofRule('pm25.district')).length === 0);
    const cleared = await ofRule('pm25.district', 'cleared');
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatchObject({ id: a!.id, state: 'cleared' });
    const view = (await s.get(`/api/v1/alarms/${a!.id}`)).json;
    expect(view.history.map((h: { kind: string }) => h.kind)).toEqual(['raised', 'deescalated', 'cleared']);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/^onescreen_alarms_total\{event="raised",severity="alarm"\} 1$/m);
    expect(metrics).toMatch(/^onescreen_alarms_total\{event="cleared",severity="warn"\} 1$/m);
    expect(metrics).toMatch(/^onescreen_alarms_open\{severity="alarm"\} 0$/m);
  });

  it('a rule with createCase auto opens exactly one case, linked both ways, in the street that sees it', async () => {
    const street = wall(s, wjcOfficer);
    await street.snapshot;
    const at = iso(Date.now());
    // five fire alarms within the hour in one grid of 五角场: the street's sum reaches its alarm level (4)
    await readings(s, [{ indicator: 'fire_alarms', areaId: wjcGrid, value: 5, at }]);
    const a = await until('the fire alarm with its case', async () => {
      const x = (await active(wjcOfficer)).find((y) => y.ruleId === 'fire_alarms.street');
      return x?.caseId ? x : undefined;
    });
    expect(a).toMatchObject({ areaId: WJC, streetId: WJC, severity: 'alarm', createCase: 'auto' });
    const c = (await s.get(`/api/v1/events/${a.caseId}`, wjcOfficer)).json;
    expect(c).toMatchObject({ source: 'alarm', externalId: a.id, category: 'fire_hazard', severity: 'critical', streetId: WJC, status: 'reported' });
    await until('the street wall hears of it', () => street.deltas.some((d) => d.alarm.id === a.id && d.alarm.caseId === a.caseId));
    // it keeps firing: the same episode, still one case
    await readings(s, [{ indicator: 'fire_alarms', areaId: wjcGrid, value: 6, at: iso(Date.now()) }]);
    await s.app.alarms.idle();
    const ofAlarm = (await s.get(`/api/v1/events?status=open&limit=1000`)).json.events.filter((e: { source: string; externalId: string }) => e.source === 'alarm' && e.externalId === a.id);
    expect(ofAlarm).toHaveLength(1);
    expect((await active(wjcOfficer)).filter((y) => y.ruleId === 'fire_alarms.street')).toHaveLength(1);
    // another street sees neither
    expect((await active(dinghaiOfficer)).some((y) => y.id === a.id)).toBe(false);
    expect((await s.get(`/api/v1/alarms/${a.id}`, dinghaiOfficer)).status).toBe(404);
    street.socket.close();
  });

  it('an officer acknowledges at the version seen, once, and opens a manual case once, whatever the parallel clicks', async () => {
    await readings(s, [{ indicator: 'elevator_faults', areaId: wjcGrid, value: 3, at: iso(Date.now()) }]);
    const a = await until('the elevator warning', async () => (await active(wjcOfficer)).find((y) => y.ruleId === 'elevator_faults.street'));
    expect(a).toMatchObject({ severity: 'warn', createCase: 'manual', caseId: null });

    const ack = (cookie: string, body: object) => postJson(s.url, `/api/v1/alarms/${a.id}/ack`, body, undefined, { cookie });
    expect((await ack(wjcOfficer, { version: a.version + 5 })).status).toBe(409);
    expect((await ack(dinghaiOfficer, { version: a.version })).status).toBe(404);
    expect((await ack(admin, { version: a.version })).status).toBe(403);
    expect((await ack(wjcOfficer, { version: 'x' })).status).toBe(400);
    const ok = await ack(wjcOfficer, { version: a.version, note: '已电话联系物业' });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({ state: 'acknowledged', ackNote: '已电话联系物业', acknowledgedBy: expect.stringMatching(/^street-/) });
    expect((await ack(wjcOfficer, { version: ok.json.version })).status).toBe(409);

    const open = () => postJson(s.url, `/api/v1/alarms/${a.id}/case`, { note: '请维保单位到场' }, undefined, { cookie: wjcOfficer });
    const answers = await Promise.all(Array.from({ length: 5 }, open));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const made = answers.find((r) => r.status === 201)!.json;
    expect(made.case).toMatchObject({ source: 'alarm', externalId: a.id, category: 'elevator_fault', streetId: WJC });
    expect(made.alarm.caseId).toBe(made.case.id);
    const view = (await s.get(`/api/v1/alarms/${a.id}`, wjcOfficer)).json;
    expect(view.history.map((h: { kind: string }) => h.kind)).toEqual(['raised', 'acknowledged', 'case_opened']);
    const audit = (await s.get('/api/v1/admin/audit?limit=50', admin)).json as { action: string; target: string; outcome: string }[];
    expect(audit.filter((e) => e.target === a.id && e.outcome === 'ok').map((e) => e.action).sort()).toEqual(['alarm.ack', 'alarm.case']);
  });

  it('refuses a case where the rule opens none', async () => {
    // the district's fire alarms (5 in 五角场) passed its warn level (4): that rule opens no cases
    const a = await until('the district fire warning', async () => (await ofRule('fire_alarms.district'))[0]);
    expect(a.createCase).toBe('off');
    const r = await postJson(s.url, `/api/v1/alarms/${a.id}/case`, {}, undefined, { cookie: s.cookie });
    expect(r.status).toBe(409);
    expect(r.json.error.message).toMatch(/createCase: off/);
  });

  it('administrators edit the rules live: versioned, validated, audited; a disabled rule clears its alarms', async () => {
    const set = (await s.get('/api/v1/admin/rules', admin)).json;
    expect(set.version).toBe(0);
    expect((await s.get('/api/v1/admin/rules', wjcOfficer)).status).toBe(403);
    const put = (body: unknown, cookie = admin) =>
      fetch(`${s.url}/api/v1/admin/rules`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const rules = set.rules as AlarmRule[];
    const edited = rules.map((r) => (r.id === 'elevator_faults.street' ? { ...r, enabled: false } : r));
    expect((await put({ version: 0, rules: [...rules, { ...rules[0], id: 'x', indicatorId: 'no_such' }] })).status).toBe(400);
    expect((await put({ version: 0, rules: [{ ...rules[0], clear: 200 }] })).status).toBe(400);
    expect((await put({ version: 0, rules: edited }, wjcOfficer)).status).toBe(403);
    const saved = await put({ version: 0, rules: edited });
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json).toMatchObject({ version: 1, savedBy: ADMIN.username });
    expect((await put({ version: 0, rules })).status).toBe(409);
    await until('the disabled rule’s alarm cleared', async () => !(await active(wjcOfficer)).some((y) => y.ruleId === 'elevator_faults.street'));
    const audit = (await s.get('/api/v1/admin/audit?limit=50', admin)).json as { action: string; outcome: string; detail: string }[];
    expect(audit.find((e) => e.action === 'rules.save' && e.outcome === 'ok')!.detail).toBe('changed elevator_faults.street');
    // back as shipped for the rest
    expect((await put({ version: 1, rules })).status).toBe(200);
  });

  it('after a restart the open episodes are the same records, never opened twice', async () => {
    const before = await active();
    expect(before.length).toBeGreaterThan(0);
    const dataDir = s.dataDir;
    await s.stop();
    s = await startTestServer({ serveWeb: false, dataDir, app: { alarmTickMs: 100 } });
    wjcOfficer = await (async () => {
      const u = await s.createUser('street', WJC);
      return s.login(u.username, u.password);
    })();
    expect((await s.get('/api/v1/admin/rules', await s.login(ADMIN.username, ADMIN.password))).json.version).toBe(2);
    await readings(s, [{ indicator: 'fire_alarms', areaId: wjcGrid, value: 7, at: iso(Date.now()) }]);
    await until('the street’s new value', async () =>
      (await s.get(`/api/v1/indicators?areaId=${WJC}`)).json.values.some((v: { indicatorId: string; areaId: string; value: number }) => v.indicatorId === 'fire_alarms' && v.areaId === WJC && v.value === 7),
    );
    await s.app.alarms.idle();
    const after = await active();
    expect(after.filter((y) => y.ruleId === 'fire_alarms.street')).toHaveLength(1);
    expect(after.map((y) => y.id).sort()).toEqual(expect.arrayContaining(before.filter((y) => y.ruleId === 'fire_alarms.street').map((y) => y.id)));
  });
});

describe('数据中断: silent sources', () => {
  it('raise when an indicator stops reporting past its window, and clear on the next reading', async () => {
    let t = Date.now();
    const s = await startTestServer({ serveWeb: false, clock: { now: () => t }, app: { alarmTickMs: 50 } });
    try {
      const grid = s.app.tree.children(WJC)[0]!.id;
      await readings(s, [{ indicator: 'traffic_violations', areaId: grid, value: 1, at: iso(t) }]);
      await s.app.alarms.tick();
      expect((await s.get('/api/v1/alarms')).json.alarms.filter((a: Alarm) => a.kind === 'silence' && a.indicatorId === 'traffic_violations')).toEqual([]);
      t += 61 * MIN; // the shipped window is an hour
      const a = await until('the silence alarm', async () => (await s.get('/api/v1/alarms')).json.alarms.find((x: Alarm) => x.ruleId === 'traffic_violations.silent'));
      expect(a).toMatchObject({ areaId: DISTRICT, kind: 'silence', severity: 'warn', value: null });
      await readings(s, [{ indicator: 'traffic_violations', areaId: grid, value: 1, at: iso(t) }]);
      await until('the clear', async () => !(await s.get('/api/v1/alarms')).json.alarms.some((x: Alarm) => x.ruleId === 'traffic_violations.silent'));
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('预计超标: forecast rules', () => {
  it('raise an early warning when the forecast crosses the alarm level within the horizon, as the forecast itself says', async () => {
    const s = await startTestServer({ serveWeb: false });
    try {
      const H = 3_600_000;
      const last = Date.now() - (Date.now() % H);
      // three quiet days, then a steady climb to just under the alarm level (115)
      const values = [...Array.from({ length: 72 }, (_, i) => 40 + 5 * Math.sin((i / 24) * 2 * Math.PI)), ...Array.from({ length: 24 }, (_, i) => 40 + 3 * (i + 1))];
      const r = await readings(s, values.map((value, i) => ({ indicator: 'pm25', areaId: DISTRICT, value, at: iso(last - (values.length - 1 - i) * H) })));
      expect(r.status).toBe(200);
      const f = (await s.get(`/api/v1/indicators/pm25/forecast?areaId=${DISTRICT}&horizon=6`)).json;
      expect(f.points).toHaveLength(6);
      const crossing = f.points.find((p: { value: number }) => p.value >= 115);
      await s.app.alarms.checkForecasts();
      await s.app.alarms.idle();
      const early = (await s.get('/api/v1/alarms')).json.alarms.filter((a: Alarm) => a.ruleId === 'pm25.forecast');
      // the climb makes the model cross: the test says so rather than passing either way
      expect(crossing, JSON.stringify(f.points.map((p: { value: number }) => Math.round(p.value)))).toBeDefined();
      expect(early).toHaveLength(1);
      expect(early[0]).toMatchObject({ kind: 'forecast', severity: 'warn', areaId: DISTRICT, threshold: 115 });
      expect(Date.parse(early[0].since)).toBe(Date.parse(crossing.at));
      // judged again: the same episode
      await s.app.alarms.checkForecasts();
      await s.app.alarms.idle();
      expect((await s.get('/api/v1/alarms')).json.alarms.filter((a: Alarm) => a.ruleId === 'pm25.forecast')).toHaveLength(1);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
