/**
 * @module bench/wall-cpu
 * `npm run bench -- wall-cpu`: what one open wall costs the machine it runs on, in CPU seconds per
 * second of the browser (every Chromium process this benchmark started, read from /proc), with
 * software WebGL (SwiftShader) as on the machines here. A wall screen runs 24/7: what it burns
 * while nothing happens is heat and fan noise in a control room, and on a test machine it is the
 * time every browser test waits.
 *
 * Conditions, each on a fresh page (1920×1080 unless told) after it is ready and has settled:
 * - `blank`: about:blank, the baseline of the same run;
 * - `quiet`: the district wall on a server with no simulator (nothing changes);
 * - `live`: the district wall while the simulator posts (one flush a second);
 * each with motion and with `prefers-reduced-motion: reduce` (which the wall honours).
 *
 * Settings: `BENCH_SECONDS` per measurement (default 20), `BENCH_SETTLE_SECONDS` (default 5),
 * `BENCH_VIEWPORT` (default `1920x1080`; the browser tests use `1280x720`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/browser/chromium.ts';
import { startTestServer, type TestServer } from '../test/helpers/server.ts';
import { table } from './lib/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SETTLE = Number(process.env.BENCH_SETTLE_SECONDS ?? 5);
const TICK = 100; // USER_HZ on Linux
const viewport = /^(\d{3,5})x(\d{3,5})$/.exec(process.env.BENCH_VIEWPORT ?? '1920x1080');
if (!viewport) throw new Error(`BENCH_VIEWPORT must look like 1920x1080 (got ${JSON.stringify(process.env.BENCH_VIEWPORT)})`);
const [WIDTH, HEIGHT] = [Number(viewport[1]), Number(viewport[2])];

/** CPU seconds used so far by every process descended from this one (the browser's) */
function descendantsCpu(): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(rest[1]));
      cpu.set(Number(d), (Number(rest[11]) + Number(rest[12])) / TICK);
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 50; p = parent.get(p), hops++) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, s] of cpu) if (mine(pid)) total += s;
  return total;
}

async function measure(browser: Browser, server: TestServer | null, motion: boolean): Promise<number> {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, reducedMotion: motion ? 'no-preference' : 'reduce' });
  try {
    const page = await context.newPage();
    if (server) {
      await context.addCookies([{ name: 'onescreen_session', value: server.cookie.slice(server.cookie.indexOf('=') + 1), url: server.url }]);
      await page.goto(server.url);
      await page.waitForSelector('[data-ready="true"]', { timeout: 120_000 });
    } else {
      await page.goto('about:blank');
    }
    await new Promise((r) => setTimeout(r, SETTLE * 1000));
    const c0 = descendantsCpu();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    return (descendantsCpu() - c0) / ((performance.now() - t0) / 1000);
  } finally {
    await context.close();
  }
}

const browser = await launchChromium({ motion: true });
const quiet = await startTestServer({ simulator: false });
const live = await startTestServer({ simulator: true, seed: 7, simulatorTickMs: 2000, flushPerSec: 1, simulatorEventsPerHour: 30 });
try {
  const rows: string[][] = [];
  const blank = await measure(browser, null, true);
  rows.push(['blank page (baseline)', blank.toFixed(2), '–', '1.0×']);
  for (const [name, server] of [['district wall, nothing changing', quiet], ['district wall, simulator posting', live]] as const) {
    const withMotion = await measure(browser, server, true);
    const reduced = await measure(browser, server, false);
    rows.push([name, withMotion.toFixed(2), reduced.toFixed(2), `${(withMotion / Math.max(blank, 0.01)).toFixed(1)}× / ${(reduced / Math.max(blank, 0.01)).toFixed(1)}×`]);
  }
  console.log(`\nBrowser CPU per wall at ${WIDTH}×${HEIGHT} (cores; SwiftShader; ${SECONDS} s each, after ${SETTLE} s settling)\n`);
  console.log(table(['page', 'with motion', 'reduced motion', 'vs blank'], rows));
} finally {
  await browser.close();
  await quiet.stop({ removeData: true });
  await live.stop({ removeData: true });
}
