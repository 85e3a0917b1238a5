/**
 * @module server/stores/sqlite/resources.repository
 * The emergency resource registry in the embedded database: replaced whole on import; a dispatch
 * marks a resource busy for its incident (one statement: two officers cannot both send it).
 */
import type { Resource } from '../../../shared/index.ts';
import type { ResourceRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';

interface Row {
  id: string;
  kind: string;
  name: string;
  owner: string;
  contact: string;
  capacity: string;
  available: number;
  lng: number;
  lat: number;
  street_id: string | null;
  demo: number;
  dispatched_to: string | null;
}

const fromRow = (r: Row): Resource => ({
  id: r.id, kind: r.kind as Resource['kind'], name: r.name, owner: r.owner, contact: r.contact, capacity: r.capacity, available: r.available === 1,
  lng: r.lng, lat: r.lat, streetId: r.street_id, demo: r.demo === 1, dispatchedTo: r.dispatched_to,
});

export class SqliteResourceRepository implements ResourceRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async replaceAll(list: readonly Resource[]): Promise<void> {
    this.conn.db.transaction(() => {
      this.conn.prep('DELETE FROM resources').run();
      const ins = this.conn.prep(
        `INSERT INTO resources (id, kind, name, owner, contact, capacity, available, lng, lat, street_id, demo, dispatched_to)
         VALUES (@id, @kind, @name, @owner, @contact, @capacity, @available, @lng, @lat, @streetId, @demo, @dispatchedTo)`,
      );
      for (const r of list) ins.run({ ...r, available: r.available ? 1 : 0, demo: r.demo ? 1 : 0 });
    }).immediate();
  }

  async list(): Promise<Resource[]> {
    return (this.conn.prep('SELECT * FROM resources ORDER BY id').all() as Row[]).map(fromRow);
  }

  async get(id: string): Promise<Resource | null> {
    const r = this.conn.prep('SELECT * FROM resources WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  async dispatch(id: string, incidentId: string): Promise<boolean> {
    return this.conn.prep('UPDATE resources SET dispatched_to = ? WHERE id = ? AND available = 1 AND dispatched_to IS NULL').run(incidentId, id).changes === 1;
  }

  async free(id: string, incidentId: string): Promise<void> {
    this.conn.prep('UPDATE resources SET dispatched_to = NULL WHERE id = ? AND dispatched_to = ?').run(id, incidentId);
  }

  async release(incidentId: string): Promise<void> {
    this.conn.prep('UPDATE resources SET dispatched_to = NULL WHERE dispatched_to = ?').run(incidentId);
  }
}
