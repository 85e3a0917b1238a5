/**
 * @module server/stores/postgres/identities.repository
 * Users, display (wall screen) tokens and sessions. Only hashes of tokens and cookies are stored.
 */
import type { DisplayTokenRecord, IdentityRepository, SessionRecord, UserRecord } from '../../ports.ts';
import type { PgConnection } from './connection.ts';
import { displayTokenFromRow, sessionFromRow, userFromRow, type DisplayTokenRow, type SessionRow, type UserRow } from './rows.ts';

export class PgIdentitiesRepository implements IdentityRepository {
  constructor(private readonly db: PgConnection) {}

  async createUser(u: UserRecord): Promise<void> {
    await this.db.query('INSERT INTO users (id, username, role, area_id, unit_id, streets, cleared, password_hash, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
      u.id, u.username, u.role, u.areaId, u.unitId, u.streets, u.cleared, u.passwordHash, u.createdAt, u.disabledAt,
    ]);
  }
  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const r = await this.db.one<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    return r ? userFromRow(r) : null;
  }
  async getUser(id: string): Promise<UserRecord | null> {
    const r = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return r ? userFromRow(r) : null;
  }
  async listUsers(): Promise<UserRecord[]> {
    // byte order, as SQLite's default collation sorts
    return (await this.db.rows<UserRow>('SELECT * FROM users ORDER BY username COLLATE "C"')).map(userFromRow);
  }
  async setUserDisabled(id: string, at: number | null): Promise<void> {
    await this.db.query('UPDATE users SET disabled_at = $1 WHERE id = $2', [at, id]);
  }
  async setUserPassword(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, id]);
  }

  async createDisplayToken(t: DisplayTokenRecord & { hash: string }): Promise<void> {
    await this.db.query(
      'INSERT INTO display_tokens (id, name, area_id, hash, created_by, created_at, revoked_at, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [t.id, t.name, t.areaId, t.hash, t.createdBy, t.createdAt, t.revokedAt, t.enrolledAt],
    );
  }
  async findDisplayTokenByHash(hash: string): Promise<DisplayTokenRecord | null> {
    const r = await this.db.one<DisplayTokenRow>('SELECT * FROM display_tokens WHERE hash = $1', [hash]);
    return r ? displayTokenFromRow(r) : null;
  }
  async getDisplayToken(id: string): Promise<DisplayTokenRecord | null> {
    const r = await this.db.one<DisplayTokenRow>('SELECT * FROM display_tokens WHERE id = $1', [id]);
    return r ? displayTokenFromRow(r) : null;
  }
  async listDisplayTokens(): Promise<DisplayTokenRecord[]> {
    return (await this.db.rows<DisplayTokenRow>('SELECT * FROM display_tokens ORDER BY created_at, id')).map(displayTokenFromRow);
  }
  async revokeDisplayToken(id: string, at: number): Promise<boolean> {
    return ((await this.db.query('UPDATE display_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])).rowCount ?? 0) === 1;
  }
  async consumeDisplayToken(hash: string, at: number): Promise<DisplayTokenRecord | null> {
    // one statement: of two parallel enrolments (on any nodes) the row lock lets one through, and
    // the other re-checks `enrolled_at IS NULL` on the updated row and gets nothing
    const r = await this.db.one<DisplayTokenRow>(
      'UPDATE display_tokens SET enrolled_at = $1 WHERE hash = $2 AND revoked_at IS NULL AND enrolled_at IS NULL RETURNING *',
      [at, hash],
    );
    return r ? displayTokenFromRow(r) : null;
  }
  async reissueDisplayToken(id: string, hash: string): Promise<boolean> {
    return ((await this.db.query('UPDATE display_tokens SET hash = $1, enrolled_at = NULL WHERE id = $2 AND revoked_at IS NULL', [hash, id])).rowCount ?? 0) === 1;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.db.query('INSERT INTO sessions (hash, user_id, display_id, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)', [
      s.hash, s.userId, s.displayId, s.createdAt, s.expiresAt, s.ip,
    ]);
  }
  async findSession(hash: string): Promise<SessionRecord | null> {
    const r = await this.db.one<SessionRow>('SELECT * FROM sessions WHERE hash = $1', [hash]);
    return r ? sessionFromRow(r) : null;
  }
  async deleteSession(hash: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE hash = $1', [hash]);
  }
  async deleteSessionsOf(who: { userId?: string; displayId?: string }): Promise<string[]> {
    const col = who.userId !== undefined ? 'user_id' : 'display_id';
    const id = who.userId ?? who.displayId;
    return (await this.db.rows<{ hash: string }>(`DELETE FROM sessions WHERE ${col} = $1 RETURNING hash`, [id])).map((r) => r.hash);
  }
  async pruneSessions(now: number): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }
}
