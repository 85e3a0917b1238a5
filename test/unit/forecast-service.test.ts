import { beforeEach, describe, expect, it } from 'vitest';
import { AreaTree } from '../../server/domain/areas.ts';
import { forecastSeries, HOUR_MS } from '../../server/domain/forecast/index.ts';
import type { SeriesRow } from '../../server/ports.ts';
import { createForecastService } from '../../server/services/forecast.service.ts';
import { createForecastWorker, ForecastBusyError, type FitFn } from '../../server/services/forecast-worker.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { quietLogger, shippedData } from '../helpers/server.ts';

const data = shippedData();
const tree = new AreaTree(data.areas);
const district = tree.districtId;
const street = tree.ofLevel('street')[0]!.id;
const grid = tree.children(street)[0]!.id;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const wave = (i: number) => 50 + 20 * Math.sin(i / 5) + (i % 7);

describe('SqliteStore.readingHours', () => {
  it('should average raw readings and folded hours alike, an hour split between both included', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const r = (value: number, at: number, areaId = district) => ({ indicatorId: 'pm25', areaId, value, at, receivedAt: at, simulated: false });
    await store.readings.insertReadings([r(10, T0), r(20, T0 + 1000), r(40, T0 + HOUR_MS + 5), r(99, T0 + HOUR_MS, street)]);
    await store.readings.downsampleReadings(T0 + HOUR_MS); // the first hour is folded
    await store.readings.insertReadings([r(30, T0 + 2000), r(60, T0 + HOUR_MS + 10)]); // late raw rows for both hours
    expect(await store.readings.readingHours('pm25', district, T0)).toEqual([
      { hour: T0, value: 20 },
      { hour: T0 + HOUR_MS, value: 50 },
    ]);
    expect(await store.readings.readingHours('pm25', district, T0 + HOUR_MS)).toEqual([{ hour: T0 + HOUR_MS, value: 50 }]);
    await store.close();
  });
});

describe('createForecastWorker', () => {
  it('should fit in a worker thread as the domain does in-process, bound its queue, and refuse after stop', async () => {
    const w = createForecastWorker({ maxQueued: 2 });
    const values = Array.from({ length: 200 }, (_, i) => wave(i));
    const input = { values, horizon: 6, range: [0, 1000] as const };
    const jobs = [w.fit(input), w.fit(input), w.fit(input)];
    // one is running, two wait: a fourth is refused at once rather than queued
    await expect(w.fit(input)).rejects.toBeInstanceOf(ForecastBusyError);
    const out = await Promise.all(jobs);
    expect(out[0]).toEqual(forecastSeries(input));
    expect(w.pending).toBe(0);
    await w.stop();
    await expect(w.fit(input)).rejects.toThrow(/stopped/);
  });

  it('should report a failing fit as an error and keep working', async () => {
    const w = createForecastWorker();
    await expect(w.fit({ values: [1, 2], horizon: 3, range: [0, 9] })).rejects.toThrow(/at least 24/);
    expect((await w.fit({ values: Array(30).fill(3), horizon: 2, range: [0, 9] })).model).toBe('constant');
    await w.stop();
  });
});

describe('createForecastService', () => {
  let now: number;
  let fits: number;
  let readings: Map<string, { hour: number; value: number }[]>;
  let series: SeriesRow[];
  const fit: FitFn = async (input) => {
    fits++;
    return forecastSeries(input);
  };
  const make = () =>
    createForecastService({
      readings: {
        readingHours: async (i, a, from) => (readings.get(`${i}|${a}`) ?? []).filter((r) => r.hour >= from),
        series: async (a, from) => series.filter((r) => r.areaId === a && r.bucket >= from),
      },
      tree,
      indicators: data.indicators,
      clock: { now: () => now },
      logger: quietLogger,
      fit,
    });
  const hours = (n: number, end: number, f = wave) => Array.from({ length: n }, (_, i) => ({ hour: end - (n - i) * HOUR_MS, value: f(i) }));

  beforeEach(() => {
    now = T0 + 10 * HOUR_MS + 20 * 60_000; // 10:20
    fits = 0;
    readings = new Map();
    series = [];
  });

  it('should forecast from the next hour on, and cache until the next hour or 10 minutes', async () => {
    readings.set(`pm25|${district}`, hours(100, T0 + 11 * HOUR_MS)); // the current hour included
    const svc = make();
    const [a, b] = await Promise.all([svc.forecast('pm25', district, 12), svc.forecast('pm25', district, 3)]);
    expect(fits).toBe(1);
    expect(a.points).toHaveLength(12);
    expect(b.points).toEqual(a.points.slice(0, 3));
    expect(a.points[0]!.at).toBe(new Date(T0 + 11 * HOUR_MS).toISOString());
    now += 9 * 60_000;
    await svc.forecast('pm25', district, 12);
    expect(fits).toBe(1);
    now += 2 * 60_000; // 10:31: ten minutes on
    await svc.forecast('pm25', district, 12);
    expect(fits).toBe(2);
    now = T0 + 11 * HOUR_MS + 60_000; // the next hour, 1 minute after the last fit
    await svc.forecast('pm25', district, 12);
    expect(fits).toBe(3);
  });

  it('should fall back to the roll-up series, then (for inherited indicators) to an ancestor', async () => {
    const svc = make();
    // a street's 10-minute roll-up buckets over four days
    for (let t = now - 96 * HOUR_MS; t <= now; t += 600_000) series.push({ indicatorId: 'fire_alarms', areaId: street, bucket: t, value: 3 });
    expect((await svc.forecast('fire_alarms', street, 4)).points.map((p) => p.value)).toEqual([3, 3, 3, 3]);
    // PM2.5 for a street with nothing of its own: the district's readings
    readings.set(`pm25|${district}`, hours(80, T0 + 11 * HOUR_MS, () => 130));
    const f = await svc.forecast('pm25', street, 2);
    expect(f.points.map((p) => p.value)).toEqual([130, 130]);
    expect(f.crossing).toEqual({ level: 'alarm', at: f.points[0]!.at });
    expect(await svc.crossing('pm25', street, 2)).toEqual({ level: 'alarm', at: T0 + 11 * HOUR_MS });
  });

  it('should answer no points with the reason, and not fit', async () => {
    const svc = make();
    expect(await svc.forecast('pm25', district, 6)).toMatchObject({ points: [], reason: 'insufficient_history', crossing: null });
    readings.set(`pm25|${district}`, hours(100, T0 + 6 * HOUR_MS)); // nothing for the last 5 hours
    now += 10 * 60_000; // past the cached answer
    expect(await svc.forecast('pm25', district, 6)).toMatchObject({ points: [], reason: 'stale_history' });
    expect(await svc.forecast('open_events', district, 6)).toMatchObject({ points: [], reason: 'not_applicable' });
    expect(await svc.forecast('pm25', grid, 6)).toMatchObject({ points: [], reason: 'not_applicable' }); // PM2.5 is not shown for grids
    expect(await svc.crossing('open_events', district)).toBeNull();
    expect(fits).toBe(0);
  });

  it('should refuse unknown indicators and areas, object member names included', async () => {
    const svc = make();
    for (const id of ['nope', 'constructor', '__proto__', 'hasOwnProperty']) await expect(svc.forecast(id, district, 6)).rejects.toMatchObject({ status: 404 });
    await expect(svc.forecast('pm25', 'constructor', 6)).rejects.toMatchObject({ status: 404 });
  });

  it('should answer busy as 503 and not cache a failed fit', async () => {
    readings.set(`pm25|${district}`, hours(100, T0 + 11 * HOUR_MS));
    let busy = true;
    const svc = createForecastService({
      readings: { readingHours: async (i, a, from) => (readings.get(`${i}|${a}`) ?? []).filter((r) => r.hour >= from), series: async () => [] },
      tree,
      indicators: data.indicators,
      clock: { now: () => now },
      logger: quietLogger,
      fit: async (input) => {
        if (busy) throw new ForecastBusyError('full');
        return forecastSeries(input);
      },
    });
    await expect(svc.forecast('pm25', district, 6)).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    busy = false;
    expect((await svc.forecast('pm25', district, 6)).points).toHaveLength(6);
  });
});
