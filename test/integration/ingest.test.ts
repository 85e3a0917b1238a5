import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, EventChange, EventDelta, IndicatorDelta, ServerToClientEvents, Snapshot } from '../../shared/index.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** a connected client that records everything it receives */
async function connect(s: { url: string; cookie: string }, areaId?: string, cookie = s.cookie) {
  const socket: Client = io(s.url, { transports: ['websocket'], auth: areaId ? { areaId } : {}, forceNew: true, extraHeaders: { cookie } });
  /** every event received, with the seq and epoch of the delta that carried it */
  const events: (EventChange & Pick<EventDelta, 'seq' | 'epoch'>)[] = [];
  const frames: EventDelta[] = [];
  const indicators: IndicatorDelta[] = [];
  const seqs: number[] = [];
  socket.on('event:upsert', (d) => {
    frames.push(d);
    for (const c of d.events) events.push({ ...c, seq: d.seq, epoch: d.epoch });
    seqs.push(d.seq);
  });
  socket.on('indicator:update', (d) => {
    indicators.push(d);
    seqs.push(d.seq);
  });
  const snapshot = await new Promise<Snapshot>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, snapshot, events, frames, indicators, seqs };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// points known to lie in Yangpu (五角场 area and 定海路 area) and one in Pudong (outside)
const WUJIAOCHANG: [number, number] = [121.514, 31.302];
const DINGHAI: [number, number] = [121.55, 31.272];
const OUTSIDE: [number, number] = [121.6, 31.2];

let n = 0;
const ev = (over: Record<string, unknown> = {}) => ({
  source: 'grid',
  externalId: `it-${Date.now()}-${++n}`,
  category: 'fire_hazard',
  title: '消防通道堵塞',
  description: '楼道堆放杂物',
  lng: WUJIAOCHANG[0],
  lat: WUJIAOCHANG[1],
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  severity: 'high',
  ...over,
});

describe('ingest → store → socket', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
  });
  afterAll(async () => {
    await s.stop({ removeData: true });
  });

  it('should commit a new event and stream it with the next seq to the district and its street', async () => {
    const district = await connect(s);
    const street = await connect(s, '310110019000');
    try {
      expect(district.snapshot.areaId).toBe('310110');
      const body = ev();
      const r = await postJson(s.url, '/api/v1/events', { events: [body] }, s.ingestKey);
      expect(r.status).toBe(200);
      expect(r.json.results[0]).toMatchObject({ index: 0, status: 'created' });
      const id = r.json.results[0].id as string;
      // on disk before the answer: a read through the store sees it
      expect((await s.store.cases.getEvent(id))?.title).toBe('消防通道堵塞');
      await until(() => district.events.some((e) => e.event.id === id) && street.events.some((e) => e.event.id === id));
      const d = district.events.find((e) => e.event.id === id)!;
      expect(d.created).toBe(true);
      expect(d.seq).toBeGreaterThan(district.snapshot.seq);
      expect(district.seqs).toEqual(district.seqs.map((_, i) => district.snapshot.seq + i + 1));
      expect(d.epoch).toBe(district.snapshot.epoch);
      expect(d.event).toMatchObject({ streetId: expect.any(String), districtId: '310110', status: 'reported', severity: 'high' });
      expect(street.events[0]!.event.streetId).toBe('310110019000');
    } finally {
      district.socket.close();
      street.socket.close();
    }
  });

  it('should not send a street room events of another street', async () => {
    const other = await connect(s, '310110001000'); // 定海路
    try {
      const r = await postJson(s.url, '/api/v1/events', { events: [ev()] }, s.ingestKey);
      const id = r.json.results[0].id;
      const r2 = await postJson(s.url, '/api/v1/events', { events: [ev({ lng: DINGHAI[0], lat: DINGHAI[1] })] }, s.ingestKey);
      const id2 = r2.json.results[0].id;
      await until(() => other.events.some((e) => e.event.id === id2));
      expect(other.events.map((e) => e.event.id)).not.toContain(id);
      expect(other.events.every((e) => e.event.streetId === '310110001000')).toBe(true);
    } finally {
      other.socket.close();
    }
  });

  it('should be idempotent on (source, externalId)', async () => {
    const c = await connect(s);
    try {
      const body = ev();
      const first = await postJson(s.url, '/api/v1/events', { events: [body] }, s.ingestKey);
      const before = (await s.get(`/api/v1/events?limit=1`)).json.total;
      await until(() => c.events.length === 1);
      const again = await postJson(s.url, '/api/v1/events', { events: [body, { ...body, title: 'changed' }] }, s.ingestKey);
      expect(again.status).toBe(200);
      expect(again.json.results.map((x: any) => x.status)).toEqual(['duplicate', 'duplicate']);
      expect(again.json.results[0].id).toBe(first.json.results[0].id);
      const after = (await s.get(`/api/v1/events?limit=1`)).json.total;
      expect(after).toBe(before);
      expect((await s.store.cases.getEvent(first.json.results[0].id))?.title).toBe(body.title);
      // a later delta proves the duplicate sent nothing in between
      const r = await postJson(s.url, '/api/v1/events', { events: [ev()] }, s.ingestKey);
      await until(() => c.events.length === 2);
      expect(c.events[1]!.event.id).toBe(r.json.results[0].id);
      // every delta of the room (events and indicator updates) carries consecutive seqs
      expect(c.seqs).toEqual(c.seqs.map((_, i) => c.snapshot.seq + i + 1));
    } finally {
      c.socket.close();
    }
  });

  it('should treat a repeat inside one batch as a duplicate of the first', async () => {
    const body = ev();
    const r = await postJson(s.url, '/api/v1/events', { events: [body, body] }, s.ingestKey);
    expect(r.json.results.map((x: any) => x.status)).toEqual(['created', 'duplicate']);
    expect(r.json.results[1].id).toBe(r.json.results[0].id);
  });

  it('should reject an event outside the district on its own and keep the others', async () => {
    const r = await postJson(s.url, '/api/v1/events', { events: [ev(), ev({ lng: OUTSIDE[0], lat: OUTSIDE[1] }), ev()] }, s.ingestKey);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ accepted: 2, rejected: 1 });
    expect(r.json.results[1]).toMatchObject({ status: 'rejected', error: { code: 'OUTSIDE_AREA' } });
    expect(r.json.results[0].status).toBe('created');
    expect(r.json.results[2].status).toBe('created');
  });

  it('should keep an event of an unknown category', async () => {
    const r = await postJson(s.url, '/api/v1/events', { events: [ev({ category: 'manhole_cover' })] }, s.ingestKey);
    expect(r.json.results[0].status).toBe('created');
    const got = (await s.get(`/api/v1/events/${r.json.results[0].id}`)).json;
    expect(got.category).toBe('manhole_cover');
  });

  it.each([
    ['a missing title', { title: undefined }, 'events.0.title'],
    ['a latitude out of range', { lat: 91 }, 'events.0.lat'],
    ['a time without offset', { occurredAt: '2026-11-22 10:00' }, 'events.0.occurredAt'],
    ['an unknown severity', { severity: 'apocalyptic' }, 'events.0.severity'],
    ['a string longitude', { lng: '121.5' }, 'events.0.lng'],
    ['an unknown field', { colour: 'red' }, 'events.0'],
    ['an upper-case category', { category: 'FIRE' }, 'events.0.category'],
    ['an empty external id', { externalId: '' }, 'events.0.externalId'],
    ['a zeroed clock', { occurredAt: '1970-01-01T00:00:00Z' }, 'events.0.occurredAt'],
  ])('should refuse a batch with %s whole, naming the field', async (_name, over, path) => {
    const before = await s.store.cases.countEvents({});
    const r = await postJson(s.url, '/api/v1/events', { events: [ev(over), ev()] }, s.ingestKey);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('VALIDATION');
    expect(r.json.error.issues.map((i: any) => i.path)).toContain(path);
    expect(r.json.error.issues.every((i: any) => typeof i.message === 'string' && i.message.length > 0)).toBe(true);
    expect(await s.store.cases.countEvents({})).toBe(before);
  });

  it('should name every bad field of a batch', async () => {
    const r = await postJson(s.url, '/api/v1/events', { events: [ev({ lat: 'x' }), ev(), ev({ lng: 500, title: '' })] }, s.ingestKey);
    expect(r.status).toBe(400);
    expect(r.json.error.issues.map((i: any) => i.path).sort()).toEqual(['events.0.lat', 'events.2.lng', 'events.2.title']);
  });

  it('should refuse empty, oversized-count, non-JSON and wrong-type bodies', async () => {
    expect((await postJson(s.url, '/api/v1/events', { events: [] }, s.ingestKey)).status).toBe(400);
    const many = Array.from({ length: 1001 }, () => ev());
    const big = await postJson(s.url, '/api/v1/events', { events: many }, s.ingestKey);
    expect(big.status).toBe(400);
    expect(big.json.error.issues[0].path).toBe('events');
    const bad = await postJson(s.url, '/api/v1/events', '{"events": [', s.ingestKey);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/JSON/);
    const form = await postJson(s.url, '/api/v1/events', 'a=b', s.ingestKey, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect((await postJson(s.url, '/api/v1/events', { readings: [] }, s.ingestKey)).status).toBe(400);
  });

  it('should answer 401 without a key or with a wrong one, and 403 for a revoked key', async () => {
    const none = await postJson(s.url, '/api/v1/events', { events: [ev()] });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await postJson(s.url, '/api/v1/events', { events: [ev()] }, 'osk_not-a-key')).status).toBe(401);
    expect((await postJson(s.url, '/api/v1/readings', { readings: [] }, 'osk_not-a-key')).status).toBe(401);
    const { createIngestKey } = await import('../../server/middleware/ingest-auth.ts');
    const k = await createIngestKey(s.store, 'to-revoke', { now: Date.now() });
    expect((await postJson(s.url, '/api/v1/events', { events: [ev()] }, k.key)).status).toBe(200);
    await s.store.keys.revokeIngestKey('to-revoke', Date.now());
    const revoked = await postJson(s.url, '/api/v1/events', { events: [ev()] }, k.key);
    expect(revoked.status).toBe(403);
    expect(revoked.json.error.code).toBe('FORBIDDEN');
  });

  it('should store only a hash of an ingest key', async () => {
    const { createIngestKey, hashKey } = await import('../../server/middleware/ingest-auth.ts');
    const k = await createIngestKey(s.store, 'hash-check', { now: Date.now() });
    expect(await s.store.keys.findIngestKeyByHash(hashKey(k.key))).toMatchObject({ name: 'hash-check' });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${s.dataDir}/onescreen.sqlite`, { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM ingest_keys').all());
    db.close();
    expect(dump).not.toContain(k.key);
    expect(dump).toContain(hashKey(k.key));
  });

  it('should answer 404 for an unknown event and filter the list by area and status', async () => {
    expect((await s.get(`/api/v1/events/does-not-exist`)).status).toBe(404);
    const dh = await postJson(s.url, '/api/v1/events', { events: [ev({ lng: DINGHAI[0], lat: DINGHAI[1] })] }, s.ingestKey);
    const id = dh.json.results[0].id;
    const street = (await s.get(`/api/v1/events?areaId=310110001000&status=open`)).json;
    expect(street.events.map((e: any) => e.id)).toContain(id);
    expect(street.events.every((e: any) => e.streetId === '310110001000')).toBe(true);
    const closed = (await s.get(`/api/v1/events?status=closed`)).json;
    expect(closed.total).toBe(0);
    const future = (await s.get(`/api/v1/events?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).json;
    expect(future.total).toBe(0);
    const badQuery = await s.get(`/api/v1/events?status=lost`);
    expect(badQuery.status).toBe(400);
    expect((await s.get(`/api/v1/events?areaId=nowhere`)).status).toBe(404);
  });
});

describe('readings', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, flushPerSec: 10 });
  });
  afterAll(async () => {
    await s.stop({ removeData: true });
  });

  it('should accept area and point readings, place points in their grid, and reject bad items on their own', async () => {
    const at = new Date().toISOString();
    const r = await postJson(
      s.url,
      '/api/v1/readings',
      {
        readings: [
          { indicator: 'pm25', value: 88, at, areaId: '310110' },
          { indicator: 'fire_alarms', value: 1, at, lng: WUJIAOCHANG[0], lat: WUJIAOCHANG[1] },
          { indicator: 'nope', value: 1, at, areaId: '310110' },
          { indicator: 'pm25', value: 1, at, areaId: 'nowhere' },
          { indicator: 'open_events', value: 1, at, areaId: '310110' },
          { indicator: 'pm25', value: 5000, at, areaId: '310110' },
          { indicator: 'pm25', value: 50, at, areaId: '310110001000-g001' },
          { indicator: 'fire_alarms', value: 1, at, lng: OUTSIDE[0], lat: OUTSIDE[1] },
          { indicator: 'pm25', value: 50, at: new Date(Date.now() + 3_600_000).toISOString(), areaId: '310110' },
        ],
      },
      s.ingestKey,
    );
    expect(r.status).toBe(200);
    const codes = r.json.results.map((x: any) => x.status === 'accepted' ? 'ok' : x.error.code);
    expect(codes).toEqual(['ok', 'ok', 'UNKNOWN_INDICATOR', 'UNKNOWN_AREA', 'UNKNOWN_INDICATOR', 'OUT_OF_RANGE', 'LEVEL_NOT_APPLICABLE', 'OUTSIDE_AREA', 'VALIDATION']);
    expect(r.json.results[1].areaId).toMatch(/^310110019000-g\d{3}$|^310110\d{6}-g\d{3}$/);
  });

  it('should refuse a reading batch that fails the schema', async () => {
    const at = new Date().toISOString();
    const before = await s.store.readings.rawReadingCount();
    const r = await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'pm25', value: 1, at }, { indicator: 'pm25', value: 1, at, areaId: '310110', lng: 121.5, lat: 31.3 }] }, s.ingestKey);
    expect(r.status).toBe(400);
    const paths = r.json.error.issues.map((i: any) => i.path);
    expect(paths).toContain('readings.0.lng');
    expect(paths).toContain('readings.1.areaId');
    expect(await s.store.readings.rawReadingCount()).toBe(before);
  });

  it('should stream coalesced indicator updates with the room seq and roll grids up to the street and district', async () => {
    const c = await connect(s);
    try {
      const at = new Date().toISOString();
      // 90 requests in quick succession: the room gets at most one update per flush interval
      const t0 = Date.now();
      for (let i = 0; i < 90; i++) {
        const readings = [{ indicator: 'traffic_violations', value: i % 7, at, areaId: `310110019000-g${String((i % 9) + 1).padStart(3, '0')}` }];
        await postJson(s.url, '/api/v1/readings', { readings }, s.ingestKey);
      }
      const flushes = Math.ceil((Date.now() - t0) / 100) + 2; // flushPerSec 10
      await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'pm25', value: 120, at, areaId: '310110' }] }, s.ingestKey);
      await until(() => c.indicators.some((d) => d.values.some((v) => v.indicatorId === 'pm25' && v.value === 120)));
      const pm = c.indicators.flatMap((d) => d.values).findLast((v) => v.indicatorId === 'pm25' && v.areaId === '310110')!;
      expect(pm.status).toBe('alarm'); // 120 ≥ 115
      expect(c.indicators.length).toBeLessThanOrEqual(flushes + 1);
      expect(c.indicators.length).toBeLessThan(45);
      const street = c.indicators.flatMap((d) => d.values).filter((v) => v.indicatorId === 'traffic_violations' && v.areaId === '310110019000').at(-1)!;
      // the street value is the sum over its grids' latest values
      const latest = new Map<string, number>();
      for (const r of await s.store.readings.latestReadings()) if (r.indicatorId === 'traffic_violations') latest.set(r.areaId, r.value);
      expect(street.value).toBe([...latest.values()].reduce((a, b) => a + b, 0));
      // deltas of the room carry consecutive seqs
      c.seqs.forEach((q, i) => expect(q).toBe(c.snapshot.seq + i + 1));
      // the district's own series point arrives with the update
      expect(c.indicators.some((d) => d.points.pm25?.[1] === 120)).toBe(true);
    } finally {
      c.socket.close();
    }
  });

  it('should answer a fresh snapshot on request with the current seq', async () => {
    const c = await connect(s);
    try {
      await postJson(s.url, '/api/v1/events', { events: [ev()] }, s.ingestKey);
      await until(() => c.events.length === 1);
      const r = await c.socket.emitWithAck('snapshot:request');
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.data.seq).toBeGreaterThanOrEqual(c.events[0]!.seq);
        expect(r.data.events.map((e) => e.id)).toContain(c.events[0]!.event.id);
        expect(r.data.indicators.find((v) => v.indicatorId === 'pm25' && v.areaId === '310110')?.value).toBe(120);
        expect(r.data.hourly.today).toHaveLength(24);
      }
    } finally {
      c.socket.close();
    }
  });

  it('should refuse a socket for an unknown area, and one without a session', async () => {
    const socket: Client = io(s.url, { transports: ['websocket'], auth: { areaId: 'nowhere' }, forceNew: true, reconnection: false, extraHeaders: { cookie: s.cookie } });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(err.message).toBe('forbidden');
    socket.close();
    const anon: Client = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const got: string[] = [];
    anon.onAny((name) => got.push(name));
    const err2 = await new Promise<Error>((resolve) => anon.once('connect_error', resolve));
    expect(err2.message).toBe('unauthorized');
    expect(got).toEqual([]);
    anon.close();
  });
});

describe('durability', () => {
  it('should keep every accepted event and reading across a restart', async () => {
    const s1 = await startTestServer({ serveWeb: false });
    const dataDir = s1.dataDir;
    const batch = Array.from({ length: 50 }, (_, i) => ev({ externalId: `restart-${i}`, lng: WUJIAOCHANG[0] + i * 0.0001 }));
    const r = await postJson(s1.url, '/api/v1/events', { events: batch }, s1.ingestKey);
    expect(r.json.accepted).toBe(50);
    const at = new Date().toISOString();
    await postJson(s1.url, '/api/v1/readings', { readings: [{ indicator: 'pm25', value: 66, at, areaId: '310110' }] }, s1.ingestKey);
    // a bad batch after them must not disturb what was accepted
    expect((await postJson(s1.url, '/api/v1/events', { events: [ev({ lat: 'x' })] }, s1.ingestKey)).status).toBe(400);
    const key = s1.ingestKey;
    await s1.stop();

    const s2 = await startTestServer({ serveWeb: false, dataDir });
    try {
      const list = (await s2.get(`/api/v1/events?limit=1000`)).json;
      expect(list.total).toBe(50);
      for (const res of r.json.results) expect(list.events.map((e: any) => e.id)).toContain(res.id);
      // the old key still works and the same externalIds are still duplicates
      const again = await postJson(s2.url, '/api/v1/events', { events: batch.slice(0, 3) }, key);
      expect(again.json.results.map((x: any) => x.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      const ind = (await s2.get(`/api/v1/indicators`)).json;
      expect(ind.values.find((v: any) => v.indicatorId === 'pm25' && v.areaId === '310110').value).toBe(66);
      expect(ind.values.find((v: any) => v.indicatorId === 'open_events' && v.areaId === '310110').value).toBe(50);
    } finally {
      await s2.stop({ removeData: true });
    }
  });

  it('should answer 413 for a body over the limit and store nothing', async () => {
    const s = await startTestServer({ serveWeb: false, ingestMaxBytes: 2048 });
    try {
      const events = Array.from({ length: 20 }, () => ev({ description: 'x'.repeat(200) }));
      const r = await postJson(s.url, '/api/v1/events', { events }, s.ingestKey);
      expect(r.status).toBe(413);
      expect(r.json.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await s.store.cases.countEvents({})).toBe(0);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
