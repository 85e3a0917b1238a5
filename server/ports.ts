/**
 * @module server/ports
 * The interfaces services depend on. {@link Store} is the database, split into one repository per
 * aggregate; the embedded SQLite store and the PostgreSQL store implement it (all methods async).
 */
import type { TaskEntry, TaskRecord } from './domain/tasks.ts';
import type { IncidentEntry, IncidentRecord } from './domain/emergency.ts';
import type { Alarm, AlarmHistoryEntry, AlarmRule, AlarmView, AuditEntry, CaseTag, DeliveryKind, DeliveryStatus, DisplayLayout, EventChange, EventStatus, GridEvent, IncidentLogEntry, IndicatorValue, Resource, LadderRung, Notice, NoticeSeverity, Role, Scene, SeriesPoint, Severity, TaskLogEntry, TimelineEntry, WallReloadReason } from '../shared/index.ts';
import type { ChannelRecord } from './domain/notify.ts';
import type { CallCounts, ClosedCounts } from './domain/loop-indicators.ts';
export type { CallCounts, ClosedCounts };
import type { HotlineCounts } from './domain/hotline.ts';
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
  deltaSent(kind: 'event:upsert' | 'event:remove' | 'indicator:update' | 'alarm:upsert', level: string): void;
  /** an alarm episode raised, escalated or cleared */
  alarm(event: 'raised' | 'escalated' | 'cleared', severity: 'warn' | 'alarm'): void;
  /** one attempt to deliver a notification: delivered, to be retried, or failed for good */
  notification(kind: DeliveryKind, outcome: 'delivered' | 'retry' | 'failed'): void;
  /** a wall page's report (`POST /api/v1/wall/reports`): accepted, refused as invalid, or over its rate */
  wallReport(outcome: 'accepted' | 'invalid' | 'rate_limited'): void;
  /** a wall page reloaded itself (an accepted report), by why */
  wallReload(reason: WallReloadReason): void;
}

/**
 * What services tell about what happened (an alarm raised or cleared, a time-limit breach). It
 * never throws and never blocks the caller: it enqueues; channels are matched and deliveries
 * written and sent in the background (`server/services/notify.service.ts`).
 */
export interface Notifier {
  notify(n: Notice): void;
}

/** A new series point of an area's indicator, streamed with its value. */
export interface IndicatorPoint {
  areaId: string;
  indicatorId: string;
  point: SeriesPoint;
}

/**
 * The live stream, as services see it: they tell what was committed, the websocket side
 * (`server/realtime/hub.ts`) fans it out to the rooms that may see it, one frame per room per
 * call. Call it only after the change is durable; it never throws for a room and never blocks.
 */
export interface Broadcaster {
  /**
   * The events of one commit (an ingest batch, a transition, a tagging round), in commit order.
   * `formerUnits`: by event id, the units the commit took off the case (a return, a new dispatch);
   * they are told this once, so their screens drop it.
   */
  publishEvents(changes: readonly EventChange[], formerUnits?: ReadonlyMap<string, readonly string[]>): void;
  /**
   * Cases just marked confidential, as they are now (their grid and units name the rooms that were
   * sent them, their version the last change to drop). Confidential cases are otherwise never
   * streamed: `publishEvents` leaves them out.
   */
  withdrawEvents(events: readonly GridEvent[]): void;
  /** alarms raised, changed or cleared by one step, in order */
  publishAlarms(alarms: readonly Alarm[]): void;
  /** changed indicator values and new series points (coalesced per room until the next flush) */
  publishIndicators(values: readonly IndicatorValue[], points: readonly IndicatorPoint[]): void;
}

/** One delivery of the outbox: a notice (as sent) to a channel. */
export interface DeliveryRecord {
  id: number;
  /** null once the channel is deleted */
  channelId: string | null;
  channelName: string;
  noticeKey: string;
  kind: DeliveryKind;
  severity: NoticeSeverity;
  /** the notice as JSON (rendered and signed at each attempt) */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export type NewDelivery = Pick<DeliveryRecord, 'channelId' | 'channelName' | 'noticeKey' | 'kind' | 'severity' | 'payload' | 'createdAt'>;

/** The result of one attempt, written back to its delivery. */
export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastStatus: number | null;
  at: number;
}

/** The notification channels and the delivery outbox. */
export interface NotificationRepository {
  createChannel(c: ChannelRecord): Promise<void>;
  /** replace a channel's fields; false if there is no such channel */
  updateChannel(c: ChannelRecord): Promise<boolean>;
  /** false if there is no such channel; its deliveries stay in the log */
  deleteChannel(id: string): Promise<boolean>;
  getChannel(id: string): Promise<ChannelRecord | null>;
  listChannels(): Promise<ChannelRecord[]>;
  /** add pending deliveries due at once, skipping any (channel, notice key) stored already; returns those added */
  enqueueDeliveries(rows: NewDelivery[]): Promise<DeliveryRecord[]>;
  /**
   * Take up to `limit` pending deliveries due by `now`, oldest due first, and push their next
   * attempt to `leaseUntil` (so a crash mid-send retries them after that, and a second round does
   * not take them again meanwhile).
   */
  claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]>;
  finishAttempt(id: number, o: DeliveryOutcome): Promise<void>;
  getDelivery(id: number): Promise<DeliveryRecord | null>;
  /** newest first */
  listDeliveries(q: { limit: number; status?: DeliveryStatus; channelId?: string }): Promise<DeliveryRecord[]>;
  /** a failed delivery back to pending, due now (its attempts start again); false if it is not failed */
  retryDelivery(id: number, now: number): Promise<boolean>;
  /** delete delivered and failed deliveries last changed before `before`; returns how many */
  pruneDeliveries(before: number): Promise<number>;
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
  /** 涉密/敏感 */
  confidential: boolean;
  /** 演练: left out of every statistic */
  drill: boolean;
  /** the road it was reported on (路长制), the key areas around it, and its limits' factor */
  roadId: string | null;
  keyAreaIds: string[];
  limitFactor: number;
  /** the building it was reported at (三长联动) */
  buildingId: string | null;
  /** the report as posted, when personal data in it was masked in `title`/`description` (stored apart) */
  personal: { title: string; description: string } | null;
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
  /** marked or unmarked 涉密/敏感 (absent: unchanged) */
  confidential?: boolean;
  /** the escalation ladder's rung reached (absent: unchanged) */
  ladder?: LadderRung;
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
  /** only the cases of these streets (a unit account limited to several) */
  streets?: readonly string[];
  /** only a drill's cases (true) or only the others (false); absent: both */
  drill?: boolean;
  /** the reports rejected as duplicates of this case (merged into it) */
  duplicateOf?: string;
  /** newest received first (default), or the soonest due first with unclocked cases last */
  order?: 'received' | 'due';
  /** only confidential cases (true) or only the others (false); absent: both */
  confidential?: boolean;
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

export interface HotlineCountsQuery {
  source: string;
  from: number;
  to: number;
  baselineFrom: number;
  baselineTo: number;
  area: { id: string; level: EventFilter['areaLevel'] };
  maxPoints: number;
}

export interface UserRecord {
  id: string;
  username: string;
  role: Role;
  areaId: string;
  /** the unit a `unit` account works for; null for every other role */
  unitId: string | null;
  /** the streets a unit account is limited to, when several (its area is then the district); empty otherwise */
  streets: string[];
  /** a street or unit account cleared for confidential cases (district officers and admins always are) */
  cleared: boolean;
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

/** An area as the stores scope by it. */
export interface AreaScope {
  id: string;
  level: EventFilter['areaLevel'];
}

/**
 * A case as stored now, with its timeline up to a past time `at` when it changed after `at`
 * (replay: `server/domain/replay.ts` turns it back into the case as it was then).
 */
export interface CaseThen {
  event: GridEvent;
  /** its timeline entries at or before `at`, in order; null when it has not changed since (the row is as it was) */
  timeline: TimelineEntry[] | null;
}

/** One timeline entry of a window with its case as stored now (the shift handover). */
export interface CaseEntryRow {
  action: string;
  at: number;
  event: GridEvent;
}

/** Set or clear one tag of a case, with the timeline entry that records it (from/to: the case's status). */
export interface TagChange {
  id: string;
  tag: CaseTag;
  on: boolean;
  entry: Omit<TimelineEntry, 'seq' | 'from' | 'to'>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'count'> & { at: number; count?: number };

/** A new episode, as the alarm service opens it. */
export type NewAlarm = Omit<Alarm, 'version' | 'since' | 'raisedAt' | 'lastAt' | 'clearedAt' | 'acknowledgedAt'> & {
  districtId: string;
  since: number;
  raisedAt: number;
  lastAt: number;
};

/** What one step of an episode changes, written together with its history entry. */
export interface AlarmChange {
  severity?: Alarm['severity'];
  state?: Alarm['state'];
  value?: number | null;
  threshold?: number | null;
  lastAt?: number;
  clearedAt?: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  ackNote?: string | null;
  caseId?: string;
}

export type NewAlarmHistory = Omit<AlarmHistoryEntry, 'at'> & { at: number };

export interface AlarmFilter {
  area?: { id: string; level: EventFilter['areaLevel'] };
  status: 'active' | 'cleared' | 'all';
  limit: number;
}

/** Alarms and their history, and the versioned rule set (the alarms aggregate). */
export interface AlarmRepository {
  /**
   * Open an episode with its first history entry. Returns null when the (rule, area) already has
   * an open episode (the database keeps one): the caller updates that one instead.
   */
  insert(a: NewAlarm, entry: NewAlarmHistory): Promise<Alarm | null>;
  /**
   * Change an episode and append its history entry in one transaction, if it is still at
   * `expectedVersion` (any version when omitted); null when it moved on or does not exist. A change
   * that clears (`clearedAt` set) applies only to an episode still open: null when it is cleared
   * already (by another evaluator that read it open too).
   */
  update(id: string, change: AlarmChange, entry: NewAlarmHistory | null, expectedVersion?: number): Promise<Alarm | null>;
  get(id: string): Promise<Alarm | null>;
  /** the open episode of a (rule, area), if any */
  findOpen(ruleId: string, areaId: string): Promise<Alarm | null>;
  history(id: string): Promise<AlarmHistoryEntry[]>;
  /** active first (severity, then oldest), then cleared (newest first) */
  list(f: AlarmFilter): Promise<Alarm[]>;
  count(f: Omit<AlarmFilter, 'limit'>): Promise<number>;
  /** every open episode (raised or acknowledged) */
  open(): Promise<Alarm[]>;
  /**
   * Episodes below an area that overlap [from, to]: raised at or before `to` and not cleared
   * before `from`, with their history (oldest raised first, at most `limit`)
   */
  overlapping(from: number, to: number, limit: number, area?: AreaScope): Promise<AlarmView[]>;
  /** the newest saved rule set, or null when the shipped one was never edited */
  latestRuleSet(): Promise<{ version: number; rules: AlarmRule[]; savedAt: number; savedBy: string } | null>;
  /** save a rule set as `version` (the previous + 1); false when that version exists (someone saved first) */
  saveRuleSet(version: number, rules: AlarmRule[], at: number, by: string): Promise<boolean>;
}

/**
 * Cases (grid events) and their timelines, with the counts the statistics, loop indicators, hotspots
 * and 12345 analysis read. Those counts, the hourly times, the recurrence candidates, the hotspots'
 * cases and replay's arrivals leave a drill's cases (演练, R7.4) out; lists, timelines and replay's
 * cases keep them (they show, marked).
 */
export interface CaseRepository {
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
  /**
   * Remove a case from every other case's `relatedIds` (it was just marked confidential: a link
   * would show every screen that it is there); returns how many cases changed.
   */
  unlinkRelated(id: string): Promise<number>;
  /** cases stored before masking existed and not checked yet (title and description as stored) */
  uncheckedForMasking(limit: number): Promise<{ id: string; title: string; description: string }[]>;
  /** write each case's masking: its masked text and the report as posted where anything was masked */
  saveMasking(rows: readonly { id: string; title: string; description: string; personal: { title: string; description: string } | null }[]): Promise<void>;
  /** the report as posted, for a case whose personal data was masked (null: nothing was masked) */
  personalData(id: string): Promise<{ title: string; description: string } | null>;
  timeline(eventId: string): Promise<TimelineEntry[]>;
  /**
   * Apply a change if the case is still at `expectedVersion`, appending its timeline entry, in one
   * transaction. Returns the changed case, or null when the version moved on (a conflict).
   */
  changeCase(id: string, expectedVersion: number, change: CaseChange, entry: Omit<TimelineEntry, 'seq'>, now: number): Promise<GridEvent | null>;
  /** the full timelines of cases below an area with any entry in [from, to) */
  caseHistories(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel'] }): Promise<{ id: string; streetId: string; gridId: string; roadId: string | null; keyAreaIds: string[]; status: EventStatus; confidential: boolean; timeline: TimelineEntry[] }[]>;
  /** open cases below an area, counted by status */
  countByStatus(area?: { id: string; level: EventFilter['areaLevel'] }): Promise<Partial<Record<EventStatus, number>>>;
  /** open cases whose current stage is due by `now` and not yet marked breached */
  dueCases(now: number, limit: number): Promise<GridEvent[]>;
  listEvents(f: EventFilter): Promise<GridEvent[]>;
  countEvents(f: Omit<EventFilter, 'limit'>): Promise<number>;
  /** occurrence times (epoch ms) of events that occurred in [from, to), optionally below an area */
  /** when the cases of an area (and, with `unit`, that the unit works on) occurred, in [from, to) */
  occurredTimes(from: number, to: number, area?: { id: string; level: EventFilter['areaLevel']; unit?: string }): Promise<number[]>;
  /** per grid: open cases, open cases past their stage deadline, cases that occurred today */
  openCountsByGrid(now: number, todayStart: number): Promise<OpenCounts[]>;
  /** per grid, the open cases whose current stage is past its time limit (read by the deadline index) */
  overdueCountsByGrid(now: number): Promise<Pick<OpenCounts, 'gridId' | 'overdue'>[]>;
  /**
   * per grid (only grids with any): cases archived in (after, now] — all, never returned nor
   * reworked, without a breach, rated, rated good; one grouped read of an index, no timelines
   * (server/domain/loop-indicators.ts)
   */
  closedCountsByGrid(after: number, now: number): Promise<ClosedCounts[]>;
  /** per grid (only grids with any): events from `source` that occurred in (after, now] */
  callCountsByGrid(source: string, after: number, now: number): Promise<CallCounts[]>;
  /**
   * The 12345 analysis' counts of one source's events below an area: by category and by hour in
   * the period and the baseline (by occurrence), by grid and at most `maxPoints` newest cases of
   * the period, and the cases archived in either window by breach, rating and satisfaction.
   */
  hotlineCounts(q: HotlineCountsQuery): Promise<HotlineCounts>;
  /**
   * Replay: the cases below an area received by `at` that were open at `at` or may have been —
   * open now, or archived or rejected after `at` — each with its timeline up to `at` when it
   * changed since (read by the status, closing-time and received-time indexes)
   */
  casesOpenAt(at: number, area?: AreaScope): Promise<CaseThen[]>;
  /** replay: the `limit` newest cases received by `at` below an area, newest first, with their timelines up to `at` when they changed since */
  receivedBy(at: number, limit: number, area?: AreaScope): Promise<CaseThen[]>;
  /** replay: grid and occurrence time of the events below an area that occurred in [from, to) and were received by `receivedBy` */
  arrivals(from: number, to: number, receivedBy: number, area?: AreaScope): Promise<{ gridId: string; occurredAt: number }[]>;
  /** the shift handover: timeline entries with one of these actions in [from, to) below an area, with their cases, oldest first */
  entriesBetween(from: number, to: number, actions: readonly string[], area?: AreaScope): Promise<CaseEntryRow[]>;
}

/** Indicator readings (raw and folded hourly) and the rolled-up series. */
export interface ReadingRepository {
  /** store readings in one transaction, updating the latest direct value per (indicator, area) */
  insertReadings(readings: NewReading[]): Promise<void>;
  latestReadings(): Promise<LatestReading[]>;
  /** fold raw readings older than `before` into hourly aggregates and delete them; returns rows folded */
  downsampleReadings(before: number): Promise<number>;
  hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]>;
  rawReadingCount(): Promise<number>;
  /** hourly means of an (indicator, area)'s own readings from `from` on, raw and folded alike (forecasts) */
  readingHours(indicatorId: string, areaId: string, from: number): Promise<{ hour: number; value: number }[]>;
  oldestReadingAt(): Promise<number | null>;
  /** record computed (rolled-up) values into a bucketed series; the last value in a bucket wins */
  upsertSeries(rows: SeriesRow[]): Promise<void>;
  /** an area's series points with bucket in [from, to] (to: no end when omitted), oldest first */
  series(areaId: string, from: number, to?: number): Promise<SeriesRow[]>;
  /**
   * Replay: per (indicator, area) ever reported, the newest reading at or before `at` and after
   * `since` — raw, or for hours folded already the hour's last reading
   */
  readingsAsOf(at: number, since: number): Promise<LatestReading[]>;
  pruneSeries(before: number): Promise<void>;
}

/** Users, display (wall screen) tokens and sessions. */
export interface IdentityRepository {
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
}

/** A display's pause of its rotation: `until` null means until someone resumes it. */
export interface RotationPauseRecord {
  by: string;
  at: number;
  until: number | null;
}

/** A display's configuration as stored (a display with no row has the defaults). */
export interface DisplayConfigRecord {
  displayId: string;
  scenes: Scene[];
  layout: DisplayLayout;
  updatedAt: number | null;
  updatedBy: string | null;
  pause: RotationPauseRecord | null;
}

/** Wall displays' playlists of scenes, layouts and paused rotations (one row per display). */
export interface DisplayConfigRepository {
  /** null when the display was never configured nor paused */
  get(displayId: string): Promise<DisplayConfigRecord | null>;
  list(): Promise<DisplayConfigRecord[]>;
  /** store the playlist and layout (the pause is kept); the display must exist */
  save(displayId: string, c: { scenes: Scene[]; layout: DisplayLayout; at: number; by: string }): Promise<DisplayConfigRecord>;
  /** pause (or, with null, resume) the rotation; the playlist is kept */
  setPause(displayId: string, pause: RotationPauseRecord | null): Promise<DisplayConfigRecord>;
}

/** What is kept of one display screen's runs (migration 13 / PostgreSQL 4). */
export interface DisplayStatusRecord {
  displayId: string;
  lastSeenAt: number | null;
  build: string | null;
  reloads: number;
  lastReloadReason: WallReloadReason | null;
  lastReloadAt: number | null;
}

/**
 * Display screens' last-seen time, build and reloads. Written rarely: the service throttles
 * last-seen writes (at most once a minute per display), reloads are rate-limited reports.
 */
export interface DisplayStatusRepository {
  /** the display was seen live at `at` running `build` (null: unknown, the stored build stays); last-seen never goes back */
  seen(displayId: string, at: number, build: string | null): Promise<void>;
  /** the display reported a reload: counted, with its reason and time (and seen then) */
  reloaded(displayId: string, at: number, reason: WallReloadReason, build: string): Promise<void>;
  /** every display ever seen or reloaded, by display id */
  list(): Promise<DisplayStatusRecord[]>;
}

/** The ingest API keys (only their hashes are stored). */
export interface IngestKeyRepository {
  createIngestKey(k: { id: string; name: string; hash: string; sources: string[] | null; simulated: boolean; createdAt: number }): Promise<void>;
  findIngestKeyByHash(hash: string): Promise<IngestKeyRecord | null>;
  listIngestKeys(): Promise<IngestKeyRecord[]>;
  revokeIngestKey(idOrName: string, at: number): Promise<number>;
}

/** The audit trail: append-only (the database refuses updates and deletes). */
export interface AuditRepository {
  /** append to the audit trail (there is no way to change or remove an entry) */
  appendAudit(e: NewAuditEntry): Promise<void>;
  /** newest first */
  listAudit(q: { from?: number; to?: number; limit: number }): Promise<AuditEntry[]>;
}

/**
 * The database: one repository per aggregate over one connection handle. The embedded SQLite
 * store (`server/stores/sqlite/`) and the PostgreSQL store (`server/stores/postgres/`) implement it
 * and pass one contract suite (`test/contract/`).
 */
/** Which tasks to list: of an area (its district or one street), of a unit, by status; nearest deadline first. */
export interface TaskFilter {
  districtId?: string;
  streetId?: string;
  unitId?: string;
  status?: TaskRecord['status'];
  limit: number;
}

/** Tasks on the map (挂图作战) and their append-only logs. */
export interface TaskRepository {
  /** a new task with its first log entry */
  create(t: TaskRecord & { districtId: string; streetId: string | null }, entry: TaskEntry): Promise<void>;
  get(id: string): Promise<TaskRecord | null>;
  list(f: TaskFilter): Promise<TaskRecord[]>;
  count(f: Omit<TaskFilter, 'limit'>): Promise<number>;
  /** write `next` and append `entries` if the task is still at `expectedVersion` (else null) */
  update(id: string, expectedVersion: number, next: TaskRecord, entries: readonly TaskEntry[]): Promise<TaskRecord | null>;
  log(id: string): Promise<TaskLogEntry[]>;
  /** active tasks with a milestone or the deadline already past (the server chases them) */
  pastDue(now: number, limit: number): Promise<TaskRecord[]>;
}

/** a map layer as kept: the checked GeoJSON (as JSON text), its version and who saved it when */
export interface StoredLayer {
  body: string;
  version: number;
  savedAt: number;
  savedBy: string;
}

/** the district's own map layers */
export type LayerKind = 'roads' | 'key_areas' | 'buildings';

/** The district's own map layers (路长制 roads, key areas, buildings with their 三长), each kept whole under a version. */
export interface LayerRepository {
  get(kind: LayerKind): Promise<StoredLayer | null>;
  /** save as `version` (the previous + 1, or 1 for the first); false when that version exists (someone saved first) */
  save(kind: LayerKind, layer: StoredLayer): Promise<boolean>;
}

/** The emergency resource registry (R7.5). */
export interface ResourceRepository {
  /** the whole registry replaced by `list` (one transaction) */
  replaceAll(list: readonly Resource[]): Promise<void>;
  list(): Promise<Resource[]>;
  get(id: string): Promise<Resource | null>;
  /** send it to an incident if it is available and not busy (false otherwise) */
  dispatch(id: string, incidentId: string): Promise<boolean>;
  /** one resource free again (a dispatch that could not be logged) */
  free(id: string, incidentId: string): Promise<void>;
  /** the resources of an ended incident are free again */
  release(incidentId: string): Promise<void>;
}

/** Incidents run in wartime mode (平战结合) and their append-only logs. */
export interface IncidentRepository {
  /** a new incident with the first line of its log; false when its area already runs one */
  create(r: IncidentRecord, entry: IncidentEntry): Promise<boolean>;
  get(id: string): Promise<IncidentRecord | null>;
  /** the incidents running now (a handful at most: one per area) */
  running(): Promise<IncidentRecord[]>;
  /** ended incidents, the newest first */
  ended(limit: number): Promise<IncidentRecord[]>;
  /** write `next` and append `entry` if the incident is still at `expectedVersion` (else null) */
  update(id: string, expectedVersion: number, next: IncidentRecord, entry: IncidentEntry): Promise<IncidentRecord | null>;
  log(id: string): Promise<IncidentLogEntry[]>;
}

export interface Store {
  readonly cases: CaseRepository;
  /** incidents in wartime mode (平战结合) */
  readonly incidents: IncidentRepository;
  /** the emergency resource registry */
  readonly resources: ResourceRepository;
  /** roads with their 路长, key areas */
  readonly layers: LayerRepository;
  /** tasks on the map (挂图作战) */
  readonly tasks: TaskRepository;
  readonly readings: ReadingRepository;
  readonly identities: IdentityRepository;
  readonly keys: IngestKeyRepository;
  readonly audit: AuditRepository;
  readonly notifications: NotificationRepository;
  /** alarms and alarm rules */
  readonly alarms: AlarmRepository;
  /** wall displays' playlists, layouts and paused rotations */
  readonly displayConfigs: DisplayConfigRepository;
  /** display screens' last-seen time, build and reloads */
  readonly displayStatus: DisplayStatusRepository;
  /** which database this is ('sqlite' | 'postgres'), for logs and /api/ready */
  readonly kind: 'sqlite' | 'postgres';
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
}
