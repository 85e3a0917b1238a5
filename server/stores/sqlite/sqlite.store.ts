/**
 * @module server/stores/sqlite/sqlite.store
 * The embedded store: SQLite in WAL mode through better-sqlite3. It opens the one database handle,
 * runs the migrations and composes the repositories (one file per aggregate beside this one, rows
 * converted in `rows.ts`). Every write is one transaction, committed (and synced per
 * `synchronous=FULL`) before the promise resolves, so an ingest request is acknowledged only after
 * its data is durable.
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Store } from '../../ports.ts';
import { SqliteAlarmRepository } from './alarm.repository.ts';
import { SqliteAuditRepository } from './audit.repository.ts';
import { backupDatabase, type DatabaseSummary } from './backup.ts';
import { SqliteCaseRepository } from './cases.repository.ts';
import { SqliteConnection } from './connection.ts';
import { SqliteTaskRepository } from './tasks.repository.ts';
import { SqliteIncidentRepository } from './incidents.repository.ts';
import { SqliteResourceRepository } from './resources.repository.ts';
import { SqliteLayerRepository } from './layers.repository.ts';
import { SqliteDisplayConfigRepository } from './display-configs.repository.ts';
import { SqliteDisplayStatusRepository } from './display-status.repository.ts';
import { SqliteIdentityRepository } from './identities.repository.ts';
import { SqliteIngestKeyRepository } from './keys.repository.ts';
import { LATEST_SCHEMA_VERSION, migrations, NewerDatabaseError } from './migrations.ts';
import { SqliteNotificationRepository } from './notifications.repository.ts';
import { SqliteReadingRepository } from './readings.repository.ts';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly conn: SqliteConnection;
  readonly cases: SqliteCaseRepository;
  readonly tasks: SqliteTaskRepository;
  readonly incidents: SqliteIncidentRepository;
  readonly resources: SqliteResourceRepository;
  readonly layers: SqliteLayerRepository;
  readonly readings: SqliteReadingRepository;
  readonly identities: SqliteIdentityRepository;
  readonly keys: SqliteIngestKeyRepository;
  readonly audit: SqliteAuditRepository;
  readonly notifications: SqliteNotificationRepository;
  readonly alarms: SqliteAlarmRepository;
  readonly displayConfigs: SqliteDisplayConfigRepository;
  readonly displayStatus: SqliteDisplayStatusRepository;

  /** a prepared statement, compiled once per SQL text */
  private prep(sql: string): Database.Statement {
    return this.conn.prep(sql);
  }

  /**
   * @param file a path, or `:memory:`. The file is created (or kept) readable by its owner only;
   *   SQLite gives its -wal and -shm files the database file's mode.
   */
  constructor(private readonly file: string) {
    if (file !== ':memory:' && !file.startsWith('file:')) {
      closeSync(openSync(file, 'a', 0o600));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
      }
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.conn = new SqliteConnection(this.db);
    this.cases = new SqliteCaseRepository(this.conn);
    this.readings = new SqliteReadingRepository(this.conn);
    this.identities = new SqliteIdentityRepository(this.conn);
    this.keys = new SqliteIngestKeyRepository(this.conn);
    this.audit = new SqliteAuditRepository(this.conn);
    this.notifications = new SqliteNotificationRepository(this.conn);
    this.alarms = new SqliteAlarmRepository(this.conn);
    this.displayConfigs = new SqliteDisplayConfigRepository(this.conn);
    this.tasks = new SqliteTaskRepository(this.conn);
    this.incidents = new SqliteIncidentRepository(this.conn);
    this.resources = new SqliteResourceRepository(this.conn);
    this.layers = new SqliteLayerRepository(this.conn);
    this.displayStatus = new SqliteDisplayStatusRepository(this.conn);
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const newest = Math.max(0, ...done);
    if (newest > LATEST_SCHEMA_VERSION) throw new NewerDatabaseError(newest);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      }).immediate();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new Error('the database is closed');
    let version: number | null;
    try {
      const migrated = this.prep("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get() === 1;
      version = migrated ? (this.prep('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) : null;
    } catch (err) {
      throw new Error(`the database does not answer (${(err as { code?: string }).code ?? 'error'})`);
    }
    if (version !== LATEST_SCHEMA_VERSION) throw new Error(`schema version ${version ?? 'none'}, this version expects ${LATEST_SCHEMA_VERSION}`);
  }

  async sizeBytes(): Promise<number> {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    let wal = 0;
    if (this.file !== ':memory:') {
      try {
        wal = statSync(`${this.file}-wal`).size;
      } catch {
        // no write-ahead log right now (e.g. after a clean close)
      }
    }
    return pages * pageSize + wal;
  }

  /**
   * A consistent copy of the whole database into a new file (SQLite's online backup API), while
   * this and other processes keep writing. See {@link backupDatabase}.
   */
  backup(file: string): Promise<DatabaseSummary> {
    return backupDatabase(this.db, file);
  }

  /** the applied schema versions (for tests and `admin`) */
  schemaVersions(): number[] {
    return this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  }
}
