/**
 * What only the embedded store does: its applied migrations, a newer database refused, its ping
 * before migration and after close, its size on disk. Everything every store does is the store
 * contract (test/contract/store.contract.ts, run against SQLite by test/contract/sqlite.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { migrations, NewerDatabaseError } from '../../server/stores/sqlite/migrations.ts';

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
});
