/**
 * @module server/services/wall-status.service
 * What the server knows of wall screens that run unattended: when each display was last seen
 * live and which build it runs (from its sockets), and the reloads wall pages report before their
 * watchdog (or a new build) reloads them (`POST /api/v1/wall/reports`).
 *
 * Cheap by design: a display's sockets say "seen" on connection and on every session check, but
 * the database is written at most once per {@link WallStatusOptions.seenEveryMs} per display (or
 * when its build changes); reports are rate-limited per session. A report counts in `/metrics`
 * whoever sends it; it is kept per display only for a display's own session (attributed from the
 * session, never from the body). A report carrying an `id` is counted once: sent again by the page
 * (its first answer was lost), it is acknowledged and not counted again (ids remembered for an hour
 * by this process; on several nodes a copy that reaches another node counts there).
 *
 * @example
 * const walls = createWallStatusService({ store, clock, metrics, logger, build: 'a1b2c3' });
 * walls.seen('display-id', 'a1b2c3');
 * await walls.report(principal, { kind: 'reload', reason: 'stall', build: 'a1b2c3', at });
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { DisplayStatusList, WallReport } from '../../shared/index.ts';
import type { Principal } from '../domain/access.ts';
import type { Clock, Logger, Metrics, Store } from '../ports.ts';

export interface WallStatusOptions {
  /** at most one last-seen write per display in this many ms (default a minute) */
  seenEveryMs: number;
  /** reports one session may send per minute (default 6) */
  reportsPerMinute: number;
}

export interface WallStatusDeps {
  store: Pick<Store, 'displayStatus'>;
  clock: Clock;
  metrics: Pick<Metrics, 'wallReport' | 'wallReload'>;
  logger: Logger;
  /** the build of the wall this server serves (null: none) */
  build: string | null;
  /** where report limits count (default: this process; several nodes: the cluster's) */
  limiter?: (o: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;
  options?: Partial<WallStatusOptions>;
}

/** displays remembered for the last-seen throttle; past this the memory starts over (writes go through once) */
const SEEN_CAP = 10_000;
/** report ids remembered (for an hour) so a report sent again is counted once; past this the oldest go */
const REPORT_IDS_CAP = 10_000;
const REPORT_IDS_MS = 3_600_000;

export function createWallStatusService(deps: WallStatusDeps) {
  const { store, clock, metrics, logger } = deps;
  const opt: WallStatusOptions = { seenEveryMs: 60_000, reportsPerMinute: 6, ...deps.options };
  const limiter = (deps.limiter ?? ((o) => new RateLimiterMemory(o)))({ keyPrefix: 'wall-report', points: opt.reportsPerMinute, duration: 60 });
  /** per display: when its last-seen was last written, and with which build */
  const written = new Map<string, { at: number; build: string | null }>();
  /** report ids already counted (this process), oldest first, with when */
  const reportIds = new Map<string, number>();
  /** the key of a report for the once-only count: the same id from the same identity */
  const reportKey = (p: Principal, id: string | undefined) => (id ? `${p.kind}:${p.id}:${id}` : null);
  const forgetOldIds = (now: number) => {
    for (const [k, at] of reportIds) {
      if (reportIds.size < REPORT_IDS_CAP && now - at < REPORT_IDS_MS) break;
      reportIds.delete(k);
    }
  };

  return {
    build: deps.build,

    /**
     * A display's socket is live now, running `build` (null: it did not say). Written to the
     * database at most once per `seenEveryMs` per display, or at once when its build changed;
     * never throws (a failed write is logged and tried again next time).
     */
    seen(displayId: string, build: string | null): void {
      const now = clock.now();
      const last = written.get(displayId);
      if (last && now - last.at < opt.seenEveryMs && (build === null || build === last.build)) return;
      if (written.size >= SEEN_CAP && !last) written.clear();
      written.set(displayId, { at: now, build: build ?? last?.build ?? null });
      store.displayStatus.seen(displayId, now, build).catch((err: unknown) => {
        written.delete(displayId);
        logger.warn({ err, displayId }, 'writing a display’s last-seen time failed');
      });
    },

    /**
     * A wall page reports a reload. Rate-limited per session (`ok: false` past it); counted; kept
     * for the session's display when it is a display's.
     */
    async report(p: Principal, r: WallReport): Promise<{ ok: true; displayId: string | null } | { ok: false; retryAfterMs: number }> {
      // sent again (the page never saw the first answer): already counted, and acknowledged again
      const key = reportKey(p, r.id);
      forgetOldIds(clock.now());
      if (key && reportIds.has(key)) return { ok: true, displayId: p.kind === 'display' ? p.id : null };
      // held before the limiter's await, so two copies sent at once count once; given back if refused
      if (key) reportIds.set(key, clock.now());
      try {
        await limiter.consume(p.sessionHash);
      } catch (err) {
        if (key) reportIds.delete(key);
        if (!(err instanceof RateLimiterRes)) throw err;
        metrics.wallReport('rate_limited');
        return { ok: false, retryAfterMs: err.msBeforeNext };
      }
      metrics.wallReport('accepted');
      metrics.wallReload(r.reason);
      logger.info({ who: p.name, kind: p.kind, reason: r.reason, build: r.build, late: r.late ?? false, detail: r.detail }, 'a wall page reloads itself');
      if (p.kind !== 'display') return { ok: true, displayId: null };
      const now = clock.now();
      await store.displayStatus.reloaded(p.id, now, r.reason, r.build);
      written.set(p.id, { at: now, build: r.build });
      return { ok: true, displayId: p.id };
    },

    /** a report refused as invalid (counted) */
    invalid(): void {
      metrics.wallReport('invalid');
    },

    /** every display ever seen, with the server's own build */
    async list(): Promise<DisplayStatusList> {
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      const rows = await store.displayStatus.list();
      return {
        serverBuild: deps.build,
        displays: rows.map((r) => ({
          displayId: r.displayId,
          lastSeenAt: iso(r.lastSeenAt),
          build: r.build,
          reloads: r.reloads,
          lastReloadReason: r.lastReloadReason,
          lastReloadAt: iso(r.lastReloadAt),
        })),
      };
    },
  };
}
export type WallStatusService = ReturnType<typeof createWallStatusService>;
