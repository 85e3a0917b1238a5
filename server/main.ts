/**
 * @module server/main
 * The only wiring point: reads the configuration, opens the store, starts the server, the clocks
 * and (unless SIMULATOR=off) the simulator, and stops them all on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceImport } from '../shared/index.ts';
import { appOptionsFrom, createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { loadShippedData } from './data.ts';
import { prepareDataDir } from './data-dir.ts';
import { createLogger } from './logger.ts';
import { systemClock } from './ports.ts';
import { startSimulator } from './simulator/simulator.ts';
import { openStore } from './stores/open-store.ts';
import { NewerDatabaseError } from './stores/sqlite/migrations.ts';
import { connectRedisCluster } from './cluster/redis-cluster.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const logger = createLogger(config.logLevel);
if (config.trustProxy > 0 && !['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
  logger.warn(
    { host: config.host, trustProxy: config.trustProxy },
    'TRUST_PROXY is set but the server listens beyond loopback: a client that reaches it directly can choose its own address (X-Forwarded-For) for throttling and the audit trail; listen on 127.0.0.1 behind the proxy (HOST=127.0.0.1)',
  );
}
const { store, where } = openStore(config);
logger.info({ store: store.kind, database: where }, `store: ${store.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}`);
try {
  await store.migrate();
} catch (err) {
  await store.close();
  if (err instanceof NewerDatabaseError) {
    console.error(err.message);
    process.exit(1);
  }
  // e.g. PostgreSQL unreachable or the password refused: say so without a stack of pool internals
  console.error(`cannot open the ${store.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} database (${where}): ${(err as Error).message}`);
  process.exit(1);
}

// several nodes share one Redis: sequencing, leases, throttles and the Socket.IO adapter
let cluster;
if (config.redisUrl) {
  try {
    cluster = await connectRedisCluster({ url: config.redisUrl, prefix: config.redisPrefix, logger });
  } catch (err) {
    console.error((err as Error).message);
    await store.close();
    process.exit(1);
  }
  logger.info({ node: cluster.nodeId }, 'multi-node mode: joined the cluster on Redis');
}

const onescreen = createApp({
  ...(cluster ? { cluster } : {}),
  store,
  clock: systemClock,
  data: loadShippedData(),
  logger,
  options: { ...appOptionsFrom(config), staticRoot: fileURLToPath(new URL('../dist/web', import.meta.url)) },
});
// first start: an admin account whose password goes to a file only the operator can read
// (never to the console or the log), as Jenkins does with its initial admin password
let firstAdminNote = '';
if ((await store.identities.listUsers()).length === 0) {
  const password = randomBytes(12).toString('base64url');
  let created = true;
  try {
    await onescreen.auth.createUser({ actor: 'first-start', actorKind: 'system', ip: 'local' }, { username: 'admin', role: 'admin', password });
  } catch (err) {
    // several nodes started together on one PostgreSQL: another one made the admin (its password
    // file is on that node)
    if (!(await store.identities.findUserByUsername('admin'))) throw err;
    created = false;
    logger.info('the first admin was created by another node');
  }
  if (created) {
    prepareDataDir(config.dataDir); // 0700; on PostgreSQL it holds only this file
    const file = join(config.dataDir, 'initial-admin-password.txt');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    firstAdminNote = `\n  first start:     sign in as "admin" with the password in ${file}\n                   (then choose your own: npm run admin -- user reset admin --password-stdin)`;
  }
}

const { url, port } = await onescreen.start(config.port, config.host);
logger.info({ url, store: store.kind, database: where }, 'OneScreen is listening');

/** the address the simulator posts to: the one the server listens on (loopback for a wildcard) */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

const simulator = config.simulator
  ? await startSimulator({
      baseUrl: `http://${loopbackFor(config.host)}:${port}`,
      store,
      tree: onescreen.tree,
      indicators: onescreen.indicators.definitions,
      seed: config.simulatorSeed ?? Date.now(),
      speed: config.simulatorSpeed,
      timeZone: config.timeZone,
      logger,
      loop: { limits: onescreen.data.timeLimits, rules: onescreen.data.responsibility },
    })
  : undefined;

// the demo's sample resource registry (marked 示例 on every screen), into an empty registry only
if (config.simulator) {
  const sample = ResourceImport.parse(JSON.parse(readFileSync(new URL('../data/resources.demo.geojson', import.meta.url), 'utf8')));
  if (await onescreen.resources.seedDemo(sample)) logger.info({ resources: sample.features.length }, 'sample resource registry loaded (the simulator is on)');
}

console.log(
  `\n  OneScreen wall:  ${url}/\n  data:            ${where}${store.kind === 'postgres' ? ' (PostgreSQL)' : ''}\n  simulator:       ${config.simulator ? 'on (SIMULATOR=off to disable)' : 'off'}${firstAdminNote}\n`,
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await simulator?.stop();
  await onescreen.stop();
  await store.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
