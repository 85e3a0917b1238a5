/**
 * The live hub on a real Socket.IO server, without the rest of the app: one frame per room per
 * publish call, items in order, one seq per frame, empty rooms skipped without moving their seq.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmDelta, ClientToServerEvents, EventDelta, GridEvent, IndicatorDelta, ServerToClientEvents } from '../../shared/index.ts';
import { AreaTree } from '../../server/domain/areas.ts';
import { LocalCluster } from '../../server/cluster/cluster.ts';
import { LiveHub, roomOf, type IoServer } from '../../server/realtime/hub.ts';
import { shippedData } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const tree = new AreaTree(shippedData().areas);
const DISTRICT = tree.districtId;
const [streetA, streetB, streetC] = tree.children(DISTRICT);
const gridsOf = (streetId: string) => tree.children(streetId).map((g) => g.id);
const [gridA1, gridA2] = gridsOf(streetA!.id);
const [gridB1] = gridsOf(streetB!.id);

let n = 0;
function event(gridId: string): GridEvent {
  const street = tree.ancestorAt(gridId, 'street')!;
  const at = new Date().toISOString();
  return {
    id: `e-${++n}`,
    source: 'grid',
    externalId: `x-${n}`,
    category: 'fire_hazard',
    title: `case ${n}`,
    description: '',
    lng: 121.5,
    lat: 31.3,
    gridId,
    streetId: street.id,
    districtId: DISTRICT,
    severity: 'medium',
    status: 'reported',
    occurredAt: at,
    receivedAt: at,
    updatedAt: at,
    simulated: false,
    version: 1,
    leadUnit: null,
    coUnits: [],
  } as unknown as GridEvent;
}

function alarm(areaId: string, version = 1): Alarm {
  const at = new Date().toISOString();
  return {
    id: `a-${areaId}`,
    ruleId: 'r',
    areaId,
    indicatorId: 'pm25',
    severity: 'warn',
    state: 'raised',
    title: { zh: '告警', en: 'alarm' },
    value: 1,
    threshold: 1,
    since: at,
    raisedAt: at,
    lastAt: at,
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackNote: null,
    caseId: null,
    createCase: 'off',
    simulated: false,
    version,
  } as unknown as Alarm;
}

interface Wall {
  socket: Client;
  seqs: number[];
  events: EventDelta[];
  alarms: AlarmDelta[];
  indicators: IndicatorDelta[];
}

describe(LiveHub.name, () => {
  let http: HttpServer;
  let io: IoServer;
  let hub: LiveHub;
  let url: string;
  const walls: Wall[] = [];
  const sent: string[] = [];

  /** a client in the room of an area (the test server joins it to the room its auth names) */
  async function wall(areaId: string): Promise<Wall> {
    const socket: Client = connect(url, { transports: ['websocket'], forceNew: true, auth: { areaId } });
    const w: Wall = { socket, seqs: [], events: [], alarms: [], indicators: [] };
    socket.on('event:upsert', (d) => (w.events.push(d), w.seqs.push(d.seq)));
    socket.on('alarm:upsert', (d) => (w.alarms.push(d), w.seqs.push(d.seq)));
    socket.on('indicator:update', (d) => (w.indicators.push(d), w.seqs.push(d.seq)));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await expect.poll(() => io.sockets.adapter.rooms.get(roomOf(areaId))?.has(socket.id!) ?? false).toBe(true);
    walls.push(w);
    return w;
  }

  /**
   * A marker alarm frame to every wall's room: a socket is ordered, so once it has its marker,
   * everything published before has arrived. The marker frame is then dropped from the record.
   */
  async function settle(...ws: { w: Wall; areaId: string }[]) {
    const id = `marker-${++n}`;
    hub.publishAlarms([...new Set(ws.map((x) => x.areaId))].map((areaId) => ({ ...alarm(areaId), id })));
    const isMarker = (d: AlarmDelta) => d.alarms.some((x) => x.id === id);
    await expect.poll(() => ws.every(({ w }) => w.alarms.some(isMarker))).toBe(true);
    for (const { w } of new Set(ws.map((x) => x))) {
      expect(isMarker(w.alarms.at(-1)!)).toBe(true);
      w.alarms.pop();
      w.seqs.pop();
    }
  }

  beforeAll(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'] }) as IoServer;
    io.on('connection', (s) => void s.join(roomOf((s.handshake.auth as { areaId: string }).areaId)));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const cluster = new LocalCluster();
    hub = new LiveHub(tree, cluster, { deltaSent: (kind, level) => void sent.push(`${kind}@${level}`) });
    hub.attach(io);
    await cluster.start(hub.deliver);
  });
  afterAll(async () => {
    for (const w of walls) w.socket.close();
    await new Promise<void>((r) => io.close(() => r()));
  });

  it('should send one frame per occupied room per call, with that room\'s events in order, and skip empty rooms', async () => {
    const district = await wall(DISTRICT);
    const a = await wall(streetA!.id);
    const b = await wall(streetB!.id);
    const c = await wall(streetC!.id); // nothing of the batch is in its street
    const g = await wall(gridA2!);
    const seq0 = { district: (await seqOf(hub, DISTRICT)), a: (await seqOf(hub, streetA!.id)), b: (await seqOf(hub, streetB!.id)), g: (await seqOf(hub, gridA2!)) };
    const mark0 = { c: hub.changeMark(streetC!.id), a1: hub.changeMark(gridA1!) };
    const batch = [event(gridA1!), event(gridB1!), event(gridA2!), event(gridA1!), event(gridA2!)];
    const changes = batch.map((e, i) => ({ created: i !== 3, event: e }));
    sent.length = 0;
    hub.publishEvents(changes);
    const marks = { c: hub.changeMark(streetC!.id), a1: hub.changeMark(gridA1!) };
    const frames = sent.filter((s) => s.startsWith('event:upsert')).sort();
    await settle({ w: district, areaId: DISTRICT }, { w: a, areaId: streetA!.id }, { w: b, areaId: streetB!.id }, { w: c, areaId: streetC!.id }, { w: g, areaId: gridA2! });

    expect(district.events).toHaveLength(1);
    expect(district.events[0]!.events).toEqual(changes);
    expect(district.events[0]!.seq).toBe(seq0.district + 1);
    expect(district.events[0]!.epoch).toBe((await hub.position(DISTRICT)).epoch);
    expect(a.events.map((d) => d.events.map((x) => x.event.id))).toEqual([[batch[0]!.id, batch[2]!.id, batch[3]!.id, batch[4]!.id]]);
    expect(a.events[0]!.events.map((x) => x.created)).toEqual([true, true, false, true]);
    expect(b.events.map((d) => d.events.map((x) => x.event.id))).toEqual([[batch[1]!.id]]);
    expect(g.events.map((d) => d.events.map((x) => x.event.id))).toEqual([[batch[2]!.id, batch[4]!.id]]);
    expect(c.events).toEqual([]);
    expect([a.events[0]!.seq, b.events[0]!.seq, g.events[0]!.seq]).toEqual([seq0.a + 1, seq0.b + 1, seq0.g + 1]);
    // the room of grid A1 is empty: nothing sent, its seq stays, but it is marked changed
    expect((await seqOf(hub, gridA1!))).toBe(0);
    expect(marks.a1).toBe(mark0.a1 + 1);
    expect(marks.c).toBe(mark0.c);
    // one frame counted per room sent to: district, streets A and B, grid A2
    expect(frames).toEqual(['event:upsert@district', 'event:upsert@grid', 'event:upsert@street', 'event:upsert@street']);
  });

  it('should keep each room\'s seq gap-free across events, alarms and indicator flushes', async () => {
    const district = await wall(DISTRICT);
    const a = await wall(streetA!.id);
    const start = { district: (await seqOf(hub, DISTRICT)), a: (await seqOf(hub, streetA!.id)) };
    hub.publishEvents([{ created: true, event: event(gridA1!) }]);
    hub.publishAlarms([alarm(gridA1!), alarm(streetA!.id), alarm(gridB1!, 2)]);
    hub.publishIndicators([{ indicatorId: 'pm25', areaId: streetA!.id, value: 1, status: 'ok', at: new Date().toISOString(), simulated: false } as never], []);
    hub.flush();
    hub.publishEvents([]); // nothing: no frame
    hub.publishAlarms([]);
    hub.publishEvents([{ created: true, event: event(gridB1!) }, { created: true, event: event(gridA1!) }]);
    await settle({ w: district, areaId: DISTRICT }, { w: a, areaId: streetA!.id });
    expect(district.seqs).toEqual([1, 2, 3, 4].map((i) => start.district + i));
    expect(a.seqs).toEqual([1, 2, 3, 4].map((i) => start.a + i));
    // the alarms of one call: one frame per room, in order
    expect(district.alarms.map((d) => d.alarms.map((x) => x.areaId))).toEqual([[gridA1, streetA!.id, gridB1]]);
    expect(a.alarms.map((d) => d.alarms.map((x) => x.areaId))).toEqual([[gridA1, streetA!.id]]);
    // the street's value goes to its room and its parent's
    expect(district.indicators).toHaveLength(1);
    expect(a.indicators).toHaveLength(1);
    expect(a.events.at(-1)!.events).toHaveLength(1);
    expect(district.events.at(-1)!.events).toHaveLength(2);
  });

  it('should send nothing before a Socket.IO server is attached', async () => {
    const detached = new LiveHub(tree, new LocalCluster());
    detached.publishEvents([{ created: true, event: event(gridA1!) }]);
    detached.flush();
    expect((await detached.position(DISTRICT)).seq).toBe(0);
    expect(detached.changeMark(DISTRICT)).toBe(1);
    expect(detached.socketsByLevel()).toEqual({});
  });
});

/** the last seq sent to an area's room */
async function seqOf(hub: LiveHub, areaId: string): Promise<number> {
  return (await hub.position(areaId)).seq;
}
