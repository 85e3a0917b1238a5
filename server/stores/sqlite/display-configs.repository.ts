/**
 * @module server/stores/sqlite/display-configs.repository
 * Wall displays' playlists of scenes, layouts and paused rotations in the embedded database: one
 * row per display ever configured or paused (the scenes as JSON, checked by the shared schema
 * before they are written). Saving the playlist keeps the pause, pausing keeps the playlist.
 */
import { DEFAULT_LAYOUT, type DisplayLayout, type Scene } from '../../../shared/index.ts';
import type { DisplayConfigRecord, DisplayConfigRepository, RotationPauseRecord } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

interface DisplayConfigRow {
  display_id: string;
  scenes: string;
  layout: string;
  updated_at: number | null;
  updated_by: string | null;
  paused_by: string | null;
  paused_at: number | null;
  paused_until: number | null;
}

function fromRow(r: DisplayConfigRow): DisplayConfigRecord {
  return {
    displayId: r.display_id,
    scenes: JSON.parse(r.scenes) as Scene[],
    layout: r.layout as DisplayLayout,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    pause: r.paused_at === null ? null : { by: r.paused_by ?? '', at: r.paused_at, until: r.paused_until },
  };
}

export class SqliteDisplayConfigRepository implements DisplayConfigRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async get(displayId: string): Promise<DisplayConfigRecord | null> {
    const r = this.conn.prep('SELECT * FROM display_configs WHERE display_id = ?').get(displayId) as DisplayConfigRow | undefined;
    return r ? fromRow(r) : null;
  }

  async list(): Promise<DisplayConfigRecord[]> {
    return (this.conn.prep('SELECT * FROM display_configs ORDER BY display_id').all() as DisplayConfigRow[]).map(fromRow);
  }

  async save(displayId: string, c: { scenes: Scene[]; layout: DisplayLayout; at: number; by: string }): Promise<DisplayConfigRecord> {
    const r = this.conn
      .prep(
        `INSERT INTO display_configs (display_id, scenes, layout, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (display_id) DO UPDATE SET scenes = excluded.scenes, layout = excluded.layout, updated_at = excluded.updated_at, updated_by = excluded.updated_by
         RETURNING *`,
      )
      .get(displayId, JSON.stringify(c.scenes), c.layout, c.at, c.by) as DisplayConfigRow;
    return fromRow(r);
  }

  async setPause(displayId: string, pause: RotationPauseRecord | null): Promise<DisplayConfigRecord> {
    const r = this.conn
      .prep(
        `INSERT INTO display_configs (display_id, layout, paused_by, paused_at, paused_until) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (display_id) DO UPDATE SET paused_by = excluded.paused_by, paused_at = excluded.paused_at, paused_until = excluded.paused_until
         RETURNING *`,
      )
      .get(displayId, DEFAULT_LAYOUT, pause?.by ?? null, pause?.at ?? null, pause?.until ?? null) as DisplayConfigRow;
    return fromRow(r);
  }
}
