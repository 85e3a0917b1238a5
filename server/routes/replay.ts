/**
 * @module server/routes/replay
 * The wall back in time and the shift handover over HTTP:
 * - `GET /api/v1/snapshot?areaId=&at=`: the room's snapshot as it was at `at` (within the last
 *   {@link REPLAY_MAX_DAYS} days), or the live one without `at` — the same shape either way;
 * - `GET /api/v1/handover?areaId=&since=&until=`: what happened in a window (交接班).
 * Scoped like every read: the session's area or one below it; another area answers like one
 * that does not exist, and the attempt is audited. Historical reads are heavier than live ones:
 * at most a few run at once, and past a short queue the answer is 429.
 */
import { Hono, type Context } from 'hono';
import { HANDOVER_MAX_DAYS, HandoverQuery, REPLAY_MAX_DAYS, shiftStart, SnapshotQuery, type Handover, type SnapshotResponse } from '../../shared/index.ts';
import { AREA_ROLES, canSee } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, type SessionEnv } from '../middleware/session.ts';
import type { Clock } from '../ports.ts';
import type { AuthService } from '../services/auth.service.ts';
import { BoundedConcurrency, Busy } from '../services/concurrency.ts';
import type { ReplayService } from '../services/replay.service.ts';
import type { SnapshotSource } from '../realtime/snapshot.ts';

export interface ReplayDeps {
  auth: AuthService;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  replay: ReplayService;
  /** the live snapshots (shared with nothing else: its own per-room reuse) */
  live: Pick<SnapshotSource, 'get'>;
  /** historical reads at once, and waiting (default 2 and 16) */
  concurrency?: { limit: number; queue: number };
}

const DAY_MS = 86_400_000;
const BUSY_RETRY_SEC = 3;
const bad = (path: string, message: string) => new AppError('VALIDATION', 400, message, [{ path, message }]);

export function replayRoutes(d: ReplayDeps) {
  const heavy = new BoundedConcurrency(d.concurrency?.limit ?? 2, d.concurrency?.queue ?? 16);
  /** the work's answer, or 429 with Retry-After when too many historical reads run and wait already */
  const run = async <T extends object>(c: Context<SessionEnv>, work: () => Promise<T>): Promise<Response> => {
    try {
      return c.json(await heavy.run(work));
    } catch (err) {
      if (!(err instanceof Busy)) throw err;
      c.header('Retry-After', String(BUSY_RETRY_SEC));
      return c.json(new AppError('RATE_LIMITED', 429, 'the server is busy with other historical reads; try again in a few seconds').body(), 429);
    }
  };

  /** the area asked for (default: the session's own), or a 404 if it is unknown or out of scope (audited) */
  async function scopedArea(c: Context<SessionEnv>, requested: string | undefined, route: string): Promise<string> {
    const p = c.var.principal;
    const areaId = requested ?? p.areaId;
    if (!canSee(d.tree, p, areaId)) {
      if (d.tree.get(areaId)) {
        await d.auth.audit({ actor: p.name, actorKind: p.kind, action: `GET ${route}`, target: areaId, outcome: 'denied', ip: clientIp(c), detail: 'area outside scope' });
      }
      throw notFound(`area ${areaId}`);
    }
    return areaId;
  }

  return new Hono<SessionEnv>()
    .use('*', requireSession(d.auth))
    .get('/snapshot', requireRole(d.auth, ...AREA_ROLES), async (c) => {
      const q = SnapshotQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const areaId = await scopedArea(c, q.data.areaId, '/api/v1/snapshot');
      if (q.data.at === undefined) return c.json((await d.live.get(areaId)) satisfies SnapshotResponse);
      const at = Date.parse(q.data.at);
      const now = d.clock.now();
      if (at > now) throw bad('at', 'at is in the future');
      if (at < now - REPLAY_MAX_DAYS * DAY_MS) throw bad('at', `at is more than ${REPLAY_MAX_DAYS} days ago`);
      return run(c, (): Promise<SnapshotResponse> => d.replay.snapshotAt(areaId, at));
    })
    .get('/handover', requireRole(d.auth, ...AREA_ROLES), async (c) => {
      const q = HandoverQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const areaId = await scopedArea(c, q.data.areaId, '/api/v1/handover');
      const now = d.clock.now();
      const since = q.data.since === undefined ? shiftStart(now, d.timeZone) : Date.parse(q.data.since);
      const until = q.data.until === undefined ? now : Date.parse(q.data.until);
      if (until > now) throw bad('until', 'until is in the future');
      if (since >= until) throw bad('since', 'since must be before until');
      if (until - since > HANDOVER_MAX_DAYS * DAY_MS) throw bad('since', `a handover covers at most ${HANDOVER_MAX_DAYS} days`);
      return run(c, (): Promise<Handover> => d.replay.handover(areaId, since, until));
    });
}
