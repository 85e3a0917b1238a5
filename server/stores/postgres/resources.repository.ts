/**
 * @module server/stores/postgres/resources.repository
 * The emergency resource registry in PostgreSQL: replaced whole on import (one transaction); a
 * dispatch marks a resource busy for its incident in one conditional statement, so of two nodes
 * sending it at once one wins.
 */
import type { Resource } from '../../../shared/index.ts';
import type { ResourceRepository } from '../../ports.ts';
import type { PgConnection } from './connection.ts';

interface Row {
  id: string;
  kind: string;
  name: string;
  owner: string;
  contact: string;
  capacity: string;
  available: boolean;
  lng: number;
  lat: number;
  street_id: string | null;
  demo: boolean;
  dispatched_to: string | null;
}

const fromRow = (r: Row): Resource => ({
  id: r.id, kind: r.kind as Resource['kind'], name: r.name, owner: r.owner, contact: r.contact, capacity: r.capacity, available: r.available,
  lng: r.lng, lat: r.lat, streetId: r.street_id, demo: r.demo, dispatchedTo: r.dispatched_to,
});

export class PgResourcesRepository implements ResourceRepository {
  constructor(private readonly db: PgConnection) {}

  async replaceAll(list: readonly Resource[]): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query('DELETE FROM resources');
      if (!list.length) return;
      await c.query(
        `INSERT INTO resources (id, kind, name, owner, contact, capacity, available, lng, lat, street_id, demo, dispatched_to)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::float8[], $9::float8[], $10::text[], $11::boolean[], $12::text[])`,
        [list.map((r) => r.id), list.map((r) => r.kind), list.map((r) => r.name), list.map((r) => r.owner), list.map((r) => r.contact), list.map((r) => r.capacity),
          list.map((r) => r.available), list.map((r) => r.lng), list.map((r) => r.lat), list.map((r) => r.streetId), list.map((r) => r.demo), list.map((r) => r.dispatchedTo)],
      );
    });
  }

  async list(): Promise<Resource[]> {
    return (await this.db.rows<Row>('SELECT * FROM resources ORDER BY id')).map(fromRow);
  }

  async get(id: string): Promise<Resource | null> {
    const r = await this.db.one<Row>('SELECT * FROM resources WHERE id = $1', [id]);
    return r ? fromRow(r) : null;
  }

  async dispatch(id: string, incidentId: string): Promise<boolean> {
    const r = await this.db.query('UPDATE resources SET dispatched_to = $1 WHERE id = $2 AND available AND dispatched_to IS NULL', [incidentId, id]);
    return r.rowCount === 1;
  }

  async free(id: string, incidentId: string): Promise<void> {
    await this.db.query('UPDATE resources SET dispatched_to = NULL WHERE id = $1 AND dispatched_to = $2', [id, incidentId]);
  }

  async release(incidentId: string): Promise<void> {
    await this.db.query('UPDATE resources SET dispatched_to = NULL WHERE dispatched_to = $1', [incidentId]);
  }
}
