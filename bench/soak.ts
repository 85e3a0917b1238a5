/**
 * @module bench/soak
 * `npm run soak`: the proof that the wall runs for a month untouched (issue 11 §6). It runs the
 * real server (`server/main.ts`, SQLite in a temporary data directory, a fixed loopback port) and
 * one enrolled district display in headless Chromium at 1920×1080, with the simulator posting a
 * 24-hour-equivalent of activity in `SOAK_MINUTES`, and injects faults in turn:
 *
 * - **kill**: the server is killed with SIGKILL and started again on the same data and port;
 * - **cut**: the network between wall and server stops (a loopback TCP proxy the soak controls
 *   freezes every connection, the websocket too, and leaves new ones hanging), then comes back;
 * - **clock**: the page's wall clock jumps an hour ahead, then back.
 *
 * After each fault it waits for the wall to be live again on its own, then checks it against a
 * fresh server snapshot of the same room (same epoch and seq, same open cases and alarms in the
 * same versions, same indicator values, no id twice in a list; see bench/lib/soak-stats.ts). It
 * samples the page's heap after a forced garbage collection, frame times from a
 * `requestAnimationFrame` sampler, reconnects and snapshots, and prints them as tables with the
 * targets. The soak never clicks or types in the page (manual actions: 0). Exit code 1 when a
 * target is missed (gaps, duplicates, heap growth after warm-up, a fault not recovered).
 *
 * The simulator runs in this process (an ordinary HTTP source, as in `npm start`), so the soak
 * can hold it still while it compares; it keeps posting (and failing) while the server is down.
 *
 * Settings (environment): see bench/README.md, "Soak".
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { io as ioClient } from 'socket.io-client';
import type { Browser, CDPSession } from 'playwright-core';
import { runAdmin } from '../server/admin/cli.ts';
import { loadShippedData } from '../server/data.ts';
import { AreaTree } from '../server/domain/areas.ts';
import { systemClock, type Logger } from '../server/ports.ts';
import { startSimulator } from '../server/simulator/simulator.ts';
import { SqliteStore } from '../server/stores/sqlite/sqlite.store.ts';
import type { Snapshot } from '../shared/index.ts';
import { launchChromium } from '../test/browser/chromium.ts';
import { killPid, REPO_ROOT } from './lib/child.ts';
import { probeScript, readProbe, readWall, setClockSkew, type WallReading } from './lib/soak-page.ts';
import { freePort, soakServer } from './lib/soak-server.ts';
import {
  compareWithSnapshot,
  defaultInterval,
  FAULT_KINDS,
  faultSchedule,
  heapGrowth,
  verdicts,
  type Comparison,
  type FaultKind,
  type HeapSample,
  type PlannedFault,
} from './lib/soak-stats.ts';
import { fmt, percentiles, table } from './lib/stats.ts';
import { startTcpProxy } from './lib/tcp-proxy.ts';

const env = process.env;
const num = (name: string, dflt: number) => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (got ${JSON.stringify(v)})`);
  return n;
};

const MINUTES = num('SOAK_MINUTES', 10);
const TOTAL_MS = MINUTES * 60_000;
const SIM_HOURS = num('SOAK_SIM_HOURS', 24);
const SPEED = Math.min(600, Math.max(1, (SIM_HOURS * 60) / MINUTES));
const SAMPLE_MS = num('SOAK_SAMPLE_SECONDS', 30) * 1000;
const WARMUP_MS = num('SOAK_WARMUP_MINUTES', Math.max(1, MINUTES * 0.15)) * 60_000;
const TAIL_MS = num('SOAK_TAIL_MINUTES', Math.max(1, MINUTES * 0.15)) * 60_000;
const SETTLE_MS = num('SOAK_SETTLE_SECONDS', 120) * 1000;
const ALLOWANCE_MS = num('SOAK_RECOVERY_ALLOWANCE_SECONDS', 30) * 1000;
const DOWN_MS = num('SOAK_DOWN_SECONDS', 5) * 1000;
const CUT_MS = num('SOAK_CUT_SECONDS', 60) * 1000;
const CLOCK_MS = num('SOAK_CLOCK_SECONDS', 60) * 1000;
const JUMP_MS = num('SOAK_CLOCK_JUMP_MINUTES', 60) * 60_000;
const CLOCK_TOLERANCE_MS = num('SOAK_CLOCK_TOLERANCE_SECONDS', 10) * 1000;
const MAX_GROWTH_PCT = num('SOAK_MAX_HEAP_GROWTH_PCT', 5);
const TICK_MS = num('SOAK_TICK_MS', 2000);
const PAGE_TIMEOUT_MS = num('SOAK_PAGE_TIMEOUT_SECONDS', 60) * 1000;
const EVENTS_PER_HOUR = num('SOAK_EVENTS_PER_HOUR', 30);
const AREA = env.SOAK_AREA || '310110';
const VIEWPORT = { width: num('SOAK_WIDTH', 1920), height: num('SOAK_HEIGHT', 1080) };
const KINDS = (env.SOAK_FAULTS ?? FAULT_KINDS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as FaultKind[];
for (const k of KINDS) if (!FAULT_KINDS.includes(k)) throw new Error(`SOAK_FAULTS: unknown fault ${k} (kill, cut, clock)`);
const DURATION: Record<FaultKind, number> = { kill: DOWN_MS, cut: CUT_MS, clock: CLOCK_MS };
const ROUNDS = Math.max(1, Math.floor(MINUTES / 8));
const EVERY_MS = env.SOAK_FAULT_EVERY_SECONDS ? num('SOAK_FAULT_EVERY_SECONDS', 0) * 1000 : defaultInterval(TOTAL_MS, WARMUP_MS, TAIL_MS, KINDS.length, ROUNDS);
const SCHEDULE = faultSchedule({ totalMs: TOTAL_MS, warmupMs: WARMUP_MS, tailMs: TAIL_MS, everyMs: EVERY_MS, kinds: KINDS, durationMs: DURATION, settleMs: ALLOWANCE_MS });

const log = (s: string) => process.stderr.write(`${s}\n`);
const debug = (s: string) => env.SOAK_DEBUG && log(`  · ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => fmt(b / 2 ** 20, 1);

/** times a look into the page went unanswered for SOAK_PAGE_TIMEOUT_SECONDS (its main thread busy) */
let unanswered = 0;
/** `p`, or a rejection once `ms` have passed (the page may be too busy to answer) */
function timed<T>(p: Promise<T>, ms = PAGE_TIMEOUT_MS, what = 'the page'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        unanswered++;
        reject(new Error(`${what} did not answer in ${ms / 1000} s`));
      }, ms);
    }),
  ]);
}

interface FaultResult {
  fault: PlannedFault;
  /** s from the end of the fault until the wall was connected and synced again (NaN: never) */
  liveAfterS: number;
  /** s from the end of the fault until the wall matched a fresh snapshot (NaN: never) */
  matchedAfterS: number;
  comparison: Comparison | null;
  reconnects: number;
  snapshots: number;
  /** the wall's server-clock error while the clock was jumped, and at the check (ms) */
  clockErrorDuringMs: number;
  clockErrorAfterMs: number;
  recovered: boolean;
  notes: string[];
}

async function main(): Promise<number> {
  const webIndex = join(REPO_ROOT, 'dist/web/index.html');
  if (!existsSync(webIndex)) {
    log('dist/web is missing: building the wall (npx vite build)…');
    const r = spawnSync('npx', ['vite', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('npx vite build failed');
  }
  if (SCHEDULE.length === 0) log('! no fault fits the run with these settings (SOAK_MINUTES too short?): a soak without faults');

  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-soak-'));
  const data = loadShippedData();
  const tree = new AreaTree(data.areas);
  const derived = new Set(data.indicators.filter((d) => d.source === 'derived').map((d) => d.id));
  const quiet: Logger = { info() {}, warn() {}, debug() {}, error() {} };

  // the display and an officer for the checker, made as an operator would (npm run admin)
  const store = new SqliteStore(join(dataDir, 'onescreen.sqlite'));
  await store.migrate();
  const lines: string[] = [];
  const admin = (args: string[]) => runAdmin(args, { store, tree, units: [], clock: systemClock, out: (l) => lines.push(l), err: (l) => lines.push(l), readStdin: async () => '', actor: 'cli:soak' });
  if ((await admin(['display', 'create', 'soak-wall', '--area', AREA])) !== 0) throw new Error(`display create failed: ${lines.join(' / ')}`);
  const displayToken = lines.at(-1)!;
  const checkerPassword = randomBytes(18).toString('base64url');
  if ((await admin(['user', 'create', 'soak-checker', '--role', 'district', '--area', tree.districtId, '--password', checkerPassword])) !== 0) throw new Error(`user create failed: ${lines.join(' / ')}`);

  const port = await freePort();
  const server = soakServer({ dataDir, port, env: { SIMULATOR: 'off', LOG_LEVEL: env.SOAK_LOG_LEVEL ?? 'warn', ACCESS_LOG: 'false' } });
  const proxy = await startTcpProxy(port);
  let browser: Browser | undefined;
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await sim?.stop().catch(() => {});
    await server.stop().catch(() => {});
    await proxy.close().catch(() => {});
    if (!env.SOAK_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
    else log(`data kept in ${dataDir}`);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`\n${sig}: stopping…`);
      void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  process.once('exit', () => server.alive && server.pid && killPid(server.pid, 'SIGKILL')); // last resort: nothing left behind

  try {
    await server.start();
    const checkerCookie = await signIn(server.url, 'soak-checker', checkerPassword);

    // the simulator: an HTTP source of this process, ticked by the soak (so it can hold it still)
    let simFailures = 0;
    const simLogger: Logger = { ...quiet, warn: (o) => void (typeof o === 'object' && 'err' in o && simFailures++) };
    sim = await startSimulator({
      baseUrl: server.url,
      store,
      tree,
      indicators: data.indicators,
      seed: 11,
      speed: SPEED,
      eventsPerHour: EVENTS_PER_HOUR,
      timeZone: 'Asia/Shanghai',
      logger: simLogger,
      tickMs: 2 ** 31 - 1, // ticked below
      loop: { limits: data.timeLimits, rules: data.responsibility },
    });
    let simHeld = false;
    let simTick: Promise<void> = Promise.resolve();
    const simTimer = setInterval(() => {
      if (!simHeld) simTick = sim!.tick();
    }, TICK_MS);
    const holdSimulator = async () => {
      simHeld = true;
      await simTick;
    };
    const releaseSimulator = () => void (simHeld = false);

    // the wall as a screen shows it, animations and all (`SOAK_REDUCED_MOTION=1` asks for reduced motion)
    browser = await launchChromium({ motion: true });
    const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: env.SOAK_REDUCED_MOTION === '1' ? 'reduce' : 'no-preference' });
    await context.addInitScript({ content: probeScript() });
    const page = await context.newPage();
    let pageErrors = 0;
    let loads = 0;
    const errorLines: string[] = [];
    page.on('pageerror', (e) => {
      pageErrors++;
      if (errorLines.length < 10) errorLines.push(e.message.slice(0, 200));
    });
    page.on('load', () => loads++);
    page.on('console', (m) => debug(`page ${m.type()}: ${m.text().slice(0, 200)}`));
    page.on('crash', () => log('! the page crashed'));
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    await page.goto(`${proxy.url}/?display=${encodeURIComponent(displayToken)}`);
    debug('wall opened');
    for (const deadline = Date.now() + 180_000; ; ) {
      const w = await timed(page.evaluate(() => ({ snapshots: window.__onescreen?.state?.live.data.snapshots ?? -1, connection: window.__onescreen?.state?.live.connection ?? 'none', href: location.pathname }))).catch(() => null);
      debug(`wall: ${JSON.stringify(w)}`);
      if (w && w.snapshots > 0) break;
      if (Date.now() > deadline) {
        await page.screenshot({ path: join(dataDir, 'no-snapshot.png') }).catch(() => {});
        throw new Error(`the wall showed no snapshot in 180 s (last: ${JSON.stringify(w)}; a screenshot in the data dir with SOAK_KEEP_DATA=1)`);
      }
      await sleep(2000);
    }
    const t0 = Date.now();
    const elapsed = () => Date.now() - t0;
    log(
      `soak: ${MINUTES} min real ≈ ${fmt((SPEED * MINUTES) / 60, 1)} h simulated (simulator ×${fmt(SPEED, 0)}), wall ${VIEWPORT.width}×${VIEWPORT.height} on area ${AREA}, ` +
        `warm-up ${fmt(WARMUP_MS / 60_000, 1)} min, faults: ${SCHEDULE.map((f) => `${f.kind}@${fmt(f.atMs / 60_000, 1)}m`).join(' ') || 'none'}`,
    );

    // --- the probe: frame times and counters per page load ---
    const frames: number[] = [];
    let intervalFrames: number[] = [];
    const perLoad = new Map<string, { reconnects: number; snapshots: number }>();
    const counters = () => {
      let reconnects = 0;
      let snapshots = 0;
      for (const c of perLoad.values()) {
        reconnects += c.reconnects;
        snapshots += c.snapshots;
      }
      return { reconnects, snapshots };
    };
    // one look at a time: a busy page must not pile up looks behind each other
    let probing: Promise<void> | null = null;
    const probe = (keepFrames = true): Promise<void> =>
      (probing ??= (async () => {
        const r = await timed(readProbe(page)).catch(() => null);
        if (!r) return;
        perLoad.set(r.loadId, { reconnects: r.reconnects, snapshots: r.snapshots });
        if (keepFrames) {
          for (const f of r.frames) {
            frames.push(f);
            intervalFrames.push(f);
          }
        }
      })().finally(() => (probing = null)));
    const probeTimer = setInterval(() => void probe(), 5000);

    // --- heap samples (after a forced GC) ---
    interface Row extends HeapSample {
      nodes: number;
      listeners: number;
      frames: ReturnType<typeof percentiles>;
      connection: string;
      note: string;
    }
    const rows: Row[] = [];
    let currentNote = '';
    const sampleHeap = async () => {
      debug('heap sample');
      await probe();
      debug('heap sample: probed');
      const f = percentiles(intervalFrames);
      intervalFrames = [];
      await timed(cdp.send('HeapProfiler.collectGarbage'), 2 * PAGE_TIMEOUT_MS, 'the garbage collection');
      debug('heap sample: collected');
      const { usedSize } = await timed(cdp.send('Runtime.getHeapUsage'));
      debug('heap sample: usage');
      const { metrics } = await timed(cdp.send('Performance.getMetrics'));
      debug('heap sample: metrics');
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      const wall = await timed(readWall(page)).catch(() => null);
      rows.push({ tMs: elapsed(), usedBytes: usedSize, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), frames: f, connection: wall?.connection ?? '?', note: currentNote });
      await sleep(100);
      await probe(false); // the frame that held the collection is not the wall's
    };
    let sampling: Promise<void> | null = null;
    let samplesFailed = 0;
    const sample = (): Promise<void> =>
      (sampling ??= sampleHeap()
        .catch((err) => {
          samplesFailed++;
          log(`! heap sample failed: ${(err as Error).message}`);
        })
        .finally(() => (sampling = null)));
    const sampleTimer = setInterval(() => void sample(), SAMPLE_MS);
    await sample();

    // --- the checker: a fresh snapshot of the room, straight from the server ---
    const freshSnapshot = () =>
      new Promise<Snapshot>((resolve, reject) => {
        const s = ioClient(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 5000, auth: { areaId: AREA }, extraHeaders: { cookie: checkerCookie } });
        const timer = setTimeout(() => {
          s.close();
          reject(new Error('no snapshot in 10 s'));
        }, 10_000);
        s.once('snapshot', (snap: Snapshot) => {
          clearTimeout(timer);
          s.close();
          resolve(snap);
        });
        s.once('connect_error', (err) => {
          clearTimeout(timer);
          s.close();
          reject(err);
        });
      });

    /** wait until the wall is live, hold the simulator, compare until it matches (or time runs out) */
    async function checkpoint(endedAt: number, r: Pick<FaultResult, 'liveAfterS' | 'matchedAfterS' | 'comparison' | 'clockErrorAfterMs' | 'notes'>): Promise<boolean> {
      const deadline = endedAt + SETTLE_MS;
      debug('checkpoint: waiting for the wall to be live');
      let wall: WallReading | null = null;
      while (Date.now() < deadline) {
        wall = await timed(readWall(page)).catch(() => null);
        if (wall?.connection === 'connected' && wall.status === 'synced') break;
        await sleep(500);
      }
      if (wall?.connection === 'connected' && wall.status === 'synced') r.liveAfterS = (Date.now() - endedAt) / 1000;
      else r.notes.push(`not live again in ${SETTLE_MS / 1000} s (last seen: ${wall ? `${wall.connection}, stream ${wall.status} at #${wall.seq}` : 'the page did not answer'})`);
      debug('checkpoint: holding the simulator');
      await holdSimulator();
      debug('checkpoint: comparing');
      try {
        while (Date.now() < deadline) {
          wall = await timed(readWall(page)).catch(() => null);
          const snap = await freshSnapshot().catch((err) => {
            r.notes.push(`checker: ${(err as Error).message}`);
            return null;
          });
          const wallNow = await timed(readWall(page)).catch(() => null);
          if (wall && wallNow && snap) {
            // the wall read just before and just after the snapshot: take the one in step with it
            const pick = wallNow.seq === snap.seq ? wallNow : wall;
            r.comparison = compareWithSnapshot(pick, {
              epoch: snap.epoch,
              seq: snap.seq,
              events: snap.events,
              openTotal: snap.openTotal,
              alarms: snap.alarms,
              indicators: snap.indicators,
              derived,
            });
            r.clockErrorAfterMs = pick.clockErrorMs;
            debug(`checkpoint: in step ${r.comparison.inStep}, gaps ${r.comparison.gaps}, dups ${r.comparison.duplicates}, clock ${pick.clockErrorMs} ms: ${r.comparison.details.slice(0, 3).join('; ')}`);
            const clockOk = Math.abs(pick.clockErrorMs) <= CLOCK_TOLERANCE_MS;
            if (r.comparison.inStep && r.comparison.gaps === 0 && r.comparison.duplicates === 0 && clockOk) {
              r.matchedAfterS = (Date.now() - endedAt) / 1000;
              return true;
            }
          }
          await sleep(1000);
        }
        if (r.comparison && Math.abs(r.clockErrorAfterMs) > CLOCK_TOLERANCE_MS) r.notes.push(`wall's server clock off by ${fmt(r.clockErrorAfterMs / 1000, 0)} s`);
        return false;
      } finally {
        releaseSimulator();
      }
    }

    // --- the faults ---
    const results: FaultResult[] = [];
    const initial: FaultResult = { fault: { kind: 'kill', atMs: 0, durationMs: 0 }, liveAfterS: NaN, matchedAfterS: NaN, comparison: null, reconnects: 0, snapshots: 0, clockErrorDuringMs: NaN, clockErrorAfterMs: NaN, recovered: false, notes: [] };
    initial.recovered = await checkpoint(Date.now(), initial);
    if (!initial.recovered) log(`! the wall did not match the server before any fault: ${initial.comparison?.details.join('; ') ?? 'no comparison'}`);

    for (const fault of SCHEDULE) {
      const wait = fault.atMs - elapsed();
      if (wait > 0) await sleep(wait);
      if (elapsed() + fault.durationMs > TOTAL_MS - TAIL_MS) {
        log(`[${fmt(elapsed() / 60_000, 1)} min] ${fault.kind} skipped: the checks before it ran late and it would reach into the tail`);
        continue;
      }
      await probe();
      const before = counters();
      const r: FaultResult = { fault, liveAfterS: NaN, matchedAfterS: NaN, comparison: null, reconnects: 0, snapshots: 0, clockErrorDuringMs: NaN, clockErrorAfterMs: NaN, recovered: false, notes: [] };
      currentNote = fault.kind;
      log(`[${fmt(elapsed() / 60_000, 1)} min] fault: ${fault.kind} for ${fault.durationMs / 1000} s`);
      if (fault.kind === 'kill') {
        await server.kill();
        await sleep(fault.durationMs);
        await server.start();
      } else if (fault.kind === 'cut') {
        proxy.cut();
        await sleep(fault.durationMs);
        proxy.restore();
      } else {
        await timed(setClockSkew(page, JUMP_MS), 2 * PAGE_TIMEOUT_MS).catch((err) => r.notes.push((err as Error).message));
        await sleep(fault.durationMs);
        r.clockErrorDuringMs = (await timed(readWall(page)).catch(() => null))?.clockErrorMs ?? NaN;
        await timed(setClockSkew(page, 0), 2 * PAGE_TIMEOUT_MS).catch((err) => r.notes.push((err as Error).message));
      }
      const endedAt = Date.now();
      currentNote = `${fault.kind} (after)`;
      r.recovered = await checkpoint(endedAt, r);
      currentNote = '';
      await probe();
      const after = counters();
      r.reconnects = after.reconnects - before.reconnects;
      r.snapshots = after.snapshots - before.snapshots;
      results.push(r);
      log(`[${fmt(elapsed() / 60_000, 1)} min] ${fault.kind}: ${r.recovered ? `live after ${fmt(r.liveAfterS)} s, matched after ${fmt(r.matchedAfterS)} s` : `NOT recovered: ${[...(r.comparison?.details ?? []), ...r.notes].slice(0, 5).join('; ')}`}`);
    }

    const rest = TOTAL_MS - elapsed();
    if (rest > 0) await sleep(rest);
    const final: FaultResult = { ...initial, liveAfterS: NaN, matchedAfterS: NaN, comparison: null, recovered: false, notes: [] };
    final.recovered = await checkpoint(Date.now(), final);
    clearInterval(sampleTimer);
    await sampling;
    await sample();
    clearInterval(probeTimer);
    clearInterval(simTimer);
    await holdSimulator();
    await probe();

    // --- the report ---
    const growth = heapGrowth(rows, WARMUP_MS);
    const fr = percentiles(frames);
    const longFrames = frames.filter((f) => f > 50).length;
    const { reconnects, snapshots } = counters();
    const allChecks = [initial, ...results, final];
    const gaps = allChecks.reduce((a, c) => a + (c.comparison?.inStep ? c.comparison.gaps : 0), 0);
    const duplicates = allChecks.reduce((a, c) => a + (c.comparison?.duplicates ?? 0), 0);
    const notRecovered = allChecks.filter((c) => !c.recovered).length;
    const cases = await store.cases.countEvents({ from: t0 - 1 });

    const out: string[] = [];
    out.push('', `## Soak: ${MINUTES} min real, ≈ ${fmt((SPEED * MINUTES) / 60, 1)} h of simulated activity (×${fmt(SPEED, 0)}), ${cases} cases created during the run`, '');
    out.push('### Heap and frames over time (heap after a forced GC; frames of the interval before the sample)', '');
    out.push(
      table(
        ['t (min)', 'heap MiB', 'DOM nodes', 'listeners', 'frames', 'p50 ms', 'p99 ms', 'max ms', 'connection', 'during'],
        rows.map((r) => [fmt(r.tMs / 60_000, 1), mb(r.usedBytes), fmt(r.nodes, 0), fmt(r.listeners, 0), String(r.frames.n), fmt(r.frames.p50), fmt(r.frames.p99), fmt(r.frames.max, 0), r.connection, r.note]),
      ),
    );
    out.push('', '### Faults', '');
    out.push(
      table(
        ['fault', 'at (min)', 'for (s)', 'live after (s)', 'matched after (s)', 'reconnects', 'snapshots', 'gaps', 'dups', 'clock err during/after (s)', 'result'],
        allChecks.map((c, i) => [
          i === 0 ? 'start' : i === allChecks.length - 1 ? 'end' : c.fault.kind,
          i === 0 ? '0.0' : i === allChecks.length - 1 ? fmt(TOTAL_MS / 60_000, 1) : fmt(c.fault.atMs / 60_000, 1),
          i === 0 || i === allChecks.length - 1 ? '–' : fmt(c.fault.durationMs / 1000, 0),
          fmt(c.liveAfterS),
          fmt(c.matchedAfterS),
          String(c.reconnects),
          String(c.snapshots),
          c.comparison?.inStep ? String(c.comparison.gaps) : '–',
          String(c.comparison?.duplicates ?? '–'),
          `${fmt(c.clockErrorDuringMs / 1000, 0)} / ${fmt(c.clockErrorAfterMs / 1000, 0)}`,
          c.recovered ? 'ok' : 'NOT RECOVERED',
        ]),
      ),
    );
    for (const c of allChecks) {
      if (c.recovered) continue;
      out.push(`! ${c === initial ? 'start' : c === final ? 'end' : c.fault.kind}: ${[...(c.comparison?.details ?? ['no comparison']), ...c.notes].join('; ')}`);
    }
    out.push('', '### Summary', '');
    out.push(
      table(
        ['figure', 'value', 'target'],
        [
          ['heap after warm-up (baseline → end)', `${mb(growth.baselineBytes)} → ${mb(growth.endBytes)} MiB`, ''],
          ['heap trend after warm-up', `${fmt(growth.slopePctPerHour, 1)} %/h`, ''],
          ['frame time p50 / p99 / max', `${fmt(fr.p50)} / ${fmt(fr.p99)} / ${fmt(fr.max, 0)} ms (${fr.n} frames)`, ''],
          ['frames over 50 ms', `${longFrames} (${fmt((longFrames / Math.max(1, fr.n)) * 100, 2)} %)`, ''],
          ['reconnects / snapshots applied', `${reconnects} / ${snapshots}`, ''],
          ['page loads (1 = never reloaded)', String(loads), ''],
          ['page errors', String(pageErrors), '0'],
          ['heap samples that failed (page too busy to answer)', String(samplesFailed), ''],
          [`looks into the page unanswered in ${PAGE_TIMEOUT_MS / 1000} s (main thread busy)`, String(unanswered), ''],
          ['server starts', String(server.starts), ''],
          ['simulator ticks failed (server down or cut off)', String(simFailures), ''],
          ...verdicts({ gaps, duplicates, heapGrowthPct: growth.growthPct, faultsNotRecovered: notRecovered, manualActions: 0 }, MAX_GROWTH_PCT).map((v) => [`${v.ok ? '' : '! '}${v.name}`, v.value, v.target]),
        ],
      ),
    );
    for (const e of errorLines) out.push(`! page error: ${e}`);
    console.log(out.join('\n'));
    const ok = verdicts({ gaps, duplicates, heapGrowthPct: growth.growthPct, faultsNotRecovered: notRecovered, manualActions: 0 }, MAX_GROWTH_PCT).every((v) => v.ok);
    return ok ? 0 : 1;
  } finally {
    await store.close().catch(() => {});
    await cleanup();
  }
}

async function signIn(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 200) throw new Error(`sign-in of ${username} answered ${r.status}: ${await r.text()}`);
  const m = /onescreen_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '');
  if (!m) throw new Error('sign-in set no session cookie');
  return m[0];
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
