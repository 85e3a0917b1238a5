/**
 * The closed loop's own indicators (首办成功率, 好差评满意度, 按时办结率, 12345 来电量), end to end:
 * cases are reported and worked through the real API (simulator off), then the figures are
 * recounted independently from the stored records — the events and their timelines as the API
 * answers them — and compared with what `GET /api/v1/indicators` and the live socket report, per
 * street and for the district.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, GridEvent, IndicatorDelta, IndicatorValue, ServerToClientEvents, Snapshot, TimelineEntry, TimeLimits } from '../../shared/index.ts';
import { postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const DISTRICT = '310110';
const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };
const RATES = ['first_time_success_rate', 'satisfaction', 'on_time_closure_rate'] as const;
const DERIVED = [...RATES, 'calls_12345'] as const;
const MIN = 60_000;
const WINDOW_MS = 30 * 24 * 3_600_000;

/** hazmat cases overrun their handling limit within a second; everything else has the shipped limits */
const limits = (): TimeLimits => {
  const l = structuredClone(shippedData().timeLimits);
  l.categories.hazmat = { accept: 600, dispatch: 600, handle: 0.01, verify: 600 };
  return l;
};

/** wait for a condition (polling, never a fixed sleep) */
async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Step = Record<string, unknown> & { action: string };
const FULL = (unit: string): Step[] => [{ action: 'accept' }, { action: 'dispatch', unit }, { action: 'handle', note: '已处置完毕' }, { action: 'verify' }];
const ARCHIVE = (rating: 'good' | 'bad'): Step => ({ action: 'archive', rating, satisfaction: rating === 'good' ? 5 : 2 });

/** the figures recounted from the records: per street and for the district */
interface Recount {
  closed: number;
  firstTime: number;
  onTime: number;
  rated: number;
  good: number;
  calls: number;
}
const zero = (): Recount => ({ closed: 0, firstTime: 0, onTime: 0, rated: 0, good: 0, calls: 0 });
const pct = (n: number, d: number) => (d === 0 ? null : (100 * n) / d);
function expected(r: Recount): Record<(typeof DERIVED)[number], number | null> {
  return {
    first_time_success_rate: pct(r.firstTime, r.closed),
    satisfaction: pct(r.good, r.rated),
    on_time_closure_rate: pct(r.onTime, r.closed),
    calls_12345: r.calls,
  };
}

describe('indicators derived from the closed loop', () => {
  let s: TestServer;
  let n = 0;
  let dinghai = '';
  let streetCookie = '';
  const sockets: Socket[] = [];

  const report = async (point: { lng: number; lat: number }, over: Record<string, unknown> = {}) => {
    const r = await postJson(s.url, '/api/v1/events', {
      events: [{ source: '12345', externalId: `derived-${++n}`, category: 'neighbour_dispute', title: '邻里噪声纠纷', ...point, occurredAt: new Date(Date.now() - 5 * MIN).toISOString(), severity: 'low', ...over }],
    }, s.ingestKey);
    expect(r.status).toBe(200);
    return r.json.results[0].id as string;
  };
  const work = async (id: string, steps: Step[]) => {
    let c = (await s.get(`/api/v1/events/${id}`)).json;
    for (const step of steps) {
      if (step.action === 'await-breach') {
        c = await until(`a breach of ${id}`, async () => {
          const v = (await s.get(`/api/v1/events/${id}`)).json;
          return v.breaches > 0 ? v : undefined;
        });
        continue;
      }
      const r = await postJson(s.url, `/api/v1/events/${id}/transitions`, { ...step, version: c.version }, undefined, { cookie: s.cookie });
      expect(r.status, `${step.action}: ${JSON.stringify(r.json)}`).toBe(200);
      c = r.json;
    }
    return c;
  };

  /** recount from the stored records as the API answers them: the events and their timelines */
  async function recount(): Promise<Map<string, Recount>> {
    const now = Date.now();
    const out = new Map<string, Recount>([[DISTRICT, zero()]]);
    const add = (streetId: string, f: (r: Recount) => void) => {
      if (!out.has(streetId)) out.set(streetId, zero());
      f(out.get(streetId)!);
      f(out.get(DISTRICT)!);
    };
    const all = (await s.get(`/api/v1/events?areaId=${DISTRICT}&limit=1000`)).json.events as GridEvent[];
    for (const e of all) {
      if (e.source === '12345' && Date.parse(e.occurredAt) > now - 3_600_000 && Date.parse(e.occurredAt) <= now) add(e.streetId, (r) => r.calls++);
      const timeline = (await s.get(`/api/v1/events/${e.id}`)).json.timeline as TimelineEntry[];
      const archived = timeline.find((t) => t.action === 'archive');
      if (!archived || Date.parse(archived.at) <= now - WINDOW_MS) continue;
      const returned = timeline.some((t) => t.action === 'return' || t.action === 'rework');
      const breached = timeline.some((t) => t.action === 'breach');
      add(e.streetId, (r) => {
        r.closed++;
        if (!returned) r.firstTime++;
        if (!breached) r.onTime++;
        if (archived.data.rating === 'good' || archived.data.rating === 'bad') r.rated++;
        if (archived.data.rating === 'good') r.good++;
      });
    }
    return out;
  }

  const valuesOf = async (areaId: string, cookie = s.cookie) => (await s.get(`/api/v1/indicators?areaId=${areaId}`, cookie)).json.values as IndicatorValue[];
  const pick = (values: IndicatorValue[], areaId: string, id: string) => values.find((v) => v.areaId === areaId && v.indicatorId === id);
  /** do the values of these areas equal the recount (rates to the server's rounding) */
  const matches = (values: IndicatorValue[], rc: Map<string, Recount>, areas: string[]) =>
    areas.every((a) =>
      DERIVED.every((id) => {
        const want = expected(rc.get(a) ?? zero())[id];
        const got = pick(values, a, id);
        if (!got) return false;
        if (want === null) return got.value === null && got.status === 'nodata';
        return got.value !== null && Math.abs(got.value - want) < 0.001 && got.status !== 'nodata' && got.status !== 'stale';
      }),
    );

  const connect = (cookie: string, areaId?: string) => {
    const sock: Socket<ServerToClientEvents, ClientToServerEvents> = io(s.url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie }, ...(areaId ? { auth: { areaId } } : {}) });
    sockets.push(sock as Socket);
    return sock;
  };

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, flushPerSec: 10, timeLimits: limits(), breachCheckMs: 100 });
    const u = await s.createUser('street', WJC);
    streetCookie = await s.login(u.username, u.password);

    // 五角场: 5 closed (one returned, one reworked, one late, two rated bad), one verified, one rejected
    const a = [
      await report(WJC_POINT),
      await report(WJC_POINT, { source: 'grid' }),
      await report(WJC_POINT),
      await report(WJC_POINT, { source: 'grid', category: 'hazmat', title: '瓶装液化气违规存放' }),
      await report(WJC_POINT),
      await report(WJC_POINT),
      await report(WJC_POINT),
    ];
    const unitA = `st-${WJC}`;
    await work(a[0]!, [...FULL(unitA), ARCHIVE('good')]);
    await work(a[1]!, [{ action: 'accept' }, { action: 'dispatch', unit: 'fire-safety' }, { action: 'return', note: '非本单位职责' }, ...FULL(unitA).slice(1), ARCHIVE('good')]);
    await work(a[2]!, [...FULL(unitA).slice(0, 3), { action: 'rework', note: '核查未通过' }, ...FULL(unitA).slice(2), ARCHIVE('bad')]);
    await work(a[3]!, [{ action: 'accept' }, { action: 'dispatch', unit: unitA }, { action: 'await-breach' }, ...FULL(unitA).slice(2), ARCHIVE('good')]);
    await work(a[4]!, [...FULL(unitA), ARCHIVE('bad')]);
    await work(a[5]!, FULL(unitA));
    await work(a[6]!, [{ action: 'reject', reason: 'invalid' }]);

    // 定海路: 3 closed, one reworked; one call two hours ago (not in the last hour)
    const b = [await report(DINGHAI_POINT), await report(DINGHAI_POINT, { source: 'grid' }), await report(DINGHAI_POINT)];
    dinghai = (await s.get(`/api/v1/events/${b[0]}`)).json.streetId;
    expect(dinghai).not.toBe(WJC);
    const unitB = `st-${dinghai}`;
    await work(b[0]!, [...FULL(unitB), ARCHIVE('good')]);
    await work(b[1]!, [...FULL(unitB), ARCHIVE('good')]);
    await work(b[2]!, [...FULL(unitB).slice(0, 3), { action: 'rework', note: '核查未通过' }, ...FULL(unitB).slice(2), ARCHIVE('good')]);
    await report(DINGHAI_POINT, { occurredAt: new Date(Date.now() - 2 * 3_600_000).toISOString() });
  }, 60_000);
  afterAll(async () => {
    for (const sock of sockets) sock.close();
    await s.stop({ removeData: true });
  });

  it('should answer, per street and for the district, exactly what the records recount', async () => {
    const rc = await recount();
    // the fixture is what it says: the counts are not trivial
    expect(rc.get(WJC)).toEqual({ closed: 5, firstTime: 3, onTime: 4, rated: 5, good: 3, calls: 5 });
    expect(rc.get(dinghai)).toEqual({ closed: 3, firstTime: 2, onTime: 3, rated: 3, good: 3, calls: 2 });
    const streets = shippedData().areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);
    const values = await until('the district and its streets to match the recount', async () => {
      const v = await valuesOf(DISTRICT);
      return matches(v, rc, [DISTRICT, ...streets]) ? v : undefined;
    });
    // the district's rate comes from its own counts (5 of 8), not from the mean of its streets' rates
    const district = pick(values, DISTRICT, 'first_time_success_rate')!;
    expect(district.value).toBe(62.5);
    expect(district.value).not.toBeCloseTo((60 + 200 / 3) / 2, 1);
    expect(district.status).toBe('alarm'); // under 85 %
    expect(pick(values, WJC, 'satisfaction')).toMatchObject({ value: 60, status: 'alarm' });
    expect(pick(values, dinghai, 'on_time_closure_rate')).toMatchObject({ value: 100, status: 'normal' });
    // a street without a closed case has no rate (not 0 %, not 100 %)
    const quiet = streets.find((id) => id !== WJC && id !== dinghai)!;
    expect(pick(values, quiet, 'satisfaction')).toMatchObject({ value: null, status: 'nodata' });
    expect(pick(values, quiet, 'calls_12345')).toMatchObject({ value: 0 });
    expect(pick(values, DISTRICT, 'calls_12345')!.value).toBe(7);
    // a street's own view, under its own session, says the same
    await until('the street view to match', async () => matches(await valuesOf(WJC, streetCookie), rc, [WJC]));
    // and it sees no other street
    expect((await s.get(`/api/v1/indicators?areaId=${dinghai}`, streetCookie)).status).toBe(404);
  });

  it('should report the same on the live socket, and follow a newly closed case live', async () => {
    const rc = await recount();
    const district = connect(s.cookie);
    const street = connect(streetCookie);
    const [ds, ss] = await Promise.all([new Promise<Snapshot>((r) => district.once('snapshot', r)), new Promise<Snapshot>((r) => street.once('snapshot', r))]);
    expect(ds.areaId).toBe(DISTRICT);
    expect(ss.areaId).toBe(WJC);
    expect(matches(ds.indicators, rc, [DISTRICT, WJC, dinghai])).toBe(true);
    expect(matches(ss.indicators, rc, [WJC])).toBe(true);
    expect(ss.indicators.some((v) => v.areaId === dinghai)).toBe(false);

    // keep the latest value per (area, indicator) the district's socket has been told
    const live = new Map(ds.indicators.map((v) => [`${v.areaId}|${v.indicatorId}`, v]));
    const streetLive = new Map(ss.indicators.map((v) => [`${v.areaId}|${v.indicatorId}`, v]));
    district.on('indicator:update', (d: IndicatorDelta) => d.values.forEach((v) => live.set(`${v.areaId}|${v.indicatorId}`, v)));
    street.on('indicator:update', (d: IndicatorDelta) => d.values.forEach((v) => streetLive.set(`${v.areaId}|${v.indicatorId}`, v)));

    // one more first-time, on-time, good case in 五角场, and one more call
    const id = await report(WJC_POINT);
    await work(id, [...FULL(`st-${WJC}`), ARCHIVE('good')]);
    const after = await recount();
    expect(after.get(WJC)).toMatchObject({ closed: 6, firstTime: 4, good: 4, calls: 6 });
    await until('the district socket to follow', () => matches([...live.values()], after, [DISTRICT, WJC, dinghai]));
    await until('the street socket to follow', () => matches([...streetLive.values()], after, [WJC]));
    expect(live.get(`${DISTRICT}|first_time_success_rate`)!.value).toBeCloseTo((100 * 6) / 9, 3);
  });

  it('should refuse readings for a derived indicator, with the reason, and keep the derived values', async () => {
    const before = await valuesOf(DISTRICT);
    const at = new Date().toISOString();
    const r = await postJson(s.url, '/api/v1/readings', { readings: DERIVED.map((indicator) => ({ indicator, value: 50, at, areaId: WJC })) }, s.ingestKey);
    expect(r.status).toBe(200);
    expect(r.json.accepted).toBe(0);
    for (const [i, id] of DERIVED.entries()) {
      expect(r.json.results[i]).toMatchObject({ status: 'rejected', error: { code: 'UNKNOWN_INDICATOR' } });
      expect(r.json.results[i].error.message).toBe(`indicator ${id} is derived by the server from its own records (events and the closed loop's cases) and cannot be posted`);
    }
    // nothing was stored for them, and the next evaluation still answers the recount
    expect((await s.store.readings.latestReadings()).filter((x) => (DERIVED as readonly string[]).includes(x.indicatorId))).toEqual([]);
    const rc = await recount();
    await until('the values to still match', async () => matches(await valuesOf(DISTRICT), rc, [DISTRICT, WJC, dinghai]));
    expect(pick(await valuesOf(DISTRICT), WJC, 'satisfaction')!.value).toBe(pick(before, WJC, 'satisfaction')!.value);
  });
});
