/**
 * @module bench/wall-clients-child
 * One of the many-client benchmark's client processes (bench/clients.bench.ts starts
 * `BENCH_CLIENT_PROCS` of them): a share of the street walls, each its own socket.io-client
 * connection (`transports: ['websocket']`, `forceNew`, no reconnection), so that decoding
 * 100,000+ frames a second is spread over several processes and is not what limits the servers.
 *
 * Per delivery it does as little as it can: one receive timestamp per frame, the event's number and
 * send time cut out of its `externalId` (`<tag><n>@<send time>`), a bit in a per-client bitmap
 * (duplicates), one counter, one histogram bucket, one slot of a typed array (earliest delivery of
 * event n). Percentiles are computed by the parent from the merged histograms after the step.
 *
 * Accepts both shapes of `event:upsert`: one event per frame `{ seq, epoch, created, event }`, and
 * per-room batches `{ seq, epoch, events: { created, event }[] }`; deliveries are counted per event.
 * Every sequenced frame (`event:upsert`, `indicator:update`, `alarm:upsert`) is checked against the
 * room's `seq` (a OneScreen client starts from its snapshot's).
 *
 * IPC commands:
 *  - `connect {group, clients: {i, url, areaId, cookie?}[], waitSnapshot}` open them, at most 16 at once
 *  - `begin {group, tag}`   start a step: events whose externalId starts with `tag` count
 *  - `progress {group}`     per client: its global index and events delivered this step
 *  - `collect {group}`      the step's counts, each wall's bitmap of events, the histogram, the
 *                           earliest delivery per event, anomalies
 *  - `trim {group, keep}`   close the clients whose global index is ≥ keep
 *  - `usage`, `close`
 */
import { io as connect, type Socket } from 'socket.io-client';
import { serveIpc, usageMeter } from './lib/child.ts';
import { newHistogram, record, toWire, type LatencyHistogram } from './lib/histogram.ts';

const nowMs = () => performance.timeOrigin + performance.now();

interface Wall {
  socket: Socket;
  /** global client index (set by the parent: it knows the street and the node of each) */
  i: number;
  count: number;
  lastSeq: number;
  /** bit n: event n of this step already delivered */
  seen: Uint8Array;
}

interface Change {
  created: boolean;
  event: { externalId: string };
}

interface Group {
  walls: Wall[];
  tag: string;
  hist: LatencyHistogram;
  /** per event number, its earliest delivery to any client of this process (ms), +∞ if none */
  first: Float64Array;
  maxN: number;
  lastRecv: number;
  gaps: number;
  backwards: number;
  dups: number;
  /** deliveries with created: false (a change of an event of this step, not a new one): not counted */
  changes: number;
  /** events of another step (a late delivery of the previous one) */
  late: number;
  disconnects: number;
  disconnectReasons: Set<string>;
}

const groups = new Map<string, Group>();

function newGroup(): Group {
  return {
    walls: [],
    tag: '\u0000',
    hist: newHistogram(),
    first: new Float64Array(1024).fill(Infinity),
    maxN: -1,
    lastRecv: 0,
    gaps: 0,
    backwards: 0,
    dups: 0,
    changes: 0,
    late: 0,
    disconnects: 0,
    disconnectReasons: new Set(),
  };
}

function seqCheck(g: Group, w: Wall, seq: number) {
  if (w.lastSeq >= 0) {
    if (seq <= w.lastSeq) g.backwards++;
    else if (seq !== w.lastSeq + 1) g.gaps++;
  }
  w.lastSeq = seq;
}

function deliver(g: Group, w: Wall, c: Change, recv: number) {
  const id = c.event.externalId;
  if (!id.startsWith(g.tag)) return void g.late++;
  const at = id.lastIndexOf('@');
  const n = +id.slice(g.tag.length, at);
  // a change of an event (the server re-tagging it, say) is streamed too, but it is not a delivery
  // of a new event: counted apart
  if (!c.created) return void g.changes++;
  const byte = n >> 3;
  if (byte >= w.seen.length) {
    const grown = new Uint8Array(Math.max(byte + 1, w.seen.length * 2));
    grown.set(w.seen);
    w.seen = grown;
  }
  const mask = 1 << (n & 7);
  if (w.seen[byte]! & mask) return void g.dups++;
  w.seen[byte]! |= mask;
  w.count++;
  const lat = recv - +id.slice(at + 1);
  record(g.hist, lat);
  if (n >= g.first.length) {
    const grown = new Float64Array(Math.max(n + 1, g.first.length * 2)).fill(Infinity);
    grown.set(g.first);
    g.first = grown;
  }
  if (lat < g.first[n]!) g.first[n] = lat;
  if (n > g.maxN) g.maxN = n;
  g.lastRecv = recv;
}

function open(g: Group, spec: { i: number; url: string; areaId: string; cookie?: string }, waitSnapshot: boolean): Promise<void> {
  const socket = connect(spec.url, {
    transports: ['websocket'],
    auth: { areaId: spec.areaId },
    ...(spec.cookie ? { extraHeaders: { cookie: spec.cookie } } : {}),
    forceNew: true, // one connection per wall, not one multiplexed Manager
    reconnection: false, // a drop shows up as a disconnect and as lost deliveries
    timeout: 30_000,
  });
  const w: Wall = { socket, i: spec.i, count: 0, lastSeq: -1, seen: new Uint8Array(256) };
  g.walls.push(w);
  socket.on('event:upsert', (d: { seq: number; created?: boolean; event?: Change['event']; events?: Change[] }) => {
    const recv = nowMs();
    seqCheck(g, w, d.seq);
    if (d.events) for (const c of d.events) deliver(g, w, c, recv);
    else deliver(g, w, d as Change, recv);
  });
  socket.on('indicator:update', (d: { seq: number }) => seqCheck(g, w, d.seq));
  socket.on('alarm:upsert', (d: { seq: number }) => seqCheck(g, w, d.seq));
  socket.on('snapshot', (s: { seq: number }) => void (w.lastSeq = s.seq));
  socket.on('disconnect', (reason) => {
    g.disconnects++;
    g.disconnectReasons.add(String(reason));
  });
  return new Promise<void>((resolve, reject) => {
    socket.once('connect_error', (err) => reject(new Error(`wall ${spec.i} (${spec.areaId}) could not connect to ${spec.url}: ${err.message}`)));
    if (waitSnapshot) socket.once('snapshot', () => resolve());
    else socket.once('connect', () => resolve());
  });
}

async function connectGroup(msg: { group: string; clients: { i: number; url: string; areaId: string; cookie?: string }[]; waitSnapshot: boolean }) {
  let g = groups.get(msg.group);
  if (!g) groups.set(msg.group, (g = newGroup()));
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < msg.clients.length) await open(g, msg.clients[next++]!, msg.waitSnapshot);
  };
  await Promise.all(Array.from({ length: Math.min(16, msg.clients.length) }, worker));
  return { connected: g.walls.filter((w) => w.socket.connected).length, ms: performance.now() - t0 };
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
    Object.assign(g, { ...newGroup(), walls: g.walls, tag: msg.tag });
    for (const w of g.walls) {
      w.count = 0;
      w.seen.fill(0);
    }
    return true;
  },
  progress(msg: { group: string }) {
    const g = groupOf(msg.group);
    return { idx: g.walls.map((w) => w.i), counts: g.walls.map((w) => w.count) };
  },
  collect(msg: { group: string }) {
    const g = groupOf(msg.group);
    // the earliest delivery per event, -1 where none arrived here (JSON has no ∞)
    const first = Array.from(g.first.subarray(0, g.maxN + 1), (x) => (x === Infinity ? -1 : x));
    return {
      idx: g.walls.map((w) => w.i),
      counts: g.walls.map((w) => w.count),
      // each wall's bitmap of the events it got: the parent checks it against the wall's street
      seen: g.walls.map((w) => Buffer.from(w.seen.buffer, w.seen.byteOffset, w.seen.byteLength).toString('base64')),
      hist: toWire(g.hist),
      first,
      lastRecv: g.lastRecv,
      gaps: g.gaps,
      backwards: g.backwards,
      dups: g.dups,
      changes: g.changes,
      late: g.late,
      disconnects: g.disconnects,
      disconnectReasons: [...g.disconnectReasons],
      connected: g.walls.filter((w) => w.socket.connected).length,
    };
  },
  trim(msg: { group: string; keep: number }) {
    const g = groupOf(msg.group);
    for (const w of g.walls) {
      if (w.i < msg.keep) continue;
      w.socket.off('disconnect'); // closed on purpose: not a drop
      w.socket.close();
    }
    g.walls = g.walls.filter((w) => w.i < msg.keep);
    return { remaining: g.walls.length };
  },
  usage: () => usage(),
  close() {
    for (const g of groups.values()) for (const w of g.walls) w.socket.close();
    groups.clear();
    return true;
  },
});

function shutdown() {
  for (const g of groups.values()) for (const w of g.walls) w.socket.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

console.log(JSON.stringify({ pid: process.pid }));
