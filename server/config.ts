/**
 * @module server/config
 * Reads `process.env` once, through a schema, and fails at start-up with a list of every bad variable.
 * Nothing else in the server reads the environment.
 */
import { z } from 'zod';

const Bool = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((v) => v === 'on' || v === 'true' || v === '1');

const validZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** An http(s) origin, optionally with a trailing slash: the address people type, no path. */
const PublicUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  }, 'must be an http(s) address with no path, such as https://ops.yangpu.example')
  .transform((v) => new URL(v).origin);

/** a PostgreSQL connection string (empty counts as unset: the embedded SQLite store) */
const DatabaseUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.pathname.length > 1;
      } catch {
        return false;
      }
    }, 'must be a PostgreSQL connection string such as postgres://onescreen:PASSWORD@db.example:5432/onescreen')
    .optional(),
);

const Env = z.object({
  PORT: z.string().trim().regex(/^\d+$/, 'must be a port number').transform(Number).pipe(z.number().int().min(0).max(65535)).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./var'),
  /** postgres://… selects the PostgreSQL store (several nodes may share it); unset: SQLite in DATA_DIR */
  DATABASE_URL: DatabaseUrl,
  /** connections of this node's PostgreSQL pool */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  SIMULATOR: Bool.default(true),
  SIMULATOR_SEED: z.coerce.number().int().optional(),
  /** simulated minutes per real minute of the event/reading generator (1 = real time) */
  SIMULATOR_SPEED: z.coerce.number().positive().max(600).default(1),
  /** raw readings older than this are folded into hourly aggregates and deleted */
  RAW_READINGS_RETENTION_HOURS: z.coerce.number().positive().default(48),
  INGEST_MAX_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
  /** at most this many indicator updates per second per room */
  INDICATOR_FLUSH_PER_SEC: z.coerce.number().positive().max(20).default(2),
  CENTRE_NAME_ZH: z.string().default('杨浦区城市运行管理中心'),
  CENTRE_NAME_EN: z.string().default('Yangpu District City Operations Centre'),
  TIME_ZONE: z.string().refine(validZone, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  /** hours a signed-in session lasts (a duty shift) */
  SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** mark session cookies Secure (default: on when PUBLIC_URL is https) */
  COOKIE_SECURE: Bool.optional(),
  /** the address officers and walls use, e.g. https://ops.yangpu.example (behind a proxy) */
  PUBLIC_URL: PublicUrl.optional(),
  /** how many reverse-proxy hops to trust for X-Forwarded-For / -Proto / -Host (0: none) */
  TRUST_PROXY: z.string().trim().regex(/^\d+$/, 'must be a number of proxy hops (0 for none)').transform(Number).pipe(z.number().int().min(0).max(10)).default(0),
  /** failed sign-ins from one address (for any users) in 15 minutes before it is throttled */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(5).max(10_000).default(20),
  /** sign-ins and display enrolments one address may send in a minute */
  ANONYMOUS_REQUESTS_PER_MINUTE: z.coerce.number().int().min(10).max(100_000).default(60),
  /** ingest requests per second per key (burst twice that); over it answers 429 */
  INGEST_RATE_PER_SEC: z.coerce.number().positive().default(50),
  /** when set, `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>` (empty counts as unset) */
  METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
  /** one JSON line per HTTP request (method, route pattern, status, duration, address) */
  ACCESS_LOG: Bool.default(true),
  /** a new case of a category within this many metres (great-circle) of earlier ones is tagged recurring */
  RECURRENCE_RADIUS_M: z.coerce.number().min(1).max(5000).default(200),
  /** …if those occurred at most this many days before it */
  RECURRENCE_WINDOW_DAYS: z.coerce.number().positive().max(366).default(30),
  /** several nodes: the Redis they share (redis://[:password@]host:port[/db]); unset: one node */
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .trim()
      .refine((v) => {
        try {
          return ['redis:', 'rediss:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, 'must be a redis:// or rediss:// address, such as redis://127.0.0.1:6379')
      .optional(),
  ),
  /** the prefix of every key this installation keeps in Redis (several may share one) */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'letters, digits, _ : . - (at most 64)').default('onescreen:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** the PostgreSQL store's connection string, when set; else the embedded SQLite store in dataDir */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  simulator: boolean;
  simulatorSeed: number | undefined;
  simulatorSpeed: number;
  rawRetentionHours: number;
  ingestMaxBytes: number;
  indicatorFlushPerSec: number;
  centreName: { zh: string; en: string };
  timeZone: string;
  sessionHours: number;
  cookieSecure: boolean;
  /** the origin people use (scheme://host[:port]), when set */
  publicUrl: string | undefined;
  trustProxy: number;
  loginFailuresPerAddress: number;
  anonymousPerMinute: number;
  ingestRatePerSec: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  metricsToken: string | undefined;
  accessLog: boolean;
  recurrenceRadiusM: number;
  recurrenceWindowDays: number;
  redisUrl: string | undefined;
  redisPrefix: string;
}

/** Parse an environment; throws an Error listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = Env.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    simulator: e.SIMULATOR,
    simulatorSeed: e.SIMULATOR_SEED,
    simulatorSpeed: e.SIMULATOR_SPEED,
    rawRetentionHours: e.RAW_READINGS_RETENTION_HOURS,
    ingestMaxBytes: e.INGEST_MAX_BYTES,
    indicatorFlushPerSec: e.INDICATOR_FLUSH_PER_SEC,
    centreName: { zh: e.CENTRE_NAME_ZH, en: e.CENTRE_NAME_EN },
    timeZone: e.TIME_ZONE,
    sessionHours: e.SESSION_HOURS,
    cookieSecure: e.COOKIE_SECURE ?? (e.PUBLIC_URL?.startsWith('https:') ?? false),
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    loginFailuresPerAddress: e.LOGIN_FAILURES_PER_ADDRESS,
    anonymousPerMinute: e.ANONYMOUS_REQUESTS_PER_MINUTE,
    ingestRatePerSec: e.INGEST_RATE_PER_SEC,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    accessLog: e.ACCESS_LOG,
    recurrenceRadiusM: e.RECURRENCE_RADIUS_M,
    recurrenceWindowDays: e.RECURRENCE_WINDOW_DAYS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
  };
}
