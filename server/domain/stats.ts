/**
 * @module server/domain/stats
 * Closed-loop statistics recounted from case timelines alone (the timeline is the record; the
 * case row is only its latest state): per street and per unit — received, closed, on-time rate,
 * average time per stage, breaches, returns, ratings — and the funnel of open cases by stage.
 */
import type { EventStatus, StatsFunnel, StatsRow, StatsStage, TimelineEntry } from '../../shared/index.ts';

export interface CaseHistory {
  id: string;
  streetId: string;
  /** its grid, road and key areas (for the rows by overlay, road or key area) */
  gridId?: string;
  roadId?: string | null;
  keyAreaIds?: readonly string[];
  confidential?: boolean;
  status: EventStatus;
  timeline: readonly TimelineEntry[];
}

export type Stage = StatsStage;
export type { StatsRow };

/** a stage is completed by its forward transition (a return, rework or rejection leaves it undone) */
const STAGE_DONE: Partial<Record<EventStatus, [Stage, EventStatus]>> = {
  reported: ['accept', 'accepted'],
  accepted: ['dispatch', 'dispatched'],
  dispatched: ['handle', 'handled'],
  handled: ['verify', 'verified'],
};

const emptyRow = (key: string) => ({
  key,
  received: 0,
  closed: 0,
  closedOnTime: 0,
  stageSum: { accept: 0, dispatch: 0, handle: 0, verify: 0 } as Record<Stage, number>,
  stageN: { accept: 0, dispatch: 0, handle: 0, verify: 0 } as Record<Stage, number>,
  breaches: 0,
  returns: 0,
  good: 0,
  bad: 0,
  satSum: 0,
  satN: 0,
});
type Acc = ReturnType<typeof emptyRow>;

const finish = (a: Acc): StatsRow => ({
  key: a.key,
  received: a.received,
  closed: a.closed,
  onTimeRate: a.closed ? a.closedOnTime / a.closed : null,
  avgStageMinutes: Object.fromEntries(
    // never below zero, even if the server's clock was once stepped back between two entries
    (['accept', 'dispatch', 'handle', 'verify'] as const).map((s) => [s, a.stageN[s] ? Math.max(0, a.stageSum[s] / a.stageN[s] / 60_000) : null]),
  ) as Record<Stage, number | null>,
  breaches: a.breaches,
  returns: a.returns,
  good: a.good,
  bad: a.bad,
  satisfaction: a.satN ? a.satSum / a.satN : null,
});

/**
 * Statistics for the period [from, to). A case counts as received by its street when reported in
 * the period, and by a unit when dispatched to it (as lead) in the period; as closed by its street
 * and by its last lead unit when archived in the period.
 */
export function closedLoopStats(cases: readonly CaseHistory[], from: number, to: number): { byStreet: StatsRow[]; byUnit: StatsRow[] } {
  const streets = new Map<string, Acc>();
  const units = new Map<string, Acc>();
  const acc = (m: Map<string, Acc>, k: string) => {
    let a = m.get(k);
    if (!a) m.set(k, (a = emptyRow(k)));
    return a;
  };
  const inPeriod = (t: number) => t >= from && t < to;

  for (const c of cases) {
    const street = acc(streets, c.streetId);
    let lead: string | null = null;
    let enteredAt = Date.parse(c.timeline[0]?.at ?? '');
    let breached = false;
    for (const e of c.timeline) {
      const t = Date.parse(e.at);
      if (e.action === 'report') {
        if (inPeriod(t)) street.received++;
        enteredAt = t;
        continue;
      }
      if (e.action === 'breach') {
        breached = true;
        if (inPeriod(t)) {
          street.breaches++;
          if (lead) acc(units, lead).breaches++;
        }
        continue;
      }
      if (e.action === 'dispatch') {
        lead = String(e.data.unit);
        if (inPeriod(t)) acc(units, lead).received++;
      }
      if (e.action === 'return' && inPeriod(t) && e.data.unit) {
        street.returns++;
        acc(units, String(e.data.unit)).returns++;
      }
      if (e.from !== e.to) {
        const done = STAGE_DONE[e.from];
        const stage = done && done[1] === e.to ? done[0] : undefined;
        if (stage && inPeriod(t)) {
          for (const a of lead && stage !== 'accept' && stage !== 'dispatch' ? [street, acc(units, lead)] : [street]) {
            a.stageSum[stage] += t - enteredAt;
            a.stageN[stage]++;
          }
        }
        enteredAt = t;
      }
      if (e.action === 'archive' && inPeriod(t)) {
        for (const a of lead ? [street, acc(units, lead)] : [street]) {
          a.closed++;
          if (!breached) a.closedOnTime++;
          if (e.data.rating === 'good') a.good++;
          if (e.data.rating === 'bad') a.bad++;
          if (typeof e.data.satisfaction === 'number') {
            a.satSum += e.data.satisfaction;
            a.satN++;
          }
        }
      }
      if (e.action === 'return') lead = null;
    }
  }
  const sorted = (m: Map<string, Acc>) => [...m.values()].map(finish).sort((a, b) => a.key.localeCompare(b.key));
  return { byStreet: sorted(streets), byUnit: sorted(units) };
}

/**
 * The street rows' statistics, by another grouping of the cases instead: a 多格合一 overlay (the
 * 城运, 警务 or 综治 grid a case's grid belongs to), its road, its key areas — `groupOf` answers a
 * case's group, or several (a case in two key areas counts in both), or none (left out).
 */
export function statsByGroup(cases: readonly CaseHistory[], from: number, to: number, groupOf: (c: CaseHistory) => string | readonly string[] | null | undefined): StatsRow[] {
  const grouped: CaseHistory[] = [];
  for (const c of cases) {
    const keys = groupOf(c);
    for (const key of typeof keys === 'string' ? [keys] : (keys ?? [])) grouped.push({ ...c, streetId: key });
  }
  return closedLoopStats(grouped, from, to).byStreet;
}

/** open cases per stage of the loop (the funnel), from counts by status */
export function funnel(counts: Partial<Record<EventStatus, number>>): StatsFunnel {
  return {
    reported: counts.reported ?? 0,
    accepted: counts.accepted ?? 0,
    dispatched: counts.dispatched ?? 0,
    handled: counts.handled ?? 0,
    verified: counts.verified ?? 0,
  };
}
