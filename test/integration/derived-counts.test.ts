/**
 * The derived counts (open_events, overdue_events, events_today) are kept up to date from what
 * ingest and the closed loop report, without re-reading every open case on each tick, and always
 * equal a full count of the database.
 */
import { pointOnFeature } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOfLocalDay } from '../../server/domain/time.ts';
import { postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const data = shippedData();
const grids = data.areas.features.filter((f) => f.properties.level === 'grid').slice(0, 3);
const places = grids.map((g) => ({ gridId: g.properties.id, at: pointOnFeature(g as never).geometry.coordinates as [number, number] }));
const TZ = 'Asia/Shanghai';

describe('derived counts between full counts', () => {
  const clock = { t: Date.now(), now: () => clock.t };
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, clock, app: { recurrence: null } });
  });
  afterAll(() => s.stop({ removeData: true }));

  /** the indicator service's values of the three counts per grid, against a full count */
  async function compare() {
    await s.app.indicators.tick();
    const values = new Map(s.app.indicators.allValues().map((v) => [`${v.indicatorId}|${v.areaId}`, v.value]));
    const full = await s.store.cases.openCountsByGrid(clock.now(), startOfLocalDay(clock.now(), TZ));
    for (const { gridId } of places) {
      const f = full.find((r) => r.gridId === gridId) ?? { open: 0, overdue: 0, today: 0 };
      expect({ open: values.get(`open_events|${gridId}`), overdue: values.get(`overdue_events|${gridId}`), today: values.get(`events_today|${gridId}`) }, gridId).toEqual({
        open: f.open,
        overdue: f.overdue,
        today: f.today,
      });
    }
    return full;
  }

  const act = (id: string, body: object) =>
    fetch(`${s.url}/api/v1/events/${id}/transitions`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('should count new, older and closed cases as a full count does, without one on every tick', async () => {
    await s.app.indicators.tick();
    const fullCounts = vi.spyOn(s.store.cases, 'openCountsByGrid');
    const overdueCounts = vi.spyOn(s.store.cases, 'overdueCountsByGrid');
    let k = 0;
    const events = places.flatMap((p, i) =>
      Array.from({ length: 6 }, (_, j) => ({
        source: 'grid',
        externalId: `dc-${++k}`,
        category: 'fire_hazard',
        title: 't',
        lng: p.at[0],
        lat: p.at[1],
        // a few occurred the day before yesterday: open, but not today's
        occurredAt: new Date(clock.now() - (j < i ? 50 * 3_600_000 : 60_000)).toISOString(),
      })),
    );
    const r = await postJson(s.url, '/api/v1/events', { events }, s.ingestKey);
    expect(r.json.accepted).toBe(events.length);
    const ids = r.json.results.map((x: { id: string }) => x.id) as string[];
    // a repeat changes nothing
    await postJson(s.url, '/api/v1/events', { events: events.slice(0, 4) }, s.ingestKey);
    expect((await act(ids[0]!, { action: 'reject', reason: 'invalid', version: 1 })).status).toBe(200);
    expect((await act(ids[7]!, { action: 'reject', reason: 'duplicate', duplicateOf: ids[8], version: 1 })).status).toBe(200);
    expect((await act(ids[13]!, { action: 'accept', version: 1 })).status).toBe(200);
    const calls = fullCounts.mock.calls.length;
    const before = await compare();
    // the ticks (ours and the app's own) read only the overdue cases
    expect(calls).toBe(0);
    expect(overdueCounts).toHaveBeenCalled();
    expect(before.find((x) => x.gridId === places[0]!.gridId)).toMatchObject({ open: 5, today: 6 });
    expect(before.find((x) => x.gridId === places[2]!.gridId)).toMatchObject({ open: 6, today: 4 });

    // ten minutes on, the fire hazards' five-minute acceptance limit has passed: overdue
    // (the clock's moves are caught by the periodic full refresh, flagged on one tick, read on the next)
    clock.t += 10 * 60_000;
    await s.app.indicators.tick();
    const after = await compare();
    expect(after.reduce((n, x) => n + x.overdue, 0)).toBeGreaterThan(0);
    fullCounts.mockRestore();
    overdueCounts.mockRestore();
  });
});
