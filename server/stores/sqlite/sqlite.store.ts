/**
 * @module server/stores/sqlite/sqlite.store
 * The embedded store: SQLite in WAL mode through better-sqlite3. Every write is one transaction,
 * committed (and synced per `synchronous=FULL`) before the promise resolves, so an ingest request
 * is acknowledged only after its data is durable.
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CaseTag, MAX_RELATED_IDS, type AuditEntry, type EventStatus, type GridEvent, type Role, type Severity, type TimelineEntry } from '../../../shared/index.ts';
import { cellsNear, geoCell, relatedCases, searchBox, type CasePoint, type RecurrenceRule, type RecurringCase } from '../../domain/hotspots.ts';
import type { ChannelRecord } from '../../domain/notify.ts';
import type {
  CaseChange,
  DeliveryOutcome,
  DeliveryRecord,
  NewDelivery,
  DisplayTokenRecord,
  NewAuditEntry,
  SessionRecord,
  UserRecord,
  EventFilter,
  HotspotCountRow,
  HourlyReadingRow,
  IngestKeyRecord,
  InsertEventResult,
  LatestReading,
  CallCounts,
  ClosedCounts,
  NewEvent,
  NewReading,
  HotlineCountsQuery,
  OpenCounts,
  SeriesRow,
  Store,
  AlarmRepository,
  TagChange,
} from '../../ports.ts';
import { SqliteAlarmRepository } from './alarm.repository.ts';
import type { ClosureRow, HotlineCounts, HotlinePoint, HotlineWindow } from '../../domain/hotline.ts';
import { backupDatabase, type DatabaseSummary } from './backup.ts';
import { LATEST_SCHEMA_VERSION, migrations, NewerDatabaseError } from './migrations.ts';

interface EventRow {
  id: string;
  source: string;
  external_id: string;
  category: string;
  title: string;
  description: string;
  lng: number;
  lat: number;
  grid_id: string;
  street_id: string;
  district_id: string;
  severity: string;
  status: string;
  occurred_at: number;
  received_at: number;
  updated_at: number;
  simulated: number;
  version: number;
  lead_unit: string | null;
  co_units: string;
  escalated: number;
  stage_started_at: number | null;
  due_at: number | null;
  breaches: number;
  rating: string | null;
  satisfaction: number | null;
  duplicate_of: string | null;
  tags: string;
  related_ids: string;
}

interface IngestKeyRow {
  id: string;
  name: string;
  sources: string | null;
  simulated: number;
  created_at: number;
  revoked_at: number | null;
}

interface DisplayTokenRow {
  id: string;
  name: string;
  area_id: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  enrolled_at: number | null;
}

interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  url: string;
  secret: string | null;
  area_id: string;
  min_severity: string;
  kinds: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface DeliveryRow {
  id: number;
  channel_id: string | null;
  channel_name: string;
  notice_key: string;
  kind: string;
  severity: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

const iso = (t: number) => new Date(t).toISOString();

function toEvent(r: EventRow): GridEvent {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    category: r.category,
    title: r.title,
    description: r.description,
    lng: r.lng,
    lat: r.lat,
    gridId: r.grid_id,
    streetId: r.street_id,
    districtId: r.district_id,
    severity: r.severity as GridEvent['severity'],
    status: r.status as GridEvent['status'],
    occurredAt: iso(r.occurred_at),
    receivedAt: iso(r.received_at),
    updatedAt: iso(r.updated_at),
    simulated: r.simulated === 1,
    version: r.version,
    leadUnit: r.lead_unit,
    coUnits: JSON.parse(r.co_units) as string[],
    escalated: r.escalated === 1,
    stageStartedAt: iso(r.stage_started_at ?? r.received_at),
    dueAt: r.due_at === null ? null : iso(r.due_at),
    breaches: r.breaches,
    rating: r.rating as GridEvent['rating'],
    satisfaction: r.satisfaction,
    duplicateOf: r.duplicate_of,
    tags: JSON.parse(r.tags) as GridEvent['tags'],
    relatedIds: JSON.parse(r.related_ids) as string[],
  };
}

/**
 * A case just inserted, as {@link toEvent} would read it back: the columns the insert does not set
 * keep their defaults (no second read per case at ingest rates; the store tests compare the two).
 */
function newEventAsStored(e: NewEvent, tags: GridEvent['tags'], relatedIds: string[]): GridEvent {
  return toEvent({
    id: e.id,
    source: e.source,
    external_id: e.externalId,
    category: e.category,
    title: e.title,
    description: e.description,
    lng: e.lng,
    lat: e.lat,
    grid_id: e.gridId,
    street_id: e.streetId,
    district_id: e.districtId,
    severity: e.severity,
    status: e.status,
    occurred_at: e.occurredAt,
    received_at: e.receivedAt,
    updated_at: e.receivedAt,
    simulated: e.simulated ? 1 : 0,
    version: 1,
    lead_unit: null,
    co_units: '[]',
    escalated: 0,
    stage_started_at: e.receivedAt,
    due_at: e.dueAt,
    breaches: 0,
    rating: null,
    satisfaction: null,
    duplicate_of: null,
    tags: JSON.stringify(tags),
    related_ids: JSON.stringify(relatedIds),
  });
}

interface TimelineRow {
  event_id: string;
  seq: number;
  at: number;
  actor: string;
  actor_role: string;
  action: string;
  from_status: string;
  to_status: string;
  note: string;
  attachments: string;
  data: string;
}

function toEntry(r: TimelineRow): TimelineEntry {
  return {
    seq: r.seq,
    at: iso(r.at),
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action as TimelineEntry['action'],
    from: r.from_status as TimelineEntry['from'],
    to: r.to_status as TimelineEntry['to'],
    note: r.note,
    attachments: JSON.parse(r.attachments) as string[],
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

/**
 * the most recent candidates per lattice row a new case is measured against: far more than the
 * {@link MAX_RELATED_IDS} it links, so the exact test still finds the 10 most recent in range
 */
const RECURRENCE_CANDIDATES = 5 * MAX_RELATED_IDS;

const APPEND_ENTRY = `INSERT INTO event_timeline (event_id, seq, at, actor, actor_role, action, from_status, to_status, note, attachments, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const AREA_COLUMN = { grid: 'grid_id', street: 'street_id', district: 'district_id' } as const;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  readonly alarms: AlarmRepository;

  private readonly stmts = new Map<string, Database.Statement>();
  /** a prepared statement, compiled once per SQL text */
  private prep(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) this.stmts.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  /**
   * @param file a path, or `:memory:`. The file is created (or kept) readable by its owner only;
   *   SQLite gives its -wal and -shm files the database file's mode.
   */
  constructor(private readonly file: string) {
    if (file !== ':memory:' && !file.startsWith('file:')) {
      closeSync(openSync(file, 'a', 0o600));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
      }
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.alarms = new SqliteAlarmRepository(this.db, (sql) => this.prep(sql));
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const done = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const newest = Math.max(0, ...done);
    if (newest > LATEST_SCHEMA_VERSION) throw new NewerDatabaseError(newest);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      })();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new Error('the database is closed');
    let version: number | null;
    try {
      const migrated = this.prep("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get() === 1;
      version = migrated ? (this.prep('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) : null;
    } catch (err) {
      throw new Error(`the database does not answer (${(err as { code?: string }).code ?? 'error'})`);
    }
    if (version !== LATEST_SCHEMA_VERSION) throw new Error(`schema version ${version ?? 'none'}, this version expects ${LATEST_SCHEMA_VERSION}`);
  }

  async sizeBytes(): Promise<number> {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    let wal = 0;
    if (this.file !== ':memory:') {
      try {
        wal = statSync(`${this.file}-wal`).size;
      } catch {
        // no write-ahead log right now (e.g. after a clean close)
      }
    }
    return pages * pageSize + wal;
  }

  /**
   * A consistent copy of the whole database into a new file (SQLite's online backup API), while
   * this and other processes keep writing. See {@link backupDatabase}.
   */
  backup(file: string): Promise<DatabaseSummary> {
    return backupDatabase(this.db, file);
  }

  /** the applied schema versions (for tests and `admin`) */
  schemaVersions(): number[] {
    return this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
  }

  // ── ingest keys ───────────────────────────────────────────────────────────
  async createIngestKey(k: { id: string; name: string; hash: string; sources: string[] | null; simulated: boolean; createdAt: number }): Promise<void> {
    this.db
      .prepare('INSERT INTO ingest_keys (id, name, hash, sources, simulated, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(k.id, k.name, k.hash, k.sources === null ? null : JSON.stringify(k.sources), k.simulated ? 1 : 0, k.createdAt);
  }

  private static ingestKey(r: IngestKeyRow): IngestKeyRecord {
    return {
      id: r.id,
      name: r.name,
      sources: r.sources === null ? null : (JSON.parse(r.sources) as string[]),
      simulated: r.simulated === 1,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    };
  }

  async findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null> {
    const r = this.prep('SELECT * FROM ingest_keys WHERE hash = ?').get(hash) as IngestKeyRow | undefined;
    return r ? SqliteStore.ingestKey(r) : null;
  }

  async listIngestKeys(): Promise<IngestKeyRecord[]> {
    return (this.prep('SELECT * FROM ingest_keys ORDER BY created_at').all() as IngestKeyRow[]).map(SqliteStore.ingestKey);
  }

  async revokeIngestKey(idOrName: string, at: number): Promise<number> {
    return this.db
      .prepare('UPDATE ingest_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL')
      .run(at, idOrName, idOrName).changes;
  }

  // ── events ────────────────────────────────────────────────────────────────
  private readonly insertEventStmt = () =>
    this.prep(`INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
      district_id, severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, due_at, geo_cell, tags, related_ids)
      VALUES (@id, @source, @externalId, @category, @title, @description, @lng, @lat, @gridId, @streetId,
      @districtId, @severity, @status, @occurredAt, @receivedAt, @receivedAt, @simulated, 1, @receivedAt, @dueAt, @geoCell, @tags, @relatedIds)
      ON CONFLICT (source, external_id) DO NOTHING`);

  async insertEvents(events: NewEvent[], recurrence?: RecurrenceRule): Promise<InsertEventResult[]> {
    const insert = this.insertEventStmt();
    const stored = this.prep('SELECT 1 FROM events WHERE source = ? AND external_id = ?').pluck();
    const bySourceKey = this.prep('SELECT * FROM events WHERE source = ? AND external_id = ?');
    const appendEntry = this.prep(APPEND_ENTRY);
    // earlier cases of the category in each lattice cell around the new one, by a covering index
    // walked newest first (category and cell are equalities, so no sort and the LIMIT stops the
    // walk), within the radius by a flat-earth estimate with 1 % to spare; the exact great-circle
    // test is the domain's. Rows come back as arrays.
    const near = `SELECT id, lng, lat, occurred_at FROM events INDEXED BY events_recurrence
      WHERE duplicate_of IS NULL AND category = @category AND geo_cell = @cell
        AND occurred_at BETWEEN @from AND @to AND lat BETWEEN @minLat AND @maxLat AND lng BETWEEN @minLng AND @maxLng
        AND (lat - @lat) * (lat - @lat) + (lng - @lng) * (lng - @lng) * @cos2 <= @r2
      ORDER BY occurred_at DESC`;
    // usually the most recent few decide; when a cell's cap was reached and the exact test kept fewer
    // than it links, the same cells are read in full (cases piled up just outside the radius)
    const candidates = this.prep(`${near} LIMIT ${RECURRENCE_CANDIDATES}`).raw();
    const allCandidates = this.prep(near).raw();
    /** the earlier cases a new one recurs (decided before it is written, so it is written once, tagged) */
    const relatedOf = (e: NewEvent, rule: RecurrenceRule): string[] => {
      const box = searchBox(e.lng, e.lat, rule.radiusM);
      const cos = Math.cos((e.lat * Math.PI) / 180);
      const dLat = box.maxLat - e.lat; // the radius in degrees of latitude, 1 % over
      const cells = cellsNear(e.lng, e.lat, rule.radiusM);
      const params = { ...box, cell: 0, lat: e.lat, lng: e.lng, cos2: cos * cos, r2: dLat * dLat, category: e.category, from: e.occurredAt - rule.windowMs, to: e.occurredAt };
      const find = (st: Database.Statement) => {
        const found: Omit<CasePoint, 'gridId' | 'streetId'>[] = [];
        let capped = false;
        for (const cell of cells) {
          params.cell = cell;
          const rows = st.all(params) as [string, number, number, number][];
          if (rows.length === RECURRENCE_CANDIDATES) capped = true;
          for (const [id, lng, lat, occurredAt] of rows) found.push({ id, category: e.category, lng, lat, occurredAt });
        }
        return { related: found.length ? relatedCases(e, found, rule) : [], capped };
      };
      const first = find(candidates);
      return first.capped && first.related.length < MAX_RELATED_IDS ? find(allCandidates).related : first.related;
    };
    return this.db.transaction(() =>
      events.map((e): InsertEventResult => {
        // a repeat (here or earlier in the batch) is answered with the stored case, nothing looked up
        if (!stored.get(e.source, e.externalId)) {
          const related = recurrence ? relatedOf(e, recurrence) : [];
          const tags: GridEvent['tags'] = related.length ? ['recurring'] : [];
          const row = { ...e, simulated: e.simulated ? 1 : 0, geoCell: geoCell(e.lng, e.lat), tags: JSON.stringify(tags), relatedIds: JSON.stringify(related) };
          if (insert.run(row).changes === 1) {
            appendEntry.run(e.id, 1, e.receivedAt, e.source, 'source', 'report', e.status, e.status, '', '[]', JSON.stringify({ source: e.source, externalId: e.externalId }));
            return { created: true, event: newEventAsStored(e, tags, related) };
          }
        }
        return { created: false, event: toEvent(bySourceKey.get(e.source, e.externalId) as EventRow) };
      }),
    )();
  }

  async hotspotCounts(q: { now: number; windowMs: number; periodMs: number; spans: number }, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<HotspotCountRow[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${AREA_COLUMN[area.level]} = @area` : '';
    // d = now − 1 − occurredAt ∈ [k·period, k·period + window) ⇔ occurredAt ∈ [now − k·period − window, now − k·period);
    // parameters arrive as REAL: cast, so that / and % are integer arithmetic
    return this.prep(
      `SELECT grid_id AS gridId, MIN(street_id) AS streetId, category, k, COUNT(*) AS n FROM (
         SELECT grid_id, street_id, category, (CAST(@now AS INTEGER) - 1 - occurred_at) / CAST(@period AS INTEGER) AS k,
                (CAST(@now AS INTEGER) - 1 - occurred_at) % CAST(@period AS INTEGER) AS phase
         FROM events WHERE occurred_at >= @from AND occurred_at < @now AND duplicate_of IS NULL AND status <> 'rejected'${scoped})
       WHERE phase < @window
       GROUP BY grid_id, category, k`,
    ).all({ now: q.now, period: q.periodMs, window: q.windowMs, from: q.now - q.spans * q.periodMs - q.windowMs, area: area?.id ?? null }) as HotspotCountRow[];
  }

  async recurringCases(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<RecurringCase[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${AREA_COLUMN[area.level]} = @area` : '';
    const rows = this.prep(
      `SELECT id, category, lng, lat, occurred_at AS occurredAt, grid_id AS gridId, street_id AS streetId, related_ids AS relatedIds
       FROM events INDEXED BY events_tagged
       WHERE tags <> '[]' AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL
         AND EXISTS (SELECT 1 FROM json_each(events.tags) WHERE value = 'recurring')${scoped}`,
    ).all({ from, to, area: area?.id ?? null }) as (Omit<RecurringCase, 'relatedIds'> & { relatedIds: string })[];
    return rows.map((r) => ({ ...r, relatedIds: JSON.parse(r.relatedIds) as string[] }));
  }

  async casePoints(ids: readonly string[]): Promise<CasePoint[]> {
    const out: CasePoint[] = [];
    // bound the number of parameters per statement
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(
        ...(this.db
          .prepare(`SELECT id, category, lng, lat, occurred_at AS occurredAt, grid_id AS gridId, street_id AS streetId FROM events
            WHERE id IN (${chunk.map(() => '?').join(',')}) AND duplicate_of IS NULL`)
          .all(...chunk) as CasePoint[]),
      );
    }
    return out;
  }

  async casesInGrid(from: number, to: number, gridId: string, category: string | null, limit: number): Promise<string[]> {
    return this.prep(
      `SELECT id FROM events WHERE grid_id = @gridId AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL
         AND status <> 'rejected' AND (@category IS NULL OR category = @category)
       ORDER BY occurred_at DESC, id LIMIT @limit`,
    ).pluck().all({ gridId, from, to, category, limit }) as string[];
  }

  async setTags(changes: readonly TagChange[], now: number): Promise<GridEvent[]> {
    const get = this.prep('SELECT * FROM events WHERE id = ?');
    const update = this.prep('UPDATE events SET tags = ?, version = version + 1, updated_at = ? WHERE id = ?');
    const nextSeq = this.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM event_timeline WHERE event_id = ?').pluck();
    const append = this.prep(APPEND_ENTRY);
    return this.db.transaction(() => {
      const changed = new Map<string, GridEvent>();
      for (const c of changes) {
        const row = get.get(c.id) as EventRow | undefined;
        if (!row) continue;
        const tags = new Set(JSON.parse(row.tags) as string[]);
        if (tags.has(c.tag) === c.on) continue;
        if (c.on) tags.add(c.tag);
        else tags.delete(c.tag);
        // a fixed order, whatever order tags were set in
        update.run(JSON.stringify(CaseTag.options.filter((t) => tags.has(t))), now, c.id);
        const e = c.entry;
        append.run(c.id, nextSeq.get(c.id), Date.parse(e.at), e.actor, e.actorRole, e.action, row.status, row.status, e.note, JSON.stringify(e.attachments), JSON.stringify(e.data));
        changed.set(c.id, toEvent(get.get(c.id) as EventRow));
      }
      return [...changed.values()];
    })();
  }

  async getEvent(id: string): Promise<GridEvent | null> {
    const r = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return r ? toEvent(r) : null;
  }

  async timeline(eventId: string): Promise<TimelineEntry[]> {
    return (this.prep('SELECT * FROM event_timeline WHERE event_id = ? ORDER BY seq').all(eventId) as TimelineRow[]).map(toEntry);
  }

  async changeCase(id: string, expectedVersion: number, c: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null> {
    const update = this.prep(`UPDATE events SET status = @status, lead_unit = @leadUnit, co_units = @coUnits, escalated = @escalated,
        stage_started_at = @stageStartedAt, due_at = @dueAt, rating = @rating, satisfaction = @satisfaction, duplicate_of = @duplicateOf,
        breaches = breaches + @breach, breached_stage = CASE WHEN @breach = 1 THEN 1 WHEN stage_started_at <> @stageStartedAt THEN 0 ELSE breached_stage END,
        version = version + 1, updated_at = @now
      WHERE id = @id AND version = @expectedVersion`);
    const nextSeq = this.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM event_timeline WHERE event_id = ?').pluck();
    const append = this.prep(APPEND_ENTRY);
    return this.db.transaction(() => {
      const r = update.run({
        ...c,
        coUnits: JSON.stringify(c.coUnits),
        escalated: c.escalated ? 1 : 0,
        breach: c.breach ? 1 : 0,
        now,
        id,
        expectedVersion,
      });
      if (r.changes === 0) return null;
      append.run(id, nextSeq.get(id), Date.parse(entry.at), entry.actor, entry.actorRole, entry.action, entry.from, entry.to, entry.note, JSON.stringify(entry.attachments), JSON.stringify(entry.data));
      return toEvent(this.prep('SELECT * FROM events WHERE id = ?').get(id) as EventRow);
    })();
  }

  async caseHistories(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }) {
    // set-wise: the cases with an entry in the period, then all their entries in one pass
    const scoped = area?.level && area.level !== 'city' ? ` AND e.${AREA_COLUMN[area.level]} = @area` : '';
    const params = { from, to, area: area?.id ?? null };
    const inPeriod = `SELECT e.id, e.street_id AS streetId, e.status FROM events e
       WHERE e.id IN (SELECT DISTINCT event_id FROM event_timeline WHERE at >= @from AND at < @to)${scoped}`;
    const cases = this.prep(inPeriod).all(params) as { id: string; streetId: string; status: EventStatus }[];
    const byId = new Map(cases.map((c) => [c.id, { ...c, timeline: [] as TimelineEntry[] }]));
    const rows = this.prep(
      `SELECT t.* FROM event_timeline t JOIN (${inPeriod}) c ON c.id = t.event_id ORDER BY t.event_id, t.seq`,
    ).all(params) as TimelineRow[];
    for (const r of rows) byId.get(r.event_id)?.timeline.push(toEntry(r));
    return [...byId.values()];
  }

  async countByStatus(area?: { id: string; level: EventFilter['areaLevel'] }) {
    const scoped = area?.level && area.level !== 'city' ? `AND ${AREA_COLUMN[area.level]} = ?` : '';
    const rows = this.prep(`SELECT status, COUNT(*) AS n FROM events WHERE status NOT IN ('archived','rejected') ${scoped} GROUP BY status`).all(
      ...(scoped ? [area!.id] : []),
    ) as { status: EventStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<EventStatus, number>>;
  }

  async dueCases(now: number, limit: number): Promise<GridEvent[]> {
    return (this.prep(`SELECT * FROM events WHERE due_at IS NOT NULL AND due_at <= ? AND breached_stage = 0 ORDER BY due_at LIMIT ?`).all(now, limit) as EventRow[]).map(toEvent);
  }

  private where(f: Omit<EventFilter, 'limit'>): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.areaId && f.areaLevel && f.areaLevel !== 'city') {
      clauses.push(`${AREA_COLUMN[f.areaLevel]} = ?`);
      params.push(f.areaId);
    }
    if (f.unit) {
      // both halves use an index: by lead unit, and over the few cases that have co-units at all
      clauses.push(`id IN (SELECT id FROM events WHERE lead_unit = ? UNION ALL
        SELECT e.id FROM events e, json_each(e.co_units) j WHERE e.co_units <> '[]' AND j.value = ?)`);
      params.push(f.unit, f.unit);
    }
    if (f.duplicateOf) {
      clauses.push('duplicate_of = ?');
      params.push(f.duplicateOf);
    }
    if (f.statuses?.length) {
      clauses.push(`status IN (${f.statuses.map(() => '?').join(',')})`);
      params.push(...f.statuses);
    }
    if (f.from !== undefined) {
      clauses.push('occurred_at >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      clauses.push('occurred_at < ?');
      params.push(f.to);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  async listEvents(f: EventFilter): Promise<GridEvent[]> {
    const w = this.where(f);
    const rows = this.db
      .prepare(`SELECT * FROM events ${w.sql} ORDER BY ${f.order === 'due' ? 'due_at IS NULL, due_at ASC, ' : ''}received_at DESC, occurred_at DESC, id DESC LIMIT ?`)
      .all(...w.params, f.limit) as EventRow[];
    return rows.map(toEvent);
  }

  async countEvents(f: Omit<EventFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return this.db.prepare(`SELECT COUNT(*) FROM events ${w.sql}`).pluck().get(...w.params) as number;
  }

  async occurredTimes(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<number[]> {
    let sql = 'SELECT occurred_at FROM events WHERE occurred_at >= ? AND occurred_at < ?';
    const params: unknown[] = [from, to];
    if (area?.level && area.level !== 'city') {
      sql += ` AND ${AREA_COLUMN[area.level]} = ?`;
      params.push(area.id);
    }
    return this.db.prepare(sql).pluck().all(...params) as number[];
  }

  async openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]> {
    return this.prep(
      `SELECT grid_id AS gridId,
         SUM(status NOT IN ('archived','rejected')) AS open,
         SUM(status NOT IN ('archived','rejected') AND due_at IS NOT NULL AND due_at <= @now) AS overdue,
         SUM(occurred_at >= @todayStart) AS today
       FROM events WHERE status NOT IN ('archived','rejected') OR occurred_at >= @todayStart GROUP BY grid_id`,
    ).all({ now, todayStart }) as OpenCounts[];
  }

  async overdueCountsByGrid(now: number): Promise<Pick<OpenCounts, 'gridId' | 'overdue'>[]> {
    // only the cases already due: a range of the deadline index, not every open case
    return this.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS overdue FROM events INDEXED BY events_due
       WHERE due_at <= ? AND status NOT IN ('archived','rejected') GROUP BY grid_id`,
    ).all(now) as Pick<OpenCounts, 'gridId' | 'overdue'>[];
  }

  async closedCountsByGrid(after: number, now: number): Promise<ClosedCounts[]> {
    // read from the covering index events_closed alone
    return this.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS closed, SUM(reworks = 0) AS firstTime, SUM(breaches = 0) AS onTime,
              SUM(rating IS NOT NULL) AS rated, SUM(rating = 'good') AS good
       FROM events INDEXED BY events_closed WHERE closed_at > ? AND closed_at <= ? GROUP BY grid_id`,
    ).all(after, now) as ClosedCounts[];
  }

  async callCountsByGrid(source: string, after: number, now: number): Promise<CallCounts[]> {
    return this.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS calls FROM events INDEXED BY events_source_occurred
       WHERE source = ? AND occurred_at > ? AND occurred_at <= ? GROUP BY grid_id`,
    ).all(source, after, now) as CallCounts[];
  }

  async hotlineCounts(q: HotlineCountsQuery): Promise<HotlineCounts> {
    // a handful of aggregates (rows bounded by categories, hours and grids) and one capped list;
    // each window is its own half of a UNION, so overlapping windows (a period over a week) count alike
    const scoped = q.area.level && q.area.level !== 'city' ? ` AND e.${AREA_COLUMN[q.area.level]} = @area` : '';
    const p = { source: q.source, from: q.from, to: q.to, bfrom: q.baselineFrom, bto: q.baselineTo, area: q.area.id, max: q.maxPoints + 1 };
    const inWin = (f: string, t: string) => `FROM events e WHERE e.source = @source AND e.occurred_at >= ${f} AND e.occurred_at < ${t}${scoped}`;
    const categories = this.prep(
      `SELECT 'period' AS win, e.category, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.category
       UNION ALL SELECT 'baseline', e.category, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY e.category`,
    ).all(p) as { win: HotlineWindow; category: string; n: number }[];
    const hours = this.prep(
      `SELECT 'period' AS win, (e.occurred_at - @from) / 3600000 AS hour, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY 2
       UNION ALL SELECT 'baseline', (e.occurred_at - @bfrom) / 3600000, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY 2`,
    ).all(p) as { win: HotlineWindow; hour: number; n: number }[];
    const grids = this.prep(`SELECT e.grid_id AS gridId, e.street_id AS streetId, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.grid_id, e.street_id`).all(p) as HotlineCounts['grids'];
    const points = this.prep(
      `SELECT e.id, e.category, e.grid_id AS gridId, e.street_id AS streetId, e.lng, e.lat, e.occurred_at AS occurredAt, e.title
       ${inWin('@from', '@to')} ORDER BY e.occurred_at DESC, e.id LIMIT @max`,
    ).all(p) as HotlinePoint[];
    // CROSS JOIN keeps the timeline outermost: the archives of the window by time, not every hotline case by source
    const archived = (f: string, t: string) => `FROM event_timeline t CROSS JOIN events e ON e.id = t.event_id
       WHERE t.action = 'archive' AND t.at >= ${f} AND t.at < ${t} AND e.source = @source${scoped}`;
    const fared = `EXISTS (SELECT 1 FROM event_timeline b WHERE b.event_id = t.event_id AND b.action = 'breach' AND b.seq < t.seq) AS breached,
       json_extract(t.data, '$.rating') AS rating, json_extract(t.data, '$.satisfaction') AS satisfaction, COUNT(*) AS n`;
    const closures = this.prep(
      `SELECT 'period' AS win, ${fared} ${archived('@from', '@to')} GROUP BY 2, 3, 4
       UNION ALL SELECT 'baseline', ${fared} ${archived('@bfrom', '@bto')} GROUP BY 2, 3, 4`,
    ).all(p) as { win: HotlineWindow; breached: number; rating: unknown; satisfaction: unknown; n: number }[];
    return {
      categories: categories.map((r) => ({ window: r.win, category: r.category, n: r.n })),
      hours: hours.map((r) => ({ window: r.win, hour: r.hour, n: r.n })),
      grids,
      points: points.slice(0, q.maxPoints),
      pointsTruncated: points.length > q.maxPoints,
      closures: closures.map(
        (r): ClosureRow => ({
          window: r.win,
          breached: r.breached === 1,
          rating: r.rating === 'good' || r.rating === 'bad' ? r.rating : null,
          satisfaction: typeof r.satisfaction === 'number' ? r.satisfaction : null,
          n: r.n,
        }),
      ),
    };
  }

  // ── readings ──────────────────────────────────────────────────────────────
  async insertReadings(readings: NewReading[]): Promise<void> {
    const ins = this.prep(
      'INSERT INTO readings (indicator_id, area_id, value, at, received_at, simulated) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const latest = this.prep(`INSERT INTO readings_latest (indicator_id, area_id, value, at, simulated) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (indicator_id, area_id) DO UPDATE SET value = excluded.value, at = excluded.at, simulated = excluded.simulated
      WHERE excluded.at >= readings_latest.at`);
    this.db.transaction(() => {
      for (const r of readings) {
        const sim = r.simulated ? 1 : 0;
        ins.run(r.indicatorId, r.areaId, r.value, r.at, r.receivedAt, sim);
        latest.run(r.indicatorId, r.areaId, r.value, r.at, sim);
      }
    })();
  }

  async latestReadings(): Promise<LatestReading[]> {
    const rows = this.db.prepare('SELECT indicator_id, area_id, value, at, simulated FROM readings_latest').all() as {
      indicator_id: string;
      area_id: string;
      value: number;
      at: number;
      simulated: number;
    }[];
    return rows.map((r) => ({ indicatorId: r.indicator_id, areaId: r.area_id, value: r.value, at: r.at, simulated: r.simulated === 1 }));
  }

  async downsampleReadings(before: number): Promise<number> {
    return this.db.transaction(() => {
      // fold each (indicator, area, hour) group; `last` is the value with the newest `at`
      this.db
        .prepare(
          `INSERT INTO readings_hourly (indicator_id, area_id, hour, n, sum, min, max, last, last_at)
           SELECT indicator_id, area_id, (at / 3600000) * 3600000 AS hour, COUNT(*), SUM(value), MIN(value), MAX(value),
                  (SELECT r2.value FROM readings r2 WHERE r2.indicator_id = r.indicator_id AND r2.area_id = r.area_id
                     AND (r2.at / 3600000) = (r.at / 3600000) AND r2.at < @before ORDER BY r2.at DESC, r2.id DESC LIMIT 1),
                  MAX(at)
           FROM readings r WHERE at < @before GROUP BY indicator_id, area_id, at / 3600000
           ON CONFLICT (indicator_id, area_id, hour) DO UPDATE SET
             n = n + excluded.n, sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max),
             last = CASE WHEN excluded.last_at >= last_at THEN excluded.last ELSE last END,
             last_at = MAX(last_at, excluded.last_at)`,
        )
        .run({ before });
      return this.db.prepare('DELETE FROM readings WHERE at < ?').run(before).changes;
    })();
  }

  async hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]> {
    return this.db
      .prepare(
        `SELECT indicator_id AS indicatorId, area_id AS areaId, hour, n, sum, min, max, last FROM readings_hourly
         WHERE indicator_id = ? AND area_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
      )
      .all(indicatorId, areaId, from, to) as HourlyReadingRow[];
  }

  async readingHours(indicatorId: string, areaId: string, from: number): Promise<{ hour: number; value: number }[]> {
    // an hour may be partly folded already: its aggregate and its raw rows are summed together
    return this.prep(
      `SELECT hour, SUM(s) / SUM(n) AS value FROM (
         SELECT hour, sum AS s, n FROM readings_hourly WHERE indicator_id = @i AND area_id = @a AND hour >= @from
         UNION ALL
         SELECT (at / 3600000) * 3600000 AS hour, SUM(value) AS s, COUNT(*) AS n FROM readings
           WHERE at >= @from AND indicator_id = @i AND area_id = @a GROUP BY at / 3600000
       ) GROUP BY hour ORDER BY hour`,
    ).all({ i: indicatorId, a: areaId, from }) as { hour: number; value: number }[];
  }

  async oldestReadingAt(): Promise<number | null> {
    return (this.prep('SELECT MIN(at) FROM readings').pluck().get() as number | null) ?? null;
  }

  async rawReadingCount(): Promise<number> {
    return this.db.prepare('SELECT COUNT(*) FROM readings').pluck().get() as number;
  }

  // ── users, display tokens, sessions ───────────────────────────────────────
  private static user(r: { id: string; username: string; role: string; area_id: string; password_hash: string; created_at: number; disabled_at: number | null } | undefined): UserRecord | null {
    return r
      ? { id: r.id, username: r.username, role: r.role as Role, areaId: r.area_id, passwordHash: r.password_hash, createdAt: r.created_at, disabledAt: r.disabled_at }
      : null;
  }

  async createUser(u: UserRecord): Promise<void> {
    this.prep('INSERT INTO users (id, username, role, area_id, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      u.id, u.username, u.role, u.areaId, u.passwordHash, u.createdAt, u.disabledAt,
    );
  }
  async findUserByUsername(username: string): Promise<UserRecord | null> {
    return SqliteStore.user(this.prep('SELECT * FROM users WHERE username = ?').get(username) as never);
  }
  async getUser(id: string): Promise<UserRecord | null> {
    return SqliteStore.user(this.prep('SELECT * FROM users WHERE id = ?').get(id) as never);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (this.prep('SELECT * FROM users ORDER BY username').all() as never[]).map((r) => SqliteStore.user(r)!);
  }
  async setUserDisabled(id: string, at: number | null): Promise<void> {
    this.prep('UPDATE users SET disabled_at = ? WHERE id = ?').run(at, id);
  }
  async setUserPassword(id: string, passwordHash: string): Promise<void> {
    this.prep('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  private static display(r: DisplayTokenRow | undefined): DisplayTokenRecord | null {
    return r
      ? { id: r.id, name: r.name, areaId: r.area_id, createdBy: r.created_by, createdAt: r.created_at, revokedAt: r.revoked_at, enrolledAt: r.enrolled_at }
      : null;
  }
  async createDisplayToken(t: DisplayTokenRecord & { hash: string }): Promise<void> {
    this.prep('INSERT INTO display_tokens (id, name, area_id, hash, created_by, created_at, revoked_at, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      t.id, t.name, t.areaId, t.hash, t.createdBy, t.createdAt, t.revokedAt, t.enrolledAt,
    );
  }
  async findDisplayTokenByHash(hash: string): Promise<DisplayTokenRecord | null> {
    return SqliteStore.display(this.prep('SELECT * FROM display_tokens WHERE hash = ?').get(hash) as never);
  }
  async getDisplayToken(id: string): Promise<DisplayTokenRecord | null> {
    return SqliteStore.display(this.prep('SELECT * FROM display_tokens WHERE id = ?').get(id) as never);
  }
  async listDisplayTokens(): Promise<DisplayTokenRecord[]> {
    return (this.prep('SELECT * FROM display_tokens ORDER BY created_at').all() as never[]).map((r) => SqliteStore.display(r)!);
  }
  async revokeDisplayToken(id: string, at: number): Promise<boolean> {
    return this.prep('UPDATE display_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1;
  }
  async consumeDisplayToken(hash: string, at: number): Promise<DisplayTokenRecord | null> {
    const r = this.prep('UPDATE display_tokens SET enrolled_at = ? WHERE hash = ? AND revoked_at IS NULL AND enrolled_at IS NULL RETURNING *').get(at, hash);
    return SqliteStore.display(r as DisplayTokenRow | undefined);
  }
  async reissueDisplayToken(id: string, hash: string): Promise<boolean> {
    return this.prep('UPDATE display_tokens SET hash = ?, enrolled_at = NULL WHERE id = ? AND revoked_at IS NULL').run(hash, id).changes === 1;
  }

  async createSession(x: SessionRecord): Promise<void> {
    this.prep('INSERT INTO sessions (hash, user_id, display_id, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)').run(
      x.hash, x.userId, x.displayId, x.createdAt, x.expiresAt, x.ip,
    );
  }
  async findSession(hash: string): Promise<SessionRecord | null> {
    const r = this.prep('SELECT * FROM sessions WHERE hash = ?').get(hash) as
      | { hash: string; user_id: string | null; display_id: string | null; created_at: number; expires_at: number; ip: string }
      | undefined;
    return r ? { hash: r.hash, userId: r.user_id, displayId: r.display_id, createdAt: r.created_at, expiresAt: r.expires_at, ip: r.ip } : null;
  }
  async deleteSession(hash: string): Promise<void> {
    this.prep('DELETE FROM sessions WHERE hash = ?').run(hash);
  }
  async deleteSessionsOf(who: { userId?: string; displayId?: string }): Promise<string[]> {
    const col = who.userId !== undefined ? 'user_id' : 'display_id';
    const id = who.userId ?? who.displayId;
    return this.db.transaction(() => {
      const hashes = this.prep(`SELECT hash FROM sessions WHERE ${col} = ?`).pluck().all(id) as string[];
      this.prep(`DELETE FROM sessions WHERE ${col} = ?`).run(id);
      return hashes;
    })();
  }
  async pruneSessions(now: number): Promise<void> {
    this.prep('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }

  // ── audit ─────────────────────────────────────────────────────────────────
  async appendAudit(e: NewAuditEntry): Promise<void> {
    this.prep('INSERT INTO audit (at, actor, actor_kind, action, target, outcome, ip, detail, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.at, e.actor, e.actorKind, e.action, e.target, e.outcome, e.ip, e.detail, e.count ?? 1,
    );
  }
  async listAudit(q: { from?: number; to?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = this.prep('SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id DESC LIMIT ?').all(
      q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit,
    ) as { id: number; at: number; actor: string; actor_kind: string; action: string; target: string; outcome: string; ip: string; detail: string; count: number }[];
    return rows.map((r) => ({
      id: r.id, at: iso(r.at), actor: r.actor, actorKind: r.actor_kind as AuditEntry['actorKind'], action: r.action,
      target: r.target, outcome: r.outcome as AuditEntry['outcome'], ip: r.ip, detail: r.detail, count: r.count,
    }));
  }

  // ── computed series ───────────────────────────────────────────────────────
  async upsertSeries(rows: SeriesRow[]): Promise<void> {
    const up = this.prep(`INSERT INTO indicator_series (indicator_id, area_id, bucket, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (area_id, bucket, indicator_id) DO UPDATE SET value = excluded.value`);
    this.db.transaction(() => {
      for (const r of rows) up.run(r.indicatorId, r.areaId, r.bucket, r.value);
    })();
  }

  async series(areaId: string, from: number): Promise<SeriesRow[]> {
    return this.db
      .prepare(
        `SELECT indicator_id AS indicatorId, area_id AS areaId, bucket, value FROM indicator_series
         WHERE area_id = ? AND bucket >= ? ORDER BY bucket`,
      )
      .all(areaId, from) as SeriesRow[];
  }

  async pruneSeries(before: number): Promise<void> {
    this.db.prepare('DELETE FROM indicator_series WHERE bucket < ?').run(before);
  }

  // ── notifications: channels and the delivery outbox ───────────────────────
  private static channel(r: ChannelRow | undefined): ChannelRecord | null {
    if (!r) return null;
    return {
      id: r.id, name: r.name, kind: r.kind as ChannelRecord['kind'], url: r.url, secret: r.secret, areaId: r.area_id,
      minSeverity: r.min_severity as ChannelRecord['minSeverity'], kinds: JSON.parse(r.kinds) as ChannelRecord['kinds'],
      enabled: r.enabled === 1, createdAt: r.created_at, updatedAt: r.updated_at,
    };
  }
  private static delivery(r: DeliveryRow | undefined): DeliveryRecord | null {
    if (!r) return null;
    return {
      id: r.id, channelId: r.channel_id, channelName: r.channel_name, noticeKey: r.notice_key, kind: r.kind as DeliveryRecord['kind'],
      severity: r.severity as DeliveryRecord['severity'], payload: r.payload, status: r.status as DeliveryRecord['status'], attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at, lastError: r.last_error, lastStatus: r.last_status, createdAt: r.created_at, updatedAt: r.updated_at,
      deliveredAt: r.delivered_at,
    };
  }
  async createChannel(c: ChannelRecord): Promise<void> {
    this.prep(`INSERT INTO notification_channels (id, name, kind, url, secret, area_id, min_severity, kinds, enabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(c.id, c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, JSON.stringify(c.kinds), c.enabled ? 1 : 0, c.createdAt, c.updatedAt);
  }
  async updateChannel(c: ChannelRecord): Promise<boolean> {
    return this.prep(`UPDATE notification_channels SET name = ?, kind = ?, url = ?, secret = ?, area_id = ?, min_severity = ?, kinds = ?, enabled = ?, updated_at = ?
      WHERE id = ?`).run(c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, JSON.stringify(c.kinds), c.enabled ? 1 : 0, c.updatedAt, c.id).changes > 0;
  }
  async deleteChannel(id: string): Promise<boolean> {
    return this.prep('DELETE FROM notification_channels WHERE id = ?').run(id).changes > 0;
  }
  async getChannel(id: string): Promise<ChannelRecord | null> {
    return SqliteStore.channel(this.prep('SELECT * FROM notification_channels WHERE id = ?').get(id) as ChannelRow | undefined);
  }
  async listChannels(): Promise<ChannelRecord[]> {
    return (this.prep('SELECT * FROM notification_channels ORDER BY created_at, id').all() as ChannelRow[]).map((r) => SqliteStore.channel(r)!);
  }
  async enqueueDeliveries(rows: NewDelivery[]): Promise<DeliveryRecord[]> {
    const ins = this.prep(`INSERT INTO notification_deliveries (channel_id, channel_name, notice_key, kind, severity, payload, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (channel_id, notice_key) DO NOTHING RETURNING *`);
    return this.db.transaction(() => {
      const out: DeliveryRecord[] = [];
      for (const d of rows) {
        const r = ins.get(d.channelId, d.channelName, d.noticeKey, d.kind, d.severity, d.payload, d.createdAt, d.createdAt, d.createdAt) as DeliveryRow | undefined;
        if (r) out.push(SqliteStore.delivery(r)!);
      }
      return out;
    })();
  }
  async claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.prep(`UPDATE notification_deliveries SET next_attempt_at = ? WHERE id IN (
        SELECT id FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
      ) RETURNING *`).all(leaseUntil, now, limit) as DeliveryRow[];
    return rows.map((r) => SqliteStore.delivery(r)!).sort((a, b) => a.id - b.id);
  }
  async finishAttempt(id: number, o: DeliveryOutcome): Promise<void> {
    this.prep(`UPDATE notification_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, last_status = ?, updated_at = ?,
      delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`).run(o.status, o.attempts, o.nextAttemptAt, o.lastError, o.lastStatus, o.at, o.status, o.at, id);
  }
  async getDelivery(id: number): Promise<DeliveryRecord | null> {
    return SqliteStore.delivery(this.prep('SELECT * FROM notification_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined);
  }
  async listDeliveries(q: { limit: number; status?: DeliveryRecord['status']; channelId?: string }): Promise<DeliveryRecord[]> {
    const rows = this.prep(`SELECT * FROM notification_deliveries WHERE (@status IS NULL OR status = @status) AND (@channel IS NULL OR channel_id = @channel) ORDER BY id DESC LIMIT @limit`).all(
      { status: q.status ?? null, channel: q.channelId ?? null, limit: q.limit },
    ) as DeliveryRow[];
    return rows.map((r) => SqliteStore.delivery(r)!);
  }
  async retryDelivery(id: number, now: number): Promise<boolean> {
    return this.prep(`UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'`).run(now, now, id).changes > 0;
  }
  async pruneDeliveries(before: number): Promise<number> {
    return this.prep(`DELETE FROM notification_deliveries WHERE status <> 'pending' AND updated_at < ?`).run(before).changes;
  }
}
