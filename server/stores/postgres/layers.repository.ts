/**
 * @module server/stores/postgres/layers.repository
 * The district's own map layers (roads with their 路长, key areas) in PostgreSQL: one row per
 * layer, replaced under its version in one conditional statement (of two nodes saving at once, one
 * wins).
 */
import type { LayerKind, LayerRepository, StoredLayer } from '../../ports.ts';
import type { PgConnection } from './connection.ts';

export class PgLayerRepository implements LayerRepository {
  constructor(private readonly db: PgConnection) {}

  async get(kind: LayerKind): Promise<StoredLayer | null> {
    return (await this.db.one<StoredLayer>('SELECT body, version, saved_at AS "savedAt", saved_by AS "savedBy" FROM map_layers WHERE kind = $1', [kind])) ?? null;
  }

  async save(kind: LayerKind, l: StoredLayer): Promise<boolean> {
    const params = [kind, l.body, l.version, l.savedAt, l.savedBy];
    const r = l.version === 1
      ? await this.db.query('INSERT INTO map_layers (kind, body, version, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind) DO NOTHING', params)
      : await this.db.query('UPDATE map_layers SET body = $2, version = $3, saved_at = $4, saved_by = $5 WHERE kind = $1 AND version = $3 - 1', params);
    return r.rowCount === 1;
  }
}
