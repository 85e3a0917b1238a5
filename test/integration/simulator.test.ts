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
      const keys = await s.store.listIngestKeys();
      expect(keys.find((k) => k.name === 'simulator')).toMatchObject({ simulated: true, revokedAt: null });
      // every district indicator gets a value from the simulator's first ticks
      const districtValues = async () => {
        const json = (await s.get(`/api/v1/indicators`)).json;
        return { json, district: json.values.filter((v: any) => v.areaId === '310110' && v.value !== null) };
      };
      const wanted = (await districtValues()).json.definitions.filter((d: any) => d.levels.includes('district')).length;
      await expect.poll(async () => (await districtValues()).district.length, { timeout: 20_000 }).toBe(wanted);
      const { json: ind, district } = await districtValues();
      for (const def of ind.definitions) {
        if (!def.levels.includes('district')) continue;
        const v = district.find((x: any) => x.indicatorId === def.id);
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
