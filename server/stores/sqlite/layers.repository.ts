/**
 * @module server/stores/sqlite/layers.repository
 * The district's own map layers (roads with their 路长, key areas) in the embedded database: one
 * row per layer, replaced under its version (of two administrators saving at once, one wins).
 */
import type { LayerKind, LayerRepository, StoredLayer } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

export class SqliteLayerRepository implements LayerRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async get(kind: LayerKind): Promise<StoredLayer | null> {
    const r = this.conn.prep('SELECT body, version, saved_at AS savedAt, saved_by AS savedBy FROM map_layers WHERE kind = ?').get(kind) as StoredLayer | undefined;
    return r ?? null;
  }

  async save(kind: LayerKind, l: StoredLayer): Promise<boolean> {
    const p = { kind, body: l.body, version: l.version, savedAt: l.savedAt, savedBy: l.savedBy };
    if (l.version === 1) return this.conn.prep('INSERT INTO map_layers (kind, body, version, saved_at, saved_by) VALUES (@kind, @body, @version, @savedAt, @savedBy) ON CONFLICT (kind) DO NOTHING').run(p).changes === 1;
    return this.conn.prep('UPDATE map_layers SET body = @body, version = @version, saved_at = @savedAt, saved_by = @savedBy WHERE kind = @kind AND version = @version - 1').run(p).changes === 1;
  }
}
