/**
 * Snapshots are built once per room while nothing of the room changes: many walls connecting at
 * once share one build; a change of the room (sent or not: also while nobody was in it) or a few
 * seconds make the next one fresh; serverTime is always the time of sending.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { SNAPSHOT_REUSE_MS } from '../../server/realtime/snapshot.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const WUJIAOCHANG_STREET = '310110019000';
const WUJIAOCHANG: [number, number] = [121.514, 31.302];

describe('snapshots shared per room', () => {
  const clock = { t: Date.now(), now: () => clock.t };
  let s: TestServer;
  let cookies: string[];
  const sockets: Client[] = [];
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, clock, app: { recurrence: null } });
    // a session holds at most 16 sockets
    cookies = [s.cookie];
    for (let i = 0; i < 3; i++) {
      const u = await s.createUser('district');
      cookies.push(await s.login(u.username, u.password));
    }
  });
  afterAll(async () => {
    for (const c of sockets) c.close();
    await s.stop({ removeData: true });
  });

  async function walls(n: number, areaId: string): Promise<Snapshot[]> {
    return Promise.all(
      Array.from({ length: n }, (_, i) => {
        const socket: Client = io(s.url, { transports: ['websocket'], forceNew: true, auth: { areaId }, extraHeaders: { cookie: cookies[i % cookies.length]! } });
        sockets.push(socket);
        return new Promise<Snapshot>((resolve, reject) => {
          socket.once('snapshot', resolve);
          socket.once('connect_error', reject);
        });
      }),
    );
  }
  const post = (externalId: string) =>
    postJson(s.url, '/api/v1/events', { events: [{ source: 'grid', externalId, category: 'fire_hazard', title: 't', lng: WUJIAOCHANG[0], lat: WUJIAOCHANG[1], occurredAt: new Date(clock.now() - 1000).toISOString() }] }, s.ingestKey);

  it('should build a room\'s snapshot once for many walls, and anew after the room changed', async () => {
    const builds = vi.spyOn(s.store.cases, 'countEvents'); // one count per snapshot built
    const first = await walls(40, WUJIAOCHANG_STREET);
    expect(builds).toHaveBeenCalledTimes(1);
    expect(new Set(first.map((x) => x.seq)).size).toBe(1);

    // a second later, unchanged: the same snapshot with the time of sending
    clock.t += 1000;
    const [again] = await walls(1, WUJIAOCHANG_STREET);
    expect(builds).toHaveBeenCalledTimes(1);
    expect(again!.seq).toBe(first[0]!.seq);
    expect(Date.parse(again!.serverTime)).toBe(clock.t);

    // a case in the street: the room's seq moves, the next wall gets a snapshot with it
    const r = await post('sc-1');
    const id = r.json.results[0].id as string;
    const [fresh] = await walls(1, WUJIAOCHANG_STREET);
    expect(builds).toHaveBeenCalledTimes(2);
    expect(fresh!.events.map((e) => e.id)).toContain(id);

    // a room nobody is in changes without moving its seq: its snapshot is built anew all the same
    const grid = fresh!.events.find((e) => e.id === id)!.gridId;
    const [gridWall] = await walls(1, grid);
    expect(builds).toHaveBeenCalledTimes(3);
    for (const c of sockets.splice(-1)) c.close(); // the grid's room is empty again
    await expect.poll(() => s.app.hub.socketsByLevel().grid ?? 0).toBe(0);
    const seqBefore = (await s.app.hub.position(grid)).seq;
    const r2 = await post('sc-2');
    expect((await s.app.hub.position(grid)).seq).toBe(seqBefore);
    const [gridAgain] = await walls(1, grid);
    expect(builds).toHaveBeenCalledTimes(4);
    expect(gridAgain!.seq).toBe(gridWall!.seq);
    expect(gridAgain!.events.map((e) => e.id)).toContain(r2.json.results[0].id);

    // unchanged but older than the reuse window: built anew
    clock.t += SNAPSHOT_REUSE_MS + 1;
    const position = `${JSON.stringify(await s.app.hub.position(grid))}|${s.app.hub.changeMark(grid)}`;
    await walls(2, grid);
    // one build for both walls; two only when the room changed between them (the server's own
    // timers run on the moved clock, and a roll-up may touch the grid): then the second is fresh
    const moved = `${JSON.stringify(await s.app.hub.position(grid))}|${s.app.hub.changeMark(grid)}` !== position;
    expect(builds).toHaveBeenCalledTimes(moved ? builds.mock.calls.length : 5);
    expect(builds.mock.calls.length).toBeLessThanOrEqual(6);
    builds.mockRestore();
  });
});
