/**
 * 多格合一 over the API (R1.5, R1.6): every grid the server sends carries its 城运, 警务 and 综治
 * memberships, zone type and population; `/stats?by=` cuts the closed loop's statistics by an
 * overlay (the CSV report too), leaving confidential cases out of the rows of a session without
 * clearance, as it leaves them off grid-level counts.
 */
import { pointOnFeature } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaCollection, AreaFeature, StatsResponse } from '../../shared/index.ts';
import { postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const data = shippedData();
const grids = data.areas.features.filter((f) => f.properties.level === 'grid');
// two grids of one 综治 grid (a 居委's) in one street, and a grid of another 综治 grid in the same street
const pair = (() => {
  for (const a of grids) {
    const b = grids.find((g) => g !== a && g.properties.overlays?.zongzhi === a.properties.overlays?.zongzhi);
    const c = grids.find((g) => g.properties.parentId === a.properties.parentId && g.properties.overlays?.zongzhi !== a.properties.overlays?.zongzhi);
    if (b && c && /居委会$/.test(a.properties.overlayNames?.zongzhi ?? '')) return [a, b, c] as const;
  }
  throw new Error('no two grids share a 综治 grid');
})();
const [A, B, C] = pair;
const STREET = A.properties.parentId!;
const at = (g: AreaFeature) => pointOnFeature(g as never).geometry.coordinates as [number, number];

let s: TestServer;
let streetCookie = '';
beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, app: { recurrence: null } });
  const u = await s.createUser('street', STREET);
  streetCookie = await s.login(u.username, u.password);
});
afterAll(() => s?.stop({ removeData: true }));

const get = async (path: string, cookie = s.cookie) => {
  const r = await fetch(`${s.url}${path}`, { headers: { cookie } });
  return { status: r.status, text: await r.text() };
};

describe('多格合一: grid overlays', () => {
  it('should send every grid with its overlays, zone type and population, and a street only its own', async () => {
    const all = JSON.parse((await get('/api/v1/areas')).text) as AreaCollection;
    const served = all.features.filter((f) => f.properties.level === 'grid');
    expect(served).toHaveLength(grids.length);
    for (const g of served) {
      expect(Object.keys(g.properties.overlays ?? {}).sort()).toEqual(['chengyun', 'jingwu', 'zongzhi']);
      expect(g.properties.zoneType).toBe('core');
      expect(g.properties.population).toBeGreaterThan(0);
    }
    const own = JSON.parse((await get('/api/v1/areas', streetCookie)).text) as AreaCollection;
    expect(own.features.filter((f) => f.properties.level === 'grid').every((g) => g.properties.parentId === STREET)).toBe(true);
  });

  it('should cut the statistics by an overlay, confidential cases only for a session with clearance', async () => {
    const events = [A, A, B, C].map((g, i) => ({ source: 'grid', externalId: `ov-${i}`, category: 'fire_hazard', title: 't', lng: at(g)[0], lat: at(g)[1], occurredAt: new Date().toISOString() }));
    events.push({ ...events[3]!, externalId: 'ov-secret', confidential: true } as never);
    expect((await postJson(s.url, '/api/v1/events', { events }, s.ingestKey)).json.accepted).toBe(5);

    const district = JSON.parse((await get(`/api/v1/stats?areaId=${STREET}&by=zongzhi`)).text) as StatsResponse;
    expect(district.by).toBe('zongzhi');
    const received = (r: StatsResponse) => Object.fromEntries((r.byGroup ?? []).map((x) => [x.key, x.received]));
    expect(received(district)).toEqual({ [A.properties.overlays!.zongzhi!]: 3, [C.properties.overlays!.zongzhi!]: 2 });
    // the street's rows are the same cases, whatever the grouping
    expect(district.byStreet.find((r) => r.key === STREET)?.received).toBe(5);
    const street = JSON.parse((await get(`/api/v1/stats?by=zongzhi`, streetCookie)).text) as StatsResponse;
    expect(received(street)).toEqual({ [A.properties.overlays!.zongzhi!]: 3, [C.properties.overlays!.zongzhi!]: 1 });
    // without `by`, no rows by overlay
    expect(JSON.parse((await get(`/api/v1/stats?areaId=${STREET}`)).text).byGroup).toBeUndefined();
    // the CSV report names the overlay grids (a 居委 for a 综治 grid)
    const csv = await get(`/api/v1/stats.csv?areaId=${STREET}&by=zongzhi`);
    expect(csv.text).toContain(A.properties.overlayNames!.zongzhi!);
    expect((await get(`/api/v1/stats?by=police`)).status).toBe(400);
  });
});
