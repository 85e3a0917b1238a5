/**
 * @module server/backup-command
 * `npm run admin -- backup <file>` and `npm run admin -- backup verify <file>`: the online backup
 * of the running centre's database and the check of a backup file. The backup opens the same
 * database as the server (WAL: both may use it at once) and never migrates or changes it, apart
 * from appending one audit entry once the copy is complete.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BackupError, checkBackupTarget, verifyBackup, type DatabaseSummary } from './stores/sqlite/backup.ts';
import { SqliteStore } from './stores/sqlite/sqlite.store.ts';

export const BACKUP_USAGE = `  npm run admin -- backup <file>            a consistent copy of the database, also while the server runs
  npm run admin -- backup verify <file>     check a backup file (integrity, schema, counts)`;

/** what `backup` answers when the centre runs on PostgreSQL (DATABASE_URL) */
export const BACKUP_ON_POSTGRES = `backup: this centre's database is PostgreSQL (DATABASE_URL is set), and \`admin backup\` copies only the embedded SQLite database.
Back PostgreSQL up with its own tools, while OneScreen runs:
  pg_dump --format=custom --file=onescreen-$(date +%F).dump "$DATABASE_URL"
restore into an empty database (OneScreen stopped):
  pg_restore --no-owner --dbname="$DATABASE_URL" onescreen-YYYY-MM-DD.dump
(see the README, "PostgreSQL")`;

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const describe = (s: DatabaseSummary) =>
  `schema ${s.schemaVersion}; ${s.events} events, ${s.readings} readings (+ ${s.hourlyReadings} hourly aggregates), ${s.auditRows} audit rows; ${mb(s.bytes)}`;

/**
 * Run a backup command; returns the process exit code.
 * @param args what follows `backup` on the command line
 * @param dbFile the live database (`$DATA_DIR/onescreen.sqlite`)
 * @param actor who runs it, for the audit trail
 */
export async function runBackupCommand(args: readonly (string | undefined)[], dbFile: string, actor: string, out: Output): Promise<number> {
  const [first, second] = args;
  try {
    if (first === 'verify') {
      if (!second) return usage(out);
      const { summary, problems } = verifyBackup(second);
      out.log(`${second}: ${describe(summary)}`);
      if (problems.length === 0) {
        out.log('integrity ok; this version can run on it');
        return 0;
      }
      for (const p of problems) out.error(p);
      return 1;
    }
    if (!first || second !== undefined) return usage(out);
    if (!existsSync(dbFile)) {
      out.error(`there is no database at ${dbFile} (is DATA_DIR right?)`);
      return 2;
    }
    // npm runs scripts in the package's folder: say where a relative name really went
    const target = resolve(first);
    checkBackupTarget(target);
    const store = new SqliteStore(dbFile);
    try {
      out.log(`backing up ${resolve(dbFile)} to ${target} …`);
      const summary = await store.backup(target);
      out.log(`backed up ${describe(summary)}`);
      out.log(`wrote ${target} (mode 0600); restore it as described in the README ("Backup and restore")`);
      try {
        await store.audit.appendAudit({ at: Date.now(), actor, actorKind: 'system', action: 'backup.create', target, outcome: 'ok', ip: 'local', detail: describe(summary) });
      } catch (err) {
        out.error(`the backup is complete, but the audit entry could not be written: ${(err as Error).message}`);
      }
      return 0;
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof BackupError) {
      out.error(err.message);
      return 1;
    }
    throw err;
  }
}

function usage(out: Output): number {
  out.error(`usage:\n${BACKUP_USAGE}`);
  return 2;
}
