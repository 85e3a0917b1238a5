import { describe, expect, it } from 'vitest';
import { cellRanges, cellsNear, DEFAULT_RECURRENCE, distanceMeters, geoCell, searchBox } from '../../server/domain/hotspots.ts';
import type { NewEvent } from '../../server/ports.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

const DAY = 86_400_000;

describe('SqliteStore recurrence at ingest', () => {
  it('should link exactly the cases a brute-force search finds: same category, 200 m, 30 days, 10 most recent', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const now = Date.UTC(2026, 10, 20);
    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let n = 0;
    // dense: 1,500 cases of two categories in about 1 km² over 40 days, so the per-row candidate cap is exercised
    const make = (): NewEvent => {
      const id = `e${++n}`;
      return {
        id, source: 'bench', externalId: id, category: rand() < 0.8 ? 'parking' : 'noise', title: 't', description: '',
        lng: 121.5 + rand() * 0.01, lat: 31.3 + rand() * 0.01, gridId: 'g', streetId: 's', districtId: 'd',
        severity: 'medium', status: 'reported', occurredAt: now - Math.floor(rand() * 40 * DAY), receivedAt: now, simulated: true, dueAt: null,
      };
    };
    const stored: NewEvent[] = [];
    let recurring = 0;
    for (let b = 0; b < 30; b++) {
      const batch = Array.from({ length: 50 }, make);
      const res = await store.insertEvents(batch, DEFAULT_RECURRENCE);
      res.forEach((r, i) => {
        const e = batch[i]!;
        const expected = stored
          .filter((o) => o.category === e.category && o.occurredAt <= e.occurredAt && o.occurredAt >= e.occurredAt - DEFAULT_RECURRENCE.windowMs && distanceMeters(o, e) <= DEFAULT_RECURRENCE.radiusM)
          .sort((a, c) => c.occurredAt - a.occurredAt || distanceMeters(a, e) - distanceMeters(c, e))
          .slice(0, 10)
          .map((o) => o.id);
        expect(r.event.relatedIds, e.id).toEqual(expected);
        expect(r.event.tags, e.id).toEqual(expected.length ? ['recurring'] : []);
        if (expected.length) recurring++;
        stored.push(e);
      });
    }
    expect(recurring).toBeGreaterThan(100);
    expect(recurring).toBeLessThan(stored.length);
    await store.close();
  });

  it('should still find an older case in range behind many more recent ones piled up just outside it', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const now = Date.UTC(2026, 10, 20);
    const at = (id: string, northM: number, ageMs: number): NewEvent => ({
      id, source: 's', externalId: id, category: 'parking', title: 't', description: '', lng: 121.5, lat: 31.3 + northM / 111_195,
      gridId: 'g', streetId: 's', districtId: 'd', severity: 'medium', status: 'reported', occurredAt: now - ageMs, receivedAt: now, simulated: true, dueAt: null,
    });
    // 80 reports at one address 201 m away (inside the SQL estimate's 1 % margin, outside the radius)
    await store.insertEvents(Array.from({ length: 80 }, (_, i) => at(`out${i}`, 201, 1000 + i)));
    await store.insertEvents([at('in', 150, 5 * DAY)]);
    const [r] = await store.insertEvents([at('new', 0, 0)], DEFAULT_RECURRENCE);
    expect(r!.event).toMatchObject({ tags: ['recurring'], relatedIds: ['in'] });
    await store.close();
  });

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

  it('should answer a new case exactly as it reads back from the database', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const now = Date.UTC(2026, 10, 20);
    const make = (id: string, northM: number): NewEvent => ({
      id, source: 's', externalId: id, category: 'parking', title: `标题 ${id}`, description: 'd', lng: 121.5, lat: 31.3 + northM / 111_195,
      gridId: 'g', streetId: 's', districtId: 'd', severity: 'high', status: 'reported', occurredAt: now - 1000, receivedAt: now, simulated: true, dueAt: now + 60_000,
    });
    const res = await store.insertEvents([make('a', 0), make('b', 50), make('a', 0), { ...make('c', 900), dueAt: null, simulated: false }], DEFAULT_RECURRENCE);
    expect(res.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(res[1]!.event).toMatchObject({ tags: ['recurring'], relatedIds: ['a'] });
    for (const r of res) expect(r.event).toEqual(await store.getEvent(r.event.id));
    await store.close();
  });
});
