/**
 * @module bench/ingest.bench
 * `npm run bench`: ingest → wall throughput and latency of OneScreen, next to a bare Socket.IO
 * relay (the floor), measured in the same run on the same machine. See bench/README.md.
 * `npm run bench -- clients` (or `BENCH_MODE=clients`) runs the many-client mode instead:
 * bench/clients.bench.ts. `npm run bench -- profile <dir>` prints where profiled servers spent their
 * CPU (bench/profile.ts).
 *
 * Processes: this one (load generator + report), bench/server-child.ts (OneScreen),
 * bench/relay-child.ts (the relay), bench/clients-child.ts (the socket.io clients of both).
 *
 * Environment:
 *   BENCH_SECONDS        duration of each step (default 4)
 *   BENCH_CLIENTS        socket.io clients per target (default 20)
 *   BENCH_WORKERS        concurrent HTTP posters (default 4)
 *   BENCH_EVENT_RATES    events/s steps (default 50,200,800,2000), batches of BENCH_EVENT_BATCH (50)
 *   BENCH_READING_RATES  readings/s steps (default 1000,5000,20000), batches of BENCH_READING_BATCH (500)
 *   BENCH_TARGETS        which targets, in order (default relay,onescreen)
 *   BENCH_SERVER_NODE_ARGS  extra node flags for the OneScreen child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, startChild, stopChildren, stopChildrenOnExit, usageMeter, type Child, type UsageSample } from './lib/child.ts';
import { pointPool, rng } from './lib/geo.ts';
import { httpClient, nowMs, runPaced, type Batch, type PostResult } from './lib/load.ts';
import { fmt, fmtInt, percentiles, ratio, table, type Pcts } from './lib/stats.ts';

// ── the other mode: many street walls (`npm run bench -- clients`) ────────
const env = process.env;
const MODE = env.BENCH_MODE || process.argv[2] || 'ingest';
if (MODE === 'clients') await (await import('./clients.bench.ts')).run(); // exits when done
else if (MODE === 'profile') {
  (await import('./profile.ts')).run(process.argv.slice(3));
  process.exit(0);
} else if (MODE === 'wall-cpu') {
  await import('./wall-cpu.ts');
  process.exit(0);
} else if (MODE !== 'ingest') {
  console.error(`unknown benchmark mode ${JSON.stringify(MODE)}: use ingest (the default), clients, profile or wall-cpu`);
  process.exit(2);
}

// ── configuration ─────────────────────────────────────────────────────────
const num = (name: string, dflt: number) => {
  const v = Number(env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const list = (name: string, dflt: string) =>
  (env[name] ?? dflt)
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n) && n > 0);
const SECONDS = num('BENCH_SECONDS', 4);
const CLIENTS = Math.round(num('BENCH_CLIENTS', 20));
const WORKERS = Math.round(num('BENCH_WORKERS', 4));
const EVENT_BATCH = Math.round(num('BENCH_EVENT_BATCH', 50));
const READING_BATCH = Math.round(num('BENCH_READING_BATCH', 500));
const EVENT_RATES = list('BENCH_EVENT_RATES', '50,200,800,2000');
const READING_RATES = list('BENCH_READING_RATES', '1000,5000,20000');
const TARGETS = (env.BENCH_TARGETS ?? 'relay,onescreen').split(',').map((s) => s.trim()) as TargetName[];
const SERVER_NODE_ARGS = (env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

type TargetName = 'relay' | 'onescreen';
type Kind = 'events' | 'readings';

const GRID_INDICATORS = ['fire_alarms', 'elevator_faults', 'hazmat_anomalies', 'traffic_violations', 'food_safety_alerts', 'illegal_construction'];
// indicators fed by readings (the closed loop's rates and the 12345 volume are derived by the server and refused)
const STREET_INDICATORS = ['pm25', 'online_handling_rate', 'public_opinion'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const categories = (JSON.parse(readFileSync(join(REPO_ROOT, 'data/event-categories.json'), 'utf8')) as { code: string }[]).map((c) => c.code);

const runId = `b${Date.now().toString(36)}`;
const iso = (ms: number) => new Date(ms).toISOString();
const log = (s: string) => process.stderr.write(`${s}\n`);

// ── children and cleanup ──────────────────────────────────────────────────
interface Target {
  name: TargetName;
  child: Child<{ port: number; url: string; ingestKey?: string; pid: number }>;
  http: ReturnType<typeof httpClient>;
  headers: Record<string, string>;
}

const cleanup = stopChildren;
stopChildrenOnExit(log);

// ── one step ──────────────────────────────────────────────────────────────
interface Usage extends UsageSample {
  rssMb?: number;
  errors?: string[];
}

interface StepResult {
  target: TargetName;
  kind: Kind;
  rate: number;
  sentPerSec: number;
  acceptedPerSec: number;
  accepted: number;
  created: number;
  rejected: number;
  /** events the server placed in another grid than the local AreaTree.locate did */
  misplaced: number;
  rejectCodes: Record<string, number>;
  httpErrors: Record<string, number>;
  http: Pcts;
  /** ingest → every client (all deliveries) */
  e2e: Pcts;
  /** ingest → the first client to get it (per event or batch) */
  first: Pcts;
  unreflected: number;
  perClientMin: number;
  perClientMax: number;
  expectedPerClient: number;
  lost: number;
  clientsWithLoss: number;
  gaps: number;
  dups: number;
  disconnects: number;
  disconnectReasons: string[];
  updatesPerClient: number;
  lateStarts: number;
  batches: number;
  server: Usage;
  clients: Usage;
  /** this process: the load generator */
  gen: Usage;
  drainMs: number;
}

const pool = pointPool();
const rand = rng(11);
let cursor = 0;
const nextPoint = () => pool.points[cursor++ % pool.points.length]!;

function eventBatch(tag: string, i: number, sentAt: number): Batch {
  const stamp = sentAt.toFixed(3);
  const at = iso(sentAt);
  const events = [];
  const grids: string[] = [];
  for (let k = 0; k < EVENT_BATCH; k++) {
    const p = nextPoint();
    grids.push(p.gridId);
    events.push({
      source: 'bench',
      externalId: `${tag}${i}.${k}@${stamp}`,
      category: categories[(i + k) % categories.length]!,
      title: `bench event ${i}.${k}`,
      description: 'posted by bench/ingest.bench.ts',
      lng: p.lng,
      lat: p.lat,
      occurredAt: at,
      severity: SEVERITIES[k % SEVERITIES.length]!,
    });
  }
  return { body: JSON.stringify({ events }), items: EVENT_BATCH, sentAt, grids };
}

function readingBatch(sentAt: number): Batch {
  const at = iso(Math.floor(sentAt)); // whole ms: the marker the clients compare against
  const readings = [];
  for (let k = 0; k < READING_BATCH; k++) {
    if (k % 10 === 9) {
      // one in ten for a street, by area id
      readings.push({ indicator: STREET_INDICATORS[k % STREET_INDICATORS.length]!, value: Math.round(rand() * 80), at, areaId: pool.streetIds[k % pool.streetIds.length]! });
    } else {
      const p = nextPoint();
      readings.push({ indicator: GRID_INDICATORS[k % GRID_INDICATORS.length]!, value: Math.round(rand() * 50), at, lng: p.lng, lat: p.lat });
    }
  }
  return { body: JSON.stringify({ readings }), items: READING_BATCH, sentAt };
}

let stepSerial = 0;
const genUsage = usageMeter();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runStep(t: Target, clients: Child<{ pid: number }>, kind: Kind, rate: number, seconds: number): Promise<StepResult> {
  const tag = `${runId}.${t.name}.${++stepSerial}.`; // unique per step, whatever the rates
  const batchSize = kind === 'events' ? EVENT_BATCH : READING_BATCH;
  const path = kind === 'events' ? '/api/v1/events' : '/api/v1/readings';
  await clients.request({ cmd: 'begin', group: t.name, tag });
  await t.child.request({ cmd: 'usage' });
  await clients.request({ cmd: 'usage' });
  genUsage();

  const run = await runPaced({
    rate,
    batchSize,
    seconds,
    workers: WORKERS,
    make: (i, sentAt) => (kind === 'events' ? eventBatch(tag, i, sentAt) : readingBatch(sentAt)),
    send: (b: Batch): Promise<PostResult> => t.http.post(path, b.body, t.headers, b.sentAt),
  });
  const server = await t.child.request<Usage>({ cmd: 'usage' });
  const clientUsage = await clients.request<Usage>({ cmd: 'usage' });
  const gen = genUsage();

  // tally the answers
  let accepted = 0;
  let created = 0;
  let rejected = 0;
  let misplaced = 0;
  const rejectCodes: Record<string, number> = {};
  const httpErrors: Record<string, number> = {};
  const batchAts: number[] = [];
  for (const { res, sentAt, grids } of run.results) {
    if (res.status !== 200) {
      const code = res.error ?? `${res.status} ${res.body?.error?.code ?? ''}`.trim();
      httpErrors[code] = (httpErrors[code] ?? 0) + 1;
      continue;
    }
    const b = res.body as { accepted: number; rejected: number; results?: { index: number; status: string; gridId?: string; error?: { code: string } }[] };
    accepted += b.accepted;
    rejected += b.rejected;
    if (b.accepted > 0) batchAts.push(Math.floor(sentAt));
    if (b.results) {
      for (const r of b.results) {
        if (r.status === 'created') created++;
        if (grids && r.gridId !== undefined && r.gridId !== grids[r.index]) misplaced++;
        if (r.status === 'rejected') rejectCodes[r.error?.code ?? '?'] = (rejectCodes[r.error?.code ?? '?'] ?? 0) + 1;
        if (r.status === 'duplicate') rejectCodes.duplicate = (rejectCodes.duplicate ?? 0) + 1;
      }
    } else created += b.accepted; // the relay "creates" whatever it is sent
  }

  // let the clients catch up: every client has every created event, or every batch's readings
  const drainStart = nowMs();
  const newestAt = batchAts.length ? Math.max(...batchAts) : 0;
  let best = -1;
  let lastProgress = nowMs();
  for (;;) {
    const p = await clients.request<{ min: number; max: number; minMarker: number }>({ cmd: 'progress', group: t.name });
    const done = kind === 'events' ? p.min >= created : p.minMarker >= newestAt;
    if (done) break;
    const score = kind === 'events' ? p.min : p.minMarker;
    if (score > best) {
      best = score;
      lastProgress = nowMs();
    }
    if (nowMs() - lastProgress > 3000 || nowMs() - drainStart > 20_000) break;
    await sleep(50);
  }
  const drainMs = nowMs() - drainStart;
  const c = await clients.request<{
    perClient: number[];
    dups: number;
    gaps: number;
    updates: number[];
    disconnects: number;
    disconnectReasons: string[];
    eventLatency: Pcts;
    firstLatency: Pcts;
    readingLatency: Pcts;
    readingFirst: Pcts;
    unreflected: number;
  }>({ cmd: 'collect', group: t.name, batchAts: kind === 'readings' ? batchAts : [] });

  // the schedule spans the whole step; a saturated target answers its last batch after it
  const elapsed = Math.max(run.lastAnswer - run.t0, seconds * 1000) / 1000;
  const expected = kind === 'events' ? created : 0;
  return {
    target: t.name,
    kind,
    rate,
    sentPerSec: run.sentItems / elapsed,
    acceptedPerSec: accepted / elapsed,
    accepted,
    created,
    rejected,
    misplaced,
    rejectCodes,
    httpErrors,
    http: percentiles(run.results.map((r) => r.res.ms)),
    e2e: kind === 'events' ? c.eventLatency : c.readingLatency,
    first: kind === 'events' ? c.firstLatency : c.readingFirst,
    unreflected: c.unreflected,
    perClientMin: Math.min(...c.perClient),
    perClientMax: Math.max(...c.perClient),
    expectedPerClient: expected,
    lost: kind === 'events' ? c.perClient.reduce((a, n) => a + Math.max(0, expected - n), 0) : 0,
    clientsWithLoss: kind === 'events' ? c.perClient.filter((n) => n < expected).length : 0,
    gaps: c.gaps,
    dups: c.dups,
    disconnects: c.disconnects,
    disconnectReasons: c.disconnectReasons,
    updatesPerClient: c.updates.reduce((a, n) => a + n, 0) / Math.max(1, c.updates.length),
    lateStarts: run.lateStarts,
    batches: run.batches,
    server,
    clients: clientUsage,
    gen,
    drainMs,
  };
}

// ── report ────────────────────────────────────────────────────────────────
const HEADER = ['target', 'target/s', 'accepted/s', 'rej', 'http p50', 'http p99', '1st p50', '1st p99', 'all p50', 'all p99', 'all max', 'recv/client', 'lost', 'gaps', 'srv CPU', 'srv main', 'srv runq', 'srv ELU', 'cli CPU', 'gen CPU'];

function row(r: StepResult): string[] {
  const perClient =
    r.kind === 'events' ? `${fmtInt(r.perClientMin)}/${fmtInt(r.expectedPerClient)}` : `${fmt(r.updatesPerClient, 0)} upd`;
  const ms = (x: number) => `${fmt(x)} ms`;
  return [
    r.target,
    fmtInt(r.rate),
    fmtInt(r.acceptedPerSec),
    fmtInt(r.rejected + Object.values(r.httpErrors).reduce((a, n) => a + n, 0) * (r.kind === 'events' ? EVENT_BATCH : READING_BATCH)),
    ms(r.http.p50),
    ms(r.http.p99),
    ms(r.first.p50),
    ms(r.first.p99),
    ms(r.e2e.p50),
    ms(r.e2e.p99),
    ms(r.e2e.max),
    perClient,
    fmtInt(r.lost),
    fmtInt(r.gaps),
    `${fmt(r.server.cpuPct, 0)}%`,
    `${fmt(r.server.mainCpuPct, 0)}%`,
    `${fmt(r.server.runqPct, 0)}%`,
    `${fmt(r.server.elu * 100, 0)}%`,
    `${fmt(r.clients.cpuPct, 0)}%`,
    `${fmt(r.gen.cpuPct, 0)}%`,
  ];
}

function ratioRow(os: StepResult | undefined, relay: StepResult | undefined): string[] {
  if (!os || !relay) return [];
  return [
    'OneScreen/relay',
    '',
    ratio(os.acceptedPerSec, relay.acceptedPerSec),
    '',
    ratio(os.http.p50, relay.http.p50),
    ratio(os.http.p99, relay.http.p99),
    ratio(os.first.p50, relay.first.p50),
    ratio(os.first.p99, relay.first.p99),
    ratio(os.e2e.p50, relay.e2e.p50),
    ratio(os.e2e.p99, relay.e2e.p99),
    '',
    '',
    '',
    '',
    ratio(os.server.cpuPct, relay.server.cpuPct),
    '',
    '',
    '',
    '',
    '',
  ];
}

function notes(r: StepResult): string[] {
  const out: string[] = [];
  if (r.rejected) out.push(`${r.target}: ${r.rejected} items rejected ${JSON.stringify(r.rejectCodes)}`);
  else if (Object.keys(r.rejectCodes).length) out.push(`${r.target}: ${JSON.stringify(r.rejectCodes)}`);
  if (r.misplaced) out.push(`${r.target}: ${r.misplaced} events placed in another grid than expected`);
  if (Object.keys(r.httpErrors).length) out.push(`${r.target}: HTTP errors ${JSON.stringify(r.httpErrors)}`);
  if (r.lost) out.push(`${r.target}: ${r.lost} event deliveries missing over ${r.clientsWithLoss}/${CLIENTS} clients (after ${fmt(r.drainMs, 0)} ms drain)`);
  if (r.gaps) out.push(`${r.target}: ${r.gaps} seq gaps seen by clients`);
  if (r.dups) out.push(`${r.target}: ${r.dups} duplicate deliveries`);
  if (r.disconnects) out.push(`${r.target}: ${r.disconnects} client disconnects (${r.disconnectReasons.join(', ')})`);
  if (r.unreflected) out.push(`${r.target}: ${r.unreflected} (client, batch) pairs never reflected in an indicator:update`);
  if (r.server.errors?.length) out.push(`${r.target}: server logged errors: ${r.server.errors.slice(0, 3).join(' | ')}`);
  if (r.server.runqPct > 20) out.push(`${r.target}: machine contention — its main thread waited for a core ${fmt(r.server.runqPct, 0)}% of the time; this step's figures are unreliable`);
  if (r.acceptedPerSec < r.rate * 0.9) out.push(`${r.target}: saturated — ${fmtInt(r.acceptedPerSec)}/s of ${fmtInt(r.rate)}/s target with ${WORKERS} workers (${r.lateStarts}/${r.batches} batches started late)`);
  return out;
}

// ── main ──────────────────────────────────────────────────────────────────
async function main(): Promise<void> {
  const started = nowMs();
  const cpu = cpus();
  const machine = [
    `date:    ${new Date().toISOString()}`,
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, ${platform()} ${release()}, load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `node:    ${process.version}`,
    `run:     ${SECONDS}s per step, ${CLIENTS} clients per target, ${WORKERS} HTTP workers, events in batches of ${EVENT_BATCH}, readings in batches of ${READING_BATCH}`,
    `geo:     ${pool.points.length} points in ${pool.grids} grids of district ${pool.districtId}`,
  ];

  log('starting the OneScreen server, the relay and the clients…');
  const [server, relay, clients] = await Promise.all([
    startChild<{ port: number; url: string; ingestKey: string; cookies: string[]; pid: number; flushPerSec: number; districtId: string }>('onescreen', 'bench/server-child.ts', { nodeArgs: SERVER_NODE_ARGS, env: { BENCH_SESSIONS: String(CLIENTS) } }),
    startChild<{ port: number; url: string; pid: number }>('relay', 'bench/relay-child.ts', { env: { BENCH_DISTRICT_ID: pool.districtId } }),
    startChild<{ pid: number }>('clients', 'bench/clients-child.ts', { env: { BENCH_DISTRICT_ID: pool.districtId } }),
  ]);
  machine.push(
    `targets: onescreen ${server.ready.url} (pid ${server.pid}, indicator flush ${server.ready.flushPerSec}/s), relay ${relay.ready.url} (pid ${relay.pid}), clients pid ${clients.pid}, load generator pid ${process.pid}`,
  );
  const targets = new Map<TargetName, Target>([
    ['onescreen', { name: 'onescreen', child: server, http: httpClient(server.ready.url, WORKERS), headers: { authorization: `Bearer ${server.ready.ingestKey}` } }],
    ['relay', { name: 'relay', child: relay, http: httpClient(relay.ready.url, WORKERS), headers: {} }],
  ]);
  const order = TARGETS.filter((n) => targets.has(n));
  if (!order.length) throw new Error('BENCH_TARGETS names no target (relay, onescreen)');

  for (const name of order) {
    const t = targets.get(name)!;
    const r = await clients.request<{ connected: number; ms: number }>({
      cmd: 'connect',
      group: name,
      url: t.child.ready.url,
      n: CLIENTS,
      auth: name === 'onescreen' ? { areaId: pool.districtId } : {},
      ...(name === 'onescreen' ? { cookies: server.ready.cookies } : {}),
      waitSnapshot: name === 'onescreen',
    });
    log(`${name}: ${r.connected} clients connected in ${fmt(r.ms, 0)} ms`);
  }

  // warm-up (JIT, SQLite page cache, connections): not reported, but its rejects are
  for (const name of order) {
    const t = targets.get(name)!;
    for (const [kind, rate] of [['events', 500], ['readings', 5000]] as const) {
      const r = await runStep(t, clients, kind, rate, Math.min(1, SECONDS));
      const n = notes(r).filter((s) => !s.includes('saturated'));
      log(`warm-up ${name} ${kind}: ${fmtInt(r.acceptedPerSec)}/s accepted${n.length ? ` — ${n.join('; ')}` : ''}`);
    }
  }

  console.log(`\nOneScreen ingest benchmark\n${machine.join('\n')}\n`);
  const all: StepResult[][] = [];
  let stepNo = 0;
  const plan: [Kind, number][] = [...EVENT_RATES.map((r) => ['events', r] as [Kind, number]), ...READING_RATES.map((r) => ['readings', r] as [Kind, number])];
  for (const [kind, rate] of plan) {
    // alternate which target goes first, so slow drift of the machine does not favour one
    const stepOrder = stepNo++ % 2 === 0 ? order : [...order].reverse();
    const results: StepResult[] = [];
    for (const name of stepOrder) {
      log(`step: ${name} ${kind} at ${rate}/s for ${SECONDS}s…`);
      results.push(await runStep(targets.get(name)!, clients, kind, rate, SECONDS));
    }
    results.sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target));
    all.push(results);
    const unit = kind === 'events' ? 'events' : 'readings';
    console.log(`── ${unit} at ${fmtInt(rate)}/s (batches of ${kind === 'events' ? EVENT_BATCH : READING_BATCH}, ${SECONDS}s) ${kind === 'readings' ? '— e2e = POST → first indicator:update reflecting the batch' : '— e2e = POST → event:upsert at the client'}`);
    const os = results.find((r) => r.target === 'onescreen');
    const rl = results.find((r) => r.target === 'relay');
    const rows = results.map(row);
    const rr = ratioRow(os, rl);
    if (rr.length) rows.push(rr);
    console.log(table(HEADER, rows));
    for (const n of results.flatMap(notes)) console.log(`  ! ${n}`);
    console.log('');
  }

  // summary
  console.log('── summary: OneScreen / relay, same run (>1× means OneScreen is slower for latency, <1× lower for throughput)');
  const sumRows: string[][] = [];
  for (const results of all) {
    const { kind, rate } = results[0]!;
    const os = results.find((r) => r.target === 'onescreen');
    const rl = results.find((r) => r.target === 'relay');
    const lost = (r?: StepResult) => (r ? `${fmtInt(r.lost)}` : '–');
    sumRows.push([
      `${kind} ${fmtInt(rate)}/s`,
      os ? fmtInt(os.acceptedPerSec) : '–',
      rl ? fmtInt(rl.acceptedPerSec) : '–',
      os && rl ? ratio(os.acceptedPerSec, rl.acceptedPerSec) : '–',
      os && rl ? ratio(os.http.p50, rl.http.p50) : '–',
      os && rl ? ratio(os.http.p99, rl.http.p99) : '–',
      os && rl ? ratio(os.first.p50, rl.first.p50) : '–',
      os && rl ? ratio(os.first.p99, rl.first.p99) : '–',
      os && rl ? ratio(os.e2e.p50, rl.e2e.p50) : '–',
      os && rl ? ratio(os.e2e.p99, rl.e2e.p99) : '–',
      `${lost(os)} / ${lost(rl)}`,
      os ? `${fmt(os.server.cpuPct, 0)}%` : '–',
    ]);
  }
  console.log(
    table(['step', 'OneScreen acc/s', 'relay acc/s', 'throughput', 'http p50', 'http p99', '1st p50', '1st p99', 'all p50', 'all p99', 'lost (os/relay)', 'OneScreen CPU'], sumRows),
  );
  const flat = all.flat();
  const rejects = flat.reduce((a, r) => a + r.rejected, 0);
  const losses = flat.reduce((a, r) => a + r.lost, 0);
  const httpErrs = flat.reduce((a, r) => a + Object.values(r.httpErrors).reduce((x, n) => x + n, 0), 0);
  console.log(`\nrejected items: ${rejects}, HTTP errors: ${httpErrs}, lost deliveries: ${losses}; total ${fmt((nowMs() - started) / 1000, 0)} s`);

  await clients.request({ cmd: 'close' }).catch(() => undefined);
  for (const t of targets.values()) t.http.close();
}


try {
  await main();
  await cleanup();
  process.exit(0);
} catch (err) {
  console.error('\nbenchmark failed:', (err as Error).stack ?? err);
  await cleanup();
  process.exit(1);
}
