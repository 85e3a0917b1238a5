/**
 * Store-level write throughput, SQLite against PostgreSQL, in one run: events posted in batches of
 * 100 with the recurrence check on (the ingest path), and readings in batches of 1,000. PostgreSQL
 * is a private server started as in the tests (Debian's, fsync off: this compares the stores' work,
 * not disks).
 *
 *   node --import tsx bench/store.bench.ts [events=4000] [readings=40000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RECURRENCE } from '../server/domain/hotspots.ts';
import type { NewEvent, Store } from '../server/ports.ts';
import { PostgresStore } from '../server/stores/postgres/postgres.store.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const EVENTS = Number(process.argv[2] ?? 4000);
const READINGS = Number(process.argv[3] ?? 40_000);
const T0 = Date.UTC(2026, 0, 1);
const CATEGORIES = ['noise', 'litter', 'fire_hazard', 'parking', 'water'];

/** events spread over the district (≈ 6 × 5 km), a few categories, one per second */
const event = (i: number): NewEvent => ({
  id: `e${i}`, source: 'bench', externalId: `x${i}`, category: CATEGORIES[i % CATEGORIES.length]!, title: 'bench', description: '',
  lng: 121.49 + ((i * 7919) % 997) * 0.00006, lat: 31.26 + ((i * 104729) % 991) * 0.00005, gridId: `g${i % 300}`, streetId: `s${i % 12}`,
  districtId: '310110000000', severity: 'medium', status: 'reported', occurredAt: T0 + i * 1000, receivedAt: T0 + i * 1000, simulated: true, dueAt: T0 + i * 1000 + 3_600_000, confidential: false, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null, personal: null,
});

async function measure(name: string, store: Store): Promise<void> {
  await store.migrate();
  let t = performance.now();
  for (let b = 0; b < EVENTS; b += 100) {
    await store.cases.insertEvents(Array.from({ length: Math.min(100, EVENTS - b) }, (_, i) => event(b + i)), DEFAULT_RECURRENCE);
  }
  const events = EVENTS / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let b = 0; b < READINGS; b += 1000) {
    await store.readings.insertReadings(Array.from({ length: Math.min(1000, READINGS - b) }, (_, i) => ({ indicatorId: `i${i % 17}`, areaId: `g${i % 300}`, value: i, at: T0 + b + i, receivedAt: T0, simulated: true })));
  }
  const readings = READINGS / ((performance.now() - t) / 1000);
  console.log(`${name.padEnd(10)} events ${events.toFixed(0).padStart(6)}/s (batches of 100, recurrence on)   readings ${readings.toFixed(0).padStart(7)}/s (batches of 1,000)`);
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), 'onescreen-bench-'));
const pg = await startPostgres();
try {
  await measure('SQLite', new SqliteStore(join(dir, 'bench.sqlite')));
  await measure('PostgreSQL', new PostgresStore(await pg.createDatabase()));
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
