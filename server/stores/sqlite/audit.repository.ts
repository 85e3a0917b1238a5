/**
 * @module server/stores/sqlite/audit.repository
 * The audit trail in the embedded database: append-only (triggers of migration 2 refuse updates and
 * deletes), so this class has no method that changes a row.
 */
import type { AuditEntry } from '../../../shared/index.ts';
import type { AuditRepository, NewAuditEntry } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { auditFromRow, type AuditRow } from './rows.ts';

export class SqliteAuditRepository implements AuditRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async appendAudit(e: NewAuditEntry): Promise<void> {
    this.conn.prep('INSERT INTO audit (at, actor, actor_kind, action, target, outcome, ip, detail, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.at, e.actor, e.actorKind, e.action, e.target, e.outcome, e.ip, e.detail, e.count ?? 1,
    );
  }
  async listAudit(q: { from?: number; to?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = this.conn.prep('SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY id DESC LIMIT ?').all(
      q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit,
    ) as AuditRow[];
    return rows.map(auditFromRow);
  }
}
