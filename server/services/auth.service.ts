/**
 * @module server/services/auth.service
 * Identities and sessions: password login with throttling, display-token enrolment, session
 * checks, user and display management, and the audit trail of all of it. Passwords are hashed
 * with scrypt (node:crypto; memory-hard); session cookies, display tokens and ingest keys are
 * 256-bit random values of which only a SHA-256 hash is stored.
 */
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AuditEntry, DisplayTokenView, Role, SessionInfo, UserView } from '../../shared/index.ts';
import { bindArea, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { FailureThrottle } from '../domain/throttle.ts';
import type { Clock, DisplayTokenRecord, Logger, Metrics, Store, UserRecord } from '../ports.ts';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url) */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const newSecret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface AuthOptions {
  sessionTtlMs: number;
  displaySessionTtlMs: number;
  /** failed logins per username, and per address, within the window before throttling */
  loginFailuresPerUser: number;
  loginFailuresPerAddress: number;
  loginWindowMs: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = {
  sessionTtlMs: 12 * 3_600_000,
  displaySessionTtlMs: 365 * 86_400_000,
  loginFailuresPerUser: 5,
  loginFailuresPerAddress: 20,
  loginWindowMs: 15 * 60_000,
};

export interface AuditInput {
  actor: string;
  actorKind: AuditEntry['actorKind'];
  action: string;
  target?: string;
  outcome: AuditEntry['outcome'];
  ip: string;
  detail?: string;
}

export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHORIZED' | 'RATE_LIMITED' | 'VALIDATION' | 'CONFLICT' | 'NOT_FOUND',
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export interface AuthServiceDeps {
  store: Store;
  tree: AreaTree;
  clock: Clock;
  logger: Logger;
  options?: Partial<AuthOptions>;
  /** told the hashes of sessions that just ended, so live sockets can be closed */
  onSessionsEnded?: (hashes: string[]) => void;
  /** failed logins counted for `GET /metrics` */
  metrics?: Pick<Metrics, 'loginFailed'>;
}

const iso = (t: number) => new Date(t).toISOString();
export const userView = (u: UserRecord): UserView => ({
  id: u.id,
  username: u.username,
  role: u.role,
  areaId: u.areaId,
  createdAt: iso(u.createdAt),
  disabledAt: u.disabledAt === null ? null : iso(u.disabledAt),
});
export const displayView = (d: DisplayTokenRecord): DisplayTokenView => ({
  id: d.id,
  name: d.name,
  areaId: d.areaId,
  createdAt: iso(d.createdAt),
  createdBy: d.createdBy,
  revokedAt: d.revokedAt === null ? null : iso(d.revokedAt),
});

export function createAuthService(deps: AuthServiceDeps) {
  const { store, tree, clock, logger } = deps;
  const opt = { ...DEFAULT_AUTH_OPTIONS, ...deps.options };
  const perUser = new FailureThrottle(opt.loginFailuresPerUser, opt.loginWindowMs);
  const perAddress = new FailureThrottle(opt.loginFailuresPerAddress, opt.loginWindowMs);
  // verifying against this when the user does not exist keeps both answers equally slow
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));
  const ended = (hashes: string[]) => {
    if (hashes.length) deps.onSessionsEnded?.(hashes);
  };

  async function audit(a: AuditInput): Promise<void> {
    await store.appendAudit({
      at: clock.now(),
      actor: a.actor,
      actorKind: a.actorKind,
      action: a.action,
      target: a.target ?? '',
      outcome: a.outcome,
      ip: a.ip,
      detail: a.detail ?? '',
    });
  }

  async function startSession(who: { userId: string } | { displayId: string }, ttl: number, ip: string) {
    const secret = newSecret('');
    const now = clock.now();
    await store.createSession({
      hash: sha256(secret),
      userId: 'userId' in who ? who.userId : null,
      displayId: 'displayId' in who ? who.displayId : null,
      createdAt: now,
      expiresAt: now + ttl,
      ip,
    });
    return { secret, expiresAt: now + ttl };
  }

  const info = (p: Principal): SessionInfo => ({ kind: p.kind, name: p.name, role: p.role, areaId: p.areaId, expiresAt: iso(p.expiresAt) });

  return {
    audit,
    info,

    async login(username: string, password: string, ip: string): Promise<{ secret: string; principal: Principal }> {
      const now = clock.now();
      const wait = Math.max(perUser.blockedFor(`u:${username}`, now), perAddress.blockedFor(`a:${ip}`, now));
      if (wait > 0) {
        deps.metrics?.loginFailed('throttled');
        await audit({ actor: username, actorKind: 'anonymous', action: 'login', outcome: 'denied', ip, detail: 'throttled' });
        const minutes = Math.ceil(wait / 60_000);
        throw new AuthError('RATE_LIMITED', `too many failed logins for this user or address; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, wait);
      }
      const user = await store.findUserByUsername(username);
      const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyHash), false);
      if (!user || !ok || user.disabledAt !== null) {
        perUser.fail(`u:${username}`, now);
        perAddress.fail(`a:${ip}`, now);
        const why = !user ? 'unknown user' : !ok ? 'wrong password' : 'user disabled';
        deps.metrics?.loginFailed(!user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled');
        await audit({ actor: username, actorKind: 'anonymous', action: 'login', outcome: 'failed', ip, detail: why });
        throw new AuthError('UNAUTHORIZED', 'wrong username or password');
      }
      perUser.reset(`u:${username}`);
      const s = await startSession({ userId: user.id }, opt.sessionTtlMs, ip);
      await audit({ actor: user.username, actorKind: 'user', action: 'login', outcome: 'ok', ip, detail: `role ${user.role}, area ${user.areaId}` });
      return {
        secret: s.secret,
        principal: { kind: 'user', id: user.id, name: user.username, role: user.role, areaId: user.areaId, sessionHash: sha256(s.secret), expiresAt: s.expiresAt },
      };
    },

    async enrolDisplay(token: string, ip: string): Promise<{ secret: string; principal: Principal }> {
      const d = await store.findDisplayTokenByHash(sha256(token));
      if (!d || d.revokedAt !== null) {
        await audit({ actor: d?.name ?? '-', actorKind: 'anonymous', action: 'display.enrol', outcome: 'failed', ip, detail: d ? 'revoked token' : 'unknown token' });
        throw new AuthError('UNAUTHORIZED', 'this display token is not valid');
      }
      const s = await startSession({ displayId: d.id }, opt.displaySessionTtlMs, ip);
      await audit({ actor: d.name, actorKind: 'display', action: 'display.enrol', target: d.areaId, outcome: 'ok', ip });
      return {
        secret: s.secret,
        principal: { kind: 'display', id: d.id, name: d.name, role: 'wall', areaId: d.areaId, sessionHash: sha256(s.secret), expiresAt: s.expiresAt },
      };
    },

    /** the principal behind a session cookie, or null if it is unknown, expired or revoked */
    async authenticate(secret: string | undefined): Promise<Principal | null> {
      if (!secret || secret.length > 200) return null;
      return this.authenticateHash(sha256(secret));
    },

    /** the same, by the stored hash (to re-check live sockets) */
    async authenticateHash(hash: string): Promise<Principal | null> {
      const s = await store.findSession(hash);
      if (!s) return null;
      if (s.expiresAt <= clock.now()) {
        await store.deleteSession(hash);
        return null;
      }
      if (s.userId) {
        const u = await store.getUser(s.userId);
        if (!u || u.disabledAt !== null) return null;
        return { kind: 'user', id: u.id, name: u.username, role: u.role, areaId: u.areaId, sessionHash: hash, expiresAt: s.expiresAt };
      }
      const d = await store.getDisplayToken(s.displayId!);
      if (!d || d.revokedAt !== null) return null;
      return { kind: 'display', id: d.id, name: d.name, role: 'wall', areaId: d.areaId, sessionHash: hash, expiresAt: s.expiresAt };
    },

    async logout(p: Principal, ip: string): Promise<void> {
      await store.deleteSession(p.sessionHash);
      ended([p.sessionHash]);
      await audit({ actor: p.name, actorKind: p.kind, action: 'logout', outcome: 'ok', ip });
    },

    // ── users ───────────────────────────────────────────────────────────────
    async createUser(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, u: { username: string; role: Role; areaId?: string | undefined; password: string }): Promise<UserRecord> {
      const bound = bindArea(tree, u.role, u.areaId);
      if ('error' in bound) throw new AuthError('VALIDATION', bound.error);
      if (await store.findUserByUsername(u.username)) throw new AuthError('CONFLICT', `user ${u.username} exists already`);
      const rec: UserRecord = { id: randomUUID(), username: u.username, role: u.role, areaId: bound.areaId, passwordHash: await hashPassword(u.password), createdAt: clock.now(), disabledAt: null };
      await store.createUser(rec);
      await audit({ ...by, action: 'user.create', target: u.username, outcome: 'ok', detail: `role ${u.role}, area ${bound.areaId}` });
      return rec;
    },

    async setUserDisabled(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, idOrName: string, disabled: boolean): Promise<UserRecord> {
      const u = (await store.getUser(idOrName)) ?? (await store.findUserByUsername(idOrName));
      if (!u) throw new AuthError('NOT_FOUND', `no user ${idOrName}`);
      await store.setUserDisabled(u.id, disabled ? clock.now() : null);
      if (disabled) ended(await store.deleteSessionsOf({ userId: u.id }));
      await audit({ ...by, action: disabled ? 'user.disable' : 'user.enable', target: u.username, outcome: 'ok' });
      return (await store.getUser(u.id))!;
    },

    async resetPassword(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, idOrName: string, password: string): Promise<void> {
      const u = (await store.getUser(idOrName)) ?? (await store.findUserByUsername(idOrName));
      if (!u) throw new AuthError('NOT_FOUND', `no user ${idOrName}`);
      await store.setUserPassword(u.id, await hashPassword(password));
      ended(await store.deleteSessionsOf({ userId: u.id }));
      await audit({ ...by, action: 'user.password', target: u.username, outcome: 'ok', detail: 'password reset; sessions ended' });
    },

    // ── displays ────────────────────────────────────────────────────────────
    async createDisplay(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, name: string, areaId: string): Promise<{ display: DisplayTokenRecord; token: string }> {
      const bound = bindArea(tree, 'wall', areaId);
      if ('error' in bound) throw new AuthError('VALIDATION', bound.error);
      const token = newSecret('osd_');
      const display: DisplayTokenRecord = { id: randomUUID(), name, areaId: bound.areaId, createdBy: by.actor, createdAt: clock.now(), revokedAt: null };
      await store.createDisplayToken({ ...display, hash: sha256(token) });
      await audit({ ...by, action: 'display.create', target: name, outcome: 'ok', detail: `area ${bound.areaId}` });
      return { display, token };
    },

    async revokeDisplay(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, id: string): Promise<DisplayTokenRecord> {
      const d = await store.getDisplayToken(id);
      if (!d) throw new AuthError('NOT_FOUND', `no display ${id}`);
      await store.revokeDisplayToken(id, clock.now());
      ended(await store.deleteSessionsOf({ displayId: id }));
      await audit({ ...by, action: 'display.revoke', target: d.name, outcome: 'ok' });
      return (await store.getDisplayToken(id))!;
    },

    /** housekeeping for long runs */
    async prune(): Promise<void> {
      const now = clock.now();
      perUser.prune(now);
      perAddress.prune(now);
      await store.pruneSessions(now);
    },

    logger,
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
