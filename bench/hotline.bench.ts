/**
 * How long the 12345 analysis takes on a busy database: a temporary SQLite file with N hotline
 * cases (and as many events of other sources) spread over 99 days across the district's grids,
 * then the store's counts plus the aggregation for the last 24 hours, 7, 30 and 92 days.
 *   node --import tsx bench/hotline.bench.ts [casesPerSource=100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShippedData } from '../server/data.ts';
import { AreaTree } from '../server/domain/areas.ts';
import { hotlineAnalysis, hotlineWindows } from '../server/domain/hotline.ts';
import type { NewEvent } from '../server/ports.ts';
import { HOTLINE_MAX_POINTS, HOTLINE_SOURCE } from '../server/routes/analytics.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';

const N = Number(process.argv[2] ?? 100_000);
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'onescreen-hotline-bench-'));
const store = new SqliteStore(join(dir, 'bench.sqlite'));
try {
  await store.migrate();
  const tree = new AreaTree(loadShippedData().areas);
  const grids = tree.ofLevel('grid');
  const now = Date.now();
  let seed = 1;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const cats = ['hotline_request', 'neighbour_dispute', 'property_dispute', 'elevator_fault'];
  for (let done = 0; done < 2 * N; ) {
    const batch: NewEvent[] = [];
    for (let i = 0; i < 5000 && done < 2 * N; i++, done++) {
      const g = grids[Math.floor(rnd() * grids.length)]!;
      const [x0, y0, x1, y1] = g.bbox;
      const at = now - rnd() * 99 * DAY;
      batch.push({
        id: `e${done}`, source: done % 2 ? 'grid' : HOTLINE_SOURCE, externalId: `x${done}`, category: cats[Math.floor(rnd() * cats.length)]!, title: '路灯不亮', description: '',
        lng: x0 + (x1 - x0) * rnd(), lat: y0 + (y1 - y0) * rnd(), gridId: g.id, streetId: g.parentId!, districtId: tree.districtId,
        severity: 'low', status: 'reported', occurredAt: at, receivedAt: at, simulated: true, dueAt: null, confidential: false, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null, personal: null,
      });
    }
    await store.cases.insertEvents(batch);
  }
  console.log(`${N} hotline cases and ${N} others over 99 days, ${grids.length} grids`);
  for (const days of [1, 7, 30, 92]) {
    const w = hotlineWindows(now - days * DAY, now, 'Asia/Shanghai');
    const t0 = performance.now();
    const counts = await store.cases.hotlineCounts({ source: HOTLINE_SOURCE, ...w, area: { id: tree.districtId, level: 'district' }, maxPoints: HOTLINE_MAX_POINTS });
    const t1 = performance.now();
    const a = hotlineAnalysis(tree.districtId, w, counts);
    const t2 = performance.now();
    console.log(`${String(days).padStart(2)} days: ${a.total.count} calls, ${a.repeats.byPlace.length} spots${a.repeats.truncated ? ' (newest 10000 clustered)' : ''}; store ${(t1 - t0).toFixed(0)} ms, aggregation ${(t2 - t1).toFixed(0)} ms, ${JSON.stringify(a).length} bytes`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
