/**
 * @module server/admin/cli
 * Administration from the command line, as a function over an open store (so tests run it
 * in-process); `server/admin.ts` is the entry that opens the store. Every change is audited.
 *
 *   key create <name> [--source 12345[,grid]]   prints the new ingest key on its last line
 *   key list | key revoke <id|name>
 *   user create <username> --role <role> [--area <areaId>[,<streetId>…]] [--unit <unitId>] [--cleared] (--password <pw> | --password-stdin)
 *   user list | user disable <username> | user enable <username>
 *   user reset <username> (--password <pw> | --password-stdin)
 *   display create <name> --area <areaId>       prints the enrolment token on its last line
 *   display link <id>                           a new enrolment token (the old one stops working)
 *   display list | display revoke <id>
 */
import { parseArgs } from 'node:util';
import { Code, Password, Role, Username, type Unit } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { createIngestKey } from '../middleware/ingest-auth.ts';
import type { Clock, Logger, Store } from '../ports.ts';
import { AuthError, createAuthService, type AuthOptions } from '../services/auth.service.ts';

export const USAGE = `usage:
  npm run admin -- key create <name> [--source <code>[,<code>…]]
  npm run admin -- key list
  npm run admin -- key revoke <id|name>
  npm run admin -- user create <username> --role <admin|district|street|wall|unit> [--area <areaId>[,<streetId>…]] [--unit <unitId>] [--cleared] (--password <pw> | --password-stdin)
      --cleared: a street or unit account may see confidential (涉密) cases (district officers always may)
      a unit account (department or team) names its unit (--unit, see data/units.json) and sees only its own cases:
      in the district, in one street (--area <streetId>), or in several (--area <streetId>,<streetId>,…)
  npm run admin -- user list
  npm run admin -- user disable <username>
  npm run admin -- user enable <username>
  npm run admin -- user reset <username> (--password <pw> | --password-stdin)
  npm run admin -- display create <name> --area <areaId>
  npm run admin -- display link <id>
  npm run admin -- display list
  npm run admin -- display revoke <id>

  --password-stdin reads the password from the first line of standard input, so it stays out of
  the shell's history and the process list:  printf '%s\\n' "$PW" | npm run admin -- user reset admin --password-stdin`;

export interface AdminIo {
  store: Pick<Store, 'identities' | 'keys' | 'audit'>;
  tree: AreaTree;
  /** the units a unit account may work for */
  units: readonly Unit[];
  clock: Clock;
  /** one line of output */
  out(line: string): void;
  /** one line of error output */
  err(line: string): void;
  /** all of standard input (only read for --password-stdin) */
  readStdin(): Promise<string>;
  /** who runs the command, for the audit trail (e.g. the OS user) */
  actor: string;
  auth?: Partial<AuthOptions>;
}

class Usage extends Error {}

const silent: Logger = { info() {}, warn() {}, debug() {}, error() {} };

/** Runs one command; resolves to the process exit code (0 ok, 2 refused). */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  const { store, tree, clock } = io;
  const { values: flags, positionals } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      area: { type: 'string' },
      unit: { type: 'string' },
      cleared: { type: 'boolean' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      source: { type: 'string' },
    },
    allowPositionals: true,
    strict: false,
  });
  const [noun, verb, arg] = positionals;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const auth = createAuthService({ store, tree, clock, logger: silent, units: io.units, options: io.auth ?? {} });
  const by = { actor: io.actor, actorKind: 'system' as const, ip: 'local' };
  const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());
  const fail = (msg: string): never => {
    throw new Usage(msg);
  };
  function check<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, v: unknown, what: string): T {
    const r = schema.safeParse(v);
    if (!r.success) fail(`${what} ${r.error.issues[0]?.message ?? 'is invalid'}`);
    return (r as { data: T }).data;
  }
  /** --password, or the first line of standard input with --password-stdin (not both) */
  async function password(): Promise<string> {
    if (flags['password-stdin'] && flags.password !== undefined) fail('give either --password or --password-stdin, not both');
    if (flags['password-stdin']) {
      const line = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
      return check(Password, line, 'the password (from standard input)');
    }
    if (flags.password === undefined) fail('a password is needed: --password-stdin (recommended) or --password <pw>');
    return check(Password, str(flags.password), 'the password');
  }

  try {
    switch (`${noun ?? ''} ${verb ?? ''}`) {
      case 'key create': {
        if (!arg || !/^[\w.-]{1,64}$/.test(arg)) fail(`key create needs a name of 1–64 letters, digits, _ . -\n${USAGE}`);
        const sources = flags.source === undefined ? null : (str(flags.source) ?? '').split(',').map((x) => x.trim()).filter(Boolean);
        if (sources !== null) {
          if (sources.length === 0) fail('--source needs one or more source codes, e.g. --source 12345,grid');
          for (const code of sources) check(Code, code, `the source code "${code}"`);
        }
        const { id, key } = await createIngestKey(store, arg!, { sources, now: clock.now() });
        await auth.audit({ ...by, action: 'key.create', target: arg!, outcome: 'ok', detail: sources ? `sources ${sources.join(',')}` : 'unbound (any source)' });
        io.out(`created ingest key "${arg}" (id ${id}) for ${sources ? `source ${sources.join(', ')}` : 'any source (unbound)'}; it is shown only now, keep it safe:`);
        io.out(key);
        break;
      }
      case 'key list':
        for (const k of await store.keys.listIngestKeys()) {
          const bound = k.sources ? `sources ${k.sources.join(',')}` : 'unbound';
          io.out(`${k.id}  ${k.name.padEnd(20)} ${iso(k.createdAt)}  ${k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'active'}  ${bound}${k.simulated ? '  (simulator)' : ''}`);
        }
        break;
      case 'key revoke': {
        if (!arg) fail(USAGE);
        const n = await store.keys.revokeIngestKey(arg!, clock.now());
        if (n === 0) fail(`no active key with id or name ${arg}`);
        await auth.audit({ ...by, action: 'key.revoke', target: arg!, outcome: 'ok' });
        io.out(`revoked ${n} key(s)`);
        break;
      }
      case 'user create': {
        const username = check(Username, arg, 'the username');
        const role = check(Role, str(flags.role), '--role');
        const areas = (str(flags.area) ?? '').split(',').map((a) => a.trim()).filter(Boolean);
        const where = areas.length > 1 ? { streets: areas } : { areaId: areas[0] };
        const u = await auth.createUser(by, { username, role, ...where, unitId: str(flags.unit), cleared: flags.cleared === true, password: await password() });
        io.out(`created ${u.role} user ${u.username} for ${u.streets.length ? `streets ${u.streets.join(', ')}` : `area ${u.areaId}`}${u.unitId ? `, working for unit ${u.unitId}` : ''}`);
        break;
      }
      case 'user list':
        for (const u of await store.identities.listUsers()) {
          io.out(`${u.username.padEnd(24)} ${u.role.padEnd(9)} ${(u.streets.length ? u.streets.join(',') : u.areaId).padEnd(14)} ${(u.unitId ?? '-').padEnd(20)} ${u.disabledAt ? `disabled ${iso(u.disabledAt)}` : 'active'}`);
        }
        break;
      case 'user disable':
      case 'user enable': {
        if (!arg) fail(USAGE);
        const u = await auth.setUserDisabled(by, arg!, verb === 'disable');
        io.out(`${u.username} is ${u.disabledAt ? 'disabled; its sessions have ended' : 'enabled'}`);
        break;
      }
      case 'user reset': {
        if (!arg) fail(USAGE);
        await auth.resetPassword(by, arg!, await password());
        io.out(`password of ${arg} reset; its sessions have ended`);
        break;
      }
      case 'display create': {
        if (!arg) fail(USAGE);
        const area = str(flags.area);
        if (!area) fail('display create needs --area <areaId>');
        const r = await auth.createDisplay(by, arg!, area!);
        io.out(`created display "${arg}" (id ${r.display.id}) for area ${r.display.areaId}.`);
        io.out(`Open  <PUBLIC_URL>/?display=<token>  once on the wall screen (the link works once). The token is shown only now:`);
        io.out(r.token);
        break;
      }
      case 'display link': {
        if (!arg) fail(USAGE);
        const r = await auth.reissueDisplay(by, arg!);
        io.out(`new enrolment link for display "${r.display.name}"; the previous one no longer works. The token is shown only now:`);
        io.out(r.token);
        break;
      }
      case 'display list':
        for (const d of await store.identities.listDisplayTokens()) {
          const state = d.revokedAt ? `revoked ${iso(d.revokedAt)}` : d.enrolledAt ? `enrolled ${iso(d.enrolledAt)}` : 'waiting for enrolment';
          io.out(`${d.id}  ${d.name.padEnd(20)} ${d.areaId.padEnd(14)} ${state}`);
        }
        break;
      case 'display revoke': {
        if (!arg) fail(USAGE);
        const d = await auth.revokeDisplay(by, arg!);
        io.out(`revoked display ${d.name}; its screens stop within seconds`);
        break;
      }
      default:
        fail(USAGE);
    }
    return 0;
  } catch (err) {
    if (err instanceof Usage || err instanceof AuthError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  } finally {
    await auth.flushAudit(true);
  }
}
