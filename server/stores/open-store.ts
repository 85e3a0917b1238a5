/**
 * @module server/stores/open-store
 * Which store a node runs on: PostgreSQL when `DATABASE_URL` is set (several nodes may share it),
 * else the embedded SQLite database in `DATA_DIR`. Used by `main.ts` and the admin CLI alike.
 */
import type { Config } from '../config.ts';
import { prepareDataDir } from '../data-dir.ts';
import type { Store } from '../ports.ts';
import { PostgresStore, redactDatabaseUrl } from './postgres/postgres.store.ts';
import { SqliteStore } from './sqlite/sqlite.store.ts';

export interface OpenedStore {
  store: Store;
  /** where the data is, fit for a log line or the console (a password never appears) */
  where: string;
}

/** open (not yet migrate) the configured store */
export function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databasePoolSize'>): OpenedStore {
  if (config.databaseUrl) {
    return { store: new PostgresStore(config.databaseUrl, { poolSize: config.databasePoolSize }), where: redactDatabaseUrl(config.databaseUrl) };
  }
  const file = prepareDataDir(config.dataDir);
  return { store: new SqliteStore(file), where: file };
}
