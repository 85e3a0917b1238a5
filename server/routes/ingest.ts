/**
 * @module server/routes/ingest
 * `POST /api/v1/events` and `POST /api/v1/readings`: JSON batches of up to 1,000 items. A batch
 * that fails the schema is refused whole (400, every bad field named); a well-formed batch is
 * answered only after it is committed, with a result per item.
 */
import { Hono } from 'hono';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { bodyLimit } from 'hono/body-limit';
import { EventBatch, ReadingBatch, type EventBatchResponse, type ReadingBatchResponse } from '../../shared/index.ts';
import { AppError } from '../errors.ts';
import { ingestAuth, type IngestEnv } from '../middleware/ingest-auth.ts';
import type { Clock, Store } from '../ports.ts';
import { TokenBuckets } from '../domain/throttle.ts';
import type { IngestService } from '../services/ingest.service.ts';
import { parseJsonBody } from './body.ts';

export function ingestRoutes(deps: {
  store: Pick<Store, 'keys'>;
  ingest: IngestService;
  maxBytes: number;
  clock: Clock;
  ratePerSec: number;
  /**
   * With several nodes: a limiter whose counts they share (rate-limiter-flexible on Redis, allowing
   * twice the rate in a 2-second window); without, a token bucket per key in this process
   */
  sharedLimiter?: RateLimiterAbstract;
}) {
  const limit = bodyLimit({
    maxSize: deps.maxBytes,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${deps.maxBytes} bytes; split the batch`);
    },
  });
  const buckets = new TokenBuckets(deps.ratePerSec, deps.ratePerSec * 2);
  const shared = deps.sharedLimiter;
  const waitFor = async (keyId: string): Promise<number> => {
    if (!shared) return buckets.take(keyId, deps.clock.now());
    try {
      await shared.consume(keyId);
      return 0;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      return Math.max(1, res.msBeforeNext);
    }
  };
  const auth = ingestAuth(deps.store, async (key, c) => {
    const wait = await waitFor(key.id);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      throw new AppError('RATE_LIMITED', 429, `this key sends more than ${deps.ratePerSec} requests a second; slow down or batch more items per request`);
    }
  });
  return new Hono<IngestEnv>()
    .post('/events', auth, limit, async (c) => {
      const batch = await parseJsonBody(c.req.raw, EventBatch, 'the batch was refused: fix the fields listed in issues');
      return c.json((await deps.ingest.ingestEvents(batch.events, c.var.ingestKey)) satisfies EventBatchResponse, 200);
    })
    .post('/readings', auth, limit, async (c) => {
      const batch = await parseJsonBody(c.req.raw, ReadingBatch, 'the batch was refused: fix the fields listed in issues');
      return c.json((await deps.ingest.ingestReadings(batch.readings, c.var.ingestKey)) satisfies ReadingBatchResponse, 200);
    });
}
