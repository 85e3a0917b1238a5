/**
 * @module server/stores/postgres/display-configs.repository
 * Wall displays' playlists of scenes, layouts and paused rotations: one row per display ever
 * configured or paused (the scenes as `jsonb`, checked by the shared schema before they are
 * written). Each change is one upsert, so parallel saves on several nodes never lose a column the
 * other did not touch: saving the playlist keeps the pause, pausing keeps the playlist.
 */
import { DEFAULT_LAYOUT, type DisplayLayout, type Scene } from '../../../shared/index.ts';
import type { DisplayConfigRecord, DisplayConfigRepository, RotationPauseRecord } from '../../ports.ts';
import { jsonParam, type PgConnection } from './connection.ts';

interface DisplayConfigRow {
  display_id: string;
  scenes: Scene[];
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
    scenes: r.scenes,
    layout: r.layout as DisplayLayout,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    pause: r.paused_at === null ? null : { by: r.paused_by ?? '', at: r.paused_at, until: r.paused_until },
  };
}

export class PgDisplayConfigsRepository implements DisplayConfigRepository {
  constructor(private readonly db: PgConnection) {}

  async get(displayId: string): Promise<DisplayConfigRecord | null> {
    const r = await this.db.one<DisplayConfigRow>('SELECT * FROM display_configs WHERE display_id = $1', [displayId]);
    return r ? fromRow(r) : null;
  }

  async list(): Promise<DisplayConfigRecord[]> {
    return (await this.db.rows<DisplayConfigRow>('SELECT * FROM display_configs ORDER BY display_id')).map(fromRow);
  }

  async save(displayId: string, c: { scenes: Scene[]; layout: DisplayLayout; at: number; by: string }): Promise<DisplayConfigRecord> {
    const r = await this.db.one<DisplayConfigRow>(
      `INSERT INTO display_configs (display_id, scenes, layout, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4, $5)
       ON CONFLICT (display_id) DO UPDATE SET scenes = excluded.scenes, layout = excluded.layout, updated_at = excluded.updated_at, updated_by = excluded.updated_by
       RETURNING *`,
      [displayId, jsonParam(c.scenes), c.layout, c.at, c.by],
    );
    return fromRow(r!);
  }

  async setPause(displayId: string, pause: RotationPauseRecord | null): Promise<DisplayConfigRecord> {
    const r = await this.db.one<DisplayConfigRow>(
      `INSERT INTO display_configs (display_id, layout, paused_by, paused_at, paused_until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (display_id) DO UPDATE SET paused_by = excluded.paused_by, paused_at = excluded.paused_at, paused_until = excluded.paused_until
       RETURNING *`,
      [displayId, DEFAULT_LAYOUT, pause?.by ?? null, pause?.at ?? null, pause?.until ?? null],
    );
    return fromRow(r!);
  }
}
