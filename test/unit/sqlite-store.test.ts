import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../server/ports.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { migrations, NewerDatabaseError } from '../../server/stores/sqlite/migrations.ts';

const H = 3_600_000;
const event = (over: Partial<NewEvent> = {}): NewEvent => ({
  id: crypto.randomUUID(),
  source: 'grid',
  externalId: crypto.randomUUID(),
  category: 'fire_hazard',
  title: 't',
  description: '',
  lng: 121.5,
  lat: 31.3,
  gridId: 'S1-g001',
  streetId: 'S1',
  districtId: 'D',
  severity: 'medium',
  status: 'reported',
  occurredAt: 10 * H,
  receivedAt: 10 * H,
  simulated: false,
  dueAt: null,
  ...over,
});

describe(SqliteStore.name, () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(() => store.close());

  it('should apply every migration once', async () => {
    await store.migrate();
    expect(store.schemaVersions()).toEqual(migrations.map((m) => m.version));
  });

  it('should refuse a database written by a newer version, and change nothing in it', async () => {
    const newest = migrations.at(-1)!.version;
    await store.audit.appendAudit({ at: 1, actor: 'x', actorKind: 'system', action: 'a', target: '', outcome: 'ok', ip: '-', detail: '' });
    (store as unknown as { db: import('better-sqlite3').Database }).db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(newest + 2, 'future', 0);
    const err = await store.migrate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NewerDatabaseError);
    expect((err as Error).message).toBe(`this database was written by a newer OneScreen (schema ${newest + 2}, this version knows up to ${newest}); upgrade OneScreen or restore a backup`);
    expect(store.schemaVersions().at(-1)).toBe(newest + 2);
  });

  it('should answer a ping once migrated, and say what is wrong otherwise', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    const fresh = new SqliteStore(':memory:');
    await expect(fresh.ping()).rejects.toThrow(`schema version none, this version expects ${migrations.at(-1)!.version}`);
    await fresh.close();
    await expect(fresh.ping()).rejects.toThrow('the database is closed');
  });

  it('should tell its size on disk', async () => {
    const before = await store.sizeBytes();
    expect(before).toBeGreaterThan(0);
    await store.readings.insertReadings(Array.from({ length: 5000 }, (_, i) => ({ indicatorId: 'pm25', areaId: 'S1', value: i, at: i, receivedAt: i, simulated: false })));
    expect(await store.sizeBytes()).toBeGreaterThan(before);
  });

  it('should insert idempotently on (source, externalId) and roll back a failed batch whole', async () => {
    const e = event();
    const [a] = await store.cases.insertEvents([e]);
    const [b] = await store.cases.insertEvents([{ ...e, id: 'other-id', title: 'changed' }]);
    expect(a!.created).toBe(true);
    expect(b).toMatchObject({ created: false, event: { id: e.id, title: 't' } });
    // a NOT NULL violation in the middle of a batch stores none of it
    const bad = { ...event(), title: null as unknown as string };
    await expect(store.cases.insertEvents([event({ externalId: 'x1' }), bad])).rejects.toThrow();
    expect(await store.cases.countEvents({})).toBe(1);
  });

  it('should filter by area level, status and time', async () => {
    await store.cases.insertEvents([
      event({ streetId: 'S1', gridId: 'S1-g1' }),
      event({ streetId: 'S2', gridId: 'S2-g1', status: 'archived' }),
      event({ streetId: 'S2', gridId: 'S2-g2', occurredAt: 20 * H }),
    ]);
    expect(await store.cases.countEvents({ areaId: 'S2', areaLevel: 'street' })).toBe(2);
    expect(await store.cases.countEvents({ areaId: 'S2-g2', areaLevel: 'grid' })).toBe(1);
    expect(await store.cases.countEvents({ areaId: 'D', areaLevel: 'district', statuses: ['reported'] })).toBe(2);
    expect(await store.cases.countEvents({ from: 15 * H })).toBe(1);
    expect(await store.cases.countEvents({ to: 15 * H })).toBe(2);
  });

  it('should list newest received first, or soonest due first with unclocked cases last', async () => {
    await store.cases.insertEvents([
      event({ externalId: 'late-due', receivedAt: 12 * H, dueAt: 14 * H }),
      event({ externalId: 'no-clock', receivedAt: 13 * H, dueAt: null }),
      event({ externalId: 'soon-due', receivedAt: 11 * H, dueAt: 12 * H }),
      event({ externalId: 'overdue', receivedAt: 10 * H, dueAt: 9 * H }),
    ]);
    const ids = async (order?: 'received' | 'due', limit = 10) => (await store.cases.listEvents({ limit, ...(order ? { order } : {}) })).map((e) => e.externalId);
    expect(await ids()).toEqual(['no-clock', 'late-due', 'soon-due', 'overdue']);
    expect(await ids('due')).toEqual(['overdue', 'soon-due', 'late-due', 'no-clock']);
    // past a cap, the most urgent are kept
    expect(await ids('due', 2)).toEqual(['overdue', 'soon-due']);
  });

  it('should count open, overdue (past the stage deadline) and today per grid', async () => {
    await store.cases.insertEvents([
      event({ gridId: 'g1', dueAt: 9 * H }),
      event({ gridId: 'g1', dueAt: 11 * H }),
      event({ gridId: 'g1', status: 'archived', occurredAt: 11 * H, dueAt: null }),
      event({ gridId: 'g2', occurredAt: 11 * H, dueAt: null }),
    ]);
    const counts = await store.cases.openCountsByGrid(10 * H, 10.5 * H);
    const by = Object.fromEntries(counts.map((c) => [c.gridId, c]));
    expect(by.g1).toEqual({ gridId: 'g1', open: 2, overdue: 1, today: 1 });
    expect(by.g2).toEqual({ gridId: 'g2', open: 1, overdue: 0, today: 1 });
  });

  it('should keep the newest direct reading, and fold old raw readings into hourly aggregates', async () => {
    const r = (value: number, at: number) => ({ indicatorId: 'pm25', areaId: 'D', value, at, receivedAt: at, simulated: false });
    await store.readings.insertReadings([r(10, 1 * H + 1), r(30, 1 * H + 2000), r(20, 1 * H + 1000), r(50, 2 * H + 5), r(70, 5 * H)]);
    await store.readings.insertReadings([r(5, 0)]); // late arrival of an old value does not replace the latest
    expect((await store.readings.latestReadings())[0]).toMatchObject({ value: 70, at: 5 * H });
    const folded = await store.readings.downsampleReadings(3 * H);
    expect(folded).toBe(5);
    expect(await store.readings.rawReadingCount()).toBe(1);
    const hourly = await store.readings.hourlyReadings('pm25', 'D', 0, 10 * H);
    expect(hourly).toEqual([
      { indicatorId: 'pm25', areaId: 'D', hour: 0, n: 1, sum: 5, min: 5, max: 5, last: 5 },
      { indicatorId: 'pm25', areaId: 'D', hour: H, n: 3, sum: 60, min: 10, max: 30, last: 30 },
      { indicatorId: 'pm25', areaId: 'D', hour: 2 * H, n: 1, sum: 50, min: 50, max: 50, last: 50 },
    ]);
    // a second fold of the same hour (a late reading) merges into the aggregate
    await store.readings.insertReadings([r(100, 1 * H + 3000)]);
    await store.readings.downsampleReadings(3 * H);
    const h1 = (await store.readings.hourlyReadings('pm25', 'D', H, 2 * H))[0]!;
    expect(h1).toMatchObject({ n: 4, sum: 160, max: 100, last: 100 });
  });

  it('should keep the last value per series bucket', async () => {
    await store.readings.upsertSeries([{ indicatorId: 'a', areaId: 'D', bucket: 0, value: 1 }]);
    await store.readings.upsertSeries([{ indicatorId: 'a', areaId: 'D', bucket: 0, value: 2 }, { indicatorId: 'a', areaId: 'D', bucket: 600_000, value: 3 }]);
    expect((await store.readings.series('D', 0)).map((r) => r.value)).toEqual([2, 3]);
    await store.readings.pruneSeries(600_000);
    expect((await store.readings.series('D', 0)).map((r) => r.value)).toEqual([3]);
  });
});
