/**
 * @module bench/clients.bench
 * `npm run bench -- clients` (or `BENCH_MODE=clients npm run bench`): many street walls, the
 * benchmark of issue 10 §4. N socket clients (default 500) spread evenly over the district's street
 * rooms, OneScreen's signed in as street officers; events posted at a fixed rate (default 1,000/s in
 * batches of 100) and then saturated (default 200 clients, posters sending as fast as answers come
 * back); OneScreen and the bare Socket.IO relay alternated in the same run. See bench/README.md.
 *
 * Processes: this one (load generator + report), bench/server-child.ts (OneScreen, one per node),
 * bench/relay-child.ts (the relay), `BENCH_CLIENT_PROCS` × bench/wall-clients-child.ts (the walls).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_SOCKETS_PER_SESSION } from '../server/realtime/socket.ts';
import { killPid, REPO_ROOT, startChild, stopChildren, stopChildrenOnExit, usageMeter, type Child, type UsageSample } from './lib/child.ts';
import { pointPool } from './lib/geo.ts';
import { histogramPercentiles, mergeWire, newHistogram } from './lib/histogram.ts';
import { httpClient, nowMs, runPaced, type Batch, type PostResult } from './lib/load.ts';
import { fmt, fmtInt, percentiles, ratio, table, type Pcts } from './lib/stats.ts';
import { printProfiles } from './profile.ts';

// ── configuration ─────────────────────────────────────────────────────────
const env = process.env;
function num(name: string, dflt: number, integer = true): number {
  const v = Number(env[name] || dflt);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'} (got ${JSON.stringify(env[name])})`);
  return v;
}
function names<T extends string>(name: string, dflt: string, allowed: readonly T[]): T[] {
  const out = (env[name] || dflt).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = out.filter((s) => !allowed.includes(s as T));
  if (bad.length || !out.length) throw new Error(`${name} must list some of ${allowed.join(', ')} (got ${JSON.stringify(env[name])})`);
  return out as T[];
}

type TargetName = 'relay' | 'onescreen';
type StepKind = 'fixed' | 'saturated';

const CLIENTS = num('BENCH_CLIENTS', 500);
const SAT_CLIENTS = Math.min(CLIENTS, num('BENCH_SATURATED_CLIENTS', 200));
const RATE = num('BENCH_EVENT_RATE', 1000, false);
const BATCH = num('BENCH_EVENT_BATCH', 100);
const SECONDS = num('BENCH_SECONDS', 8, false);
const WORKERS = num('BENCH_WORKERS', 4);
const PROCS = num('BENCH_CLIENT_PROCS', 3);
const NODES = num('BENCH_NODES', 1);
const ROUNDS = num('BENCH_ROUNDS', 1);
const STEPS = names<StepKind>('BENCH_STEPS', 'fixed,saturated', ['fixed', 'saturated']);
const TARGETS = names<TargetName>('BENCH_TARGETS', 'relay,onescreen', ['relay', 'onescreen']);
const SERVER_NODE_ARGS = (env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** BENCH_PROFILE=<dir>: CPU profiles of every server process during each step (start-up and sign-in left out), summarised at the end */
const PROFILE_DIR = env.BENCH_PROFILE ? resolve(env.BENCH_PROFILE) : '';
/** profile files written, by `<target> <step>` */
const profiles = new Map<string, string[]>();
/** extra node flags for the relay, e.g. to profile it next to OneScreen (`npm run bench -- profile`) */
const RELAY_NODE_ARGS = (env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** live sockets a session may hold: the production cap, kept — the walls use several sessions per street */
const CAP = MAX_SOCKETS_PER_SESSION;

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const categories = (JSON.parse(readFileSync(join(REPO_ROOT, 'data/event-categories.json'), 'utf8')) as { code: string }[]).map((c) => c.code);
const runId = `c${Date.now().toString(36)}`;
const log = (s: string) => process.stderr.write(`${s}\n`);

// ── the processes ─────────────────────────────────────────────────────────
interface ServerReady {
  port: number;
  url: string;
  pid: number;
  ingestKey?: string;
  officers?: { streetId: string; username: string; password: string }[];
  flushPerSec?: number;
}
interface Usage extends UsageSample {
  rssMb: number;
  heapMb: number;
  errors?: string[];
}
interface Target {
  name: TargetName;
  /** OneScreen: one per node; the relay: one */
  nodes: { child: Child<ServerReady>; http: ReturnType<typeof httpClient> }[];
  headers: Record<string, string>;
  /** the walls' connection details, by global client index */
  walls: { url: string; cookie?: string }[];
  /** server memory per client when its walls connected (KiB), summed over nodes: RSS, and V8 heap in use */
  kibPerClient: number;
  heapKibPerClient: number;
}

/** sum CPU over nodes; the busiest node's loop and run queue */
async function nodeUsage(t: Target, gc = false): Promise<Usage> {
  const us = await Promise.all(t.nodes.map((n) => n.child.request<Usage>({ cmd: 'usage', gc })));
  return {
    cpuPct: us.reduce((a, u) => a + u.cpuPct, 0),
    mainCpuPct: us.reduce((a, u) => a + u.mainCpuPct, 0),
    elu: Math.max(...us.map((u) => u.elu)),
    runqPct: Math.max(...us.map((u) => u.runqPct)),
    wallMs: us[0]!.wallMs,
    rssMb: us.reduce((a, u) => a + u.rssMb, 0),
    heapMb: us.reduce((a, u) => a + u.heapMb, 0),
    errors: us.flatMap((u) => u.errors ?? []),
  };
}

/** sign in over HTTP as a browser would (the Origin must be the server's own) and return the cookie */
async function login(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`sign-in of ${username} at ${url} answered ${r.status}: ${await r.text()}`);
  const m = /onescreen_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
  if (!m) throw new Error(`sign-in of ${username} set no session cookie`);
  return `onescreen_session=${m[1]}`;
}

// ── the walls: client i watches street i mod S, from client process i mod P ─
const pool = pointPool();
const streets = pool.streetIds;
const streetIdx = new Map(streets.map((s, k) => [s, k]));
const S = streets.length;
const streetOfClient = (i: number) => i % S;
/** walls per street among the first n clients */
const wallsPerStreet = (n: number) => streets.map((_, s) => Math.floor(n / S) + (s < n % S ? 1 : 0));

// ── one step ──────────────────────────────────────────────────────────────
interface StepResult {
  target: TargetName;
  kind: StepKind;
  clients: number;
  rate: number;
  accepted: number;
  acceptedPerSec: number;
  created: number;
  rejected: number;
  rejectCodes: Record<string, number>;
  misplaced: number;
  httpErrors: Record<string, number>;
  http: Pcts;
  e2e: Pcts;
  first: Pcts;
  deliveries: number;
  expected: number;
  deliveriesPerSec: number;
  lost: number;
  clientsWithLoss: number;
  /** deliveries of events a wall's street did not have (or not created) */
  foreign: number;
  gaps: number;
  backwards: number;
  dups: number;
  changes: number;
  disconnects: number;
  disconnectReasons: string[];
  server: Usage;
  clientCpu: number[];
  gen: UsageSample;
  drainMs: number;
  lateStarts: number;
  batches: number;
  kibPerClient: number;
}

interface Collected {
  idx: number[];
  counts: number[];
  seen: string[];
  hist: { pairs: number[]; n: number; max: number };
  first: number[];
  lastRecv: number;
  gaps: number;
  backwards: number;
  dups: number;
  changes: number;
  late: number;
  disconnects: number;
  disconnectReasons: string[];
  connected: number;
}

let stepSerial = 0;
let cursor = 0;
const genUsage = usageMeter();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runStep(t: Target, procs: Child<{ pid: number }>[], kind: StepKind, clients: number, seconds: number): Promise<StepResult> {
  const tag = `${runId}.${t.name}.${++stepSerial}.`;
  await Promise.all(procs.map((p) => p.request({ cmd: 'begin', group: t.name, tag })));
  if (PROFILE_DIR) await Promise.all(t.nodes.map((n) => n.child.request({ cmd: 'profileStart' })));
  await nodeUsage(t);
  await Promise.all(procs.map((p) => p.request({ cmd: 'usage' })));
  genUsage();

  /** the street of event n of this step (index into `streets`) */
  const eventStreet: number[] = [];
  let rr = 0;
  const run = await runPaced({
    rate: kind === 'fixed' ? RATE : Infinity,
    batchSize: BATCH,
    seconds,
    workers: WORKERS,
    make(i, sentAt): Batch {
      const stamp = sentAt.toFixed(3);
      const at = new Date(sentAt).toISOString();
      const events = [];
      const grids: string[] = [];
      for (let k = 0; k < BATCH; k++) {
        const p = pool.points[cursor++ % pool.points.length]!;
        const n = i * BATCH + k;
        eventStreet[n] = streetIdx.get(p.streetId)!;
        grids.push(p.gridId);
        events.push({
          source: 'bench',
          externalId: `${tag}${n}@${stamp}`,
          category: categories[n % categories.length]!,
          title: `bench event ${n}`,
          description: 'posted by bench/clients.bench.ts',
          lng: p.lng,
          lat: p.lat,
          occurredAt: at,
          severity: SEVERITIES[k % SEVERITIES.length]!,
          // the relay has no placement: it is told the street (OneScreen places the point itself)
          ...(t.name === 'relay' ? { street: p.streetId } : {}),
        });
      }
      return { body: JSON.stringify({ events }), items: BATCH, sentAt, grids, first: i * BATCH };
    },
    // posters spread over the nodes, batch by batch
    send: (b: Batch): Promise<PostResult> => t.nodes[rr++ % t.nodes.length]!.http.post('/api/v1/events', b.body, t.headers, b.sentAt),
  });
  const server = await nodeUsage(t);
  const clientUsage = await Promise.all(procs.map((p) => p.request<UsageSample>({ cmd: 'usage' })));
  const gen = genUsage();

  // tally the answers: which events exist, in which street
  let accepted = 0;
  let rejected = 0;
  let misplaced = 0;
  const rejectCodes: Record<string, number> = {};
  const httpErrors: Record<string, number> = {};
  const created = new Uint8Array(eventStreet.length);
  const perStreet = new Array<number>(S).fill(0);
  for (const { res, grids, first } of run.results) {
    if (res.status !== 200) {
      const code = res.error ?? `${res.status} ${res.body?.error?.code ?? ''}`.trim();
      httpErrors[code] = (httpErrors[code] ?? 0) + 1;
      continue;
    }
    const b = res.body as { accepted: number; rejected: number; results?: { index: number; status: string; gridId?: string; error?: { code: string } }[] };
    accepted += b.accepted;
    rejected += b.rejected;
    const mark = (k: number) => {
      const n = first! + k;
      created[n] = 1;
      perStreet[eventStreet[n]!]!++;
    };
    if (b.results) {
      for (const r of b.results) {
        if (r.status === 'created') mark(r.index);
        if (grids && r.gridId !== undefined && r.gridId !== grids[r.index]) misplaced++;
        if (r.status === 'rejected') rejectCodes[r.error?.code ?? '?'] = (rejectCodes[r.error?.code ?? '?'] ?? 0) + 1;
        if (r.status === 'duplicate') rejectCodes.duplicate = (rejectCodes.duplicate ?? 0) + 1;
      }
    } else for (let k = 0; k < b.accepted; k++) mark(k); // the relay "creates" whatever it is sent
  }
  const expectedOf = (i: number) => perStreet[streetOfClient(i)]!;
  const expected = wallsPerStreet(clients).reduce((a, w, s) => a + w * perStreet[s]!, 0);

  // let the walls catch up: every wall has every event of its street, or nothing moved for 3 s
  const drainStart = nowMs();
  let best = -1;
  let lastProgress = nowMs();
  for (;;) {
    const ps = await Promise.all(procs.map((p) => p.request<{ idx: number[]; counts: number[] }>({ cmd: 'progress', group: t.name })));
    let missing = 0;
    let got = 0;
    for (const p of ps) {
      p.idx.forEach((i, k) => {
        missing += Math.max(0, expectedOf(i) - p.counts[k]!);
        got += p.counts[k]!;
      });
    }
    if (missing === 0) break;
    if (got > best) {
      best = got;
      lastProgress = nowMs();
    }
    if (nowMs() - lastProgress > 3000 || nowMs() - drainStart > 30_000) break;
    await sleep(50);
  }
  const drainMs = nowMs() - drainStart;
  if (PROFILE_DIR) {
    const files = await Promise.all(
      t.nodes.map((n, k) => n.child.request<string>({ cmd: 'profileStop', file: join(PROFILE_DIR, `${runId}.${t.name}.${kind}.${stepSerial}.node${k + 1}.cpuprofile`) })),
    );
    profiles.set(`${t.name} ${kind}`, [...(profiles.get(`${t.name} ${kind}`) ?? []), ...files]);
  }

  const cs = await Promise.all(procs.map((p) => p.request<Collected>({ cmd: 'collect', group: t.name })));
  const hist = newHistogram();
  const firstOf = new Float64Array(eventStreet.length).fill(Infinity);
  let lastRecv = 0;
  let deliveries = 0;
  let lost = 0;
  let foreign = 0;
  let clientsWithLoss = 0;
  for (const c of cs) {
    mergeWire(hist, c.hist);
    c.first.forEach((x, n) => {
      if (x >= 0 && x < firstOf[n]!) firstOf[n] = x;
    });
    lastRecv = Math.max(lastRecv, c.lastRecv);
    // each wall's own set of events against its street's: exact loss and misdirection
    c.idx.forEach((i, k) => {
      deliveries += c.counts[k]!;
      const seen = Buffer.from(c.seen[k]!, 'base64');
      const s = streetOfClient(i);
      let missed = 0;
      for (let n = 0; n < eventStreet.length; n++) {
        const has = n >> 3 < seen.length && (seen[n >> 3]! & (1 << (n & 7))) !== 0;
        const should = created[n] === 1 && eventStreet[n] === s;
        if (should && !has) missed++;
        else if (has && !should) foreign++;
      }
      for (let n = eventStreet.length; n < seen.length * 8; n++) if (seen[n >> 3]! & (1 << (n & 7))) foreign++;
      lost += missed;
      if (missed) clientsWithLoss++;
    });
  }
  const firsts = [...firstOf].filter((x, n) => created[n] === 1 && x < Infinity);

  // the schedule spans the whole step; a saturated target answers (and delivers) after it
  const elapsed = Math.max(run.lastAnswer - run.t0, seconds * 1000) / 1000;
  const deliveredOver = Math.max(lastRecv - run.t0, seconds * 1000) / 1000;
  return {
    target: t.name,
    kind,
    clients,
    rate: kind === 'fixed' ? RATE : NaN,
    accepted,
    acceptedPerSec: accepted / elapsed,
    created: created.reduce((a, x) => a + x, 0),
    rejected,
    rejectCodes,
    misplaced,
    httpErrors,
    http: percentiles(run.results.map((r) => r.res.ms)),
    e2e: histogramPercentiles(hist),
    first: percentiles(firsts),
    deliveries,
    expected,
    deliveriesPerSec: deliveries / deliveredOver,
    lost,
    clientsWithLoss,
    foreign,
    gaps: cs.reduce((a, c) => a + c.gaps, 0),
    backwards: cs.reduce((a, c) => a + c.backwards, 0),
    dups: cs.reduce((a, c) => a + c.dups, 0),
    changes: cs.reduce((a, c) => a + c.changes, 0),
    disconnects: cs.reduce((a, c) => a + c.disconnects, 0),
    disconnectReasons: [...new Set(cs.flatMap((c) => c.disconnectReasons))],
    server,
    clientCpu: clientUsage.map((u) => u.cpuPct),
    gen,
    drainMs,
    lateStarts: run.lateStarts,
    batches: run.batches,
    kibPerClient: t.kibPerClient,
  };
}

// ── report ────────────────────────────────────────────────────────────────
const HEADER = ['target', 'clients', 'target/s', 'accepted/s', 'rej', 'http p50', 'http p99', '1st p50', '1st p99', 'all p50', 'all p99', 'all max', 'deliveries/s', 'lost', 'gaps', 'srv CPU', 'srv ELU', 'srv runq', 'KiB/client', 'cli CPU', 'gen CPU'];
const ms = (x: number) => `${fmt(x)} ms`;
const pct = (x: number) => `${fmt(x, 0)}%`;

function row(r: StepResult): string[] {
  return [
    r.target,
    fmtInt(r.clients),
    r.kind === 'fixed' ? fmtInt(r.rate) : 'max',
    fmtInt(r.acceptedPerSec),
    fmtInt(r.rejected + Object.values(r.httpErrors).reduce((a, n) => a + n, 0) * BATCH),
    ms(r.http.p50),
    ms(r.http.p99),
    ms(r.first.p50),
    ms(r.first.p99),
    ms(r.e2e.p50),
    ms(r.e2e.p99),
    ms(r.e2e.max),
    fmtInt(r.deliveriesPerSec),
    fmtInt(r.lost),
    fmtInt(r.gaps),
    pct(r.server.cpuPct),
    pct(r.server.elu * 100),
    pct(r.server.runqPct),
    fmt(r.kibPerClient, 0),
    // all client processes together (the busiest one)
    `${fmt(r.clientCpu.reduce((a, x) => a + x, 0), 0)}% (${fmt(Math.max(...r.clientCpu), 0)}%)`,
    pct(r.gen.cpuPct),
  ];
}

function ratioRow(os: StepResult, rl: StepResult): string[] {
  return [
    'OneScreen/relay',
    '',
    '',
    ratio(os.acceptedPerSec, rl.acceptedPerSec),
    '',
    ratio(os.http.p50, rl.http.p50),
    ratio(os.http.p99, rl.http.p99),
    ratio(os.first.p50, rl.first.p50),
    ratio(os.first.p99, rl.first.p99),
    ratio(os.e2e.p50, rl.e2e.p50),
    ratio(os.e2e.p99, rl.e2e.p99),
    '',
    ratio(os.deliveriesPerSec, rl.deliveriesPerSec),
    '',
    '',
    ratio(os.server.cpuPct, rl.server.cpuPct),
    '',
    '',
    ratio(os.kibPerClient, rl.kibPerClient),
    '',
    '',
  ];
}

function notes(r: StepResult): string[] {
  const out: string[] = [];
  const who = r.target;
  if (r.rejected) out.push(`${who}: ${r.rejected} events rejected ${JSON.stringify(r.rejectCodes)}`);
  else if (Object.keys(r.rejectCodes).length) out.push(`${who}: ${JSON.stringify(r.rejectCodes)}`);
  if (r.misplaced) out.push(`${who}: ${r.misplaced} events placed in another grid than expected`);
  if (Object.keys(r.httpErrors).length) out.push(`${who}: HTTP errors ${JSON.stringify(r.httpErrors)}`);
  if (r.lost) out.push(`${who}: ${fmtInt(r.lost)} of ${fmtInt(r.expected)} deliveries missing over ${r.clientsWithLoss}/${r.clients} clients (after ${fmt(r.drainMs, 0)} ms drain)`);
  if (r.foreign) out.push(`${who}: ${fmtInt(r.foreign)} deliveries of events outside the wall's street (or never accepted)`);
  if (r.gaps) out.push(`${who}: ${r.gaps} seq gaps seen by clients`);
  if (r.backwards) out.push(`${who}: ${r.backwards} seq repeats or steps back seen by clients`);
  if (r.dups) out.push(`${who}: ${r.dups} duplicate deliveries`);
  if (r.disconnects) out.push(`${who}: ${r.disconnects} client disconnects (${r.disconnectReasons.join(', ')})`);
  if (r.server.errors?.length) out.push(`${who}: server logged errors: ${r.server.errors.slice(0, 3).join(' | ')}`);
  if (r.server.runqPct > 20) out.push(`${who}: machine contention — its main thread waited for a core ${fmt(r.server.runqPct, 0)}% of the time; this step's figures are unreliable`);
  const busiest = Math.max(...r.clientCpu);
  if (busiest > 85) out.push(`${who}: a client process used ${fmt(busiest, 0)}% of a core — the clients may be what limits this step (raise BENCH_CLIENT_PROCS)`);
  if (r.kind === 'fixed' && r.acceptedPerSec < r.rate * 0.9) out.push(`${who}: saturated — ${fmtInt(r.acceptedPerSec)}/s of ${fmtInt(r.rate)}/s target with ${WORKERS} workers (${r.lateStarts}/${r.batches} batches started late)`);
  return out;
}

// ── what several nodes share ──────────────────────────────────────────────
/** the private servers this run started (stopped at its end) */
const privateServers: { stop(): Promise<void> }[] = [];
async function stopShared(): Promise<void> {
  for (const s of privateServers.splice(0).reverse()) await s.stop().catch((err: Error) => log(`stopping a private server: ${err.message}`));
}

/**
 * DATABASE_URL and REDIS_URL as given; whichever is missing, a private server from Debian's
 * package on a loopback port, started through the test harnesses (test/helpers/postgres.ts: a
 * fresh database; test/helpers/redis.ts) and stopped at the end. Should the run end otherwise
 * (an error, Ctrl-C), both are killed by PID on exit; killed itself, PostgreSQL's watchdog stops
 * that one.
 */
async function sharedServices(): Promise<{ env: Record<string, string>; where: string }> {
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  const where: string[] = [];
  if (!databaseUrl) {
    const { startPostgres } = await import('../test/helpers/postgres.ts');
    log('BENCH_NODES > 1 and no DATABASE_URL: starting a private PostgreSQL…');
    const pg = await startPostgres();
    privateServers.push(pg);
    databaseUrl = await pg.createDatabase();
    where.push(`a private PostgreSQL (pid ${pg.pid}, port ${pg.port})`);
  } else where.push('DATABASE_URL');
  if (!redisUrl) {
    const { startRedis } = await import('../test/helpers/redis.ts');
    log('BENCH_NODES > 1 and no REDIS_URL: starting a private Redis…');
    const redis = await startRedis();
    privateServers.push(redis);
    process.once('exit', () => privateServers.includes(redis) && killPid(redis.pid, 'SIGKILL'));
    redisUrl = redis.url;
    where.push(`a private Redis (pid ${redis.pid}, port ${redis.port})`);
  } else where.push('REDIS_URL');
  return { env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, where: where.join(' and ') };
}

// ── main ──────────────────────────────────────────────────────────────────
/**
 * Wait for every start to succeed or fail before throwing, so that no child is still starting
 * (and not yet known to stopChildren) when the benchmark gives up.
 */
async function settled<T extends unknown[]>(ps: [...{ [K in keyof T]: Promise<T[K]> | T[K] }]): Promise<T> {
  const rs = await Promise.allSettled(ps);
  const bad = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

export async function main(): Promise<void> {
  const started = nowMs();
  // several nodes share a PostgreSQL database and a Redis: the ones given, or private ones started here
  const shared = NODES > 1 && TARGETS.includes('onescreen') ? await sharedServices() : undefined;
  const cpu = cpus();
  const sessionsPerStreet = Math.ceil(Math.max(...wallsPerStreet(CLIENTS)) / CAP);
  const machine = [
    `date:    ${new Date().toISOString()}`,
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, ${platform()} ${release()}, load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `node:    ${process.version}`,
    `run:     ${CLIENTS} walls over ${S} street rooms (${wallsPerStreet(CLIENTS).join('/')}) in ${PROCS} client processes; ${SECONDS}s per step; events in batches of ${BATCH}; ${WORKERS} HTTP workers`,
    `         fixed: ${fmtInt(RATE)} events/s; saturated: ${SAT_CLIENTS} walls, workers post back to back; ${ROUNDS} round(s)`,
    `         OneScreen: ${NODES} node(s)${shared ? ` sharing ${shared.where}` : ', SQLite'}; walls signed in as ${S} street officers, ${sessionsPerStreet} session(s) per street (≤ ${CAP} sockets a session, the production cap)`,
    `geo:     ${pool.points.length} points in ${pool.grids} grids of district ${pool.districtId}`,
  ];

  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  log('starting OneScreen, the relay and the client processes…');
  const gcArgs = ['--expose-gc'];
  const serverEnv: Record<string, string> = { BENCH_SESSIONS: '0', BENCH_STREET_OFFICERS: '1', ...(shared?.env ?? {}) };
  const [first, relay, ...procs] = await settled([
    TARGETS.includes('onescreen') ? startChild<ServerReady>('onescreen-1', 'bench/server-child.ts', { nodeArgs: [...gcArgs, ...SERVER_NODE_ARGS], env: serverEnv }) : undefined,
    TARGETS.includes('relay') ? startChild<ServerReady>('relay', 'bench/relay-child.ts', { nodeArgs: [...gcArgs, ...RELAY_NODE_ARGS], env: { BENCH_DISTRICT_ID: pool.districtId } }) : undefined,
    ...Array.from({ length: PROCS }, (_, k) => startChild<{ pid: number }>(`walls-${k + 1}`, 'bench/wall-clients-child.ts')),
  ]);
  // further nodes once the first has migrated the shared database and created the key and users
  const others = first
    ? await settled(
        Array.from({ length: NODES - 1 }, (_, k) =>
          startChild<ServerReady>(`onescreen-${k + 2}`, 'bench/server-child.ts', { nodeArgs: [...gcArgs, ...SERVER_NODE_ARGS], env: { ...serverEnv, BENCH_SETUP: '0' } }),
        ),
      )
    : [];

  const targets = new Map<TargetName, Target>();
  if (relay) {
    const walls = Array.from({ length: CLIENTS }, () => ({ url: relay.ready.url }));
    targets.set('relay', { name: 'relay', nodes: [{ child: relay, http: httpClient(relay.ready.url, WORKERS) }], headers: {}, walls, kibPerClient: NaN, heapKibPerClient: NaN });
  }
  if (first) {
    const nodes = [first, ...others];
    // several sessions per street, each under the cap, signed in round-robin over the nodes
    const cookies: string[][] = [];
    let k = 0;
    for (const o of first.ready.officers ?? []) {
      const s = streetIdx.get(o.streetId)!;
      cookies[s] = [];
      for (let j = 0; j < sessionsPerStreet; j++) cookies[s].push(await login(nodes[k++ % nodes.length]!.ready.url, o.username, o.password));
    }
    // wall i: street i mod S, the (i div S)-th of its street, on node i mod N
    const walls = Array.from({ length: CLIENTS }, (_, i) => ({ url: nodes[i % nodes.length]!.ready.url, cookie: cookies[streetOfClient(i)]![Math.floor(Math.floor(i / S) / CAP)]! }));
    targets.set('onescreen', {
      name: 'onescreen',
      nodes: nodes.map((child) => ({ child, http: httpClient(child.ready.url, WORKERS) })),
      headers: { authorization: `Bearer ${first.ready.ingestKey}` },
      walls,
      kibPerClient: NaN,
      heapKibPerClient: NaN,
    });
    machine.push(`targets: onescreen ${nodes.map((n) => `${n.ready.url} (pid ${n.pid})`).join(', ')}, indicator flush ${first.ready.flushPerSec}/s`);
  }
  if (relay) machine.push(`         relay ${relay.ready.url} (pid ${relay.pid}): ${env.BENCH_RELAY_PER_ROOM ? 'one frame per room per batch (BENCH_RELAY_PER_ROOM — not the baseline)' : 'one frame per event, to its street room (the baseline)'}`);
  machine.push(`         client processes pids ${procs.map((p) => p.pid).join(', ')}, load generator pid ${process.pid}`);
  const order = TARGETS.filter((n) => targets.has(n));

  // connect, measuring what the walls cost the server
  const connectRows: string[][] = [];
  for (const name of order) {
    const t = targets.get(name)!;
    const before = await nodeUsage(t, true);
    const t0 = nowMs();
    const rs = await Promise.all(
      procs.map((p, k) =>
        p.request<{ connected: number; ms: number }>(
          {
            cmd: 'connect',
            group: name,
            clients: t.walls.flatMap((w, i) => (i % PROCS === k ? [{ i, url: w.url, areaId: streets[streetOfClient(i)]!, cookie: w.cookie }] : [])),
            waitSnapshot: name === 'onescreen',
          },
          300_000,
        ),
      ),
    );
    const connectMs = nowMs() - t0;
    const after = await nodeUsage(t, true);
    t.kibPerClient = ((after.rssMb - before.rssMb) * 1024) / CLIENTS;
    const connected = rs.reduce((a, r) => a + r.connected, 0);
    log(`${name}: ${connected} walls connected in ${fmt(connectMs, 0)} ms`);
    t.heapKibPerClient = ((after.heapMb - before.heapMb) * 1024) / CLIENTS;
    connectRows.push([name, fmtInt(connected), `${fmt(connectMs, 0)} ms`, fmt(before.rssMb, 1), fmt(after.rssMb, 1), fmt(t.kibPerClient, 1), fmt(before.heapMb, 1), fmt(after.heapMb, 1), fmt(t.heapKibPerClient, 1)]);
  }

  // warm-up (JIT, SQLite page cache, connections): not reported, but its anomalies are
  for (const name of order) {
    const r = await runStep(targets.get(name)!, procs, 'fixed', CLIENTS, Math.min(1, SECONDS));
    const n = notes(r).filter((s) => !s.includes('saturated'));
    log(`warm-up ${name}: ${fmtInt(r.acceptedPerSec)} events/s accepted, ${fmtInt(r.deliveriesPerSec)} deliveries/s${n.length ? ` — ${n.join('; ')}` : ''}`);
  }

  console.log(`\nOneScreen many-client benchmark (street walls)\n${machine.join('\n')}\n`);
  const os = targets.has('onescreen') && targets.has('relay');
  console.log('── connect: server memory (MiB, after a full GC) before and after the walls connected; per client = difference ÷ walls');
  const connectHeader = ['target', 'walls', 'connect', 'RSS before', 'RSS after', 'KiB/client', 'heap before', 'heap after', 'heap KiB/client'];
  if (os) {
    const [o, l] = [targets.get('onescreen')!, targets.get('relay')!];
    connectRows.push(['OneScreen/relay', '', '', '', '', ratio(o.kibPerClient, l.kibPerClient), '', '', ratio(o.heapKibPerClient, l.heapKibPerClient)]);
  }
  console.log(`${table(connectHeader, connectRows)}\n`);

  const plan: StepKind[] = STEPS.flatMap((k) => Array<StepKind>(ROUNDS).fill(k));
  const all: StepResult[][] = [];
  let trimmed = false;
  for (const [stepNo, kind] of plan.entries()) {
    if (kind === 'saturated' && !trimmed && SAT_CLIENTS < CLIENTS) {
      await Promise.all(order.flatMap((name) => procs.map((p) => p.request({ cmd: 'trim', group: name, keep: SAT_CLIENTS }))));
      trimmed = true;
    }
    const clients = trimmed ? SAT_CLIENTS : CLIENTS;
    // alternate which target goes first, so slow drift of the machine does not favour one
    const stepOrder = stepNo % 2 === 0 ? order : [...order].reverse();
    const results: StepResult[] = [];
    for (const name of stepOrder) {
      log(`step: ${name} ${kind}${kind === 'fixed' ? ` at ${RATE}/s` : ''}, ${clients} walls, ${SECONDS}s…`);
      results.push(await runStep(targets.get(name)!, procs, kind, clients, SECONDS));
    }
    results.sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target));
    all.push(results);
    const title =
      kind === 'fixed'
        ? `── fixed: ${fmtInt(RATE)} events/s in batches of ${BATCH}, ${clients} walls over ${S} streets, ${SECONDS}s`
        : `── saturated: ${WORKERS} posters back to back, batches of ${BATCH}, ${clients} walls over ${S} streets, ${SECONDS}s`;
    console.log(`${title} — all = POST sent → event at every wall of its street`);
    const rows = results.map(row);
    const o = results.find((r) => r.target === 'onescreen');
    const l = results.find((r) => r.target === 'relay');
    if (o && l) rows.push(ratioRow(o, l));
    console.log(table(HEADER, rows));
    for (const n of results.flatMap(notes)) console.log(`  ! ${n}`);
    for (const r of results) if (r.changes) console.log(`  · ${r.target}: ${fmtInt(r.changes)} deliveries of changed events (created: false), not counted as deliveries`);
    console.log('');
  }

  if (os) {
    console.log('── summary: OneScreen / relay, same run (latency: < 1× is faster; throughput: > 1× is more)');
    const sum: string[][] = [];
    for (const results of all) {
      const o = results.find((r) => r.target === 'onescreen')!;
      const l = results.find((r) => r.target === 'relay')!;
      sum.push([
        `${o.kind} (${o.clients} walls)`,
        ratio(o.e2e.p50, l.e2e.p50),
        ratio(o.e2e.p99, l.e2e.p99),
        ratio(o.acceptedPerSec, l.acceptedPerSec),
        ratio(o.deliveriesPerSec, l.deliveriesPerSec),
        ratio(o.server.cpuPct, l.server.cpuPct),
        `${fmtInt(o.lost)} / ${fmtInt(l.lost)}`,
      ]);
    }
    console.log(table(['step', 'all p50', 'all p99', 'events/s', 'deliveries/s', 'srv CPU', 'lost (os/relay)'], sum));
    // the goal of issue 10, on the first round of each step
    const at = (k: StepKind) => all.find((rs) => rs[0]!.kind === k);
    const goal: string[] = [];
    // a flagged step says nothing about the goal: say so next to the verdict
    const caveat = (rs: StepResult[]) => {
      const why = [
        ...rs.filter((r) => r.server.runqPct > 20).map((r) => `${r.target} short of a core`),
        ...rs.filter((r) => r.kind === 'fixed' && r.acceptedPerSec < r.rate * 0.9).map((r) => `${r.target} did not keep up with the fixed rate`),
        ...rs.filter((r) => r.lost > 0).map((r) => `${r.target} lost deliveries`),
      ];
      return why.length ? ` — unreliable: ${why.join(', ')}` : '';
    };
    const f = at('fixed');
    if (f) {
      const x = f.find((r) => r.target === 'onescreen')!.e2e.p99 / f.find((r) => r.target === 'relay')!.e2e.p99;
      goal.push(`fixed p99 ${fmt(x, 2)}× the relay's (goal ≤ 0.50×: ${x <= 0.5 ? 'met' : 'not met'}${caveat(f)})`);
    }
    const s = at('saturated');
    if (s) {
      const x = s.find((r) => r.target === 'onescreen')!.deliveriesPerSec / s.find((r) => r.target === 'relay')!.deliveriesPerSec;
      goal.push(`saturated deliveries/s ${fmt(x, 2)}× the relay's (goal ≥ 1.50×: ${x >= 1.5 ? 'met' : 'not met'}${caveat(s)})`);
    }
    if (goal.length) console.log(`\ngoal of issue 10:\n  ${goal.join('\n  ')}`);
  }
  if (PROFILE_DIR) printProfiles(profiles);
  const flat = all.flat();
  console.log(
    `\nrejected events: ${flat.reduce((a, r) => a + r.rejected, 0)}, HTTP errors: ${flat.reduce((a, r) => a + Object.values(r.httpErrors).reduce((x, n) => x + n, 0), 0)}, lost deliveries: ${flat.reduce((a, r) => a + r.lost, 0)}, seq gaps: ${flat.reduce((a, r) => a + r.gaps, 0)}; total ${fmt((nowMs() - started) / 1000, 0)} s`,
  );

  await Promise.all(procs.map((p) => p.request({ cmd: 'close' }).catch(() => undefined)));
  for (const t of targets.values()) for (const n of t.nodes) n.http.close();
}

/** run as the `clients` mode of `npm run bench`, or directly: `node --import tsx bench/clients.bench.ts` */
export async function run(): Promise<never> {
  stopChildrenOnExit(log);
  try {
    await main();
    await stopChildren();
    await stopShared();
    process.exit(0);
  } catch (err) {
    console.error('\nbenchmark failed:', (err as Error).stack ?? err);
    await stopChildren();
    await stopShared();
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
