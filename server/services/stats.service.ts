/**
 * @module server/services/stats.service
 * The closed loop's statistics (`GET /api/v1/stats`, the wall's comparison board, the period
 * report), recounted from the stored timelines — and shared: every wall of a street asks for the
 * same rolling day, so an answer is kept per (area, period) and reused
 *
 * - while no case changed since it was counted (ingest and the loop report every change), for up
 *   to {@link STATS_REUSE_MS}, or
 * - for a period that runs until now (the walls' rolling day), for {@link STATS_FLOOR_MS} whatever
 *   changed, so a busy stream (every change pokes every wall) costs at most one recount per
 *   (area, period) that often; the answer's `to` says when it was counted. A period with an end
 *   (a report) is recounted after any change.
 *
 * Concurrent requests for the same (area, period) share one recount.
 */
import type { StatsGrouping, StatsResponse } from '../../shared/index.ts';
import { closedLoopStats, funnel, statsByGroup, type CaseHistory } from '../domain/stats.ts';
import type { Clock, EventFilter, Store } from '../ports.ts';

export const STATS_REUSE_MS = 30_000;
export const STATS_FLOOR_MS = 1_000;
/** (area, period) answers kept at most; the oldest go first */
const MAX_KEPT = 500;

/** rows by another grouping as well: which, a case's group(s), and whether confidential cases count */
export interface StatsBy {
  kind: StatsGrouping;
  groupOf: (c: CaseHistory) => string | readonly string[] | null | undefined;
  withConfidential: boolean;
}

export interface StatsServiceDeps {
  store: Pick<Store, 'cases'>;
  clock: Clock;
}

export function createStatsService(deps: StatsServiceDeps) {
  const { store, clock } = deps;
  let version = 0;
  const kept = new Map<string, { version: number; at: number; answer: Promise<StatsResponse> }>();
  let recounts = 0;

  async function recount(area: { id: string; level: EventFilter['areaLevel'] }, from: number, to: number, by?: StatsBy): Promise<StatsResponse> {
    recounts++;
    const cases = await store.cases.caseHistories(from, to, area);
    const s = closedLoopStats(cases, from, to);
    const grouped = by ? { by: by.kind, byGroup: statsByGroup(by.withConfidential ? cases : cases.filter((c) => !c.confidential), from, to, by.groupOf) } : {};
    return { areaId: area.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...s, funnel: funnel(await store.cases.countByStatus(area)), ...grouped };
  }

  return {
    /**
     * The statistics of an area for [from, to); `to` null: until now (then the answer's `to` says
     * when it was counted).
     */
    stats(area: { id: string; level: EventFilter['areaLevel'] }, from: number, to: number | null, by?: StatsBy): Promise<StatsResponse> {
      const now = clock.now();
      const key = `${area.id}|${from}|${to ?? 'now'}${by ? `|${by.kind}|${by.withConfidential}` : ''}`;
      const hit = kept.get(key);
      if (hit && ((to === null && now - hit.at < STATS_FLOOR_MS) || (hit.version === version && now - hit.at < STATS_REUSE_MS))) return hit.answer;
      const entry = { version, at: now, answer: recount(area, from, to ?? now + 1, by) };
      kept.delete(key);
      kept.set(key, entry);
      if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
      entry.answer.catch(() => kept.get(key) === entry && kept.delete(key));
      return entry.answer;
    },
    /** a case was created or changed: answers counted before are not reused past the floor */
    changed(): void {
      version++;
    },
    /** recounts so far (tests) */
    recounts: () => recounts,
  };
}
export type StatsService = ReturnType<typeof createStatsService>;
