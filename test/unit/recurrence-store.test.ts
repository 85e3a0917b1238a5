import { describe, expect, it } from 'vitest';
import { cellRanges, geoCell, searchBox } from '../../server/domain/hotspots.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

/**
 * The lattice the embedded store finds recurrence candidates by. What recurrence links is the store
 * contract's (test/contract/store.contract.ts).
 */
describe('SqliteStore recurrence lattice', () => {
  it('should number lattice cells in SQL (the migration of older rows) exactly as in the domain', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const db = (store as unknown as { db: { prepare(sql: string): { pluck(): { get(...a: unknown[]): unknown } } } }).db;
    const sql = db.prepare('SELECT CAST((? + 90) / 0.002 AS INTEGER) * 1000000 + CAST((? + 180) / 0.002 AS INTEGER)').pluck();
    let seed = 3;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const lat = 31.2 + rand() * 0.2;
      const lng = 121.4 + rand() * 0.2;
      expect(sql.get(lat, lng), `${lng},${lat}`).toBe(geoCell(lng, lat));
    }
    // a cell edge itself
    expect(sql.get(31.3, 121.5)).toBe(geoCell(121.5, 31.3));
    await store.close();
  });

  it('should cover a search box with its cell ranges', () => {
    const box = searchBox(121.5, 31.3, 200);
    const ranges = cellRanges(box);
    for (let i = 0; i <= 10; i++) {
      for (let j = 0; j <= 10; j++) {
        const c = geoCell(box.minLng + ((box.maxLng - box.minLng) * i) / 10, box.minLat + ((box.maxLat - box.minLat) * j) / 10);
        expect(ranges.some(([a, b]) => c >= a && c <= b)).toBe(true);
      }
    }
    expect(ranges.length).toBeLessThanOrEqual(3);
  });
});
