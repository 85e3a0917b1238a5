/**
 * @module bench/server-child
 * The real OneScreen server for the benchmark, in its own process: built like
 * test/helpers/server.ts (createApp with a temporary SQLite file, or DATABASE_URL's PostgreSQL; simulator off), with the
 * production defaults of server/config.ts, on 127.0.0.1 and an ephemeral port. Prints one JSON line
 * `{ "port", "url", "ingestKey", "cookies", "officers", "pid", "dataDir", … }` on stdout when it
 * listens, answers `usage` over IPC (CPU and event-loop utilisation since the last call, RSS), and
 * on SIGTERM/SIGINT or when its parent goes away stops the app, closes the store and deletes its
 * data directory.
 *
 * Environment (set by the benchmark):
 *   BENCH_SESSIONS          district officer sessions to open for the clients (default 20)
 *   BENCH_STREET_OFFICERS   set: create one street officer per street (`bench-street-<id>-<run>`, random
 *                           password, printed as `officers`) — the clients sign in over HTTP
 *   BENCH_SETUP=0           a second node of a cluster: create no key, user or session (node 1 did,
 *                           in the shared database)
 *   DATABASE_URL, REDIS_URL passed to the app's configuration as they are (multi-node runs: the
 *                           store opened through server/stores/open-store.ts, the node joined to
 *                           the cluster on Redis as server/main.ts does); every other setting keeps
 *                           its production default
 *   BENCH_NO_RECURRENCE     set: no recurrence check at ingest
 *
 *   node --import tsx bench/server-child.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appOptionsFrom, createApp } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { loadShippedData } from '../server/data.ts';
import { randomBytes } from 'node:crypto';
import { createIngestKey } from '../server/middleware/ingest-auth.ts';
import type { Logger, Store } from '../server/ports.ts';
import { connectRedisCluster } from '../server/cluster/redis-cluster.ts';
import { openStore as openConfiguredStore } from '../server/stores/open-store.ts';
import { memoryAfter, profilerHandlers, serveIpc, usageMeter } from './lib/child.ts';

const env = process.env;
// the production defaults (flush rate, body limit, retention), whatever this shell exports — but
// the store and the cluster are the run's to choose
const passed = Object.fromEntries((['DATABASE_URL', 'REDIS_URL'] as const).filter((k) => env[k]).map((k) => [k, env[k]]));
const config = loadConfig(passed);
const errors: string[] = [];
const logger: Logger = {
  info() {},
  debug() {},
  warn: (o, m) => console.error('warn', m ?? '', o),
  error: (o, m) => {
    errors.push(String(m ?? o));
    console.error('error', m ?? '', o);
  },
};

/**
 * The store, opened as a production node opens it (server/stores/open-store.ts): the PostgreSQL
 * database of DATABASE_URL, which every node of a multi-node run shares, or else a temporary SQLite
 * file, deleted at the end.
 */
function openStore(cfg: Config): { store: Store; where: string; dataDir?: string } {
  if (cfg.databaseUrl) return openConfiguredStore(cfg);
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-bench-'));
  return { ...openConfiguredStore({ ...cfg, dataDir }), dataDir };
}

const { store, where, dataDir } = openStore(config);
await store.migrate();
// REDIS_URL: this node joins the cluster on Redis, as server/main.ts does (app.stop() leaves it)
const cluster = config.redisUrl ? await connectRedisCluster({ url: config.redisUrl, prefix: config.redisPrefix, logger }) : undefined;
const clock = { now: () => Date.now() };
const baseOptions = appOptionsFrom(config);
const app = createApp({
  ...(cluster ? { cluster } : {}),
  store,
  clock,
  data: loadShippedData(),
  logger,
  options: {
    ...baseOptions,
    simulatorOn: false,
    // the benchmark drives one key far past the production default of 50 requests/s
    ingestRatePerSec: 1_000_000,
    auth: {
      ...baseOptions.auth,
      // its screens sign in at start-up only: a cheap hash keeps that quick (ingest is what is measured)
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
      // and they all sign in from 127.0.0.1: hundreds of walls would pass the per-address limit
      anonymousPerMinute: 100_000,
    },
    ...(env.BENCH_NO_RECURRENCE ? { recurrence: null } : {}),
  },
});
const { port, url } = await app.start(0, '127.0.0.1');

const setup = env.BENCH_SETUP !== '0';
const system = { actor: 'bench', actorKind: 'system' as const, ip: '-' };
let ingestKey: string | undefined;
const cookies: string[] = [];
const officers: { streetId: string; username: string; password: string }[] = [];
// names of this run's own: a DATABASE_URL given by the user may hold an earlier run's users
const tag = randomBytes(2).toString('hex'); // bench-street-<12 digits>-<4>: 30 of the 32 characters a name may have
if (setup) {
  ingestKey = (await createIngestKey(store, 'bench', { now: clock.now() })).key;
  // the ingest benchmark's clients watch as a district duty officer, with real session cookies
  const sessions = Number(env.BENCH_SESSIONS ?? 20);
  if (sessions > 0) {
    const benchUser = { username: `bench-officer-${tag}`, password: randomBytes(16).toString('hex') };
    await app.auth.createUser(system, { ...benchUser, role: 'district' });
    // one session per screen, as walls have (a session may hold only a few live sockets)
    for (let i = 0; i < sessions; i++) cookies.push(`onescreen_session=${(await app.auth.login(benchUser.username, benchUser.password, '127.0.0.1')).secret}`);
  }
  // the many-client benchmark's: one street officer per street, who sign in over HTTP
  if (env.BENCH_STREET_OFFICERS) {
    for (const s of app.tree.ofLevel('street')) {
      const o = { streetId: s.id, username: `bench-street-${s.id}-${tag}`, password: randomBytes(16).toString('hex') };
      await app.auth.createUser(system, { username: o.username, password: o.password, role: 'street', areaId: s.id });
      officers.push(o);
    }
  }
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    await app.stop();
    await store.close();
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('disconnect', () => void shutdown(0)); // the benchmark went away

const usage = usageMeter();
serveIpc({
  ...profilerHandlers(),
  usage: (m: { gc?: boolean }) => ({ ...usage(), ...memoryAfter(m.gc), errors: errors.splice(0) }),
});

console.log(
  JSON.stringify({ port, url, ingestKey, cookies, officers, pid: process.pid, dataDir, store: where, flushPerSec: config.indicatorFlushPerSec, districtId: app.tree.districtId }),
);
