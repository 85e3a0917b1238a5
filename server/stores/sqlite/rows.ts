/**
 * @module server/stores/sqlite/rows
 * The embedded database's rows and their conversion to wire types and records, in one place: every
 * repository reads through these functions, so a column's meaning (epoch ms ↔ ISO time, 0/1 ↔
 * boolean, JSON text ↔ array) is decided once.
 */
import type { Alarm, AlarmHistoryEntry, AuditEntry, GridEvent, Role, TimelineEntry } from '../../../shared/index.ts';
import type { ChannelRecord } from '../../domain/notify.ts';
import type { DeliveryRecord, DisplayTokenRecord, IngestKeyRecord, LatestReading, NewEvent, SessionRecord, UserRecord } from '../../ports.ts';

/** epoch ms → ISO 8601 (UTC) */
export const iso = (t: number) => new Date(t).toISOString();
export const isoOrNull = (t: number | null) => (t === null ? null : iso(t));

export interface EventRow {
  id: string;
  source: string;
  external_id: string;
  category: string;
  title: string;
  description: string;
  lng: number;
  lat: number;
  grid_id: string;
  street_id: string;
  district_id: string;
  severity: string;
  status: string;
  occurred_at: number;
  received_at: number;
  updated_at: number;
  simulated: number;
  version: number;
  lead_unit: string | null;
  co_units: string;
  escalated: number;
  stage_started_at: number | null;
  due_at: number | null;
  breaches: number;
  rating: string | null;
  satisfaction: number | null;
  duplicate_of: string | null;
  tags: string;
  related_ids: string;
  confidential: number;
  masked: number | null;
  ladder: string | null;
  drill: number;
  road_id: string | null;
  key_area_ids: string;
  limit_factor: number;
  building_id: string | null;
}

export function eventFromRow(r: EventRow): GridEvent {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    category: r.category,
    title: r.title,
    description: r.description,
    lng: r.lng,
    lat: r.lat,
    gridId: r.grid_id,
    streetId: r.street_id,
    districtId: r.district_id,
    severity: r.severity as GridEvent['severity'],
    status: r.status as GridEvent['status'],
    occurredAt: iso(r.occurred_at),
    receivedAt: iso(r.received_at),
    updatedAt: iso(r.updated_at),
    simulated: r.simulated === 1,
    version: r.version,
    leadUnit: r.lead_unit,
    coUnits: JSON.parse(r.co_units) as string[],
    escalated: r.escalated === 1,
    stageStartedAt: iso(r.stage_started_at ?? r.received_at),
    dueAt: isoOrNull(r.due_at),
    breaches: r.breaches,
    rating: r.rating as GridEvent['rating'],
    satisfaction: r.satisfaction,
    duplicateOf: r.duplicate_of,
    tags: JSON.parse(r.tags) as GridEvent['tags'],
    relatedIds: JSON.parse(r.related_ids) as string[],
    confidential: r.confidential === 1,
    ladder: r.ladder as GridEvent['ladder'],
    masked: r.masked === 1,
    drill: r.drill === 1,
    roadId: r.road_id,
    keyAreaIds: JSON.parse(r.key_area_ids) as string[],
    limitFactor: r.limit_factor,
    buildingId: r.building_id,
  };
}

/**
 * A case just inserted, as {@link eventFromRow} would read it back: the columns the insert does not
 * set keep their defaults (no second read per case at ingest rates; the store tests compare the two).
 */
export function newEventAsStored(e: NewEvent, tags: GridEvent['tags'], relatedIds: string[]): GridEvent {
  return eventFromRow({
    id: e.id,
    source: e.source,
    external_id: e.externalId,
    category: e.category,
    title: e.title,
    description: e.description,
    lng: e.lng,
    lat: e.lat,
    grid_id: e.gridId,
    street_id: e.streetId,
    district_id: e.districtId,
    severity: e.severity,
    status: e.status,
    occurred_at: e.occurredAt,
    received_at: e.receivedAt,
    updated_at: e.receivedAt,
    simulated: e.simulated ? 1 : 0,
    version: 1,
    lead_unit: null,
    co_units: '[]',
    escalated: 0,
    stage_started_at: e.receivedAt,
    due_at: e.dueAt,
    breaches: 0,
    rating: null,
    satisfaction: null,
    duplicate_of: null,
    tags: JSON.stringify(tags),
    related_ids: JSON.stringify(relatedIds),
    confidential: e.confidential ? 1 : 0,
    masked: e.personal ? 1 : 0,
    ladder: null,
    drill: e.drill ? 1 : 0,
    road_id: e.roadId,
    key_area_ids: JSON.stringify(e.keyAreaIds),
    limit_factor: e.limitFactor,
    building_id: e.buildingId,
  });
}

export interface TimelineRow {
  event_id: string;
  seq: number;
  at: number;
  actor: string;
  actor_role: string;
  action: string;
  from_status: string;
  to_status: string;
  note: string;
  attachments: string;
  data: string;
}

export function entryFromRow(r: TimelineRow): TimelineEntry {
  return {
    seq: r.seq,
    at: iso(r.at),
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action as TimelineEntry['action'],
    from: r.from_status as TimelineEntry['from'],
    to: r.to_status as TimelineEntry['to'],
    note: r.note,
    attachments: JSON.parse(r.attachments) as string[],
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

export interface LatestReadingRow {
  indicator_id: string;
  area_id: string;
  value: number;
  at: number;
  simulated: number;
}

export function latestReadingFromRow(r: LatestReadingRow): LatestReading {
  return { indicatorId: r.indicator_id, areaId: r.area_id, value: r.value, at: r.at, simulated: r.simulated === 1 };
}

export interface UserRow {
  id: string;
  username: string;
  role: string;
  area_id: string;
  unit_id: string | null;
  streets: string;
  cleared: number;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export function userFromRow(r: UserRow): UserRecord {
  return { id: r.id, username: r.username, role: r.role as Role, areaId: r.area_id, unitId: r.unit_id, streets: JSON.parse(r.streets) as string[], cleared: r.cleared === 1, passwordHash: r.password_hash, createdAt: r.created_at, disabledAt: r.disabled_at };
}

export interface DisplayTokenRow {
  id: string;
  name: string;
  area_id: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  enrolled_at: number | null;
}

export function displayTokenFromRow(r: DisplayTokenRow): DisplayTokenRecord {
  return { id: r.id, name: r.name, areaId: r.area_id, createdBy: r.created_by, createdAt: r.created_at, revokedAt: r.revoked_at, enrolledAt: r.enrolled_at };
}

export interface SessionRow {
  hash: string;
  user_id: string | null;
  display_id: string | null;
  created_at: number;
  expires_at: number;
  ip: string;
}

export function sessionFromRow(r: SessionRow): SessionRecord {
  return { hash: r.hash, userId: r.user_id, displayId: r.display_id, createdAt: r.created_at, expiresAt: r.expires_at, ip: r.ip };
}

export interface IngestKeyRow {
  id: string;
  name: string;
  sources: string | null;
  simulated: number;
  created_at: number;
  revoked_at: number | null;
}

export function ingestKeyFromRow(r: IngestKeyRow): IngestKeyRecord {
  return {
    id: r.id,
    name: r.name,
    sources: r.sources === null ? null : (JSON.parse(r.sources) as string[]),
    simulated: r.simulated === 1,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  actor_kind: string;
  action: string;
  target: string;
  outcome: string;
  ip: string;
  detail: string;
  count: number;
}

export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    id: r.id, at: iso(r.at), actor: r.actor, actorKind: r.actor_kind as AuditEntry['actorKind'], action: r.action,
    target: r.target, outcome: r.outcome as AuditEntry['outcome'], ip: r.ip, detail: r.detail, count: r.count,
  };
}

export interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  url: string;
  secret: string | null;
  area_id: string;
  min_severity: string;
  kinds: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export function channelFromRow(r: ChannelRow): ChannelRecord {
  return {
    id: r.id, name: r.name, kind: r.kind as ChannelRecord['kind'], url: r.url, secret: r.secret, areaId: r.area_id,
    minSeverity: r.min_severity as ChannelRecord['minSeverity'], kinds: JSON.parse(r.kinds) as ChannelRecord['kinds'],
    enabled: r.enabled === 1, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export interface DeliveryRow {
  id: number;
  channel_id: string | null;
  channel_name: string;
  notice_key: string;
  kind: string;
  severity: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export function deliveryFromRow(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id, channelId: r.channel_id, channelName: r.channel_name, noticeKey: r.notice_key, kind: r.kind as DeliveryRecord['kind'],
    severity: r.severity as DeliveryRecord['severity'], payload: r.payload, status: r.status as DeliveryRecord['status'], attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at, lastError: r.last_error, lastStatus: r.last_status, createdAt: r.created_at, updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
  };
}

export interface AlarmRow {
  id: string;
  rule_id: string;
  kind: string;
  indicator_id: string;
  area_id: string;
  street_id: string | null;
  district_id: string;
  severity: string;
  state: string;
  title_zh: string;
  title_en: string;
  value: number | null;
  threshold: number | null;
  since: number;
  raised_at: number;
  last_at: number;
  cleared_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  case_id: string | null;
  create_case: string;
  simulated: number;
  version: number;
}

export function alarmFromRow(r: AlarmRow): Alarm {
  return {
    id: r.id,
    ruleId: r.rule_id,
    kind: r.kind as Alarm['kind'],
    indicatorId: r.indicator_id,
    areaId: r.area_id,
    streetId: r.street_id,
    severity: r.severity as Alarm['severity'],
    state: r.state as Alarm['state'],
    title: { zh: r.title_zh, en: r.title_en },
    value: r.value,
    threshold: r.threshold,
    since: iso(r.since),
    raisedAt: iso(r.raised_at),
    lastAt: iso(r.last_at),
    clearedAt: isoOrNull(r.cleared_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    ackNote: r.ack_note,
    caseId: r.case_id,
    createCase: r.create_case as Alarm['createCase'],
    simulated: r.simulated === 1,
    version: r.version,
  };
}

export interface AlarmHistoryRow {
  at: number;
  kind: string;
  severity: string;
  value: number | null;
  by_user: string | null;
  note: string | null;
}

export function alarmHistoryFromRow(r: AlarmHistoryRow): AlarmHistoryEntry {
  return { at: iso(r.at), kind: r.kind as AlarmHistoryEntry['kind'], severity: r.severity as AlarmHistoryEntry['severity'], value: r.value, by: r.by_user, note: r.note };
}

/** the column an area level filters events by */
export { EVENT_AREA_COLUMN } from '../columns.ts';
