/**
 * How long a historical snapshot and a shift handover take on a large district (README,
 * "Replay"): `node --import tsx bench/replay.bench.ts [cases]` (default 50,000). Fills an
 * in-memory SQLite store with synthetic cases over 30 days across Yangpu's real grids, each with
 * its timeline (report, accept, dispatch, handle, verify, archive; the newest still open, a few
 * overrunning), then times `snapshotAt` a week ago (the district and one street), yesterday, and
 * the handover of a 12-hour shift. One machine's figures; compare runs on the same machine only.
 */
import type { Database } from 'better-sqlite3';
import { AreaTree } from '../server/domain/areas.ts';
import { loadShippedData } from '../server/data.ts';
import { createReplayService } from '../server/services/replay.service.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';

const N = Number(process.argv[2] ?? 50_000);
const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const data = loadShippedData();
const tree = new AreaTree(data.areas);
const grids = tree.gridIds();
const store = new SqliteStore(':memory:');
await store.migrate();
const db = (store as unknown as { db: Database }).db;
const now = Date.now();
let seed = 7;
const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

const insEvent = db.prepare(`INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id, district_id,
    severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, due_at, rating)
  VALUES (?, 'grid', ?, 'hotline_request', 't', '', 121.5, 31.3, ?, ?, ?, 'medium', ?, ?, ?, ?, 0, ?, ?, ?, ?)`);
const insEntry = db.prepare(`INSERT INTO event_timeline (event_id, seq, at, actor, actor_role, action, from_status, to_status, note, attachments, data)
  VALUES (?, ?, ?, 'bench', 'district', ?, ?, ?, '', '[]', ?)`);
const STEPS = [
  ['accept', 'reported', 'accepted', 10 * MIN],
  ['dispatch', 'accepted', 'dispatched', 30 * MIN],
  ['handle', 'dispatched', 'handled', 5 * H],
  ['verify', 'handled', 'verified', 6 * H],
  ['archive', 'verified', 'archived', 8 * H],
] as const;
let entries = 0;
db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const t = now - Math.floor(rand() * 30 * DAY);
    const grid = grids[i % grids.length]!;
    const street = tree.ancestorAt(grid, 'street')!.id;
    // each case has gone as far through the loop as its age (and a little chance) allows
    const slow = rand() < 0.05 ? 3 : 1;
    const steps = STEPS.filter(([, , , after]) => t + after * slow <= now);
    const last = steps.at(-1);
    const status = last ? last[2] : 'reported';
    const updated = last ? t + last[3] * slow : t;
    insEvent.run(`e${i}`, `x${i}`, grid, street, tree.districtId, status, t, t, updated, 1 + steps.length, updated, status === 'archived' ? null : updated + 30 * MIN, status === 'archived' ? 'good' : null);
    insEntry.run(`e${i}`, 1, t, 'report', 'reported', 'reported', '{}');
    steps.forEach(([action, from, to, after], k) => {
      insEntry.run(`e${i}`, k + 2, t + after * slow, action, from, to, action === 'dispatch' ? '{"unit":"city-management","coUnits":[]}' : action === 'archive' ? '{"rating":"good"}' : '{}');
      if (slow > 1 && k === 1) insEntry.run(`e${i}`, 90, t + 2 * H, 'breach', to, to, '{"stage":"handle"}');
    });
    entries += 1 + steps.length;
  }
})();

const replay = createReplayService({ store, tree, clock: { now: () => now }, timeZone: 'Asia/Shanghai', indicators: data.indicators, limits: data.timeLimits, simulatorOn: false });
const street = tree.ofLevel('street')[0]!.id;

async function time(what: string, f: () => Promise<unknown>, runs = 5) {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${what}: median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms, best ${ms[0]!.toFixed(1)} ms (${runs} runs)`);
}
console.log(`${N} cases over 30 days on ${grids.length} grids, ${entries} timeline entries`);
const weekAgo = now - 7 * DAY + H;
const s = await replay.snapshotAt(tree.districtId, weekAgo);
console.log(`a week ago the district had ${s.openTotal} open cases (${s.events.length} in the snapshot)`);
await time('snapshotAt(district, a week ago)', () => replay.snapshotAt(tree.districtId, weekAgo));
await time('snapshotAt(a street, a week ago)', () => replay.snapshotAt(street, weekAgo));
await time('snapshotAt(district, yesterday)', () => replay.snapshotAt(tree.districtId, now - DAY));
await time('handover(district, a 12-hour shift)', () => replay.handover(tree.districtId, now - DAY, now - DAY + 12 * H));
if (process.env.BENCH_PARTS) {
  const area = { id: tree.districtId, level: 'district' as const };
  await time('  casesOpenAt', () => store.cases.casesOpenAt(weekAgo, area));
  await time('  receivedBy', () => store.cases.receivedBy(weekAgo, 40, area));
  await time('  arrivals', () => store.cases.arrivals(weekAgo - 2 * DAY, weekAgo + DAY, weekAgo, area));
  await time('  readingsAsOf', () => store.readings.readingsAsOf(weekAgo, weekAgo - 2 * DAY));
  await time('  closedCountsByGrid', () => store.cases.closedCountsByGrid(weekAgo - 30 * DAY, weekAgo));
  await time('  callCountsByGrid', () => store.cases.callCountsByGrid('12345', weekAgo - H, weekAgo));
  await time('  alarms.overlapping', () => store.alarms.overlapping(weekAgo, weekAgo, 20000, area));
}
await store.close();
