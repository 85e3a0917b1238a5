/**
 * @module server/ports
 * The interfaces services depend on. The embedded SQLite store implements {@link Store}; a
 * PostgreSQL store can implement the same interface later (all methods are async for that reason).
 */
import type { EventStatus, GridEvent, Severity } from '../shared/index.ts';

/** The time source. Domain code never calls `Date.now()`; tests pass a fake clock. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Timers go through a scheduler so tests and `stop()` can clear them. */
export interface Scheduler {
  every(ms: number, fn: () => void | Promise<void>): () => void;
}

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface IngestKeyRecord {
  id: string;
  name: string;
  simulated: boolean;
  createdAt: number;
  revokedAt: number | null;
}

/** An event ready to be stored: validated and placed in its grid. */
export interface NewEvent {
  id: string;
  source: string;
  externalId: string;
  category: string;
  title: string;
  description: string;
  lng: number;
  lat: number;
  gridId: string;
  streetId: string;
  districtId: string;
  severity: Severity;
  status: EventStatus;
  occurredAt: number;
  receivedAt: number;
  simulated: boolean;
}

export interface InsertEventResult {
  /** false when (source, externalId) was already stored: `event` is the stored one */
  created: boolean;
  event: GridEvent;
}

export interface NewReading {
  indicatorId: string;
  areaId: string;
  value: number;
  at: number;
  receivedAt: number;
  simulated: boolean;
}

/** The newest reading reported directly for an (indicator, area). */
export interface LatestReading {
  indicatorId: string;
  areaId: string;
  value: number;
  at: number;
  simulated: boolean;
}

export interface EventFilter {
  /** any of these area ids (matched against grid, street and district of the event) */
  areaId?: string;
  areaLevel?: 'city' | 'district' | 'street' | 'grid';
  statuses?: readonly EventStatus[];
  /** occurredAt range, epoch ms, inclusive from, exclusive to */
  from?: number;
  to?: number;
  limit: number;
}

export interface SeriesRow {
  indicatorId: string;
  areaId: string;
  bucket: number;
  value: number;
}

export interface HourlyReadingRow {
  indicatorId: string;
  areaId: string;
  hour: number;
  n: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

/** Per-area counts of open events, for derived indicators. */
export interface OpenCounts {
  gridId: string;
  open: number;
  overdue: number;
  today: number;
}

export interface Store {
  /** bring the schema to the newest version (idempotent) */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createIngestKey(k: { id: string; name: string; hash: string; simulated: boolean; createdAt: number }): Promise<void>;
  findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null>;
  listIngestKeys(): Promise<IngestKeyRecord[]>;
  revokeIngestKey(idOrName: string, at: number): Promise<number>;

  /** store a batch in one transaction; idempotent on (source, externalId) */
  insertEvents(events: NewEvent[]): Promise<InsertEventResult[]>;
  getEvent(id: string): Promise<GridEvent | null>;
  listEvents(f: EventFilter): Promise<GridEvent[]>;
  countEvents(f: Omit<EventFilter, 'limit'>): Promise<number>;
  /** occurrence times (epoch ms) of events that occurred in [from, to), optionally below an area */
  occurredTimes(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<number[]>;
  /** open-event counts per grid; overdue decided by `overdueBefore(severity)` against receivedAt */
  openCountsByGrid(now: number, todayStart: number, overdueAfterMs: Record<Severity, number>): Promise<OpenCounts[]>;

  /** store readings in one transaction, updating the latest direct value per (indicator, area) */
  insertReadings(readings: NewReading[]): Promise<void>;
  latestReadings(): Promise<LatestReading[]>;
  /** fold raw readings older than `before` into hourly aggregates and delete them; returns rows folded */
  downsampleReadings(before: number): Promise<number>;
  hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]>;
  rawReadingCount(): Promise<number>;

  /** record computed (rolled-up) values into a bucketed series; the last value in a bucket wins */
  upsertSeries(rows: SeriesRow[]): Promise<void>;
  series(areaId: string, from: number): Promise<SeriesRow[]>;
  pruneSeries(before: number): Promise<void>;
}
