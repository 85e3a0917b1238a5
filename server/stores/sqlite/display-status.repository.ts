/**
 * @module server/stores/sqlite/display-status.repository
 * Display screens' last-seen time, build and reported reloads in the embedded database
 * (migration 13). One row per display, upserted.
 */
import type { WallReloadReason } from '../../../shared/index.ts';
import type { DisplayStatusRecord, DisplayStatusRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

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

export class SqliteDisplayStatusRepository implements DisplayStatusRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async seen(displayId: string, at: number, build: string | null): Promise<void> {
    this.conn
      .prep(
        `INSERT INTO display_status (display_id, last_seen_at, build) VALUES (?, ?, ?)
         ON CONFLICT (display_id) DO UPDATE SET
           last_seen_at = max(coalesce(last_seen_at, excluded.last_seen_at), excluded.last_seen_at),
           build = coalesce(excluded.build, build)`,
      )
      .run(displayId, at, build);
  }

  async reloaded(displayId: string, at: number, reason: WallReloadReason, build: string): Promise<void> {
    this.conn
      .prep(
        `INSERT INTO display_status (display_id, last_seen_at, build, reloads, last_reload_reason, last_reload_at) VALUES (?, ?, ?, 1, ?, ?)
         ON CONFLICT (display_id) DO UPDATE SET
           last_seen_at = max(coalesce(last_seen_at, excluded.last_seen_at), excluded.last_seen_at),
           build = excluded.build,
           reloads = reloads + 1,
           last_reload_reason = excluded.last_reload_reason,
           last_reload_at = excluded.last_reload_at`,
      )
      .run(displayId, at, build, reason, at);
  }

  async list(): Promise<DisplayStatusRecord[]> {
    return (this.conn.prep('SELECT * FROM display_status ORDER BY display_id').all() as DisplayStatusRow[]).map(fromRow);
  }
}
