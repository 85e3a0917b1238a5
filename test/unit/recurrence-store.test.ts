import { describe, expect, it } from 'vitest';
import { cellRanges, cellsNear, distanceMeters, geoCell, searchBox } from '../../server/domain/hotspots.ts';
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

  it('should search every cell that holds a point within the radius, and no cell outside the box', () => {
    let seed = 11;
    const misses: string[] = [];
    let searched = 0;
    let inBoxes = 0;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 120; k++) {
      // centres anywhere, also on and next to cell edges (multiples of 0.002°)
      const lng = k % 4 === 0 ? 121.5 + Math.floor(rand() * 50) * 0.002 : 121.4 + rand() * 0.2;
      const lat = k % 4 === 1 ? 31.2 + Math.floor(rand() * 50) * 0.002 : 31.2 + rand() * 0.2;
      const radiusM = k % 3 === 0 ? 5000 * rand() : 200;
      const cells = new Set(cellsNear(lng, lat, radiusM));
      const box = searchBox(lng, lat, radiusM);
      const boxCells = cellRanges(box).flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
      const inBox = new Set(boxCells);
      for (const c of cells) if (!inBox.has(c)) misses.push(`cell ${c} outside the box around ${lng},${lat}`);
      searched += cells.size;
      inBoxes += boxCells.length;
      for (let i = 0; i < 200; i++) {
        // a point within the radius (exactly on it for some)
        const bearing = rand() * 2 * Math.PI;
        const d = (i % 10 === 0 ? 1 : Math.sqrt(rand())) * radiusM;
        const p = { lat: lat + ((d * Math.cos(bearing)) / 6_371_008.8) * (180 / Math.PI), lng: 0 };
        p.lng = lng + ((d * Math.sin(bearing)) / (6_371_008.8 * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI);
        if (distanceMeters(p, { lng, lat }) > radiusM) continue;
        if (!cells.has(geoCell(p.lng, p.lat))) misses.push(`${p.lng},${p.lat} around ${lng},${lat} r ${radiusM}`);
      }
    }
    expect(misses).toEqual([]);
    // some of the boxes' corner cells are out of reach, and left out
    expect(searched).toBeLessThan(inBoxes);
  });

});
