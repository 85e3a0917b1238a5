/**
 * @module server/middleware/ingest-metrics
 * Counts every ingest request by its answer (committed, refused, throttled …) and the ingest key
 * that sent it, for `onescreen_ingest_batches_total`. Mounted in front of the ingest route: it
 * runs after authentication has named the key, and sees error answers too.
 */
import type { MiddlewareHandler } from 'hono';
import type { BatchOutcome, IngestKind, Metrics } from '../ports.ts';
import type { IngestEnv } from './ingest-auth.ts';

/** what an HTTP status of the ingest API means for a batch */
export function batchOutcome(status: number): BatchOutcome {
  if (status >= 200 && status < 300) return 'committed';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'invalid';
  return 'error';
}

export function ingestMetrics(metrics: Pick<Metrics, 'batch'>, kind: IngestKind): MiddlewareHandler<IngestEnv> {
  return async function ingestMetrics(c, next) {
    if (c.req.method !== 'POST') return next();
    let threw = false;
    try {
      await next();
    } catch (err) {
      threw = true;
      throw err;
    } finally {
      metrics.batch(kind, c.get('ingestKey')?.name ?? 'unknown', threw ? 'error' : batchOutcome(c.res.status));
    }
  };
}
