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
import { named, textParam, type PgConnection, type Queryable } from './connection.ts';
import { entryFromRow, entryParams, eventFromRow, EVENT_AREA_COLUMN, TIMELINE_COLUMNS, type EventRow, type TimelineRow } from './rows.ts';

type Area = { id: string; level: EventFilter['areaLevel'] };

/** a (source, external id) key as stored (U+0000 is stored as U+FFFD: see connection.ts) */
const keyOf = (source: string, externalId: string) => JSON.stringify([source, externalId].map((x) => textParam(x)));

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
 * The earlier cases of a category near a point, per lattice row of a search box (one index range
 * each), the most recent first, at most `$14` per row (null: all), for many (case, row) queries at
 * once (one array element each); the query's number comes along so a capped row can be told.
 */
const NEAR = `SELECT q.q, x.id, x.lng, x.lat, x.occurred_at
  FROM unnest($1::int8[], $2::int8[], $3::text[], $4::int8[], $5::int8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[],
    $10::float8[], $11::float8[], $12::float8[], $13::float8[])
    WITH ORDINALITY AS q(c0, c1, category, from_at, to_at, min_lat, max_lat, min_lng, max_lng, lat, lng, cos2, r2, q)
  CROSS JOIN LATERAL (
    SELECT id, lng, lat, occurred_at FROM events
    WHERE duplicate_of IS NULL AND NOT confidential AND NOT drill AND category = q.category AND geo_cell BETWEEN q.c0 AND q.c1
      AND occurred_at BETWEEN q.from_at AND q.to_at AND lat BETWEEN q.min_lat AND q.max_lat AND lng BETWEEN q.min_lng AND q.max_lng
      AND (lat - q.lat) * (lat - q.lat) + (lng - q.lng) * (lng - q.lng) * q.cos2 <= q.r2
    ORDER BY occurred_at DESC LIMIT $14::int8
  ) x`;

export class PgCasesRepository implements CaseRepository {
  constructor(private readonly db: PgConnection) {}

  /**
   * A batch in a handful of statements, whatever its size: the new cases with their first timeline
   * entry in one, the stored ones of repeated keys in one, the recurrence candidates of all new
   * cases in one, their tags in one. Recurrence keeps the meaning of applying the items one by one:
   * a case is measured against the cases stored before it, its batch's earlier items included and
   * its later ones not.
   */
  async insertEvents(events: NewEvent[], recurrence?: RecurrenceRule): Promise<InsertEventResult[]> {
    if (events.length === 0) return [];
    const locks = new Set<string>();
    for (const e of events) {
      locks.add(JSON.stringify(['event', e.source, e.externalId]));
      if (recurrence) locks.add(JSON.stringify(['recurrence', e.category]));
    }
    const col = <T>(f: (e: NewEvent) => T) => events.map(f);
    return this.db.tx(async (c) => {
      // in one (hash) order, so two batches sharing keys wait for each other instead of deadlocking
      await c.query('SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(t, 0) AS k FROM unnest($1::text[]) t ORDER BY 1) s', [[...locks]]);
      // in the batch's order: of two items with one key, the first is stored and the second finds it
      const inserted = await c.query<EventRow>(
        `WITH ins AS (
           INSERT INTO events (id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
             district_id, severity, status, occurred_at, received_at, updated_at, simulated, version, stage_started_at, due_at, geo_cell, confidential, masked, drill, road_id, key_area_ids, limit_factor, building_id)
           SELECT id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
             district_id, severity, status, occurred_at, received_at, received_at, simulated, 1, received_at, due_at, geo_cell, confidential, masked, drill, road_id,
             ARRAY(SELECT jsonb_array_elements_text(key_area_ids::jsonb)), limit_factor, building_id
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[],
             $11::text[], $12::text[], $13::text[], $14::int8[], $15::int8[], $16::bool[], $17::int8[], $18::int8[], $19::bool[], $20::bool[], $21::bool[], $22::text[], $23::text[], $24::float8[], $25::text[])
             WITH ORDINALITY AS u(id, source, external_id, category, title, description, lng, lat, grid_id, street_id,
               district_id, severity, status, occurred_at, received_at, simulated, due_at, geo_cell, confidential, masked, drill, road_id, key_area_ids, limit_factor, building_id, ord)
           ORDER BY ord
           ON CONFLICT (source, external_id) DO NOTHING RETURNING *
         ), reported AS (
           INSERT INTO event_timeline (${TIMELINE_COLUMNS})
           SELECT id, 1, received_at, source, 'source', 'report', status, status, '', '{}', jsonb_build_object('source', source, 'externalId', external_id) FROM ins
         )
         SELECT * FROM ins`,
        [col((e) => e.id), col((e) => e.source), col((e) => e.externalId), col((e) => e.category), col((e) => e.title), col((e) => e.description),
          col((e) => e.lng), col((e) => e.lat), col((e) => e.gridId), col((e) => e.streetId), col((e) => e.districtId), col((e) => e.severity),
          col((e) => e.status), col((e) => e.occurredAt), col((e) => e.receivedAt), col((e) => e.simulated), col((e) => e.dueAt), col((e) => geoCell(e.lng, e.lat)),
          col((e) => e.confidential), col((e) => e.personal !== null), col((e) => e.drill),
          col((e) => e.roadId), col((e) => JSON.stringify(e.keyAreaIds)), col((e) => e.limitFactor), col((e) => e.buildingId)],
      );
      const rows = new Map(inserted.rows.map((r) => [r.id, r]));
      // which item created each new case (the first of its key whose id was stored)
      const seen = new Set<string>();
      const created = events.map((e) => {
        const first = rows.has(e.id) && !seen.has(e.id);
        seen.add(e.id);
        return first;
      });
      // the report as posted, apart, for the new cases whose personal data was masked
      const personal = events.filter((e, i) => created[i] && e.personal);
      if (personal.length) {
        await c.query('INSERT INTO event_personal (event_id, title, description) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])', [
          personal.map((e) => e.id), personal.map((e) => e.personal!.title), personal.map((e) => e.personal!.description),
        ]);
      }
      const others = events.filter((_, i) => !created[i]);
      const stored = new Map<string, EventRow>();
      if (others.length) {
        const found = await c.query<EventRow>(
          'SELECT e.* FROM events e JOIN unnest($1::text[], $2::text[]) AS k(source, external_id) USING (source, external_id)',
          [others.map((e) => e.source), others.map((e) => e.externalId)],
        );
        for (const r of found.rows) stored.set(keyOf(r.source, r.external_id), r);
      }
      if (recurrence) {
        // a drill's case (演练) neither recurs a real one nor is recurred by one
        const fresh = events.filter((e, i) => created[i] && !e.drill);
        const tagged = await this.tagRecurring(c, fresh, recurrence);
        for (const r of tagged) {
          rows.set(r.id, r);
          stored.set(keyOf(r.source, r.external_id), r);
        }
      }
      return events.map((e, i): InsertEventResult =>
        created[i] ? { created: true, event: eventFromRow(rows.get(e.id)!) } : { created: false, event: eventFromRow(stored.get(keyOf(e.source, e.externalId))!) },
      );
    });
  }

  /**
   * Tag the batch's new cases that recur earlier ones (domain/hotspots.ts decides on the exact
   * distance) and link them; returns the rows changed. The candidates of every case and lattice row
   * come in one statement; a case's later batch-mates are not its candidates.
   */
  private async tagRecurring(c: Queryable, fresh: NewEvent[], rule: RecurrenceRule): Promise<EventRow[]> {
    if (fresh.length === 0) return [];
    const position = new Map(fresh.map((e, k) => [e.id, k]));
    type Q = { k: number; c0: number; c1: number; e: NewEvent; box: ReturnType<typeof searchBox>; cos2: number; r2: number };
    const plan = (k: number, e: NewEvent): Q[] => {
      const box = searchBox(e.lng, e.lat, rule.radiusM);
      const cos = Math.cos((e.lat * Math.PI) / 180);
      const dLat = box.maxLat - e.lat; // the radius in degrees of latitude, 1 % over
      return cellRanges(box).map(([c0, c1]) => ({ k, c0, c1, e, box, cos2: cos * cos, r2: dLat * dLat }));
    };
    const find = async (qs: Q[], limit: number | null) => {
      const res = await c.query<{ q: number; id: string; lng: number; lat: number; occurred_at: number }>(NEAR, [
        qs.map((q) => q.c0), qs.map((q) => q.c1), qs.map((q) => q.e.category), qs.map((q) => q.e.occurredAt - rule.windowMs), qs.map((q) => q.e.occurredAt),
        qs.map((q) => q.box.minLat), qs.map((q) => q.box.maxLat), qs.map((q) => q.box.minLng), qs.map((q) => q.box.maxLng),
        qs.map((q) => q.e.lat), qs.map((q) => q.e.lng), qs.map((q) => q.cos2), qs.map((q) => q.r2), limit,
      ]);
      const perQuery = new Map<number, number>();
      const byCase = new Map<number, Omit<CasePoint, 'gridId' | 'streetId'>[]>();
      for (const r of res.rows) {
        const q = qs[r.q - 1]!;
        perQuery.set(r.q, (perQuery.get(r.q) ?? 0) + 1);
        // stored after this case (a later item of its batch): not there yet when it was checked
        if ((position.get(r.id) ?? -1) > q.k) continue;
        const list = byCase.get(q.k) ?? [];
        list.push({ id: r.id, category: q.e.category, lng: r.lng, lat: r.lat, occurredAt: r.occurred_at });
        byCase.set(q.k, list);
      }
      const capped = new Set<number>();
      if (limit !== null) for (const [qi, n] of perQuery) if (n === limit) capped.add(qs[qi - 1]!.k);
      return { byCase, capped };
    };
    const all = fresh.flatMap((e, k) => plan(k, e));
    const first = await find(all, RECURRENCE_CANDIDATES);
    const related = new Map<number, string[]>();
    for (const [k, found] of first.byCase) related.set(k, relatedCases(fresh[k]!, found, rule));
    // usually the most recent few decide; when a row's cap was reached and the exact test kept fewer
    // than it links, that case's rows are read in full (cases piled up just outside the radius)
    const again = [...first.capped].filter((k) => (related.get(k)?.length ?? 0) < MAX_RELATED_IDS);
    if (again.length) {
      const full = await find(all.filter((q) => again.includes(q.k)), null);
      for (const k of again) related.set(k, relatedCases(fresh[k]!, full.byCase.get(k) ?? [], rule));
    }
    const links = [...related].filter(([, ids]) => ids.length > 0);
    if (links.length === 0) return [];
    const updated = await c.query<EventRow>(
      `UPDATE events e SET tags = '{recurring}', related_ids = ARRAY(SELECT t FROM jsonb_array_elements_text(u.related::jsonb) WITH ORDINALITY AS j(t, n) ORDER BY n)
       FROM unnest($1::text[], $2::text[]) AS u(id, related) WHERE e.id = u.id RETURNING e.*`,
      [links.map(([k]) => fresh[k]!.id), links.map(([, ids]) => JSON.stringify(ids))],
    );
    return updated.rows;
  }

  async hotspotCounts(q: { now: number; windowMs: number; periodMs: number; spans: number }, area?: Area): Promise<HotspotCountRow[]> {
    // d = now − 1 − occurredAt ∈ [k·period, k·period + window) ⇔ occurredAt ∈ [now − k·period − window, now − k·period)
    const [sql, params] = named(
      `SELECT grid_id AS "gridId", MIN(street_id) AS "streetId", category, k, COUNT(*) AS n FROM (
         SELECT grid_id, street_id, category, (@now::int8 - 1 - occurred_at) / @period::int8 AS k,
                (@now::int8 - 1 - occurred_at) % @period::int8 AS phase
         FROM events WHERE occurred_at >= @from::int8 AND occurred_at < @now::int8 AND duplicate_of IS NULL AND status <> 'rejected' AND NOT drill${scope(area)}) x
       WHERE phase < @window::int8
       GROUP BY grid_id, category, k ORDER BY grid_id, category, k`,
      { now: q.now, period: q.periodMs, window: q.windowMs, from: q.now - q.spans * q.periodMs - q.windowMs, area: area?.id ?? null },
    );
    return this.db.rows<HotspotCountRow>(sql, params);
  }

  async recurringCases(from: number, to: number, area?: Area): Promise<RecurringCase[]> {
    const [sql, params] = named(
      `SELECT id, category, lng, lat, occurred_at AS "occurredAt", grid_id AS "gridId", street_id AS "streetId", related_ids AS "relatedIds"
       FROM events WHERE tags <> '{}' AND occurred_at >= @from AND occurred_at < @to AND duplicate_of IS NULL AND NOT confidential AND NOT drill AND 'recurring' = ANY (tags)${scope(area)}
       ORDER BY occurred_at, id`,
      { from, to, area: area?.id ?? null },
    );
    return this.db.rows<RecurringCase>(sql, params);
  }

  async casePoints(ids: readonly string[]): Promise<CasePoint[]> {
    if (ids.length === 0) return [];
    return this.db.rows<CasePoint>(
      `SELECT id, category, lng, lat, occurred_at AS "occurredAt", grid_id AS "gridId", street_id AS "streetId" FROM events
       WHERE id = ANY ($1::text[]) AND duplicate_of IS NULL AND NOT confidential AND NOT drill ORDER BY id`,
      [ids],
    );
  }

  async casesInGrid(from: number, to: number, gridId: string, category: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM events WHERE grid_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND duplicate_of IS NULL
         AND status <> 'rejected' AND NOT confidential AND NOT drill AND ($4::text IS NULL OR category = $4)
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

  async uncheckedForMasking(limit: number): Promise<{ id: string; title: string; description: string }[]> {
    return this.db.rows<{ id: string; title: string; description: string }>('SELECT id, title, description FROM events WHERE masked IS NULL LIMIT $1', [limit]);
  }

  async saveMasking(rows: readonly { id: string; title: string; description: string; personal: { title: string; description: string } | null }[]): Promise<void> {
    if (!rows.length) return;
    await this.db.tx(async (c) => {
      const done = await c.query<{ id: string }>(
        `UPDATE events e SET title = u.title, description = u.description, masked = u.masked
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) AS u(id, title, description, masked)
         WHERE e.id = u.id AND e.masked IS NULL RETURNING e.id`,
        [rows.map((r) => r.id), rows.map((r) => r.title), rows.map((r) => r.description), rows.map((r) => r.personal !== null)],
      );
      const changed = new Set(done.rows.map((r) => r.id));
      const kept = rows.filter((r) => r.personal && changed.has(r.id));
      if (kept.length) {
        await c.query('INSERT INTO event_personal (event_id, title, description) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (event_id) DO NOTHING', [
          kept.map((r) => r.id), kept.map((r) => r.personal!.title), kept.map((r) => r.personal!.description),
        ]);
      }
    });
  }

  async unlinkRelated(id: string): Promise<number> {
    return (await this.db.query('UPDATE events SET related_ids = array_remove(related_ids, $1) WHERE $1 = ANY (related_ids)', [id])).rowCount ?? 0;
  }

  async personalData(id: string): Promise<{ title: string; description: string } | null> {
    return this.db.one<{ title: string; description: string }>('SELECT title, description FROM event_personal WHERE event_id = $1', [id]);
  }

  async changeCase(id: string, expectedVersion: number, ch: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null> {
    return this.db.tx(async (c) => {
      // a concurrent writer's UPDATE waits for this row lock, then finds the version moved on
      const r = await c.query(
        `UPDATE events SET status = $1, lead_unit = $2, co_units = $3, escalated = $4, stage_started_at = $5, due_at = $6, rating = $7,
           satisfaction = $8, duplicate_of = $9, breaches = breaches + $10,
           breached_stage = CASE WHEN $11 THEN true WHEN stage_started_at IS DISTINCT FROM $5 THEN false ELSE breached_stage END,
           confidential = COALESCE($15::boolean, confidential), ladder = COALESCE($16::text, ladder), version = version + 1, updated_at = $12
         WHERE id = $13 AND version = $14`,
        [ch.status, ch.leadUnit, ch.coUnits, ch.escalated, ch.stageStartedAt, ch.dueAt, ch.rating, ch.satisfaction, ch.duplicateOf,
          ch.breach ? 1 : 0, ch.breach === true, now, id, expectedVersion, ch.confidential ?? null, ch.ladder ?? null],
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
    const inPeriod = `SELECT e.id, e.street_id AS "streetId", e.grid_id AS "gridId", e.road_id AS "roadId", e.key_area_ids AS "keyAreaIds", e.status, e.confidential FROM events e
       WHERE e.id IN (SELECT DISTINCT event_id FROM event_timeline WHERE at >= @from AND at < @to) AND NOT e.drill${scope(area, 'e.')}`;
    const values = { from, to, area: area?.id ?? null };
    const cases = await this.db.rows<{ id: string; streetId: string; gridId: string; roadId: string | null; keyAreaIds: string[]; status: EventStatus; confidential: boolean }>(...named(`${inPeriod} ORDER BY e.id`, values));
    const byId = new Map(cases.map((c) => [c.id, { ...c, timeline: [] as TimelineEntry[] }]));
    const rows = await this.db.rows<TimelineRow>(
      ...named(`SELECT t.* FROM event_timeline t JOIN (${inPeriod}) c ON c.id = t.event_id ORDER BY t.event_id, t.seq`, values),
    );
    for (const r of rows) byId.get(r.event_id)?.timeline.push(entryFromRow(r));
    return [...byId.values()];
  }

  async countByStatus(area?: Area) {
    const rows = await this.db.rows<{ status: EventStatus; n: number }>(
      ...named(`SELECT status, COUNT(*) AS n FROM events WHERE status NOT IN ('archived','rejected') AND NOT drill${scope(area)} GROUP BY status`, { area: area?.id ?? null }),
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
    if (f.streets) {
      clauses.push('street_id = ANY (@streets::text[])');
      values.streets = f.streets;
    }
    if (f.duplicateOf) {
      clauses.push('duplicate_of = @duplicateOf');
      values.duplicateOf = f.duplicateOf;
    }
    if (f.confidential !== undefined) {
      clauses.push('confidential = @confidential');
      values.confidential = f.confidential;
    }
    if (f.drill !== undefined) {
      clauses.push('drill = @drill');
      values.drill = f.drill;
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

  async occurredTimes(from: number, to: number, area?: Area & { unit?: string }): Promise<number[]> {
    const w = this.where({ from, to, ...(area ? { areaId: area.id, areaLevel: area.level } : {}), ...(area?.unit ? { unit: area.unit } : {}) });
    const rows = await this.db.rows<{ t: number }>(...named(`SELECT occurred_at AS t FROM events ${w.sql} AND NOT drill ORDER BY occurred_at`, w.values));
    return rows.map((r) => r.t);
  }

  async openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]> {
    return this.db.rows<OpenCounts>(
      `SELECT grid_id AS "gridId",
         COUNT(*) FILTER (WHERE status NOT IN ('archived','rejected')) AS open,
         COUNT(*) FILTER (WHERE status NOT IN ('archived','rejected') AND due_at IS NOT NULL AND due_at <= $1) AS overdue,
         COUNT(*) FILTER (WHERE occurred_at >= $2) AS today
       FROM events WHERE (status NOT IN ('archived','rejected') OR occurred_at >= $2) AND NOT drill GROUP BY grid_id ORDER BY grid_id`,
      [now, todayStart],
    );
  }

  async overdueCountsByGrid(now: number): Promise<Pick<OpenCounts, 'gridId' | 'overdue'>[]> {
    // only the cases already due: a range of the deadline index, not every open case
    return this.db.rows<Pick<OpenCounts, 'gridId' | 'overdue'>>(
      `SELECT grid_id AS "gridId", COUNT(*) AS overdue FROM events
       WHERE due_at <= $1 AND status NOT IN ('archived','rejected') AND NOT drill GROUP BY grid_id ORDER BY grid_id`,
      [now],
    );
  }

  async closedCountsByGrid(after: number, now: number): Promise<ClosedCounts[]> {
    // from the index events_closed (its INCLUDE columns)
    return this.db.rows<ClosedCounts>(
      `SELECT grid_id AS "gridId", COUNT(*) AS closed, COUNT(*) FILTER (WHERE reworks = 0) AS "firstTime", COUNT(*) FILTER (WHERE breaches = 0) AS "onTime",
              COUNT(rating) AS rated, COUNT(*) FILTER (WHERE rating = 'good') AS good
       FROM events WHERE closed_at IS NOT NULL AND closed_at > $1 AND closed_at <= $2 AND NOT drill GROUP BY grid_id ORDER BY grid_id`,
      [after, now],
    );
  }

  async callCountsByGrid(source: string, after: number, now: number): Promise<CallCounts[]> {
    return this.db.rows<CallCounts>(
      `SELECT grid_id AS "gridId", COUNT(*) AS calls FROM events
       WHERE source = $1 AND occurred_at > $2 AND occurred_at <= $3 AND NOT drill GROUP BY grid_id ORDER BY grid_id`,
      [source, after, now],
    );
  }

  async hotlineCounts(q: HotlineCountsQuery): Promise<HotlineCounts> {
    // a handful of aggregates (rows bounded by categories, hours and grids) and one capped list;
    // each window is its own half of a UNION, so overlapping windows (a period over a week) count alike
    const scoped = scope(q.area, 'e.');
    const v = { source: q.source, from: q.from, to: q.to, bfrom: q.baselineFrom, bto: q.baselineTo, area: q.area.id, max: q.maxPoints + 1 };
    const inWin = (f: string, t: string) => `FROM events e WHERE e.source = @source AND e.occurred_at >= ${f} AND e.occurred_at < ${t} AND NOT e.drill${scoped}`;
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
        `SELECT e.id, e.category, e.grid_id AS "gridId", e.street_id AS "streetId", e.lng, e.lat, e.occurred_at AS "occurredAt", e.title, e.confidential
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
       WHERE t.action = 'archive' AND t.at >= ${f} AND t.at < ${t} AND e.source = @source AND NOT e.drill${scoped}`;
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

  /** each row with its timeline up to `at` when it changed after `at` (one read for all such cases) */
  private async then(rows: EventRow[], at: number): Promise<CaseThen[]> {
    const changed = rows.filter((r) => r.updated_at > at).map((r) => r.id);
    const byId = new Map<string, TimelineEntry[]>(changed.map((id) => [id, []]));
    if (changed.length) {
      const entries = await this.db.rows<TimelineRow>('SELECT * FROM event_timeline WHERE event_id = ANY ($1::text[]) AND at <= $2 ORDER BY event_id, seq', [changed, at]);
      for (const t of entries) byId.get(t.event_id)?.push(entryFromRow(t));
    }
    return rows.map((r) => ({ event: eventFromRow(r), timeline: byId.get(r.id) ?? null }));
  }

  async casesOpenAt(at: number, area?: AreaScope): Promise<CaseThen[]> {
    // open now (status index), archived after `at` (closing-time index), rejected after `at` (status index)
    const rows = await this.db.rows<EventRow>(
      ...named(
        `SELECT * FROM events WHERE status IN ('reported','accepted','dispatched','handled','verified') AND received_at <= @at${scope(area)}
         UNION ALL SELECT * FROM events WHERE closed_at IS NOT NULL AND closed_at > @at AND received_at <= @at${scope(area)}
         UNION ALL SELECT * FROM events WHERE status = 'rejected' AND received_at <= @at AND updated_at > @at${scope(area)}`,
        { at, area: area?.id ?? null },
      ),
    );
    return this.then(rows, at);
  }

  async receivedBy(at: number, limit: number, area?: AreaScope): Promise<CaseThen[]> {
    const rows = await this.db.rows<EventRow>(
      ...named(`SELECT * FROM events WHERE received_at <= @at${scope(area)} ORDER BY received_at DESC, occurred_at DESC, id DESC LIMIT @limit`, { at, limit, area: area?.id ?? null }),
    );
    return this.then(rows, at);
  }

  async arrivals(from: number, to: number, receivedBy: number, area?: AreaScope): Promise<{ gridId: string; occurredAt: number }[]> {
    return this.db.rows<{ gridId: string; occurredAt: number }>(
      ...named(
        `SELECT grid_id AS "gridId", occurred_at AS "occurredAt" FROM events
         WHERE occurred_at >= @from AND occurred_at < @to AND received_at <= @receivedBy AND NOT drill${scope(area)} ORDER BY occurred_at, id`,
        { from, to, receivedBy, area: area?.id ?? null },
      ),
    );
  }

  async entriesBetween(from: number, to: number, actions: readonly string[], area?: AreaScope): Promise<CaseEntryRow[]> {
    if (!actions.length) return [];
    const rows = await this.db.rows<EventRow & { t_action: string; t_at: number }>(
      ...named(
        `SELECT t.action AS t_action, t.at AS t_at, e.* FROM event_timeline t JOIN events e ON e.id = t.event_id
         WHERE t.at >= @from AND t.at < @to AND t.action = ANY (@actions::text[])${scope(area, 'e.')}
         ORDER BY t.at, t.event_id, t.seq`,
        { from, to, actions: [...actions], area: area?.id ?? null },
      ),
    );
    return rows.map((r) => ({ action: r.t_action, at: r.t_at, event: eventFromRow(r) }));
  }
}
