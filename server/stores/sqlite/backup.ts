/**
 * @module server/stores/sqlite/backup
 * Online backup of the embedded database, and the check of a backup file.
 *
 * The copy is taken with SQLite's online backup API in a single step: that step reads one
 * snapshot of the database (in WAL mode a reader never blocks the server's writers), so the copy
 * is consistent however fast the server commits meanwhile. Copying in many small steps instead
 * would restart whenever another process wrote between two steps, and might never finish on a
 * busy centre.
 *
 * The copy is written to a hidden file beside the target, made self-contained (rollback journal,
 * no `-wal` beside it), synced, and only then linked to its name: a backup file that exists is
 * complete, an existing file is never overwritten, and only its owner can read it (mode 0600).
 *
 * @example
 * const summary = await store.backup('/backups/onescreen-2026-12-02.sqlite');
 */
import { closeSync, constants, copyFileSync, existsSync, fsyncSync, linkSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION } from './migrations.ts';

/** What a database file holds. */
export interface DatabaseSummary {
  /** the newest applied migration (0 when none) */
  schemaVersion: number;
  events: number;
  /** raw readings (not yet folded into hourly aggregates) */
  readings: number;
  hourlyReadings: number;
  auditRows: number;
  bytes: number;
}

/** An expected refusal (the target exists, its folder is missing, the file is no OneScreen database). */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** the number of pages one backup step may copy: everything, in one snapshot */
const ALL_PAGES = 0x7fffffff;

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1;
}

const count = (db: Database.Database, table: string) => (tableExists(db, table) ? (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) : 0);

/** counts of what an open database holds */
export function summarise(db: Database.Database, file: string): DatabaseSummary {
  if (!tableExists(db, 'schema_migrations')) throw new BackupError(`${file} is not a OneScreen database (it has no schema_migrations table)`);
  return {
    schemaVersion: (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0,
    events: count(db, 'events'),
    readings: count(db, 'readings'),
    hourlyReadings: count(db, 'readings_hourly'),
    auditRows: count(db, 'audit'),
    bytes: statSync(file).size,
  };
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Throws a {@link BackupError} unless a backup may be written to `target`. */
export function checkBackupTarget(target: string): void {
  const file = resolve(target);
  if (existsSync(file)) throw new BackupError(`${target} exists already; a backup never overwrites a file, choose a new name`);
  // a stray log beside the name would be applied to the backup when it is opened
  const stray = ['-wal', '-shm', '-journal'].map((x) => `${file}${x}`).find((f) => existsSync(f));
  if (stray) throw new BackupError(`${stray} exists beside the name; choose a new name or remove it`);
  if (!existsSync(dirname(file))) throw new BackupError(`the folder ${dirname(file)} does not exist`);
}

/** Copy the database behind `db` into the new file `target` (see the module's description). */
export async function backupDatabase(db: Database.Database, target: string): Promise<DatabaseSummary> {
  checkBackupTarget(target);
  const file = resolve(target);
  const dir = dirname(file);
  const partial = join(dir, `.${basename(file)}.partial-${process.pid}`);
  // created empty, exclusively and owner-only before SQLite writes into it (its journal inherits the mode)
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    await db.backup(partial, { progress: () => ALL_PAGES });
    const copy = new Database(partial, { fileMustExist: true });
    let summary: DatabaseSummary;
    try {
      // a backup is one self-contained file: no write-ahead log to keep beside it
      copy.pragma('journal_mode = DELETE');
      summary = summarise(copy, partial);
    } finally {
      copy.close();
    }
    fsyncPath(partial);
    try {
      try {
        linkSync(partial, file); // fails if the name was taken meanwhile: never overwrite
      } catch (err) {
        // a filesystem without hard links (a vfat/exFAT stick, some network shares): an exclusive copy
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
        copyFileSync(partial, file, constants.COPYFILE_EXCL);
        fsyncPath(file);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${target} exists already; a backup never overwrites a file, choose a new name`);
      throw err;
    }
    rmSync(partial, { force: true });
    fsyncPath(dir);
    return summary;
  } finally {
    for (const f of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
  }
}

export interface VerifyResult {
  summary: DatabaseSummary;
  /** empty when the file is sound and this version can run on it */
  problems: string[];
}

/** Check a backup file without changing it: SQLite's integrity check, then what it holds. */
export function verifyBackup(target: string): VerifyResult {
  if (!existsSync(target)) throw new BackupError(`${target} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(target, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupError(`${target} cannot be opened as a database: ${(err as Error).message}`);
  }
  try {
    let integrity: string[];
    try {
      integrity = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
    } catch (err) {
      throw new BackupError(`${target} is not a sound database: ${(err as Error).message}`);
    }
    const problems = integrity.length === 1 && integrity[0] === 'ok' ? [] : integrity.map((p) => `integrity: ${p}`);
    let summary: DatabaseSummary;
    try {
      summary = summarise(db, target);
    } catch (err) {
      if (err instanceof BackupError) throw err;
      throw new BackupError([`${target} is damaged: ${(err as Error).message}`, ...problems].join('\n'));
    }
    if (summary.schemaVersion > LATEST_SCHEMA_VERSION) {
      problems.push(`schema ${summary.schemaVersion} was written by a newer OneScreen (this version knows up to ${LATEST_SCHEMA_VERSION})`);
    }
    return { summary, problems };
  } finally {
    db.close();
  }
}
