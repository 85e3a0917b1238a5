/**
 * @module test/helpers/postgres
 * A private PostgreSQL server for tests: Debian's `initdb` and `postgres`
 * (`/usr/lib/postgresql/<version>/bin`), run as the `postgres` user in a temporary directory on a
 * free loopback port, with its unix socket inside that directory. Each test file (or contract
 * `open()`) gets a fresh database from {@link PgServer.createDatabase}; {@link PgServer.stop} ends
 * the server by its PID and deletes the directory.
 *
 * Missing PostgreSQL is an error, not a skip: CI installs it (`.ci/run`).
 *
 * @example
 *   const pg = usePostgres();            // in a test file: started in beforeAll, stopped in afterAll
 *   const url = await pg().createDatabase();
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnWatched, type Watched } from './watchdog.ts';
import { afterAll, beforeAll } from 'vitest';

export interface PgServer {
  /** the server's port on 127.0.0.1 */
  port: number;
  /** the superuser's password (the server asks for it: scram-sha-256) */
  password: string;
  /** a connection string for a database of this server */
  url(database: string): string;
  /**
   * a new database, empty or a copy of `template` (the connection string of another database of
   * this server nobody is connected to, e.g. one migrated once); returns its connection string.
   * Its collation is byte order ("C") unless `icuLocale` (e.g. `en-US`: what a cluster initialised
   * on an en_US system sorts by) is given; a copy keeps its template's.
   */
  createDatabase(opts?: { template?: string; icuLocale?: string }): Promise<string>;
  /** drop a database made by {@link createDatabase} (ending its connections) */
  dropDatabase(url: string): Promise<void>;
  /** end the server (SIGINT: fast shutdown) and delete its directory */
  stop(): Promise<void>;
  /** the server's log so far */
  log(): string;
  pid: number;
}

/** the newest installed PostgreSQL's bin directory, or a clear error */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/postgres. The PostgreSQL tests need Debian\'s server package ' +
        '(apt-get install postgresql; .ci/run installs it). They fail rather than skip, so a missing server is never mistaken for a pass.',
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('there is no "postgres" user (Debian\'s postgresql package creates it); PostgreSQL refuses to run as root');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a private server. initdb takes about a second here, the start about half of one.
 * @param timeoutMs how long to wait for it to accept connections before giving up (with its log)
 */
export async function startPostgres(timeoutMs = 30_000): Promise<PgServer> {
  const bin = postgresBinDir();
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const password = randomBytes(12).toString('hex');
  let child: ChildProcess | undefined;
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    chownSync(dir, user.uid, user.gid);
    writeFileSync(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
    chownSync(join(dir, 'pwfile'), user.uid, user.gid);
    closeSync(openSync(logFile, 'a', 0o600));
    chownSync(logFile, user.uid, user.gid);
    const asPostgres = { uid: user.uid, gid: user.gid, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' } };
    try {
      execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pwfile')}`, '--no-sync', '-E', 'UTF8', '--locale=C'], {
        ...asPostgres,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`initdb failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`);
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = openSync(logFile, 'a');
      // postgres under a small sh that ends it (SIGINT) when our end of its stdin closes: when this
      // process ends in any way (also killed), the server does not outlive it
      let watched: Watched;
      try {
        watched = await spawnWatched(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'], {
          dir,
          signal: 'INT',
          stderr: log,
          spawn: asPostgres,
        });
      } catch {
        throw new Error(`postgres did not start; its log:\n${readFileSync(logFile, 'utf8')}`);
      } finally {
        closeSync(log);
      }
      child = watched.child;
      const { exited, pid: pgPid } = watched;
      let gone = false;
      void exited.then(() => (gone = true));
      const deadline = Date.now() + timeoutMs;
      let ready = false;
      while (!gone && Date.now() < deadline) {
        const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 2000 });
        try {
          await c.connect();
          await c.query('SELECT 1');
          ready = true;
        } catch {
          // not accepting connections yet
        } finally {
          await c.end().catch(() => {});
        }
        if (ready) break;
        await sleep(50);
      }
      const text = readFileSync(logFile, 'utf8');
      if (ready) return server(child, pgPid, port, password, dir, logFile, exited);
      if (gone && attempt < 3 && /could not bind|already in use/i.test(text)) continue; // the port was taken meanwhile
      if (!gone) {
        process.kill(pgPid, 'SIGKILL');
        await exited;
      }
      throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms (${gone ? 'it exited' : 'still starting'}); its log:\n${text}`);
    }
  } catch (err) {
    cleanupDir();
    throw err;
  }
}

function server(child: ChildProcess, pid: number, port: number, password: string, dir: string, logFile: string, exited: Promise<number | null>): PgServer {
  // a worker that exits without afterAll (a crash) still ends its server
  const onExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let n = 0;
  const url = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  let stopped: Promise<void> | undefined;
  return {
    port,
    password,
    pid,
    url,
    log: () => readFileSync(logFile, 'utf8'),
    async createDatabase(opts: { template?: string; icuLocale?: string } = {}) {
      const name = `t${process.pid}_${++n}_${randomBytes(3).toString('hex')}`;
      const template = opts.template ? new URL(opts.template).pathname.slice(1) : 'template0';
      if (!/^(template0|t\d+_\d+_[0-9a-f]+)$/.test(template)) throw new Error(`not a test database: ${template}`);
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        if (opts.icuLocale !== undefined && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{2,8})*$/.test(opts.icuLocale)) throw new Error(`not an ICU locale: ${opts.icuLocale}`);
        if (opts.icuLocale !== undefined && template !== 'template0') throw new Error('a copy keeps its template\'s collation');
        const locale =
          template !== 'template0' ? '' // a copy must keep its template's locale
          : opts.icuLocale ? ` ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '${opts.icuLocale}' LC_COLLATE 'C' LC_CTYPE 'C'`
          : ` ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`;
        // FILE_COPY: a small database is copied faster than written through the WAL
        await c.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY${locale}`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    async dropDatabase(dbUrl: string) {
      const name = new URL(dbUrl).pathname.slice(1);
      if (!/^t\d+_\d+_[0-9a-f]+$/.test(name)) throw new Error(`not a test database: ${name}`);
      const c = new pg.Client({ connectionString: url('postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
    stop() {
      stopped ??= (async () => {
        process.removeListener('exit', onExit);
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(pid, 'SIGINT'); // fast shutdown: ends sessions, no waiting for clients
          } catch {
            // postgres is gone already (it crashed, or was killed) and the watchdog is about to exit
          }
          const timer = setTimeout(() => {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // gone meanwhile
            }
          }, 20_000);
          await exited; // the watchdog exits once postgres has
          clearTimeout(timer);
          child.stdin?.destroy();
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * One server for the calling test file: started in `beforeAll`, stopped in `afterAll` (which runs
 * when tests fail too). Returns a getter for it.
 */
export function usePostgres(): () => PgServer {
  let s: PgServer | undefined;
  beforeAll(async () => {
    s = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
  });
  return () => {
    if (!s) throw new Error('the PostgreSQL server is not started (usePostgres() registers beforeAll)');
    return s;
  };
}
