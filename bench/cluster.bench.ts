/**
 * @module bench/cluster.bench
 * What the Redis hop costs: two nodes (test/helpers/cluster-node.ts) on a private redis-server and
 * one shared PostgreSQL database (a private server; BENCH_STORE=sqlite: one shared SQLite file); events posted to node A at a fixed rate; street walls on A and on B.
 * Prints ingest → client p50/p99 for walls on the node that committed and on the other node
 * (both through the Redis stream: every node delivers what it reads there),
 * and the events/s committed.
 *
 * First the same load on one node without Redis, for comparison (each on a fresh database).
 *
 *   node --import tsx bench/cluster.bench.ts [events/s = 500] [seconds = 15] [walls per node = 20]
 *   BENCH_ONLY_TWO=1 BENCH_PROFILE=/tmp/prof …   only the two nodes, with CPU profiles of each
 */
import { performance } from 'node:perf_hooks';
import { event, startCluster, watch } from '../test/helpers/cluster.ts';

const store = process.env.BENCH_STORE === 'sqlite' ? 'sqlite' : 'postgres';

const rate = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 15);
const wallsPerNode = Number(process.argv[4] ?? 20);
const BATCH = 50;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

/** post at the rate to `target` with `walls` street walls on each of `nodes`; ingest → client latencies per node */
async function run(c: Awaited<ReturnType<typeof startCluster>>, target: string, nodes: string[]) {
  const [first] = await c.post(c.nodes[target]!.ready.url, [event()]);
  const streetId = (await c.store.cases.getEvent(first!))!.streetId;
  const user = await c.createUser('street', streetId);
  const sentAt = new Map<string, number>();
  const latency: Record<string, number[]> = {};
  const sockets = [];
  for (const node of nodes) {
    const got: number[] = (latency[node] = []);
    for (let i = 0; i < wallsPerNode; i++) {
      // a session holds at most 16 sockets: one session per wall, as walls have
      const { cookie } = await c.login(c.nodes[node]!.ready.url, user.username, user.password);
      const w = await watch(c.nodes[node]!.ready.url, cookie);
      sockets.push(w.socket);
      w.socket.on('event:upsert', (d) => {
        const now = performance.now();
        for (const it of d.events) {
          const t = sentAt.get(it.event.externalId);
          if (t !== undefined) got.push(now - t);
        }
      });
    }
  }
  const batches = Math.round((rate * seconds) / BATCH);
  const every = (BATCH / rate) * 1000;
  const t0 = performance.now();
  let committed = 0;
  const inflight: Promise<void>[] = [];
  for (let b = 0; b < batches; b++) {
    const wait = t0 + b * every - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const events = Array.from({ length: BATCH }, () => event());
    const sent = performance.now();
    for (const e of events) sentAt.set(e.externalId, sent);
    inflight.push(c.post(c.nodes[target]!.ready.url, events).then((ids) => void (committed += ids.length)));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  const expected = committed * wallsPerNode;
  const deadline = performance.now() + 15_000;
  while (nodes.some((n) => latency[n]!.length < expected) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const s of sockets) s.disconnect();
  return { committed, elapsed, expected, latency };
}

const row = (what: string, xs: number[], expected: number) =>
  `  ${what.padEnd(36)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   deliveries ${xs.length}/${expected}`;

// each setup on a fresh database and Redis (ingest slows as cases accumulate near each other)
if (!process.env.BENCH_ONLY_TWO) {
  const c = await startCluster({ leaseMs: 10_000, store });
  try {
    await c.startNode('alone', { sessionCheckMs: 3_600_000 }, { alone: true });
    const one = await run(c, 'alone', ['alone']);
    console.log(`\none node, no Redis: ${one.committed} events in ${one.elapsed.toFixed(1)} s (${(one.committed / one.elapsed).toFixed(0)} events/s), ${wallsPerNode} street walls`);
    console.log(row('walls on the node', one.latency.alone!, one.expected));
  } finally {
    await c.stop();
  }
}
const c = await startCluster({ leaseMs: 10_000, store });
try {
  // BENCH_PROFILE=<dir>: the nodes write CPU profiles there when they stop
  if (process.env.BENCH_PROFILE) process.env.NODE_CPU_PROFILE = process.env.BENCH_PROFILE;
  await c.startNode('A', { sessionCheckMs: 3_600_000 });
  await c.startNode('B', { sessionCheckMs: 3_600_000 });
  const two = await run(c, 'A', ['A', 'B']);
  console.log(`two nodes on Redis, posted to A: ${two.committed} events in ${two.elapsed.toFixed(1)} s (${(two.committed / two.elapsed).toFixed(0)} events/s), ${wallsPerNode} street walls on each node`);
  console.log(row('walls on A (the node that commits)', two.latency.A!, two.expected));
  console.log(row('walls on B (the other node)', two.latency.B!, two.expected));
} finally {
  await c.stop();
}
