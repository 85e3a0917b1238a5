/**
 * Drill cases (演练, R7.4) over the API: reported with `drill: true`, they run like any case and
 * are listed marked, but no statistic counts them — the derived indicators (kept incrementally and
 * counted in full), /stats, the 12345 analysis and the wall's hourly histogram read the same with
 * and without them.
 */
import { pointOnFeature } from '@turf/turf';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, GridEvent, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const data = shippedData();
const grid = data.areas.features.find((f) => f.properties.level === 'grid')!;
const [lng, lat] = pointOnFeature(grid as never).geometry.coordinates as [number, number];
const DISTRICT = '310110';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, app: { recurrence: null } });
});
afterAll(() => s?.stop({ removeData: true }));

const get = async (path: string) => {
  const r = await fetch(`${s.url}${path}`, { headers: { cookie: s.cookie } });
  expect(r.status, path).toBe(200);
  return r.json();
};
/** every statistic a screen reads for the district, with the indicators counted afresh */
async function statistics() {
  await s.app.indicators.tick();
  const values = s.app.indicators.allValues().filter((v) => v.areaId === grid.properties.id || v.areaId === DISTRICT);
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const stats = await get(`/api/v1/stats?areaId=${DISTRICT}&from=${from}`);
  const hotline = await get(`/api/v1/analytics/hotline?areaId=${DISTRICT}`);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { areaId: DISTRICT }, extraHeaders: { cookie: s.cookie } });
  const snap = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  }).finally(() => socket.close());
  return {
    indicators: Object.fromEntries(values.filter((v) => ['open_events', 'events_today', 'overdue_events', 'hotline_calls'].includes(v.indicatorId)).map((v) => [`${v.indicatorId}|${v.areaId}`, v.value])),
    funnel: stats.funnel,
    byStreet: stats.byStreet,
    hotline: { total: hotline.total.count, byCategory: hotline.byCategory, hours: hotline.hours },
    hourly: snap.hourly.today,
  };
}

const report = (prefix: string, drill: boolean) =>
  postJson(s.url, '/api/v1/events', {
    events: ['grid', 'grid', '12345'].map((source, i) => ({
      source,
      externalId: `${prefix}-${i}`,
      category: 'fire_hazard',
      title: `${prefix} ${i}`,
      lng,
      lat,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      ...(drill ? { drill: true } : {}),
    })),
  }, s.ingestKey);

describe('drill cases (演练)', () => {
  it('should list a drill’s cases marked, and count them in no statistic', async () => {
    const real = await report('real', false);
    expect(real.json.accepted).toBe(3);
    const before = await statistics();
    expect(before.indicators[`open_events|${grid.properties.id}`]).toBe(3);

    const drill = await report('drill', true);
    expect(drill.json.accepted).toBe(3);
    const drillIds = drill.json.results.map((r: { id: string }) => r.id) as string[];
    // a drill's case is accepted like any other: the loop runs on it
    const acc = await fetch(`${s.url}/api/v1/events/${drillIds[0]}/transitions`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'accept', version: 1 }) });
    expect(acc.status).toBe(200);
    expect(await statistics()).toEqual(before);

    const listed = (await get(`/api/v1/events?areaId=${DISTRICT}&status=open`)).events as GridEvent[];
    expect(listed.filter((e) => e.drill).map((e) => e.id).sort()).toEqual([...drillIds].sort());
    expect(listed.filter((e) => !e.drill)).toHaveLength(3);
    expect(await get(`/api/v1/events/${drillIds[0]}`)).toMatchObject({ drill: true, status: 'accepted' });
  });

  it('should refuse a drill flag that is not true or false, storing nothing of the batch', async () => {
    const r = await postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId: 'bad-drill', category: 'fire_hazard', title: 't', lng, lat, occurredAt: new Date().toISOString(), drill: 'yes' }] }, s.ingestKey);
    expect(r.status).toBe(400);
    const r2 = await fetch(`${s.url}/api/v1/events?areaId=${DISTRICT}&limit=1000`, { headers: { cookie: s.cookie } });
    expect(((await r2.json()).events as GridEvent[]).some((e) => e.externalId === 'bad-drill')).toBe(false);
  });
});
