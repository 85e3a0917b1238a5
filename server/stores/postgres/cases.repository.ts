/**
 * @module server/stores/postgres/cases.repository
 * Cases (grid events) and their append-only timelines, with the counts statistics, loop
 * indicators, hotspots and the 12345 analysis read. Several nodes write at once:
 * - a batch is idempotent on (source, external id) by `ON CONFLICT DO NOTHING`, with the batch's
 *   keys (and, when recurrence is checked, its categories) locked first in one order
 *   (`pg_advisory_xact_lock`), so parallel batches neither deadlock nor miss each other's earlier
 *   cases of a category;
 * - a transition applies only at the version its writer read (`UPDATE … WHERE version = $n`), the
 *   row lock ordering concurrent writers, and the timeline's next `seq` is taken under that lock.
 */
import { CaseTag, MAX_RELATED_IDS, type EventStatus, type GridEvent, type TimelineEntry } from '../../../shared/index.ts';
import type { HotlineCounts, HotlinePoint, HotlineWindow } from '../../domain/hotline.ts';
import { cellRanges, geoCell, relatedCases, searchBox, type CasePoint, type RecurrenceRule, type RecurringCase } from '../../domain/hotspots.ts';
import type {
  CallCounts,
  CaseChange,
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
import { named, type PgConnection, type Queryable } from './connection.ts';
import { entryFromRow, entryParams, eventFromRow, EVENT_AREA_COLUMN, TIMELINE_COLUMNS, type EventRow, type TimelineRow } from './rows.ts';

type Area = { id: string; level: EventFilter['areaLevel'] };

/**
 * the most recent candidates per lattice row a new case is measured against: far more than the
 * {@link MAX_RELATED_IDS} it links, so the exact test still finds the 10 most recent in range
 */
const RECURRENCE_CANDIDATES = 5 * MAX_RELATED_IDS;

const APPEND_ENTRY = `INSERT INTO event_timeline (${TIMELINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;
const NEXT_SEQ = 'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM event_timeline WHERE event_id = $1';

/** ` AND <column> = @area` for an area below the city, else nothing */
function scope(area: Area | undefined, prefix = ''): string {
  return area?.level && area.level !== 'city' ? ` AND ${prefix}${EVENT_AREA_COLUMN[area.level]} = @area` : '';
}

/**
 * The earlier cases of a category near a point, per lattice row of the search box (one index range
 * each), the most recent first, at most `limit` per row (null: all); the row index comes along so a
 * capped row can be told.
 */
const NEAR = `SELECT r.i, x.id, x.lng, x.lat, x.occurred_at FROM unnest($1::int8[], $2::int8[]) WITH ORDINALITY AS r(c0, c1, i)
  CROSS JOIN LATERAL (
    SELECT id, lng, lat, occurred_at FROM events
    WHERE duplicate_of IS NULL AND category = $3 AND geo_cell BETWEEN r.c0 AND r.c1
      AND occurred_at BETWEEN $4::int8 AND $5::int8 AND lat BETWEEN $6::float8 AND $7::float8 AND lng BETWEEN $8::float8 AND $9::float8
      AND (lat - $10::float8) * (lat - $10::float8) + (lng - $11::float8) * (lng - $11::float8) * $12::float8 <= $13::float8
    ORDER BY occurred_at DESC LIMIT $14::int8
  ) x`;

export class PgCasesRepository implements CaseRepository {
  constructor(private readonly db: PgConnection) {}

  async insertEvents(events: NewEvent[], recurrence?: RecurrenceRule): Promise<InsertEventResult[]> {
    if (events.length === 0) return [];
    const locks = new Set<string>();
    for (const e of events) {
      locks.add(JSON.stringify(['event', e.source, e.externalId]));
      if (recurrence) locks.add(JSON.stringify(['recurrence', e.category]));
    }
    return this.db.tx(async (c) => {
      // in one (hash) order, so two batches sharing keys wait for each other instead of deadlocking
      await c.query('SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(t, 0) AS k FROM unnest($1::text[]) t ORDER BY 1) s', [[...locks]]);
      const out: InsertEventResult[] = [];
      for (const e of events) {
        const ins = await c.query<EventRow>(
          `INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
             district_id, severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, due_at, geo_cell)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, 1, $15, $17, $18)
           ON CONFLICT (source, external_id) DO NOTHING RETURNING *`,
          [e.id, e.source, e.externalId, e.category, e.title, e.description, e.lng, e.lat, e.gridId, e.streetId,
            e.districtId, e.severity, e.status, e.occurredAt, e.receivedAt, e.simulated, e.dueAt, geoCell(e.lng, e.lat)],
        );
        let row = ins.rows[0];
        if (!row) {
          const stored = await c.query<EventRow>('SELECT * FROM events WHERE source = $1 AND external_id = $2', [e.source, e.externalId]);
          out.push({ created: false, event: eventFromRow(stored.rows[0]!) });
          continue;
        }
        await c.query(APPEND_ENTRY, entryParams(e.id, 1, {
          at: new Date(e.receivedAt).toISOString(), actor: e.source, actorRole: 'source', action: 'report', from: e.status, to: e.status,
          note: '', attachments: [], data: { source: e.source, externalId: e.externalId },
        }));
        if (recurrence) {
          const related = await this.related(c, e, recurrence);
          if (related.length) {
            row = (await c.query<EventRow>(`UPDATE events SET tags = '{recurring}', related_ids = $1 WHERE id = $2 RETURNING *`, [related, e.id])).rows[0]!;
          }
        }
        out.push({ created: true, event: eventFromRow(row) });
      }
      return out;
    });
  }

  /** the earlier cases a new case recurs (domain/hotspots.ts decides on the exact distance) */
  private async related(c: Queryable, e: NewEvent, rule: RecurrenceRule): Promise<string[]> {
    const box = searchBox(e.lng, e.lat, rule.radiusM);
    const cos = Math.cos((e.lat * Math.PI) / 180);
    const dLat = box.maxLat - e.lat; // the radius in degrees of latitude, 1 % over
    const ranges = cellRanges(box);
    const find = async (limit: number | null) => {
      const rows = (await c.query<{ i: number; id: string; lng: number; lat: number; occurred_at: number }>(NEAR, [
        ranges.map((r) => r[0]), ranges.map((r) => r[1]), e.category, e.occurredAt - rule.windowMs, e.occurredAt,
        box.minLat, box.maxLat, box.minLng, box.maxLng, e.lat, e.lng, cos * cos, dLat * dLat, limit,
      ])).rows;
      const perRange = new Map<number, number>();
      for (const r of rows) perRange.set(r.i, (perRange.get(r.i) ?? 0) + 1);
      const capped = limit !== null && [...perRange.values()].some((n) => n === limit);
      const found = rows.map((r) => ({ id: r.id, category: e.category, lng: r.lng, lat: r.lat, occurredAt: r.occurred_at }));
      return { related: found.length ? relatedCases(e, found, rule) : [], capped };
    };
    // usually the most recent few decide; when a row's cap was reached and the exact test kept fewer
    // than it links, the same rows are read in full (cases piled up just outside the radius)
    let { related, capped } = await find(RECURRENCE_CANDIDATES);
    if (capped && related.length < MAX_RELATED_IDS) related = (await find(null)).related;
    return related;
  }

  async hotspotCounts(q: { now: number; windowMs: number; periodMs: number; spans: number }, area?: Area): Promise<HotspotCountRow[]> {
    // d = now − 1 − occurredAt ∈ [k·period, k·period + window) ⇔ occurredAt ∈ [now − k·period − window, now − k·period)
    const [sql, params] = named(
      `SELECT grid_id AS "gridId", MIN(street_id) AS "streetId", category, k, COUNT(*) AS n FROM (
         SELECT grid_id, street_id, category, (@now::int8 - 1 - occurred_at) / @period::int8 AS k,
                (@now::int8 - 1 - occurred_at) % @period::int8 AS phase
         FROM events WHERE occurred_at >= @from::int8 AND occurred_at < @now::int8 AND duplicate_of IS NULL AND status <> 'rejected'${scope(area)}) x
       WHERE phase < @window::int8
       GROUP BY grid_id, category, k ORDER BY grid_id, category, k`,
      { now: q.now, period: q.periodMs, window: q.windowMs, from: q.now - q.spans * q.periodMs - q.windowMs, area: area?.id ?? null },
    );
    return this.db.rows<HotspotCountRow>(sql, params);
  }

  async recurringCases(from: number, to: number, area?: Area): Promise<RecurringCase[]> {
    const [sql, params] = named(
      `SELECT id, category, lng, lat, occurred_at AS "occurredAt", grid_id AS "gridId", street_id AS "streetId", related_ids AS "relatedIds"
       FROM events WHERE tags <> '{}' AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL AND 'recurring' = ANY (tags)${scope(area)}
       ORDER BY occurred_at, id`,
      { from, to, area: area?.id ?? null },
    );
    return this.db.rows<RecurringCase>(sql, params);
  }

  async casePoints(ids: readonly string[]): Promise<CasePoint[]> {
    if (ids.length === 0) return [];
    return this.db.rows<CasePoint>(
      `SELECT id, category, lng, lat, occurred_at AS "occurredAt", grid_id AS "gridId", street_id AS "streetId" FROM events
       WHERE id = ANY ($1::text[]) AND duplicate_of IS NULL ORDER BY id`,
      [ids],
    );
  }

  async casesInGrid(from: number, to: number, gridId: string, category: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM events WHERE grid_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND duplicate_of IS NULL
         AND status <> 'rejected' AND ($4::text IS NULL OR category = $4)
       ORDER BY occurred_at DESC, id LIMIT $5`,
      [gridId, from, to, category, limit],
    );
    return rows.map((r) => r.id);
  }

  async setTags(changes: readonly TagChange[], now: number): Promise<GridEvent[]> {
    if (changes.length === 0) return [];
    return this.db.tx(async (c) => {
      const changed = new Map<string, GridEvent>();
      for (const ch of changes) {
        // the row lock orders this against transitions and other taggers (on any node)
        const row = (await c.query<EventRow>('SELECT * FROM events WHERE id = $1 FOR UPDATE', [ch.id])).rows[0];
        if (!row) continue;
        const tags = new Set<string>(row.tags);
        if (tags.has(ch.tag) === ch.on) continue;
        if (ch.on) tags.add(ch.tag);
        else tags.delete(ch.tag);
        // a fixed order, whatever order tags were set in
        await c.query('UPDATE events SET tags = $1, version = version + 1, updated_at = $2 WHERE id = $3', [CaseTag.options.filter((t) => tags.has(t)), now, ch.id]);
        const seq = (await c.query<{ seq: number }>(NEXT_SEQ, [ch.id])).rows[0]!.seq;
        await c.query(APPEND_ENTRY, entryParams(ch.id, seq, { ...ch.entry, from: row.status as EventStatus, to: row.status as EventStatus }));
        changed.set(ch.id, eventFromRow((await c.query<EventRow>('SELECT * FROM events WHERE id = $1', [ch.id])).rows[0]!));
      }
      return [...changed.values()];
    });
  }

  async getEvent(id: string): Promise<GridEvent | null> {
    const r = await this.db.one<EventRow>('SELECT * FROM events WHERE id = $1', [id]);
    return r ? eventFromRow(r) : null;
  }

  async timeline(eventId: string): Promise<TimelineEntry[]> {
    return (await this.db.rows<TimelineRow>('SELECT * FROM event_timeline WHERE event_id = $1 ORDER BY seq', [eventId])).map(entryFromRow);
  }

  async changeCase(id: string, expectedVersion: number, ch: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null> {
    return this.db.tx(async (c) => {
      // a concurrent writer's UPDATE waits for this row lock, then finds the version moved on
      const r = await c.query(
        `UPDATE events SET status = $1, lead_unit = $2, co_units = $3, escalated = $4, stage_started_at = $5, due_at = $6, rating = $7,
           satisfaction = $8, duplicate_of = $9, breaches = breaches + $10,
           breached_stage = CASE WHEN $11 THEN true WHEN stage_started_at IS DISTINCT FROM $5 THEN false ELSE breached_stage END,
           version = version + 1, updated_at = $12
         WHERE id = $13 AND version = $14`,
        [ch.status, ch.leadUnit, ch.coUnits, ch.escalated, ch.stageStartedAt, ch.dueAt, ch.rating, ch.satisfaction, ch.duplicateOf,
          ch.breach ? 1 : 0, ch.breach === true, now, id, expectedVersion],
      );
      if (r.rowCount !== 1) return null;
      const seq = (await c.query<{ seq: number }>(NEXT_SEQ, [id])).rows[0]!.seq;
      await c.query(APPEND_ENTRY, entryParams(id, seq, entry));
      // read after the entry: the loop counts (closed_at, reworks) follow it by trigger
      return eventFromRow((await c.query<EventRow>('SELECT * FROM events WHERE id = $1', [id])).rows[0]!);
    });
  }

  async caseHistories(from: number, to: number, area?: Area) {
    // set-wise: the cases with an entry in the period, then all their entries in one pass
    const inPeriod = `SELECT e.id, e.street_id AS "streetId", e.status FROM events e
       WHERE e.id IN (SELECT DISTINCT event_id FROM event_timeline WHERE at >= @from AND at < @to)${scope(area, 'e.')}`;
    const values = { from, to, area: area?.id ?? null };
    const cases = await this.db.rows<{ id: string; streetId: string; status: EventStatus }>(...named(`${inPeriod} ORDER BY e.id`, values));
    const byId = new Map(cases.map((c) => [c.id, { ...c, timeline: [] as TimelineEntry[] }]));
    const rows = await this.db.rows<TimelineRow>(
      ...named(`SELECT t.* FROM event_timeline t JOIN (${inPeriod}) c ON c.id = t.event_id ORDER BY t.event_id, t.seq`, values),
    );
    for (const r of rows) byId.get(r.event_id)?.timeline.push(entryFromRow(r));
    return [...byId.values()];
  }

  async countByStatus(area?: Area) {
    const rows = await this.db.rows<{ status: EventStatus; n: number }>(
      ...named(`SELECT status, COUNT(*) AS n FROM events WHERE status NOT IN ('archived','rejected')${scope(area)} GROUP BY status`, { area: area?.id ?? null }),
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<EventStatus, number>>;
  }

  async dueCases(now: number, limit: number): Promise<GridEvent[]> {
    const rows = await this.db.rows<EventRow>('SELECT * FROM events WHERE due_at IS NOT NULL AND due_at <= $1 AND NOT breached_stage ORDER BY due_at, id LIMIT $2', [now, limit]);
    return rows.map(eventFromRow);
  }

  private where(f: Omit<EventFilter, 'limit'>): { sql: string; values: Record<string, unknown> } {
    const clauses: string[] = [];
    const values: Record<string, unknown> = {};
    if (f.areaId && f.areaLevel && f.areaLevel !== 'city') {
      clauses.push(`${EVENT_AREA_COLUMN[f.areaLevel]} = @area`);
      values.area = f.areaId;
    }
    if (f.unit) {
      // both halves use an index: by lead unit, and the GIN index of co-units
      clauses.push('(lead_unit = @unit OR co_units @> ARRAY[@unit::text])');
      values.unit = f.unit;
    }
    if (f.duplicateOf) {
      clauses.push('duplicate_of = @duplicateOf');
      values.duplicateOf = f.duplicateOf;
    }
    if (f.statuses?.length) {
      clauses.push('status = ANY (@statuses::text[])');
      values.statuses = f.statuses;
    }
    if (f.from !== undefined) {
      clauses.push('occurred_at >= @from');
      values.from = f.from;
    }
    if (f.to !== undefined) {
      clauses.push('occurred_at < @to');
      values.to = f.to;
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
  }

  async listEvents(f: EventFilter): Promise<GridEvent[]> {
    const w = this.where(f);
    const order = `${f.order === 'due' ? '(due_at IS NULL), due_at ASC, ' : ''}received_at DESC, occurred_at DESC, id DESC`;
    const rows = await this.db.rows<EventRow>(...named(`SELECT * FROM events ${w.sql} ORDER BY ${order} LIMIT @limit`, { ...w.values, limit: f.limit }));
    return rows.map(eventFromRow);
  }

  async countEvents(f: Omit<EventFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return (await this.db.one<{ n: number }>(...named(`SELECT COUNT(*) AS n FROM events ${w.sql}`, w.values)))!.n;
  }

  async occurredTimes(from: number, to: number, area?: Area): Promise<number[]> {
    const rows = await this.db.rows<{ t: number }>(
      ...named(`SELECT occurred_at AS t FROM events WHERE occurred_at >= @from AND occurred_at < @to${scope(area)} ORDER BY occurred_at`, { from, to, area: area?.id ?? null }),
    );
    return rows.map((r) => r.t);
  }

  async openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]> {
    return this.db.rows<OpenCounts>(
      `SELECT grid_id AS "gridId",
         COUNT(*) FILTER (WHERE status NOT IN ('archived','rejected')) AS open,
         COUNT(*) FILTER (WHERE status NOT IN ('archived','rejected') AND due_at IS NOT NULL AND due_at <= $1) AS overdue,
         COUNT(*) FILTER (WHERE occurred_at >= $2) AS today
       FROM events WHERE status NOT IN ('archived','rejected') OR occurred_at >= $2 GROUP BY grid_id ORDER BY grid_id`,
      [now, todayStart],
    );
  }

  async closedCountsByGrid(after: number, now: number): Promise<ClosedCounts[]> {
    // from the index events_closed (its INCLUDE columns)
    return this.db.rows<ClosedCounts>(
      `SELECT grid_id AS "gridId", COUNT(*) AS closed, COUNT(*) FILTER (WHERE reworks = 0) AS "firstTime", COUNT(*) FILTER (WHERE breaches = 0) AS "onTime",
              COUNT(rating) AS rated, COUNT(*) FILTER (WHERE rating = 'good') AS good
       FROM events WHERE closed_at IS NOT NULL AND closed_at > $1 AND closed_at <= $2 GROUP BY grid_id ORDER BY grid_id`,
      [after, now],
    );
  }

  async callCountsByGrid(source: string, after: number, now: number): Promise<CallCounts[]> {
    return this.db.rows<CallCounts>(
      `SELECT grid_id AS "gridId", COUNT(*) AS calls FROM events
       WHERE source = $1 AND occurred_at > $2 AND occurred_at <= $3 GROUP BY grid_id ORDER BY grid_id`,
      [source, after, now],
    );
  }

  async hotlineCounts(q: HotlineCountsQuery): Promise<HotlineCounts> {
    // a handful of aggregates (rows bounded by categories, hours and grids) and one capped list;
    // each window is its own half of a UNION, so overlapping windows (a period over a week) count alike
    const scoped = scope(q.area, 'e.');
    const v = { source: q.source, from: q.from, to: q.to, bfrom: q.baselineFrom, bto: q.baselineTo, area: q.area.id, max: q.maxPoints + 1 };
    const inWin = (f: string, t: string) => `FROM events e WHERE e.source = @source AND e.occurred_at >= ${f} AND e.occurred_at < ${t}${scoped}`;
    const categories = await this.db.rows<{ win: HotlineWindow; category: string; n: number }>(
      ...named(
        `SELECT 'period' AS win, e.category, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.category
         UNION ALL SELECT 'baseline', e.category, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY e.category`,
        v,
      ),
    );
    const hours = await this.db.rows<{ win: HotlineWindow; hour: number; n: number }>(
      ...named(
        `SELECT 'period' AS win, (e.occurred_at - @from::int8) / 3600000 AS hour, COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY 2
         UNION ALL SELECT 'baseline', (e.occurred_at - @bfrom::int8) / 3600000, COUNT(*) ${inWin('@bfrom', '@bto')} GROUP BY 2`,
        v,
      ),
    );
    const grids = await this.db.rows<HotlineCounts['grids'][number]>(
      ...named(`SELECT e.grid_id AS "gridId", e.street_id AS "streetId", COUNT(*) AS n ${inWin('@from', '@to')} GROUP BY e.grid_id, e.street_id ORDER BY 1, 2`, v),
    );
    const points = await this.db.rows<HotlinePoint>(
      ...named(
        `SELECT e.id, e.category, e.grid_id AS "gridId", e.street_id AS "streetId", e.lng, e.lat, e.occurred_at AS "occurredAt", e.title
         ${inWin('@from', '@to')} ORDER BY e.occurred_at DESC, e.id LIMIT @max`,
        v,
      ),
    );
    // the archives of a window by time (event_timeline_at), with how each case fared
    const fared = (f: string, t: string, win: HotlineWindow) => `SELECT '${win}' AS win,
         EXISTS (SELECT 1 FROM event_timeline b WHERE b.event_id = t.event_id AND b.action = 'breach' AND b.seq < t.seq) AS breached,
         t.data->>'rating' AS rating,
         CASE WHEN jsonb_typeof(t.data->'satisfaction') = 'number' THEN (t.data->>'satisfaction')::float8 END AS satisfaction
       FROM event_timeline t JOIN events e ON e.id = t.event_id
       WHERE t.action = 'archive' AND t.at >= ${f} AND t.at < ${t} AND e.source = @source${scoped}`;
    const closures = await this.db.rows<{ win: HotlineWindow; breached: boolean; rating: string | null; satisfaction: number | null; n: number }>(
      ...named(
        `SELECT win, breached, rating, satisfaction, COUNT(*) AS n FROM (
           ${fared('@from', '@to', 'period')} UNION ALL ${fared('@bfrom', '@bto', 'baseline')}
         ) x GROUP BY 1, 2, 3, 4`,
        v,
      ),
    );
    return {
      categories: categories.map((r) => ({ window: r.win, category: r.category, n: r.n })),
      hours: hours.map((r) => ({ window: r.win, hour: r.hour, n: r.n })),
      grids,
      points: points.slice(0, q.maxPoints),
      pointsTruncated: points.length > q.maxPoints,
      closures: closures.map((r) => ({
        window: r.win,
        breached: r.breached,
        rating: r.rating === 'good' || r.rating === 'bad' ? r.rating : null,
        satisfaction: r.satisfaction,
        n: r.n,
      })),
    };
  }
}
