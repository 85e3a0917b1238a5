/**
 * @module server/stores/postgres/keys.repository
 * The ingest API keys (only their SHA-256 hashes are stored).
 */
import type { IngestKeyRecord, IngestKeyRepository } from '../../ports.ts';
import type { PgConnection } from './connection.ts';
import { ingestKeyFromRow, type IngestKeyRow } from './rows.ts';

export class PgKeysRepository implements IngestKeyRepository {
  constructor(private readonly db: PgConnection) {}

  async createIngestKey(k: { id: string; name: string; hash: string; sources: string[] | null; simulated: boolean; createdAt: number }): Promise<void> {
    await this.db.query('INSERT INTO ingest_keys (id, name, hash, sources, simulated, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      k.id, k.name, k.hash, k.sources, k.simulated, k.createdAt,
    ]);
  }

  async findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null> {
    const r = await this.db.one<IngestKeyRow>('SELECT * FROM ingest_keys WHERE hash = $1', [hash]);
    return r ? ingestKeyFromRow(r) : null;
  }

  async listIngestKeys(): Promise<IngestKeyRecord[]> {
    return (await this.db.rows<IngestKeyRow>('SELECT * FROM ingest_keys ORDER BY created_at, id')).map(ingestKeyFromRow);
  }

  async revokeIngestKey(idOrName: string, at: number): Promise<number> {
    const r = await this.db.query('UPDATE ingest_keys SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL', [at, idOrName]);
    return r.rowCount ?? 0;
  }
}
