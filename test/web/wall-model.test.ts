import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alarm, AreaFeature, GridEvent, IndicatorDefinition, SessionInfo, Snapshot, StatsResponse } from '../../shared/index.ts';
import type { WallSocket } from '../../web/src/lib/api/socket.ts';
import { Catalog } from '../../web/src/lib/state/catalog.svelte.ts';
import { ForecastState } from '../../web/src/lib/state/forecast-state.svelte.ts';
import { Listeners } from '../../web/src/lib/state/listeners.ts';
import type { ConnectionState, LiveSource } from '../../web/src/lib/state/live-source.ts';
import { LiveState } from '../../web/src/lib/state/live-state.svelte.ts';
import { applySnapshot, initialLiveData, indicatorKey } from '../../web/src/lib/state/live-store.ts';
import { LoopStats } from '../../web/src/lib/state/loop-stats.svelte.ts';
import { WallModel } from '../../web/src/lib/state/wall-model.svelte.ts';
import { WallState } from '../../web/src/lib/state/wall-state.svelte.ts';

const NOW = Date.parse('2026-11-22T10:30:00+08:00');
const TODAY_START = Date.parse('2026-11-22T00:00:00+08:00');
const DISTRICT = '310110';
const S1 = '310110001000';
const S2 = '310110019000';
const G1 = `${S1}-g001`;
const G2 = `${S1}-g002`;
const G3 = `${S2}-g001`;

const DEFINITIONS = JSON.parse(readFileSync(new URL('../../data/indicators.json', import.meta.url), 'utf8')) as IndicatorDefinition[];

function square(x: number, y: number): AreaFeature['geometry'] {
  return { type: 'Polygon', coordinates: [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]] };
}
function area(id: string, level: AreaFeature['properties']['level'], parentId: string | null, name: string, x: number, seq?: number): AreaFeature {
  return { type: 'Feature', properties: { id, level, parentId, name, nameEn: `${name}-en`, approximate: false, ...(seq ? { seq } : {}) }, geometry: square(121.5 + x, 31.28) };
}
const AREAS: AreaFeature[] = [
  area('310000', 'city', null, '上海市', 0),
  area(DISTRICT, 'district', '310000', '杨浦区', 0),
  area(S1, 'street', DISTRICT, '定海路街道', 0.01),
  area(S2, 'street', DISTRICT, '五角场街道', 0.03),
  area(G1, 'grid', S1, 'g1', 0.01, 1),
  area(G2, 'grid', S1, 'g2', 0.012, 2),
  area(G3, 'grid', S2, 'g3', 0.03, 1),
];

let counter = 0;
function makeEvent(over: Partial<GridEvent> = {}): GridEvent {
  counter += 1;
  const at = new Date(NOW - 60_000).toISOString();
  return {
    id: `ev-${counter}`, source: 'grid', externalId: `x-${counter}`, category: 'fire_hazard', title: `event ${counter}`, description: '',
    lng: 121.52, lat: 31.28, gridId: G1, streetId: S1, districtId: DISTRICT, severity: 'medium', status: 'reported',
    occurredAt: at, receivedAt: at, updatedAt: at, simulated: true, version: 1, leadUnit: null, coUnits: [], escalated: false,
    stageStartedAt: at, dueAt: null, breaches: 0, rating: null, satisfaction: null, duplicateOf: null, tags: [], relatedIds: [], confidential: false, masked: false, ladder: null, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null,
    ...over,
  };
}
function makeSnapshot(areaId: string, over: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 10, epoch: 'e1', areaId, serverTime: new Date(NOW).toISOString(), simulatorOn: true,
    indicators: [{ areaId, indicatorId: 'pm25', value: 40, at: new Date(NOW - 60_000).toISOString(), status: 'normal', simulated: true }],
    trends: { pm25: [[NOW - 3_600_000, 35]] }, events: [], openTotal: 0, recent: [],
    hourly: { today: [...new Array<number>(10).fill(1), 2, ...new Array<number>(13).fill(0)], yesterday: new Array<number>(24).fill(1), todayStart: TODAY_START },
    alarms: [], ...over,
  };
}

/** A socket the test drives: `fire` plays the server's side, `requests` counts snapshot requests. */
class FakeSocket extends EventEmitter {
  connected = false;
  active = true;
  requests = 0;
  closed = false;
  constructor(readonly areaId: string) {
    super();
  }
  fire(name: string, ...args: unknown[]): void {
    if (name === 'connect') this.connected = true;
    if (name === 'disconnect') this.connected = false;
    super.emit(name, ...args);
  }
  connect(): this {
    this.connected = true;
    return this;
  }
  disconnect(): this {
    this.closed = true;
    this.connected = false;
    return this;
  }
  timeout(): { emit: (name: string, ack: (err: Error | null, res?: unknown) => void) => void } {
    return { emit: () => void this.requests++ };
  }
}

function liveWithFakes(): { live: LiveState; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const live = new LiveState((areaId) => {
    const s = new FakeSocket(areaId);
    sockets.push(s);
    return s as unknown as WallSocket;
  });
  return { live, sockets };
}

/** A catalog whose load hands over fixed reference data instead of fetching it. */
class FixedCatalog extends Catalog {
  override async load(oncentre?: () => void): Promise<void> {
    this.centre = {
      status: 'ok', version: 't', simulatorOn: false, centreName: { zh: '杨浦区城运中心', en: 'Yangpu Centre' }, rootAreaId: DISTRICT,
      time: new Date(NOW).toISOString(), clockWarnAt: 0.8, timeZone: 'Asia/Shanghai',
    };
    oncentre?.();
    this.areas = AREAS;
    this.definitions = DEFINITIONS;
    this.categories = [];
    this.units = [];
    this.loaded = true;
  }
}

/** Fetchers that only record which area they were asked to follow. */
class RecordingLoop extends LoopStats {
  watched: string[] = [];
  pokes = 0;
  override watch(areaId: string): void {
    this.watched.push(areaId);
  }
  override poke(): void {
    this.pokes += 1;
  }
}
class RecordingForecast extends ForecastState {
  watched: string[] = [];
  override watch(areaId: string): void {
    this.watched.push(areaId);
  }
}

const SESSION: SessionInfo = { kind: 'user', name: 'duty', role: 'district', areaId: DISTRICT, expiresAt: new Date(NOW + 3_600_000).toISOString() };

function setup(root = DISTRICT, session: SessionInfo = { ...SESSION, areaId: root }) {
  const { live, sockets } = liveWithFakes();
  const catalog = new FixedCatalog(root);
  const wall = new WallState();
  wall.now = NOW;
  const loop = new RecordingLoop(() => live.serverNow());
  const forecast = new RecordingForecast('pm25');
  const lost = vi.fn();
  const reload = vi.fn();
  const fetchSession = vi.fn<() => Promise<SessionInfo | null>>(async () => session);
  const model = new WallModel({ session, catalog, source: live, wall, loop, forecast, onsessionlost: lost, reload, fetchSession });
  /** the newest socket, connected, with its snapshot delivered */
  const sync = (over: Partial<Snapshot> = {}) => {
    const s = sockets.at(-1)!;
    s.fire('connect');
    s.fire('snapshot', makeSnapshot(s.areaId, over));
    return s;
  };
  return { live, sockets, catalog, wall, loop, forecast, model, lost, reload, fetchSession, sync };
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe(Listeners.name, () => {
  it('should call every listener in order and stop one when asked', () => {
    const bus = new Listeners<{ n: number }>();
    const seen: string[] = [];
    const offA = bus.subscribe('n', (n) => seen.push(`a${n}`));
    bus.subscribe('n', (n) => seen.push(`b${n}`));
    bus.emit('n', 1);
    offA();
    bus.emit('n', 2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  it('should keep calling the others when one listener throws', () => {
    const bus = new Listeners<{ n: number }>();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: number[] = [];
    bus.subscribe('n', () => {
      throw new Error('broken panel');
    });
    bus.subscribe('n', (n) => seen.push(n));
    bus.emit('n', 7);
    expect(seen).toEqual([7]);
    expect(err).toHaveBeenCalledOnce();
  });

  it('should count the same function subscribed twice as two subscriptions', () => {
    const bus = new Listeners<{ n: number }>();
    const fn = vi.fn();
    const off = bus.subscribe('n', fn);
    bus.subscribe('n', fn);
    off();
    bus.emit('n', 1);
    expect(fn).toHaveBeenCalledOnce();
  });
});

describe(`${LiveState.name} subscriptions`, () => {
  it('should tell every listener of events, alarms, snapshots and connection changes', () => {
    const { live, sockets } = liveWithFakes();
    const events: string[][] = [[], []];
    const alarms: string[] = [];
    const snapshots: number[] = [];
    const states: ConnectionState[] = [];
    live.subscribe('event', (e) => events[0]!.push(e.id));
    live.subscribe('event', (e) => events[1]!.push(`${e.id}@${live.data.recent[0]?.id}`));
    live.subscribe('alarm', (a) => alarms.push(`${a.id}:${a.state}`));
    live.subscribe('snapshot', (d) => snapshots.push(d.seq));
    live.subscribe('connection', (c) => states.push(c));
    live.connect(DISTRICT);
    const s = sockets[0]!;
    s.fire('connect');
    s.fire('snapshot', makeSnapshot(DISTRICT));
    const a = makeEvent();
    const b = makeEvent();
    s.fire('event:upsert', { seq: 11, epoch: 'e1', events: [{ created: true, event: a }, { created: true, event: b }] });
    s.fire('alarm:upsert', { seq: 12, epoch: 'e1', alarms: [{ id: 'al-1', state: 'raised' } as Alarm] });
    s.fire('disconnect', 'transport close');
    expect(events[0]).toEqual([a.id, b.id]);
    // listeners hear of a change once `data` holds it
    expect(events[1]).toEqual([`${a.id}@${b.id}`, `${b.id}@${b.id}`]);
    expect(alarms).toEqual(['al-1:raised']);
    expect(snapshots).toEqual([10]);
    expect(states).toEqual(['connected', 'reconnecting']);
    live.disconnect();
  });

  it('should stop calling a listener once unsubscribed', () => {
    const { live, sockets } = liveWithFakes();
    const fn = vi.fn();
    const off = live.subscribe('event', fn);
    live.connect(DISTRICT);
    sockets[0]!.fire('connect');
    sockets[0]!.fire('snapshot', makeSnapshot(DISTRICT));
    off();
    sockets[0]!.fire('event:upsert', { seq: 11, epoch: 'e1', events: [{ created: true, event: makeEvent() }] });
    expect(fn).not.toHaveBeenCalled();
    live.disconnect();
  });

  it('should hand a refusal to its listeners, and retry by itself when nobody listens', () => {
    const { live, sockets } = liveWithFakes();
    live.connect(DISTRICT);
    const s = sockets[0]!;
    s.fire('connect');
    s.fire('disconnect', 'io server disconnect');
    vi.advanceTimersByTime(2500);
    expect(s.connected).toBe(true); // retried by itself

    const why = vi.fn();
    live.subscribe('refused', why);
    s.fire('disconnect', 'io server disconnect');
    vi.advanceTimersByTime(2500);
    expect(why).toHaveBeenCalledWith('closed');
    expect(s.connected).toBe(false); // the listener decides
    live.disconnect();
  });
});

describe(WallModel.name, () => {
  it('should connect to the root once the centre is known, and follow the scope when drilling in and out', async () => {
    const { model, sockets, loop, forecast } = setup();
    expect(sockets).toHaveLength(0);
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    expect(sockets.map((s) => s.areaId)).toEqual([DISTRICT]);
    expect(model.scopeId).toBe(DISTRICT);
    expect(model.inStreet).toBe(false);

    model.drill(S2);
    expect(model.scopeId).toBe(S2);
    expect(model.inStreet).toBe(true);
    expect(model.selectedStreetId).toBe(S2);
    expect(sockets.map((s) => s.areaId)).toEqual([DISTRICT, S2]);
    expect(sockets[0]!.closed).toBe(true);
    model.drill(S2); // already there: nothing new
    model.drill(G1); // not a street: ignored
    expect(sockets).toHaveLength(2);

    model.escape();
    expect(model.scopeId).toBe(DISTRICT);
    expect(sockets.map((s) => s.areaId)).toEqual([DISTRICT, S2, DISTRICT]);
    expect(loop.watched).toEqual([DISTRICT, S2, DISTRICT]);
    expect(forecast.watched).toEqual([DISTRICT, S2, DISTRICT]);
    model.destroy();
    expect(sockets[2]!.closed).toBe(true);
  });

  it('should keep a street centre in its street', async () => {
    const { model, sockets } = setup(S1);
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    expect(model.canDrill).toBe(false);
    model.setView(S2);
    expect(model.scopeId).toBe(S1);
    expect(model.level).toBe('street');
    expect(model.inStreet).toBe(true);
    expect(sockets.map((s) => s.areaId)).toEqual([S1]);
    expect(model.labels.map((l) => l.id)).toEqual([S1]);
    model.destroy();
  });

  it('should derive tiles, counts, labels, grades and charts from the data', async () => {
    const { model, sync, wall } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    const open = [makeEvent({ streetId: S1, gridId: G1 }), makeEvent({ streetId: S1, gridId: G2, severity: 'critical' }), makeEvent({ streetId: S2, gridId: G3 })];
    sync({ events: open, openTotal: 3, recent: open });

    expect(model.scopeOpen).toBe(3);
    expect(model.severe).toBe(1);
    expect(model.todayCount).toBe(12);
    expect(model.childCounts.get(S1)).toBe(2);
    expect(model.childCounts.get(S2)).toBe(1);
    expect(model.labels.map((l) => [l.id, l.count])).toEqual([
      [S1, 2],
      [S2, 1],
    ]);
    expect(model.gridGrades.size).toBeGreaterThan(0);
    const pm25 = model.tiles.find((tl) => tl.def.id === 'pm25');
    expect(pm25?.value?.value).toBe(40);
    expect(pm25?.status).toBe('normal');
    expect(model.tiles.every((tl) => tl.def.levels.includes('district'))).toBe(true);
    expect(model.pm25Now).toBe(40);
    expect(model.pm25Empty).toBe(false);
    expect(model.watch.rows).toBeDefined();
    expect(model.areaData?.streets.features).toHaveLength(2);
    expect(model.barRows.map((r) => [r.id, r.count])).toEqual([
      [S1, 2],
      [S2, 1],
    ]);
    expect(model.centreName).toBe('杨浦区城运中心');
    wall.lang = 'en';
    expect(model.centreName).toBe('Yangpu Centre');
    expect(model.scopeTitle).toBe('杨浦区-en');

    // a new value moves the tile
    const s = model.source;
    expect(s.data.indicators[indicatorKey(DISTRICT, 'pm25')]?.value).toBe(40);
    model.destroy();
  });

  it('should rank the closed-loop board from the loop figures and the open counts', async () => {
    const { model, sync, loop } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    sync({ events: [makeEvent({ streetId: S2, gridId: G3 })], openTotal: 1 });
    const row = (key: string, onTimeRate: number) => ({
      key, received: 5, closed: 4, onTimeRate, avgStageMinutes: { accept: 1, dispatch: 1, handle: 1, verify: 1 }, breaches: 0, returns: 0, good: 0, bad: 0, satisfaction: null,
    });
    loop.stats = { areaId: DISTRICT, from: '', to: '', byStreet: [row(S1, 0.5), row(S2, 0.95)], byUnit: [], funnel: { reported: 0, accepted: 0, dispatched: 0, handled: 0, verified: 0 } } satisfies StatsResponse;
    expect(model.board.map((r) => [r.id, r.open, r.onTimeRate])).toEqual([
      [S2, 1, 0.95],
      [S1, 0, 0.5],
    ]);
    model.drill(S1);
    expect(model.board).toEqual([]);
    model.destroy();
  });

  it('should follow the open case through the stream, also once it has left the lists', async () => {
    const { model, sync, loop } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    const e = makeEvent();
    const s = sync({ events: [e], openTotal: 1, recent: [e] });
    model.selectEvent(e.id);
    expect(model.detail?.id).toBe(e.id);
    const pokes = loop.pokes;
    // closed, and pushed out of the ticker by newer ones: only the stream's copy is left
    const closed = { ...e, status: 'archived' as const, version: 5 };
    const newer = Array.from({ length: 60 }, () => ({ created: true, event: makeEvent() }));
    s.fire('event:upsert', { seq: 11, epoch: 'e1', events: [{ created: false, event: closed }, ...newer] });
    expect(model.data.recent.some((x) => x.id === e.id)).toBe(false);
    expect(model.detail?.version).toBe(5);
    expect(model.detail?.status).toBe('archived');
    expect(loop.pokes).toBeGreaterThan(pokes);
    model.escape();
    expect(model.detail).toBeNull();
    model.destroy();
  });

  it('should draw another source when handed one (a replay), and back', async () => {
    const { model, live, sync } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    sync({ openTotal: 0 });
    const replayed = makeEvent({ streetId: S2, gridId: G3 });
    const at = NOW - 86_400_000;
    const bus = new Listeners<import('../../web/src/lib/state/live-source.ts').LiveEvents>();
    const connected: string[] = [];
    const replay: LiveSource = {
      data: applySnapshot(initialLiveData(DISTRICT), makeSnapshot(DISTRICT, { events: [replayed], openTotal: 1 }), NOW).data,
      connection: 'connected',
      fresh: new Map(),
      areaId: DISTRICT,
      serverNow: () => at,
      connect: (id) => void connected.push(id),
      disconnect: () => {},
      reconnect: () => {},
      freshEvents: () => [],
      subscribe: (kind, fn) => bus.subscribe(kind, fn),
    };
    model.useSource(replay);
    expect(connected).toEqual([DISTRICT]);
    expect(model.serverNow).toBe(at);
    expect(model.childCounts.get(S2)).toBe(1);
    model.useSource(live);
    expect(model.childCounts.get(S2)).toBe(0);
    expect(model.serverNow).toBe(NOW);
    model.destroy();
  });

  it('should go back to the root when a drilled-into street is refused', async () => {
    const { model, sockets } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    model.drill(S1);
    const s = sockets.at(-1)!;
    s.active = false;
    s.fire('connect_error', new Error('forbidden'));
    expect(model.scopeId).toBe(DISTRICT);
    expect(sockets.at(-1)!.areaId).toBe(DISTRICT);
    model.destroy();
  });

  it.each([
    ['the session is gone', null, 'lost'],
    ['the account changed', { ...SESSION, areaId: S1 }, 'reload'],
    ['the session is unchanged', SESSION, 'retry'],
  ] as const)('should check the session when the stream is closed: %s', async (_name, current, outcome) => {
    const { model, sockets, lost, reload, fetchSession } = setup();
    fetchSession.mockResolvedValue(current as SessionInfo | null);
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    const s = sockets[0]!;
    s.fire('connect');
    s.fire('disconnect', 'io server disconnect');
    await vi.waitFor(() => expect(fetchSession).toHaveBeenCalled());
    await Promise.resolve();
    expect(lost).toHaveBeenCalledTimes(outcome === 'lost' ? 1 : 0);
    expect(reload).toHaveBeenCalledTimes(outcome === 'reload' ? 1 : 0);
    vi.advanceTimersByTime(2500);
    expect(s.connected).toBe(outcome === 'retry');
    model.destroy();
  });
});

describe(`${WallModel.name} data age`, () => {
  it('should keep stream panels current while live, and stale with the reason once the stream is lost', async () => {
    const { model, sync, wall } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    expect(model.streamAge.updatedAt).toBe(0); // no data yet
    const s = sync();
    expect(model.stream.live).toBe(true);
    wall.now = Date.now();
    expect(model.streamAge).toEqual({ updatedAt: model.serverNow, stale: null });
    expect(model.banner).toBeNull();

    const cutAt = Date.now();
    // on the server's clock
    const lostAt = model.source.serverNow(cutAt);
    s.fire('disconnect', 'transport close');
    expect(model.stream).toMatchObject({ live: false, reason: 'connection_lost', lostAt });
    expect(model.streamAge.stale).toBeNull(); // a blip greys nothing
    vi.advanceTimersByTime(6000);
    wall.now = Date.now();
    expect(model.streamAge).toEqual({ updatedAt: lostAt, stale: 'connection_lost' });
    expect(model.banner?.kind).toBe('reconnecting');
    expect(model.banner?.since).toBe(cutAt);
    // every value-fed tile says why too, the connection first
    expect(model.tiles.find((tl) => tl.def.id === 'pm25')?.age?.stale).toBe('connection_lost');
    expect(model.indicatorsAge.stale).toBe('connection_lost');
    expect(model.pm25Age.stale).toBe('connection_lost');

    // back: resynchronising until the snapshot, then live again
    s.fire('connect');
    expect(model.banner?.kind).toBe('resyncing');
    s.fire('snapshot', makeSnapshot(DISTRICT, { seq: 20, serverTime: new Date(Date.now()).toISOString() }));
    expect(model.stream.live).toBe(true);
    expect(model.banner).toBeNull();
    expect(model.streamAge.stale).toBeNull();
    model.destroy();
  });

  it('should say the server is restarting when it closed the stream', async () => {
    const { model, sync, wall, fetchSession } = setup();
    fetchSession.mockRejectedValue(new TypeError('fetch failed'));
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    const s = sync();
    s.fire('disconnect', 'io server disconnect');
    // the session check fails (the server is unreachable): a retry is planned, and the banner says when
    await vi.waitFor(() => expect(model.source.nextAttemptAt).toBeGreaterThan(Date.now()));
    expect(model.source.nextAttemptAt! - Date.now()).toBeLessThanOrEqual(2000);
    vi.advanceTimersByTime(6000);
    wall.now = Date.now();
    expect(model.streamAge.stale).toBe('server_restarting');
    expect(model.banner?.kind).toBe('restarting');
    model.destroy();
  });

  it('should mark a silent source on its tile only, while the stream is live', async () => {
    const { model, sync } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    const pm25 = DEFINITIONS.find((d) => d.id === 'pm25')!;
    const old = new Date(NOW - (pm25.staleAfterSec + 60) * 1000).toISOString();
    sync({ indicators: [{ areaId: DISTRICT, indicatorId: 'pm25', value: 40, at: old, status: 'normal', simulated: true }] });
    const tile = model.tiles.find((tl) => tl.def.id === 'pm25')!;
    expect(tile.age).toEqual({ updatedAt: Date.parse(old), stale: 'source_silent' });
    expect(model.pm25Age.stale).toBe('source_silent');
    expect(model.streamAge.stale).toBeNull();
    model.destroy();
  });

  it('should age the closed-loop figures from their last good answer', async () => {
    const { model, sync, loop, wall } = setup();
    model.start();
    await vi.waitFor(() => expect(model.catalog.loaded).toBe(true));
    sync();
    expect(model.loopAge).toEqual({ updatedAt: 0, stale: null });
    loop.fetchedAt = NOW;
    expect(model.loopAge).toEqual({ updatedAt: model.source.serverNow(NOW), stale: null });
    wall.now = NOW + 61_000;
    expect(model.loopAge.stale).toBe('not_updating');
    model.destroy();
  });
});
