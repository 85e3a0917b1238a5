/**
 * @module server/middleware/ingest-auth
 * `Authorization: Bearer <ingest key>` for the ingest routes. Only a SHA-256 hash of each key is
 * stored: keys are 256 random bits, so a fast hash is enough (no password stretching needed).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.ts';
import type { IngestKeyRecord, Store } from '../ports.ts';

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * Create a key, store its hash, and return the key itself (shown once, never stored). A key bound
 * to `sources` may post events only under those source codes; without, it is unbound.
 */
export async function createIngestKey(
  store: Pick<Store, 'keys'>,
  name: string,
  opts: { sources?: readonly string[] | null; simulated?: boolean; now: number },
): Promise<{ id: string; key: string }> {
  const key = `osk_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const sources = opts.sources?.length ? [...new Set(opts.sources)].sort() : null;
  await store.keys.createIngestKey({ id, name, hash: hashKey(key), sources, simulated: opts.simulated ?? false, createdAt: opts.now });
  return { id, key };
}

export type IngestEnv = { Variables: { ingestKey: IngestKeyRecord } };

/** `limit` may throw to refuse a valid key (rate limiting) */
export function ingestAuth(store: Pick<Store, 'keys'>, limit?: (key: IngestKeyRecord, c: Context) => void | Promise<void>) {
  return createMiddleware<IngestEnv>(async function ingestAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      c.header('WWW-Authenticate', 'Bearer realm="ingest"');
      throw new AppError('UNAUTHORIZED', 401, 'an ingest key is required: Authorization: Bearer <key>');
    }
    const rec = await store.keys.findIngestKeyByHash(hashKey(m[1]!));
    if (!rec) {
      c.header('WWW-Authenticate', 'Bearer realm="ingest", error="invalid_token"');
      throw new AppError('UNAUTHORIZED', 401, 'the ingest key is not valid');
    }
    if (rec.revokedAt !== null) throw new AppError('FORBIDDEN', 403, 'the ingest key has been revoked');
    c.set('ingestKey', rec); // before the limit, so a throttled request is counted against its key
    await limit?.(rec, c);
    await next();
  });
}
