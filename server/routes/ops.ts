/**
 * @module server/routes/ops
 * For the centre's monitoring: `GET /metrics` (Prometheus text format; public unless a
 * `METRICS_TOKEN` is set, then `Authorization: Bearer <token>`) and `GET /api/ready` (readiness:
 * does the database answer with the schema this version expects). `GET /api/health` stays the
 * cheap liveness answer in `app.ts`.
 */
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Readiness } from '../../shared/index.ts';
import { AppError } from '../errors.ts';
import { bearerMatches } from '../observability/metrics.ts';
import type { Logger, Store } from '../ports.ts';

export function opsRoutes(deps: { registry: Registry; metricsToken?: string | undefined; store: Pick<Store, 'ping'>; logger: Logger }) {
  const { registry, metricsToken, store, logger } = deps;
  return new Hono()
    .get('/metrics', async (c) => {
      if (metricsToken !== undefined && !bearerMatches(c.req.header('authorization'), metricsToken)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new AppError('UNAUTHORIZED', 401, 'metrics need Authorization: Bearer <METRICS_TOKEN>');
      }
      return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
    })
    .get('/api/ready', async (c) => {
      c.header('Cache-Control', 'no-store');
      try {
        await store.ping();
        return c.json({ status: 'ready', checks: { database: 'ok' } } satisfies Readiness, 200);
      } catch (err) {
        // the details go to the log, not to whoever asks (the answer is public)
        logger.warn({ database: (err as Error).message }, 'not ready');
        return c.json({ status: 'unavailable', checks: { database: 'not answering as this version expects; see the server log' } } satisfies Readiness, 503);
      }
    });
}
