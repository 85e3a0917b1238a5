/**
 * @module server/stores/sqlite/cases.repository
 * Cases (grid events) and their timelines in the embedded database, with the grouped reads the
 * statistics, loop indicators, hotspots and 12345 analysis use.
 */
import type Database from 'better-sqlite3';
import { CaseTag, MAX_RELATED_IDS, type EventStatus, type GridEvent, type TimelineEntry } from '../../../shared/index.ts';
import { cellsNear, geoCell, relatedCases, searchBox, type CasePoint, type RecurrenceRule, type RecurringCase } from '../../domain/hotspots.ts';
import type { ClosureRow, HotlineCounts, HotlinePoint, HotlineWindow } from '../../domain/hotline.ts';
import type {
  AreaScope,
  CallCounts,
  CaseChange,
  CaseEntryRow,
  CaseThen,
  CaseRepository,
  ClosedCounts,
  EventFilter,
  HotlineCountsQuery,
  HotspotCountRow,
  InsertEventResult,
  NewEvent,
  OpenCounts,
  TagChange,
} from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { entryFromRow, EVENT_AREA_COLUMN, eventFromRow, newEventAsStored, type EventRow, type TimelineRow } from './rows.ts';

/**
 * the most recent candidates per lattice row a new case is measured against: far more than the
 * {@link MAX_RELATED_IDS} it links, so the exact test still finds the 10 most recent in range
 */
const RECURRENCE_CANDIDATES = 5 * MAX_RELATED_IDS;

/** the statuses of an open case, as SQL */
const OPEN_SQL = `('reported','accepted','dispatched','handled','verified')`;

const APPEND_ENTRY = `INSERT INTO event_timeline (event_id, seq, at, actor, actor_role, action, from_status, to_status, note, attachments, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class SqliteCaseRepository implements CaseRepository {
  constructor(private readonly conn: SqliteConnection) {}

  private readonly insertEventStmt = () =>
    this.conn.prep(`INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
      district_id, severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, due_at, geo_cell, tags, related_ids,
      confidential, masked, drill, road_id, key_area_ids, limit_factor, building_id)
      VALUES (@id, @source, @externalId, @category, @title, @description, @lng, @lat, @gridId, @streetId,
      @districtId, @severity, @status, @occurredAt, @receivedAt, @receivedAt, @simulated, 1, @receivedAt, @dueAt, @geoCell, @tags, @relatedIds,
      @confidential, @masked, @drill, @roadId, @keyAreaIds, @limitFactor, @buildingId)
      ON CONFLICT (source, external_id) DO NOTHING`);

  async insertEvents(events: NewEvent[], recurrence?: RecurrenceRule): Promise<InsertEventResult[]> {
    const insert = this.insertEventStmt();
    const stored = this.conn.prep('SELECT 1 FROM events WHERE source = ? AND external_id = ?').pluck();
    const bySourceKey = this.conn.prep('SELECT * FROM events WHERE source = ? AND external_id = ?');
    const appendEntry = this.conn.prep(APPEND_ENTRY);
    const keepPersonal = this.conn.prep('INSERT INTO event_personal (event_id, title, description) VALUES (?, ?, ?)');
    // earlier cases of the category in each lattice cell around the new one, by a covering index
    // (never a confidential case: a link would show other screens that one is there; never a drill's)
    // walked newest first (category and cell are equalities, so no sort and the LIMIT stops the
    // walk), within the radius by a flat-earth estimate with 1 % to spare; the exact great-circle
    // test is the domain's. Rows come back as arrays.
    const near = `SELECT id, lng, lat, occurred_at FROM events INDEXED BY events_recurrence
      WHERE duplicate_of IS NULL AND confidential = 0 AND drill = 0 AND category = @category AND geo_cell = @cell
        AND occurred_at BETWEEN @from AND @to AND lat BETWEEN @minLat AND @maxLat AND lng BETWEEN @minLng AND @maxLng
        AND (lat - @lat) * (lat - @lat) + (lng - @lng) * (lng - @lng) * @cos2 <= @r2
      ORDER BY occurred_at DESC`;
    // usually the most recent few decide; when a cell's cap was reached and the exact test kept fewer
    // than it links, the same cells are read in full (cases piled up just outside the radius)
    const candidates = this.conn.prep(`${near} LIMIT ${RECURRENCE_CANDIDATES}`).raw();
    const allCandidates = this.conn.prep(near).raw();
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
    return this.conn.db.transaction(() =>
      events.map((e): InsertEventResult => {
        // a repeat (here or earlier in the batch) is answered with the stored case, nothing looked up
        if (!stored.get(e.source, e.externalId)) {
          // a drill's case (演练) neither recurs a real one nor is recurred by one
          const related = recurrence && !e.drill ? relatedOf(e, recurrence) : [];
          const tags: GridEvent['tags'] = related.length ? ['recurring'] : [];
          const { personal, ...fields } = e;
          const row = {
            ...fields,
            simulated: e.simulated ? 1 : 0,
            confidential: e.confidential ? 1 : 0,
            drill: e.drill ? 1 : 0,
            keyAreaIds: JSON.stringify(e.keyAreaIds),
            masked: personal ? 1 : 0,
            geoCell: geoCell(e.lng, e.lat),
            tags: JSON.stringify(tags),
            relatedIds: JSON.stringify(related),
          };
          if (insert.run(row).changes === 1) {
            if (personal) keepPersonal.run(e.id, personal.title, personal.description);
            appendEntry.run(e.id, 1, e.receivedAt, e.source, 'source', 'report', e.status, e.status, '', '[]', JSON.stringify({ source: e.source, externalId: e.externalId }));
            return { created: true, event: newEventAsStored(e, tags, related) };
          }
        }
        return { created: false, event: eventFromRow(bySourceKey.get(e.source, e.externalId) as EventRow) };
      }),
    ).immediate();
  }

  async hotspotCounts(q: { now: number; windowMs: number; periodMs: number; spans: number }, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<HotspotCountRow[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${EVENT_AREA_COLUMN[area.level]} = @area` : '';
    // d = now − 1 − occurredAt ∈ [k·period, k·period + window) ⇔ occurredAt ∈ [now − k·period − window, now − k·period);
    // parameters arrive as REAL: cast, so that / and % are integer arithmetic
    return this.conn.prep(
      `SELECT grid_id AS gridId, MIN(street_id) AS streetId, category, k, COUNT(*) AS n FROM (
         SELECT grid_id, street_id, category, (CAST(@now AS INTEGER) - 1 - occurred_at) / CAST(@period AS INTEGER) AS k,
                (CAST(@now AS INTEGER) - 1 - occurred_at) % CAST(@period AS INTEGER) AS phase
         FROM events WHERE occurred_at >= @from AND occurred_at < @now AND duplicate_of IS NULL AND status <> 'rejected' AND drill = 0${scoped})
       WHERE phase < @window
       GROUP BY grid_id, category, k`,
    ).all({ now: q.now, period: q.periodMs, window: q.windowMs, from: q.now - q.spans * q.periodMs - q.windowMs, area: area?.id ?? null }) as HotspotCountRow[];
  }

  async recurringCases(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<RecurringCase[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${EVENT_AREA_COLUMN[area.level]} = @area` : '';
    const rows = this.conn.prep(
      `SELECT id, category, lng, lat, occurred_at AS occurredAt, grid_id AS gridId, street_id AS streetId, related_ids AS relatedIds
       FROM events INDEXED BY events_tagged
       WHERE tags <> '[]' AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL AND confidential = 0 AND drill = 0
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
        ...(this.conn.db
          .prepare(`SELECT id, category, lng, lat, occurred_at AS occurredAt, grid_id AS gridId, street_id AS streetId FROM events
            WHERE id IN (${chunk.map(() => '?').join(',')}) AND duplicate_of IS NULL AND confidential = 0 AND drill = 0`)
          .all(...chunk) as CasePoint[]),
      );
    }
    return out;
  }

  async casesInGrid(from: number, to: number, gridId: string, category: string | null, limit: number): Promise<string[]> {
    return this.conn.prep(
      `SELECT id FROM events WHERE grid_id = @gridId AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL
         AND status <> 'rejected' AND confidential = 0 AND drill = 0 AND (@category IS NULL OR category = @category)
       ORDER BY occurred_at DESC, id LIMIT @limit`,
    ).pluck().all({ gridId, from, to, category, limit }) as string[];
  }

  async setTags(changes: readonly TagChange[], now: number): Promise<GridEvent[]> {
    const get = this.conn.prep('SELECT * FROM events WHERE id = ?');
    const update = this.conn.prep('UPDATE events SET tags = ?, version = version + 1, updated_at = ? WHERE id = ?');
    const nextSeq = this.conn.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM event_timeline WHERE event_id = ?').pluck();
    const append = this.conn.prep(APPEND_ENTRY);
    return this.conn.db.transaction(() => {
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
        changed.set(c.id, eventFromRow(get.get(c.id) as EventRow));
      }
      return [...changed.values()];
    }).immediate();
  }

  async getEvent(id: string): Promise<GridEvent | null> {
    const r = this.conn.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return r ? eventFromRow(r) : null;
  }

  async uncheckedForMasking(limit: number): Promise<{ id: string; title: string; description: string }[]> {
    return this.conn.prep('SELECT id, title, description FROM events WHERE masked IS NULL LIMIT ?').all(limit) as { id: string; title: string; description: string }[];
  }

  async saveMasking(rows: readonly { id: string; title: string; description: string; personal: { title: string; description: string } | null }[]): Promise<void> {
    const set = this.conn.prep('UPDATE events SET title = ?, description = ?, masked = ? WHERE id = ? AND masked IS NULL');
    const keep = this.conn.prep('INSERT INTO event_personal (event_id, title, description) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING');
    this.conn.db.transaction(() => {
      for (const r of rows) {
        if (set.run(r.title, r.description, r.personal ? 1 : 0, r.id).changes === 1 && r.personal) keep.run(r.id, r.personal.title, r.personal.description);
      }
    }).immediate();
  }

  async unlinkRelated(id: string): Promise<number> {
    return this.conn
      .prep(
        `UPDATE events SET related_ids = (SELECT json_group_array(value) FROM json_each(events.related_ids) WHERE value <> @id)
         WHERE related_ids <> '[]' AND EXISTS (SELECT 1 FROM json_each(events.related_ids) WHERE value = @id)`,
      )
      .run({ id }).changes;
  }

  async personalData(id: string): Promise<{ title: string; description: string } | null> {
    return (this.conn.prep('SELECT title, description FROM event_personal WHERE event_id = ?').get(id) as { title: string; description: string } | undefined) ?? null;
  }

  async timeline(eventId: string): Promise<TimelineEntry[]> {
    return (this.conn.prep('SELECT * FROM event_timeline WHERE event_id = ? ORDER BY seq').all(eventId) as TimelineRow[]).map(entryFromRow);
  }

  async changeCase(id: string, expectedVersion: number, c: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null> {
    const update = this.conn.prep(`UPDATE events SET status = @status, lead_unit = @leadUnit, co_units = @coUnits, escalated = @escalated,
        stage_started_at = @stageStartedAt, due_at = @dueAt, rating = @rating, satisfaction = @satisfaction, duplicate_of = @duplicateOf,
        breaches = breaches + @breach, breached_stage = CASE WHEN @breach = 1 THEN 1 WHEN stage_started_at <> @stageStartedAt THEN 0 ELSE breached_stage END,
        confidential = COALESCE(@confidential, confidential), ladder = COALESCE(@ladder, ladder), version = version + 1, updated_at = @now
      WHERE id = @id AND version = @expectedVersion`);
    const nextSeq = this.conn.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM event_timeline WHERE event_id = ?').pluck();
    const append = this.conn.prep(APPEND_ENTRY);
    return this.conn.db.transaction(() => {
      const r = update.run({
        ...c,
        coUnits: JSON.stringify(c.coUnits),
        escalated: c.escalated ? 1 : 0,
        breach: c.breach ? 1 : 0,
        confidential: c.confidential === undefined ? null : c.confidential ? 1 : 0,
        ladder: c.ladder ?? null,
        now,
        id,
        expectedVersion,
      });
      if (r.changes === 0) return null;
      append.run(id, nextSeq.get(id), Date.parse(entry.at), entry.actor, entry.actorRole, entry.action, entry.from, entry.to, entry.note, JSON.stringify(entry.attachments), JSON.stringify(entry.data));
      return eventFromRow(this.conn.prep('SELECT * FROM events WHERE id = ?').get(id) as EventRow);
    }).immediate();
  }

  async caseHistories(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }) {
    // set-wise: the cases with an entry in the period, then all their entries in one pass
    const scoped = area?.level && area.level !== 'city' ? ` AND e.${EVENT_AREA_COLUMN[area.level]} = @area` : '';
    const params = { from, to, area: area?.id ?? null };
    const inPeriod = `SELECT e.id, e.street_id AS streetId, e.grid_id AS gridId, e.road_id AS roadId, e.key_area_ids AS keyAreaIds, e.status, e.confidential FROM events e
       WHERE e.id IN (SELECT DISTINCT event_id FROM event_timeline WHERE at >= @from AND at < @to) AND e.drill = 0${scoped}`;
    const cases = this.conn.prep(inPeriod).all(params) as { id: string; streetId: string; gridId: string; roadId: string | null; keyAreaIds: string; status: EventStatus; confidential: number }[];
    const byId = new Map(cases.map((c) => [c.id, { ...c, keyAreaIds: JSON.parse(c.keyAreaIds) as string[], confidential: c.confidential === 1, timeline: [] as TimelineEntry[] }]));
    const rows = this.conn.prep(
      `SELECT t.* FROM event_timeline t JOIN (${inPeriod}) c ON c.id = t.event_id ORDER BY t.event_id, t.seq`,
    ).all(params) as TimelineRow[];
    for (const r of rows) byId.get(r.event_id)?.timeline.push(entryFromRow(r));
    return [...byId.values()];
  }

  async countByStatus(area?: { id: string; level: EventFilter['areaLevel'] }) {
    const scoped = area?.level && area.level !== 'city' ? `AND ${EVENT_AREA_COLUMN[area.level]} = ?` : '';
    const rows = this.conn.prep(`SELECT status, COUNT(*) AS n FROM events WHERE status NOT IN ('archived','rejected') AND drill = 0 ${scoped} GROUP BY status`).all(
      ...(scoped ? [area!.id] : []),
    ) as { status: EventStatus; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<EventStatus, number>>;
  }

  async dueCases(now: number, limit: number): Promise<GridEvent[]> {
    return (this.conn.prep(`SELECT * FROM events WHERE due_at IS NOT NULL AND due_at <= ? AND breached_stage = 0 ORDER BY due_at LIMIT ?`).all(now, limit) as EventRow[]).map(eventFromRow);
  }

  private where(f: Omit<EventFilter, 'limit'>): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.areaId && f.areaLevel && f.areaLevel !== 'city') {
      clauses.push(`${EVENT_AREA_COLUMN[f.areaLevel]} = ?`);
      params.push(f.areaId);
    }
    if (f.unit) {
      // both halves use an index: by lead unit, and over the few cases that have co-units at all
      clauses.push(`id IN (SELECT id FROM events WHERE lead_unit = ? UNION ALL
        SELECT e.id FROM events e, json_each(e.co_units) j WHERE e.co_units <> '[]' AND j.value = ?)`);
      params.push(f.unit, f.unit);
    }
    if (f.streets) {
      clauses.push(`street_id IN (${f.streets.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...f.streets);
    }
    if (f.duplicateOf) {
      clauses.push('duplicate_of = ?');
      params.push(f.duplicateOf);
    }
    if (f.confidential !== undefined) {
      clauses.push('confidential = ?');
      params.push(f.confidential ? 1 : 0);
    }
    if (f.drill !== undefined) {
      clauses.push('drill = ?');
      params.push(f.drill ? 1 : 0);
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
    const rows = this.conn.db
      .prepare(`SELECT * FROM events ${w.sql} ORDER BY ${f.order === 'due' ? 'due_at IS NULL, due_at ASC, ' : ''}received_at DESC, occurred_at DESC, id DESC LIMIT ?`)
      .all(...w.params, f.limit) as EventRow[];
    return rows.map(eventFromRow);
  }

  async countEvents(f: Omit<EventFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return this.conn.db.prepare(`SELECT COUNT(*) FROM events ${w.sql}`).pluck().get(...w.params) as number;
  }

  async occurredTimes(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel']; unit?: string }): Promise<number[]> {
    const w = this.where({ from, to, ...(area ? { areaId: area.id, areaLevel: area.level } : {}), ...(area?.unit ? { unit: area.unit } : {}) });
    return this.conn.db.prepare(`SELECT occurred_at FROM events ${w.sql} AND drill = 0`).pluck().all(...w.params) as number[];
  }

  async openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]> {
    return this.conn.prep(
      `SELECT grid_id AS gridId,
         SUM(status NOT IN ('archived','rejected')) AS open,
         SUM(status NOT IN ('archived','rejected') AND due_at IS NOT NULL AND due_at <= @now) AS overdue,
         SUM(occurred_at >= @todayStart) AS today
       FROM events WHERE (status NOT IN ('archived','rejected') OR occurred_at >= @todayStart) AND drill = 0 GROUP BY grid_id`,
    ).all({ now, todayStart }) as OpenCounts[];
  }

  async overdueCountsByGrid(now: number): Promise<Pick<OpenCounts, 'gridId' | 'overdue'>[]> {
    // only the cases already due: a range of the deadline index, not every open case
    return this.conn.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS overdue FROM events INDEXED BY events_due
       WHERE due_at <= ? AND status NOT IN ('archived','rejected') AND drill = 0 GROUP BY grid_id`,
    ).all(now) as Pick<OpenCounts, 'gridId' | 'overdue'>[];
  }

  async closedCountsByGrid(after: number, now: number): Promise<ClosedCounts[]> {
    // read from the covering index events_closed alone
    return this.conn.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS closed, SUM(reworks = 0) AS firstTime, SUM(breaches = 0) AS onTime,
              SUM(rating IS NOT NULL) AS rated, SUM(rating = 'good') AS good
       FROM events INDEXED BY events_closed WHERE closed_at > ? AND closed_at <= ? AND drill = 0 GROUP BY grid_id`,
    ).all(after, now) as ClosedCounts[];
  }

  async callCountsByGrid(source: string, after: number, now: number): Promise<CallCounts[]> {
    return this.conn.prep(
      `SELECT grid_id AS gridId, COUNT(*) AS calls FROM events INDEXED BY events_source_occurred
       WHERE source = ? AND occurred_at > ? AND occurred_at <= ? AND drill = 0 GROUP BY grid_id`,
    ).all(source, after, now) as CallCounts[];
  }

  async hotlineCounts(q: HotlineCountsQuery): Promise<HotlineCounts> {
    // a handful of aggregates (rows bounded by categories, hours and grids) and one capped list;
    // each window is its own half of a UNION, so overlapping windows (a period over a week) count alike
    const scoped = q.area.level && q.area.level !== 'city' ? ` AND e.${EVENT_AREA_COLUMN[q.area.level]} = @area` : '';
    const p = { source: q.source, from: q.from, to: q.to, bfrom: q.baselineFrom, bto: q.baselineTo, area: q.area.id, max: q.maxPoints + 1 };
    const inWin = (f: string, t: string) => `FROM events e WHERE e.source = @source AND e.occurred_at >= ${f} AND e.occurred_at < ${t} AND e.drill = 0${scoped}`;
    const categories = this.conn.prep(
      `SELECT 'period' AS win, e.category, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.category
       UNION ALL SELECT 'baseline', e.category, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY e.category`,
    ).all(p) as { win: HotlineWindow; category: string; n: number }[];
    const hours = this.conn.prep(
      // parameters arrive as REAL: cast, so that / is integer arithmetic (whole hours, one row each)
      `SELECT 'period' AS win, (e.occurred_at - CAST(@from AS INTEGER)) / 3600000 AS hour, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY 2
       UNION ALL SELECT 'baseline', (e.occurred_at - CAST(@bfrom AS INTEGER)) / 3600000, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY 2`,
    ).all(p) as { win: HotlineWindow; hour: number; n: number }[];
    const grids = this.conn.prep(`SELECT e.grid_id AS gridId, e.street_id AS streetId, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.grid_id, e.street_id`).all(p) as HotlineCounts['grids'];
    const points = this.conn.prep(
      `SELECT e.id, e.category, e.grid_id AS gridId, e.street_id AS streetId, e.lng, e.lat, e.occurred_at AS occurredAt, e.title, e.confidential
       ${inWin('@from', '@to')} ORDER BY e.occurred_at DESC, e.id LIMIT @max`,
    ).all(p) as (Omit<HotlinePoint, 'confidential'> & { confidential: number })[];
    // CROSS JOIN keeps the timeline outermost: the archives of the window by time, not every hotline case by source
    const archived = (f: string, t: string) => `FROM event_timeline t CROSS JOIN events e ON e.id = t.event_id
       WHERE t.action = 'archive' AND t.at >= ${f} AND t.at < ${t} AND e.source = @source AND e.drill = 0${scoped}`;
    const fared = `EXISTS (SELECT 1 FROM event_timeline b WHERE b.event_id = t.event_id AND b.action = 'breach' AND b.seq < t.seq) AS breached,
       json_extract(t.data, '$.rating') AS rating, json_extract(t.data, '$.satisfaction') AS satisfaction, COUNT(*) AS n`;
    const closures = this.conn.prep(
      `SELECT 'period' AS win, ${fared} ${archived('@from', '@to')} GROUP BY 2, 3, 4
       UNION ALL SELECT 'baseline', ${fared} ${archived('@bfrom', '@bto')} GROUP BY 2, 3, 4`,
    ).all(p) as { win: HotlineWindow; breached: number; rating: unknown; satisfaction: unknown; n: number }[];
    return {
      categories: categories.map((r) => ({ window: r.win, category: r.category, n: r.n })),
      hours: hours.map((r) => ({ window: r.win, hour: r.hour, n: r.n })),
      grids,
      points: points.slice(0, q.maxPoints).map((r) => ({ ...r, confidential: r.confidential === 1 })),
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

  /** ` AND <column> = @area` for an area below the city */
  private scoped(area: AreaScope | undefined, prefix = ''): string {
    return area?.level && area.level !== 'city' ? ` AND ${prefix}${EVENT_AREA_COLUMN[area.level]} = @area` : '';
  }

  /** each row with its timeline up to `at` when it changed after `at` (one indexed read per such case) */
  private then(rows: EventRow[], at: number): CaseThen[] {
    const entries = this.conn.prep('SELECT * FROM event_timeline WHERE event_id = ? AND at <= ? ORDER BY seq');
    return rows.map((r) => ({
      event: eventFromRow(r),
      timeline: r.updated_at > at ? (entries.all(r.id, at) as TimelineRow[]).map(entryFromRow) : null,
    }));
  }

  async casesOpenAt(at: number, area?: AreaScope): Promise<CaseThen[]> {
    const scoped = this.scoped(area);
    // open now (status index), archived after `at` (closing-time index), rejected after `at` (status index)
    const rows = this.conn.prep(
      `SELECT * FROM events WHERE status IN ${OPEN_SQL} AND received_at <= @at${scoped}
       UNION ALL SELECT * FROM events INDEXED BY events_closed WHERE closed_at IS NOT NULL AND closed_at > @at AND received_at <= @at${scoped}
       UNION ALL SELECT * FROM events WHERE status = 'rejected' AND received_at <= @at AND updated_at > @at${scoped}`,
    ).all({ at, area: area?.id ?? null }) as EventRow[];
    return this.then(rows, at);
  }

  async receivedBy(at: number, limit: number, area?: AreaScope): Promise<CaseThen[]> {
    const rows = this.conn.prep(
      `SELECT * FROM events INDEXED BY events_received WHERE received_at <= @at${this.scoped(area)}
       ORDER BY received_at DESC, occurred_at DESC, id DESC LIMIT @limit`,
    ).all({ at, limit, area: area?.id ?? null }) as EventRow[];
    return this.then(rows, at);
  }

  async arrivals(from: number, to: number, receivedBy: number, area?: AreaScope): Promise<{ gridId: string; occurredAt: number }[]> {
    return this.conn.prep(
      `SELECT grid_id AS gridId, occurred_at AS occurredAt FROM events
       WHERE occurred_at >= @from AND occurred_at < @to AND received_at <= @receivedBy AND drill = 0${this.scoped(area)}`,
    ).all({ from, to, receivedBy, area: area?.id ?? null }) as { gridId: string; occurredAt: number }[];
  }

  async entriesBetween(from: number, to: number, actions: readonly string[], area?: AreaScope): Promise<CaseEntryRow[]> {
    if (!actions.length) return [];
    // the timeline by time first (CROSS JOIN keeps it outermost), then each entry's case
    const rows = this.conn.prep(
      `SELECT t.action AS t_action, t.at AS t_at, e.* FROM event_timeline t INDEXED BY event_timeline_at CROSS JOIN events e ON e.id = t.event_id
       WHERE t.at >= @from AND t.at < @to AND t.action IN (SELECT value FROM json_each(@actions))${this.scoped(area, 'e.')}
       ORDER BY t.at, t.event_id, t.seq`,
    ).all({ from, to, actions: JSON.stringify(actions), area: area?.id ?? null }) as (EventRow & { t_action: string; t_at: number })[];
    return rows.map((r) => ({ action: r.t_action, at: r.t_at, event: eventFromRow(r) }));
  }
}
