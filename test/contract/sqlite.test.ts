/**
 * The store contract against the embedded SQLite store: a database file in a fresh temporary
 * folder per test, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { storeContract } from './store.contract.ts';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-contract-'));
  const store = new SqliteStore(join(dir, 'onescreen.sqlite'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
