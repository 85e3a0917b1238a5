import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.ts';

describe('simulator', () => {
  it('should post through the ingest path, marked simulated, feeding every indicator', async () => {
    const s = await startTestServer({ serveWeb: false, simulator: true, seed: 5 });
    try {
      // backfill of yesterday and today so far, plus the first tick
      const list = (await s.get(`/api/v1/events?limit=50`)).json;
      expect(list.total).toBeGreaterThan(50);
      expect(list.events.every((e: any) => e.simulated === true)).toBe(true);
      const keys = await s.store.keys.listIngestKeys();
      expect(keys.find((k) => k.name === 'simulator')).toMatchObject({ simulated: true, revokedAt: null });
      // every district indicator gets a value from the simulator's first ticks, except the closed
      // loop's rates: they are derived from the cases the simulated centre closes, and until it
      // has closed one they have no value (nodata), never a made-up 0 % or 100 %
      const LOOP_RATES = ['first_time_success_rate', 'satisfaction', 'on_time_closure_rate'];
      const districtValues = async () => {
        const json = (await s.get(`/api/v1/indicators`)).json;
        return { json, district: json.values.filter((v: any) => v.areaId === '310110' && v.value !== null) };
      };
      const wanted = (await districtValues()).json.definitions.filter((d: any) => d.levels.includes('district') && !LOOP_RATES.includes(d.id)).length;
      const someValues = async () => (await districtValues()).district.filter((v: any) => !LOOP_RATES.includes(v.indicatorId)).length;
      await expect.poll(someValues, { timeout: 20_000 }).toBe(wanted);
      const { json: ind, district } = await districtValues();
      for (const def of ind.definitions) {
        if (!def.levels.includes('district')) continue;
        const v = district.find((x: any) => x.indicatorId === def.id);
        if (LOOP_RATES.includes(def.id)) {
          const all = ind.values.find((x: any) => x.areaId === '310110' && x.indicatorId === def.id);
          expect(all.value === null ? all.status : 'value', def.id).toMatch(/^(nodata|value)$/);
          continue;
        }
        expect(v, def.id).toBeDefined();
        expect(v.value, def.id).not.toBeNull();
        expect(['normal', 'warn', 'alarm']).toContain(v.status);
      }
      expect((await (await fetch(`${s.url}/api/health`)).json()).simulatorOn).toBe(true);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('simulator and the closed loop', () => {
  it('should make the loop-derived rates appear by themselves once its duty officer closes cases', async () => {
    // a sped-up centre (an hour of work in thirty seconds) closes its first cases within seconds
    const s = await startTestServer({ serveWeb: false, simulator: true, seed: 7, simulatorSpeed: 120, simulatorEventsPerHour: 20 });
    try {
      const rates = ['first_time_success_rate', 'satisfaction', 'on_time_closure_rate'];
      const district = async () => (await s.get('/api/v1/indicators')).json.values.filter((v: any) => v.areaId === '310110' && rates.includes(v.indicatorId));
      await expect.poll(async () => (await district()).filter((v: any) => v.value !== null).length, { timeout: 60_000, interval: 250 }).toBe(3);
      for (const v of await district()) {
        expect(v.value).toBeGreaterThanOrEqual(0);
        expect(v.value).toBeLessThanOrEqual(100);
        expect(['normal', 'warn', 'alarm']).toContain(v.status);
      }
      // the simulator posted none of them: they were derived
      expect((await s.store.readings.latestReadings()).filter((r) => rates.includes(r.indicatorId) || r.indicatorId === 'calls_12345')).toEqual([]);
    } finally {
      await s.stop({ removeData: true });
    }
  }, 90_000);
});

describe('simulator start-up', () => {
  it('should start (and keep trying) when the server cannot be reached, instead of failing the process', async () => {
    const { SqliteStore } = await import('../../server/stores/sqlite/sqlite.store.ts');
    const { AreaTree } = await import('../../server/domain/areas.ts');
    const { startSimulator } = await import('../../server/simulator/simulator.ts');
    const { shippedData, quietLogger } = await import('../helpers/server.ts');
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const warnings: string[] = [];
    const sim = await startSimulator({
      baseUrl: 'http://127.0.0.1:9', // discard port: nothing listens
      store,
      tree: new AreaTree(shippedData().areas),
      indicators: shippedData().indicators,
      seed: 1,
      timeZone: 'Asia/Shanghai',
      logger: { ...quietLogger, warn: (_o: unknown, m?: string) => void warnings.push(m ?? '') },
      tickMs: 60_000,
    });
    await sim.stop();
    await store.close();
    expect(warnings).toEqual(expect.arrayContaining(['simulator backfill failed', 'simulator tick failed']));
  });
});
