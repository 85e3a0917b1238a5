/**
 * @module server/stores/postgres/incidents.repository
 * Incidents in wartime mode (平战结合) in PostgreSQL: one row per incident (its command group as
 * `jsonb`), a unique partial index that lets an area run one at a time (two nodes starting one at
 * once: one wins), and the append-only log (a trigger refuses changes).
 */
import type { IncidentLogEntry } from '../../../shared/index.ts';
import type { IncidentEntry, IncidentRecord } from '../../domain/emergency.ts';
import type { IncidentRepository } from '../../ports.ts';
import { jsonParam, type PgConnection, type Queryable } from './connection.ts';

interface IncidentRow {
  id: string;
  area_id: string;
  grade: string;
  class: string;
  title: string;
  lng: number;
  lat: number;
  radius_m: number;
  drill: boolean;
  command: IncidentRecord['command'];
  started_at: number;
  started_by: string;
  ended_at: number | null;
  ended_by: string | null;
  summary: string | null;
  version: number;
}

const fromRow = (r: IncidentRow): IncidentRecord => ({
  id: r.id, areaId: r.area_id, grade: r.grade as IncidentRecord['grade'], class: r.class as IncidentRecord['class'], title: r.title, lng: r.lng, lat: r.lat, radiusM: r.radius_m,
  drill: r.drill, command: r.command, startedAt: r.started_at, startedBy: r.started_by, endedAt: r.ended_at, endedBy: r.ended_by, summary: r.summary, version: r.version,
});

async function append(c: Queryable, id: string, e: IncidentEntry): Promise<void> {
  await c.query(
    `INSERT INTO incident_log (incident_id, seq, at, actor, kind, text, data)
     SELECT $1, (SELECT COALESCE(MAX(seq), 0) FROM incident_log WHERE incident_id = $1) + 1, $2, $3, $4, $5, $6::jsonb`,
    [id, Date.parse(e.at), e.actor, e.kind, e.text, jsonParam(e.data)],
  );
}

export class PgIncidentsRepository implements IncidentRepository {
  constructor(private readonly db: PgConnection) {}

  async create(r: IncidentRecord, entry: IncidentEntry): Promise<boolean> {
    return this.db.tx(async (c) => {
      const ins = await c.query(
        `INSERT INTO incidents (id, area_id, grade, class, title, lng, lat, radius_m, drill, command, started_at, started_by, ended_at, ended_by, summary, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (area_id) WHERE ended_at IS NULL DO NOTHING`,
        [r.id, r.areaId, r.grade, r.class, r.title, r.lng, r.lat, r.radiusM, r.drill, jsonParam(r.command), r.startedAt, r.startedBy, r.endedAt, r.endedBy, r.summary, r.version],
      );
      if (ins.rowCount !== 1) return false;
      await append(c, r.id, entry);
      return true;
    });
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const r = await this.db.one<IncidentRow>('SELECT * FROM incidents WHERE id = $1', [id]);
    return r ? fromRow(r) : null;
  }

  async running(): Promise<IncidentRecord[]> {
    return (await this.db.rows<IncidentRow>('SELECT * FROM incidents WHERE ended_at IS NULL ORDER BY started_at, id')).map(fromRow);
  }

  async ended(limit: number): Promise<IncidentRecord[]> {
    return (await this.db.rows<IncidentRow>('SELECT * FROM incidents WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, id LIMIT $1', [limit])).map(fromRow);
  }

  async update(id: string, expectedVersion: number, next: IncidentRecord, entry: IncidentEntry): Promise<IncidentRecord | null> {
    return this.db.tx(async (c) => {
      const r = await c.query<IncidentRow>(
        `UPDATE incidents SET grade = $1, radius_m = $2, ended_at = $3, ended_by = $4, summary = $5, version = $6 WHERE id = $7 AND version = $8 RETURNING *`,
        [next.grade, next.radiusM, next.endedAt, next.endedBy, next.summary, next.version, id, expectedVersion],
      );
      if (r.rowCount !== 1) return null;
      await append(c, id, entry);
      return fromRow(r.rows[0]!);
    });
  }

  async log(id: string): Promise<IncidentLogEntry[]> {
    const rows = await this.db.rows<{ seq: number; at: number; actor: string; kind: string; text: string; data: Record<string, unknown> }>('SELECT * FROM incident_log WHERE incident_id = $1 ORDER BY seq', [id]);
    return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, kind: r.kind as IncidentLogEntry['kind'], text: r.text, data: r.data }));
  }
}
