/**
 * @module server/ports
 * The interfaces services depend on. The embedded SQLite store implements {@link Store}; a
 * PostgreSQL store can implement the same interface later (all methods are async for that reason).
 */
import type { AuditEntry, CaseTag, EventStatus, GridEvent, Role, Severity, TimelineEntry } from '../shared/index.ts';
import type { CasePoint, RecurrenceRule, RecurringCase } from './domain/hotspots.ts';

/** The time source. Domain code never calls `Date.now()`; tests pass a fake clock. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** What an ingest item or batch is: an event or a reading. */
export type IngestKind = 'event' | 'reading';
/** How an ingest request was answered: committed (200), refused whole, or not let in. */
export type BatchOutcome = 'committed' | 'invalid' | 'unauthorized' | 'too_large' | 'rate_limited' | 'error';
export type LoginFailure = 'unknown_user' | 'wrong_password' | 'disabled' | 'throttled';

/**
 * What the server counts for operators (`GET /metrics`). Services are told what happened; how it
 * is exported (Prometheus, through prom-client) is `server/observability/metrics.ts`'s business.
 */
export interface Metrics {
  /** items of a committed batch, by the sending key's name and the item's result */
  ingested(kind: IngestKind, source: string, outcome: 'created' | 'duplicate' | 'accepted' | 'rejected', n: number): void;
  /** one ingest request answered */
  batch(kind: IngestKind, source: string, outcome: BatchOutcome): void;
  /** start timing a batch from the ingest service to its durable commit; call the result once committed */
  commitTimer(kind: IngestKind): () => void;
  /** a case's stage overran its time limit (marked once per stage) */
  breach(stage: string): void;
  loginFailed(reason: LoginFailure): void;
  /** one delta emitted to the room of an area of this level */
  deltaSent(kind: 'event:upsert' | 'indicator:update', level: string): void;
}

export interface IngestKeyRecord {
  id: string;
  name: string;
  /** the source codes this key may post events under; null for an unbound key (any source) */
  sources: string[] | null;
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
  /** when the first stage (acceptance) is due */
  dueAt: number | null;
}

/** The fields a transition changes, written together with its timeline entry. */
export interface CaseChange {
  status: EventStatus;
  leadUnit: string | null;
  coUnits: string[];
  escalated: boolean;
  stageStartedAt: number;
  dueAt: number | null;
  rating: 'good' | 'bad' | null;
  satisfaction: number | null;
  duplicateOf: string | null;
  /** a breach: counted, and the current stage marked as breached */
  breach?: boolean;
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
  /** cases a unit leads or works on as a co-unit */
  unit?: string;
  /** the reports rejected as duplicates of this case (merged into it) */
  duplicateOf?: string;
  /** newest received first (default), or the soonest due first with unclocked cases last */
  order?: 'received' | 'due';
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

export interface UserRecord {
  id: string;
  username: string;
  role: Role;
  areaId: string;
  passwordHash: string;
  createdAt: number;
  disabledAt: number | null;
}

export interface DisplayTokenRecord {
  id: string;
  name: string;
  areaId: string;
  createdBy: string;
  createdAt: number;
  revokedAt: number | null;
  /** when its token enrolled a screen (a token enrols once); null while waiting */
  enrolledAt: number | null;
}

export interface SessionRecord {
  /** SHA-256 of the cookie value: the value itself is never stored */
  hash: string;
  userId: string | null;
  displayId: string | null;
  createdAt: number;
  expiresAt: number;
  ip: string;
}

/** Per (grid, category) and baseline span k (0 = the current window): how many cases occurred. */
export interface HotspotCountRow {
  gridId: string;
  streetId: string;
  category: string;
  k: number;
  n: number;
}

/** Set or clear one tag of a case, with the timeline entry that records it (from/to: the case's status). */
export interface TagChange {
  id: string;
  tag: CaseTag;
  on: boolean;
  entry: Omit<TimelineEntry, 'seq' | 'from' | 'to'>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'count'> & { at: number; count?: number };

export interface Store {
  /**
   * bring the schema to the newest version (idempotent); refuses (throws) a database written by a
   * newer version
   */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** a cheap check that the database answers and has the schema this version expects; throws what is wrong */
  ping(): Promise<void>;
  /** the bytes the database occupies on disk (including a write-ahead log) */
  sizeBytes(): Promise<number>;

  createIngestKey(k: { id: string; name: string; hash: string; sources: string[] | null; simulated: boolean; createdAt: number }): Promise<void>;
  findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null>;
  listIngestKeys(): Promise<IngestKeyRecord[]>;
  revokeIngestKey(idOrName: string, at: number): Promise<number>;

  /**
   * store a batch in one transaction; idempotent on (source, externalId). With a recurrence rule,
   * each new case is tagged `recurring` and linked to the earlier cases it recurs (within the same
   * transaction, so a batch sees its own earlier items)
   */
  insertEvents(events: NewEvent[], recurrence?: RecurrenceRule): Promise<InsertEventResult[]>;
  /**
   * Cases (not merged duplicates, not rejected) counted per (grid, category) and span k: span k
   * covers occurredAt in [now − k·periodMs − windowMs, now − k·periodMs), k = 0…spans
   */
  hotspotCounts(q: { now: number; windowMs: number; periodMs: number; spans: number }, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<HotspotCountRow[]>;
  /** cases tagged recurring that occurred in [from, to), below an area */
  recurringCases(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<RecurringCase[]>;
  /** these cases' places and times (unknown ids and merged duplicates are left out) */
  casePoints(ids: readonly string[]): Promise<CasePoint[]>;
  /** ids of cases (not merged duplicates, not rejected) in a grid (and category) that occurred in [from, to), newest first */
  casesInGrid(from: number, to: number, gridId: string, category: string | null, limit: number): Promise<string[]>;
  /** apply tag changes in one transaction; returns the cases that changed (version bumped, entry appended) */
  setTags(changes: readonly TagChange[], now: number): Promise<GridEvent[]>;
  getEvent(id: string): Promise<GridEvent | null>;
  timeline(eventId: string): Promise<TimelineEntry[]>;
  /**
   * Apply a change if the case is still at `expectedVersion`, appending its timeline entry, in one
   * transaction. Returns the changed case, or null when the version moved on (a conflict).
   */
  changeCase(id: string, expectedVersion: number, change: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null>;
  /** the full timelines of cases below an area with any entry in [from, to) */
  caseHistories(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<{ id: string; streetId: string; status: EventStatus; timeline: TimelineEntry[] }[]>;
  /** open cases below an area, counted by status */
  countByStatus(area?: { id: string; level: EventFilter['areaLevel'] }): Promise<Partial<Record<EventStatus, number>>>;
  /** open cases whose current stage is due by `now` and not yet marked breached */
  dueCases(now: number, limit: number): Promise<GridEvent[]>;
  listEvents(f: EventFilter): Promise<GridEvent[]>;
  countEvents(f: Omit<EventFilter, 'limit'>): Promise<number>;
  /** occurrence times (epoch ms) of events that occurred in [from, to), optionally below an area */
  occurredTimes(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<number[]>;
  /** per grid: open cases, open cases past their stage deadline, cases that occurred today */
  openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]>;

  /** store readings in one transaction, updating the latest direct value per (indicator, area) */
  insertReadings(readings: NewReading[]): Promise<void>;
  latestReadings(): Promise<LatestReading[]>;
  /** fold raw readings older than `before` into hourly aggregates and delete them; returns rows folded */
  downsampleReadings(before: number): Promise<number>;
  hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]>;
  rawReadingCount(): Promise<number>;
  oldestReadingAt(): Promise<number | null>;

  createUser(u: UserRecord): Promise<void>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  getUser(id: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  setUserDisabled(id: string, at: number | null): Promise<void>;
  setUserPassword(id: string, passwordHash: string): Promise<void>;

  createDisplayToken(t: DisplayTokenRecord & { hash: string }): Promise<void>;
  findDisplayTokenByHash(hash: string): Promise<DisplayTokenRecord | null>;
  getDisplayToken(id: string): Promise<DisplayTokenRecord | null>;
  listDisplayTokens(): Promise<DisplayTokenRecord[]>;
  revokeDisplayToken(id: string, at: number): Promise<boolean>;
  /**
   * Mark the token with this hash as used, if it is live and unused, atomically: of two parallel
   * enrolments with one token only one gets the display back.
   */
  consumeDisplayToken(hash: string, at: number): Promise<DisplayTokenRecord | null>;
  /** give a live display a new, unused token (the old one stops working) */
  reissueDisplayToken(id: string, hash: string): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  findSession(hash: string): Promise<SessionRecord | null>;
  deleteSession(hash: string): Promise<void>;
  /** end every session of a user or a display; returns their hashes */
  deleteSessionsOf(who: { userId?: string; displayId?: string }): Promise<string[]>;
  pruneSessions(now: number): Promise<void>;

  /** append to the audit trail (there is no way to change or remove an entry) */
  appendAudit(e: NewAuditEntry): Promise<void>;
  /** newest first */
  listAudit(q: { from?: number; to?: number; limit: number }): Promise<AuditEntry[]>;

  /** record computed (rolled-up) values into a bucketed series; the last value in a bucket wins */
  upsertSeries(rows: SeriesRow[]): Promise<void>;
  series(areaId: string, from: number): Promise<SeriesRow[]>;
  pruneSeries(before: number): Promise<void>;
}
