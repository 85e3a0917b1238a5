/**
 * The store contract against a real PostgreSQL (Debian's, started by test/helpers/postgres.ts),
 * and what only PostgreSQL has to prove: the database itself keeps the audit trail append-only,
 * migrations are versioned and run once when nodes start together, and several nodes (pools)
 * writing the same rows at once get the answers one node would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewAlarm, NewEvent, NewReading } from '../../server/ports.ts';
import { LATEST_PG_SCHEMA_VERSION, migrate, pgMigrations } from '../../server/stores/postgres/migrations.ts';
import { PostgresStore, redactDatabaseUrl } from '../../server/stores/postgres/postgres.store.ts';
import { NewerDatabaseError } from '../../server/stores/sqlite/migrations.ts';
import { postgresBinDir, usePostgres } from '../helpers/postgres.ts';
import { storeContract } from './store.contract.ts';

const server = usePostgres();

// every contract test gets a fresh database: a copy of one migrated once (creating and migrating
// each from nothing costs seconds a test; the migration itself is tested below)
let template: Promise<string> | undefined;
const dropping: Promise<void>[] = [];
afterAll(async () => {
  await Promise.all(dropping);
});
storeContract('PostgreSQL', async () => {
  template ??= (async () => {
    // sorted as on a cluster initialised on an en_US system (Debian's default locale), not the
    // byte order SQLite sorts by: the store must not depend on the cluster's locale
    const url = await server().createDatabase({ icuLocale: 'en-US' });
    const s = new PostgresStore(url, { poolSize: 1 });
    await s.migrate();
    await s.close();
    return url;
  })();
  const url = await server().createDatabase({ template: await template });
  const store = new PostgresStore(url, { poolSize: 4 });
  return {
    store,
    async cleanup() {
      await store.close();
      dropping.push(server().dropDatabase(url));
    },
  };
});

const opened: PostgresStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

/** a fresh database, migrated, and `nodes` stores (pools) on it */
async function nodes(n: number): Promise<{ url: string; stores: PostgresStore[] }> {
  const url = await server().createDatabase();
  const stores = Array.from({ length: n }, () => new PostgresStore(url, { poolSize: 4 }));
  opened.push(...stores);
  await stores[0]!.migrate();
  return { url, stores };
}

async function raw<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query<T>(sql, params);
  } finally {
    await c.end();
  }
}

const T0 = Date.UTC(2026, 4, 20, 2, 0, 0);

function event(i: number, o: Partial<NewEvent> = {}): NewEvent {
  return {
    id: `ev-${i}-${Math.random().toString(36).slice(2, 8)}`,
    source: 'sensor',
    externalId: `x-${i}`,
    category: 'noise',
    title: `event ${i}`,
    description: '',
    lng: 121.5 + (i % 50) * 0.01,
    lat: 31.28 + Math.floor(i / 50) * 0.01,
    gridId: `g${i % 7}`,
    streetId: `s${i % 3}`,
    districtId: '310110000000',
    severity: 'medium',
    status: 'reported',
    occurredAt: T0 + i * 1000,
    receivedAt: T0 + i * 1000 + 500,
    simulated: false,
    dueAt: T0 + 3_600_000,
    confidential: false,
    drill: false,
    roadId: null,
    keyAreaIds: [],
    limitFactor: 1,
    buildingId: null,
    personal: null,
    ...o,
  };
}

describe('postgres: the audit trail is append-only, enforced by the database', () => {
  it('refuses a raw UPDATE, DELETE and TRUNCATE of the audit trail and keeps the rows', async () => {
    const { url, stores } = await nodes(1);
    const s = stores[0]!;
    await s.audit.appendAudit({ at: T0, actor: 'wang.li', actorKind: 'user', action: 'user.create', target: 'li.na', outcome: 'ok', ip: '10.0.0.1', detail: '' });
    await s.audit.appendAudit({ at: T0 + 1, actor: 'x', actorKind: 'anonymous', action: 'login', target: 'admin', outcome: 'denied', ip: '10.0.0.9', detail: 'wrong_password' });
    await expect(raw(url, "UPDATE audit SET outcome = 'ok' WHERE outcome = 'denied'")).rejects.toThrow(/append-only/);
    await expect(raw(url, 'DELETE FROM audit')).rejects.toThrow(/append-only/);
    await expect(raw(url, 'TRUNCATE audit')).rejects.toThrow(/append-only/);
    const rows = await s.audit.listAudit({ limit: 10 });
    expect(rows.map((r) => [r.actor, r.outcome])).toEqual([['x', 'denied'], ['wang.li', 'ok']]);
  });

  it('refuses to change or remove a case timeline entry', async () => {
    const { url, stores } = await nodes(1);
    const [r] = await stores[0]!.cases.insertEvents([event(1)]);
    await expect(raw(url, "UPDATE event_timeline SET note = 'edited' WHERE event_id = $1", [r!.event.id])).rejects.toThrow(/append-only/);
    await expect(raw(url, 'DELETE FROM event_timeline WHERE event_id = $1', [r!.event.id])).rejects.toThrow(/append-only/);
    await expect(raw(url, 'TRUNCATE events CASCADE')).rejects.toThrow(/append-only/);
    expect(await stores[0]!.cases.timeline(r!.event.id)).toHaveLength(1);
  });
});

describe('postgres: migrations', () => {
  it('migrates once when several nodes start together, and the schema is the one ping expects', async () => {
    const url = await server().createDatabase();
    const stores = Array.from({ length: 4 }, () => new PostgresStore(url, { poolSize: 2 }));
    opened.push(...stores);
    await Promise.all(stores.map((s) => s.migrate()));
    const rows = (await raw<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version')).rows;
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version).sort((a, b) => a - b));
    await Promise.all(stores.map((s) => s.ping()));
    await stores[0]!.migrate(); // idempotent
    expect(await stores[0]!.sizeBytes()).toBeGreaterThan(1_000_000);
  });

  it('refuses a database written by a newer version, with the same error as the embedded store', async () => {
    const { url, stores } = await nodes(1);
    await raw(url, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [LATEST_PG_SCHEMA_VERSION + 1, 'from the future', T0]);
    const later = new PostgresStore(url);
    opened.push(later);
    const err = await later.migrate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NewerDatabaseError);
    expect((err as NewerDatabaseError).found).toBe(LATEST_PG_SCHEMA_VERSION + 1);
    await expect(stores[0]!.ping()).rejects.toThrow(/schema version/);
  });

  it('a migration that fails half way leaves nothing of it, and the next start applies it whole', async () => {
    const url = await server().createDatabase();
    const s = new PostgresStore(url, { poolSize: 2 });
    opened.push(s);
    const broken = [...pgMigrations, { version: LATEST_PG_SCHEMA_VERSION + 1, name: 'half', sql: 'CREATE TABLE half_done (a int); SELECT 1 / 0;' }];
    await expect(migrate(s.db.pool, broken)).rejects.toThrow(/division by zero/);
    expect(await s.schemaVersions()).toEqual(pgMigrations.map((m) => m.version).sort((a, b) => a - b));
    expect((await raw<{ t: string | null }>(url, "SELECT to_regclass('half_done')::text AS t")).rows[0]!.t).toBeNull();
    await s.ping(); // this version's schema is whole
    const fixed = [...pgMigrations, { version: LATEST_PG_SCHEMA_VERSION + 1, name: 'half', sql: 'CREATE TABLE half_done (a int);' }];
    await migrate(s.db.pool, fixed);
    expect((await s.schemaVersions()).at(-1)).toBe(LATEST_PG_SCHEMA_VERSION + 1);
  });

  it('ping says what is wrong with an unmigrated database', async () => {
    const url = await server().createDatabase();
    const s = new PostgresStore(url);
    opened.push(s);
    await expect(s.ping()).rejects.toThrow(/schema version none/);
  });
});

describe('postgres: timestamps keep their meaning', () => {
  it('stores epoch milliseconds as bigint and gives back the same numbers, whatever the session time zone', async () => {
    const { url } = await nodes(1);
    // a node whose sessions run in another time zone sees the same instants
    const tz = `${url}?options=${encodeURIComponent('-c TimeZone=America/New_York')}`;
    const s = new PostgresStore(tz);
    opened.push(s);
    const far = Date.UTC(2100, 0, 1, 0, 0, 0, 123);
    const [r] = await s.cases.insertEvents([event(1, { occurredAt: far, receivedAt: far + 1, dueAt: far + 2 })]);
    expect(r!.event.occurredAt).toBe('2100-01-01T00:00:00.123Z');
    expect((await s.cases.getEvent(r!.event.id))!.dueAt).toBe('2100-01-01T00:00:00.125Z');
    expect(await s.cases.occurredTimes(far, far + 1)).toEqual([far]);
    const types = await raw<{ data_type: string }>(url, "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'occurred_at'");
    expect(types.rows[0]!.data_type).toBe('bigint');
    await s.readings.insertReadings([{ indicatorId: 'pm25', areaId: 'g1', value: 35.5, at: far, receivedAt: far, simulated: false }]);
    expect(await s.readings.latestReadings()).toEqual([{ indicatorId: 'pm25', areaId: 'g1', value: 35.5, at: far, simulated: false }]);
  });
});

describe('postgres: several nodes writing at once', () => {
  it('two pools inserting the same events in parallel store each once and agree on it', async () => {
    const { url, stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const all = Array.from({ length: 200 }, (_, i) => event(i));
    // the same (source, externalId)s under different ids, in batches that overlap in other orders
    const forB = all.map((e) => ({ ...e, id: `${e.id}-b` }));
    const batches = (es: NewEvent[], size: number) => Array.from({ length: Math.ceil(es.length / size) }, (_, i) => es.slice(i * size, (i + 1) * size));
    const runs = [
      ...batches(all, 25).map((x) => a.cases.insertEvents(x)),
      ...batches([...forB].reverse(), 40).map((x) => b.cases.insertEvents(x)),
      ...batches(all.filter((_, i) => i % 3 === 0), 30).map((x) => b.cases.insertEvents(x)),
    ];
    const results = (await Promise.all(runs)).flat();
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(200);
    expect(new Set(created.map((r) => r.event.externalId)).size).toBe(200);
    // every answer, created or not, names the one stored case of its key
    const stored = new Map(created.map((r) => [r.event.externalId, r.event.id]));
    for (const r of results) expect(r.event.id).toBe(stored.get(r.event.externalId));
    expect(Number((await raw<{ n: string }>(url, 'SELECT count(*) AS n FROM events')).rows[0]!.n)).toBe(200);
    expect(Number((await raw<{ n: string }>(url, "SELECT count(*) AS n FROM event_timeline WHERE action = 'report'")).rows[0]!.n)).toBe(200);
  });

  it('two nodes checking recurrence at once: the case committed second is tagged recurring', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const rule = { radiusM: 200, windowMs: 30 * 86_400_000 };
    for (let round = 0; round < 5; round++) {
      const here = { lng: 121.51 + round * 0.05, lat: 31.3, occurredAt: T0 + round * 1000 };
      const [[ra], [rb]] = await Promise.all([
        a.cases.insertEvents([event(1000 + round, { ...here, externalId: `ra-${round}` })], rule),
        b.cases.insertEvents([event(2000 + round, { ...here, lng: here.lng + 0.0005, externalId: `rb-${round}` })], rule),
      ]);
      const tagged = [ra!, rb!].filter((r) => r.event.tags.includes('recurring'));
      expect(tagged).toHaveLength(1);
      const other = [ra!, rb!].find((r) => !r.event.tags.includes('recurring'))!;
      expect(tagged[0]!.event.relatedIds).toEqual([other.event.id]);
    }
  });

  it('a transition from two nodes at the same version: one applies, the other is a conflict', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const [r] = await a.cases.insertEvents([event(1)]);
    const id = r!.event.id;
    const change = (unit: string) => ({ status: 'accepted' as const, leadUnit: unit, coUnits: [], escalated: false, stageStartedAt: T0 + 10, dueAt: T0 + 20, rating: null, satisfaction: null, duplicateOf: null });
    const entry = (actor: string) => ({ at: new Date(T0 + 10).toISOString(), actor, actorRole: 'district', action: 'accept' as const, from: 'reported' as const, to: 'accepted' as const, note: '', attachments: [], data: {} });
    for (let v = 1; v <= 10; v++) {
      const [x, y] = await Promise.all([a.cases.changeCase(id, v, change('u-a'), entry('a'), T0 + v), b.cases.changeCase(id, v, change('u-b'), entry('b'), T0 + v)]);
      expect([x, y].filter((e) => e !== null)).toHaveLength(1);
      expect((x ?? y)!.version).toBe(v + 1);
    }
    const tl = await a.cases.timeline(id);
    expect(tl.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('a display token enrols one screen, whichever node is asked', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    for (let i = 0; i < 10; i++) {
      await a.identities.createDisplayToken({ id: `d${i}`, name: `wall ${i}`, areaId: 's1', hash: `h${i}`, createdBy: 'admin', createdAt: T0, revokedAt: null, enrolledAt: null });
      const got = await Promise.all([a, b, a, b].map((s, k) => s.identities.consumeDisplayToken(`h${i}`, T0 + k)));
      expect(got.filter((g) => g !== null)).toHaveLength(1);
    }
  });

  it('two nodes claiming due deliveries take disjoint sets (FOR UPDATE SKIP LOCKED)', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    await a.notifications.createChannel({ id: 'c1', name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: null, areaId: 'd', minSeverity: 'warn', kinds: ['alarm'], enabled: true, createdAt: T0, updatedAt: T0 });
    const rows = Array.from({ length: 60 }, (_, i) => ({ channelId: 'c1', channelName: 'hook', noticeKey: `n${i}`, kind: 'alarm' as const, severity: 'warn' as const, payload: '{}', createdAt: T0 + i }));
    const [e1, e2] = await Promise.all([a.notifications.enqueueDeliveries(rows), b.notifications.enqueueDeliveries(rows)]);
    expect(e1.length + e2.length).toBe(60);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).notifications.claimDueDeliveries(T0 + 100, T0 + 60_000, 10)));
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(60);
  });

  it('one open alarm per (rule, area) and one save per rule-set version, across nodes', async () => {
    const { stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const alarm = (id: string): NewAlarm => ({
      id, ruleId: 'pm25-high', kind: 'threshold', indicatorId: 'pm25', areaId: 'g1', streetId: 's1', districtId: 'd', severity: 'warn', state: 'raised',
      title: { zh: 'PM2.5 偏高', en: 'PM2.5 high' }, value: 80, threshold: 75, caseId: null, createCase: 'off', simulated: false, since: T0, raisedAt: T0, lastAt: T0, acknowledgedBy: null, ackNote: null,
    });
    const h = { at: T0, kind: 'raised' as const, severity: 'warn' as const, value: 80, by: null, note: null };
    const got = await Promise.all([a.alarms.insert(alarm('a1'), h), b.alarms.insert(alarm('a2'), h), a.alarms.insert(alarm('a3'), h)]);
    expect(got.filter((x) => x !== null)).toHaveLength(1);
    expect(await a.alarms.open()).toHaveLength(1);
    const saved = await Promise.all([a.alarms.saveRuleSet(1, [], T0, 'x'), b.alarms.saveRuleSet(1, [], T0, 'y')]);
    expect(saved.filter(Boolean)).toHaveLength(1);
  });

  it('two nodes folding raw readings at once count each reading once', async () => {
    const { url, stores } = await nodes(2);
    const readings: NewReading[] = Array.from({ length: 3000 }, (_, i) => ({ indicatorId: 'pm25', areaId: `g${i % 3}`, value: 1, at: T0 + i * 2000, receivedAt: T0, simulated: false }));
    await stores[0]!.readings.insertReadings(readings);
    const before = T0 + 3_600_000;
    // hold both folds at the door (a lock on the aggregates), so they would read the same raw rows
    // if nothing kept them apart, then let them go together
    const gate = new pg.Client({ connectionString: url });
    await gate.connect();
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE readings_hourly IN EXCLUSIVE MODE');
    const folds = Promise.all(stores.map((s) => s.readings.downsampleReadings(before)));
    // (asked on another connection: inside a transaction the activity view is a snapshot)
    const watch = new pg.Client({ connectionString: url });
    await watch.connect();
    for (;;) {
      const { rows } = await watch.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if (Number(rows[0]!.n) >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await watch.end();
    await gate.query('COMMIT');
    await gate.end();
    const folded = await folds;
    const expected = readings.filter((r) => r.at < before).length;
    expect(folded.reduce((a, b) => a + b, 0)).toBe(expected);
    const hourly = (await Promise.all(['g0', 'g1', 'g2'].map((g) => stores[1]!.readings.hourlyReadings('pm25', g, T0, before)))).flat();
    expect(hourly.reduce((n, h) => n + h.n, 0)).toBe(expected);
  });

  it('a late reading committed while a fold runs is neither lost nor counted twice', async () => {
    const { url, stores } = await nodes(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const at = (min: number) => T0 + min * 60_000;
    const reading = (min: number): NewReading => ({ indicatorId: 'pm25', areaId: 'g0', value: 1, at: at(min), receivedAt: T0, simulated: false });
    const before = T0 + 3_600_000;
    // the hour has an aggregate already, and new raw readings to fold into it
    await a.readings.insertReadings([reading(1)]);
    await a.readings.downsampleReadings(before);
    await a.readings.insertReadings([reading(2), reading(3)]);
    // hold the fold inside its statement (after it has read the raw rows): a lock on the aggregate row it merges into
    const gate = new pg.Client({ connectionString: url });
    await gate.connect();
    await gate.query('BEGIN');
    await gate.query('SELECT * FROM readings_hourly FOR UPDATE');
    const fold = a.readings.downsampleReadings(before);
    const watch = new pg.Client({ connectionString: url });
    await watch.connect();
    for (;;) {
      const { rows } = await watch.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%readings_hourly%'",
      );
      if (Number(rows[0]!.n) >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await watch.end();
    // meanwhile another node commits a reading of that old hour (sources may report late)
    await b.readings.insertReadings([reading(4)]);
    await gate.query('COMMIT');
    await gate.end();
    await fold;
    // every reading is either folded or still raw: 4 in all
    const hourly = await b.readings.hourlyReadings('pm25', 'g0', T0, before);
    const raw = await b.readings.rawReadingCount();
    expect(hourly.reduce((n, h) => n + h.n, 0) + raw).toBe(4);
    await b.readings.downsampleReadings(before);
    expect((await b.readings.hourlyReadings('pm25', 'g0', T0, before)).reduce((n, h) => n + h.n, 0)).toBe(4);
  });
});

describe('postgres: backups are pg_dump and pg_restore (as the README says)', () => {
  it('restores a dump into an empty database that this version runs on, append-only triggers included', async () => {
    const run = promisify(execFile);
    const { url, stores } = await nodes(1);
    const s = stores[0]!;
    const [r] = await s.cases.insertEvents([event(1)]);
    await s.cases.changeCase(r!.event.id, 1, { status: 'accepted', leadUnit: null, coUnits: ['u1'], escalated: false, stageStartedAt: T0 + 5, dueAt: null, rating: null, satisfaction: null, duplicateOf: null },
      { at: new Date(T0 + 5).toISOString(), actor: 'wang.li', actorRole: 'district', action: 'accept', from: 'reported', to: 'accepted', note: '受理', attachments: ['a.jpg'], data: { k: 1 } }, T0 + 5);
    await s.audit.appendAudit({ at: T0, actor: 'wang.li', actorKind: 'user', action: 'case.accept', target: r!.event.id, outcome: 'ok', ip: '10.0.0.1', detail: '' });
    const dir = mkdtempSync(join(tmpdir(), 'onescreen-dump-'));
    try {
      const file = join(dir, 'onescreen.dump');
      await run(join(postgresBinDir(), 'pg_dump'), ['--format=custom', `--file=${file}`, `--dbname=${url}`]);
      const restored = await server().createDatabase();
      await run(join(postgresBinDir(), 'pg_restore'), ['--no-owner', `--dbname=${restored}`, file]);
      const b = new PostgresStore(restored);
      opened.push(b);
      await b.migrate();
      await b.ping();
      expect(await b.cases.getEvent(r!.event.id)).toEqual(await s.cases.getEvent(r!.event.id));
      expect(await b.cases.timeline(r!.event.id)).toEqual(await s.cases.timeline(r!.event.id));
      expect(await b.audit.listAudit({ limit: 10 })).toEqual(await s.audit.listAudit({ limit: 10 }));
      await expect(raw(restored, 'DELETE FROM audit')).rejects.toThrow(/append-only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('postgres: text it cannot hold', () => {
  it('stores U+0000 (which PostgreSQL text and jsonb refuse) as U+FFFD instead of failing the write', async () => {
    const { stores } = await nodes(1);
    const s = stores[0]!;
    // a report's title, and a username tried at sign-in that the audit trail records
    const [r] = await s.cases.insertEvents([event(1, { title: 'a\u0000b', externalId: 'nul\u0000id' })]);
    expect(r!.event).toMatchObject({ title: 'a\uFFFDb', externalId: 'nul\uFFFDid' });
    expect((await s.cases.insertEvents([event(2, { externalId: 'nul\u0000id' })]))[0]!.created).toBe(false);
    await s.audit.appendAudit({ at: T0, actor: 'x\u0000', actorKind: 'anonymous', action: 'login', target: 'ad\u0000min', outcome: 'denied', ip: '-', detail: '' });
    expect((await s.audit.listAudit({ limit: 1 }))[0]).toMatchObject({ actor: 'x\uFFFD', target: 'ad\uFFFDmin' });
    const e = r!.event;
    const moved = await s.cases.changeCase(e.id, 1, { status: 'accepted', leadUnit: null, coUnits: [], escalated: false, stageStartedAt: T0, dueAt: null, rating: null, satisfaction: null, duplicateOf: null },
      { at: new Date(T0).toISOString(), actor: 'o', actorRole: 'district', action: 'accept', from: 'reported', to: 'accepted', note: 'n\u0000', attachments: ['f\u0000.jpg'], data: { why: 'x\u0000' } }, T0);
    expect(moved).not.toBeNull();
    expect((await s.cases.timeline(e.id))[1]).toMatchObject({ note: 'n\uFFFD', attachments: ['f\uFFFD.jpg'], data: { why: 'x\uFFFD' } });
    expect(await s.identities.findUserByUsername('a\u0000')).toBeNull();
  });
});

describe('postgres: configuration', () => {
  it('a connection string is logged without its password', () => {
    expect(redactDatabaseUrl('postgres://onescreen:s3cret@db.example:5432/onescreen')).toBe('postgres://onescreen:***@db.example:5432/onescreen');
    expect(redactDatabaseUrl('postgres://db.example/onescreen?password=s3cret')).not.toContain('s3cret');
  });
});
