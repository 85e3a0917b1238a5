/**
 * @module server/stores/sqlite/notifications.repository
 * Notification channels and the delivery outbox in the embedded database.
 */
import type { ChannelRecord } from '../../domain/notify.ts';
import type { DeliveryOutcome, DeliveryRecord, NewDelivery, NotificationRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { channelFromRow, deliveryFromRow, type ChannelRow, type DeliveryRow } from './rows.ts';

const channelOrNull = (r: ChannelRow | undefined) => (r ? channelFromRow(r) : null);
const deliveryOrNull = (r: DeliveryRow | undefined) => (r ? deliveryFromRow(r) : null);

export class SqliteNotificationRepository implements NotificationRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async createChannel(c: ChannelRecord): Promise<void> {
    this.conn.prep(`INSERT INTO notification_channels (id, name, kind, url, secret, area_id, min_severity, kinds, enabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(c.id, c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, JSON.stringify(c.kinds), c.enabled ? 1 : 0, c.createdAt, c.updatedAt);
  }
  async updateChannel(c: ChannelRecord): Promise<boolean> {
    return this.conn.prep(`UPDATE notification_channels SET name = ?, kind = ?, url = ?, secret = ?, area_id = ?, min_severity = ?, kinds = ?, enabled = ?, updated_at = ?
      WHERE id = ?`).run(c.name, c.kind, c.url, c.secret, c.areaId, c.minSeverity, JSON.stringify(c.kinds), c.enabled ? 1 : 0, c.updatedAt, c.id).changes > 0;
  }
  async deleteChannel(id: string): Promise<boolean> {
    return this.conn.prep('DELETE FROM notification_channels WHERE id = ?').run(id).changes > 0;
  }
  async getChannel(id: string): Promise<ChannelRecord | null> {
    return channelOrNull(this.conn.prep('SELECT * FROM notification_channels WHERE id = ?').get(id) as ChannelRow | undefined);
  }
  async listChannels(): Promise<ChannelRecord[]> {
    return (this.conn.prep('SELECT * FROM notification_channels ORDER BY created_at, id').all() as ChannelRow[]).map(channelFromRow);
  }
  async enqueueDeliveries(rows: NewDelivery[]): Promise<DeliveryRecord[]> {
    const ins = this.conn.prep(`INSERT INTO notification_deliveries (channel_id, channel_name, notice_key, kind, severity, payload, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (channel_id, notice_key) DO NOTHING RETURNING *`);
    return this.conn.db.transaction(() => {
      const out: DeliveryRecord[] = [];
      for (const d of rows) {
        const r = ins.get(d.channelId, d.channelName, d.noticeKey, d.kind, d.severity, d.payload, d.createdAt, d.createdAt, d.createdAt) as DeliveryRow | undefined;
        if (r) out.push(deliveryFromRow(r));
      }
      return out;
    }).immediate();
  }
  async claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.conn.prep(`UPDATE notification_deliveries SET next_attempt_at = ? WHERE id IN (
        SELECT id FROM notification_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
      ) RETURNING *`).all(leaseUntil, now, limit) as DeliveryRow[];
    return rows.map(deliveryFromRow).sort((a, b) => a.id - b.id);
  }
  async finishAttempt(id: number, o: DeliveryOutcome): Promise<void> {
    this.conn.prep(`UPDATE notification_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, last_status = ?, updated_at = ?,
      delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`).run(o.status, o.attempts, o.nextAttemptAt, o.lastError, o.lastStatus, o.at, o.status, o.at, id);
  }
  async getDelivery(id: number): Promise<DeliveryRecord | null> {
    return deliveryOrNull(this.conn.prep('SELECT * FROM notification_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined);
  }
  async listDeliveries(q: { limit: number; status?: DeliveryRecord['status']; channelId?: string }): Promise<DeliveryRecord[]> {
    const rows = this.conn.prep(`SELECT * FROM notification_deliveries WHERE (@status IS NULL OR status = @status) AND (@channel IS NULL OR channel_id = @channel) ORDER BY id DESC LIMIT @limit`).all(
      { status: q.status ?? null, channel: q.channelId ?? null, limit: q.limit },
    ) as DeliveryRow[];
    return rows.map(deliveryFromRow);
  }
  async retryDelivery(id: number, now: number): Promise<boolean> {
    return this.conn.prep(`UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'`).run(now, now, id).changes > 0;
  }
  async pruneDeliveries(before: number): Promise<number> {
    return this.conn.prep(`DELETE FROM notification_deliveries WHERE status <> 'pending' AND updated_at < ?`).run(before).changes;
  }
}
