import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError, verifyBackup } from '../../server/stores/sqlite/backup.ts';
import { LATEST_SCHEMA_VERSION } from '../../server/stores/sqlite/migrations.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

describe('SqliteStore.backup and verifyBackup', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onescreen-backup-unit-'));
    store = new SqliteStore(join(dir, 'live.sqlite'));
    await store.migrate();
    await store.readings.insertReadings(Array.from({ length: 2000 }, (_, i) => ({ indicatorId: 'pm25', areaId: 'S1', value: i, at: i, receivedAt: i, simulated: false })));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should write an owner-only, self-contained copy and tell what it holds', async () => {
    const summary = await store.backup(join(dir, 'b.sqlite'));
    expect(summary).toMatchObject({ schemaVersion: LATEST_SCHEMA_VERSION, events: 0, readings: 2000, hourlyReadings: 0, auditRows: 0 });
    expect(statSync(join(dir, 'b.sqlite')).mode & 0o777).toBe(0o600);
    // rollback-journal mode in the header (bytes 18–19 are 2 for WAL): nothing needed beside the file
    expect([...readFileSync(join(dir, 'b.sqlite')).subarray(18, 20)]).toEqual([1, 1]);
    expect(verifyBackup(join(dir, 'b.sqlite'))).toEqual({ summary, problems: [] });
  });

  it('should never overwrite a file, and leave nothing behind when it refuses', async () => {
    writeFileSync(join(dir, 'taken.sqlite'), 'precious');
    await expect(store.backup(join(dir, 'taken.sqlite'))).rejects.toThrow(BackupError);
    expect(readFileSync(join(dir, 'taken.sqlite'), 'utf8')).toBe('precious');
    await expect(store.backup(join(dir, 'no-such-folder', 'b.sqlite'))).rejects.toThrow(/does not exist/);
    writeFileSync(join(dir, 'c.sqlite-wal'), 'a stray log');
    await expect(store.backup(join(dir, 'c.sqlite'))).rejects.toThrow(/c\.sqlite-wal exists beside the name/);
    rmSync(join(dir, 'c.sqlite-wal'));
    await store.backup(join(dir, 'b.sqlite'));
    expect(readdirSync(dir).sort()).toEqual(['b.sqlite', 'live.sqlite', 'live.sqlite-shm', 'live.sqlite-wal', 'taken.sqlite']);
  });

  it('should find a damaged backup, and one written by a newer version', async () => {
    const file = join(dir, 'b.sqlite');
    await store.backup(file);
    const pageSize = readFileSync(file).readUInt16BE(16);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, pageSize * 3); // scribble over the fourth page
    closeSync(fd);
    const damaged = verifyBackup(file);
    expect(damaged.problems.length).toBeGreaterThan(0);
    expect(damaged.problems[0]).toMatch(/^integrity: .*page 4/s);

    const newer = new SqliteStore(join(dir, 'newer.sqlite'));
    await newer.migrate();
    await newer.close();
    const db = new Database(join(dir, 'newer.sqlite'));
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'future', 0);
    db.close();
    expect(verifyBackup(join(dir, 'newer.sqlite')).problems).toEqual([`schema ${LATEST_SCHEMA_VERSION + 1} was written by a newer OneScreen (this version knows up to ${LATEST_SCHEMA_VERSION})`]);
  });
});
