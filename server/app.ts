/**
 * @module server/app
 * `createApp(deps)` builds the whole server from injected dependencies — store, clock, shipped
 * data, logger — so tests can build it with a temporary database. It never reads the environment;
 * `start()` listens (port 0 gives an ephemeral port) and starts the clocks, `stop()` undoes both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import { Server } from 'socket.io';
import { AreaTree } from './domain/areas.ts';
import type { ErrorBody, ErrorCode, Health } from '../shared/index.ts';
import { AppError, StoreUnavailableError } from './errors.ts';
import type { Config } from './config.ts';
import type { ShippedData } from './data.ts';
import type { Clock, Logger, Store } from './ports.ts';
import { LiveHub, type IoServer } from './realtime/hub.ts';
import { attachSocketHandlers } from './realtime/socket.ts';
import { network, type NetworkOptions } from './middleware/network.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { readRoutes } from './routes/read.ts';
import { adminRoutes } from './routes/admin.ts';
import { sessionRoutes } from './routes/session.ts';
import { caseRoutes } from './routes/cases.ts';
import { docsRoutes } from './routes/docs.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { createCaseService } from './services/case.service.ts';
import { createAuthService, type AuthOptions } from './services/auth.service.ts';
import { createIndicatorService, TREND_WINDOW_MS } from './services/indicator.service.ts';
import { createIngestService } from './services/ingest.service.ts';
import { createStatsService } from './services/stats.service.ts';
import { createAlarmService, forecastSource } from './services/alarm.service.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { createMetrics } from './observability/metrics.ts';
import { accessLog } from './middleware/access-log.ts';
import { ingestMetrics } from './middleware/ingest-metrics.ts';
import { opsRoutes } from './routes/ops.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { createNotifyService, type NotifyOptions } from './services/notify.service.ts';
import { forecastRoutes } from './routes/forecast.ts';
import { createForecastService } from './services/forecast.service.ts';
import { createForecastWorker } from './services/forecast-worker.ts';
import { hotspotRoutes } from './routes/hotspots.ts';
import { DEFAULT_RECURRENCE, type RecurrenceRule } from './domain/hotspots.ts';
import { createHotspotService, type HotspotOptions } from './services/hotspot.service.ts';
import { LocalCluster, type Cluster, type ClusterMessage } from './cluster/cluster.ts';
import { replayRoutes } from './routes/replay.ts';
import { createReplayService } from './services/replay.service.ts';
import { createSnapshotSource } from './realtime/snapshot.ts';
import { displayRoutes } from './routes/displays.ts';
import { createDisplayConfigService } from './services/display-config.service.ts';
import { readBuildId } from './build-id.ts';
import { wallRoutes } from './routes/wall.ts';
import { taskRoutes } from './routes/tasks.ts';
import { emergencyRoutes } from './routes/emergency.ts';
import { resourceRoutes } from './routes/resources.ts';
import { layerRoutes } from './routes/layers.ts';
import { createLayerService } from './services/layer.service.ts';
import { createResourceService } from './services/resource.service.ts';
import { createEmergencyService } from './services/emergency.service.ts';
import { createTaskService } from './services/task.service.ts';
import { createWallStatusService, type WallStatusOptions } from './services/wall-status.service.ts';

export const VERSION = '0.1.0';

export interface AppOptions {
  ingestMaxBytes: number;
  indicatorFlushPerSec: number;
  rawRetentionHours: number;
  timeZone: string;
  centreName: { zh: string; en: string };
  simulatorOn: boolean;
  /** the built web (dist/web); not served when absent */
  staticRoot?: string;
  /** mark session cookies Secure (serve over HTTPS, e.g. behind a TLS proxy) */
  secureCookies?: boolean;
  /** the origin people use, e.g. `https://ops.yangpu.example`: origin checks and enrolment links */
  publicUrl?: string | undefined;
  /** reverse-proxy hops whose X-Forwarded-* headers are believed (default 0) */
  trustProxy?: number;
  /** ingest requests per second per key (token bucket; burst twice that) */
  ingestRatePerSec?: number;
  auth?: Partial<AuthOptions>;
  /** how often stage deadlines are checked for breaches (default 10 s) */
  breachCheckMs?: number;
  /** how often late task milestones and deadlines are chased (default 60 s) */
  taskChaseMs?: number;
  /** how often held values, silent sources and forecasts are judged by the rules (default 5 s) */
  alarmTickMs?: number;
  /** how often live sockets' sessions are re-checked (default 10 s) */
  sessionCheckMs?: number;
  /** when set, `GET /metrics` needs `Authorization: Bearer <token>` */
  metricsToken?: string | undefined;
  /** one JSON log line per request (default on) */
  accessLog?: boolean;
  /** notifications out: retry schedule, timeout, concurrency, polling (tests shorten them) */
  notify?: Partial<NotifyOptions>;
  /** recurrence at ingest (default 200 m, 30 days; null: off) */
  recurrence?: RecurrenceRule | null;
  /** hotspot computation: cache lifetime, minimum recurring spot (default 60 s, 3 cases) */
  hotspots?: Partial<HotspotOptions>;
  /** how often cases in emerging hotspots are tagged (default 60 s) */
  emergingTagMs?: number;
  /**
   * the build id of the wall served (default: `build.json` of `staticRoot`, see server/build-id.ts;
   * tests set another to make a page see a redeploy)
   */
  buildId?: string | null;
  /** display last-seen throttle and report rate (default a minute, 6 reports a minute per session) */
  wallStatus?: Partial<WallStatusOptions>;
}

/** The options a configuration gives the app (`main.ts` and the benchmark start it alike). */
export function appOptionsFrom(config: Config): AppOptions {
  return {
    ingestMaxBytes: config.ingestMaxBytes,
    indicatorFlushPerSec: config.indicatorFlushPerSec,
    rawRetentionHours: config.rawRetentionHours,
    timeZone: config.timeZone,
    centreName: config.centreName,
    simulatorOn: config.simulator,
    secureCookies: config.cookieSecure,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    ingestRatePerSec: config.ingestRatePerSec,
    auth: {
      sessionTtlMs: config.sessionHours * 3_600_000,
      loginFailuresPerAddress: config.loginFailuresPerAddress,
      anonymousPerMinute: config.anonymousPerMinute,
    },
    metricsToken: config.metricsToken,
    accessLog: config.accessLog,
    recurrence: { radiusM: config.recurrenceRadiusM, windowMs: config.recurrenceWindowDays * 86_400_000 },
  };
}

/** Only our own origin: nothing is loaded from anywhere else (isolated networks). */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  workerSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

/** error codes for the statuses hono's own middleware may answer with */
const HTTP_ERROR_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export interface AppDeps {
  store: Store;
  clock: Clock;
  data: ShippedData;
  logger: Logger;
  options: AppOptions;
  /**
   * Several nodes (`REDIS_URL`): sequencing, leases, shared state and limits (the app owns it from
   * here and stops it); default: this process alone
   */
  cluster?: Cluster;
}

const MAINTENANCE_MS = 10 * 60_000;
/** the largest body a person's request (sign-in, a transition, administration) may have */
export const PEOPLE_MAX_BYTES = 64 * 1024;
const SERIES_KEEP_MS = 35 * 86_400_000;

export function createApp(deps: AppDeps) {
  const { store, clock, data, logger, options } = deps;
  const cluster = deps.cluster ?? new LocalCluster();
  /**
   * The node that runs the cluster's timers (deadline watch, maintenance, emerging hotspots) and
   * owns the indicator and alarm state: it rolls indicators up, judges the alarm rules and
   * publishes both. On one node it is always this one.
   */
  const leader = cluster.lease('timers', (held) => {
    if (held) void takeOver().catch((err) => logger.error({ err }, 'taking over the cluster timers failed'));
  });
  const tree = new AreaTree(data.areas);
  const basemapJson = JSON.stringify(data.basemap);

  let io: IoServer | undefined;
  const { registry, metrics } = createMetrics({
    sockets: () => hub.socketsByLevel(),
    databaseBytes: () => store.sizeBytes(),
    openAlarms: async () => {
      const out: Partial<Record<'warn' | 'alarm', number>> = {};
      for (const a of await store.alarms.open()) out[a.severity] = (out[a.severity] ?? 0) + 1;
      return out;
    },
  });
  // the live stream every service publishes through; its Socket.IO server is attached in start()
  const hub = new LiveHub(tree, cluster, metrics);
  const statistics = createStatsService({ store, clock });
  const indicators = createIndicatorService({
    store,
    tree,
    indicators: data.indicators,
    clock,
    timeZone: options.timeZone,
    broadcaster: hub,
    valuesChanged: (v) => {
      alarms.valuesChanged(v);
      // with several nodes, the leaseholder's rolled-up values reach every node's snapshots
      if (cluster.shared) cluster.share({ t: 'values', values: v });
    },
    logger,
  });
  /** 路长制 roads and key areas: where a new case lies, and the layers screens draw */
  const layers = createLayerService({
    store,
    tree,
    clock,
    logger,
    demo: { roads: data.roads, keyAreas: data.keyAreas, buildings: data.buildings },
    audit: (a) => auth.audit(a),
    saved: (kind) => cluster.share({ t: 'layers', kind }),
  });
  const ingest = createIngestService({
    store,
    tree,
    place: (lng, lat, gridId) => layers.place(lng, lat, gridId),
    buildingGrid: (id) => layers.buildingGrid(id),
    indicators: data.indicators,
    clock,
    broadcaster: hub,
    listener: {
      eventsStored: (created) => {
        indicators.eventsCreated(created.map((c) => c.event));
        statistics.changed();
        if (cluster.shared) cluster.share({ t: 'cases', archived: false });
      },
      readingsStored: (rows) => {
        indicators.readingsStored(rows);
        if (leader.held()) alarms.readingsStored(rows);
        if (cluster.shared) cluster.share({ t: 'readings', rows });
      },
    },
    logger,
    limits: data.timeLimits,
    metrics,
    ...(options.recurrence === null ? {} : { recurrence: options.recurrence ?? DEFAULT_RECURRENCE }),
  });

  const alarms = createAlarmService({
    store,
    tree,
    clock,
    indicators: data.indicators,
    categories: data.categories,
    shippedRules: data.rules,
    broadcaster: hub,
    logger,
    ingest,
    onChange: (a, what) => metrics.alarm(what, a.severity),
    notifier: { notify: (n) => notifications.notifier.notify(n) },
    forecasts: { crossing: (...a) => forecastRules.crossing(...a) },
    rulesSaved: () => cluster.share({ t: 'rules' }),
  });

  let sockets: ReturnType<typeof attachSocketHandlers> | undefined;
  const auth = createAuthService({
    store,
    tree,
    clock,
    logger,
    units: data.units,
    options: options.auth ?? {},
    onSessionsEnded: (h) => sockets?.sessionsEnded(h),
    metrics,
    limiter: (o) => cluster.limiter(o),
  });
  const notifications = createNotifyService({
    store,
    tree,
    clock,
    logger,
    audit: (a) => auth.audit(a),
    metrics,
    publicUrl: options.publicUrl,
    options: options.notify,
  });
  const tasks = createTaskService({ store, tree, clock, timeZone: options.timeZone, units: data.units, logger, notifier: notifications.notifier, audit: (a) => auth.audit(a) });
  const cases = createCaseService({
    store,
    tree,
    clock,
    data,
    logger,
    audit: (a) => auth.audit(a),
    metrics,
    notifier: notifications.notifier,
    broadcaster: hub,
    changed: (before, after) => {
      indicators.caseChanged(before, after);
      statistics.changed();
      if (cluster.shared) cluster.share({ t: 'cases', archived: after.status === 'archived' });
    },
  });

  /** wall displays' scenes: a change reaches the display's sockets on this node and, through the cluster, every other */
  const displayConfigs = createDisplayConfigService({
    store,
    tree,
    clock,
    audit: (a) => auth.audit(a),
    changed: (config) => {
      sockets?.displayChanged(config);
      cluster.share({ t: 'display', config });
    },
  });

  /** 平战结合: an incident's change reaches the walls in scope on this node and, through the cluster, every other */
  const emergency = createEmergencyService({
    store,
    tree,
    clock,
    audit: (a) => auth.audit(a),
    changed: (areaId) => {
      sockets?.emergencyChanged(areaId);
      cluster.share({ t: 'emergency', areaId });
    },
  });

  /** the emergency resource registry */
  const resources = createResourceService({ store, tree, audit: (a) => auth.audit(a), seesIncident: (p, i) => emergency.sees(p, i) });

  /** what other nodes tell this one */
  cluster.onShared((m: ClusterMessage) => {
    switch (m.t) {
      case 'readings':
        indicators.readingsStored(m.rows, false);
        if (leader.held()) alarms.readingsStored(m.rows);
        break;
      case 'cases':
        indicators.eventsChanged(m.archived ? { status: 'archived' } : undefined);
        statistics.changed();
        break;
      case 'values':
        if (!leader.held()) indicators.adopt(m.values);
        break;
      case 'rules':
        void alarms.syncRules(leader.held());
        break;
      case 'display':
        sockets?.displayChanged(m.config);
        break;
      case 'emergency':
        sockets?.emergencyChanged(m.areaId);
        break;
      case 'layers':
        layers.load().catch((err: unknown) => logger.error({ err }, 'reloading the map layers failed'));
        break;
    }
  });

  /**
   * This node just took the lease (another died or stopped): it computes indicators and judges
   * alarms from now on, from the store's state (the previous holder's evaluator state — values
   * held over a threshold, silent sources — restarts here, as after a restart).
   */
  async function takeOver(): Promise<void> {
    if (!cluster.shared) return; // one node: start() did all this
    await indicators.resync();
    await alarms.init();
    alarms.valuesChanged(indicators.allValues());
  }

  /** the wall build served: pages running another reload themselves */
  const build = options.buildId !== undefined ? options.buildId : readBuildId(options.staticRoot);
  const walls = createWallStatusService({ store, clock, metrics, logger, build, limiter: (o) => cluster.limiter(o), options: options.wallStatus ?? {} });

  const forecastWorker = createForecastWorker();
  const forecasts = createForecastService({ readings: store.readings, tree, indicators: data.indicators, clock, logger, fit: forecastWorker.fit });
  const forecastRules = forecastSource(forecasts, data.indicators, tree);
  const hotspots = createHotspotService({
    store,
    tree,
    clock,
    areas: data.areas,
    logger,
    options: options.hotspots ?? {},
    broadcaster: hub,
  });

  const net: NetworkOptions = { publicUrl: options.publicUrl, trustProxy: options.trustProxy ?? 0 };
  const app = new Hono();
  app.use('*', network(net));
  if (options.accessLog ?? true) app.use('*', accessLog(logger));
  app.use('*', secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: false, referrerPolicy: 'no-referrer', xFrameOptions: 'DENY' }));
  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(err.body(), err.status);
    if (err instanceof StoreUnavailableError) {
      logger.warn({ err: err.message, path: c.req.path }, 'store unavailable');
      c.header('Retry-After', '5');
      return c.json({ error: { code: 'UNAVAILABLE', message: 'the database is unavailable; try again shortly' } } satisfies ErrorBody, 503);
    }
    if (err instanceof HTTPException) {
      const code = HTTP_ERROR_CODES[err.status] ?? 'VALIDATION';
      return c.json({ error: { code, message: err.message || 'bad request' } } satisfies ErrorBody, err.status);
    }
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'INTERNAL', message: 'internal error' } } satisfies ErrorBody, 500);
  });
  app.get('/api/health', (c) =>
    c.json({
      status: 'ok',
      version: VERSION,
      simulatorOn: options.simulatorOn,
      centreName: options.centreName,
      rootAreaId: tree.districtId,
      time: new Date(clock.now()).toISOString(),
      clockWarnAt: data.timeLimits.warnAt,
      timeZone: options.timeZone,
      build,
    } satisfies Health),
  );
  app.route('/', opsRoutes({ registry, metricsToken: options.metricsToken, store, logger }));
  // people's requests are small: every body outside ingest (which has its own, larger cap) is
  // capped before it is read, whatever the route — a huge body never reaches a parser
  const smallBodies = bodyLimit({
    maxSize: PEOPLE_MAX_BYTES,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${PEOPLE_MAX_BYTES / 1024} KiB`);
    },
  });
  // an administrator's import of the resource registry is a file, not a form: 2 MiB
  const REGISTRY_MAX_BYTES = 2 * 1024 * 1024;
  const registryBodies = bodyLimit({
    maxSize: REGISTRY_MAX_BYTES,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `the registry is larger than ${REGISTRY_MAX_BYTES / 1024 / 1024} MiB`);
    },
  });
  // a district's road network runs to thousands of segments
  const LAYER_MAX_BYTES = 16 * 1024 * 1024;
  const LAYER_PATHS = new Set(['/api/v1/admin/roads', '/api/v1/admin/key-areas', '/api/v1/admin/buildings']);
  const layerBodies = bodyLimit({
    maxSize: LAYER_MAX_BYTES,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `the layer is larger than ${LAYER_MAX_BYTES / 1024 / 1024} MiB`);
    },
  });
  const INGEST_PATHS = new Set(['/api/v1/events', '/api/v1/readings']);
  app.use('/api/*', (c, next) => {
    if (c.req.method === 'POST' && INGEST_PATHS.has(c.req.path)) return next();
    if (c.req.method === 'PUT' && c.req.path === '/api/v1/admin/resources') return registryBodies(c, next);
    if (c.req.method === 'PUT' && LAYER_PATHS.has(c.req.path)) return layerBodies(c, next);
    return smallBodies(c, next);
  });
  app.use('/api/v1/events', ingestMetrics(metrics, 'event'));
  app.use('/api/v1/readings', ingestMetrics(metrics, 'reading'));
  const ingestRate = options.ingestRatePerSec ?? 50;
  app.route(
    '/api/v1',
    ingestRoutes({
      store,
      ingest,
      maxBytes: options.ingestMaxBytes,
      clock,
      ratePerSec: ingestRate,
      ...(cluster.shared ? { sharedLimiter: cluster.limiter({ keyPrefix: 'ingest', points: Math.max(1, Math.round(ingestRate * 2)), duration: 2 }) } : {}),
    }),
  );
  app.route('/api/v1', sessionRoutes(auth, { secureCookies: options.secureCookies ?? false }));
  const alarmApi = alarmRoutes({ auth, alarms, cases, tree });
  app.route('/api/v1/admin', alarmApi.admin);
  app.route('/api/v1/admin', adminRoutes(auth, store));
  const displayApi = displayRoutes(auth, displayConfigs);
  app.route('/api/v1/admin', displayApi.admin);
  app.route('/api/v1/admin/notifications', notificationRoutes(auth, notifications));
  app.route('/api/v1', caseRoutes({ auth, cases, store, tree, clock, timeZone: options.timeZone, statistics, layerName: (kind, id) => (kind === 'road' ? layers.roadName(id) : layers.keyAreaName(id)) }));
  const unitNames = new Map(data.units.map((u) => [u.id, u.name.zh]));
  app.route('/api/v1', emergencyRoutes({ auth, emergency }));
  app.route('/api/v1', resourceRoutes({ auth, resources }));
  app.route('/api/v1', layerRoutes({ auth, layers }));
  app.route('/api/v1', taskRoutes({ auth, tasks, unitName: (id) => unitNames.get(id) ?? id, areaName: (id) => tree.get(id)?.name ?? id }));
  app.route('/api/v1', alarmApi.officers);
  app.route('/api/v1', forecastRoutes({ tree, auth, forecasts }));
  app.route('/api/v1', readRoutes({ store, tree, auth, indicators, categories: data.categories, areas: data.areas, basemapJson }));
  app.route('/api/v1', analyticsRoutes({ auth, store, tree, clock, timeZone: options.timeZone, categories: data.categories }));
  app.route('/api/v1', hotspotRoutes({ auth, cases, hotspots, tree }));
  // the wall back in time (and live, for a program that wants one snapshot) and the shift handover
  const replay = createReplayService({ store, tree, clock, timeZone: options.timeZone, indicators: data.indicators, limits: data.timeLimits, simulatorOn: options.simulatorOn });
  // one snapshot per room for the sockets and the HTTP endpoint alike (same build, same cache)
  const liveSnapshots = createSnapshotSource({ store, tree, clock, timeZone: options.timeZone, hub, indicators, alarms, simulatorOn: options.simulatorOn, build });
  app.route('/api/v1', replayRoutes({ auth, tree, clock, timeZone: options.timeZone, replay, live: liveSnapshots }));
  app.route('/api/v1', displayApi.officers);
  const wallApi = wallRoutes({ auth, walls });
  app.route('/api/v1', wallApi.pages);
  app.route('/api/v1/admin', wallApi.admin);
  app.route('/api', docsRoutes({ version: VERSION })); // the API description and its page
  app.all('/api/*', (c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } } satisfies ErrorBody, 404));
  const staticRoot = options.staticRoot;
  if (staticRoot && existsSync(join(staticRoot, 'index.html'))) {
    const indexHtml = readFileSync(join(staticRoot, 'index.html'), 'utf8');
    app.use('/*', serveStatic({ root: staticRoot }));
    app.get('*', (c) => c.html(indexHtml)); // SPA fallback
  }

  const timers: (() => void)[] = [];
  let server: ServerType | undefined;

  /**
   * Fold raw readings past the retention window into hourly aggregates, an hour of data per
   * transaction with a yield between, so a large backlog (after downtime) never stalls the loop.
   */
  async function maintenance() {
    const now = clock.now();
    const cutoff = Math.floor(now - options.rawRetentionHours * 3_600_000); // whole ms: PostgreSQL keeps times as bigint
    let folded = 0;
    for (let upTo = await store.readings.oldestReadingAt(); upTo !== null && upTo < cutoff; ) {
      upTo = Math.min(cutoff, upTo - (upTo % 3_600_000) + 3_600_000);
      folded += await store.readings.downsampleReadings(upTo);
      await new Promise((r) => setImmediate(r));
    }
    await store.readings.pruneSeries(now - Math.max(SERIES_KEEP_MS, TREND_WINDOW_MS));
    await notifications.prune();
    // cases stored before masking existed: masked in the background, a batch per pause
    while ((await cases.maskStored()) > 0) await new Promise((r) => setImmediate(r));
    if (folded) logger.info({ folded }, 'raw readings downsampled to hourly');
  }

  return {
    app,
    tree,
    ingest,
    indicators,
    alarms,
    auth,
    cases,
    /** tasks on the map (挂图作战): the late ones are chased on a timer */
    tasks,
    /** the emergency resource registry (the demo loads its sample into an empty one) */
    resources,
    /** 路长制 roads and key areas */
    layers,
    /** the closed loop's statistics, shared between walls asking alike */
    statistics,
    /** notifications out: `notifier.notify(notice)` for alarms; channels and the delivery log */
    notifications,
    notifier: notifications.notifier,
    /** forecasts (趋势预判) and their threshold crossings, for early warnings */
    forecasts,
    hotspots,
    /** wall displays' scenes, layouts and paused rotations */
    displayConfigs,
    /** display screens' last-seen time, build and reloads */
    walls,
    data,
    /** this app's Prometheus registry (`GET /metrics`) */
    registry,
    get hub() {
      return hub;
    },
    cluster,
    /** whether this node runs the cluster's timers now (always, on one node) */
    leads: () => leader.held(),

    /** listen on one port for HTTP and WebSocket, and start the clocks */
    async start(port: number, host = '127.0.0.1'): Promise<{ port: number; url: string }> {
      await layers.load();
      await indicators.init();
      await alarms.init();
      // with several nodes the leaseholder judges the values (takeOver, once it has the lease)
      if (!cluster.shared) alarms.valuesChanged(indicators.allValues());
      const listening = new Promise<AddressInfo>((resolve) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info) => resolve(info));
      });
      // clients send only small requests (snapshot:request); the default 1 MB buffer is far more than needed
      const adapter = cluster.adapter();
      io = new Server(server as never, {
        serveClient: false,
        transports: ['websocket', 'polling'],
        maxHttpBufferSize: 16 * 1024,
        ...(adapter ? { adapter: adapter as never } : {}),
      }) as IoServer;
      hub.attach(io);
      // with several nodes, the lease is tried from here on: taking it calls takeOver()
      await cluster.start(hub.deliver, hub.occupied);
      sockets = attachSocketHandlers(io, { store, tree, clock, timeZone: options.timeZone, hub, indicators, alarms, simulatorOn: options.simulatorOn, build, snapshots: liveSnapshots, auth, logger, network: net, displayConfig: (id) => displayConfigs.forDisplay(id), displaySeen: walls.seen });
      const info = await listening;
      /** a timer; `once`: it fires on the leaseholder only (once in the cluster) */
      const every = (ms: number, fn: () => Promise<void> | void, what: string, once = false) => {
        const t = setInterval(() => {
          if (once && !leader.held()) return;
          Promise.resolve()
            .then(fn)
            .catch((err) => logger.error({ err }, `${what} failed`));
        }, ms);
        timers.push(() => clearInterval(t));
      };
      every(Math.round(1000 / options.indicatorFlushPerSec), async () => {
        await indicators.tick();
        hub.flush();
      }, 'indicator tick', true);
      every(options.alarmTickMs ?? 5_000, () => alarms.tick(), 'alarm rules', true);
      every(MAINTENANCE_MS, maintenance, 'maintenance', true);
      every(options.breachCheckMs ?? 10_000, () => cases.checkBreaches().then(() => undefined), 'breach check', true);
      every(options.taskChaseMs ?? 60_000, () => tasks.chase().then(() => undefined), 'task chase', true);
      // every node sends notifications: each round claims its deliveries in the database with a lease
      notifications.start();
      every(options.emergingTagMs ?? 60_000, () => hotspots.tagEmerging().then(() => undefined), 'emerging hotspot tagging', true);
      every(options.sessionCheckMs ?? 10_000, async () => {
        await sockets?.revalidate();
        await auth.prune();
      }, 'session check');
      // the first fold runs soon after start, not inside it
      const first = setTimeout(() => {
        if (leader.held()) void maintenance().catch((err) => logger.error({ err }, 'maintenance failed'));
      }, 5_000);
      timers.push(() => clearTimeout(first));
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return { port: info.port, url: `http://${shownHost}:${info.port}` };
    },

    async stop(): Promise<void> {
      for (const t of timers.splice(0)) t();
      await notifications.stop();
      await forecastWorker.stop();
      if (leader.held()) await indicators.tick().catch(() => undefined);
      await alarms.idle().catch(() => undefined);
      await auth.flushAudit(true).catch((err) => logger.error({ err }, 'audit flush failed'));
      if (io) await new Promise<void>((resolve) => io!.close(() => resolve()));
      else if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      // releases this node's leases: another node takes the timers over at once
      await cluster.stop().catch((err) => logger.error({ err }, 'leaving the cluster failed'));
    },
  };
}
export type OneScreenApp = ReturnType<typeof createApp>;
