/**
 * @module server/admin
 * Administration from the command line (every action is written to the audit trail):
 *   npm run admin -- key create <name>                prints the new ingest key on its last line
 *   npm run admin -- key list | key revoke <id|name>
 *   npm run admin -- user create <username> --role <admin|district|street|wall> [--area <areaId>] --password <password>
 *   npm run admin -- user list | user disable <username> | user enable <username>
 *   npm run admin -- user reset <username> --password <password>
 *   npm run admin -- display create <name> --area <areaId>    prints the enrolment token on its last line
 *   npm run admin -- display list | display revoke <id>
 *   npm run admin -- backup <file> | backup verify <file>     (see ./backup-command.ts)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Password, Role, Username } from '../shared/index.ts';
import { loadConfig } from './config.ts';
import { loadShippedData } from './data.ts';
import { AreaTree } from './domain/areas.ts';
import { createIngestKey } from './middleware/ingest-auth.ts';
import { systemClock, type Logger } from './ports.ts';
import { AuthError, createAuthService } from './services/auth.service.ts';
import { SqliteStore } from './stores/sqlite/sqlite.store.ts';
import { NewerDatabaseError } from './stores/sqlite/migrations.ts';
import { BACKUP_USAGE, runBackupCommand } from './backup-command.ts';

const USAGE = `usage:
  npm run admin -- key create <name>
  npm run admin -- key list
  npm run admin -- key revoke <id|name>
  npm run admin -- user create <username> --role <admin|district|street|wall> [--area <areaId>] --password <password>
  npm run admin -- user list
  npm run admin -- user disable <username>
  npm run admin -- user enable <username>
  npm run admin -- user reset <username> --password <password>
  npm run admin -- display create <name> --area <areaId>
  npm run admin -- display list
  npm run admin -- display revoke <id>
${BACKUP_USAGE}`;

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

const { values: flags, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { role: { type: 'string' }, area: { type: 'string' }, password: { type: 'string' } },
  allowPositionals: true,
  strict: false,
});
const [noun, verb, arg] = positionals;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const config = loadConfig();
// a backup reads the live database as it is: no folder created, no migration
if (noun === 'backup') process.exit(await runBackupCommand(positionals.slice(1), join(config.dataDir, 'onescreen.sqlite'), `cli:${process.env.USER ?? 'admin'}`, console));
mkdirSync(config.dataDir, { recursive: true });
const store = new SqliteStore(join(config.dataDir, 'onescreen.sqlite'));
await store.migrate().catch(async (err: unknown) => {
  if (!(err instanceof NewerDatabaseError)) throw err;
  await store.close();
  fail(err.message);
});
const silent: Logger = { info() {}, warn() {}, debug() {}, error() {} };
const tree = new AreaTree(loadShippedData().areas);
const auth = createAuthService({ store, tree, clock: systemClock, logger: silent });
const by = { actor: `cli:${process.env.USER ?? 'admin'}`, actorKind: 'system' as const, ip: 'local' };
const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (!r.success) fail(`${what} ${r.error.issues[0]?.message ?? 'is invalid'}`);
  return r.data;
}

try {
  const cmd = `${noun ?? ''} ${verb ?? ''}`;
  switch (cmd) {
    case 'key create': {
      if (!arg || !/^[\w.-]{1,64}$/.test(arg)) fail('key create needs a name of 1–64 letters, digits, _ . -\n' + USAGE);
      const { id, key } = await createIngestKey(store, arg, { now: Date.now() });
      await auth.audit({ ...by, action: 'key.create', target: arg, outcome: 'ok' });
      console.log(`created ingest key "${arg}" (id ${id}); it is shown only now, keep it safe:`);
      console.log(key);
      break;
    }
    case 'key list':
      for (const k of await store.listIngestKeys()) {
        console.log(`${k.id}  ${k.name.padEnd(20)} ${iso(k.createdAt)}  ${k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'active'}${k.simulated ? '  (simulator)' : ''}`);
      }
      break;
    case 'key revoke': {
      if (!arg) fail(USAGE);
      const n = await store.revokeIngestKey(arg, Date.now());
      if (n === 0) fail(`no active key with id or name ${arg}`);
      await auth.audit({ ...by, action: 'key.revoke', target: arg, outcome: 'ok' });
      console.log(`revoked ${n} key(s)`);
      break;
    }
    case 'user create': {
      const username = check(Username, arg, 'the username');
      const role = check(Role, str(flags.role), '--role');
      const password = check(Password, str(flags.password), 'the password');
      const u = await auth.createUser(by, { username, role, areaId: str(flags.area), password });
      console.log(`created ${u.role} user ${u.username} for area ${u.areaId}`);
      break;
    }
    case 'user list':
      for (const u of await store.listUsers()) {
        console.log(`${u.username.padEnd(24)} ${u.role.padEnd(9)} ${u.areaId.padEnd(14)} ${u.disabledAt ? `disabled ${iso(u.disabledAt)}` : 'active'}`);
      }
      break;
    case 'user disable':
    case 'user enable': {
      if (!arg) fail(USAGE);
      const u = await auth.setUserDisabled(by, arg, verb === 'disable');
      console.log(`${u.username} is ${u.disabledAt ? 'disabled; its sessions have ended' : 'enabled'}`);
      break;
    }
    case 'user reset': {
      if (!arg) fail(USAGE);
      await auth.resetPassword(by, arg, check(Password, str(flags.password), 'the password'));
      console.log(`password of ${arg} reset; its sessions have ended`);
      break;
    }
    case 'display create': {
      if (!arg) fail(USAGE);
      const area = str(flags.area);
      if (!area) fail('display create needs --area <areaId>');
      const r = await auth.createDisplay(by, arg, area);
      console.log(`created display "${arg}" (id ${r.display.id}) for area ${r.display.areaId}.`);
      console.log(`Open  http://<server>/?display=<token>  once on the wall screen. The token is shown only now:`);
      console.log(r.token);
      break;
    }
    case 'display list':
      for (const d of await store.listDisplayTokens()) {
        console.log(`${d.id}  ${d.name.padEnd(20)} ${d.areaId.padEnd(14)} ${d.revokedAt ? `revoked ${iso(d.revokedAt)}` : 'active'}`);
      }
      break;
    case 'display revoke': {
      if (!arg) fail(USAGE);
      const d = await auth.revokeDisplay(by, arg);
      console.log(`revoked display ${d.name}; its screens stop within seconds`);
      break;
    }
    default:
      fail(USAGE);
  }
} catch (err) {
  if (err instanceof AuthError) fail(err.message);
  throw err;
} finally {
  await store.close();
}
