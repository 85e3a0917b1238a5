/**
 * @module test/helpers/cluster-node
 * One node of a multi-node test, in a process of its own (so `kill -9` is real): the real app on a
 * store every node shares, joined to the cluster on Redis, on 127.0.0.1 and an ephemeral port,
 * simulator off. Prints one JSON line `{ port, url, pid, nodeId }` when it listens, answers
 * `leads`, `sockets` and `errors` over IPC, and stops cleanly on SIGTERM or when its parent goes away.
 *
 * Environment (set by test/integration/cluster.test.ts):
 *   NODE_STORE         the shared store: `postgres://…` (a PostgreSQL database every node opens,
 *                      through server/stores/open-store.ts as DATABASE_URL would) or `sqlite:<file>`
 *                      (one SQLite file in WAL mode: processes on one machine only)
 *   REDIS_URL          the shared Redis (empty: a node alone, without a cluster)
 *   NODE_ID            the node's name
 *   NODE_LEASE_MS      the lease TTL (short, so a test sees a takeover quickly)
 *   NODE_OPTIONS_JSON  app options over the test defaults (breachCheckMs, sessionCheckMs, …)
 *   NODE_TIME_LIMITS   time limits instead of the shipped ones (JSON)
 *   NODE_PORT          listen on this port (default 0: an ephemeral one), e.g. to restart a killed node where its clients reconnect
 *
 *   node --import tsx test/helpers/cluster-node.ts
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createApp, type AppOptions } from '../../server/app.ts';
import { loadShippedData } from '../../server/data.ts';
import type { Logger, Store } from '../../server/ports.ts';
import { connectRedisCluster } from '../../server/cluster/redis-cluster.ts';
import { loadConfig } from '../../server/config.ts';
import { openStore as openConfiguredStore } from '../../server/stores/open-store.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { TEST_SCRYPT } from './server.ts';
import { serveIpc } from '../../bench/lib/child.ts';

const env = process.env;
const errors: string[] = [];
const logger: Logger = {
  info() {},
  debug() {},
  warn: (o, m) => console.error('warn', m ?? '', JSON.stringify(o)),
  error: (o, m) => {
    errors.push(String(m ?? o));
    console.error('error', m ?? '', o);
  },
};

/** the shared store named by NODE_STORE */
async function openStore(spec: string): Promise<Store> {
  // as a production node opens it: DATABASE_URL through the configuration and open-store (the pool at its default size)
  if (/^postgres(ql)?:\/\//.test(spec)) return openConfiguredStore(loadConfig({ DATABASE_URL: spec })).store;
  if (spec.startsWith('sqlite:')) return new SqliteStore(spec.slice('sqlite:'.length));
  throw new Error(`NODE_STORE: unknown store ${JSON.stringify(spec.split(':')[0])} (postgres://… or sqlite:<file>)`);
}

// NODE_CPU_PROFILE=<dir>: a CPU profile of this node, written there when it stops (bench/cluster.bench.ts)
let profiler: Session | undefined;
if (env.NODE_CPU_PROFILE) {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

const store = await openStore(env.NODE_STORE ?? '');
// an empty REDIS_URL: a node alone (no cluster), for comparisons
const cluster = env.REDIS_URL
  ? await connectRedisCluster({ url: env.REDIS_URL, logger, nodeId: env.NODE_ID!, leaseTtlMs: Number(env.NODE_LEASE_MS ?? 2000) })
  : undefined;
const data = loadShippedData();
const options: AppOptions = {
  ingestMaxBytes: 4 * 1024 * 1024,
  indicatorFlushPerSec: 4,
  rawRetentionHours: 48,
  timeZone: 'Asia/Shanghai',
  centreName: { zh: '杨浦区城市运行管理中心', en: 'Yangpu District City Operations Centre' },
  simulatorOn: false,
  ingestRatePerSec: 1000,
  accessLog: false,
  auth: { scrypt: TEST_SCRYPT, anonymousPerMinute: 10_000 },
  ...(JSON.parse(env.NODE_OPTIONS_JSON ?? '{}') as Partial<AppOptions>),
};
const app = createApp({
  store,
  clock: { now: () => Date.now() },
  data: { ...data, ...(env.NODE_TIME_LIMITS ? { timeLimits: JSON.parse(env.NODE_TIME_LIMITS) } : {}) },
  logger,
  options,
  ...(cluster ? { cluster } : {}),
});
const { port, url } = await app.start(Number(env.NODE_PORT ?? 0), '127.0.0.1');

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(`${env.NODE_CPU_PROFILE}/${env.NODE_ID}.cpuprofile`, JSON.stringify(profile));
    }
    await app.stop();
    await store.close();
  } finally {
    process.exit(code);
  }
}
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.on('disconnect', () => void shutdown(0)); // the test went away

serveIpc({
  leads: () => app.leads(),
  /** sockets in area rooms on this node */
  sockets: () => Object.values(app.hub?.socketsByLevel() ?? {}).reduce((a, b) => a + b, 0),
  errors: () => errors.splice(0),
});

console.log(JSON.stringify({ port, url, pid: process.pid, nodeId: cluster?.nodeId ?? 'alone' }));
