/**
 * @module server/stores/postgres/tasks.repository
 * Tasks on the map (挂图作战) in PostgreSQL: one row per task (milestones and location as `jsonb`,
 * checked by the shared schema before they are written) and its append-only log (a trigger
 * refuses changes). `next_due` indexes what the server must chase next; an update is one
 * statement under the optimistic version check, so two nodes never both apply a change.
 */
import type { TaskLogEntry } from '../../../shared/index.ts';
import { nextDue, type TaskEntry, type TaskRecord } from '../../domain/tasks.ts';
import type { TaskFilter, TaskRepository } from '../../ports.ts';
import { jsonParam, type PgConnection, type Queryable } from './connection.ts';

interface TaskRow {
  id: string;
  kind: string;
  title: string;
  unit_id: string;
  person: string;
  standard: string;
  deadline: number;
  area_id: string;
  location: TaskRecord['location'];
  milestones: TaskRecord['milestones'];
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
    location: r.location,
    milestones: r.milestones,
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

async function appendAll(c: Queryable, id: string, entries: readonly TaskEntry[]): Promise<void> {
  if (!entries.length) return;
  await c.query(
    `INSERT INTO task_log (task_id, seq, at, actor, actor_role, action, note, data)
     SELECT $1, (SELECT COALESCE(MAX(seq), 0) FROM task_log WHERE task_id = $1) + u.ord, u.at, u.actor, u.role, u.action, u.note, u.data
     FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[]) WITH ORDINALITY AS u(at, actor, role, action, note, data, ord)`,
    [id, entries.map((e) => Date.parse(e.at)), entries.map((e) => e.actor), entries.map((e) => e.actorRole), entries.map((e) => e.action), entries.map((e) => e.note), entries.map((e) => JSON.stringify(e.data))],
  );
}

export class PgTasksRepository implements TaskRepository {
  constructor(private readonly db: PgConnection) {}

  async create(t: TaskRecord & { districtId: string; streetId: string | null }, entry: TaskEntry): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query(
        `INSERT INTO tasks (id, kind, title, unit_id, person, standard, deadline, area_id, district_id, street_id, location, milestones, status, progress,
           last_visit_at, chased_at, created_at, created_by, updated_at, version, next_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [t.id, t.kind, t.title, t.unitId, t.person, t.standard, t.deadline, t.areaId, t.districtId, t.streetId, t.location === null ? null : jsonParam(t.location), jsonParam(t.milestones),
          t.status, t.progress, t.lastVisitAt, t.chasedAt, t.createdAt, t.createdBy, t.updatedAt, t.version, nextDue(t)],
      );
      await appendAll(c, t.id, [entry]);
    });
  }

  async get(id: string): Promise<TaskRecord | null> {
    const r = await this.db.one<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return r ? fromRow(r) : null;
  }

  private where(f: Omit<TaskFilter, 'limit'>): { sql: string; values: unknown[] } {
    const clauses: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      values.push(v);
      clauses.push(`${sql} = $${values.length}`);
    };
    if (f.districtId !== undefined) add('district_id', f.districtId);
    if (f.streetId !== undefined) add('street_id', f.streetId);
    if (f.unitId !== undefined) add('unit_id', f.unitId);
    if (f.status !== undefined) add('status', f.status);
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
  }

  async list(f: TaskFilter): Promise<TaskRecord[]> {
    const w = this.where(f);
    return (await this.db.rows<TaskRow>(`SELECT * FROM tasks ${w.sql} ORDER BY deadline, id LIMIT $${w.values.length + 1}`, [...w.values, f.limit])).map(fromRow);
  }

  async count(f: Omit<TaskFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return (await this.db.one<{ n: number }>(`SELECT COUNT(*)::int8 AS n FROM tasks ${w.sql}`, w.values))!.n;
  }

  async update(id: string, expectedVersion: number, next: TaskRecord, entries: readonly TaskEntry[]): Promise<TaskRecord | null> {
    return this.db.tx(async (c) => {
      const r = await c.query<TaskRow>(
        `UPDATE tasks SET milestones = $1::jsonb, status = $2, progress = $3, last_visit_at = $4, chased_at = $5, updated_at = $6, version = $7, next_due = $8
         WHERE id = $9 AND version = $10 RETURNING *`,
        [jsonParam(next.milestones), next.status, next.progress, next.lastVisitAt, next.chasedAt, next.updatedAt, next.version, nextDue(next), id, expectedVersion],
      );
      if (r.rowCount !== 1) return null;
      await appendAll(c, id, entries);
      return fromRow(r.rows[0]!);
    });
  }

  async log(id: string): Promise<TaskLogEntry[]> {
    const rows = await this.db.rows<{ seq: number; at: number; actor: string; actor_role: string; action: string; note: string; data: Record<string, unknown> }>(
      'SELECT * FROM task_log WHERE task_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, actorRole: r.actor_role, action: r.action as TaskLogEntry['action'], note: r.note, data: r.data }));
  }

  async pastDue(now: number, limit: number): Promise<TaskRecord[]> {
    return (await this.db.rows<TaskRow>('SELECT * FROM tasks WHERE next_due IS NOT NULL AND next_due < $1 ORDER BY next_due LIMIT $2', [now, limit])).map(fromRow);
  }
}
