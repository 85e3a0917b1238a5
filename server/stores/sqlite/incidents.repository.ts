/**
 * @module server/stores/sqlite/incidents.repository
 * Incidents in wartime mode (平战结合) in the embedded database: one row per incident (its command
 * group as JSON), a unique index that lets an area run one at a time, and the append-only log.
 */
import type { IncidentLogEntry } from '../../../shared/index.ts';
import type { IncidentEntry, IncidentRecord } from '../../domain/emergency.ts';
import type { IncidentRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

interface IncidentRow {
  id: string;
  area_id: string;
  grade: string;
  class: string;
  title: string;
  lng: number;
  lat: number;
  radius_m: number;
  drill: number;
  command: string;
  started_at: number;
  started_by: string;
  ended_at: number | null;
  ended_by: string | null;
  summary: string | null;
  version: number;
}

const fromRow = (r: IncidentRow): IncidentRecord => ({
  id: r.id, areaId: r.area_id, grade: r.grade as IncidentRecord['grade'], class: r.class as IncidentRecord['class'], title: r.title, lng: r.lng, lat: r.lat, radiusM: r.radius_m,
  drill: r.drill === 1, command: JSON.parse(r.command) as IncidentRecord['command'], startedAt: r.started_at, startedBy: r.started_by, endedAt: r.ended_at, endedBy: r.ended_by,
  summary: r.summary, version: r.version,
});

export class SqliteIncidentRepository implements IncidentRepository {
  constructor(private readonly conn: SqliteConnection) {}

  private append(id: string, e: IncidentEntry): void {
    const seq = (this.conn.prep('SELECT COALESCE(MAX(seq), 0) FROM incident_log WHERE incident_id = ?').pluck().get(id) as number) + 1;
    this.conn.prep('INSERT INTO incident_log (incident_id, seq, at, actor, kind, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, seq, Date.parse(e.at), e.actor, e.kind, e.text, JSON.stringify(e.data));
  }

  async create(r: IncidentRecord, entry: IncidentEntry): Promise<boolean> {
    return this.conn.db.transaction(() => {
      const running = this.conn.prep('SELECT 1 FROM incidents WHERE area_id = ? AND ended_at IS NULL').get(r.areaId);
      if (running) return false;
      this.conn
        .prep(
          `INSERT INTO incidents (id, area_id, grade, class, title, lng, lat, radius_m, drill, command, started_at, started_by, ended_at, ended_by, summary, version)
           VALUES (@id, @areaId, @grade, @class, @title, @lng, @lat, @radiusM, @drill, @command, @startedAt, @startedBy, @endedAt, @endedBy, @summary, @version)`,
        )
        .run({ ...r, drill: r.drill ? 1 : 0, command: JSON.stringify(r.command) });
      this.append(r.id, entry);
      return true;
    }).immediate();
  }

  async get(id: string): Promise<IncidentRecord | null> {
    const r = this.conn.prep('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    return r ? fromRow(r) : null;
  }

  async running(): Promise<IncidentRecord[]> {
    return (this.conn.prep('SELECT * FROM incidents WHERE ended_at IS NULL ORDER BY started_at, id').all() as IncidentRow[]).map(fromRow);
  }

  async ended(limit: number): Promise<IncidentRecord[]> {
    return (this.conn.prep('SELECT * FROM incidents WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, id LIMIT ?').all(limit) as IncidentRow[]).map(fromRow);
  }

  async update(id: string, expectedVersion: number, next: IncidentRecord, entry: IncidentEntry): Promise<IncidentRecord | null> {
    return this.conn.db.transaction(() => {
      const r = this.conn
        .prep(
          `UPDATE incidents SET grade = @grade, radius_m = @radiusM, ended_at = @endedAt, ended_by = @endedBy, summary = @summary, version = @version
           WHERE id = @id AND version = @expectedVersion`,
        )
        .run({ grade: next.grade, radiusM: next.radiusM, endedAt: next.endedAt, endedBy: next.endedBy, summary: next.summary, version: next.version, id, expectedVersion });
      if (r.changes === 0) return null;
      this.append(id, entry);
      return fromRow(this.conn.prep('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow);
    }).immediate();
  }

  async log(id: string): Promise<IncidentLogEntry[]> {
    const rows = this.conn.prep('SELECT * FROM incident_log WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; at: number; actor: string; kind: string; text: string; data: string }[];
    return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, kind: r.kind as IncidentLogEntry['kind'], text: r.text, data: JSON.parse(r.data) as Record<string, unknown> }));
  }
}
