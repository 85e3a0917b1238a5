/**
 * `GET /api/v1/indicators/:id/forecast`: the answer's shape, scope (a street sees only its own
 * street; another area answers like an unknown one), unknown and derived indicators, too short a
 * history, inherited history, a forecast crossing, and parallel requests sharing one fit.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForecastResponse } from '../../shared/index.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

const H = 3_600_000;
let s: TestServer;
let district: string;
let streetA: string;
let streetB: string;
let streetC: string;
let streetCookie: string;

/** the shipped PM2.5 series' last `n` values */
function shippedPm25(n: number): number[] {
  const lines = readFileSync(new URL('../../data/pm25/jingan_pm25_hourly.csv', import.meta.url), 'utf8').trim().split('\n');
  return lines.slice(-n).map((l) => Number(l.split(',')[4]));
}

/** post hourly readings ending in the current hour */
async function postHourly(areaId: string, values: number[]) {
  const now = Date.now();
  const last = now - (now % H);
  const readings = values.map((value, i) => ({ indicator: 'pm25', areaId, value, at: new Date(last - (values.length - 1 - i) * H).toISOString() }));
  const r = await postJson(s.url, '/api/v1/readings', { readings }, s.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);
}

beforeAll(async () => {
  s = await startTestServer({ simulator: false, serveWeb: false });
  district = s.app.tree.districtId;
  [streetA, streetB, streetC] = s.app.tree.ofLevel('street').map((n) => n.id) as [string, string, string];
  const u = await s.createUser('street', streetA);
  streetCookie = await s.login(u.username, u.password);
});
afterAll(() => s?.stop({ removeData: true }));

const path = (id: string, q = '') => `/api/v1/indicators/${id}/forecast${q}`;

describe('GET /api/v1/indicators/:id/forecast', () => {
  it('should answer no points and the reason while the history is too short', async () => {
    // (asked for a street that inherits the district's readings: the district's own answer would
    // stay cached for up to 10 minutes, and the tests below need it with four days of history)
    await postHourly(district, shippedPm25(48));
    const r = await s.get(path('pm25', `?areaId=${streetC}`));
    expect(r.status).toBe(200);
    expect(ForecastResponse.parse(r.json)).toMatchObject({ indicatorId: 'pm25', areaId: streetC, points: [], crossing: null, reason: 'insufficient_history', horizonHours: 12 });
  });
});

describe('forecast answers', () => {
  it('should give hourly points after now with lower ≤ value ≤ upper, inherited by a street without readings', async () => {
    // streetB has no readings of its own: PM2.5 is inherited from the district's, posted above
    await postHourly(district, shippedPm25(96));
    const r = await s.get(path('pm25', `?areaId=${streetB}&horizon=24`));
    expect(r.status).toBe(200);
    const f = ForecastResponse.parse(r.json);
    expect(f.reason).toBeUndefined();
    expect(f.points).toHaveLength(24);
    const now = Date.now();
    f.points.forEach((p, i) => {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.upper);
      expect(p.lower).toBeGreaterThanOrEqual(0);
      expect(p.upper).toBeLessThanOrEqual(1000);
      if (i) expect(Date.parse(p.at) - Date.parse(f.points[i - 1]!.at)).toBe(H);
    });
    expect(Date.parse(f.points[0]!.at)).toBeGreaterThan(now - H);
    expect(Date.parse(f.points[0]!.at) % H).toBe(0);
    // and the district itself, from its own readings
    const d = ForecastResponse.parse((await s.get(path('pm25', `?areaId=${district}&horizon=6`))).json);
    expect(d).toMatchObject({ areaId: district, horizonHours: 6, interval: 0.8, model: expect.stringMatching(/ARIMA/) });
    expect(d.points).toHaveLength(6);
    expect(d.points.map((p) => p.value)).toEqual(f.points.slice(0, 6).map((p) => p.value));
  });

  it('should name the first hour at the alarm level of the area', async () => {
    // a street's own readings, steady above the alarm level (115 µg/m³)
    await postHourly(streetA, Array(80).fill(130));
    const r = await s.get(path('pm25', `?areaId=${streetA}&horizon=3`), streetCookie);
    expect(r.status).toBe(200);
    const f = ForecastResponse.parse(r.json);
    expect(f.model).toBe('constant');
    expect(f.points.map((p) => p.value)).toEqual([130, 130, 130]);
    expect(f.crossing).toEqual({ level: 'alarm', at: f.points[0]!.at });
    // the street's own area is the default
    expect((await s.get(path('pm25', '?horizon=3'), streetCookie)).json.areaId).toBe(streetA);
  });

  it('should share one fit among parallel requests', async () => {
    const rs = await Promise.all(Array.from({ length: 8 }, () => s.get(path('pm25', `?areaId=${streetB}&horizon=12`))));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(new Set(rs.map((r) => r.json.generatedAt)).size).toBe(1);
    expect(new Set(rs.map((r) => JSON.stringify(r.json.points))).size).toBe(1);
  });
});

describe('forecast scope and refusals', () => {
  it('should answer another street or the district to a street user like an unknown area', async () => {
    for (const areaId of [streetB, district, 'nope']) {
      const r = await s.get(path('pm25', `?areaId=${areaId}`), streetCookie);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('NOT_FOUND');
    }
  });

  it('should 404 an unknown indicator, including names of object members', async () => {
    for (const id of ['nope', 'constructor', '__proto__', 'toString', 'x'.repeat(200)]) {
      const r = await s.get(path(encodeURIComponent(id)));
      expect(r.status, id).toBe(404);
    }
  });

  it('should answer a derived indicator with no points', async () => {
    const r = await s.get(path('open_events'));
    expect(r.status).toBe(200);
    expect(ForecastResponse.parse(r.json)).toMatchObject({ points: [], reason: 'not_applicable', crossing: null });
  });

  it.each(['?horizon=0', '?horizon=25', '?horizon=abc', '?horizon=1.5', '?extra=1', '?areaId='])('should refuse the query %s with 400', async (q) => {
    const r = await s.get(path('pm25', q));
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION');
  });

  it('should need a session', async () => {
    expect((await fetch(`${s.url}${path('pm25')}`)).status).toBe(401);
  });
});
