/**
 * @module server/stores/sqlite/tasks.repository
 * Tasks on the map (挂图作战) in the embedded database: one row per task (milestones and location
 * as JSON, checked by the shared schema before they are written) and its append-only log.
 * `next_due` indexes what the server must chase next.
 */
import type { TaskLogEntry } from '../../../shared/index.ts';
import { nextDue, type TaskEntry, type TaskRecord } from '../../domain/tasks.ts';
import type { TaskFilter, TaskRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

interface TaskRow {
  id: string;
  kind: string;
  title: string;
  unit_id: string;
  person: string;
  standard: string;
  deadline: number;
  area_id: string;
  location: string | null;
  milestones: string;
  status: string;
  progress: number;
  last_visit_at: number | null;
  chased_at: number | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  version: number;
}

function fromRow(r: TaskRow): TaskRecord {
  return {
    id: r.id,
    kind: r.kind as TaskRecord['kind'],
    title: r.title,
    unitId: r.unit_id,
    person: r.person,
    standard: r.standard,
    deadline: r.deadline,
    areaId: r.area_id,
    location: r.location === null ? null : (JSON.parse(r.location) as TaskRecord['location']),
    milestones: JSON.parse(r.milestones) as TaskRecord['milestones'],
    status: r.status as TaskRecord['status'],
    progress: r.progress,
    lastVisitAt: r.last_visit_at,
    chasedAt: r.chased_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

const APPEND = 'INSERT INTO task_log (task_id, seq, at, actor, actor_role, action, note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export class SqliteTaskRepository implements TaskRepository {
  constructor(private readonly conn: SqliteConnection) {}

  private appendAll(id: string, entries: readonly TaskEntry[]): void {
    let seq = this.conn.prep('SELECT COALESCE(MAX(seq), 0) FROM task_log WHERE task_id = ?').pluck().get(id) as number;
    const append = this.conn.prep(APPEND);
    for (const e of entries) append.run(id, ++seq, Date.parse(e.at), e.actor, e.actorRole, e.action, e.note, JSON.stringify(e.data));
  }

  async create(t: TaskRecord & { districtId: string; streetId: string | null }, entry: TaskEntry): Promise<void> {
    this.conn.db.transaction(() => {
      this.conn
        .prep(
          `INSERT INTO tasks (id, kind, title, unit_id, person, standard, deadline, area_id, district_id, street_id, location, milestones, status, progress,
             last_visit_at, chased_at, created_at, created_by, updated_at, version, next_due)
           VALUES (@id, @kind, @title, @unitId, @person, @standard, @deadline, @areaId, @districtId, @streetId, @location, @milestones, @status, @progress,
             @lastVisitAt, @chasedAt, @createdAt, @createdBy, @updatedAt, @version, @nextDue)`,
        )
        .run({ ...t, location: t.location === null ? null : JSON.stringify(t.location), milestones: JSON.stringify(t.milestones), nextDue: nextDue(t) });
      this.appendAll(t.id, [entry]);
    }).immediate();
  }

  async get(id: string): Promise<TaskRecord | null> {
    const r = this.conn.prep('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return r ? fromRow(r) : null;
  }

  private where(f: Omit<TaskFilter, 'limit'>): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.districtId !== undefined) {
      clauses.push('district_id = ?');
      params.push(f.districtId);
    }
    if (f.streetId !== undefined) {
      clauses.push('street_id = ?');
      params.push(f.streetId);
    }
    if (f.unitId !== undefined) {
      clauses.push('unit_id = ?');
      params.push(f.unitId);
    }
    if (f.status !== undefined) {
      clauses.push('status = ?');
      params.push(f.status);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  async list(f: TaskFilter): Promise<TaskRecord[]> {
    const w = this.where(f);
    return (this.conn.db.prepare(`SELECT * FROM tasks ${w.sql} ORDER BY deadline, id LIMIT ?`).all(...w.params, f.limit) as TaskRow[]).map(fromRow);
  }

  async count(f: Omit<TaskFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return this.conn.db.prepare(`SELECT COUNT(*) FROM tasks ${w.sql}`).pluck().get(...w.params) as number;
  }

  async update(id: string, expectedVersion: number, next: TaskRecord, entries: readonly TaskEntry[]): Promise<TaskRecord | null> {
    return this.conn.db.transaction(() => {
      const r = this.conn
        .prep(
          `UPDATE tasks SET milestones = @milestones, status = @status, progress = @progress, last_visit_at = @lastVisitAt, chased_at = @chasedAt,
             updated_at = @updatedAt, version = @version, next_due = @nextDue
           WHERE id = @id AND version = @expectedVersion`,
        )
        .run({ ...next, milestones: JSON.stringify(next.milestones), nextDue: nextDue(next), id, expectedVersion });
      if (r.changes === 0) return null;
      this.appendAll(id, entries);
      return fromRow(this.conn.prep('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow);
    }).immediate();
  }

  async log(id: string): Promise<TaskLogEntry[]> {
    const rows = this.conn.prep('SELECT * FROM task_log WHERE task_id = ? ORDER BY seq').all(id) as { seq: number; at: number; actor: string; actor_role: string; action: string; note: string; data: string }[];
    return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, actorRole: r.actor_role, action: r.action as TaskLogEntry['action'], note: r.note, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  async pastDue(now: number, limit: number): Promise<TaskRecord[]> {
    return (this.conn.prep('SELECT * FROM tasks WHERE next_due IS NOT NULL AND next_due < ? ORDER BY next_due LIMIT ?').all(now, limit) as TaskRow[]).map(fromRow);
  }
}
