/**
 * @module server/realtime/snapshot
 * What a client receives first (and after a gap): everything its area shows, consistent with `seq`.
 * {@link createSnapshotSource} builds one per room at a time and reuses it while nothing of the
 * room changed, so many walls reconnecting at once (after a restart) do not each rebuild it.
 */
import { CLOSED_STATUSES, EventStatus, type Snapshot } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { hourHistogram, nextLocalDay, startOfLocalDay } from '../domain/time.ts';
import type { Clock, Store } from '../ports.ts';
import type { IndicatorService } from '../services/indicator.service.ts';
import type { AlarmService } from '../services/alarm.service.ts';
import { parseUnitChannel, type LiveHub } from './hub.ts';

export const SNAPSHOT_OPEN_EVENTS = 1000;
export const SNAPSHOT_RECENT_EVENTS = 40;
const OPEN = EventStatus.options.filter((s) => !CLOSED_STATUSES.includes(s));

export interface SnapshotDeps {
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  hub: LiveHub;
  indicators: IndicatorService;
  alarms: Pick<AlarmService, 'list'>;
  simulatorOn: boolean;
  /** the build of the wall this server serves (null: none); pages running another one reload */
  build?: string | null;
}

export const SNAPSHOT_ALARMS = 200;

/**
 * Build the snapshot of a channel: an area's (its id), or a unit's within an area
 * ({@link unitChannel}: only the cases the unit works on there, and no indicator, trend or alarm).
 * Call it after the socket joined the room: the seq is read first, so every delta after it
 * reaches the client (some may also be in the snapshot; they are upserts).
 */
export async function buildSnapshot(d: SnapshotDeps, channel: string): Promise<Snapshot> {
  const { seq, epoch } = await d.hub.position(channel);
  const now = d.clock.now();
  const unit = parseUnitChannel(channel);
  const areaId = unit?.areaId ?? channel;
  const level = d.tree.level(areaId)!;
  // no confidential case is streamed to any room (LiveHub), so none is in a snapshot's lists or
  // counts either; the hourly histogram (a statistic, like /stats) counts them without details
  const area = { areaId, areaLevel: level, ...(unit ? { unit: unit.unitId } : {}), confidential: false };
  const todayStart = startOfLocalDay(now, d.timeZone);
  const yesterdayStart = startOfLocalDay(todayStart - 1, d.timeZone);
  const [events, openTotal, recent, times, trends, alarms] = await Promise.all([
    // past the cap, the wall keeps the cases nearest their limits (its deadline watch needs them)
    d.store.cases.listEvents({ ...area, statuses: OPEN, limit: SNAPSHOT_OPEN_EVENTS, order: 'due' }),
    d.store.cases.countEvents({ ...area, statuses: OPEN }),
    d.store.cases.listEvents({ ...area, limit: SNAPSHOT_RECENT_EVENTS }),
    d.store.cases.occurredTimes(yesterdayStart, nextLocalDay(todayStart, d.timeZone), { id: areaId, level, ...(unit ? { unit: unit.unitId } : {}) }),
    unit ? {} : d.indicators.trends(areaId),
    unit ? { alarms: [] } : d.alarms.list({ area: { id: areaId, level }, status: 'active', limit: SNAPSHOT_ALARMS }),
  ]);
  return {
    seq,
    epoch,
    areaId,
    serverTime: new Date(now).toISOString(),
    simulatorOn: d.simulatorOn,
    build: d.build ?? null,
    indicators: unit ? [] : d.indicators.valuesFor(areaId),
    trends,
    events,
    openTotal,
    recent,
    alarms: alarms.alarms,
    hourly: { today: hourHistogram(times, todayStart, d.timeZone), yesterday: hourHistogram(times, yesterdayStart, d.timeZone), todayStart },
  };
}

/** how long a room's snapshot is reused while nothing of the room changed */
export const SNAPSHOT_REUSE_MS = 3000;

/**
 * Snapshots per room, shared: a request finds the room's snapshot when it was built (or is being
 * built) at the room's current seq and change mark (see `LiveHub.changeMark`: nothing published
 * for the room since, sent or not) at most `reuseMs` ago, and gets it with `serverTime` of now.
 * Otherwise it is built anew (one build per room at a time: concurrent requests share it). A
 * failed build is forgotten at once.
 *
 * @example
 * const snapshots = createSnapshotSource(deps);
 * socket.emit('snapshot', await snapshots.get(areaId));
 */
export function createSnapshotSource(d: SnapshotDeps, opts: { reuseMs?: number } = {}) {
  const reuseMs = opts.reuseMs ?? SNAPSHOT_REUSE_MS;
  const rooms = new Map<string, { key: string; builtAt: number; snapshot: Promise<Snapshot> }>();
  let builds = 0;
  return {
    /** a snapshot of the area consistent with its current seq; call it after the socket joined the room */
    async get(areaId: string): Promise<Snapshot> {
      const { epoch, seq } = await d.hub.position(areaId);
      const key = `${epoch}|${seq}|${d.hub.changeMark(areaId)}`;
      const now = d.clock.now();
      let entry = rooms.get(areaId);
      if (!entry || entry.key !== key || now - entry.builtAt > reuseMs) {
        builds++;
        const built = { key, builtAt: now, snapshot: buildSnapshot(d, areaId) };
        rooms.set(areaId, built);
        built.snapshot.catch(() => rooms.get(areaId) === built && rooms.delete(areaId));
        entry = built;
      }
      const s = await entry.snapshot;
      return { ...s, serverTime: new Date(d.clock.now()).toISOString() };
    },
    /** snapshots built so far (for tests and metrics) */
    builds: () => builds,
  };
}
export type SnapshotSource = ReturnType<typeof createSnapshotSource>;
