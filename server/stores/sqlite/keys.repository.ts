/**
 * @module server/stores/sqlite/keys.repository
 * The ingest API keys in the embedded database (only their hashes are stored).
 */
import type { IngestKeyRecord, IngestKeyRepository } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { ingestKeyFromRow, type IngestKeyRow } from './rows.ts';

export class SqliteIngestKeyRepository implements IngestKeyRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async createIngestKey(k: { id: string; name: string; hash: string; sources: string[] | null; simulated: boolean; createdAt: number }): Promise<void> {
    this.conn.db
      .prepare('INSERT INTO ingest_keys (id, name, hash, sources, simulated, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(k.id, k.name, k.hash, k.sources === null ? null : JSON.stringify(k.sources), k.simulated ? 1 : 0, k.createdAt);
  }

  async findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null> {
    const r = this.conn.prep('SELECT * FROM ingest_keys WHERE hash = ?').get(hash) as IngestKeyRow | undefined;
    return r ? ingestKeyFromRow(r) : null;
  }

  async listIngestKeys(): Promise<IngestKeyRecord[]> {
    return (this.conn.prep('SELECT * FROM ingest_keys ORDER BY created_at').all() as IngestKeyRow[]).map(ingestKeyFromRow);
  }

  async revokeIngestKey(idOrName: string, at: number): Promise<number> {
    return this.conn.db
      .prepare('UPDATE ingest_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL')
      .run(at, idOrName, idOrName).changes;
  }
}
