/**
 * @module server/stores/postgres/audit.repository
 * The audit trail: append-only. The database refuses UPDATE, DELETE and TRUNCATE of `audit`
 * (triggers, migration 1); this class only ever inserts and reads.
 */
import type { AuditEntry } from '../../../shared/index.ts';
import type { AuditRepository, NewAuditEntry } from '../../ports.ts';
import type { PgConnection } from './connection.ts';
import { auditFromRow, type AuditRow } from './rows.ts';

export class PgAuditRepository implements AuditRepository {
  constructor(private readonly db: PgConnection) {}

  async appendAudit(e: NewAuditEntry): Promise<void> {
    await this.db.query('INSERT INTO audit (at, actor, actor_kind, action, target, outcome, ip, detail, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      e.at, e.actor, e.actorKind, e.action, e.target, e.outcome, e.ip, e.detail, e.count ?? 1,
    ]);
  }

  async listAudit(q: { from?: number; to?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = await this.db.rows<AuditRow>('SELECT * FROM audit WHERE at >= $1 AND at < $2 ORDER BY id DESC LIMIT $3', [
      q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit,
    ]);
    return rows.map(auditFromRow);
  }
}
