/**
 * @module server/middleware/access-log
 * One JSON line per HTTP request through the app's logger: method, the matched route *pattern*
 * (`/api/v1/events/:id`, never the requested URL, so ids and query strings such as
 * `?display=<token>` stay out of the log), status, duration and the client's address. Headers,
 * cookies, tokens and bodies are never logged.
 *
 * @example
 * app.use('*', accessLog(logger));
 * // {"level":30,"type":"access","method":"GET","route":"/api/v1/events/:id","status":200,"ms":3.1,"ip":"10.0.0.7","msg":"request"}
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../ports.ts';
import { clientIp } from './session.ts';

export function accessLog(logger: Logger): MiddlewareHandler {
  return async function accessLog(c, next) {
    const start = performance.now();
    let threw = false;
    try {
      await next();
    } catch (err) {
      threw = true; // app.onError answers normally; this is only a safety net
      throw err;
    } finally {
      // after next(), the route index points at the handler that answered (or threw)
      logger.info(
        {
          type: 'access',
          method: c.req.method,
          route: routePath(c) || '-',
          status: threw ? 500 : c.res.status,
          ms: Math.round((performance.now() - start) * 10) / 10,
          ip: clientIp(c),
        },
        'request',
      );
    }
  };
}
