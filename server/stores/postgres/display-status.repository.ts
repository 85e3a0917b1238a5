/**
 * @module server/stores/postgres/display-status.repository
 * Display screens' last-seen time, build and reported reloads (migration 4). One row per display,
 * upserted.
 */
import type { WallReloadReason } from '../../../shared/index.ts';
import type { DisplayStatusRecord, DisplayStatusRepository } from '../../ports.ts';
import { textParam, type PgConnection } from './connection.ts';

interface DisplayStatusRow {
  display_id: string;
  last_seen_at: number | null;
  build: string | null;
  reloads: number;
  last_reload_reason: string | null;
  last_reload_at: number | null;
}

const fromRow = (r: DisplayStatusRow): DisplayStatusRecord => ({
  displayId: r.display_id,
  lastSeenAt: r.last_seen_at,
  build: r.build,
  reloads: r.reloads,
  lastReloadReason: r.last_reload_reason as WallReloadReason | null,
  lastReloadAt: r.last_reload_at,
});

export class PgDisplayStatusRepository implements DisplayStatusRepository {
  constructor(private readonly db: PgConnection) {}

  async seen(displayId: string, at: number, build: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO display_status AS d (display_id, last_seen_at, build) VALUES ($1, $2, $3)
       ON CONFLICT (display_id) DO UPDATE SET
         last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
         build = coalesce(excluded.build, d.build)`,
      [textParam(displayId), at, textParam(build)],
    );
  }

  async reloaded(displayId: string, at: number, reason: WallReloadReason, build: string): Promise<void> {
    await this.db.query(
      `INSERT INTO display_status AS d (display_id, last_seen_at, build, reloads, last_reload_reason, last_reload_at) VALUES ($1, $2, $3, 1, $4, $2)
       ON CONFLICT (display_id) DO UPDATE SET
         last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
         build = excluded.build,
         reloads = d.reloads + 1,
         last_reload_reason = excluded.last_reload_reason,
         last_reload_at = excluded.last_reload_at`,
      [textParam(displayId), at, textParam(build), reason],
    );
  }

  async list(): Promise<DisplayStatusRecord[]> {
    return (await this.db.rows<DisplayStatusRow>('SELECT * FROM display_status ORDER BY display_id')).map(fromRow);
  }
}
