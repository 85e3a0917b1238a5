/**
 * @module server/stores/sqlite/identities.repository
 * Users, display (wall screen) tokens and sessions in the embedded database.
 */
import type { DisplayTokenRecord, IdentityRepository, SessionRecord, UserRecord } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { displayTokenFromRow, sessionFromRow, userFromRow, type DisplayTokenRow, type SessionRow, type UserRow } from './rows.ts';

const userOrNull = (r: UserRow | undefined) => (r ? userFromRow(r) : null);
const displayOrNull = (r: DisplayTokenRow | undefined) => (r ? displayTokenFromRow(r) : null);

export class SqliteIdentityRepository implements IdentityRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async createUser(u: UserRecord): Promise<void> {
    this.conn.prep('INSERT INTO users (id, username, role, area_id, unit_id, streets, cleared, password_hash, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      u.id, u.username, u.role, u.areaId, u.unitId, JSON.stringify(u.streets), u.cleared ? 1 : 0, u.passwordHash, u.createdAt, u.disabledAt,
    );
  }
  async findUserByUsername(username: string): Promise<UserRecord | null> {
    return userOrNull(this.conn.prep('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined);
  }
  async getUser(id: string): Promise<UserRecord | null> {
    return userOrNull(this.conn.prep('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (this.conn.prep('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(userFromRow);
  }
  async setUserDisabled(id: string, at: number | null): Promise<void> {
    this.conn.prep('UPDATE users SET disabled_at = ? WHERE id = ?').run(at, id);
  }
  async setUserPassword(id: string, passwordHash: string): Promise<void> {
    this.conn.prep('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  async createDisplayToken(t: DisplayTokenRecord & { hash: string }): Promise<void> {
    this.conn.prep('INSERT INTO display_tokens (id, name, area_id, hash, created_by, created_at, revoked_at, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      t.id, t.name, t.areaId, t.hash, t.createdBy, t.createdAt, t.revokedAt, t.enrolledAt,
    );
  }
  async findDisplayTokenByHash(hash: string): Promise<DisplayTokenRecord | null> {
    return displayOrNull(this.conn.prep('SELECT * FROM display_tokens WHERE hash = ?').get(hash) as DisplayTokenRow | undefined);
  }
  async getDisplayToken(id: string): Promise<DisplayTokenRecord | null> {
    return displayOrNull(this.conn.prep('SELECT * FROM display_tokens WHERE id = ?').get(id) as DisplayTokenRow | undefined);
  }
  async listDisplayTokens(): Promise<DisplayTokenRecord[]> {
    return (this.conn.prep('SELECT * FROM display_tokens ORDER BY created_at').all() as DisplayTokenRow[]).map(displayTokenFromRow);
  }
  async revokeDisplayToken(id: string, at: number): Promise<boolean> {
    return this.conn.prep('UPDATE display_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1;
  }
  async consumeDisplayToken(hash: string, at: number): Promise<DisplayTokenRecord | null> {
    const r = this.conn.prep('UPDATE display_tokens SET enrolled_at = ? WHERE hash = ? AND revoked_at IS NULL AND enrolled_at IS NULL RETURNING *').get(at, hash);
    return displayOrNull(r as DisplayTokenRow | undefined);
  }
  async reissueDisplayToken(id: string, hash: string): Promise<boolean> {
    return this.conn.prep('UPDATE display_tokens SET hash = ?, enrolled_at = NULL WHERE id = ? AND revoked_at IS NULL').run(hash, id).changes === 1;
  }

  async createSession(x: SessionRecord): Promise<void> {
    this.conn.prep('INSERT INTO sessions (hash, user_id, display_id, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)').run(
      x.hash, x.userId, x.displayId, x.createdAt, x.expiresAt, x.ip,
    );
  }
  async findSession(hash: string): Promise<SessionRecord | null> {
    const r = this.conn.prep('SELECT * FROM sessions WHERE hash = ?').get(hash) as SessionRow | undefined;
    return r ? sessionFromRow(r) : null;
  }
  async deleteSession(hash: string): Promise<void> {
    this.conn.prep('DELETE FROM sessions WHERE hash = ?').run(hash);
  }
  async deleteSessionsOf(who: { userId?: string; displayId?: string }): Promise<string[]> {
    const col = who.userId !== undefined ? 'user_id' : 'display_id';
    const id = who.userId ?? who.displayId;
    return this.conn.db.transaction(() => {
      const hashes = this.conn.prep(`SELECT hash FROM sessions WHERE ${col} = ?`).pluck().all(id) as string[];
      this.conn.prep(`DELETE FROM sessions WHERE ${col} = ?`).run(id);
      return hashes;
    }).immediate();
  }
  async pruneSessions(now: number): Promise<void> {
    this.conn.prep('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }
}
