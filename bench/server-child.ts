/**
 * @module bench/server-child
 * The real OneScreen server for the benchmark, in its own process: built like
 * test/helpers/server.ts (createApp with a temporary SQLite file, simulator off), with the
 * production defaults of server/config.ts, on 127.0.0.1 and an ephemeral port. Prints one JSON line
 * `{ "port", "url", "ingestKey", "pid", "dataDir" }` on stdout when it listens, answers `usage`
 * over IPC (CPU and event-loop utilisation since the last call), and on SIGTERM/SIGINT or when its
 * parent goes away stops the app, closes the store and deletes its data directory.
 *
 *   node --import tsx bench/server-child.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appOptionsFrom, createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { loadShippedData } from '../server/data.ts';
import { randomBytes } from 'node:crypto';
import { createIngestKey } from '../server/middleware/ingest-auth.ts';
import type { Logger } from '../server/ports.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';
import { serveIpc, usageMeter } from './lib/child.ts';

// the production defaults (flush rate, body limit, retention), whatever this shell exports
const config = loadConfig({});
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

const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-bench-'));
const store = new SqliteStore(join(dataDir, 'onescreen.sqlite'));
await store.migrate();
const clock = { now: () => Date.now() };
const app = createApp({
  store,
  clock,
  data: loadShippedData(),
  logger,
  options: {
    ...appOptionsFrom(config),
    simulatorOn: false,
    // the benchmark drives one key far past the production default of 50 requests/s
    ingestRatePerSec: 1_000_000,
    // its screens sign in at start-up only: a cheap hash keeps that quick (ingest is what is measured)
    auth: { ...appOptionsFrom(config).auth, scrypt: { N: 2 ** 10, r: 8, p: 1 } },
    ...(process.env.BENCH_NO_RECURRENCE ? { recurrence: null } : {}),
  },
});
const { port, url } = await app.start(0, '127.0.0.1');
const { key } = await createIngestKey(store, 'bench', { now: clock.now() });
// the clients watch as a district duty officer, with a real session cookie
const benchUser = { username: 'bench-officer', password: randomBytes(16).toString('hex') };
await app.auth.createUser({ actor: 'bench', actorKind: 'system', ip: '-' }, { ...benchUser, role: 'district' });
// one session per screen, as walls have (a session may hold only a few live sockets)
const sessions = Number(process.env.BENCH_SESSIONS ?? 20);
const cookies: string[] = [];
for (let i = 0; i < sessions; i++) cookies.push(`onescreen_session=${(await app.auth.login(benchUser.username, benchUser.password, '127.0.0.1')).secret}`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    await app.stop();
    await store.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('disconnect', () => void shutdown(0)); // the benchmark went away

const usage = usageMeter();
serveIpc({
  usage: () => ({ ...usage(), rssMb: process.memoryUsage().rss / 2 ** 20, errors: errors.splice(0) }),
});

console.log(JSON.stringify({ port, url, ingestKey: key, cookies, pid: process.pid, dataDir, flushPerSec: config.indicatorFlushPerSec, districtId: app.tree.districtId }));
