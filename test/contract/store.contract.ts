/**
 * The store contract: what every {@link Store} (the embedded SQLite one, PostgreSQL) must do, tested
 * through the `Store` interface only — no SQL, nothing of one database's types. A store passes when
 * `storeContract(name, open)` passes with it (`test/contract/sqlite.test.ts`, `postgres.test.ts`).
 *
 * `open()` gives a store over a fresh, empty database (migrated or not: the suite migrates it) and
 * a `cleanup()` that closes the store and removes the database; every test opens its own.
 * Timestamps go in as epoch ms and must come back as exactly the same instant (also past 2^31 s).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseTag, type Alarm, type GridEvent, type TimelineEntry } from '../../shared/index.ts';
import { DEFAULT_RECURRENCE, distanceMeters } from '../../server/domain/hotspots.ts';
import type { ChannelRecord } from '../../server/domain/notify.ts';
import type { TaskRecord } from '../../server/domain/tasks.ts';
import type { IncidentRecord } from '../../server/domain/emergency.ts';
import { loadShippedData } from '../../server/data.ts';
import type { CaseChange, DisplayTokenRecord, NewAlarm, NewAlarmHistory, NewDelivery, NewEvent, NewReading, SessionRecord, Store, UserRecord } from '../../server/ports.ts';

export interface OpenedStore {
  store: Store;
  /** close the store and remove its database */
  cleanup(): Promise<void>;
}

const H = 3_600_000;
const DAY = 24 * H;
/** 2100-01-01T00:00:00.123Z: past 2^31 seconds, and with milliseconds */
const Y2100 = Date.UTC(2100, 0, 1, 0, 0, 0, 123);
const iso = (t: number) => new Date(t).toISOString();

let serial = 0;
const uid = (p: string) => `${p}-${++serial}`;

/** a new case at the grid S1-g1 of street S1 in district D, reported at 10:00 (epoch + 10 h) */
export const newEvent = (over: Partial<NewEvent> = {}): NewEvent => {
  const id = over.id ?? uid('e');
  return {
    id,
    source: 'grid',
    externalId: id,
    category: 'fire_hazard',
    title: 't',
    description: '',
    lng: 121.5,
    lat: 31.3,
    gridId: 'S1-g1',
    streetId: 'S1',
    districtId: 'D',
    severity: 'medium',
    status: 'reported',
    occurredAt: 10 * H,
    receivedAt: 10 * H,
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
  };
};

const change = (e: Pick<GridEvent, 'status' | 'leadUnit' | 'coUnits' | 'escalated' | 'stageStartedAt' | 'dueAt' | 'rating' | 'satisfaction' | 'duplicateOf'>, over: Partial<CaseChange> = {}): CaseChange => ({
  status: e.status,
  leadUnit: e.leadUnit,
  coUnits: e.coUnits,
  escalated: e.escalated,
  stageStartedAt: Date.parse(e.stageStartedAt),
  dueAt: e.dueAt === null ? null : Date.parse(e.dueAt),
  rating: e.rating,
  satisfaction: e.satisfaction,
  duplicateOf: e.duplicateOf,
  ...over,
});

const entry = (action: TimelineEntry['action'], from: GridEvent['status'], to: GridEvent['status'], at: number, data: Record<string, unknown> = {}): Omit<TimelineEntry, 'seq'> => ({
  at: iso(at),
  actor: 'officer',
  actorRole: 'district',
  action,
  from,
  to,
  note: '',
  attachments: [],
  data,
});

const reading = (value: number, at: number, over: Partial<NewReading> = {}): NewReading => ({ indicatorId: 'pm25', areaId: 'D', value, at, receivedAt: at, simulated: false, ...over });

const user = (over: Partial<UserRecord> = {}): UserRecord => {
  const id = over.id ?? uid('u');
  return { id, username: id, role: 'district', areaId: 'D', unitId: null, streets: [], cleared: false, passwordHash: `scrypt$${id}`, createdAt: 1000, disabledAt: null, ...over };
};

const display = (over: Partial<DisplayTokenRecord & { hash: string }> = {}): DisplayTokenRecord & { hash: string } => {
  const id = over.id ?? uid('d');
  return { id, name: `wall ${id}`, areaId: 'S1', createdBy: 'admin', createdAt: 1000, revokedAt: null, enrolledAt: null, hash: `hash-${id}`, ...over };
};

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({ hash: uid('s'), userId: null, displayId: null, createdAt: 1000, expiresAt: 2000, ip: '192.0.2.1', ...over });

const T0 = Date.UTC(2026, 10, 22);
const channel = (id: string): ChannelRecord => ({
  id, name: `ch ${id}`, kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'secret-123', areaId: '310110',
  minSeverity: 'warn', kinds: ['alarm', 'breach'], enabled: true, createdAt: T0, updatedAt: T0,
});
const delivery = (channelId: string, key: string, at = T0): NewDelivery => ({ channelId, channelName: `ch ${channelId}`, noticeKey: key, kind: 'alarm', severity: 'alarm', payload: '{}', createdAt: at });

const newAlarm = (over: Partial<NewAlarm> = {}): NewAlarm => ({
  id: over.id ?? uid('a'),
  ruleId: 'pm25.district',
  kind: 'threshold',
  indicatorId: 'pm25',
  areaId: 'D',
  streetId: null,
  districtId: 'D',
  severity: 'warn',
  state: 'raised',
  title: { zh: '超标', en: 'out of range' },
  value: 80,
  threshold: 75,
  since: T0 - 60_000,
  raisedAt: T0,
  lastAt: T0,
  acknowledgedBy: null,
  ackNote: null,
  caseId: null,
  createCase: 'off',
  simulated: false,
  ...over,
});
const history = (kind: NewAlarmHistory['kind'], at: number, over: Partial<NewAlarmHistory> = {}): NewAlarmHistory => ({ at, kind, severity: 'warn', value: 80, by: null, note: null, ...over });

/** the names of every method an object offers (its own and its prototypes', up to Object) */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function') names.add(k);
    }
  }
  return [...names].sort();
}

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.migrate();
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    /** insert one case and return it */
    const insert = async (over: Partial<NewEvent> = {}) => (await store.cases.insertEvents([newEvent(over)]))[0]!.event;
    /** apply one change to a case at its current version */
    const apply = async (e: GridEvent, over: Partial<CaseChange>, ent: Omit<TimelineEntry, 'seq'>, now: number) => {
      const next = await store.cases.changeCase(e.id, e.version, change(e, over), ent, now);
      expect(next, `${ent.action} on ${e.id}`).not.toBeNull();
      return next!;
    };

    describe('schema', () => {
      it('should migrate idempotently, keeping what is stored', async () => {
        await insert({ id: 'kept' });
        await store.migrate();
        await store.migrate();
        expect(await store.cases.getEvent('kept')).toMatchObject({ id: 'kept' });
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('should say which database it is and how large it is', async () => {
        expect(['sqlite', 'postgres']).toContain(store.kind);
        const bytes = await store.sizeBytes();
        expect(typeof bytes).toBe('number');
        expect(bytes).toBeGreaterThan(0);
      });
    });

    describe('cases: ingest', () => {
      it('should store a case as given, with its first timeline entry, times exact to the millisecond (also in 2100)', async () => {
        const e = newEvent({ occurredAt: Y2100 - 5000, receivedAt: Y2100, dueAt: Y2100 + 2 * H + 7, simulated: true, severity: 'high', description: '井盖 "missing"' });
        const [r] = await store.cases.insertEvents([e]);
        const expected: GridEvent = {
          id: e.id, source: 'grid', externalId: e.externalId, category: 'fire_hazard', title: 't', description: '井盖 "missing"', lng: 121.5, lat: 31.3,
          gridId: 'S1-g1', streetId: 'S1', districtId: 'D', severity: 'high', status: 'reported',
          occurredAt: iso(Y2100 - 5000), receivedAt: iso(Y2100), updatedAt: iso(Y2100), simulated: true, version: 1,
          leadUnit: null, coUnits: [], escalated: false, stageStartedAt: iso(Y2100), dueAt: iso(Y2100 + 2 * H + 7), breaches: 0,
          rating: null, satisfaction: null, duplicateOf: null, tags: [], relatedIds: [], confidential: false, masked: false, ladder: null, drill: false, roadId: null, keyAreaIds: [], limitFactor: 1, buildingId: null,
        };
        expect(r).toEqual({ created: true, event: expected });
        expect(await store.cases.getEvent(e.id)).toEqual(expected);
        expect(await store.cases.timeline(e.id)).toEqual([
          { seq: 1, at: iso(Y2100), actor: 'grid', actorRole: 'source', action: 'report', from: 'reported', to: 'reported', note: '', attachments: [], data: { source: 'grid', externalId: e.externalId } },
        ]);
        expect(await store.cases.occurredTimes(Y2100 - DAY, Y2100 + DAY)).toEqual([Y2100 - 5000]);
      });

      it('should answer null and an empty timeline for an unknown case', async () => {
        expect(await store.cases.getEvent('nope')).toBeNull();
        expect(await store.cases.timeline('nope')).toEqual([]);
      });

      it('should insert idempotently on (source, externalId), answering the stored case, also within one batch', async () => {
        const e = newEvent();
        const [a] = await store.cases.insertEvents([e]);
        const [b, c, d] = await store.cases.insertEvents([
          { ...e, id: 'other-id', title: 'changed' },
          newEvent({ id: 'same-ext-other-source', source: '12345', externalId: e.externalId }),
          newEvent({ id: 'dup-in-batch', source: '12345', externalId: e.externalId }),
        ]);
        expect(a!.created).toBe(true);
        expect(b).toMatchObject({ created: false, event: { id: e.id, title: 't' } });
        expect(c).toMatchObject({ created: true, event: { id: 'same-ext-other-source', source: '12345' } });
        expect(d).toMatchObject({ created: false, event: { id: 'same-ext-other-source' } });
        expect(await store.cases.countEvents({})).toBe(2);
        expect(await store.cases.getEvent('other-id')).toBeNull();
        expect(await store.cases.timeline(e.id)).toHaveLength(1);
      });

      it('should create each case once when the same batch arrives in parallel', async () => {
        const keys = Array.from({ length: 20 }, (_, i) => `ext-${i}`);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, n) => store.cases.insertEvents(keys.map((k) => newEvent({ id: `${k}-try${n}`, externalId: k })))),
        );
        for (let i = 0; i < keys.length; i++) {
          const answers = results.map((r) => r[i]!);
          expect(answers.filter((a) => a.created)).toHaveLength(1);
          expect(new Set(answers.map((a) => a.event.id)).size).toBe(1);
          expect(answers[0]!.event.externalId).toBe(keys[i]);
        }
        expect(await store.cases.countEvents({})).toBe(keys.length);
      });

      it('should roll a failed batch back whole', async () => {
        const bad = { ...newEvent(), title: null as unknown as string };
        await expect(store.cases.insertEvents([newEvent({ externalId: 'x1' }), bad])).rejects.toThrow();
        expect(await store.cases.countEvents({})).toBe(0);
      });
    });

    describe('cases: recurrence at ingest', () => {
      const now = Date.UTC(2026, 10, 20);
      const at = (id: string, northM: number, ageMs: number, over: Partial<NewEvent> = {}): NewEvent =>
        newEvent({ id, category: 'parking', lng: 121.5, lat: 31.3 + northM / 111_195, occurredAt: now - ageMs, receivedAt: now, ...over });

      it('should tag and link within one batch, most recent first, only the same category, near and recent enough', async () => {
        const res = await store.cases.insertEvents(
          [
            at('old', 0, 40 * DAY),
            at('far', 500, 3 * DAY),
            at('other-cat', 10, 3 * DAY, { category: 'noise' }),
            at('first', 50, 3 * DAY),
            at('second', 20, 2 * DAY),
            at('third', 0, DAY),
          ],
          DEFAULT_RECURRENCE,
        );
        const by = Object.fromEntries(res.map((r) => [r.event.id, r.event]));
        expect(by.first).toMatchObject({ tags: [], relatedIds: [] });
        expect(by.second).toMatchObject({ tags: ['recurring'], relatedIds: ['first'] });
        expect(by.third).toMatchObject({ tags: ['recurring'], relatedIds: ['second', 'first'] });
        expect(by['other-cat']).toMatchObject({ tags: [], relatedIds: [] });
        expect(await store.cases.getEvent('third')).toMatchObject({ tags: ['recurring'], relatedIds: ['second', 'first'] });
        // without a rule nothing is tagged
        const [plain] = await store.cases.insertEvents([at('plain', 0, 0)]);
        expect(plain!.event).toMatchObject({ tags: [], relatedIds: [] });
      });

      it('should link exactly the cases a brute-force search finds: same category, 200 m, 30 days, 10 most recent', async () => {
        let seed = 7;
        const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
        let n = 0;
        // dense: 1,500 cases of two categories in about 1 km² over 40 days, so a per-row candidate cap is exercised
        const make = (): NewEvent => {
          const id = `e${++n}`;
          return newEvent({
            id, source: 'bench', externalId: id, category: rand() < 0.8 ? 'parking' : 'noise',
            lng: 121.5 + rand() * 0.01, lat: 31.3 + rand() * 0.01, gridId: 'g', streetId: 's', districtId: 'd',
            occurredAt: now - Math.floor(rand() * 40 * DAY), receivedAt: now, simulated: true,
          });
        };
        const stored: NewEvent[] = [];
        let recurring = 0;
        for (let b = 0; b < 30; b++) {
          const batch = Array.from({ length: 50 }, make);
          const res = await store.cases.insertEvents(batch, DEFAULT_RECURRENCE);
          res.forEach((r, i) => {
            const e = batch[i]!;
            const expected = stored
              .filter((o) => o.category === e.category && o.occurredAt <= e.occurredAt && o.occurredAt >= e.occurredAt - DEFAULT_RECURRENCE.windowMs && distanceMeters(o, e) <= DEFAULT_RECURRENCE.radiusM)
              .sort((a, c) => c.occurredAt - a.occurredAt || distanceMeters(a, e) - distanceMeters(c, e))
              .slice(0, 10)
              .map((o) => o.id);
            expect(r.event.relatedIds, e.id).toEqual(expected);
            expect(r.event.tags, e.id).toEqual(expected.length ? ['recurring'] : []);
            if (expected.length) recurring++;
            stored.push(e);
          });
        }
        expect(recurring).toBeGreaterThan(100);
        expect(recurring).toBeLessThan(stored.length);
      });

      it('should still find an older case in range behind many more recent ones piled up just outside it', async () => {
        // 80 reports at one address 201 m away (outside the radius, inside any estimate's margin)
        await store.cases.insertEvents(Array.from({ length: 80 }, (_, i) => at(`out${i}`, 201, 1000 + i)));
        await store.cases.insertEvents([at('in', 150, 5 * DAY)]);
        const [r] = await store.cases.insertEvents([at('new', 0, 0)], DEFAULT_RECURRENCE);
        expect(r!.event).toMatchObject({ tags: ['recurring'], relatedIds: ['in'] });
      });

      it('should answer a new case exactly as it reads back from the database', async () => {
        const make = (id: string, northM: number): NewEvent =>
          at(id, northM, 1000, { title: `标题 ${id}`, description: 'd', severity: 'high', dueAt: now + 60_000, simulated: true });
        const res = await store.cases.insertEvents([make('a', 0), make('b', 50), make('a', 0), { ...make('c', 900), dueAt: null, simulated: false }], DEFAULT_RECURRENCE);
        expect(res.map((r) => r.created)).toEqual([true, true, false, true]);
        expect(res[1]!.event).toMatchObject({ tags: ['recurring'], relatedIds: ['a'] });
        for (const r of res) expect(r.event).toEqual(await store.cases.getEvent(r.event.id));
      });

      it('should leave merged duplicates out of the cases a new one recurs', async () => {
        const orig = await insert({ id: 'orig', category: 'parking', occurredAt: now - 2 * DAY });
        const dup = await insert({ id: 'dup', category: 'parking', occurredAt: now - DAY });
        await apply(dup, { status: 'rejected', duplicateOf: orig.id }, entry('reject', 'reported', 'rejected', now - DAY + 1), now);
        const [r] = await store.cases.insertEvents([newEvent({ id: 'new', category: 'parking', occurredAt: now })], DEFAULT_RECURRENCE);
        expect(r!.event.relatedIds).toEqual(['orig']);
      });
    });

    describe('cases: changes and tags', () => {
      it('should apply a change at the expected version, append its entry, and refuse a stale version', async () => {
        const e = await insert({ receivedAt: 10 * H, dueAt: 11 * H });
        const next = await store.cases.changeCase(
          e.id, 1,
          change(e, { status: 'dispatched', leadUnit: 'u1', coUnits: ['u2', 'u3'], escalated: true, stageStartedAt: Y2100, dueAt: Y2100 + H }),
          { ...entry('dispatch', 'reported', 'dispatched', Y2100, { unit: 'u1', coUnits: ['u2', 'u3'] }), note: '派遣', attachments: ['a.jpg'] },
          Y2100 + 1,
        );
        expect(next).toMatchObject({
          id: e.id, version: 2, status: 'dispatched', leadUnit: 'u1', coUnits: ['u2', 'u3'], escalated: true,
          stageStartedAt: iso(Y2100), dueAt: iso(Y2100 + H), updatedAt: iso(Y2100 + 1), breaches: 0,
        });
        // the same version again: someone else changed it first
        expect(await store.cases.changeCase(e.id, 1, change(e, { status: 'accepted' }), entry('accept', 'reported', 'accepted', Y2100 + 2), Y2100 + 2)).toBeNull();
        expect(await store.cases.changeCase('nope', 1, change(e), entry('accept', 'reported', 'accepted', 1), 1)).toBeNull();
        const tl = await store.cases.timeline(e.id);
        expect(tl.map((t) => [t.seq, t.action])).toEqual([[1, 'report'], [2, 'dispatch']]);
        expect(tl[1]).toEqual({ seq: 2, at: iso(Y2100), actor: 'officer', actorRole: 'district', action: 'dispatch', from: 'reported', to: 'dispatched', note: '派遣', attachments: ['a.jpg'], data: { unit: 'u1', coUnits: ['u2', 'u3'] } });
        expect(await store.cases.getEvent(e.id)).toEqual(next);
      });

      it('should let one of two parallel changes at the same version win', async () => {
        const e = await insert();
        const tries = await Promise.all(
          ['accept', 'reject'].map((a) => store.cases.changeCase(e.id, 1, change(e, { status: a === 'accept' ? 'accepted' : 'rejected' }), entry(a as 'accept', 'reported', a === 'accept' ? 'accepted' : 'rejected', 11 * H), 11 * H)),
        );
        expect(tries.filter((t) => t !== null)).toHaveLength(1);
        expect(await store.cases.timeline(e.id)).toHaveLength(2);
      });

      it('should count breaches, and hand a case to the deadline watch once per stage', async () => {
        const a = await insert({ id: 'a', dueAt: 11 * H });
        await insert({ id: 'b', dueAt: 10.5 * H });
        await insert({ id: 'c', dueAt: 13 * H });
        await insert({ id: 'd', dueAt: null });
        expect((await store.cases.dueCases(12 * H, 10)).map((e) => e.id)).toEqual(['b', 'a']);
        expect((await store.cases.dueCases(12 * H, 1)).map((e) => e.id)).toEqual(['b']);
        // marked breached: not due again in this stage
        const breached = await apply(a, { breach: true }, entry('breach', 'reported', 'reported', 12 * H), 12 * H);
        expect(breached.breaches).toBe(1);
        expect((await store.cases.dueCases(12 * H, 10)).map((e) => e.id)).toEqual(['b']);
        // an unrelated change in the same stage keeps the mark
        const urged = await apply(breached, {}, entry('urge', 'reported', 'reported', 12 * H + 1), 12 * H + 1);
        expect((await store.cases.dueCases(12 * H, 10)).map((e) => e.id)).toEqual(['b']);
        // a new stage starts a new clock
        const accepted = await apply(urged, { status: 'accepted', stageStartedAt: 12 * H + 2, dueAt: 12 * H + 3 }, entry('accept', 'reported', 'accepted', 12 * H + 2), 12 * H + 2);
        expect(accepted).toMatchObject({ breaches: 1, version: 4 });
        expect((await store.cases.dueCases(13 * H, 10)).map((e) => e.id)).toEqual(['b', 'a', 'c']);
      });

      it('should set and clear tags in a fixed order, recording each real change on the timeline', async () => {
        const e = await insert({ id: 'tagged' });
        const tag = (tag: CaseTag, on: boolean, id = e.id) => ({ id, tag, on, entry: { at: iso(Y2100), actor: 'system', actorRole: 'system', action: 'tag' as const, note: '', attachments: [], data: { tag, on } } });
        const changed = await store.cases.setTags([tag('typical', true), tag('recurring', true), tag('emerging', false), tag('typical', true, 'nope')], Y2100 + 1);
        expect(changed).toHaveLength(1);
        expect(changed[0]).toMatchObject({ id: e.id, tags: CaseTag.options.filter((t) => t === 'recurring' || t === 'typical'), version: 3, updatedAt: iso(Y2100 + 1) });
        // setting what is already set changes nothing
        expect(await store.cases.setTags([tag('typical', true)], Y2100 + 2)).toEqual([]);
        const [off] = await store.cases.setTags([tag('typical', false)], Y2100 + 3);
        expect(off).toMatchObject({ tags: ['recurring'], version: 4 });
        const tl = await store.cases.timeline(e.id);
        expect(tl.map((t) => [t.seq, t.action, t.from, t.to])).toEqual([[1, 'report', 'reported', 'reported'], [2, 'tag', 'reported', 'reported'], [3, 'tag', 'reported', 'reported'], [4, 'tag', 'reported', 'reported']]);
        expect(tl[3]!.data).toEqual({ tag: 'typical', on: false });
        expect(await store.cases.getEvent(e.id)).toEqual(off);
      });
    });

    describe('cases: lists and counts', () => {
      it('should filter by area level, status, time range, unit and duplicateOf', async () => {
        await store.cases.insertEvents([
          newEvent({ id: 'e1', streetId: 'S1', gridId: 'S1-g1' }),
          newEvent({ id: 'e2', streetId: 'S2', gridId: 'S2-g1', status: 'archived' }),
          newEvent({ id: 'e3', streetId: 'S2', gridId: 'S2-g2', occurredAt: 20 * H }),
          newEvent({ id: 'e4', streetId: 'S3', gridId: 'S3-g1', districtId: 'D2' }),
        ]);
        const count = store.cases.countEvents.bind(store.cases);
        const ids = async (f: Parameters<Store['cases']['listEvents']>[0]) => (await store.cases.listEvents(f)).map((e) => e.id).sort();
        expect(await count({})).toBe(4);
        expect(await count({ areaId: 'S2', areaLevel: 'street' })).toBe(2);
        expect(await count({ areaId: 'S2-g2', areaLevel: 'grid' })).toBe(1);
        expect(await count({ areaId: 'D', areaLevel: 'district' })).toBe(3);
        expect(await count({ areaId: 'city', areaLevel: 'city' })).toBe(4);
        expect(await count({ areaId: 'D', areaLevel: 'district', statuses: ['reported'] })).toBe(2);
        expect(await count({ statuses: ['reported', 'archived'] })).toBe(4);
        expect(await count({ from: 15 * H })).toBe(1);
        expect(await count({ to: 15 * H })).toBe(3);
        expect(await count({ from: 10 * H, to: 20 * H })).toBe(3);
        expect(await ids({ areaId: 'S2', areaLevel: 'street', limit: 10 })).toEqual(['e2', 'e3']);
        expect(await ids({ statuses: ['archived'], limit: 10 })).toEqual(['e2']);
        expect(await ids({ limit: 2 })).toHaveLength(2);

        // a unit's own cases: led, or worked on as a co-unit
        const e1 = (await store.cases.getEvent('e1'))!;
        await apply(e1, { status: 'dispatched', leadUnit: 'water' }, entry('dispatch', 'reported', 'dispatched', 11 * H), 11 * H);
        const e3 = (await store.cases.getEvent('e3'))!;
        await apply(e3, { status: 'dispatched', leadUnit: 'roads', coUnits: ['water', 'police'] }, entry('dispatch', 'reported', 'dispatched', 11 * H), 11 * H);
        expect(await ids({ unit: 'water', limit: 10 })).toEqual(['e1', 'e3']);
        expect(await ids({ unit: 'police', limit: 10 })).toEqual(['e3']);
        expect(await ids({ unit: 'water', areaId: 'S2', areaLevel: 'street', limit: 10 })).toEqual(['e3']);
        expect(await count({ unit: 'nobody' })).toBe(0);
        // a unit account limited to several streets
        expect(await ids({ unit: 'water', streets: ['S1', 'S2'], limit: 10 })).toEqual(['e1', 'e3']);
        expect(await ids({ unit: 'water', streets: ['S2'], limit: 10 })).toEqual(['e3']);
        expect(await count({ streets: ['S2'] })).toBe(2);
        expect(await count({ streets: [] })).toBe(0);

        // the reports merged into a case
        const e4 = (await store.cases.getEvent('e4'))!;
        await apply(e4, { status: 'rejected', duplicateOf: 'e1' }, entry('reject', 'reported', 'rejected', 11 * H, { reason: 'duplicate', duplicateOf: 'e1' }), 11 * H);
        expect(await ids({ duplicateOf: 'e1', limit: 10 })).toEqual(['e4']);
        expect(await count({ duplicateOf: 'e1' })).toBe(1);
        expect(await count({ duplicateOf: 'e2' })).toBe(0);
      });

      it('should list newest received first, or soonest due first with unclocked cases last', async () => {
        await store.cases.insertEvents([
          newEvent({ externalId: 'late-due', receivedAt: 12 * H, dueAt: 14 * H }),
          newEvent({ externalId: 'no-clock', receivedAt: 13 * H, dueAt: null }),
          newEvent({ externalId: 'soon-due', receivedAt: 11 * H, dueAt: 12 * H }),
          newEvent({ externalId: 'overdue', receivedAt: 10 * H, dueAt: 9 * H }),
        ]);
        const ids = async (order?: 'received' | 'due', limit = 10) => (await store.cases.listEvents({ limit, ...(order ? { order } : {}) })).map((e) => e.externalId);
        expect(await ids()).toEqual(['no-clock', 'late-due', 'soon-due', 'overdue']);
        expect(await ids('received')).toEqual(['no-clock', 'late-due', 'soon-due', 'overdue']);
        expect(await ids('due')).toEqual(['overdue', 'soon-due', 'late-due', 'no-clock']);
        // past a cap, the most urgent are kept
        expect(await ids('due', 2)).toEqual(['overdue', 'soon-due']);
      });

      it('should count open cases by status below an area', async () => {
        await store.cases.insertEvents([
          newEvent({ streetId: 'S1' }),
          newEvent({ streetId: 'S1', status: 'accepted' }),
          newEvent({ streetId: 'S2', status: 'accepted' }),
          newEvent({ streetId: 'S2', status: 'archived' }),
          newEvent({ streetId: 'S2', status: 'rejected' }),
        ]);
        expect(await store.cases.countByStatus()).toEqual({ reported: 1, accepted: 2 });
        expect(await store.cases.countByStatus({ id: 'S2', level: 'street' })).toEqual({ accepted: 1 });
        expect(await store.cases.countByStatus({ id: 'nowhere', level: 'street' })).toEqual({});
      });

      it('should answer the occurrence times in a range below an area', async () => {
        await store.cases.insertEvents([
          newEvent({ occurredAt: 1 * H, streetId: 'S1' }),
          newEvent({ occurredAt: 2 * H, streetId: 'S2' }),
          newEvent({ occurredAt: 3 * H, streetId: 'S1' }),
        ]);
        expect((await store.cases.occurredTimes(1 * H, 3 * H)).sort((a, b) => a - b)).toEqual([1 * H, 2 * H]);
        expect(await store.cases.occurredTimes(0, 10 * H, { id: 'S1', level: 'street' }).then((t) => t.sort((a, b) => a - b))).toEqual([1 * H, 3 * H]);
        expect(await store.cases.occurredTimes(0, 10 * H, { id: 'x', level: 'city' }).then((t) => t.length)).toBe(3);
      });

      it('should answer the full timelines of the cases with an entry in a period', async () => {
        const a = await insert({ id: 'a', receivedAt: 1 * H, streetId: 'S1' });
        await insert({ id: 'b', receivedAt: 1 * H, streetId: 'S2' });
        await insert({ id: 'c', receivedAt: 9 * H, streetId: 'S1' });
        await apply(a, { status: 'accepted' }, entry('accept', 'reported', 'accepted', 5 * H), 5 * H);
        const h = await store.cases.caseHistories(4 * H, 6 * H);
        expect(h).toHaveLength(1);
        expect(h[0]).toMatchObject({ id: 'a', streetId: 'S1', status: 'accepted' });
        expect(h[0]!.timeline.map((t) => [t.seq, t.action, t.at])).toEqual([[1, 'report', iso(1 * H)], [2, 'accept', iso(5 * H)]]);
        const all = await store.cases.caseHistories(0, 10 * H, { id: 'S1', level: 'street' });
        expect(all.map((c) => c.id).sort()).toEqual(['a', 'c']);
        expect(await store.cases.caseHistories(0, 10 * H, { id: 'S2', level: 'street' }).then((x) => x.map((c) => [c.id, c.timeline.length]))).toEqual([['b', 1]]);
      });

      it('should count open, overdue (past the stage deadline) and today per grid', async () => {
        await store.cases.insertEvents([
          newEvent({ gridId: 'g1', dueAt: 9 * H }),
          newEvent({ gridId: 'g1', dueAt: 11 * H }),
          newEvent({ gridId: 'g1', status: 'archived', occurredAt: 11 * H, dueAt: null }),
          newEvent({ gridId: 'g2', occurredAt: 11 * H, dueAt: null }),
          newEvent({ gridId: 'g3', status: 'archived', occurredAt: 9 * H, dueAt: null }),
        ]);
        const counts = await store.cases.openCountsByGrid(10 * H, 10.5 * H);
        expect([...counts].sort((a, b) => a.gridId.localeCompare(b.gridId))).toEqual([
          { gridId: 'g1', open: 2, overdue: 1, today: 1 },
          { gridId: 'g2', open: 1, overdue: 0, today: 1 },
        ]);
      });

      it('should count the open cases past their stage deadline per grid, and only those', async () => {
        await store.cases.insertEvents([
          newEvent({ gridId: 'g1', dueAt: 9 * H }),
          newEvent({ gridId: 'g1', dueAt: 10 * H }), // due exactly now: overdue
          newEvent({ gridId: 'g1', dueAt: 11 * H }),
          newEvent({ gridId: 'g2', dueAt: 8 * H }),
          newEvent({ gridId: 'g2', dueAt: null }),
          newEvent({ gridId: 'g3', status: 'archived', dueAt: 1 * H }),
        ]);
        const counts = await store.cases.overdueCountsByGrid(10 * H);
        expect([...counts].sort((a, b) => a.gridId.localeCompare(b.gridId))).toEqual([
          { gridId: 'g1', overdue: 2 },
          { gridId: 'g2', overdue: 1 },
        ]);
      });

      it('should count archived cases per grid: first-time, on time, rated, rated good', async () => {
        const NOW = 30 * DAY;
        const walk = async (id: string, grid: string, steps: ('return' | 'rework' | 'breach')[], archiveAt: number, rating: 'good' | 'bad' | null) => {
          let e = await insert({ id, gridId: grid, occurredAt: archiveAt - H, receivedAt: archiveAt - H });
          let t = archiveAt - H + 1;
          for (const s of steps) e = await apply(e, s === 'breach' ? { breach: true } : {}, entry(s, e.status, e.status, t++), t);
          return apply(e, { status: 'archived', rating, satisfaction: rating === 'good' ? 5 : null }, entry('archive', e.status, 'archived', archiveAt, rating ? { rating } : {}), archiveAt);
        };
        await walk('a', 'g1', [], NOW - H, 'good');
        await walk('b', 'g1', ['return', 'breach'], NOW - 2 * H, 'bad');
        await walk('c', 'g1', ['rework'], NOW - 3 * H, null);
        await walk('d', 'g2', [], NOW - 10 * DAY, 'good'); // before the window
        await walk('e', 'g2', [], NOW + 1, 'good'); // after now
        await walk('f', 'g3', [], NOW, 'good'); // the window's end is included
        await insert({ id: 'open', gridId: 'g1' });
        const rows = await store.cases.closedCountsByGrid(NOW - 5 * DAY, NOW);
        expect([...rows].sort((a, b) => a.gridId.localeCompare(b.gridId))).toEqual([
          { gridId: 'g1', closed: 3, firstTime: 1, onTime: 2, rated: 2, good: 1 },
          { gridId: 'g3', closed: 1, firstTime: 1, onTime: 1, rated: 1, good: 1 },
        ]);
        expect(await store.cases.closedCountsByGrid(NOW, NOW + 1)).toEqual([{ gridId: 'g2', closed: 1, firstTime: 1, onTime: 1, rated: 1, good: 1 }]);
      });

      it("should count one source's calls per grid in (after, now]", async () => {
        await store.cases.insertEvents([
          newEvent({ source: '12345', gridId: 'g1', occurredAt: 5 * H }),
          newEvent({ source: '12345', gridId: 'g1', occurredAt: 6 * H }),
          newEvent({ source: '12345', gridId: 'g2', occurredAt: 2 * H }), // at `after`: excluded
          newEvent({ source: '12345', gridId: 'g2', occurredAt: 7 * H }), // after now
          newEvent({ source: 'grid', gridId: 'g1', occurredAt: 5 * H }),
        ]);
        expect(await store.cases.callCountsByGrid('12345', 2 * H, 6 * H)).toEqual([{ gridId: 'g1', calls: 2 }]);
        expect(await store.cases.callCountsByGrid('none', 0, 10 * H)).toEqual([]);
      });
    });

    describe('cases: hotspots', () => {
      const now = 100 * DAY;
      const W = DAY;
      const P = 7 * DAY;

      it('should count cases per (grid, category) and span, leaving out merged duplicates and rejected cases', async () => {
        const orig = await insert({ id: 'orig', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - H });
        await insert({ id: 'k0b', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - W });
        await insert({ id: 'k1', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - P - H });
        await insert({ id: 'gap', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - 3 * DAY }); // between windows
        await insert({ id: 'k2', gridId: 'g2', streetId: 'S2', category: 'noise', occurredAt: now - 2 * P - 1 });
        await insert({ id: 'too-old', gridId: 'g2', streetId: 'S2', category: 'noise', occurredAt: now - 3 * P - 1 });
        await insert({ id: 'future', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now });
        const dup = await insert({ id: 'dup', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - 2 * H });
        await apply(dup, { status: 'rejected', duplicateOf: orig.id }, entry('reject', 'reported', 'rejected', now - H), now - H);
        const bad = await insert({ id: 'bad', gridId: 'g1', streetId: 'S1', category: 'parking', occurredAt: now - 2 * H });
        await apply(bad, { status: 'rejected' }, entry('reject', 'reported', 'rejected', now - H), now - H);
        const sort = (rows: { gridId: string; k: number }[]) => [...rows].sort((a, b) => a.gridId.localeCompare(b.gridId) || a.k - b.k);
        expect(sort(await store.cases.hotspotCounts({ now, windowMs: W, periodMs: P, spans: 2 }))).toEqual([
          { gridId: 'g1', streetId: 'S1', category: 'parking', k: 0, n: 2 },
          { gridId: 'g1', streetId: 'S1', category: 'parking', k: 1, n: 1 },
          { gridId: 'g2', streetId: 'S2', category: 'noise', k: 2, n: 1 },
        ]);
        expect(await store.cases.hotspotCounts({ now, windowMs: W, periodMs: P, spans: 2 }, { id: 'S2', level: 'street' })).toEqual([
          { gridId: 'g2', streetId: 'S2', category: 'noise', k: 2, n: 1 },
        ]);
      });

      it('should answer the recurring cases of a period with what they link', async () => {
        await store.cases.insertEvents([newEvent({ id: 'r0', category: 'parking', occurredAt: now - 3 * H })]);
        await store.cases.insertEvents([newEvent({ id: 'r1', category: 'parking', occurredAt: now - 2 * H, streetId: 'S1', gridId: 'g1' })], DEFAULT_RECURRENCE);
        await store.cases.insertEvents([newEvent({ id: 'r2', category: 'parking', occurredAt: now - H, streetId: 'S2', gridId: 'g2' })], DEFAULT_RECURRENCE);
        const rows = await store.cases.recurringCases(now - DAY, now);
        expect([...rows].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: 'r1', category: 'parking', lng: 121.5, lat: 31.3, occurredAt: now - 2 * H, gridId: 'g1', streetId: 'S1', relatedIds: ['r0'] },
          { id: 'r2', category: 'parking', lng: 121.5, lat: 31.3, occurredAt: now - H, gridId: 'g2', streetId: 'S2', relatedIds: ['r1', 'r0'] },
        ]);
        expect((await store.cases.recurringCases(now - DAY, now, { id: 'S2', level: 'street' })).map((r) => r.id)).toEqual(['r2']);
        expect(await store.cases.recurringCases(now - DAY, now - H)).toHaveLength(1);
        // a tag cleared later is no longer a recurring case
        await store.cases.setTags([{ id: 'r2', tag: 'recurring', on: false, entry: { at: iso(now), actor: 's', actorRole: 'system', action: 'tag', note: '', attachments: [], data: {} } }], now);
        expect((await store.cases.recurringCases(now - DAY, now)).map((r) => r.id)).toEqual(['r1']);
      });

      it("should answer cases' places, leaving out unknown ids and merged duplicates", async () => {
        const a = await insert({ id: 'p1', lng: 121.51, lat: 31.31, occurredAt: Y2100 });
        const dup = await insert({ id: 'p2' });
        await apply(dup, { status: 'rejected', duplicateOf: a.id }, entry('reject', 'reported', 'rejected', 11 * H), 11 * H);
        const many = Array.from({ length: 1200 }, (_, i) => `unknown-${i}`);
        expect(await store.cases.casePoints(['p1', 'p2', 'nope', ...many])).toEqual([
          { id: 'p1', category: 'fire_hazard', lng: 121.51, lat: 31.31, occurredAt: Y2100, gridId: 'S1-g1', streetId: 'S1' },
        ]);
        expect(await store.cases.casePoints([])).toEqual([]);
      });

      it("should list a grid's cases of a period, newest first, by category, capped", async () => {
        await insert({ id: 'g-1', gridId: 'g', category: 'parking', occurredAt: 1 * H });
        await insert({ id: 'g-2', gridId: 'g', category: 'parking', occurredAt: 3 * H });
        await insert({ id: 'g-3', gridId: 'g', category: 'noise', occurredAt: 2 * H });
        await insert({ id: 'g-4', gridId: 'g', category: 'parking', occurredAt: 5 * H }); // at `to`: excluded
        await insert({ id: 'h-1', gridId: 'h', category: 'parking', occurredAt: 2 * H });
        const rej = await insert({ id: 'g-rej', gridId: 'g', category: 'parking', occurredAt: 2 * H });
        await apply(rej, { status: 'rejected' }, entry('reject', 'reported', 'rejected', 11 * H), 11 * H);
        expect(await store.cases.casesInGrid(0, 5 * H, 'g', null, 10)).toEqual(['g-2', 'g-3', 'g-1']);
        expect(await store.cases.casesInGrid(0, 5 * H, 'g', 'parking', 10)).toEqual(['g-2', 'g-1']);
        expect(await store.cases.casesInGrid(0, 5 * H, 'g', null, 2)).toEqual(['g-2', 'g-3']);
      });
    });

    describe('cases: drills (演练)', () => {
      const now = 100 * DAY;
      /** every statistic the store answers, over one window around `now` */
      const statistics = async () => {
        const sorted = <T,>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
        const area = { id: 'D', level: 'district' as const };
        return {
          byStatus: await store.cases.countByStatus(area),
          times: (await store.cases.occurredTimes(now - 10 * DAY, now + DAY, area)).sort((a, b) => a - b),
          histories: sorted(await store.cases.caseHistories(now - 10 * DAY, now + DAY, area)),
          open: sorted(await store.cases.openCountsByGrid(now, now - 5 * H)),
          overdue: sorted(await store.cases.overdueCountsByGrid(now)),
          closed: sorted(await store.cases.closedCountsByGrid(now - 10 * DAY, now)),
          calls: sorted(await store.cases.callCountsByGrid('12345', now - 10 * DAY, now)),
          hotspots: sorted(await store.cases.hotspotCounts({ now, windowMs: DAY, periodMs: 7 * DAY, spans: 2 })),
          recurring: sorted(await store.cases.recurringCases(now - 10 * DAY, now)),
          inGrid: await store.cases.casesInGrid(now - 10 * DAY, now, 'g1', null, 50),
          arrivals: sorted(await store.cases.arrivals(now - 10 * DAY, now + DAY, now, area)),
          hotline: await store.cases.hotlineCounts({ source: '12345', from: now - DAY, to: now, baselineFrom: now - 8 * DAY, baselineTo: now - 7 * DAY, area, maxPoints: 50 }),
        };
      };
      /** the same few cases, real or a drill's: open, overdue, 12345 calls, one archived, one recurring */
      const seed = async (drill: boolean) => {
        const p = drill ? 'drill-' : 'real-';
        await store.cases.insertEvents([newEvent({ id: `${p}a`, gridId: 'g1', category: 'parking', occurredAt: now - 2 * H, receivedAt: now - 2 * H, dueAt: now - H, drill })], DEFAULT_RECURRENCE);
        await store.cases.insertEvents([newEvent({ id: `${p}b`, gridId: 'g1', category: 'parking', occurredAt: now - H, receivedAt: now - H, dueAt: now + H, drill })], DEFAULT_RECURRENCE);
        await store.cases.insertEvents([newEvent({ id: `${p}c`, source: '12345', gridId: 'g2', streetId: 'S2', category: 'noise', occurredAt: now - 3 * H, receivedAt: now - 3 * H, drill })], DEFAULT_RECURRENCE);
        const d = (await store.cases.insertEvents([newEvent({ id: `${p}d`, source: '12345', gridId: 'g2', streetId: 'S2', occurredAt: now - 4 * H, receivedAt: now - 4 * H, drill })]))[0]!.event;
        await apply(d, { status: 'archived', rating: 'good', satisfaction: 5 }, entry('archive', 'reported', 'archived', now - 2 * H, { rating: 'good', satisfaction: 5 }), now - 2 * H);
      };

      it('should leave a drill’s cases out of every statistic, and out of recurrence both ways, but list them marked', async () => {
        await seed(false);
        const real = await statistics();
        expect(real.open.length).toBeGreaterThan(0);
        expect(real.recurring).toHaveLength(1); // real-b recurs real-a
        await seed(true);
        expect(await statistics()).toEqual(real);
        // a drill's case recurs nothing (real-b's neighbour is there), and no real case recurs a drill's
        const drillB = (await store.cases.getEvent('drill-b'))!;
        expect([drillB.drill, drillB.tags, drillB.relatedIds]).toEqual([true, [], []]);
        await store.cases.insertEvents([newEvent({ id: 'real-e', gridId: 'g1', category: 'parking', occurredAt: now - 30 * 60_000, receivedAt: now - 30 * 60_000 })], DEFAULT_RECURRENCE);
        expect((await store.cases.getEvent('real-e'))!.relatedIds.sort()).toEqual(['real-a', 'real-b']);
        // lists keep them, marked
        const listed = await store.cases.listEvents({ areaId: 'D', areaLevel: 'district', limit: 50 });
        expect(listed.filter((e) => e.drill).map((e) => e.id).sort()).toEqual(['drill-a', 'drill-b', 'drill-c', 'drill-d']);
        expect((await store.cases.getEvent('real-a'))!.drill).toBe(false);
      });
    });

    describe('cases: 12345 analysis', () => {
      it('should count a source by category, hour and grid in the period and the baseline, with capped points and closures', async () => {
        const from = 1000 * H;
        const to = from + 4 * H;
        const bfrom = from - 7 * DAY;
        const bto = to - 7 * DAY;
        const call = (id: string, at: number, over: Partial<NewEvent> = {}) => newEvent({ id, source: '12345', occurredAt: at, receivedAt: at, category: 'noise', ...over });
        await store.cases.insertEvents([
          call('p1', from + 10, { title: '噪音 1', gridId: 'g1', streetId: 'S1' }),
          call('p2', from + H + 10, { gridId: 'g1', streetId: 'S1' }),
          call('p3', from + H + 20, { category: 'parking', gridId: 'g2', streetId: 'S2' }),
          call('p4', to - 1, { gridId: 'g2', streetId: 'S2' }),
          call('out', to), // the period's end is excluded
          call('b1', bfrom + 3 * H, { gridId: 'g1', streetId: 'S1' }),
          newEvent({ id: 'other-source', source: 'grid', occurredAt: from + 5 }),
        ]);
        // closures: archived in the period (one breached before its archive, rated bad) and in the baseline
        let e = (await store.cases.getEvent('b1'))!;
        e = await apply(e, { status: 'archived', rating: 'good', satisfaction: 5 }, entry('archive', 'reported', 'archived', bfrom + 3 * H + 5, { rating: 'good', satisfaction: 5 }), bfrom + 3 * H + 5);
        e = (await store.cases.getEvent('p1'))!;
        e = await apply(e, { breach: true }, entry('breach', 'reported', 'reported', from + 20), from + 20);
        await apply(e, { status: 'archived', rating: 'bad', satisfaction: 2 }, entry('archive', 'reported', 'archived', from + 30, { rating: 'bad', satisfaction: 2 }), from + 30);
        e = (await store.cases.getEvent('p2'))!;
        await apply(e, { status: 'archived' }, entry('archive', 'reported', 'archived', from + 2 * H), from + 2 * H);

        const c = await store.cases.hotlineCounts({ source: '12345', from, to, baselineFrom: bfrom, baselineTo: bto, area: { id: 'D', level: 'district' }, maxPoints: 3 });
        const byKey = <T,>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
        expect(byKey(c.categories, (r) => `${r.window}|${r.category}`)).toEqual([
          { window: 'baseline', category: 'noise', n: 1 },
          { window: 'period', category: 'noise', n: 3 },
          { window: 'period', category: 'parking', n: 1 },
        ]);
        expect(byKey(c.hours, (r) => `${r.window}|${r.hour}`)).toEqual([
          { window: 'baseline', hour: 3, n: 1 },
          { window: 'period', hour: 0, n: 1 },
          { window: 'period', hour: 1, n: 2 },
          { window: 'period', hour: 3, n: 1 },
        ]);
        expect(byKey(c.grids, (r) => r.gridId)).toEqual([
          { gridId: 'g1', streetId: 'S1', n: 2 },
          { gridId: 'g2', streetId: 'S2', n: 2 },
        ]);
        expect(c.points.map((p) => p.id)).toEqual(['p4', 'p3', 'p2']);
        expect(c.points[0]).toEqual({ id: 'p4', category: 'noise', gridId: 'g2', streetId: 'S2', lng: 121.5, lat: 31.3, occurredAt: to - 1, title: 't', confidential: false });
        expect(c.pointsTruncated).toBe(true);
        expect(byKey(c.closures, (r) => `${r.window}|${r.rating}`)).toEqual([
          { window: 'baseline', breached: false, rating: 'good', satisfaction: 5, n: 1 },
          { window: 'period', breached: true, rating: 'bad', satisfaction: 2, n: 1 },
          { window: 'period', breached: false, rating: null, satisfaction: null, n: 1 },
        ]);

        const s2 = await store.cases.hotlineCounts({ source: '12345', from, to, baselineFrom: bfrom, baselineTo: bto, area: { id: 'S2', level: 'street' }, maxPoints: 10 });
        expect(s2.categories.filter((r) => r.window === 'period').map((r) => [r.category, r.n]).sort()).toEqual([['noise', 1], ['parking', 1]]);
        expect(s2.points.map((p) => p.id)).toEqual(['p4', 'p3']);
        expect(s2.pointsTruncated).toBe(false);
        expect(s2.closures).toEqual([]);
      });
    });

    describe('readings', () => {
      it('should keep the newest direct reading per (indicator, area), whatever order they arrive in', async () => {
        await store.readings.insertReadings([reading(10, 1 * H + 1), reading(30, 1 * H + 2000), reading(20, 1 * H + 1000), reading(70, 5 * H, { simulated: true }), reading(1, 2 * H, { areaId: 'S1' })]);
        await store.readings.insertReadings([reading(5, 0)]); // a late arrival of an old value does not replace the latest
        const latest = await store.readings.latestReadings();
        expect([...latest].sort((a, b) => a.areaId.localeCompare(b.areaId))).toEqual([
          { indicatorId: 'pm25', areaId: 'D', value: 70, at: 5 * H, simulated: true },
          { indicatorId: 'pm25', areaId: 'S1', value: 1, at: 2 * H, simulated: false },
        ]);
        expect(await store.readings.rawReadingCount()).toBe(6);
        expect(await store.readings.oldestReadingAt()).toBe(0);
      });

      it('should answer no oldest reading when there is none', async () => {
        expect(await store.readings.oldestReadingAt()).toBeNull();
        expect(await store.readings.rawReadingCount()).toBe(0);
        expect(await store.readings.latestReadings()).toEqual([]);
      });

      it('should fold old raw readings into hourly aggregates, merging a late fold into its hour', async () => {
        await store.readings.insertReadings([reading(10, 1 * H + 1), reading(30, 1 * H + 2000), reading(20, 1 * H + 1000), reading(50, 2 * H + 5), reading(70, 5 * H), reading(5, 0)]);
        expect(await store.readings.downsampleReadings(3 * H)).toBe(5);
        expect(await store.readings.rawReadingCount()).toBe(1);
        expect(await store.readings.oldestReadingAt()).toBe(5 * H);
        expect(await store.readings.hourlyReadings('pm25', 'D', 0, 10 * H)).toEqual([
          { indicatorId: 'pm25', areaId: 'D', hour: 0, n: 1, sum: 5, min: 5, max: 5, last: 5 },
          { indicatorId: 'pm25', areaId: 'D', hour: H, n: 3, sum: 60, min: 10, max: 30, last: 30 },
          { indicatorId: 'pm25', areaId: 'D', hour: 2 * H, n: 1, sum: 50, min: 50, max: 50, last: 50 },
        ]);
        expect(await store.readings.hourlyReadings('pm25', 'D', H, 2 * H)).toHaveLength(1);
        expect(await store.readings.hourlyReadings('pm25', 'S1', 0, 10 * H)).toEqual([]);
        // a second fold of the same hour (a late reading) merges into the aggregate
        await store.readings.insertReadings([reading(100, 1 * H + 3000), reading(0.5, 1 * H + 500)]);
        expect(await store.readings.downsampleReadings(3 * H)).toBe(2);
        expect((await store.readings.hourlyReadings('pm25', 'D', H, 2 * H))[0]).toEqual({ indicatorId: 'pm25', areaId: 'D', hour: H, n: 5, sum: 160.5, min: 0.5, max: 100, last: 100 });
        expect(await store.readings.downsampleReadings(3 * H)).toBe(0);
      });

      it('should answer hourly means of raw and folded readings together', async () => {
        const T = 1000 * H;
        await store.readings.insertReadings([reading(10, T), reading(20, T + 1000), reading(40, T + H + 5), reading(99, T + H, { areaId: 'S1' })]);
        await store.readings.downsampleReadings(T + H); // the first hour is folded
        await store.readings.insertReadings([reading(30, T + 2000), reading(60, T + H + 10)]); // late raw rows for both hours
        expect(await store.readings.readingHours('pm25', 'D', T)).toEqual([
          { hour: T, value: 20 },
          { hour: T + H, value: 50 },
        ]);
        expect(await store.readings.readingHours('pm25', 'D', T + H)).toEqual([{ hour: T + H, value: 50 }]);
        expect(await store.readings.readingHours('pm25', 'S1', T)).toEqual([{ hour: T + H, value: 99 }]);
        expect(await store.readings.readingHours('no2', 'D', T)).toEqual([]);
      });

      it('should keep the last value per series bucket, by area, and prune old buckets', async () => {
        await store.readings.upsertSeries([{ indicatorId: 'a', areaId: 'D', bucket: 0, value: 1 }]);
        await store.readings.upsertSeries([
          { indicatorId: 'a', areaId: 'D', bucket: 0, value: 2 },
          { indicatorId: 'a', areaId: 'D', bucket: 600_000, value: 3.25 },
          { indicatorId: 'b', areaId: 'D', bucket: 600_000, value: 4 },
          { indicatorId: 'a', areaId: 'S1', bucket: 0, value: 9 },
        ]);
        expect((await store.readings.series('D', 0)).map((r) => [r.indicatorId, r.bucket, r.value]).sort()).toEqual([['a', 0, 2], ['a', 600_000, 3.25], ['b', 600_000, 4]]);
        expect(await store.readings.series('D', 600_000).then((r) => r.map((x) => x.bucket))).toEqual([600_000, 600_000]);
        await store.readings.pruneSeries(600_000);
        expect((await store.readings.series('D', 0)).map((r) => r.value).sort()).toEqual([3.25, 4]);
        expect(await store.readings.series('S1', 0)).toEqual([]);
      });

      it('should keep reading and bucket times exact in 2100', async () => {
        await store.readings.insertReadings([reading(1.5, Y2100)]);
        expect(await store.readings.latestReadings()).toEqual([{ indicatorId: 'pm25', areaId: 'D', value: 1.5, at: Y2100, simulated: false }]);
        expect(await store.readings.oldestReadingAt()).toBe(Y2100);
        const hour = Y2100 - (Y2100 % H);
        expect(await store.readings.readingHours('pm25', 'D', hour)).toEqual([{ hour, value: 1.5 }]);
        await store.readings.downsampleReadings(Y2100 + H);
        expect(await store.readings.hourlyReadings('pm25', 'D', hour, hour + H)).toEqual([{ indicatorId: 'pm25', areaId: 'D', hour, n: 1, sum: 1.5, min: 1.5, max: 1.5, last: 1.5 }]);
        await store.readings.upsertSeries([{ indicatorId: 'a', areaId: 'D', bucket: Y2100, value: 7 }]);
        expect(await store.readings.series('D', Y2100)).toEqual([{ indicatorId: 'a', areaId: 'D', bucket: Y2100, value: 7 }]);
      });
    });

    describe('replay: the past as stored', () => {
      const S1 = { id: 'S1', level: 'street' as const };
      const close = async (e: GridEvent, action: 'archive' | 'reject', at: number) =>
        apply(e, { status: action === 'archive' ? 'archived' : 'rejected', dueAt: null, stageStartedAt: at }, entry(action, e.status, action === 'archive' ? 'archived' : 'rejected', at), at);

      it('should read the cases that may have been open at a time, with their timelines up to it when they changed since', async () => {
        const e1 = await insert({ id: 'r1', receivedAt: 10 * H, occurredAt: 9 * H });
        const accepted = await apply(e1, { status: 'accepted', stageStartedAt: 11 * H }, entry('accept', 'reported', 'accepted', 11 * H), 11 * H);
        await close(accepted, 'archive', 13 * H);
        await insert({ id: 'r2', receivedAt: 10 * H + 1, occurredAt: 10 * H });
        await insert({ id: 'r3', receivedAt: 12 * H, occurredAt: 11 * H }); // received after the time
        await close(await insert({ id: 'r4', receivedAt: 9 * H, occurredAt: 9 * H }), 'reject', 12 * H);
        await close(await insert({ id: 'r5', receivedAt: 9 * H, occurredAt: 9 * H }), 'reject', 10.5 * H); // closed before it
        await close(await insert({ id: 'r6', receivedAt: 9 * H, occurredAt: 9 * H }), 'archive', 11 * H); // closed before it
        await insert({ id: 'r7', receivedAt: 9 * H, occurredAt: 9 * H, streetId: 'S2', gridId: 'S2-g1' }); // another street
        const at = 11.5 * H;

        const open = await store.cases.casesOpenAt(at, S1);
        const byId = new Map(open.map((c) => [c.event.id, c]));
        expect([...byId.keys()].sort()).toEqual(['r1', 'r2', 'r4']);
        expect(byId.get('r1')!.event.status).toBe('archived'); // the row as stored now
        expect(byId.get('r1')!.timeline!.map((t) => [t.action, t.to, t.at])).toEqual([['report', 'reported', iso(10 * H)], ['accept', 'accepted', iso(11 * H)]]);
        expect(byId.get('r2')!.timeline).toBeNull(); // unchanged since: the row is as it was
        expect(byId.get('r4')!.timeline!.map((t) => t.action)).toEqual(['report']);
        expect((await store.cases.casesOpenAt(at)).map((c) => c.event.id).sort()).toEqual(['r1', 'r2', 'r4', 'r7']);
        expect(await store.cases.casesOpenAt(8 * H)).toEqual([]);

        const newest = await store.cases.receivedBy(at, 3, S1);
        expect(newest.map((c) => c.event.id)).toEqual(['r2', 'r1', expect.stringMatching(/^r[456]$/)]);
        expect(newest[1]!.timeline!.map((t) => t.action)).toEqual(['report', 'accept']);
        expect((await store.cases.receivedBy(at, 100)).map((c) => c.event.id)).not.toContain('r3');

        const arrivals = await store.cases.arrivals(0, 24 * H, at, S1);
        expect(arrivals.map((a) => a.occurredAt).sort((a, b) => a - b)).toEqual([9 * H, 9 * H, 9 * H, 9 * H, 10 * H]);
        expect(arrivals.every((a) => a.gridId === 'S1-g1')).toBe(true);
        expect(await store.cases.arrivals(9.5 * H, 24 * H, 24 * H, S1)).toEqual([{ gridId: 'S1-g1', occurredAt: 10 * H }, { gridId: 'S1-g1', occurredAt: 11 * H }]);

        const entries = await store.cases.entriesBetween(10.5 * H, 13 * H + 1, ['report', 'archive', 'reject'], S1);
        expect(entries.map((x) => [x.action, x.event.id, x.at])).toEqual([
          ['reject', 'r5', 10.5 * H],
          ['archive', 'r6', 11 * H],
          ['report', 'r3', 12 * H], // same time: by case id
          ['reject', 'r4', 12 * H],
          ['archive', 'r1', 13 * H],
        ]);
        expect(entries[4]!.event).toMatchObject({ id: 'r1', status: 'archived', streetId: 'S1' });
        expect(await store.cases.entriesBetween(0, 24 * H, [], S1)).toEqual([]);
        expect((await store.cases.entriesBetween(0, 24 * H, ['report'])).length).toBe(7);
        expect(await store.cases.entriesBetween(0, 24 * H, ["report') OR 1=1 --"])).toEqual([]);
      });

      it('should read the readings as of a time, raw or folded, and the series up to a time', async () => {
        await store.readings.insertReadings([reading(10, 1 * H), reading(20, 2 * H), reading(30, 3 * H), reading(5, 2.5 * H, { areaId: 'S1', simulated: true })]);
        const asOf = async (at: number, since: number) => [...(await store.readings.readingsAsOf(at, since))].sort((a, b) => a.areaId.localeCompare(b.areaId));
        const expected = [
          { indicatorId: 'pm25', areaId: 'D', value: 20, at: 2 * H, simulated: false },
          { indicatorId: 'pm25', areaId: 'S1', value: 5, at: 2.5 * H, simulated: true },
        ];
        expect(await asOf(2.5 * H, 0)).toEqual(expected);
        expect(await asOf(2.5 * H, 2.2 * H)).toEqual([expected[1]]);
        expect(await asOf(0.5 * H, 0)).toEqual([]);
        // folded into hours: an hour is known by its last reading
        await store.readings.downsampleReadings(4 * H);
        expect(await store.readings.rawReadingCount()).toBe(0);
        expect(await asOf(2.5 * H, 0)).toEqual(expected);
        expect(await asOf(1.5 * H, 0)).toEqual([{ indicatorId: 'pm25', areaId: 'D', value: 10, at: 1 * H, simulated: false }]);

        await store.readings.upsertSeries([1, 2, 3].map((h) => ({ indicatorId: 'pm25', areaId: 'D', bucket: h * H, value: h })));
        expect((await store.readings.series('D', 0, 2 * H)).map((r) => r.value)).toEqual([1, 2]);
        expect((await store.readings.series('D', 2 * H)).map((r) => r.value)).toEqual([2, 3]);
      });

      it('should read the alarms overlapping a window, with their history', async () => {
        const M = 60_000;
        await store.alarms.insert(newAlarm({ id: 'o1', areaId: 'S1', streetId: 'S1' }), history('raised', T0));
        await store.alarms.update('o1', { severity: 'alarm', value: 99 }, history('escalated', T0 + 2 * M, { severity: 'alarm', value: 99 }));
        await store.alarms.update('o1', { state: 'cleared', clearedAt: T0 + 10 * M }, history('cleared', T0 + 10 * M));
        await store.alarms.insert(newAlarm({ id: 'o2', areaId: 'S1-g1', streetId: 'S1', ruleId: 'r2', raisedAt: T0 + 20 * M }), history('raised', T0 + 20 * M));
        await store.alarms.insert(newAlarm({ id: 'o3', areaId: 'S2', streetId: 'S2', raisedAt: T0 }), history('raised', T0));
        const ids = async (from: number, to: number, area?: { id: string; level: 'street' }) => (await store.alarms.overlapping(from, to, 100, area)).map((a) => a.id);
        expect(await ids(T0 + 5 * M, T0 + 5 * M, { id: 'S1', level: 'street' })).toEqual(['o1']);
        expect(await ids(T0 + 15 * M, T0 + 15 * M, { id: 'S1', level: 'street' })).toEqual([]);
        expect(await ids(T0, T0 + 30 * M, { id: 'S1', level: 'street' })).toEqual(['o1', 'o2']);
        expect((await ids(T0 - M, T0 + 30 * M)).sort()).toEqual(['o1', 'o2', 'o3']);
        expect(await ids(T0 - 2 * M, T0 - M)).toEqual([]);
        const [o1] = await store.alarms.overlapping(T0, T0, 100, { id: 'S1', level: 'street' });
        expect(o1!.history.map((h) => [h.kind, h.severity])).toEqual([['raised', 'warn'], ['escalated', 'alarm'], ['cleared', 'warn']]);
        expect(o1!.state).toBe('cleared');
        expect(await store.alarms.overlapping(T0 - M, T0 + 30 * M, 1)).toHaveLength(1);
      });
    });

    describe('identities', () => {
      it('should keep users as given, find them, list them by username, and change them', async () => {
        const u = user({ id: 'u-1', username: 'wang.li', role: 'street', areaId: 'S1', createdAt: Y2100 });
        await store.identities.createUser(u);
        await store.identities.createUser(user({ id: 'u-2', username: 'admin', role: 'admin' }));
        const several = user({ id: 'u-3', username: 'cg.east', role: 'unit', unitId: 'urban-management', streets: ['S1', 'S2'] });
        await store.identities.createUser(several);
        expect(await store.identities.getUser('u-3')).toEqual(several);
        expect(await store.identities.findUserByUsername('wang.li')).toEqual(u);
        expect(await store.identities.getUser('u-1')).toEqual(u);
        expect(await store.identities.findUserByUsername('constructor')).toBeNull();
        expect(await store.identities.getUser('nope')).toBeNull();
        expect((await store.identities.listUsers()).map((x) => x.username)).toEqual(['admin', 'cg.east', 'wang.li']);
        await store.identities.setUserDisabled('u-1', Y2100 + 1);
        expect(await store.identities.getUser('u-1')).toMatchObject({ disabledAt: Y2100 + 1 });
        await store.identities.setUserDisabled('u-1', null);
        expect(await store.identities.getUser('u-1')).toMatchObject({ disabledAt: null });
        await store.identities.setUserPassword('u-1', 'scrypt$new');
        expect(await store.identities.getUser('u-1')).toEqual({ ...u, passwordHash: 'scrypt$new' });
      });

      it('should refuse a second user with the same username', async () => {
        await store.identities.createUser(user({ username: 'same' }));
        await expect(store.identities.createUser(user({ username: 'same' }))).rejects.toThrow();
        expect(await store.identities.listUsers()).toHaveLength(1);
      });

      it('should keep display tokens, revoke them once, and list them by creation', async () => {
        const d1 = display({ id: 'd1', createdAt: 2000 });
        const d2 = display({ id: 'd2', createdAt: 1000 });
        await store.identities.createDisplayToken(d1);
        await store.identities.createDisplayToken(d2);
        const record: DisplayTokenRecord = { id: 'd1', name: d1.name, areaId: 'S1', createdBy: 'admin', createdAt: 2000, revokedAt: null, enrolledAt: null };
        expect(await store.identities.findDisplayTokenByHash(d1.hash)).toEqual(record);
        expect(await store.identities.getDisplayToken('d1')).toEqual(record);
        expect(await store.identities.findDisplayTokenByHash('nope')).toBeNull();
        expect(await store.identities.getDisplayToken('nope')).toBeNull();
        expect((await store.identities.listDisplayTokens()).map((d) => d.id)).toEqual(['d2', 'd1']);
        expect(await store.identities.revokeDisplayToken('d1', 5000)).toBe(true);
        expect(await store.identities.revokeDisplayToken('d1', 6000)).toBe(false);
        expect(await store.identities.revokeDisplayToken('nope', 6000)).toBe(false);
        expect(await store.identities.getDisplayToken('d1')).toMatchObject({ revokedAt: 5000 });
      });

      it('should let a token enrol one screen once, also under parallel enrolments', async () => {
        const d = display({ id: 'once' });
        await store.identities.createDisplayToken(d);
        const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => store.identities.consumeDisplayToken(d.hash, 7000 + i)));
        const won = tries.filter((t) => t !== null);
        expect(won).toHaveLength(1);
        expect(won[0]).toMatchObject({ id: 'once', enrolledAt: expect.any(Number) });
        expect(await store.identities.consumeDisplayToken(d.hash, 9000)).toBeNull();
        expect(await store.identities.consumeDisplayToken('unknown', 9000)).toBeNull();
        // a revoked token enrols nothing
        const r = display({ id: 'revoked' });
        await store.identities.createDisplayToken(r);
        await store.identities.revokeDisplayToken('revoked', 8000);
        expect(await store.identities.consumeDisplayToken(r.hash, 9000)).toBeNull();
      });

      it('should reissue a live display a new unused token, and the old one stops working', async () => {
        const d = display({ id: 'wall' });
        await store.identities.createDisplayToken(d);
        await store.identities.consumeDisplayToken(d.hash, 7000);
        expect(await store.identities.reissueDisplayToken('wall', 'new-hash')).toBe(true);
        expect(await store.identities.findDisplayTokenByHash(d.hash)).toBeNull();
        expect(await store.identities.getDisplayToken('wall')).toMatchObject({ enrolledAt: null });
        expect(await store.identities.consumeDisplayToken(d.hash, 8000)).toBeNull();
        expect(await store.identities.consumeDisplayToken('new-hash', 8000)).toMatchObject({ id: 'wall', enrolledAt: 8000 });
        await store.identities.revokeDisplayToken('wall', 9000);
        expect(await store.identities.reissueDisplayToken('wall', 'newer-hash')).toBe(false);
        expect(await store.identities.reissueDisplayToken('nope', 'x')).toBe(false);
      });

      it('should keep sessions, end them one by one or all of a user or display, and prune expired ones', async () => {
        await store.identities.createUser(user({ id: 'u1' }));
        await store.identities.createDisplayToken(display({ id: 'd1' }));
        const s1 = session({ hash: 's1', userId: 'u1', createdAt: Y2100, expiresAt: Y2100 + 12 * H });
        await store.identities.createSession(s1);
        await store.identities.createSession(session({ hash: 's2', userId: 'u1', expiresAt: 3000 }));
        await store.identities.createSession(session({ hash: 's3', displayId: 'd1', expiresAt: 3000 }));
        await store.identities.createSession(session({ hash: 's4', displayId: 'd1', expiresAt: 1500 }));
        expect(await store.identities.findSession('s1')).toEqual(s1);
        expect(await store.identities.findSession('nope')).toBeNull();
        await store.identities.deleteSession('s2');
        expect(await store.identities.findSession('s2')).toBeNull();
        await store.identities.pruneSessions(1500); // expired at or before now
        expect(await store.identities.findSession('s4')).toBeNull();
        expect(await store.identities.findSession('s3')).not.toBeNull();
        expect(await store.identities.deleteSessionsOf({ displayId: 'd1' })).toEqual(['s3']);
        expect(await store.identities.deleteSessionsOf({ userId: 'u1' })).toEqual(['s1']);
        expect(await store.identities.deleteSessionsOf({ userId: 'u1' })).toEqual([]);
        expect(await store.identities.findSession('s1')).toBeNull();
      });
    });

    describe('map layers (路长制 roads, key areas)', () => {
      it('should keep a layer whole under its version, one of two saves of a version winning', async () => {
        expect(await store.layers.get('roads')).toBeNull();
        const v = (version: number, body: string) => ({ body, version, savedAt: Y2100 + version, savedBy: 'admin' });
        const first = await Promise.all([store.layers.save('roads', v(1, '[1]')), store.layers.save('roads', v(1, '[1b]'))]);
        expect(first.filter(Boolean)).toHaveLength(1);
        expect(await store.layers.save('roads', v(3, '[3]'))).toBe(false); // not the next version
        expect(await store.layers.save('roads', v(2, '[2]'))).toBe(true);
        expect(await store.layers.save('roads', v(2, '[2b]'))).toBe(false);
        expect(await store.layers.get('roads')).toEqual(v(2, '[2]'));
        expect(await store.layers.get('key_areas')).toBeNull();
      });

      it("should keep a case's road, key areas and limits' factor as given", async () => {
        const [r] = await store.cases.insertEvents([newEvent({ id: 'on-road', roadId: 'xiangyin-rd', keyAreaIds: ['a', 'wujiaochang'], limitFactor: 0.5 })]);
        const back = (await store.cases.getEvent('on-road'))!;
        expect(back).toMatchObject({ roadId: 'xiangyin-rd', keyAreaIds: ['a', 'wujiaochang'], limitFactor: 0.5 });
        expect(r!.event).toEqual(back);
        const h = await store.cases.caseHistories(0, 20 * H);
        expect(h.find((c) => c.id === 'on-road')).toMatchObject({ roadId: 'xiangyin-rd', keyAreaIds: ['a', 'wujiaochang'], gridId: 'S1-g1' });
      });
    });

    describe('resources', () => {
      const res = (id: string, over: object = {}) => ({ id, kind: 'team' as const, name: `队 ${id}`, owner: 'o', contact: 'c', capacity: 'cap', available: true, lng: 121.5, lat: 31.3, streetId: 'S1', demo: false, dispatchedTo: null, ...over });

      it('should replace the registry whole, and dispatch a resource to one incident at a time', async () => {
        await store.resources.replaceAll([res('b'), res('a', { streetId: null, demo: true }), res('off', { available: false })]);
        expect(await store.resources.list()).toEqual([res('a', { streetId: null, demo: true }), res('b'), res('off', { available: false })]);
        expect(await store.resources.get('constructor')).toBeNull();
        expect(await store.resources.dispatch('off', 'i1')).toBe(false);
        const both = await Promise.all([store.resources.dispatch('a', 'i1'), store.resources.dispatch('a', 'i2')]);
        expect(both.filter(Boolean)).toHaveLength(1);
        const owner = (await store.resources.get('a'))!.dispatchedTo!;
        await store.resources.free('a', 'someone-else');
        expect((await store.resources.get('a'))!.dispatchedTo).toBe(owner);
        await store.resources.dispatch('b', owner);
        await store.resources.release(owner);
        expect((await store.resources.list()).map((r) => r.dispatchedTo)).toEqual([null, null, null]);
        await store.resources.replaceAll([]);
        expect(await store.resources.list()).toEqual([]);
      });
    });

    describe('incidents', () => {
      const rec = (over: Partial<IncidentRecord> = {}): IncidentRecord => ({
        id: uid('i'), areaId: 'D', grade: 'II', class: 'accident', title: '化工仓库火灾', lng: 121.52, lat: 31.28, radiusM: 1500, drill: false,
        command: { commander: '区长', members: ['区应急局', '区消防救援支队'] }, startedAt: 1000, startedBy: 'duty', endedAt: null, endedBy: null, summary: null, version: 1, ...over,
      });
      const entry = (kind: 'start' | 'release' | 'update' | 'end', at = 1000) => ({ at: new Date(at).toISOString(), actor: 'duty', kind, text: `t-${kind}`, data: { k: kind } });

      it('should keep an incident as written, one running per area, and append its log', async () => {
        const a = rec();
        expect(await store.incidents.create(a, entry('start'))).toBe(true);
        expect(await store.incidents.get(a.id)).toEqual(a);
        expect(await store.incidents.get('constructor')).toBeNull();
        // the district runs one already; a street may run its own
        expect(await store.incidents.create(rec({ title: 'second' }), entry('start'))).toBe(false);
        const s1 = rec({ areaId: 'S1', drill: true });
        expect(await store.incidents.create(s1, entry('start'))).toBe(true);
        expect((await store.incidents.running()).map((r) => r.id)).toEqual([a.id, s1.id]);
        // a release, then the end under the version check
        const released = await store.incidents.update(a.id, 1, { ...a, version: 2 }, entry('release', 2000));
        expect(released).toMatchObject({ version: 2 });
        expect(await store.incidents.update(a.id, 1, { ...a, version: 2 }, entry('release', 2000))).toBeNull();
        const ended = await store.incidents.update(a.id, 2, { ...a, grade: 'I', version: 3, endedAt: 5000, endedBy: 'duty', summary: '已恢复' }, entry('end', 5000));
        expect(ended).toEqual({ ...a, grade: 'I', version: 3, endedAt: 5000, endedBy: 'duty', summary: '已恢复' });
        expect((await store.incidents.log(a.id)).map((e) => [e.seq, e.kind, e.text, e.data])).toEqual([[1, 'start', 't-start', { k: 'start' }], [2, 'release', 't-release', { k: 'release' }], [3, 'end', 't-end', { k: 'end' }]]);
        expect((await store.incidents.running()).map((r) => r.id)).toEqual([s1.id]);
        expect((await store.incidents.ended(10)).map((r) => r.id)).toEqual([a.id]);
        // ended, the district may start again
        expect(await store.incidents.create(rec({ startedAt: 6000 }), entry('start', 6000))).toBe(true);
      });

      it('should let only one of two incidents started at once for an area run', async () => {
        const results = await Promise.all([store.incidents.create(rec({ areaId: 'S2' }), entry('start')), store.incidents.create(rec({ areaId: 'S2' }), entry('start'))]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.incidents.running()).filter((r) => r.areaId === 'S2')).toHaveLength(1);
      });
    });

    describe('tasks', () => {
      const rec = (over: Partial<TaskRecord & { districtId: string; streetId: string | null }> = {}): TaskRecord & { districtId: string; streetId: string | null } => ({
        id: uid('t'), kind: 'task', title: '整治', unitId: 'u1', person: '张', standard: '达标', deadline: 50_000, areaId: 'S1',
        location: { type: 'Point', coordinates: [121.5, 31.3] },
        milestones: [{ title: 'm0', due: 10_000, doneAt: null, chasedAt: null, lateReport: null }, { title: 'm1', due: 30_000, doneAt: null, chasedAt: null, lateReport: null }],
        status: 'active', progress: 0, lastVisitAt: null, chasedAt: null, createdAt: 1000, createdBy: 'duty', updatedAt: 1000, version: 1,
        districtId: 'D', streetId: 'S1', ...over,
      });
      const entry = (action: string, at = 1000) => ({ at: new Date(at).toISOString(), actor: 'duty', actorRole: 'district', action: action as 'create', note: `n-${action}`, data: { k: action } });

      it('should keep a task, its milestones and location as written, list it by scope, and append its log', async () => {
        const { districtId: _d, streetId: _s, ...t } = rec();
        await store.tasks.create({ ...t, districtId: 'D', streetId: 'S1' }, entry('create'));
        const other = rec({ unitId: 'u2', streetId: null, areaId: 'D' });
        await store.tasks.create(other, entry('create'));
        expect(await store.tasks.get(t.id)).toEqual(t);
        expect((await store.tasks.list({ streetId: 'S1', limit: 10 })).map((x) => x.id)).toEqual([t.id]);
        expect((await store.tasks.list({ districtId: 'D', limit: 10 })).map((x) => x.id).sort()).toEqual([t.id, other.id].sort());
        expect((await store.tasks.list({ districtId: 'D', unitId: 'u2', limit: 10 })).map((x) => x.id)).toEqual([other.id]);
        expect(await store.tasks.count({ districtId: 'D', status: 'active' })).toBe(2);
        expect(await store.tasks.count({ districtId: 'D', status: 'done' })).toBe(0);

        // an update under the version check appends its entries in order; a stale one changes nothing
        const next = { ...t, progress: 40, version: 2, updatedAt: 2000, milestones: [{ ...t.milestones[0]!, doneAt: 1500 }, t.milestones[1]!] };
        expect(await store.tasks.update(t.id, 1, next, [entry('progress', 2000), entry('milestone', 2000)])).toEqual(next);
        expect(await store.tasks.update(t.id, 1, { ...next, progress: 99 }, [entry('progress', 3000)])).toBeNull();
        expect((await store.tasks.log(t.id)).map((e) => [e.seq, e.action, e.note, e.data])).toEqual([
          [1, 'create', 'n-create', { k: 'create' }],
          [2, 'progress', 'n-progress', { k: 'progress' }],
          [3, 'milestone', 'n-milestone', { k: 'milestone' }],
        ]);
      });

      it('should find the tasks with something past due and not chased', async () => {
        const a = rec();
        const b = rec({ milestones: [{ title: 'm', due: 40_000, doneAt: null, chasedAt: null, lateReport: null }] });
        const done = rec({ status: 'done' });
        for (const t of [a, b, done]) await store.tasks.create(t, entry('create'));
        expect((await store.tasks.pastDue(20_000, 10)).map((t) => t.id)).toEqual([a.id]);
        expect((await store.tasks.pastDue(45_000, 10)).map((t) => t.id)).toEqual([a.id, b.id]);
        // chased: its next due is the next milestone
        const { districtId: _d, streetId: _s, ...at } = a;
        await store.tasks.update(a.id, 1, { ...at, version: 2, milestones: [{ ...a.milestones[0]!, chasedAt: 20_000 }, a.milestones[1]!] }, [entry('chase', 20_000)]);
        expect((await store.tasks.pastDue(20_000, 10)).map((t) => t.id)).toEqual([]);
      });
    });

    describe('display configurations', () => {
      it('should have none for a display never configured, and keep a saved playlist and layout', async () => {
        await store.identities.createDisplayToken(display({ id: 'd1' }));
        expect(await store.displayConfigs.get('d1')).toBeNull();
        expect(await store.displayConfigs.get('constructor')).toBeNull();
        const scenes = [
          { kind: 'overview' as const, durationSec: 60 },
          { kind: 'street' as const, areaId: 'S1', durationSec: 45 },
          { kind: 'alarms' as const, durationSec: 10 },
        ];
        const saved = await store.displayConfigs.save('d1', { scenes, layout: '5760x1080', at: 2000, by: 'admin' });
        const record = { displayId: 'd1', scenes, layout: '5760x1080', updatedAt: 2000, updatedBy: 'admin', pause: null };
        expect(saved).toEqual(record);
        expect(await store.displayConfigs.get('d1')).toEqual(record);
        // a second save replaces the whole playlist
        await store.displayConfigs.save('d1', { scenes: [], layout: '1080x1920', at: 3000, by: '王 ops' });
        expect(await store.displayConfigs.get('d1')).toEqual({ ...record, scenes: [], layout: '1080x1920', updatedAt: 3000, updatedBy: '王 ops' });
      });

      it('should keep the playlist when paused and resumed, and the pause when the playlist is saved', async () => {
        await store.identities.createDisplayToken(display({ id: 'd1' }));
        await store.identities.createDisplayToken(display({ id: 'd2', hash: 'h-d2' }));
        // paused before ever configured: the defaults, paused
        expect(await store.displayConfigs.setPause('d2', { by: 'duty', at: 1000, until: null })).toEqual({
          displayId: 'd2', scenes: [], layout: '1920x1080', updatedAt: null, updatedBy: null, pause: { by: 'duty', at: 1000, until: null },
        });
        const scenes = [{ kind: 'loop' as const, durationSec: 30 }];
        await store.displayConfigs.save('d1', { scenes, layout: '1920x1080', at: 2000, by: 'admin' });
        await store.displayConfigs.setPause('d1', { by: 'wjc', at: 2500, until: 2500 + 15 * 60_000 });
        expect(await store.displayConfigs.get('d1')).toMatchObject({ scenes, pause: { by: 'wjc', at: 2500, until: 2500 + 15 * 60_000 } });
        await store.displayConfigs.save('d1', { scenes: [...scenes, ...scenes], layout: '3840x2160', at: 3000, by: 'admin' });
        expect(await store.displayConfigs.get('d1')).toMatchObject({ layout: '3840x2160', pause: { by: 'wjc', until: 2500 + 15 * 60_000 } });
        expect(await store.displayConfigs.setPause('d1', null)).toMatchObject({ scenes: [...scenes, ...scenes], pause: null });
        expect((await store.displayConfigs.list()).map((c) => [c.displayId, c.pause?.by ?? null])).toEqual([['d1', null], ['d2', 'duty']]);
      });

      it('should refuse a configuration of a display that does not exist', async () => {
        await expect(store.displayConfigs.save('nope', { scenes: [], layout: '1920x1080', at: 1, by: 'admin' })).rejects.toThrow();
        await expect(store.displayConfigs.setPause('nope', null)).rejects.toThrow();
        expect(await store.displayConfigs.list()).toEqual([]);
      });
    });

    describe('display status', () => {
      it('should keep when a display was last seen and its build, never moving last-seen back', async () => {
        await store.identities.createDisplayToken(display({ id: 'd1' }));
        await store.identities.createDisplayToken(display({ id: 'constructor' }));
        expect(await store.displayStatus.list()).toEqual([]);
        await store.displayStatus.seen('d1', Y2100, 'build-a');
        expect(await store.displayStatus.list()).toEqual([
          { displayId: 'd1', lastSeenAt: Y2100, build: 'build-a', reloads: 0, lastReloadReason: null, lastReloadAt: null },
        ]);
        // an older sighting (another node's late write) does not move it back; an unknown build keeps the known one
        await store.displayStatus.seen('d1', Y2100 - 60_000, null);
        expect((await store.displayStatus.list())[0]).toMatchObject({ lastSeenAt: Y2100, build: 'build-a' });
        await store.displayStatus.seen('d1', Y2100 + 60_000, 'build-b');
        await store.displayStatus.seen('constructor', 5000, null);
        expect(await store.displayStatus.list()).toEqual([
          { displayId: 'constructor', lastSeenAt: 5000, build: null, reloads: 0, lastReloadReason: null, lastReloadAt: null },
          { displayId: 'd1', lastSeenAt: Y2100 + 60_000, build: 'build-b', reloads: 0, lastReloadReason: null, lastReloadAt: null },
        ]);
      });

      it('should count reported reloads with the last reason, also parallel ones, and refuse an unknown display', async () => {
        await store.identities.createDisplayToken(display({ id: 'd2' }));
        await store.displayStatus.reloaded('d2', 7000, 'stall', 'build-a');
        expect(await store.displayStatus.list()).toEqual([
          { displayId: 'd2', lastSeenAt: 7000, build: 'build-a', reloads: 1, lastReloadReason: 'stall', lastReloadAt: 7000 },
        ]);
        await Promise.all(Array.from({ length: 5 }, (_, i) => store.displayStatus.reloaded('d2', 8000 + i, 'memory', 'build-b')));
        const [row] = await store.displayStatus.list();
        expect(row).toMatchObject({ displayId: 'd2', reloads: 6, lastReloadReason: 'memory', build: 'build-b' });
        expect(row!.lastReloadAt).toBeGreaterThanOrEqual(8000);
        await store.displayStatus.seen('d2', Y2100, null);
        expect((await store.displayStatus.list())[0]).toMatchObject({ lastSeenAt: Y2100, reloads: 6, build: 'build-b' });
        await expect(store.displayStatus.seen('no-such-display', 1000, null)).rejects.toThrow();
        await expect(store.displayStatus.reloaded('no-such-display', 1000, 'stall', 'x')).rejects.toThrow();
        expect(await store.displayStatus.list()).toHaveLength(1);
      });
    });

    describe('ingest keys', () => {
      it('should keep keys by hash, list them by creation, and revoke by id or by name', async () => {
        await store.keys.createIngestKey({ id: 'k1', name: 'sensors', hash: 'h1', sources: null, simulated: false, createdAt: Y2100 });
        await store.keys.createIngestKey({ id: 'k2', name: 'hotline', hash: 'h2', sources: ['12345'], simulated: true, createdAt: 1000 });
        await store.keys.createIngestKey({ id: 'k3', name: 'hotline', hash: 'h3', sources: ['12345', 'grid'], simulated: false, createdAt: 2000 });
        expect(await store.keys.findIngestKeyByHash('h1')).toEqual({ id: 'k1', name: 'sensors', sources: null, simulated: false, createdAt: Y2100, revokedAt: null });
        expect(await store.keys.findIngestKeyByHash('h3')).toMatchObject({ sources: ['12345', 'grid'] });
        expect(await store.keys.findIngestKeyByHash('nope')).toBeNull();
        expect((await store.keys.listIngestKeys()).map((k) => k.id)).toEqual(['k2', 'k3', 'k1']);
        expect(await store.keys.revokeIngestKey('hotline', 5000)).toBe(2);
        expect(await store.keys.revokeIngestKey('hotline', 6000)).toBe(0);
        expect(await store.keys.revokeIngestKey('k1', 7000)).toBe(1);
        expect(await store.keys.revokeIngestKey('nope', 7000)).toBe(0);
        expect((await store.keys.listIngestKeys()).map((k) => k.revokedAt)).toEqual([5000, 5000, 7000]);
      });
    });

    describe('audit trail', () => {
      const audit = (at: number, action: string, count?: number) => ({ at, actor: 'admin', actorKind: 'user' as const, action, target: 't', outcome: 'ok' as const, ip: '192.0.2.1', detail: 'd', ...(count === undefined ? {} : { count }) });

      it('should append entries and list them newest first within a range', async () => {
        await store.audit.appendAudit(audit(1000, 'a'));
        await store.audit.appendAudit(audit(3000, 'b', 7));
        await store.audit.appendAudit(audit(2000, 'c'));
        await store.audit.appendAudit(audit(Y2100, 'd'));
        await store.audit.appendAudit(audit(2000, 'c')); // the same again is a second entry
        const all = await store.audit.listAudit({ limit: 10 });
        expect(all.map((e) => e.action)).toEqual(['c', 'd', 'c', 'b', 'a']);
        expect(all.map((e) => e.count)).toEqual([1, 1, 1, 7, 1]);
        expect(all.every((e) => Number.isSafeInteger(e.id))).toBe(true);
        expect(new Set(all.map((e) => e.id)).size).toBe(5);
        expect(all[1]).toEqual({ id: all[1]!.id, at: iso(Y2100), actor: 'admin', actorKind: 'user', action: 'd', target: 't', outcome: 'ok', ip: '192.0.2.1', detail: 'd', count: 1 });
        expect((await store.audit.listAudit({ from: 2000, to: 3000, limit: 10 })).map((e) => e.action)).toEqual(['c', 'c']);
        expect((await store.audit.listAudit({ from: 2000, limit: 10 })).map((e) => e.action)).toEqual(['c', 'd', 'c', 'b']);
        expect((await store.audit.listAudit({ to: 2000, limit: 10 })).map((e) => e.action)).toEqual(['a']);
        expect((await store.audit.listAudit({ limit: 2 })).map((e) => e.action)).toEqual(['c', 'd']);
      });

      it('should offer no way to change or remove an entry', () => {
        // every function the repository object offers, helpers included: a store keeps its helpers elsewhere
        expect(methodNames(store.audit)).toEqual(['appendAudit', 'listAudit']);
      });
    });

    describe('notifications', () => {
      beforeEach(async () => {
        await store.notifications.createChannel(channel('a'));
        await store.notifications.createChannel(channel('b'));
      });

      it('should keep channels as given, and change and delete them', async () => {
        expect(await store.notifications.getChannel('a')).toEqual(channel('a'));
        expect(await store.notifications.getChannel('nope')).toBeNull();
        expect(await store.notifications.updateChannel({ ...channel('a'), enabled: false, kinds: ['breach'], secret: null, updatedAt: T0 + 1 })).toBe(true);
        expect(await store.notifications.getChannel('a')).toEqual({ ...channel('a'), enabled: false, kinds: ['breach'], secret: null, updatedAt: T0 + 1 });
        expect(await store.notifications.updateChannel(channel('nope'))).toBe(false);
        expect(await store.notifications.deleteChannel('b')).toBe(true);
        expect(await store.notifications.deleteChannel('b')).toBe(false);
        expect((await store.notifications.listChannels()).map((c) => c.id)).toEqual(['a']);
      });

      it('should add a delivery once per channel and key', async () => {
        expect(await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('b', 'k1')])).toHaveLength(2);
        const again = await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2')]);
        expect(again.map((d) => d.noticeKey)).toEqual(['k2']);
        expect(Number.isSafeInteger(again[0]!.id)).toBe(true);
        expect(again[0]).toEqual({
          id: again[0]!.id, channelId: 'a', channelName: 'ch a', noticeKey: 'k2', kind: 'alarm', severity: 'alarm', payload: '{}', status: 'pending',
          attempts: 0, nextAttemptAt: T0, lastError: null, lastStatus: null, createdAt: T0, updatedAt: T0, deliveredAt: null,
        });
        expect(await store.notifications.listDeliveries({ limit: 10 })).toHaveLength(3);
        // parallel enqueues of the same notice add it once
        const par = await Promise.all(Array.from({ length: 5 }, () => store.notifications.enqueueDeliveries([delivery('a', 'k3')])));
        expect(par.flat()).toHaveLength(1);
      });

      it('should let no two rounds claim the same delivery, and hand it back after the lease', async () => {
        await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2'), delivery('a', 'k3'), delivery('a', 'later', T0 + 50_000)]);
        const first = await store.notifications.claimDueDeliveries(T0, T0 + 10_000, 2);
        const second = await store.notifications.claimDueDeliveries(T0, T0 + 10_000, 2);
        expect(first.map((d) => d.noticeKey)).toEqual(['k1', 'k2']);
        expect(first[0]!.nextAttemptAt).toBe(T0 + 10_000);
        expect(second.map((d) => d.noticeKey)).toEqual(['k3']);
        expect(await store.notifications.claimDueDeliveries(T0 + 9_999, T0 + 20_000, 5)).toEqual([]);
        // a server that died mid-send: the lease runs out and the delivery is due again
        expect(await store.notifications.claimDueDeliveries(T0 + 10_000, T0 + 20_000, 5)).toHaveLength(3);
        // parallel rounds never share a delivery
        const rounds = await Promise.all(Array.from({ length: 4 }, () => store.notifications.claimDueDeliveries(T0 + 60_000, T0 + 70_000, 5)));
        const ids = rounds.flat().map((d) => d.id);
        expect(ids).toHaveLength(4);
        expect(new Set(ids).size).toBe(4);
      });

      it('should retry only failed deliveries, and prune only settled ones past the retention', async () => {
        const [d1, d2, d3] = await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2'), delivery('a', 'k3')]);
        await store.notifications.finishAttempt(d1!.id, { status: 'failed', attempts: 1, nextAttemptAt: null, lastError: 'HTTP 400', lastStatus: 400, at: T0 });
        await store.notifications.finishAttempt(d2!.id, { status: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, lastStatus: 200, at: Y2100 });
        expect(await store.notifications.getDelivery(d2!.id)).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: Y2100, updatedAt: Y2100, lastStatus: 200, nextAttemptAt: null });
        expect(await store.notifications.getDelivery(d1!.id)).toMatchObject({ status: 'failed', deliveredAt: null, lastError: 'HTTP 400', lastStatus: 400 });
        expect(await store.notifications.getDelivery(-1)).toBeNull();
        expect(await store.notifications.retryDelivery(d2!.id, T0 + 1)).toBe(false);
        expect(await store.notifications.retryDelivery(d3!.id, T0 + 1)).toBe(false);
        expect(await store.notifications.listDeliveries({ limit: 10, status: 'failed' })).toHaveLength(1);
        expect(await store.notifications.pruneDeliveries(T0 + 1)).toBe(1); // d1; d2 changed in 2100, d3 pending
        expect(await store.notifications.pruneDeliveries(Y2100 + 1)).toBe(1);
        expect((await store.notifications.listDeliveries({ limit: 10 })).map((d) => d.noticeKey)).toEqual(['k3']);
        const [d4] = await store.notifications.enqueueDeliveries([delivery('a', 'k4')]);
        await store.notifications.finishAttempt(d4!.id, { status: 'failed', attempts: 6, nextAttemptAt: null, lastError: 'x', lastStatus: 500, at: T0 });
        expect(await store.notifications.retryDelivery(d4!.id, T0 + 5)).toBe(true);
        expect(await store.notifications.getDelivery(d4!.id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0 + 5, updatedAt: T0 + 5 });
      });

      it('should list deliveries newest first, by status and channel, and keep the log of a deleted channel under its name', async () => {
        await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('b', 'k2'), delivery('a', 'k3')]);
        expect((await store.notifications.listDeliveries({ limit: 10 })).map((d) => d.noticeKey)).toEqual(['k3', 'k2', 'k1']);
        expect((await store.notifications.listDeliveries({ limit: 1 })).map((d) => d.noticeKey)).toEqual(['k3']);
        expect((await store.notifications.listDeliveries({ limit: 10, channelId: 'a' })).map((d) => d.noticeKey)).toEqual(['k3', 'k1']);
        expect(await store.notifications.listDeliveries({ limit: 10, status: 'delivered' })).toEqual([]);
        await store.notifications.deleteChannel('b');
        const [kept] = await store.notifications.listDeliveries({ limit: 10, status: 'pending' }).then((l) => l.filter((d) => d.noticeKey === 'k2'));
        expect(kept).toMatchObject({ channelId: null, channelName: 'ch b' });
        expect(await store.notifications.listDeliveries({ limit: 10, channelId: 'b' })).toEqual([]);
      });
    });

    describe('alarms', () => {
      it('should keep one open episode per (rule, area), as given, with its history', async () => {
        const a = newAlarm({ id: 'a1', since: Y2100 - 60_000, raisedAt: Y2100, lastAt: Y2100, streetId: 'S1', areaId: 'S1' });
        const inserted = await store.alarms.insert(a, history('raised', Y2100));
        const expected: Alarm = {
          id: 'a1', ruleId: 'pm25.district', kind: 'threshold', indicatorId: 'pm25', areaId: 'S1', streetId: 'S1', severity: 'warn', state: 'raised',
          title: { zh: '超标', en: 'out of range' }, value: 80, threshold: 75, since: iso(Y2100 - 60_000), raisedAt: iso(Y2100), lastAt: iso(Y2100),
          clearedAt: null, acknowledgedAt: null, acknowledgedBy: null, ackNote: null, caseId: null, createCase: 'off', simulated: false, version: 1,
        };
        expect(inserted).toEqual(expected);
        expect(await store.alarms.get('a1')).toEqual(expected);
        expect(await store.alarms.get('nope')).toBeNull();
        expect(await store.alarms.findOpen('pm25.district', 'S1')).toEqual(expected);
        expect(await store.alarms.findOpen('pm25.district', 'S2')).toBeNull();
        // a second open episode of the same (rule, area) is refused, also in parallel
        expect(await store.alarms.insert(newAlarm({ id: 'a2', areaId: 'S1' }), history('raised', Y2100))).toBeNull();
        const par = await Promise.all(Array.from({ length: 5 }, (_, i) => store.alarms.insert(newAlarm({ id: `p${i}`, areaId: 'S9' }), history('raised', T0))));
        expect(par.filter((x) => x !== null)).toHaveLength(1);
        expect(await store.alarms.get('a2')).toBeNull();
        expect(await store.alarms.history('a1')).toEqual([{ at: iso(Y2100), kind: 'raised', severity: 'warn', value: 80, by: null, note: null }]);
        // once cleared, the next episode may open
        const cleared = await store.alarms.update('a1', { state: 'cleared', clearedAt: Y2100 + 5 }, history('cleared', Y2100 + 5));
        expect(cleared).toMatchObject({ state: 'cleared', clearedAt: iso(Y2100 + 5), version: 2 });
        expect(await store.alarms.findOpen('pm25.district', 'S1')).toBeNull();
        expect(await store.alarms.insert(newAlarm({ id: 'a3', areaId: 'S1' }), history('raised', Y2100 + 6))).toMatchObject({ id: 'a3', version: 1 });
      });

      it('should clear an episode once: a second clear (by another node, from the same stale read) changes nothing', async () => {
        await store.alarms.insert(newAlarm({ id: 'c1', areaId: 'S1' }), history('raised', T0));
        // two evaluators that both read the episode open and both clear it, without a version
        const clears = await Promise.all([1, 2].map((i) => store.alarms.update('c1', { state: 'cleared', clearedAt: T0 + i }, history('cleared', T0 + i))));
        expect(clears.filter((c) => c !== null)).toHaveLength(1);
        expect(await store.alarms.update('c1', { state: 'cleared', clearedAt: T0 + 9 }, history('cleared', T0 + 9))).toBeNull();
        expect((await store.alarms.history('c1')).map((h) => h.kind)).toEqual(['raised', 'cleared']);
        expect((await store.alarms.get('c1'))!.version).toBe(2);
        // what may still change a cleared episode: its acknowledgement, its case
        expect(await store.alarms.update('c1', { state: 'cleared', acknowledgedAt: T0 + 20, acknowledgedBy: 'wang' }, null, 2)).toMatchObject({ version: 3 });
        expect(await store.alarms.update('c1', { caseId: 'case-9' }, null)).toMatchObject({ caseId: 'case-9', version: 4 });
      });

      it('should change an episode at the expected version, appending history in order', async () => {
        await store.alarms.insert(newAlarm({ id: 'a' }), history('raised', T0));
        const up = await store.alarms.update('a', { severity: 'alarm', value: 120, threshold: 115, lastAt: T0 + 10 }, history('escalated', T0 + 10, { severity: 'alarm', value: 120 }), 1);
        expect(up).toMatchObject({ severity: 'alarm', value: 120, threshold: 115, lastAt: iso(T0 + 10), version: 2 });
        expect(await store.alarms.update('a', { state: 'acknowledged' }, null, 1)).toBeNull(); // stale
        expect(await store.alarms.update('nope', { state: 'acknowledged' }, null)).toBeNull();
        const ack = await store.alarms.update('a', { state: 'acknowledged', acknowledgedAt: T0 + 20, acknowledgedBy: 'wang', ackNote: '已派人' }, history('acknowledged', T0 + 20, { by: 'wang', note: '已派人' }), 2);
        expect(ack).toMatchObject({ state: 'acknowledged', acknowledgedAt: iso(T0 + 20), acknowledgedBy: 'wang', ackNote: '已派人', version: 3 });
        // without history, and without a version check
        expect(await store.alarms.update('a', { caseId: 'case-1', value: null }, null)).toMatchObject({ caseId: 'case-1', value: null, version: 4 });
        expect((await store.alarms.history('a')).map((h) => [h.kind, h.by])).toEqual([['raised', null], ['escalated', null], ['acknowledged', 'wang']]);
        // parallel changes at one version: one wins
        const tries = await Promise.all(Array.from({ length: 4 }, (_, i) => store.alarms.update('a', { lastAt: T0 + 100 + i }, null, 4)));
        expect(tries.filter((t) => t !== null)).toHaveLength(1);
      });

      it('should list active first (alarm before warn, then oldest), then cleared (newest first), count, and answer the open ones', async () => {
        await store.alarms.insert(newAlarm({ id: 'warn-old', ruleId: 'r1', severity: 'warn', raisedAt: T0 }), history('raised', T0));
        await store.alarms.insert(newAlarm({ id: 'warn-new', ruleId: 'r2', severity: 'warn', raisedAt: T0 + 10 }), history('raised', T0 + 10));
        await store.alarms.insert(newAlarm({ id: 'alarm-new', ruleId: 'r3', severity: 'alarm', raisedAt: T0 + 20, areaId: 'S1', streetId: 'S1' }), history('raised', T0 + 20));
        await store.alarms.insert(newAlarm({ id: 'cleared-old', ruleId: 'r4', raisedAt: T0 - 100 }), history('raised', T0 - 100));
        await store.alarms.insert(newAlarm({ id: 'cleared-new', ruleId: 'r5', raisedAt: T0 - 100, areaId: 'S1-g1', streetId: 'S1' }), history('raised', T0 - 100));
        await store.alarms.update('cleared-old', { state: 'cleared', clearedAt: T0 + 30 }, null);
        await store.alarms.update('cleared-new', { state: 'cleared', clearedAt: T0 + 40 }, null);
        const ids = async (f: Parameters<Store['alarms']['list']>[0]) => (await store.alarms.list(f)).map((a) => a.id);
        expect(await ids({ status: 'all', limit: 10 })).toEqual(['alarm-new', 'warn-old', 'warn-new', 'cleared-new', 'cleared-old']);
        expect(await ids({ status: 'active', limit: 10 })).toEqual(['alarm-new', 'warn-old', 'warn-new']);
        expect(await ids({ status: 'cleared', limit: 10 })).toEqual(['cleared-new', 'cleared-old']);
        expect(await ids({ status: 'all', limit: 2 })).toEqual(['alarm-new', 'warn-old']);
        expect(await ids({ status: 'all', limit: 10, area: { id: 'S1', level: 'street' } })).toEqual(['alarm-new', 'cleared-new']);
        expect(await ids({ status: 'all', limit: 10, area: { id: 'S1-g1', level: 'grid' } })).toEqual(['cleared-new']);
        expect(await ids({ status: 'all', limit: 10, area: { id: 'D', level: 'district' } })).toHaveLength(5);
        expect(await store.alarms.count({ status: 'all' })).toBe(5);
        expect(await store.alarms.count({ status: 'active' })).toBe(3);
        expect(await store.alarms.count({ status: 'cleared', area: { id: 'S1', level: 'street' } })).toBe(1);
        expect((await store.alarms.open()).map((a) => a.id).sort()).toEqual(['alarm-new', 'warn-new', 'warn-old']);
      });

      it('should version the rule set: the newest wins, and of parallel saves of one version only one', async () => {
        const rules = loadShippedData().rules.slice(0, 3);
        expect(await store.alarms.latestRuleSet()).toBeNull();
        expect(await store.alarms.saveRuleSet(1, rules, Y2100, 'admin')).toBe(true);
        expect(await store.alarms.saveRuleSet(1, rules.slice(0, 1), Y2100 + 1, 'other')).toBe(false);
        expect(await store.alarms.latestRuleSet()).toEqual({ version: 1, rules, savedAt: Y2100, savedBy: 'admin' });
        const saves = await Promise.all(Array.from({ length: 5 }, (_, i) => store.alarms.saveRuleSet(2, rules.slice(0, (i % 3) + 1), T0 + i, `u${i}`)));
        expect(saves.filter(Boolean)).toHaveLength(1);
        const winner = saves.indexOf(true);
        expect(await store.alarms.latestRuleSet()).toEqual({ version: 2, rules: rules.slice(0, (winner % 3) + 1), savedAt: T0 + winner, savedBy: `u${winner}` });
      });
    });

    describe('hostile text and edge values', () => {
      it('should find the stored case again for a key with a lone surrogate (which UTF-8 cannot hold)', async () => {
        // JSON.parse('"\\ud800"') gives such a string: ingest lets it through as an externalId
        const key = 'x\uD800y';
        const first = await store.cases.insertEvents([newEvent({ id: 'sur-1', externalId: key })]);
        expect(first[0]).toMatchObject({ created: true });
        const again = await store.cases.insertEvents([newEvent({ id: 'sur-2', externalId: key }), newEvent({ id: 'sur-3', externalId: key })]);
        expect(again.map((r) => [r.created, r.event.id])).toEqual([
          [false, 'sur-1'],
          [false, 'sur-1'],
        ]);
        expect(await store.cases.countEvents({})).toBe(1);
      });

      it('should order text by its bytes (SQLite\'s order), whatever the database\'s locale', async () => {
        // of equal times, the id decides: byte order puts 'B' (0x42) before '_' (0x5f) before 'a' (0x61)
        const ids = ['a', 'B', '_c', 'Z', 'b'];
        await store.cases.insertEvents(ids.map((id) => newEvent({ id, gridId: `g-${id}` })));
        expect((await store.cases.listEvents({ limit: 10 })).map((e) => e.id)).toEqual(['b', 'a', '_c', 'Z', 'B']);
        expect((await store.cases.openCountsByGrid(11 * H, 0)).map((r) => r.gridId)).toEqual(['g-B', 'g-Z', 'g-_c', 'g-a', 'g-b']);
        for (const [i, name] of ['b', 'B', '_x', 'a'].entries()) await store.identities.createUser(user({ id: `u-${i}`, username: name }));
        expect((await store.identities.listUsers()).map((u) => u.username)).toEqual(['B', '_x', 'a', 'b']);
      });

      it('should take an id list longer than any parameter limit (70,000 ids)', async () => {
        await insert({ id: 'far-1' });
        const ids = Array.from({ length: 70_000 }, (_, i) => `none-${i}`);
        ids.push('far-1');
        expect((await store.cases.casePoints(ids)).map((p) => p.id)).toEqual(['far-1']);
      });

      it('should give nothing for a limit of 0', async () => {
        await insert();
        expect(await store.cases.listEvents({ limit: 0 })).toEqual([]);
        expect(await store.cases.dueCases(Y2100, 0)).toEqual([]);
        expect(await store.audit.listAudit({ limit: 0 })).toEqual([]);
      });
    });
  });
}
