/**
 * @module server/services/ingest.service
 * Ingest use cases: place each item, store the batch in one transaction, then stream it: the
 * events a commit created go to the {@link Broadcaster} in ONE call (one frame per room).
 *
 * Group commit: event batches that arrive in the same turn of the event loop (requests whose
 * bodies were read together) are written in ONE transaction, in arrival order — one durable
 * commit and one frame per room for all of them — and each request is answered once that commit
 * is done. A batch sees the batches committed before it as before (duplicates, recurrence).
 * Schema validation has already happened (a malformed batch never gets here); what remains are
 * per-item rejections — a location outside the district, an unknown area or indicator — which
 * reject that item alone.
 */
import { randomUUID } from 'node:crypto';
import type {
  EventBatchResponse,
  EventIngestItem,
  EventItemResult,
  IndicatorDefinition,
  ItemError,
  ReadingBatchResponse,
  ReadingIngestItem,
  ReadingItemResult,
  EventChange,
  TimeLimits,
} from '../../shared/index.ts';
import { dueAt } from '../domain/lifecycle.ts';
import type { AreaTree } from '../domain/areas.ts';
import type { RecurrenceRule } from '../domain/hotspots.ts';
import type { Broadcaster, Clock, IngestKeyRecord, InsertEventResult, Logger, Metrics, NewEvent, NewReading, Store } from '../ports.ts';
import { maskReport } from '../domain/personal-data.ts';
import type { Placement } from '../domain/layers.ts';

/** readings or events stamped later than this ahead of the server clock are refused */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** in-process reactions to a commit (derived indicators, alarm rules), after it was streamed */
export interface IngestListener {
  eventsStored(events: EventChange[]): void;
  readingsStored(readings: NewReading[]): void;
}

export interface IngestServiceDeps {
  store: Pick<Store, 'cases' | 'readings'>;
  tree: AreaTree;
  indicators: readonly IndicatorDefinition[];
  clock: Clock;
  /** the live stream: each committed batch's new events go out in one call */
  broadcaster: Pick<Broadcaster, 'publishEvents'>;
  listener: IngestListener;
  logger: Logger;
  /** the closed loop's time limits: a new case's acceptance clock starts when it arrives */
  limits: TimeLimits;
  newId?: () => string;
  /** a new case of the same category this near earlier ones is tagged recurring (off when absent) */
  recurrence?: RecurrenceRule;
  /** items by outcome and the time to commit (`GET /metrics`) */
  metrics?: Pick<Metrics, 'ingested' | 'commitTimer'>;
  /** the building, road (路长制) and key areas a case lies on, and its limits' factor (none when absent) */
  place?: (lng: number, lat: number, gridId: string) => Placement;
  /** the grid a registered building stands in (undefined: no such building) */
  buildingGrid?: (id: string) => string | undefined;
}

export function createIngestService(deps: IngestServiceDeps) {
  const { store, tree, clock, listener, logger, metrics } = deps;
  // the data is committed by then: a failure to broadcast must not turn the answer into an error
  const tell = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, 'broadcast after commit failed');
    }
  };
  const newId = deps.newId ?? randomUUID;
  const defs = new Map(deps.indicators.map((d) => [d.id, d]));

  /** event batches waiting for this turn's commit */
  let waiting: { events: NewEvent[]; resolve: (r: InsertEventResult[]) => void; reject: (err: unknown) => void }[] = [];

  /** write the waiting batches in one transaction, stream what they created in one call, answer each */
  async function commitWaiting(): Promise<void> {
    const batches = waiting;
    waiting = [];
    let stored: InsertEventResult[];
    try {
      stored = await store.cases.insertEvents(batches.flatMap((b) => b.events), deps.recurrence);
    } catch (err) {
      for (const b of batches) b.reject(err);
      return;
    }
    // a repeated (source, externalId), in one batch or across the commit's batches, is a duplicate of the first: streamed once
    const created = stored.filter((s) => s.created);
    if (created.length) {
      tell(() => deps.broadcaster.publishEvents(created));
      tell(() => listener.eventsStored(created));
    }
    let at = 0;
    for (const b of batches) {
      b.resolve(stored.slice(at, at + b.events.length));
      at += b.events.length;
    }
  }

  /** store a batch with the others of this turn (see the module doc) */
  function storeEvents(events: NewEvent[]): Promise<InsertEventResult[]> {
    return new Promise((resolve, reject) => {
      waiting.push({ events, resolve, reject });
      // the commit runs once this turn's I/O callbacks (other requests' bodies) have run
      if (waiting.length === 1) setImmediate(() => void commitWaiting());
    });
  }

  const reject = (index: number, code: ItemError['code'], message: string) =>
    ({ index, status: 'rejected', error: { code, message } }) as const;

  return {
    async ingestEvents(items: EventIngestItem[], key: IngestKeyRecord): Promise<EventBatchResponse> {
      const committed = metrics?.commitTimer('event');
      const now = clock.now();
      const results: EventItemResult[] = new Array(items.length);
      const toStore: { index: number; event: NewEvent }[] = [];
      items.forEach((it, index) => {
        if (key.sources !== null && !key.sources.includes(it.source)) {
          results[index] = reject(index, 'SOURCE_NOT_ALLOWED', `this key may post events of source ${key.sources.join(', ')} only, not ${it.source}`);
          return;
        }
        const occurredAt = Date.parse(it.occurredAt);
        if (occurredAt > now + MAX_CLOCK_SKEW_MS) {
          results[index] = reject(index, 'VALIDATION', `occurredAt ${it.occurredAt} is in the future`);
          return;
        }
        const grid = tree.locate(it.lng, it.lat);
        if (!grid) {
          results[index] = reject(index, 'OUTSIDE_AREA', `location ${it.lng},${it.lat} lies outside ${tree.get(tree.districtId)!.name}`);
          return;
        }
        const street = tree.ancestorAt(grid.id, 'street')!;
        const district = tree.ancestorAt(grid.id, 'district')!;
        // personal data is masked here, once: every screen and answer reads the masked text
        const report = maskReport(it.title, it.description ?? '');
        // its road and key areas, as the layers are now (a case keeps them, and the limits they gave)
        const at = deps.place?.(it.lng, it.lat, grid.id) ?? { buildingId: null, roadId: null, keyAreaIds: [], limitFactor: 1 };
        // a building named by the report: one the buildings layer knows, in the grid of its location
        if (it.buildingId !== undefined) {
          const buildingGrid = deps.buildingGrid?.(it.buildingId);
          if (buildingGrid === undefined) {
            results[index] = reject(index, 'VALIDATION', `buildingId ${it.buildingId} is not a building the centre has registered`);
            return;
          }
          if (buildingGrid !== grid.id) {
            results[index] = reject(index, 'VALIDATION', `buildingId ${it.buildingId} stands in grid ${buildingGrid}, not in ${grid.id} where ${it.lng},${it.lat} lies`);
            return;
          }
          at.buildingId = it.buildingId;
        }
        toStore.push({
          index,
          event: {
            id: newId(),
            source: it.source,
            externalId: it.externalId,
            category: it.category,
            title: report.title,
            description: report.description,
            personal: report.personal,
            confidential: it.confidential ?? false,
            drill: it.drill ?? false,
            roadId: at.roadId,
            keyAreaIds: at.keyAreaIds,
            limitFactor: at.limitFactor,
            buildingId: at.buildingId,
            lng: it.lng,
            lat: it.lat,
            gridId: grid.id,
            streetId: street.id,
            districtId: district.id,
            severity: it.severity ?? 'medium',
            status: 'reported',
            occurredAt,
            receivedAt: now,
            simulated: key.simulated,
            dueAt: dueAt(deps.limits, it.category, it.severity ?? 'medium', 'reported', now, at.limitFactor),
          },
        });
      });
      const stored = toStore.length ? await storeEvents(toStore.map((t) => t.event)) : [];
      if (toStore.length) committed?.();
      stored.forEach((s, i) => {
        const index = toStore[i]!.index;
        results[index] = { index, status: s.created ? 'created' : 'duplicate', id: s.event.id, gridId: s.event.gridId };
      });
      const created = stored.filter((s) => s.created);
      const rejected = results.filter((r) => r.status === 'rejected').length;
      metrics?.ingested('event', key.name, 'created', created.length);
      metrics?.ingested('event', key.name, 'duplicate', stored.length - created.length);
      metrics?.ingested('event', key.name, 'rejected', rejected);
      return { accepted: results.length - rejected, rejected, results };
    },

    async ingestReadings(items: ReadingIngestItem[], key: IngestKeyRecord): Promise<ReadingBatchResponse> {
      const committed = metrics?.commitTimer('reading');
      const now = clock.now();
      const results: ReadingItemResult[] = new Array(items.length);
      const rows: NewReading[] = [];
      items.forEach((it, index) => {
        const def = defs.get(it.indicator);
        if (!def) return void (results[index] = reject(index, 'UNKNOWN_INDICATOR', `unknown indicator ${it.indicator}`));
        if (def.source !== 'readings') {
          return void (results[index] = reject(index, 'UNKNOWN_INDICATOR', `indicator ${it.indicator} is derived by the server from its own records (events and the closed loop's cases) and cannot be posted`));
        }
        const at = Date.parse(it.at);
        if (at > now + MAX_CLOCK_SKEW_MS) return void (results[index] = reject(index, 'VALIDATION', `at ${it.at} is in the future`));
        const [lo, hi] = def.range;
        if (it.value < lo || it.value > hi) {
          return void (results[index] = reject(index, 'OUT_OF_RANGE', `value ${it.value} is outside ${def.id}'s plausible range ${lo}–${hi}`));
        }
        let areaId: string;
        if (it.areaId !== undefined) {
          const area = tree.get(it.areaId);
          if (!area) return void (results[index] = reject(index, 'UNKNOWN_AREA', `unknown area ${it.areaId}`));
          areaId = area.id;
        } else {
          const grid = tree.locate(it.lng!, it.lat!);
          if (!grid) {
            return void (results[index] = reject(index, 'OUTSIDE_AREA', `location ${it.lng},${it.lat} lies outside ${tree.get(tree.districtId)!.name}`));
          }
          areaId = grid.id;
        }
        const level = tree.level(areaId)!;
        if (!def.levels.includes(level)) {
          return void (results[index] = reject(index, 'LEVEL_NOT_APPLICABLE', `indicator ${def.id} is reported for ${def.levels.join('/')} areas, not for a ${level}`));
        }
        // a reading stamped ahead of our clock (within the allowed skew) counts as taken when it
        // arrived: otherwise it would stay the indicator's current value until its stamp came round
        rows.push({ indicatorId: def.id, areaId, value: it.value, at: Math.min(at, now), receivedAt: now, simulated: key.simulated });
        results[index] = { index, status: 'accepted', areaId };
      });
      if (rows.length) {
        await store.readings.insertReadings(rows);
        committed?.();
        tell(() => listener.readingsStored(rows));
      }
      const rejected = results.filter((r) => r.status === 'rejected').length;
      metrics?.ingested('reading', key.name, 'accepted', rows.length);
      metrics?.ingested('reading', key.name, 'rejected', rejected);
      return { accepted: results.length - rejected, rejected, results };
    },
  };
}
export type IngestService = ReturnType<typeof createIngestService>;
