/**
 * @module web/state/live-store
 * The pure core of the wall's live state: it folds a room's `snapshot` and its sequenced deltas
 * (`event:upsert`, `indicator:update`, `alarm:upsert`, see shared/socket.ts) into one immutable
 * {@link LiveData}. All three kinds share the room's one sequence. An event or alarm delta carries
 * a batch (one commit's items the room sees): its items are applied in order, under its one seq.
 *
 * Rules of the stream:
 * - before the first snapshot (and while a resync is under way) deltas are buffered; once the
 *   snapshot arrives, buffered deltas of its epoch with `seq > snapshot.seq` are applied in order;
 * - after that every delta must carry `seq === last + 1` and the same epoch; a gap or a new epoch
 *   asks the caller to resync (the outcome's `resync` flag) and buffers until the next snapshot;
 * - a delta with `seq <= last` is a duplicate and is ignored (upserts are idempotent anyway).
 *
 * No I/O and no clock: callers pass `nowMs`.
 *
 * @example
 * let data = initialLiveData('310110');
 * ({ data } = applySnapshot(data, snapshot, Date.now()));
 * const out = receiveDelta(data, { kind: 'event', delta }, Date.now());
 * if (out.resync) socket.emit('snapshot:request', ack);
 */
import {
  compareAlarms,
  involves,
  isOpenStatus,
  type Alarm,
  type AlarmDelta,
  type EventDelta,
  type EventRemoveDelta,
  type EventChange,
  type GridEvent,
  type HourlyCounts,
  type IndicatorDelta,
  type IndicatorValue,
  type SeriesPoint,
  type Snapshot,
} from '../../../../shared/index.ts';
import { wallTimeZone } from './time-zone.svelte.ts';
import { addZonedDays, DAY_MS, startOfZonedDay, zonedHour } from '../utils/time-zone.ts';

/** Newest events kept for the ticker. */
export const TICKER_CAP = 50;
/** Open events kept for the map and the per-street counts. */
export const OPEN_EVENTS_CAP = 3000;
/** Deltas held while waiting for a snapshot; beyond this the oldest go (and a resync follows). */
export const BUFFER_CAP = 2000;
/** Trend points kept per indicator, within {@link TREND_WINDOW_MS} of the newest. */
export const TREND_CAP = 1500;
export const TREND_WINDOW_MS = DAY_MS;

/** Recently cleared alarms kept for the "recently cleared" line. */
export const CLEARED_CAP = 20;

export type Delta =
  | { kind: 'event'; delta: EventDelta }
  | { kind: 'remove'; delta: EventRemoveDelta }
  | { kind: 'indicator'; delta: IndicatorDelta }
  | { kind: 'alarm'; delta: AlarmDelta };

/** `waiting`: no snapshot yet · `synced`: applying deltas · `resyncing`: a snapshot was asked for. */
export type SyncStatus = 'waiting' | 'synced' | 'resyncing';

export interface LiveData {
  /** the room this state mirrors */
  areaId: string;
  /**
   * a unit's stream: the cases it works on. A case it was taken off (returned, dispatched
   * elsewhere) leaves its open list when the stream says so.
   */
  unitId?: string;
  status: SyncStatus;
  epoch: string | null;
  /** seq of the last snapshot or delta applied */
  seq: number;
  /** how many snapshots were applied so far (the UI redraws fully on a new one) */
  snapshots: number;
  simulatorOn: boolean;
  /** server clock minus local clock at the last snapshot, in ms */
  serverOffsetMs: number;
  /** local ms of the last snapshot or delta applied */
  updatedAt: number;
  /** current values keyed by {@link indicatorKey} */
  indicators: Readonly<Record<string, IndicatorValue>>;
  /** series of the room's own area per indicator id, oldest first */
  trends: Readonly<Record<string, readonly SeriesPoint[]>>;
  /** open events below the area, newest first */
  openEvents: readonly GridEvent[];
  /** the server's count of open events below the area (may exceed `openEvents.length`) */
  openTotal: number;
  /** true while `openEvents` is known to hold every open event */
  openComplete: boolean;
  /** newest events, open or not, for the ticker; newest first */
  recent: readonly GridEvent[];
  hourly: HourlyCounts;
  /** active alarms (raised or acknowledged) of the area and below it, in {@link compareAlarms} order */
  alarms: readonly Alarm[];
  /** alarms cleared since the snapshot, newest first (at most {@link CLEARED_CAP}) */
  clearedAlarms: readonly Alarm[];
  buffer: readonly Delta[];
  /** cases the room was told to drop since its snapshot, with the version up to which changes of them are stale */
  withdrawn?: Readonly<Record<string, number>>;
}

export interface Outcome {
  data: LiveData;
  /** the caller should request a fresh snapshot */
  resync: boolean;
  /** events first seen live (created after the snapshot) by this step, for flashing */
  created: GridEvent[];
}

export const indicatorKey = (areaId: string, indicatorId: string): string => `${areaId}|${indicatorId}`;

const emptyHourly = (todayStart = 0): HourlyCounts => ({
  today: new Array<number>(24).fill(0),
  yesterday: new Array<number>(24).fill(0),
  todayStart,
});

/** whether a case is open for this stream: open, and for a unit's stream one the unit works on */
function openHere(data: Pick<LiveData, 'unitId'>, e: GridEvent): boolean {
  if (!isOpenStatus(e.status)) return false;
  return data.unitId === undefined || involves(e, data.unitId);
}

export function initialLiveData(areaId: string, unitId?: string): LiveData {
  return {
    areaId,
    ...(unitId !== undefined ? { unitId } : {}),
    status: 'waiting',
    epoch: null,
    seq: 0,
    snapshots: 0,
    simulatorOn: false,
    serverOffsetMs: 0,
    updatedAt: 0,
    indicators: {},
    trends: {},
    openEvents: [],
    openTotal: 0,
    openComplete: true,
    recent: [],
    hourly: emptyHourly(),
    alarms: [],
    clearedAlarms: [],
    buffer: [],
  };
}

/** Marks the stream as interrupted (socket dropped): deltas are buffered until the next snapshot. */
export function markInterrupted(data: LiveData): LiveData {
  return data.status === 'synced' ? { ...data, status: 'resyncing' } : data;
}

function normaliseHourly(h: HourlyCounts | undefined): HourlyCounts {
  if (!h) return emptyHourly();
  const fix = (a: readonly number[] | undefined) => Array.from({ length: 24 }, (_, i) => (Number.isFinite(a?.[i]) ? (a![i] as number) : 0));
  return { today: fix(h.today), yesterday: fix(h.yesterday), todayStart: h.todayStart };
}

function trimSeries(series: SeriesPoint[]): SeriesPoint[] {
  if (series.length === 0) return series;
  const newest = series[series.length - 1]![0];
  let start = 0;
  while (start < series.length && series[start]![0] < newest - TREND_WINDOW_MS) start++;
  if (series.length - start > TREND_CAP) start = series.length - TREND_CAP;
  return start > 0 ? series.slice(start) : series;
}

/** Adds one bucketed point to a series: replaces a point of the same bucket, keeps time order. */
export function mergePoint(series: readonly SeriesPoint[], point: SeriesPoint): SeriesPoint[] {
  const out = series.slice();
  const last = out[out.length - 1];
  if (!last || point[0] > last[0]) out.push(point);
  else if (point[0] === last[0]) out[out.length - 1] = point;
  else {
    const i = out.findIndex((p) => p[0] >= point[0]);
    if (out[i]![0] === point[0]) out[i] = point;
    else out.splice(i, 0, point);
  }
  return trimSeries(out);
}

/** Local midnights next to a day's start, remembered: every event and every clock tick asks for them. */
const shifted = new Map<string, number>();
function dayShift(dayStart: number, days: number, tz: string): number {
  const key = `${tz}|${dayStart}|${days}`;
  let v = shifted.get(key);
  if (v === undefined) {
    if (shifted.size > 64) shifted.clear();
    v = addZonedDays(dayStart, days, tz);
    shifted.set(key, v);
  }
  return v;
}

/**
 * The hourly counts with "today" moved to the local day starting at `dayStart` (a later day):
 * the day before becomes yesterday, or both are empty when more than a day passed.
 */
function rollTo(h: HourlyCounts, dayStart: number, tz: string): HourlyCounts {
  const next = dayShift(h.todayStart, 1, tz);
  return {
    today: new Array<number>(24).fill(0),
    yesterday: dayStart === next ? h.today : new Array<number>(24).fill(0),
    todayStart: dayStart,
  };
}

/**
 * Counts one newly received event into the hourly chart: in the slot of its local hour, as the
 * server counts the snapshot's (on the day the clock goes back, the repeated hour shares one
 * slot; on the day it jumps, the skipped hour stays empty). The day rolls over at the zone's
 * local midnight, which is not always 24 h after the last.
 */
export function bumpHourly(h: HourlyCounts, occurredAtMs: number, tz = wallTimeZone()): HourlyCounts {
  if (!Number.isFinite(occurredAtMs) || !(h.todayStart > 0)) return h;
  let out = h;
  if (occurredAtMs >= dayShift(h.todayStart, 1, tz)) out = rollTo(h, startOfZonedDay(occurredAtMs, tz), tz);
  const hour = zonedHour(occurredAtMs, tz);
  if (occurredAtMs >= out.todayStart) {
    const today = out.today.slice();
    today[hour] = (today[hour] ?? 0) + 1;
    return { ...out, today };
  }
  if (occurredAtMs < dayShift(out.todayStart, -1, tz)) return out;
  const yesterday = out.yesterday.slice();
  yesterday[hour] = (yesterday[hour] ?? 0) + 1;
  return { ...out, yesterday };
}

/**
 * The hourly counts as of `nowMs`: when the zone's midnight passed with no event since, today's
 * counts become yesterday's (or both empty after more than a day).
 */
export function hourlyAt(h: HourlyCounts, nowMs: number, tz = wallTimeZone()): HourlyCounts {
  if (!(h.todayStart > 0) || !Number.isFinite(nowMs) || nowMs < dayShift(h.todayStart, 1, tz)) return h;
  return rollTo(h, startOfZonedDay(nowMs, tz), tz);
}

/** Replaces the state with a snapshot, then applies the buffered deltas that follow it. */
export function applySnapshot(data: LiveData, snap: Snapshot, nowMs: number): Outcome {
  const indicators: Record<string, IndicatorValue> = {};
  for (const v of snap.indicators) indicators[indicatorKey(v.areaId, v.indicatorId)] = v;
  const trends: Record<string, SeriesPoint[]> = {};
  for (const [id, series] of Object.entries(snap.trends ?? {})) {
    trends[id] = trimSeries([...series].sort((a, b) => a[0] - b[0]));
  }
  const open = snap.events.filter((e) => openHere(data, e)).slice(0, OPEN_EVENTS_CAP);
  const serverMs = Date.parse(snap.serverTime);
  const base: LiveData = {
    areaId: snap.areaId,
    ...(data.unitId !== undefined ? { unitId: data.unitId } : {}),
    status: 'synced',
    epoch: snap.epoch,
    seq: snap.seq,
    snapshots: data.snapshots + 1,
    simulatorOn: snap.simulatorOn,
    serverOffsetMs: Number.isFinite(serverMs) ? serverMs - nowMs : 0,
    updatedAt: nowMs,
    indicators,
    trends,
    openEvents: open,
    openTotal: Math.max(snap.openTotal, open.length),
    openComplete: open.length >= snap.openTotal,
    recent: snap.recent.slice(0, TICKER_CAP),
    hourly: normaliseHourly(snap.hourly),
    alarms: (snap.alarms ?? []).filter((a) => a.state !== 'cleared').sort(compareAlarms),
    // cleared alarms seen before stay listed unless the snapshot says one is active again
    clearedAlarms: data.areaId === snap.areaId ? data.clearedAlarms.filter((c) => !(snap.alarms ?? []).some((a) => a.id === c.id)) : [],
    buffer: [],
  };
  const pending = data.buffer
    .filter((d) => d.delta.epoch === snap.epoch && d.delta.seq > snap.seq)
    .sort((a, b) => a.delta.seq - b.delta.seq);
  let out: Outcome = { data: base, resync: false, created: [] };
  for (let i = 0; i < pending.length; i++) {
    const d = pending[i]!;
    if (d.delta.seq <= out.data.seq) continue;
    if (d.delta.seq !== out.data.seq + 1) {
      return { data: { ...out.data, status: 'resyncing', buffer: pending.slice(i) }, resync: true, created: out.created };
    }
    const step = applyDelta(out.data, d, nowMs);
    out = { data: step.data, resync: false, created: out.created.concat(step.created) };
  }
  return out;
}

function buffered(data: LiveData, d: Delta): LiveData {
  const buffer = data.buffer.length >= BUFFER_CAP ? data.buffer.slice(data.buffer.length - BUFFER_CAP + 1) : data.buffer.slice();
  buffer.push(d);
  return { ...data, buffer };
}

/**
 * Takes one delta from the socket. Buffers it when no snapshot is in force, ignores duplicates,
 * applies the next one in sequence, and on a gap or an epoch change asks for a resync.
 */
export function receiveDelta(data: LiveData, d: Delta, nowMs: number): Outcome {
  if (data.status !== 'synced') return { data: buffered(data, d), resync: false, created: [] };
  if (d.delta.epoch !== data.epoch || d.delta.seq > data.seq + 1) {
    return { data: buffered({ ...data, status: 'resyncing' }, d), resync: true, created: [] };
  }
  if (d.delta.seq <= data.seq) return { data, resync: false, created: [] };
  return { ...applyDelta(data, d, nowMs), resync: false };
}

function applyDelta(data: LiveData, d: Delta, nowMs: number): { data: LiveData; created: GridEvent[] } {
  const seq = d.delta.seq;
  if (d.kind === 'indicator') return { data: { ...applyIndicatorDelta(data, d.delta), seq, updatedAt: nowMs }, created: [] };
  if (d.kind === 'remove') return { data: { ...removeEvents(data, d.delta.removed ?? []), seq, updatedAt: nowMs }, created: [] };
  if (d.kind === 'alarm') {
    let next = data;
    for (const alarm of d.delta.alarms ?? []) next = applyAlarm(next, alarm);
    return { data: { ...next, seq, updatedAt: nowMs }, created: [] };
  }
  let next = data;
  const created: GridEvent[] = [];
  for (const change of d.delta.events ?? []) {
    next = applyEventChange(next, change);
    if (change.created) created.push(change.event);
  }
  return { data: { ...next, seq, updatedAt: nowMs }, created };
}

/**
 * Cases the room may no longer show (marked confidential): gone from the open list and the ticker,
 * and a change of them up to their version arriving later (from another node) is ignored.
 */
function removeEvents(data: LiveData, removed: readonly { id: string; version: number }[]): LiveData {
  const gone = new Set(removed.map((r) => r.id));
  const withdrawn = { ...data.withdrawn };
  for (const r of removed) withdrawn[r.id] = Math.max(withdrawn[r.id] ?? 0, r.version);
  const openEvents = data.openEvents.filter((e) => !gone.has(e.id));
  const dropped = data.openEvents.length - openEvents.length;
  return {
    ...data,
    openEvents,
    openTotal: Math.max(openEvents.length, data.openTotal - dropped),
    recent: data.recent.some((e) => gone.has(e.id)) ? data.recent.filter((e) => !gone.has(e.id)) : data.recent,
    withdrawn,
  };
}

function applyIndicatorDelta(data: LiveData, delta: IndicatorDelta): LiveData {
  const indicators = { ...data.indicators };
  for (const v of delta.values) indicators[indicatorKey(v.areaId, v.indicatorId)] = v;
  let trends = data.trends;
  const points = Object.entries(delta.points ?? {});
  if (points.length > 0) {
    const next: Record<string, readonly SeriesPoint[]> = { ...data.trends };
    for (const [id, p] of points) next[id] = mergePoint(next[id] ?? [], p);
    trends = next;
  }
  return { ...data, indicators, trends };
}

/**
 * Folds one alarm change in: an active one is inserted or replaced (never by an older version),
 * a cleared one leaves the active list for the head of the recently cleared list.
 */
export function applyAlarm(data: LiveData, alarm: Alarm): LiveData {
  const known = data.alarms.find((a) => a.id === alarm.id) ?? data.clearedAlarms.find((a) => a.id === alarm.id);
  if (known && known.version > alarm.version) return data;
  const alarms = data.alarms.filter((a) => a.id !== alarm.id);
  let clearedAlarms = data.clearedAlarms.filter((a) => a.id !== alarm.id);
  if (alarm.state === 'cleared') clearedAlarms = [alarm, ...clearedAlarms].slice(0, CLEARED_CAP);
  else {
    alarms.push(alarm);
    alarms.sort(compareAlarms);
  }
  return { ...data, alarms, clearedAlarms };
}

function isNewer(a: GridEvent, b: GridEvent): boolean {
  return a.version > b.version || (a.version === b.version && a.updatedAt >= b.updatedAt);
}

/** Folds one event of a batch in: the open list and total, the ticker, the hourly counts. */
function applyEventChange(data: LiveData, delta: EventChange): LiveData {
  const e = delta.event;
  // a change from before the case was withdrawn, delivered late: it stays gone
  const stale = data.withdrawn?.[e.id];
  if (stale !== undefined && e.version <= stale) return data;
  const open = openHere(data, e);

  // open-event list and total
  let openEvents = data.openEvents;
  let openTotal = data.openTotal;
  let openComplete = data.openComplete;
  const idx = openEvents.findIndex((x) => x.id === e.id);
  const known = idx >= 0 ? openEvents[idx]! : undefined;
  if (known && !isNewer(e, known)) {
    // an older version than we hold: nothing changes in the open list
  } else if (known) {
    const list = openEvents.slice();
    if (open) list[idx] = e;
    else {
      list.splice(idx, 1);
      openTotal = Math.max(0, openTotal - 1);
    }
    openEvents = list;
  } else if (open) {
    // New to us. When the list is complete it cannot have been open before (created, or reopened).
    if (delta.created || openComplete) openTotal += 1;
    openEvents = [e, ...openEvents];
    if (openEvents.length > OPEN_EVENTS_CAP) {
      openEvents = openEvents.slice(0, OPEN_EVENTS_CAP);
      openComplete = false;
    }
  }
  openTotal = Math.max(openTotal, openEvents.length);

  // ticker: new events on top; changes replace the line in place
  let recent = data.recent;
  const r = recent.findIndex((x) => x.id === e.id);
  if (r >= 0) {
    if (isNewer(e, recent[r]!)) {
      const list = recent.slice();
      list[r] = e;
      recent = list;
    }
  } else if (delta.created) {
    recent = [e, ...recent].slice(0, TICKER_CAP);
  }

  // the hourly chart is a statistic: a drill's case (演练) is not in it (nor in the server's)
  const hourly = delta.created && !e.drill ? bumpHourly(data.hourly, Date.parse(e.occurredAt)) : data.hourly;
  return { ...data, openEvents, openTotal, openComplete, recent, hourly };
}

/** Open events per key (e.g. `streetId` or `gridId`) from an event list. */
/** events per street or grid, a drill's (演练) left out: they show, but no count or load grade counts them */
export function countBy(events: readonly GridEvent[], key: 'streetId' | 'gridId'): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) if (!e.drill) m.set(e[key], (m.get(e[key]) ?? 0) + 1);
  return m;
}

/**
 * Open-event count per child area. Counted from the open list when that list is complete; else
 * from the children's `open_events` indicator values the room also streams, with the list's
 * count as a floor.
 */
export function openCountsByChild(data: LiveData, childIds: readonly string[], key: 'streetId' | 'gridId'): Map<string, number> {
  const counted = countBy(data.openEvents, key);
  const out = new Map<string, number>();
  for (const id of childIds) {
    const fromList = counted.get(id) ?? 0;
    if (data.openComplete) out.set(id, fromList);
    else {
      const v = data.indicators[indicatorKey(id, 'open_events')]?.value;
      out.set(id, typeof v === 'number' && Number.isFinite(v) ? Math.max(v, fromList) : fromList);
    }
  }
  return out;
}
