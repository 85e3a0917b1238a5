/**
 * @module bench/clients-child
 * The watching walls: groups of socket.io-client connections (websocket only, one connection
 * each), in their own process so that decoding tens of thousands of messages a second does not
 * stall the load generator's timers and HTTP timings. Driven over IPC by bench/ingest.bench.ts:
 *
 *  - `connect {group, url, n, auth, waitSnapshot}`  open n clients (a OneScreen client is ready
 *     once its `snapshot` arrived)
 *  - `begin {group, tag}`       start a step: events whose externalId starts with `tag` count
 *  - `progress {group}`         fewest / most step events any client has, lowest reading marker
 *  - `collect {group, batchAts}` per-client counts, sequence gaps, duplicates, disconnects and the
 *     latency percentiles of the step
 *  - `usage`, `close`
 *
 * Event latency: every externalId ends in `@<send time, epoch ms with µs>`; the receive time is
 * `performance.timeOrigin + performance.now()` on the same machine.
 * Reading latency: readings are posted with `at` = the batch's send time (whole ms); a batch is
 * reflected at a client when an `indicator:update` brings a district value of a benchmark indicator
 * whose `at` (the newest contributing reading) is at least that time.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { serveIpc, usageMeter } from './lib/child.ts';
import { percentiles } from './lib/stats.ts';

const DISTRICT = process.env.BENCH_DISTRICT_ID ?? '310110';
/** indicators whose district values time the readings steps (OneScreen's, and the relay's stand-in) */
const MARKER_INDICATORS = new Set(['fire_alarms', 'elevator_faults', 'hazmat_anomalies', 'traffic_violations', 'food_safety_alerts', 'illegal_construction', 'relay_batch']);

const nowMs = () => performance.timeOrigin + performance.now();

interface ClientState {
  socket: Socket;
  lastSeq: number | undefined;
  gaps: number;
  backwards: number;
  events: number;
  seen: Set<string>;
  dups: number;
  late: number;
  updates: number;
  maxAt: number;
  markers: number[]; // pairs: receive time, marker `at`
  disconnects: number;
  disconnectReasons: string[];
}

interface Group {
  clients: ClientState[];
  tag: string;
  /** every (client, event) delivery */
  latencies: number[];
  /** per event, its earliest delivery to any client */
  first: Map<string, number>;
}

const groups = new Map<string, Group>();

function seqCheck(c: ClientState, seq: number) {
  if (c.lastSeq !== undefined) {
    if (seq <= c.lastSeq) c.backwards++;
    else if (seq !== c.lastSeq + 1) c.gaps++;
  }
  c.lastSeq = seq;
}

async function connectGroup(msg: { group: string; url: string; n: number; auth?: Record<string, string>; cookies?: string[]; waitSnapshot: boolean }) {
  const g: Group = { clients: [], tag: '\u0000', latencies: [], first: new Map() };
  groups.set(msg.group, g);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: msg.n }, (_, i) => {
      const cookie = msg.cookies?.length ? msg.cookies[i % msg.cookies.length] : undefined;
      const socket = connect(msg.url, {
        transports: ['websocket'],
        auth: msg.auth ?? {},
        ...(cookie ? { extraHeaders: { cookie } } : {}),
        forceNew: true, // one connection per client, not one multiplexed Manager
        reconnection: false, // a drop shows up as a disconnect and as missing events
        timeout: 20_000,
      });
      const c: ClientState = {
        socket,
        lastSeq: undefined,
        gaps: 0,
        backwards: 0,
        events: 0,
        seen: new Set(),
        dups: 0,
        late: 0,
        updates: 0,
        maxAt: 0,
        markers: [],
        disconnects: 0,
        disconnectReasons: [],
      };
      g.clients.push(c);
      const deliver = (id: string, recv: number) => {
        if (!id.startsWith(g.tag)) return void c.late++;
        if (c.seen.has(id)) return void c.dups++;
        c.seen.add(id);
        c.events++;
        const lat = recv - Number(id.slice(id.lastIndexOf('@') + 1));
        g.latencies.push(lat);
        const f = g.first.get(id);
        if (f === undefined || lat < f) g.first.set(id, lat);
      };
      // one event per frame `{ seq, epoch, created, event }`, or per-room batches `{ seq, epoch, events: [{ created, event }] }`
      socket.on('event:upsert', (d: { seq: number; event?: { externalId: string }; events?: { event: { externalId: string } }[] }) => {
        const recv = nowMs();
        seqCheck(c, d.seq);
        if (d.events) for (const e of d.events) deliver(e.event.externalId, recv);
        else if (d.event) deliver(d.event.externalId, recv);
      });
      socket.on('alarm:upsert', (d: { seq: number }) => seqCheck(c, d.seq));
      socket.on('indicator:update', (d: { seq: number; values: { indicatorId: string; areaId: string; at: string | null }[] }) => {
        const recv = nowMs();
        seqCheck(c, d.seq);
        c.updates++;
        let best = 0;
        for (const v of d.values) {
          if (v.areaId !== DISTRICT || !v.at || !MARKER_INDICATORS.has(v.indicatorId)) continue;
          const t = Date.parse(v.at);
          if (t > best) best = t;
        }
        if (best > c.maxAt) {
          c.maxAt = best;
          c.markers.push(recv, best);
        }
      });
      // alarm deltas (a rule firing on what the benchmark posts; seen: fire_alarms.street) share the
      // room's sequence: without them, their seqs would look like gaps
      socket.on('alarm:upsert', (d: { seq: number }) => seqCheck(c, d.seq));
      socket.on('disconnect', (reason) => {
        c.disconnects++;
        c.disconnectReasons.push(String(reason));
      });
      return new Promise<void>((resolve, reject) => {
        socket.once('connect_error', (err) => reject(new Error(`connect to ${msg.url} failed: ${err.message}`)));
        if (msg.waitSnapshot) {
          socket.once('snapshot', (s: { seq: number }) => {
            c.lastSeq = s.seq;
            resolve();
          });
        } else socket.once('connect', () => resolve());
      });
    }),
  );
  return { connected: g.clients.length, ms: performance.now() - t0 };
}

function groupOf(name: string): Group {
  const g = groups.get(name);
  if (!g) throw new Error(`no client group ${name}`);
  return g;
}

const usage = usageMeter();

serveIpc({
  connect: connectGroup,
  begin(msg: { group: string; tag: string }) {
    const g = groupOf(msg.group);
    g.tag = msg.tag;
    g.latencies = [];
    g.first = new Map();
    for (const c of g.clients) {
      c.events = 0;
      c.seen = new Set();
      c.dups = 0;
      c.late = 0;
      c.gaps = 0;
      c.backwards = 0;
      c.updates = 0;
      c.markers = [];
      c.disconnects = 0;
      c.disconnectReasons = [];
    }
    return true;
  },
  progress(msg: { group: string }) {
    const g = groupOf(msg.group);
    let min = Infinity;
    let max = 0;
    let minMarker = Infinity;
    for (const c of g.clients) {
      min = Math.min(min, c.events);
      max = Math.max(max, c.events);
      minMarker = Math.min(minMarker, c.maxAt);
    }
    return { min, max, minMarker, connected: g.clients.filter((c) => c.socket.connected).length };
  },
  collect(msg: { group: string; batchAts?: number[] }) {
    const g = groupOf(msg.group);
    const readingLat: number[] = [];
    const readingFirst: number[] = [];
    let unreflected = 0;
    for (const at of msg.batchAts ?? []) {
      let first = Infinity;
      for (const c of g.clients) {
        // first marker >= at (markers are increasing)
        let lo = 0;
        let hi = c.markers.length / 2;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (c.markers[mid * 2 + 1]! >= at) hi = mid;
          else lo = mid + 1;
        }
        if (lo < c.markers.length / 2) {
          const lat = c.markers[lo * 2]! - at;
          readingLat.push(lat);
          first = Math.min(first, lat);
        } else unreflected++;
      }
      if (first < Infinity) readingFirst.push(first);
    }
    return {
      perClient: g.clients.map((c) => c.events),
      dups: g.clients.reduce((a, c) => a + c.dups, 0),
      late: g.clients.reduce((a, c) => a + c.late, 0),
      gaps: g.clients.reduce((a, c) => a + c.gaps, 0),
      backwards: g.clients.reduce((a, c) => a + c.backwards, 0),
      updates: g.clients.map((c) => c.updates),
      disconnects: g.clients.reduce((a, c) => a + c.disconnects, 0),
      disconnectReasons: [...new Set(g.clients.flatMap((c) => c.disconnectReasons))],
      connected: g.clients.filter((c) => c.socket.connected).length,
      eventLatency: percentiles(g.latencies),
      firstLatency: percentiles([...g.first.values()]),
      readingLatency: percentiles(readingLat),
      readingFirst: percentiles(readingFirst),
      unreflected,
    };
  },
  usage: () => usage(),
  close() {
    for (const g of groups.values()) for (const c of g.clients) c.socket.close();
    groups.clear();
    return true;
  },
});

function shutdown() {
  for (const g of groups.values()) for (const c of g.clients) c.socket.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

console.log(JSON.stringify({ pid: process.pid }));
