/**
 * @module bench/lib/soak-stats
 * The pure parts of the soak (`npm run soak`, bench/soak.ts): when the faults happen, how much the
 * page's heap grew after warm-up, and whether the wall's state matches a fresh server snapshot
 * (gaps and duplicates). No I/O and no clock: callers pass times and values.
 */

export type FaultKind = 'kill' | 'cut' | 'clock';
export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'cut', 'clock'];

export interface PlannedFault {
  kind: FaultKind;
  /** ms after the start of the run */
  atMs: number;
  /** how long the fault lasts (server down, network cut, clock jumped ahead) */
  durationMs: number;
}

export interface ScheduleOptions {
  totalMs: number;
  /** no fault before this */
  warmupMs: number;
  /** no fault in the last `tailMs` (the heap's end window is measured undisturbed) */
  tailMs: number;
  /** one fault starts every `everyMs`, the kinds taking turns */
  everyMs: number;
  kinds: readonly FaultKind[];
  durationMs: Record<FaultKind, number>;
  /** time each fault needs after it ends to settle and be checked (must fit in its slot too) */
  settleMs: number;
}

/**
 * Faults every `everyMs` from the end of warm-up, kinds in turn (kill, cut, clock, kill, …). A
 * fault is planned only if it and its settling fit in its slot and end before the tail.
 */
export function faultSchedule(o: ScheduleOptions): PlannedFault[] {
  const out: PlannedFault[] = [];
  if (o.kinds.length === 0 || !(o.everyMs > 0)) return out;
  const end = o.totalMs - o.tailMs;
  for (let i = 0, at = o.warmupMs; at < end; i++, at += o.everyMs) {
    const kind = o.kinds[i % o.kinds.length]!;
    const durationMs = o.durationMs[kind];
    const busy = durationMs + o.settleMs;
    if (busy > o.everyMs || at + busy > end) break;
    out.push({ kind, atMs: at, durationMs });
  }
  return out;
}

/** the fault interval that fits `rounds` faults of each kind between warm-up and tail */
export function defaultInterval(totalMs: number, warmupMs: number, tailMs: number, kinds: number, rounds = 1): number {
  return Math.floor((totalMs - warmupMs - tailMs) / Math.max(1, kinds * rounds));
}

export interface HeapSample {
  /** ms after the start of the run */
  tMs: number;
  /** JS heap in use after a forced garbage collection, bytes */
  usedBytes: number;
}

export interface HeapGrowth {
  /** median of the first `window` samples after warm-up */
  baselineBytes: number;
  /** median of the last `window` samples */
  endBytes: number;
  /** (end − baseline) / baseline, % (NaN with too few samples) */
  growthPct: number;
  /** least-squares slope over the samples after warm-up, % of the baseline per hour */
  slopePctPerHour: number;
  samples: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Heap growth after warm-up: median of the last `window` samples against the median of the first
 * `window` after warm-up (medians, so one sample taken mid-resync does not decide), and the trend.
 */
export function heapGrowth(samples: readonly HeapSample[], warmupMs: number, window = 3): HeapGrowth {
  const after = samples.filter((s) => s.tMs >= warmupMs);
  const none: HeapGrowth = { baselineBytes: NaN, endBytes: NaN, growthPct: NaN, slopePctPerHour: NaN, samples: after.length };
  if (after.length < 2) return none;
  const w = Math.max(1, Math.min(window, Math.floor(after.length / 2)));
  const baselineBytes = median(after.slice(0, w).map((s) => s.usedBytes));
  const endBytes = median(after.slice(-w).map((s) => s.usedBytes));
  const n = after.length;
  const mx = after.reduce((a, s) => a + s.tMs, 0) / n;
  const my = after.reduce((a, s) => a + s.usedBytes, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of after) {
    sxy += (s.tMs - mx) * (s.usedBytes - my);
    sxx += (s.tMs - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0; // bytes per ms
  return {
    baselineBytes,
    endBytes,
    growthPct: baselineBytes > 0 ? ((endBytes - baselineBytes) / baselineBytes) * 100 : NaN,
    slopePctPerHour: baselineBytes > 0 ? ((slope * 3_600_000) / baselineBytes) * 100 : NaN,
    samples: n,
  };
}

/** What the soak reads of the wall's live state (`window.__onescreen.state.live.data`). */
export interface WallView {
  status: string;
  epoch: string | null;
  seq: number;
  openEvents: { id: string; version: number }[];
  openTotal: number;
  recent: { id: string }[];
  alarms: { id: string; version: number }[];
  /** value and time of each indicator, keyed `areaId|indicatorId` */
  indicators: Record<string, { value: number | null; at: string | null }>;
}

/** What the soak reads of a fresh server snapshot of the same room. */
export interface SnapshotView {
  epoch: string;
  seq: number;
  events: { id: string; version: number }[];
  openTotal: number;
  alarms: { id: string; version: number; state: string }[];
  indicators: { areaId: string; indicatorId: string; value: number | null; at: string | null }[];
  /**
   * indicators the server computes from its cases (`source: derived`): it re-stamps them on every
   * refresh but sends them only when their value changes, so only their values are compared
   */
  derived?: ReadonlySet<string>;
}

export interface Comparison {
  /** same epoch and seq, and the wall is applying deltas (not waiting for a snapshot) */
  inStep: boolean;
  /** items the wall lacks, holds in an older version, or holds though the server does not */
  gaps: number;
  /** ids listed more than once in one of the wall's lists */
  duplicates: number;
  /** a line per problem (at most 20) */
  details: string[];
}

function dupes(list: readonly { id: string }[], what: string, details: string[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const x of list) {
    if (seen.has(x.id)) {
      n++;
      details.push(`duplicate ${what} ${x.id}`);
    }
    seen.add(x.id);
  }
  return n;
}

/**
 * The wall's state against a fresh snapshot. Meaningful as a verdict only when `inStep`; while
 * the server moves on (an indicator flush under way) the caller compares again.
 */
export function compareWithSnapshot(wall: WallView, snap: SnapshotView): Comparison {
  const details: string[] = [];
  const inStep = wall.status === 'synced' && wall.epoch === snap.epoch && wall.seq === snap.seq;
  if (!inStep) details.push(`wall ${wall.status} at ${wall.epoch ?? '-'}#${wall.seq}, server at ${snap.epoch}#${snap.seq}`);
  let gaps = 0;
  const gap = (line: string) => {
    gaps++;
    details.push(line);
  };

  const wallOpen = new Map(wall.openEvents.map((e) => [e.id, e.version]));
  for (const e of snap.events) {
    const v = wallOpen.get(e.id);
    if (v === undefined) gap(`open case ${e.id} missing`);
    else if (v < e.version) gap(`open case ${e.id} at version ${v}, server ${e.version}`);
  }
  // the snapshot lists every open case only when none were cut off by its cap
  if (snap.openTotal <= snap.events.length) {
    const serverOpen = new Set(snap.events.map((e) => e.id));
    for (const e of wall.openEvents) if (!serverOpen.has(e.id)) gap(`case ${e.id} shown open, closed on the server`);
  }
  if (wall.openTotal !== snap.openTotal) gap(`open total ${wall.openTotal}, server ${snap.openTotal}`);

  const wallAlarms = new Map(wall.alarms.map((a) => [a.id, a.version]));
  const activeOnServer = snap.alarms.filter((a) => a.state !== 'cleared');
  for (const a of activeOnServer) {
    const v = wallAlarms.get(a.id);
    if (v === undefined) gap(`alarm ${a.id} missing`);
    else if (v < a.version) gap(`alarm ${a.id} at version ${v}, server ${a.version}`);
  }
  const serverAlarms = new Set(activeOnServer.map((a) => a.id));
  for (const a of wall.alarms) if (!serverAlarms.has(a.id)) gap(`alarm ${a.id} shown active, not active on the server`);

  for (const v of snap.indicators) {
    const key = `${v.areaId}|${v.indicatorId}`;
    const w = Object.hasOwn(wall.indicators, key) ? wall.indicators[key] : undefined;
    if (!w) gap(`indicator ${key} missing`);
    else if (w.value !== v.value || (w.at !== v.at && !snap.derived?.has(v.indicatorId))) gap(`indicator ${key} ${w.value}@${w.at}, server ${v.value}@${v.at}`);
  }

  const duplicates = dupes(wall.openEvents, 'open case', details) + dupes(wall.recent, 'ticker case', details) + dupes(wall.alarms, 'alarm', details);
  return { inStep, gaps, duplicates, details: details.slice(0, 20) };
}

/** A named figure with its target, for the report. */
export interface Verdict {
  name: string;
  value: string;
  target: string;
  ok: boolean;
}

export interface SoakTotals {
  gaps: number;
  duplicates: number;
  heapGrowthPct: number;
  faultsNotRecovered: number;
  manualActions: number;
}

/**
 * The figures the soak is judged on, each with its target. The run fails when gaps or duplicates
 * were found, the heap grew more than `maxGrowthPct` after warm-up (or could not be measured), or a
 * fault left the wall not live again on its own.
 */
export function verdicts(t: SoakTotals, maxGrowthPct = 5): Verdict[] {
  return [
    { name: 'gaps', value: String(t.gaps), target: '0', ok: t.gaps === 0 },
    { name: 'duplicates', value: String(t.duplicates), target: '0', ok: t.duplicates === 0 },
    { name: 'heap growth after warm-up', value: Number.isFinite(t.heapGrowthPct) ? `${t.heapGrowthPct.toFixed(1)} %` : 'not measured', target: `≤ ${maxGrowthPct} %`, ok: Number.isFinite(t.heapGrowthPct) && t.heapGrowthPct <= maxGrowthPct },
    { name: 'faults not recovered on its own', value: String(t.faultsNotRecovered), target: '0', ok: t.faultsNotRecovered === 0 },
    { name: 'manual actions', value: String(t.manualActions), target: '0', ok: t.manualActions === 0 },
  ];
}
