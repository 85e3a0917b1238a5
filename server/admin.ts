/**
 * @module server/admin
 * `npm run admin -- …`: opens the configured database (PostgreSQL when DATABASE_URL is set, else
 * the data directory's SQLite file) and runs one command of
 * {@link runAdmin} (see `server/admin/cli.ts` for the commands), or a backup command (see
 * `./backup-command.ts`). Exits 2 on a refused command.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { runAdmin } from './admin/cli.ts';
import { BACKUP_ON_POSTGRES, runBackupCommand } from './backup-command.ts';
import { loadConfig } from './config.ts';
import { loadShippedData } from './data.ts';
import { DATABASE_FILE } from './data-dir.ts';
import { AreaTree } from './domain/areas.ts';
import { systemClock } from './ports.ts';
import { openStore } from './stores/open-store.ts';
import { NewerDatabaseError } from './stores/sqlite/migrations.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const actor = `cli:${userInfo().username}`;
const args = process.argv.slice(2);
// a backup reads the live database as it is: no folder created, no migration
if (args[0] === 'backup') {
  if (config.databaseUrl) {
    // PostgreSQL has its own consistent online backup: pg_dump (and pg_restore to restore)
    console.error(BACKUP_ON_POSTGRES);
    process.exit(2);
  }
  process.exit(await runBackupCommand(args.slice(1), join(config.dataDir, DATABASE_FILE), actor, console));
}

const { store } = openStore(config);
const shipped = loadShippedData();
let code = 2;
try {
  await store.migrate();
  code = await runAdmin(args, {
    store,
    tree: new AreaTree(shipped.areas),
    units: shipped.units,
    clock: systemClock,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    actor,
  });
} catch (err) {
  if (!(err instanceof NewerDatabaseError)) throw err;
  console.error(err.message);
} finally {
  await store.close();
}
process.exit(code);
