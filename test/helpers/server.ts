/**
 * @module test/helpers/server
 * Starts the real OneScreen app on an ephemeral loopback port with a temporary SQLite file,
 * optionally with the simulator, and creates an ingest key for the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type OneScreenApp } from '../../server/app.ts';
import { loadShippedData, type ShippedData } from '../../server/data.ts';
import { createIngestKey } from '../../server/middleware/ingest-auth.ts';
import type { Clock, Logger } from '../../server/ports.ts';
import { startSimulator } from '../../server/simulator/simulator.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

export const quietLogger: Logger = { info() {}, warn() {}, debug() {}, error: (o, m) => console.error(m ?? '', o) };

let shipped: ShippedData | undefined;
export const shippedData = () => (shipped ??= loadShippedData());

export interface TestServer {
  url: string;
  port: number;
  ingestKey: string;
  dataDir: string;
  app: OneScreenApp;
  store: SqliteStore;
  /** stop the server (and simulator); the data dir is kept unless `removeData` */
  stop(opts?: { removeData?: boolean }): Promise<void>;
}

export interface TestServerOptions {
  simulator?: boolean;
  seed?: number;
  /** reuse a data dir, e.g. to restart on the same database */
  dataDir?: string;
  clock?: Clock;
  ingestMaxBytes?: number;
  flushPerSec?: number;
  /** serve the built web from dist/web (default true) */
  serveWeb?: boolean;
  simulatorTickMs?: number;
  /** district-wide simulated events per hour at peak activity (default 60) */
  simulatorEventsPerHour?: number;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'onescreen-test-'));
  const store = new SqliteStore(join(dataDir, 'onescreen.sqlite'));
  await store.migrate();
  const clock = opts.clock ?? { now: () => Date.now() };
  const app = createApp({
    store,
    clock,
    data: shippedData(),
    logger: quietLogger,
    options: {
      ingestMaxBytes: opts.ingestMaxBytes ?? 4 * 1024 * 1024,
      indicatorFlushPerSec: opts.flushPerSec ?? 4,
      rawRetentionHours: 48,
      timeZone: 'Asia/Shanghai',
      centreName: { zh: '杨浦区城市运行管理中心', en: 'Yangpu District City Operations Centre' },
      simulatorOn: opts.simulator ?? false,
      ...(opts.serveWeb === false ? {} : { staticRoot: fileURLToPath(new URL('../../dist/web', import.meta.url)) }),
    },
  });
  const { port } = await app.start(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const { key } = await createIngestKey(store, `test-${port}`, { now: clock.now() });
  const simulator = opts.simulator
    ? await startSimulator({
        baseUrl: url,
        store,
        tree: app.tree,
        indicators: app.indicators.definitions,
        seed: opts.seed ?? 42,
        timeZone: 'Asia/Shanghai',
        logger: quietLogger,
        tickMs: opts.simulatorTickMs ?? 1000,
        eventsPerHour: opts.simulatorEventsPerHour ?? 60,
      })
    : undefined;
  return {
    url,
    port,
    ingestKey: key,
    dataDir,
    app,
    store,
    async stop(o) {
      await simulator?.stop();
      await app.stop();
      await store.close();
      if (o?.removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST a JSON body to the ingest API with a key */
export async function postJson(base: string, path: string, body: unknown, key?: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
