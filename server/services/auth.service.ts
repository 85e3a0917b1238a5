/**
 * @module server/services/auth.service
 * Identities and sessions: password login with throttling, display-token enrolment, session
 * checks, user and display management, and the audit trail of all of it. Passwords are hashed
 * with scrypt (node:crypto; memory-hard); session cookies, display tokens and ingest keys are
 * 256-bit random values of which only a SHA-256 hash is stored.
 */
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AuditEntry, DisplayTokenView, Role, SessionInfo, Unit, UserView } from '../../shared/index.ts';
import { bindArea, bindIdentity, hasClearance, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AuditFolder } from '../domain/audit-fold.ts';
import { throttleKey } from '../domain/addresses.ts';
import { BoundedConcurrency, Busy } from './concurrency.ts';
import type { Clock, DisplayTokenRecord, Logger, Metrics, NewAuditEntry, Store, UserRecord } from '../ports.ts';

/** scrypt's cost parameters: N (CPU/memory cost, a power of two), r (block size), p (parallelism) */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt (Password Storage Cheat Sheet): N = 2^17, r = 8, p = 1 — 128 MiB a hash */
export const PRODUCTION_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEYLEN = 32;
/** the memory a hash with these parameters needs (128·N·r bytes), with room to spare */
const maxmemFor = (q: ScryptParams) => 256 * q.N * q.r + 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url) */
export async function hashPassword(password: string, params: ScryptParams = PRODUCTION_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEYLEN, { ...params, maxmem: maxmemFor(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** the parameters a stored hash was made with, or null if it is not one of ours */
export function hashParams(stored: string): ScryptParams | null {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  const q = { N: Number(n), r: Number(r), p: Number(p) };
  if (kind !== 'scrypt' || !salt || !hash || ![q.N, q.r, q.p].every((x) => Number.isSafeInteger(x) && x > 0)) return null;
  return q;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const q = hashParams(stored);
  if (!q) return false;
  const [, , , , salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt!, 'base64url'), expected.length, { ...q, maxmem: maxmemFor(q) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** a hash made with weaker parameters than `target` is redone at the next sign-in */
export const needsRehash = (stored: string, target: ScryptParams) => {
  const q = hashParams(stored);
  return !q || q.N < target.N || q.r < target.r || q.p < target.p;
};

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const newSecret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface AuthOptions {
  sessionTtlMs: number;
  displaySessionTtlMs: number;
  /**
   * failed sign-ins per (username, address), and per address, within the window before throttling.
   * Per username *and* address: guessing from one address never locks the user out elsewhere.
   */
  loginFailuresPerUser: number;
  loginFailuresPerAddress: number;
  loginWindowMs: number;
  /**
   * failed sign-ins per account from all addresses together before the account is paced: then
   * one attempt per `accountPaceMs` for it, whoever sends it (slowed, never locked)
   */
  loginFailuresPerAccount: number;
  accountPaceMs: number;
  /** requests per address per minute to the routes that anyone may call and that write (sign-in, enrolment) */
  anonymousPerMinute: number;
  /** password hashes computed at once, and waiting; more are refused as busy */
  hashingConcurrency: number;
  hashingQueue: number;
  /** identical failures within this window are audited once, with their count */
  auditFoldMs: number;
  /** password hashing cost; lower only in tests */
  scrypt: ScryptParams;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = {
  sessionTtlMs: 12 * 3_600_000,
  displaySessionTtlMs: 365 * 86_400_000,
  loginFailuresPerUser: 5,
  loginFailuresPerAddress: 20,
  loginWindowMs: 15 * 60_000,
  loginFailuresPerAccount: 10,
  accountPaceMs: 5_000,
  anonymousPerMinute: 60,
  hashingConcurrency: 2,
  hashingQueue: 64,
  auditFoldMs: 60_000,
  scrypt: PRODUCTION_SCRYPT,
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
  store: Pick<Store, 'identities' | 'audit'>;
  tree: AreaTree;
  clock: Clock;
  logger: Logger;
  /** the units a `unit` account may work for (default none: no unit account can be made) */
  units?: readonly Unit[];
  options?: Partial<AuthOptions>;
  /** told the hashes of sessions that just ended, so live sockets can be closed */
  onSessionsEnded?: (hashes: string[]) => void;
  /** failed logins counted for `GET /metrics` */
  metrics?: Pick<Metrics, 'loginFailed'>;
  /** where throttles count (default: in this process; with several nodes, in Redis: `Cluster.limiter`) */
  limiter?: (o: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;
}

const iso = (t: number) => new Date(t).toISOString();
export const userView = (u: UserRecord): UserView => ({
  id: u.id,
  username: u.username,
  role: u.role,
  areaId: u.areaId,
  unitId: u.unitId,
  streets: u.streets,
  cleared: u.cleared,
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
  enrolledAt: d.enrolledAt === null ? null : iso(d.enrolledAt),
});

const minutes = (ms: number) => {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
};

export function createAuthService(deps: AuthServiceDeps) {
  const { store, tree, clock, logger } = deps;
  const opt = { ...DEFAULT_AUTH_OPTIONS, ...deps.options };
  const windowSec = Math.ceil(opt.loginWindowMs / 1000);
  // attempts are reserved before the password is hashed, so parallel guesses cannot all be checked;
  // a successful sign-in gives its reservation back
  const limiter = deps.limiter ?? ((o) => new RateLimiterMemory(o));
  const perUser = limiter({ keyPrefix: 'login-user', points: opt.loginFailuresPerUser, duration: windowSec });
  const perAddress = limiter({ keyPrefix: 'login-address', points: opt.loginFailuresPerAddress, duration: windowSec });
  const anonymous = limiter({ keyPrefix: 'anonymous', points: opt.anonymousPerMinute, duration: 60 });
  // across addresses (a botnet, or one host's many IPv6 addresses): counted, then paced
  const perAccount = limiter({ keyPrefix: 'login-account', points: opt.loginFailuresPerAccount, duration: windowSec });
  const accountPace = limiter({ keyPrefix: 'login-pace', points: 1, duration: Math.max(1, Math.ceil(opt.accountPaceMs / 1000)) });
  // password hashing runs on libuv's threads, which file reads share: never more than a few at once
  const hashing = new BoundedConcurrency(opt.hashingConcurrency, opt.hashingQueue);
  const hashed = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await hashing.run(work);
    } catch (err) {
      if (err instanceof Busy) throw new AuthError('RATE_LIMITED', 'the server is busy checking sign-ins; try again in a few seconds', 3_000);
      throw err;
    }
  };
  /** give back a point reserved in a limiter, if its window still holds it (never credit beyond it) */
  const giveBack = async (limiter: RateLimiterAbstract, key: string) => {
    const r = await limiter.get(key);
    if (r && r.consumedPoints > 0) await limiter.reward(key);
  };
  const folder = new AuditFolder<NewAuditEntry>(opt.auditFoldMs);
  // verifying against this when the user does not exist keeps both answers equally slow
  const dummyHash = hashPassword(randomBytes(16).toString('hex'), opt.scrypt);
  const ended = (hashes: string[]) => {
    if (hashes.length) deps.onSessionsEnded?.(hashes);
  };

  async function audit(a: AuditInput): Promise<void> {
    const rows = folder.offer({
      at: clock.now(),
      actor: a.actor.slice(0, 200),
      actorKind: a.actorKind,
      action: a.action.slice(0, 200),
      target: (a.target ?? '').slice(0, 200),
      outcome: a.outcome,
      ip: a.ip,
      detail: (a.detail ?? '').slice(0, 500),
    });
    for (const r of rows) await store.audit.appendAudit(r);
  }

  /** write the closing rows of folded failures whose window has passed (all of them with `all`) */
  async function flushAudit(all = false): Promise<void> {
    for (const r of folder.due(clock.now(), all)) await store.audit.appendAudit(r);
  }

  /**
   * Anyone may call sign-in and enrolment, and each call writes to the audit trail: a limit per
   * address keeps one caller from filling it (or the CPU, with password hashes).
   */
  async function admitAnonymous(action: string, ip: string): Promise<void> {
    try {
      await anonymous.consume(throttleKey(ip));
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      await audit({ actor: '-', actorKind: 'anonymous', action, outcome: 'denied', ip, detail: 'too many requests from this address' });
      throw new AuthError('RATE_LIMITED', `too many requests from this address; try again in ${Math.ceil(res.msBeforeNext / 1000)} s`, res.msBeforeNext);
    }
  }

  /**
   * Reserve one failed attempt — for the address, for the user at the address, and for the account
   * from anywhere — before the password is hashed, or refuse. Returns the keys to give back on
   * success. Past the account's allowance attempts are paced rather than refused outright.
   */
  async function reserveAttempt(username: string, ip: string): Promise<{ address: string; userAtAddress: string }> {
    const address = throttleKey(ip);
    const userAtAddress = `${username}\u0000${address}`;
    const refuse = async (ms: number, message: string) => {
      deps.metrics?.loginFailed('throttled');
      await audit({ actor: username, actorKind: 'anonymous', action: 'login', outcome: 'denied', ip, detail: 'throttled' });
      throw new AuthError('RATE_LIMITED', message, ms);
    };
    const attempt = async (limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> => {
      try {
        await limiter.consume(key);
        return null;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        return res;
      }
    };
    const byAddress = await attempt(perAddress, address);
    if (byAddress) return refuse(byAddress.msBeforeNext, `too many failed sign-ins from this address; try again in ${minutes(byAddress.msBeforeNext)}`);
    const byUser = await attempt(perUser, userAtAddress);
    if (byUser) {
      await giveBack(perAddress, address);
      return refuse(byUser.msBeforeNext, `too many failed sign-ins for this user from this address; try again in ${minutes(byUser.msBeforeNext)}`);
    }
    if (await attempt(perAccount, username)) {
      // tried from many addresses: one attempt per pace for this account, whoever sends it
      const paced = await attempt(accountPace, username);
      if (paced) {
        await giveBack(perAddress, address);
        await giveBack(perUser, userAtAddress);
        const s = Math.max(1, Math.ceil(paced.msBeforeNext / 1000));
        return refuse(paced.msBeforeNext, `this account is being tried from many addresses, so its sign-ins are slowed; try again in ${s} s`);
      }
    }
    return { address, userAtAddress };
  }

  async function startSession(who: { userId: string } | { displayId: string }, ttl: number, ip: string) {
    const secret = newSecret('');
    const now = clock.now();
    await store.identities.createSession({
      hash: sha256(secret),
      userId: 'userId' in who ? who.userId : null,
      displayId: 'displayId' in who ? who.displayId : null,
      createdAt: now,
      expiresAt: now + ttl,
      ip,
    });
    return { secret, expiresAt: now + ttl };
  }

  const info = (p: Principal): SessionInfo => ({ kind: p.kind, name: p.name, role: p.role, areaId: p.areaId, ...(p.unitId ? { unitId: p.unitId } : {}), ...(p.streets?.length ? { streets: [...p.streets] } : {}), cleared: hasClearance(p), expiresAt: iso(p.expiresAt) });
  const units = new Map((deps.units ?? []).map((u) => [u.id, u]));
  /** a person's principal (with the unit of a unit account) */
  const userPrincipal = (u: UserRecord, sessionHash: string, expiresAt: number): Principal => ({
    kind: 'user', id: u.id, name: u.username, role: u.role, areaId: u.areaId, ...(u.unitId !== null ? { unitId: u.unitId } : {}), ...(u.streets.length ? { streets: u.streets } : {}), cleared: u.cleared, sessionHash, expiresAt,
  });

  return {
    audit,
    flushAudit,
    admitAnonymous,
    info,
    options: opt,

    async login(username: string, password: string, ip: string): Promise<{ secret: string; principal: Principal }> {
      await admitAnonymous('login', ip);
      const reserved = await reserveAttempt(username, ip);
      const user = await store.identities.findUserByUsername(username);
      let ok: boolean;
      try {
        ok = await hashed(async () => (user ? verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyHash), false)));
      } catch (err) {
        // not checked (the server is busy): the attempt does not count
        await giveBack(perAddress, reserved.address);
        await giveBack(perUser, reserved.userAtAddress);
        await giveBack(perAccount, username);
        throw err;
      }
      if (!user || !ok || user.disabledAt !== null) {
        const why = !user ? 'unknown user' : !ok ? 'wrong password' : 'user disabled';
        deps.metrics?.loginFailed(!user ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled');
        await audit({ actor: username, actorKind: 'anonymous', action: 'login', outcome: 'failed', ip, detail: why });
        throw new AuthError('UNAUTHORIZED', 'wrong username or password');
      }
      await perUser.delete(reserved.userAtAddress);
      await giveBack(perAddress, reserved.address);
      await giveBack(perAccount, username);
      if (needsRehash(user.passwordHash, opt.scrypt)) {
        // stronger parameters than when the password was set: redo the hash while we have it
        await store.identities.setUserPassword(user.id, await hashed(() => hashPassword(password, opt.scrypt)));
        logger.info({ user: user.username }, 'password hash upgraded to the current cost');
      }
      const s = await startSession({ userId: user.id }, opt.sessionTtlMs, ip);
      await audit({ actor: user.username, actorKind: 'user', action: 'login', outcome: 'ok', ip, detail: `role ${user.role}, area ${user.areaId}` });
      return {
        secret: s.secret,
        principal: userPrincipal(user, sha256(s.secret), s.expiresAt),
      };
    },

    /**
     * Enrol a screen with its display token. A token works once: of parallel attempts only one
     * gets a session, and a used, revoked or unknown token is refused.
     */
    async enrolDisplay(token: string, ip: string): Promise<{ secret: string; principal: Principal }> {
      await admitAnonymous('display.enrol', ip);
      const hash = sha256(token);
      const d = await store.identities.consumeDisplayToken(hash, clock.now());
      if (!d) {
        const known = await store.identities.findDisplayTokenByHash(hash);
        const why = !known ? 'unknown token' : known.revokedAt !== null ? 'revoked token' : 'token used already';
        await audit({ actor: known?.name ?? '-', actorKind: 'anonymous', action: 'display.enrol', outcome: 'failed', ip, detail: why });
        throw new AuthError(
          'UNAUTHORIZED',
          known && known.revokedAt === null
            ? 'this display link has been used already; an administrator can make a new one in /admin'
            : 'this display link is not valid',
        );
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
      const s = await store.identities.findSession(hash);
      if (!s) return null;
      if (s.expiresAt <= clock.now()) {
        await store.identities.deleteSession(hash);
        return null;
      }
      if (s.userId) {
        const u = await store.identities.getUser(s.userId);
        if (!u || u.disabledAt !== null) return null;
        return userPrincipal(u, hash, s.expiresAt);
      }
      const d = await store.identities.getDisplayToken(s.displayId!);
      if (!d || d.revokedAt !== null) return null;
      return { kind: 'display', id: d.id, name: d.name, role: 'wall', areaId: d.areaId, sessionHash: hash, expiresAt: s.expiresAt };
    },

    async logout(p: Principal, ip: string, detail?: string): Promise<void> {
      await store.identities.deleteSession(p.sessionHash);
      ended([p.sessionHash]);
      await audit({ actor: p.name, actorKind: p.kind, action: 'logout', outcome: 'ok', ip, ...(detail ? { detail } : {}) });
    },

    // ── users ───────────────────────────────────────────────────────────────
    async createUser(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, u: { username: string; role: Role; areaId?: string | undefined; unitId?: string | undefined; streets?: readonly string[] | undefined; cleared?: boolean | undefined; password: string }): Promise<UserRecord> {
      const bound = bindIdentity(tree, units, u.role, u.areaId, u.unitId, u.streets);
      if ('error' in bound) throw new AuthError('VALIDATION', bound.error);
      if (await store.identities.findUserByUsername(u.username)) throw new AuthError('CONFLICT', `user ${u.username} exists already`);
      const rec: UserRecord = { id: randomUUID(), username: u.username, role: u.role, areaId: bound.areaId, unitId: bound.unitId, streets: bound.streets, cleared: u.cleared === true, passwordHash: await hashed(() => hashPassword(u.password, opt.scrypt)), createdAt: clock.now(), disabledAt: null };
      await store.identities.createUser(rec);
      await audit({ ...by, action: 'user.create', target: u.username, outcome: 'ok', detail: `role ${u.role}, area ${bound.areaId}${bound.streets.length ? ` (streets ${bound.streets.join(', ')})` : ''}${bound.unitId ? `, unit ${bound.unitId}` : ''}${u.cleared ? ', cleared for confidential cases' : ''}` });
      return rec;
    },

    async setUserDisabled(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, idOrName: string, disabled: boolean): Promise<UserRecord> {
      const u = (await store.identities.getUser(idOrName)) ?? (await store.identities.findUserByUsername(idOrName));
      if (!u) throw new AuthError('NOT_FOUND', `no user ${idOrName}`);
      await store.identities.setUserDisabled(u.id, disabled ? clock.now() : null);
      if (disabled) ended(await store.identities.deleteSessionsOf({ userId: u.id }));
      await audit({ ...by, action: disabled ? 'user.disable' : 'user.enable', target: u.username, outcome: 'ok' });
      return (await store.identities.getUser(u.id))!;
    },

    async resetPassword(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, idOrName: string, password: string): Promise<void> {
      const u = (await store.identities.getUser(idOrName)) ?? (await store.identities.findUserByUsername(idOrName));
      if (!u) throw new AuthError('NOT_FOUND', `no user ${idOrName}`);
      await store.identities.setUserPassword(u.id, await hashed(() => hashPassword(password, opt.scrypt)));
      ended(await store.identities.deleteSessionsOf({ userId: u.id }));
      await audit({ ...by, action: 'user.password', target: u.username, outcome: 'ok', detail: 'password reset; sessions ended' });
    },

    // ── displays ────────────────────────────────────────────────────────────
    async createDisplay(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, name: string, areaId: string): Promise<{ display: DisplayTokenRecord; token: string }> {
      const bound = bindArea(tree, 'wall', areaId);
      if ('error' in bound) throw new AuthError('VALIDATION', bound.error);
      const token = newSecret('osd_');
      const display: DisplayTokenRecord = { id: randomUUID(), name, areaId: bound.areaId, createdBy: by.actor, createdAt: clock.now(), revokedAt: null, enrolledAt: null };
      await store.identities.createDisplayToken({ ...display, hash: sha256(token) });
      await audit({ ...by, action: 'display.create', target: name, outcome: 'ok', detail: `area ${bound.areaId}` });
      return { display, token };
    },

    /**
     * A new enrolment link for a display whose screen lost its session (a new browser, a wiped
     * profile): the old link stops working; screens already enrolled keep running.
     */
    async reissueDisplay(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, id: string): Promise<{ display: DisplayTokenRecord; token: string }> {
      const d = await store.identities.getDisplayToken(id);
      if (!d) throw new AuthError('NOT_FOUND', `no display ${id}`);
      const token = newSecret('osd_');
      if (!(await store.identities.reissueDisplayToken(id, sha256(token)))) throw new AuthError('CONFLICT', `display ${d.name} is revoked; create a new one`);
      await audit({ ...by, action: 'display.link', target: d.name, outcome: 'ok', detail: 'new enrolment link' });
      return { display: (await store.identities.getDisplayToken(id))!, token };
    },

    async revokeDisplay(by: { actor: string; actorKind: AuditEntry['actorKind']; ip: string }, id: string): Promise<DisplayTokenRecord> {
      const d = await store.identities.getDisplayToken(id);
      if (!d) throw new AuthError('NOT_FOUND', `no display ${id}`);
      await store.identities.revokeDisplayToken(id, clock.now());
      ended(await store.identities.deleteSessionsOf({ displayId: id }));
      await audit({ ...by, action: 'display.revoke', target: d.name, outcome: 'ok' });
      return (await store.identities.getDisplayToken(id))!;
    },

    /** housekeeping for long runs */
    async prune(): Promise<void> {
      await flushAudit();
      await store.identities.pruneSessions(clock.now());
    },

    logger,
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
