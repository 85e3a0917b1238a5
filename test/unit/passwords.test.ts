import { describe, expect, it } from 'vitest';
import { AreaTree } from '../../server/domain/areas.ts';
import { createAuthService, DEFAULT_AUTH_OPTIONS, hashParams, hashPassword, needsRehash, PRODUCTION_SCRYPT, verifyPassword } from '../../server/services/auth.service.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { quietLogger, shippedData } from '../helpers/server.ts';

describe('password hashing', () => {
  it("should use at least OWASP's scrypt minimum in production (N = 2^17, r = 8, p = 1)", async () => {
    expect(PRODUCTION_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(DEFAULT_AUTH_OPTIONS.scrypt).toBe(PRODUCTION_SCRYPT);
    const h = await hashPassword('correct horse battery');
    expect(hashParams(h)).toEqual(PRODUCTION_SCRYPT);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse battery!', h)).toBe(false);
  });

  it('should ask for a rehash only of weaker hashes', async () => {
    const weak = await hashPassword('pw', { N: 2 ** 10, r: 8, p: 1 });
    expect(needsRehash(weak, PRODUCTION_SCRYPT)).toBe(true);
    expect(needsRehash(weak, { N: 2 ** 10, r: 8, p: 1 })).toBe(false);
    expect(needsRehash(weak, { N: 2 ** 8, r: 8, p: 1 })).toBe(false); // never downgraded
    expect(needsRehash('bcrypt$whatever', PRODUCTION_SCRYPT)).toBe(true);
    expect(await verifyPassword('pw', 'scrypt$NaN$8$1$c2FsdA$aGFzaA')).toBe(false);
  });

  it('should upgrade a weak hash at the next successful sign-in, and keep a failed one as it was', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const base = { store, tree: new AreaTree(shippedData().areas), clock: { now: () => Date.now() }, logger: quietLogger };
    const old = createAuthService({ ...base, options: { scrypt: { N: 2 ** 10, r: 8, p: 1 } } });
    await old.createUser({ actor: 't', actorKind: 'system', ip: '-' }, { username: 'officer', role: 'district', password: 'a-long-password' });
    const now = createAuthService({ ...base, options: { scrypt: { N: 2 ** 12, r: 8, p: 1 } } });
    await expect(now.login('officer', 'wrong-password', '192.0.2.1')).rejects.toThrow(/wrong username or password/);
    expect(hashParams((await store.identities.findUserByUsername('officer'))!.passwordHash)!.N).toBe(2 ** 10);
    await now.login('officer', 'a-long-password', '192.0.2.1');
    const upgraded = (await store.identities.findUserByUsername('officer'))!.passwordHash;
    expect(hashParams(upgraded)!.N).toBe(2 ** 12);
    expect(await verifyPassword('a-long-password', upgraded)).toBe(true);
    await store.close();
  });
});
