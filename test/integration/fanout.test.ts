/**
 * Per-room batching through the whole app: a committed ingest batch reaches each room as ONE
 * `event:upsert` carrying that room's events in batch order, and under parallel ingest every
 * wall's sequence stays exactly snapshot.seq + 1, + 2, … with every event arriving once.
 */
import { pointOnFeature } from '@turf/turf';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientToServerEvents, EventDelta, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const data = shippedData();
const DISTRICT = '310110';
const streets = data.areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);
const gridsOf = (streetId: string) => data.areas.features.filter((f) => f.properties.level === 'grid' && f.properties.parentId === streetId);
/** the first two grids of every street, with a point inside each */
const places = streets.flatMap((streetId) =>
  gridsOf(streetId)
    .slice(0, 2)
    .map((g) => ({ streetId, gridId: g.properties.id, at: pointOnFeature(g as never).geometry.coordinates as [number, number] })),
);

interface Wall {
  areaId: string;
  socket: Client;
  snapshot: Snapshot;
  /** seqs of every delta, whatever its kind, in arrival order */
  seqs: number[];
  frames: EventDelta[];
}

async function wall(s: TestServer, areaId: string, cookie = s.cookie): Promise<Wall> {
  const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, auth: { areaId }, extraHeaders: { cookie } });
  const seqs: number[] = [];
  const frames: EventDelta[] = [];
  socket.on('event:upsert', (d) => (frames.push(d), seqs.push(d.seq)));
  socket.on('indicator:update', (d) => void seqs.push(d.seq));
  socket.on('alarm:upsert', (d) => void seqs.push(d.seq));
  const snapshot = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  return { areaId, socket, snapshot, seqs, frames };
}

/** does a wall of this area see an event of this place? */
const sees = (areaId: string, p: { streetId: string; gridId: string }) => areaId === DISTRICT || areaId === p.streetId || areaId === p.gridId;

let n = 0;
const item = (p: (typeof places)[number], tag: string) => ({
  source: 'grid',
  externalId: `${tag}-${++n}`,
  category: 'fire_hazard',
  title: '消防通道堵塞',
  lng: p.at[0],
  lat: p.at[1],
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
});

describe('per-room batching of event deltas', () => {
  let s: TestServer;
  const walls: Wall[] = [];
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, app: { recurrence: null } });
  });
  afterAll(async () => {
    for (const w of walls) w.socket.close();
    await s.stop({ removeData: true });
  });

  it('should send one frame per room for a committed batch, with the room\'s events in batch order', async () => {
    const [a, b] = [places[0]!, places[2]!]; // two streets
    const a2 = places[1]!; // A's second grid
    const quiet = streets.find((id) => id !== a.streetId && id !== b.streetId)!;
    const ws = await Promise.all([DISTRICT, a.streetId, b.streetId, quiet, a.gridId].map((id) => wall(s, id)));
    walls.push(...ws);
    const [district, streetA, streetB, streetQuiet, gridA] = ws as [Wall, Wall, Wall, Wall, Wall];
    const body = [item(a, 'b1'), item(b, 'b1'), item(a2, 'b1'), item(a, 'b1'), item(b, 'b1')];
    const r = await postJson(s.url, '/api/v1/events', { events: [...body, body[0]] }, s.ingestKey);
    expect(r.json.results.map((x: { status: string }) => x.status)).toEqual(['created', 'created', 'created', 'created', 'created', 'duplicate']);
    await expect.poll(() => district.frames.length + streetA.frames.length + streetB.frames.length + gridA.frames.length).toBe(4);
    const ids = (w: Wall) => w.frames.map((f) => f.events.map((c) => c.event.externalId));
    const ext = body.map((x) => x.externalId);
    expect(ids(district)).toEqual([ext]);
    expect(ids(streetA)).toEqual([[ext[0], ext[2], ext[3]]]);
    expect(ids(streetB)).toEqual([[ext[1], ext[4]]]);
    expect(ids(gridA)).toEqual([[ext[0], ext[3]]]);
    expect(district.frames[0]!.events.every((c) => c.created)).toBe(true);
    for (const w of [district, streetA, streetB, gridA]) {
      expect(w.frames[0]!.epoch).toBe(w.snapshot.epoch);
      expect(w.seqs).toEqual(w.seqs.map((_, i) => w.snapshot.seq + i + 1));
    }
    // a transition is its own commit: one more frame, not one per room's earlier batch
    const id = r.json.results[0].id as string;
    const accepted = await fetch(`${s.url}/api/v1/events/${id}/transitions`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'accept', version: 1 }) });
    expect(accepted.status).toBe(200);
    await expect.poll(() => gridA.frames.length).toBe(2);
    expect(gridA.frames[1]!.events).toEqual([{ created: false, event: expect.objectContaining({ id, status: 'accepted' }) }]);
    expect(streetQuiet.frames).toEqual([]);
  });

  it('should keep every wall gap-free and deliver every event once under parallel batches', async () => {
    const rooms = [DISTRICT, DISTRICT, ...streets, places[0]!.gridId, places[5]!.gridId, places[9]!.gridId];
    // a session holds at most 16 sockets: a second officer watches half the rooms
    const other = await s.createUser('district');
    const cookies = [s.cookie, await s.login(other.username, other.password)];
    for (const w of walls.splice(0)) w.socket.close();
    const ws = await Promise.all(rooms.map((id, i) => wall(s, id, cookies[i % 2])));
    walls.push(...ws);
    const BATCHES = 8;
    const PER_BATCH = 60;
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: PER_BATCH }, (_, i) => places[(b * 7 + i * 5) % places.length]!));
    const bodies = batches.map((ps, b) => ps.map((p) => item(p, `par${b}`)));
    // every commit, as the store sees it (concurrent batches may share one: group commit)
    const commits: { externalId: string; gridId: string; streetId: string }[][] = [];
    const original = s.store.cases.insertEvents.bind(s.store.cases);
    const spy = vi.spyOn(s.store.cases, 'insertEvents').mockImplementation(async (events, rule) => {
      const r = await original(events, rule);
      commits.push(r.filter((x) => x.created).map((x) => ({ externalId: x.event.externalId, gridId: x.event.gridId, streetId: x.event.streetId })));
      return r;
    });
    const answers = await Promise.all(bodies.map((events) => postJson(s.url, '/api/v1/events', { events }, s.ingestKey)));
    spy.mockRestore();
    for (const a of answers) expect(a.json.accepted).toBe(PER_BATCH);
    expect(commits.flat()).toHaveLength(BATCHES * PER_BATCH);
    // a batch is never split, and keeps its order inside its commit
    for (const body of bodies) {
      const ids = body.map((x) => x.externalId);
      const commit = commits.find((c) => c.some((e) => e.externalId === ids[0]))!.map((e) => e.externalId);
      const at = commit.indexOf(ids[0]!);
      expect(commit.slice(at, at + ids.length)).toEqual(ids);
    }
    const expected = (w: Wall) => bodies.flatMap((body, b) => body.filter((_, i) => sees(w.areaId, batches[b]![i]!)).map((x) => x.externalId));
    const received = (w: Wall) => w.frames.flatMap((f) => f.events.map((c) => c.event.externalId));
    await expect.poll(() => ws.every((w) => received(w).length >= expected(w).length), { timeout: 10_000 }).toBe(true);
    for (const w of ws) {
      // exactly once each
      expect(received(w).slice().sort()).toEqual(expected(w).sort());
      // one frame per commit that touched the room, in commit order, each with the room's events in commit order
      const mine = commits.map((c) => c.filter((e) => sees(w.areaId, e)).map((e) => e.externalId)).filter((c) => c.length > 0);
      expect(w.frames.map((f) => f.events.map((c) => c.event.externalId))).toEqual(mine);
      // every delta of the room, whatever its kind: exactly snapshot.seq + 1, + 2, …
      expect(w.seqs).toEqual(w.seqs.map((_, i) => w.snapshot.seq + i + 1));
    }
  });

  it('should write batches of the same turn in one commit (group commit), answer each its own, and fail them together', async () => {
    const key = { id: 'k-group', name: 'group-test', sources: null, simulated: false, createdAt: 0, revokedAt: null };
    const [p, q] = [places[0]!, places[3]!];
    const a = [item(p, 'g1'), item(q, 'g1')];
    const b = [item(q, 'g2'), a[1]!]; // its second item repeats the first batch's
    const insert = vi.spyOn(s.store.cases, 'insertEvents');
    const [ra, rb] = await Promise.all([s.app.ingest.ingestEvents(a as never, key), s.app.ingest.ingestEvents(b as never, key)]);
    expect(insert).toHaveBeenCalledTimes(1);
    expect(insert.mock.calls[0]![0].map((e) => e.externalId)).toEqual([...a, ...b].map((x) => x.externalId));
    expect(ra.results.map((r) => r.status)).toEqual(['created', 'created']);
    expect(rb.results.map((r) => r.status)).toEqual(['created', 'duplicate']);
    expect(rb.results[1]).toMatchObject({ id: (ra.results[1] as { id: string }).id });
    // a failed commit fails every batch in it, and nothing of them is kept
    insert.mockRejectedValueOnce(new Error('disk full'));
    const failed = await Promise.allSettled([s.app.ingest.ingestEvents([item(p, 'g3')] as never, key), s.app.ingest.ingestEvents([item(q, 'g4')] as never, key)]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(insert).toHaveBeenCalledTimes(2);
    insert.mockRestore();
    // and the next turn commits on its own
    const next = await s.app.ingest.ingestEvents([item(p, 'g5')] as never, key);
    expect(next.results[0]!.status).toBe('created');
  });
});
