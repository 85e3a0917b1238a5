import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndicatorDefinition, IndicatorRegistry, type EventStatus, type IndicatorValue } from '../../shared/index.ts';
import { AreaTree } from '../../server/domain/areas.ts';
import { createIndicatorService } from '../../server/services/indicator.service.ts';
import { isLoopIndicator, LOOP_RATES, loopCountWindows, loopDirectValues, RATE_WINDOW_MS, CALLS_WINDOW_MS, type CallCounts, type ClosedCounts } from '../../server/domain/loop-indicators.ts';
import type { CaseChange, NewEvent, Store } from '../../server/ports.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { migrations } from '../../server/stores/sqlite/migrations.ts';
import { loadShippedData } from '../../server/data.ts';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = 100 * DAY;

describe('loopDirectValues', () => {
  const closed: ClosedCounts[] = [{ gridId: 'g1', closed: 10, firstTime: 8, onTime: 7, rated: 9, good: 6 }];
  const calls: CallCounts[] = [{ gridId: 'g1', calls: 3 }, { gridId: 'g2', calls: 5 }];
  it.each([
    ['first_time_success_rate', { num: 8, den: 10 }],
    ['satisfaction', { num: 6, den: 9 }],
    ['on_time_closure_rate', { num: 7, den: 10 }],
  ] as const)('should give %s its numerator and denominator per grid, and 0 of 0 to a grid without a row', (id, g1) => {
    const m = loopDirectValues(id, closed, calls, ['g1', 'g2', 'g3'], NOW);
    expect(m.get('g1')).toMatchObject({ at: NOW, counts: g1 });
    expect(m.get('g2')!.counts).toEqual({ num: 0, den: 0 });
    expect(m.get('g3')!.counts).toEqual({ num: 0, den: 0 });
  });
  it('should count 12345 calls per grid, zero where none', () => {
    const m = loopDirectValues('calls_12345', closed, calls, ['g1', 'g2', 'g3'], NOW);
    expect([...m.values()].map((v) => v.value)).toEqual([3, 5, 0]);
    expect(m.get('g1')!.counts).toBeUndefined();
  });
  it('should know only its own indicators, whatever an id is called', () => {
    expect(isLoopIndicator('satisfaction')).toBe(true);
    expect(isLoopIndicator('open_events')).toBe(false);
    expect(isLoopIndicator('constructor')).toBe(false);
    expect(isLoopIndicator('__proto__')).toBe(false);
    expect(loopDirectValues('constructor', closed, calls, ['g1'], NOW).size).toBe(0);
  });
  it('should count closed cases over 30 days and calls over the last hour', () => {
    expect(loopCountWindows(NOW)).toEqual({ now: NOW, closedAfter: NOW - 30 * DAY, callsAfter: NOW - H, hotlineSource: '12345' });
  });
});

describe('the indicator registry', () => {
  const registry = loadShippedData().indicators;
  const base = registry.find((d) => d.id === 'first_time_success_rate')!;

  it('should derive the closed-loop indicators from the loop, as ratios where they are rates', () => {
    for (const id of ['first_time_success_rate', 'satisfaction', 'on_time_closure_rate', 'calls_12345']) {
      const d = registry.find((x) => x.id === id);
      expect(d, id).toBeDefined();
      expect(d!.source).toBe('derived');
      expect(d!.aggregation).toBe(Object.hasOwn(LOOP_RATES, id) ? 'ratio' : 'sum');
    }
    const onTime = registry.find((d) => d.id === 'on_time_closure_rate')!;
    expect(onTime).toMatchObject({ unit: { en: '%' }, thresholds: { direction: 'below' }, category: 'public_management' });
    expect(onTime.target).toBeGreaterThan(onTime.thresholds.warn);
  });

  it('should weigh every indicator, safety heavier on average than the rest', () => {
    for (const d of registry) expect(d.weight, d.id).toBeGreaterThanOrEqual(0);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const safety = mean(registry.filter((d) => d.category === 'public_safety').map((d) => d.weight));
    const rest = mean(registry.filter((d) => d.category !== 'public_safety').map((d) => d.weight));
    expect(safety).toBeGreaterThan(rest);
  });

  it('should default a weight to 1 and refuse a negative or endless one', () => {
    const { weight: _, ...noWeight } = base;
    expect(IndicatorDefinition.parse(noWeight).weight).toBe(1);
    expect(IndicatorDefinition.safeParse({ ...base, weight: -1 }).success).toBe(false);
    expect(IndicatorDefinition.safeParse({ ...base, weight: Infinity }).success).toBe(false);
    expect(IndicatorDefinition.safeParse({ ...base, weight: '2' }).success).toBe(false);
  });

  it('should refuse a ratio fed by readings (a reading has no counts to sum)', () => {
    const r = IndicatorRegistry.safeParse([{ ...base, source: 'readings' }]);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/only a derived indicator can aggregate as ratio/);
  });
});

// ── the store's grouped count ────────────────────────────────────────────────
const event = (over: Partial<NewEvent> = {}): NewEvent => ({
  id: crypto.randomUUID(),
  source: 'grid',
  externalId: crypto.randomUUID(),
  category: 'fire_hazard',
  title: 't',
  description: '',
  lng: 121.5,
  lat: 31.3,
  gridId: 'S1-g001',
  streetId: 'S1',
  districtId: 'D',
  severity: 'medium',
  status: 'reported',
  occurredAt: NOW - 2 * DAY,
  receivedAt: NOW - 2 * DAY,
  simulated: false,
  dueAt: null,
  confidential: false,
  drill: false,
  roadId: null,
  keyAreaIds: [],
  limitFactor: 1,
  buildingId: null,
  personal: null,
  ...over,
});

type Step = 'accept' | 'dispatch' | 'return' | 'handle' | 'rework' | 'verify' | 'breach' | 'archive-good' | 'archive-bad';
const NEXT: Record<Step, EventStatus | null> = {
  accept: 'accepted',
  dispatch: 'dispatched',
  return: 'accepted',
  handle: 'handled',
  rework: 'dispatched',
  verify: 'verified',
  breach: null,
  'archive-good': 'archived',
  'archive-bad': 'archived',
};
const FULL: Step[] = ['accept', 'dispatch', 'handle', 'verify'];

/** walk a stored case through steps, the last one at `at` (each a minute apart before it) */
async function walk(store: SqliteStore, e: NewEvent, steps: Step[], at: number) {
  let status: EventStatus = e.status;
  let version = 1;
  for (const [i, step] of steps.entries()) {
    const t = at - (steps.length - 1 - i) * 60_000;
    const to = NEXT[step] ?? status;
    const rating = step === 'archive-good' ? 'good' : step === 'archive-bad' ? 'bad' : null;
    const change: CaseChange = { status: to, leadUnit: null, coUnits: [], escalated: false, stageStartedAt: t, dueAt: null, rating, satisfaction: rating ? 4 : null, duplicateOf: null, ...(step === 'breach' ? { breach: true } : {}) };
    const action = step === 'archive-good' || step === 'archive-bad' ? 'archive' : step;
    const r = await store.cases.changeCase(e.id, version, change, { at: new Date(t).toISOString(), actor: 't', actorRole: 'district', action, from: status, to, note: '', attachments: [], data: rating ? { rating } : {} }, t);
    expect(r, `${step} on ${e.id}`).not.toBeNull();
    status = to;
    version++;
  }
}

describe('SqliteStore: closed-case and call counts per grid', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(() => store.close());

  it('should count closed cases of the window per grid: first-time, on time, rated, good; and the last hour’s 12345 events', async () => {
    const g1 = (o: Partial<NewEvent> = {}) => event(o);
    const g2 = (o: Partial<NewEvent> = {}) => event({ gridId: 'S2-g001', streetId: 'S2', ...o });
    const cases = [
      [g1(), [...FULL, 'archive-good']], // first time, on time, good
      [g1(), ['accept', 'dispatch', 'return', 'dispatch', 'handle', 'verify', 'archive-good']], // returned
      [g1(), ['accept', 'dispatch', 'handle', 'rework', 'handle', 'verify', 'archive-bad']], // reworked, bad
      [g1(), ['accept', 'dispatch', 'breach', 'handle', 'verify', 'archive-good']], // late
      [g2(), [...FULL, 'archive-bad']],
      [g2(), FULL], // verified, not closed
      [g2(), ['accept', 'dispatch', 'return']], // returned, open: not closed
    ] as const;
    const rows = cases.map(([e]) => e);
    await store.cases.insertEvents(rows as NewEvent[]);
    for (const [e, steps] of cases) await walk(store, e as NewEvent, [...steps], NOW - DAY);
    // closed before the window: left out
    const early = g1();
    await store.cases.insertEvents([early]);
    await walk(store, early, [...FULL, 'archive-good'], NOW - RATE_WINDOW_MS - 1);
    // 12345: two within the hour (one of them rejected later: still a call), one too old, one in the future
    const calls = [
      g1({ source: '12345', occurredAt: NOW - 10 * 60_000 }),
      g2({ source: '12345', occurredAt: NOW - CALLS_WINDOW_MS + 1 }),
      g2({ source: '12345', occurredAt: NOW - CALLS_WINDOW_MS }),
      g2({ source: '12345', occurredAt: NOW + 60_000 }),
      g2({ source: 'grid', occurredAt: NOW - 60_000 }),
    ];
    await store.cases.insertEvents(calls);
    await store.cases.changeCase(calls[0]!.id, 1, { status: 'rejected', leadUnit: null, coUnits: [], escalated: false, stageStartedAt: NOW, dueAt: null, rating: null, satisfaction: null, duplicateOf: null }, { at: new Date(NOW).toISOString(), actor: 't', actorRole: 'district', action: 'reject', from: 'reported', to: 'rejected', note: '', attachments: [], data: {} }, NOW);

    const w = loopCountWindows(NOW);
    const got = (await store.cases.closedCountsByGrid(w.closedAfter, w.now)).sort((a, b) => a.gridId.localeCompare(b.gridId));
    expect(got).toEqual([
      { gridId: 'S1-g001', closed: 4, firstTime: 2, onTime: 3, rated: 4, good: 3 },
      { gridId: 'S2-g001', closed: 1, firstTime: 1, onTime: 1, rated: 1, good: 0 },
    ]);
    const gotCalls = (await store.cases.callCountsByGrid(w.hotlineSource, w.callsAfter, w.now)).sort((a, b) => a.gridId.localeCompare(b.gridId));
    expect(gotCalls).toEqual([{ gridId: 'S1-g001', calls: 1 }, { gridId: 'S2-g001', calls: 1 }]);
  });

  it('should fill the new columns from the timelines of a database made before them', async () => {
    const old = new SqliteStore(':memory:');
    const db = (old as unknown as { db: Database }).db;
    // the schema of the version before the loop columns (9)
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of migrations.filter((x) => x.version < 10)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 0);
    }
    // written by that version: no trigger, no columns (the first table's columns: every later one has a default)
    const a = event();
    const b = event();
    const c = event();
    const put = db.prepare(`INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id, district_id, severity, status, occurred_at, received_at, updated_at)
      VALUES (@id, @source, @externalId, @category, @title, @description, @lng, @lat, @gridId, @streetId, @districtId, @severity, @status, @occurredAt, @receivedAt, @receivedAt)`);
    for (const e of [a, b, c]) put.run(e);
    const entry = (id: string, seq: number, action: string, to: string, at: number) =>
      db.prepare(`INSERT INTO event_timeline VALUES (?, ?, ?, 't', 'district', ?, 'x', ?, '', '[]', '{}')`).run(id, seq, at, action, to);
    entry(a.id, 2, 'rework', 'dispatched', NOW - 3 * DAY);
    entry(a.id, 3, 'archive', 'archived', NOW - 2 * DAY);
    entry(b.id, 2, 'archive', 'archived', NOW - DAY);
    entry(c.id, 2, 'return', 'accepted', NOW - DAY);
    db.prepare(`UPDATE events SET status = 'archived', rating = 'good' WHERE id IN (?, ?)`).run(a.id, b.id);
    await old.migrate();
    const cols = db.prepare('SELECT id, closed_at AS closedAt, reworks FROM events').all() as { id: string; closedAt: number | null; reworks: number }[];
    const by = new Map(cols.map((r) => [r.id, r]));
    expect(by.get(a.id)).toMatchObject({ closedAt: NOW - 2 * DAY, reworks: 1 });
    expect(by.get(b.id)).toMatchObject({ closedAt: NOW - DAY, reworks: 0 });
    expect(by.get(c.id)).toMatchObject({ closedAt: null, reworks: 1 });
    expect(await old.cases.closedCountsByGrid(NOW - RATE_WINDOW_MS, NOW)).toEqual([{ gridId: 'S1-g001', closed: 2, firstTime: 1, onTime: 2, rated: 2, good: 2 }]);
    await old.close();
  });
});

/** the indicator service on a stub store, with the shipped areas and indicators (Shanghai time) */
function serviceOn(store: Store, now: () => number, publish: (v: IndicatorValue[]) => void = () => undefined) {
  const data = loadShippedData();
  return createIndicatorService({
    store,
    tree: new AreaTree(data.areas),
    indicators: data.indicators,
    clock: { now },
    timeZone: 'Asia/Shanghai',
    broadcaster: { publishIndicators: publish },
    logger: { info() {}, warn() {}, error() {}, debug() {} },
  });
}

describe('the indicator service and the loop counts', () => {
  const data = loadShippedData();
  const tree = new AreaTree(data.areas);
  const grid = tree.gridIds()[0]!;
  const street = tree.get(grid)!.parentId!;

  function setup() {
    let now = NOW;
    const reads = { closed: 0, calls: 0 };
    let closed: ClosedCounts[] = [];
    let calls: CallCounts[] = [];
    /** runs while the closed cases are being read (a change arriving meanwhile) */
    let during: (() => void) | undefined;
    const store = {
      cases: {
        openCountsByGrid: async () => [],
        closedCountsByGrid: async (after: number, at: number) => {
          reads.closed++;
          const read = closed;
          during?.();
          during = undefined;
          expect(at - after).toBe(RATE_WINDOW_MS);
          return read;
        },
        callCountsByGrid: async (source: string, after: number, at: number) => {
          reads.calls++;
          expect([source, at - after]).toEqual(['12345', CALLS_WINDOW_MS]);
          return calls;
        },
      },
      readings: {
        latestReadings: async () => [],
        upsertSeries: async () => undefined,
      },
    } as unknown as Store;
    const published: IndicatorValue[] = [];
    const svc = serviceOn(store, () => now, (v) => void published.push(...v));
    return {
      svc,
      reads,
      published,
      set: (c: ClosedCounts[], k: CallCounts[]) => ((closed = c), (calls = k)),
      meanwhile: (f: () => void) => (during = f),
      advance: (ms: number) => (now += ms),
      value: (areaId: string, id: string) => svc.valuesFor(areaId).find((v) => v.indicatorId === id),
    };
  }

  it('should re-read closed cases only when a case is archived or the window slides, and calls on every change', async () => {
    const t = setup();
    await t.svc.init();
    expect(t.reads).toEqual({ closed: 1, calls: 1 });
    expect(t.value(street, 'first_time_success_rate')).toMatchObject({ value: null, status: 'nodata' });

    t.set([{ gridId: grid, closed: 4, firstTime: 3, onTime: 4, rated: 4, good: 2 }], [{ gridId: grid, calls: 7 }]);
    // a new event (ingest) or a case moving along: calls are recounted, closed cases are not
    t.svc.eventsChanged();
    t.svc.eventsChanged({ status: 'dispatched' });
    await t.svc.tick();
    expect(t.reads).toEqual({ closed: 1, calls: 2 });
    expect(t.value(street, 'calls_12345')!.value).toBe(7);
    expect(t.value(street, 'first_time_success_rate')!.value).toBe(null);

    // an archived case: the rates follow on the next tick, and are published
    t.svc.eventsChanged({ status: 'archived' });
    await t.svc.tick();
    expect(t.reads).toEqual({ closed: 2, calls: 3 });
    expect(t.value(street, 'first_time_success_rate')).toMatchObject({ value: 75, status: 'alarm' });
    expect(t.value(street, 'satisfaction')!.value).toBe(50);
    expect(t.value(street, 'on_time_closure_rate')).toMatchObject({ value: 100, status: 'normal' });
    expect(t.published.some((v) => v.areaId === tree.districtId && v.indicatorId === 'first_time_success_rate' && v.value === 75)).toBe(true);

    // nothing changed: nothing is read
    await t.svc.tick();
    expect(t.reads).toEqual({ closed: 2, calls: 3 });

    // cases leave the 30-day window without any change: the periodic full refresh catches it
    t.set([], []);
    t.advance(31_000);
    await t.svc.tick(); // marks everything for a full refresh
    await t.svc.tick();
    expect(t.reads.closed).toBe(3);
    expect(t.value(street, 'first_time_success_rate')).toMatchObject({ value: null, status: 'nodata' });
    expect(t.value(tree.districtId, 'calls_12345')!.value).toBe(0);
  });

  it('should not lose a case archived while the counts are being read', async () => {
    const t = setup();
    await t.svc.init();
    t.svc.eventsChanged({ status: 'archived' });
    // the read sees the old counts; the archive lands meanwhile
    t.meanwhile(() => {
      t.set([{ gridId: grid, closed: 1, firstTime: 1, onTime: 1, rated: 1, good: 1 }], []);
      t.svc.eventsChanged({ status: 'archived' });
    });
    await t.svc.tick();
    expect(t.value(street, 'satisfaction')!.value).toBe(null);
    await t.svc.tick();
    expect(t.reads.closed).toBe(3);
    expect(t.value(street, 'satisfaction')!.value).toBe(100);
  });
});

describe('the indicator service and the open and today counts', () => {
  const data = loadShippedData();
  const tree = new AreaTree(data.areas);
  const grid = tree.gridIds()[0]!;
  const now = NOW;

  it('should count in full again when a case is reported while the counts are being read', async () => {
    let rows: { gridId: string; open: number; today: number; overdue: number }[] = [];
    let reads = 0;
    let during: (() => void) | undefined;
    const store = {
      cases: {
        openCountsByGrid: async () => {
          reads++;
          const read = rows;
          during?.();
          during = undefined;
          return read;
        },
        overdueCountsByGrid: async () => rows.map((r) => ({ gridId: r.gridId, overdue: r.overdue })),
        closedCountsByGrid: async () => [],
        callCountsByGrid: async () => [],
      },
      readings: { latestReadings: async () => [], upsertSeries: async () => undefined },
    } as unknown as Store;
    const svc = serviceOn(store, () => now);
    const open = () => svc.valuesFor(grid).find((v) => v.indicatorId === 'open_events')!.value;
    await svc.init();
    svc.eventsChanged();
    // the read sees the counts before the new case; its commit and report land meanwhile
    during = () => {
      rows = [{ gridId: grid, open: 1, today: 1, overdue: 0 }];
      svc.eventsCreated([{ gridId: grid, status: 'reported', occurredAt: new Date(now).toISOString() }]);
    };
    await svc.tick();
    const readsThen = reads;
    expect(open()).toBe(0);
    // the next tick does not trust the running counts: it reads them in full, with the new case
    await svc.tick();
    expect(reads).toBe(readsThen + 1);
    expect(open()).toBe(1);
  });
});
