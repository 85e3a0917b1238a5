/**
 * How long the reads behind the loop-derived indicators take on a large store (README,
 * "Indicators"): `node --import tsx bench/loop-counts.ts [events]` (default 100,000). Fills an
 * in-memory SQLite store with synthetic cases over 40 days — 90 % archived, a tenth of them
 * reworked, one in twenty late, 40 % from 12345 — then times the grouped reads the indicator
 * service makes. One machine's figures; compare runs on the same machine only.
 */
import type { Database } from 'better-sqlite3';
import { loopCountWindows } from '../server/domain/loop-indicators.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';

const N = Number(process.argv[2] ?? 100_000);
const DAY = 86_400_000;
const store = new SqliteStore(':memory:');
await store.migrate();
const db = (store as unknown as { db: Database }).db;
const now = Date.now();
let seed = 1;
const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
const ins = db.prepare(`INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id, district_id,
    severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, closed_at, reworks, breaches, rating)
  VALUES (?, ?, ?, 'x', 't', '', 121.5, 31.3, ?, 's', 'd', 'low', ?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?)`);
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const t = now - Math.floor(rand() * 40 * DAY);
    const closed = rand() < 0.9;
    ins.run(`e${i}`, rand() < 0.4 ? '12345' : 'grid', `x${i}`, `g${i % 700}`, closed ? 'archived' : 'dispatched', t, t, t, t,
      closed ? t + 3_600_000 : null, rand() < 0.1 ? 1 : 0, rand() < 0.05 ? 1 : 0, closed ? (rand() < 0.9 ? 'good' : 'bad') : null);
  }
})();
const w = loopCountWindows(now);
const inWindow = db.prepare('SELECT COUNT(*) FROM events WHERE closed_at > ? AND closed_at <= ?').pluck().get(w.closedAfter, w.now) as number;

async function time(what: string, f: () => Promise<unknown>, runs = 20) {
  for (let i = 0; i < 3; i++) await f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await f();
  console.log(`${what}: ${((performance.now() - t0) / runs).toFixed(2)} ms`);
}
console.log(`${N} events, ${inWindow} closed in the 30-day window, 700 grids`);
await time('closedCountsByGrid (on an archive, and every 30 s)', () => store.cases.closedCountsByGrid(w.closedAfter, w.now));
await time('callCountsByGrid (on every change)', () => store.cases.callCountsByGrid(w.hotlineSource, w.callsAfter, w.now));
await time('openCountsByGrid (for comparison: the open-case counts, on every change)', () => store.cases.openCountsByGrid(now, now - 8 * 3_600_000));
await store.close();
