/**
 * @module server/observability/metrics
 * The Prometheus side of {@link Metrics}: one prom-client `Registry` per app (tests build several
 * apps in one process, so the library's global registry is never used), with prom-client's default
 * Node.js metrics (event-loop lag, heap, GC, handles) and OneScreen's own under `onescreen_`.
 * Services only see the small `Metrics` port; values that are cheaper to read than to track —
 * sockets per room level, the database's size — are collected when Prometheus scrapes.
 *
 * @example
 * const { registry, metrics } = createMetrics({ sockets: () => hub.socketsByLevel(), databaseBytes: () => store.sizeBytes() });
 * metrics.loginFailed('wrong_password');
 * const text = await registry.metrics();
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AREA_LEVELS, WallReloadReason, type AreaLevel } from '../../shared/index.ts';
import type { BatchOutcome, LoginFailure, Metrics } from '../ports.ts';

export interface MetricsSources {
  /** open alarms by severity (raised or acknowledged); undefined before the server runs */
  openAlarms?(): Promise<Partial<Record<'warn' | 'alarm', number>>>;
  /** sockets in area rooms by the room's level; undefined before the server listens */
  sockets(): Partial<Record<AreaLevel, number>> | undefined;
  /** bytes the database occupies on disk */
  databaseBytes(): Promise<number>;
}

const LOGIN_FAILURES: readonly LoginFailure[] = ['unknown_user', 'wrong_password', 'disabled', 'throttled'];

/** seconds; a commit is an fsync, so most land in the low milliseconds */
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(sources: MetricsSources): { registry: Registry; metrics: Metrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const items = new Counter({
    name: 'onescreen_ingest_items_total',
    help: 'Ingest items in committed batches, by kind, source (the ingest key) and result.',
    labelNames: ['kind', 'source', 'outcome'] as const,
    registers,
  });
  const batches = new Counter({
    name: 'onescreen_ingest_batches_total',
    help: 'Ingest requests, by kind, source (the ingest key; "unknown" before it is known) and how they were answered.',
    labelNames: ['kind', 'source', 'outcome'] as const,
    registers,
  });
  const commit = new Histogram({
    name: 'onescreen_ingest_commit_duration_seconds',
    help: 'Time from a validated batch reaching the ingest service to its durable commit, by kind.',
    labelNames: ['kind'] as const,
    buckets: COMMIT_BUCKETS,
    registers,
  });
  const breaches = new Counter({
    name: 'onescreen_case_breaches_total',
    help: 'Case stages that overran their time limit, by the stage overrun.',
    labelNames: ['stage'] as const,
    registers,
  });
  const loginFailures = new Counter({
    name: 'onescreen_login_failures_total',
    help: 'Failed sign-ins, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  for (const reason of LOGIN_FAILURES) loginFailures.labels(reason).inc(0);
  const deltas = new Counter({
    name: 'onescreen_deltas_sent_total',
    help: 'Live deltas emitted to area rooms, by kind and the room level (one per room, whatever its size).',
    labelNames: ['kind', 'level'] as const,
    registers,
  });
  const notifications = new Counter({
    name: 'onescreen_notifications_total',
    help: 'Attempts to deliver a notification, by kind (alarm, alarm_cleared, breach, test) and outcome (delivered, retry, failed).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'onescreen_sockets',
    help: 'Live sockets in area rooms, by the room level.',
    labelNames: ['level'] as const,
    registers,
    collect() {
      const now = sources.sockets() ?? {};
      for (const level of AREA_LEVELS) this.labels(level).set(now[level] ?? 0);
    },
  });
  const alarms = new Counter({
    name: 'onescreen_alarms_total',
    help: 'Alarm episodes raised, escalated and cleared, by what happened and the severity.',
    labelNames: ['event', 'severity'] as const,
    registers,
  });
  new Gauge({
    name: 'onescreen_alarms_open',
    help: 'Open alarms (raised or acknowledged, not yet cleared), by severity.',
    labelNames: ['severity'] as const,
    registers,
    async collect() {
      const open = (await sources.openAlarms?.().catch(() => undefined)) ?? {};
      for (const sev of ['warn', 'alarm'] as const) this.labels(sev).set(open[sev] ?? 0);
    },
  });
  const wallReports = new Counter({
    name: 'onescreen_wall_reports_total',
    help: 'Reports of wall pages (POST /api/v1/wall/reports), by how they were answered (accepted, invalid, rate_limited).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const wallReloads = new Counter({
    name: 'onescreen_wall_reloads_total',
    help: 'Wall pages that reloaded themselves, by reason (stall: rendering stopped; memory: heap past its bound; version: the server runs another build).',
    labelNames: ['reason'] as const,
    registers,
  });
  for (const outcome of ['accepted', 'invalid', 'rate_limited']) wallReports.labels(outcome).inc(0);
  for (const reason of WallReloadReason.options) wallReloads.labels(reason).inc(0);
  new Gauge({
    name: 'onescreen_database_size_bytes',
    help: 'Bytes the database occupies on disk, its write-ahead log included (NaN when it cannot be read).',
    registers,
    async collect() {
      try {
        this.set(await sources.databaseBytes());
      } catch {
        this.set(Number.NaN);
      }
    },
  });

  const metrics: Metrics = {
    ingested: (kind, source, outcome, n) => {
      if (n > 0) items.labels(kind, source, outcome).inc(n);
    },
    batch: (kind, source, outcome: BatchOutcome) => batches.labels(kind, source, outcome).inc(),
    commitTimer: (kind) => commit.labels(kind).startTimer(),
    breach: (stage) => breaches.labels(stage).inc(),
    loginFailed: (reason) => loginFailures.labels(reason).inc(),
    deltaSent: (kind, level) => deltas.labels(kind, level).inc(),
    alarm: (event, severity) => alarms.labels(event, severity).inc(),
    notification: (kind, outcome) => notifications.labels(kind, outcome).inc(),
    wallReport: (outcome) => wallReports.labels(outcome).inc(),
    wallReload: (reason) => wallReloads.labels(reason).inc(),
  };
  return { registry, metrics };
}

/**
 * Whether an `Authorization` header carries `Bearer <token>`, compared in constant time (both
 * sides are hashed first, so neither the content nor the length of the token leaks through timing).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}
