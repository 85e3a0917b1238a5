/**
 * @module server/stores/postgres/notifications.repository
 * Notification channels and the delivery outbox. Several nodes may send: a round claims its due
 * deliveries with `FOR UPDATE SKIP LOCKED`, so two nodes never take the same delivery at once.
 */
import type { ChannelRecord } from '../../domain/notify.ts';
import type { DeliveryOutcome, DeliveryRecord, NewDelivery, NotificationRepository } from '../../ports.ts';
import type { PgConnection } from './connection.ts';
import { channelFromRow, deliveryFromRow, type ChannelRow, type DeliveryRow } from './rows.ts';

export class PgNotificationsRepository implements NotificationRepository {
  constructor(private readonly db: PgConnection) {}

  async createChannel(c: ChannelRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO notification_channels (id, name, kind, url, secret, area_id, min_severity, kinds, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [c.id, c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, c.kinds, c.enabled, c.createdAt, c.updatedAt],
    );
  }
  async updateChannel(c: ChannelRecord): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE notification_channels SET name = $1, kind = $2, url = $3, secret = $4, area_id = $5, min_severity = $6, kinds = $7, enabled = $8, updated_at = $9
       WHERE id = $10`,
      [c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, c.kinds, c.enabled, c.updatedAt, c.id],
    );
    return (r.rowCount ?? 0) > 0;
  }
  async deleteChannel(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM notification_channels WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
  async getChannel(id: string): Promise<ChannelRecord | null> {
    const r = await this.db.one<ChannelRow>('SELECT * FROM notification_channels WHERE id = $1', [id]);
    return r ? channelFromRow(r) : null;
  }
  async listChannels(): Promise<ChannelRecord[]> {
    return (await this.db.rows<ChannelRow>('SELECT * FROM notification_channels ORDER BY created_at, id')).map(channelFromRow);
  }

  async enqueueDeliveries(rows: NewDelivery[]): Promise<DeliveryRecord[]> {
    if (rows.length === 0) return [];
    return this.db.tx(async (c) => {
      const out: DeliveryRecord[] = [];
      for (const d of rows) {
        // a (channel, notice) stored already, by this node or another, is skipped
        const r = await c.query<DeliveryRow>(
          `INSERT INTO notification_deliveries (channel_id, channel_name, notice_key, kind, severity, payload, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7) ON CONFLICT (channel_id, notice_key) DO NOTHING RETURNING *`,
          [d.channelId, d.channelName, d.noticeKey, d.kind, d.severity, d.payload, d.createdAt],
        );
        if (r.rows[0]) out.push(deliveryFromRow(r.rows[0]));
      }
      return out;
    });
  }

  async claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.rows<DeliveryRow>(
      `UPDATE notification_deliveries SET next_attempt_at = $1 WHERE id IN (
         SELECT id FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= $2
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [leaseUntil, now, limit],
    );
    return rows.map(deliveryFromRow).sort((a, b) => a.id - b.id);
  }

  async finishAttempt(id: number, o: DeliveryOutcome): Promise<void> {
    await this.db.query(
      `UPDATE notification_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, last_status = $5, updated_at = $6,
         delivered_at = CASE WHEN $1 = 'delivered' THEN $6 ELSE delivered_at END WHERE id = $7`,
      [o.status, o.attempts, o.nextAttemptAt, o.lastError, o.lastStatus, o.at, id],
    );
  }
  async getDelivery(id: number): Promise<DeliveryRecord | null> {
    const r = await this.db.one<DeliveryRow>('SELECT * FROM notification_deliveries WHERE id = $1', [id]);
    return r ? deliveryFromRow(r) : null;
  }
  async listDeliveries(q: { limit: number; status?: DeliveryRecord['status']; channelId?: string }): Promise<DeliveryRecord[]> {
    const rows = await this.db.rows<DeliveryRow>(
      `SELECT * FROM notification_deliveries WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR channel_id = $2) ORDER BY id DESC LIMIT $3`,
      [q.status ?? null, q.channelId ?? null, q.limit],
    );
    return rows.map(deliveryFromRow);
  }
  async retryDelivery(id: number, now: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND status = 'failed'`,
      [now, id],
    );
    return (r.rowCount ?? 0) > 0;
  }
  async pruneDeliveries(before: number): Promise<number> {
    return (await this.db.query(`DELETE FROM notification_deliveries WHERE status <> 'pending' AND updated_at < $1`, [before])).rowCount ?? 0;
  }
}
