/**
 * @module server/stores/postgres/postgres.store
 * The store when one machine is outgrown: PostgreSQL through one `pg.Pool` over `DATABASE_URL`,
 * shared by several OneScreen nodes. Every write is committed before its promise resolves (ack
 * after commit). The repositories are the same split as the embedded store's; rows become wire
 * types in `rows.ts` only.
 */
import type { Store } from '../../ports.ts';
import { PgAlarmRepository } from './alarm.repository.ts';
import { PgAuditRepository } from './audit.repository.ts';
import { PgCasesRepository } from './cases.repository.ts';
import { PgConnection } from './connection.ts';
import { PgTasksRepository } from './tasks.repository.ts';
import { PgIncidentsRepository } from './incidents.repository.ts';
import { PgResourcesRepository } from './resources.repository.ts';
import { PgLayerRepository } from './layers.repository.ts';
import { PgDisplayConfigsRepository } from './display-configs.repository.ts';
import { PgDisplayStatusRepository } from './display-status.repository.ts';
import { PgIdentitiesRepository } from './identities.repository.ts';
import { PgKeysRepository } from './keys.repository.ts';
import { LATEST_PG_SCHEMA_VERSION, migrate } from './migrations.ts';
import { PgNotificationsRepository } from './notifications.repository.ts';
import { PgReadingsRepository } from './readings.repository.ts';

export interface PostgresStoreOptions {
  /** connections of this node's pool (default 10) */
  poolSize?: number;
  /** how long a query waits for a pooled connection (ms; default 10 s) */
  connectionTimeoutMs?: number;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly db: PgConnection;
  readonly cases: PgCasesRepository;
  readonly readings: PgReadingsRepository;
  readonly identities: PgIdentitiesRepository;
  readonly keys: PgKeysRepository;
  readonly audit: PgAuditRepository;
  readonly notifications: PgNotificationsRepository;
  readonly alarms: PgAlarmRepository;
  readonly displayConfigs: PgDisplayConfigsRepository;
  readonly tasks: PgTasksRepository;
  readonly incidents: PgIncidentsRepository;
  readonly resources: PgResourcesRepository;
  readonly layers: PgLayerRepository;
  readonly displayStatus: PgDisplayStatusRepository;
  private closed = false;

  /** @param url a `postgres://user:password@host:port/database` connection string */
  constructor(url: string, opts: PostgresStoreOptions = {}) {
    this.db = new PgConnection(url, { max: opts.poolSize, connectionTimeoutMs: opts.connectionTimeoutMs });
    this.cases = new PgCasesRepository(this.db);
    this.readings = new PgReadingsRepository(this.db);
    this.identities = new PgIdentitiesRepository(this.db);
    this.keys = new PgKeysRepository(this.db);
    this.audit = new PgAuditRepository(this.db);
    this.notifications = new PgNotificationsRepository(this.db);
    this.alarms = new PgAlarmRepository(this.db);
    this.displayConfigs = new PgDisplayConfigsRepository(this.db);
    this.tasks = new PgTasksRepository(this.db);
    this.incidents = new PgIncidentsRepository(this.db);
    this.resources = new PgResourcesRepository(this.db);
    this.layers = new PgLayerRepository(this.db);
    this.displayStatus = new PgDisplayStatusRepository(this.db);
  }

  migrate(): Promise<void> {
    return migrate(this.db.pool);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.end();
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the database is closed');
    let version: number | null;
    try {
      const migrated = (await this.db.one<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`))!.t !== null;
      version = migrated ? (await this.db.one<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations'))!.v : null;
    } catch (err) {
      throw new Error(`the database does not answer (${(err as { code?: string }).code ?? 'error'})`);
    }
    if (version !== LATEST_PG_SCHEMA_VERSION) throw new Error(`schema version ${version ?? 'none'}, this version expects ${LATEST_PG_SCHEMA_VERSION}`);
  }

  async sizeBytes(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT pg_database_size(current_database()) AS n'))!.n;
  }

  /** the applied schema versions (for tests and `admin`) */
  async schemaVersions(): Promise<number[]> {
    return (await this.db.rows<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
  }
}

/** `postgres://user:***@host:port/db`: a connection string fit for a log line */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass|key|secret/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}
