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
      await new Promise((r) => setTimeout(r, 600));
      const ind = (await s.get(`/api/v1/indicators`)).json;
      const district = ind.values.filter((v: any) => v.areaId === '310110');
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
