/**
 * @module bench/relay-child
 * The floor: a bare Socket.IO 4.8 relay on a plain node:http server. It accepts the same
 * `POST /api/v1/events` and `POST /api/v1/readings` JSON batches as OneScreen, does `JSON.parse`
 * and nothing else (no auth, no validation, no placement, no storage), and
 *  - emits every event as `event:upsert` `{ seq, epoch, created, event }`: an event that carries a
 *    `street` (the many-client benchmark adds it, for the relay only) goes to that street's room
 *    `area:<street>` with the room's own `seq` — `io.to('area:' + street).emit(…)`, the baseline of
 *    issue 10 — and any other to every connected client with one global `seq`,
 *  - emits one `indicator:update` per readings batch, shaped like OneScreen's, whose single value
 *    carries the batch size and the newest reading time (`at`) so clients can time it the same way.
 * With `BENCH_RELAY_PER_ROOM` set it sends instead one frame per room per batch,
 * `{ seq, epoch, events: { created, event }[] }` (the batched delta shape) — not the baseline, but
 * what per-room batching buys Socket.IO itself.
 * A client that connects with `auth: { areaId }` joins the room `area:<areaId>` (no check).
 * Same Socket.IO options as OneScreen (websocket + polling, no client bundle).
 * Prints `{ "port", "url", "pid" }` on stdout when it listens; answers `usage` over IPC.
 *
 *   node --import tsx bench/relay-child.ts
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { memoryAfter, profilerHandlers, serveIpc, usageMeter } from './lib/child.ts';

const DISTRICT = process.env.BENCH_DISTRICT_ID ?? '310110';
/** BENCH_RELAY_PER_ROOM: not the baseline — one frame per room per batch (what batching buys Socket.IO itself) */
const PER_ROOM = Boolean(process.env.BENCH_RELAY_PER_ROOM);
const epoch = randomUUID();
let seq = 0;
/** per room, the last seq sent to it */
const roomSeq = new Map<string, number>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const http = createServer(async (req, res) => {
  try {
    if (req.method !== 'POST') return reply(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    if (req.url === '/api/v1/events') {
      const { events } = JSON.parse(await readBody(req)) as { events: { street?: string }[] };
      if (PER_ROOM) {
        // one frame per room per batch, in the batched delta shape
        const byRoom = new Map<string, { created: true; event: unknown }[]>();
        for (const event of events) {
          const room = typeof event.street === 'string' ? 'area:' + event.street : '';
          let list = byRoom.get(room);
          if (!list) byRoom.set(room, (list = []));
          list.push({ created: true, event });
        }
        for (const [room, changes] of byRoom) {
          if (!room) {
            io.emit('event:upsert', { seq: ++seq, epoch, events: changes });
            continue;
          }
          const s = (roomSeq.get(room) ?? 0) + 1;
          roomSeq.set(room, s);
          io.to(room).emit('event:upsert', { seq: s, epoch, events: changes });
        }
        return reply(res, 200, { accepted: events.length, rejected: 0 });
      }
      for (const event of events) {
        if (typeof event.street === 'string') {
          const room = 'area:' + event.street;
          const s = (roomSeq.get(room) ?? 0) + 1;
          roomSeq.set(room, s);
          io.to(room).emit('event:upsert', { seq: s, epoch, created: true, event });
        } else io.emit('event:upsert', { seq: ++seq, epoch, created: true, event });
      }
      return reply(res, 200, { accepted: events.length, rejected: 0 });
    }
    if (req.url === '/api/v1/readings') {
      const { readings } = JSON.parse(await readBody(req)) as { readings: { at: string }[] };
      let newest = '';
      for (const r of readings) if (r.at > newest) newest = r.at; // ISO strings of one format sort as times
      io.emit('indicator:update', {
        seq: ++seq,
        epoch,
        values: [{ indicatorId: 'relay_batch', areaId: DISTRICT, value: readings.length, at: newest, status: 'normal', simulated: false }],
        points: {},
      });
      return reply(res, 200, { accepted: readings.length, rejected: 0 });
    }
    reply(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
  } catch (err) {
    reply(res, 400, { error: { code: 'VALIDATION', message: (err as Error).message } });
  }
});
const io = new Server(http, { serveClient: false, transports: ['websocket', 'polling'] });
io.on('connection', (socket) => {
  const areaId = (socket.handshake.auth as { areaId?: unknown }).areaId;
  if (typeof areaId === 'string') void socket.join('area:' + areaId);
});

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const port = (http.address() as { port: number }).port;

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

const usage = usageMeter();
serveIpc({ ...profilerHandlers(), usage: (m: { gc?: boolean }) => ({ ...usage(), ...memoryAfter(m.gc), errors: [] }) });

console.log(JSON.stringify({ port, url: `http://127.0.0.1:${port}`, pid: process.pid }));
