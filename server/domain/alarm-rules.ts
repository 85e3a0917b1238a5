/**
 * @module server/domain/alarm-rules
 * The alarm rules' evaluation, pure: values in, transitions out. One episode per (rule, area):
 * an open episode that keeps firing is updated, never opened twice.
 *
 * Time is the readings' own: a threshold's minimum duration is measured between reading
 * timestamps, so an hour of backfilled readings above the level counts as an hour, exactly as live
 * readings would. Between readings, a value holds until the next one or until it turns stale
 * (the indicator's `staleAfterSec`), so a sensor that reports only on change still raises an
 * alarm once its value has held long enough. Readings older than the newest one already judged
 * for an area are stored but do not rewrite what was decided (as the wall shows the newest value).
 *
 * Thresholds have hysteresis: an episode opens at `warn`/`alarm` and closes only beyond `clear`,
 * so a value wandering between the two never flaps. Within an episode, `alarm` is reached after
 * `forSec` above it, and the episode steps back to `warn` only once the value is below `alarm` by
 * the same margin as the clear level is below the lowest threshold.
 */
import {
  ALARM_SEVERITY_RANK,
  type AlarmRule,
  type AlarmSeverity,
  type ForecastRule,
  type RateRule,
  type SilenceRule,
  type ThresholdRule,
} from '../../shared/index.ts';

export interface Sample {
  at: number;
  value: number;
  simulated: boolean;
}

/** What an evaluation decided for one (rule, area). */
export type Transition =
  | { type: 'raise'; rule: AlarmRule; areaId: string; severity: AlarmSeverity; value: number | null; threshold: number | null; since: number; at: number; simulated: boolean }
  | { type: 'update'; rule: AlarmRule; areaId: string; severity: AlarmSeverity; value: number | null; threshold: number | null; at: number; change: 'escalated' | 'deescalated' | null }
  | { type: 'clear'; rule: AlarmRule; areaId: string; value: number | null; at: number; reason: 'recovered' | 'rule_removed' };

/** An episode open in the store (restored at start, so a restart never opens it twice). */
export interface OpenEpisode {
  ruleId: string;
  areaId: string;
  severity: AlarmSeverity;
}

interface ThresholdState {
  /** since when (reading time) the value has been beyond the lowest threshold, beyond `alarm`, past `clear` */
  lowRun: number | null;
  alarmRun: number | null;
  clearRun: number | null;
  last: Sample | null;
}

interface RateState {
  /** the samples of the last two windows, oldest first */
  buffer: Sample[];
  last: Sample | null;
}

interface Episode {
  severity: AlarmSeverity;
  /** forecast rules: checks in a row that forecast no crossing (two clear the episode) */
  misses?: number;
  /** the value last reported, and when: a new value is news at most once a minute */
  reported: number | null;
  reportedAt: number;
}

/** a forecast episode clears after this many checks in a row without a crossing */
export const FORECAST_CLEAR_MISSES = 2;

/** a rate rule keeps about this many samples per window (closer ones replace each other) */
const RATE_SAMPLES_PER_WINDOW = 720;

/** an open episode reports a changed value at most this often (its severity changes at once) */
export const UPDATE_EVERY_MS = 60_000;

export interface EvaluatorContext {
  levelOf(areaId: string): string | undefined;
  /** the indicator's staleAfterSec, in ms (a value holds at most that long) */
  staleMs(indicatorId: string): number;
  /** the registry threshold of an indicator for an area (forecast rules), or undefined */
  thresholdFor?(indicatorId: string, areaId: string, which: AlarmSeverity): number | undefined;
}

const key = (ruleId: string, areaId: string) => `${ruleId}|${areaId}`;

/** The lowest threshold of a threshold rule (the one that opens an episode). */
export function openingLevel(r: ThresholdRule): number {
  return r.warn ?? r.alarm!;
}

/** `a` is at or beyond `b` in the rule's bad direction */
const beyond = (r: ThresholdRule, a: number, b: number) => (r.direction === 'above' ? a >= b : a <= b);

export class AlarmEvaluator {
  private rules = new Map<string, AlarmRule>();
  private byIndicator = new Map<string, AlarmRule[]>();
  private thresholds = new Map<string, ThresholdState>();
  private rates = new Map<string, RateState>();
  private open = new Map<string, Episode>();

  constructor(
    rules: readonly AlarmRule[],
    private readonly ctx: EvaluatorContext,
  ) {
    this.setRules(rules);
  }

  /**
   * Replace the rules. Open episodes of rules that are gone or disabled are cleared; a rule whose
   * thresholds changed keeps its episodes and judges the next value by its new levels.
   */
  setRules(rules: readonly AlarmRule[], at?: number): Transition[] {
    const before = this.rules;
    this.rules = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
    this.byIndicator = new Map();
    for (const r of this.rules.values()) {
      if (r.kind === 'silence' || r.kind === 'forecast') continue;
      const list = this.byIndicator.get(r.indicatorId) ?? [];
      list.push(r);
      this.byIndicator.set(r.indicatorId, list);
    }
    const out: Transition[] = [];
    for (const [k, ep] of this.open) {
      const [ruleId, areaId] = split(k);
      const now = this.rules.get(ruleId);
      const old = before.get(ruleId);
      if (now && now.kind === old?.kind && now.indicatorId === old.indicatorId && now.levels.includes(this.ctx.levelOf(areaId) as never)) continue;
      this.open.delete(k);
      if (old && at !== undefined) out.push({ type: 'clear', rule: old, areaId, value: ep.reported, at, reason: 'rule_removed' });
    }
    // a changed rule starts its runs afresh; one saved again unchanged keeps them (a running
    // minimum duration is not reset because an administrator saved some other rule)
    const same = (id: string) => {
      const a = this.rules.get(id);
      const b = before.get(id);
      return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
    };
    for (const m of [this.thresholds, this.rates]) {
      for (const k of m.keys()) if (!same(split(k)[0])) m.delete(k);
    }
    // a kept episode at `alarm` whose rule no longer has an alarm level steps back to warn
    if (at !== undefined) {
      for (const [k, ep] of this.open) {
        const [ruleId, areaId] = split(k);
        const r = this.rules.get(ruleId);
        if (r?.kind !== 'threshold' || ep.severity !== 'alarm' || r.alarm !== undefined) continue;
        ep.severity = 'warn';
        out.push({ type: 'update', rule: r, areaId, severity: 'warn', value: ep.reported, threshold: openingLevel(r), at, change: 'deescalated' });
      }
    }
    return out;
  }

  /** adopt the episodes the store holds open (at start) */
  restore(episodes: readonly OpenEpisode[]): void {
    for (const e of episodes) if (this.rules.has(e.ruleId)) this.open.set(key(e.ruleId, e.areaId), { severity: e.severity, reported: null, reportedAt: 0 });
  }

  rule(id: string): AlarmRule | undefined {
    return this.rules.get(id);
  }

  /** the enabled rules of a kind */
  rulesOf<K extends AlarmRule['kind']>(kind: K): Extract<AlarmRule, { kind: K }>[] {
    return [...this.rules.values()].filter((r): r is Extract<AlarmRule, { kind: K }> => r.kind === kind);
  }

  /** some enabled level or rate rule judges this indicator's values */
  watches(indicatorId: string): boolean {
    return this.byIndicator.has(indicatorId);
  }

  isOpen(ruleId: string, areaId: string): boolean {
    return this.open.has(key(ruleId, areaId));
  }

  private applies(r: AlarmRule, areaId: string): boolean {
    const level = this.ctx.levelOf(areaId);
    return level !== undefined && r.levels.includes(level as never);
  }

  /**
   * Readings of one indicator in one area, as reported (any order): judged in time order; those not
   * newer than the last judged are skipped.
   */
  observe(indicatorId: string, areaId: string, samples: readonly Sample[]): Transition[] {
    const rules = this.byIndicator.get(indicatorId);
    if (!rules) return [];
    const sorted = [...samples].sort((a, b) => a.at - b.at);
    const out: Transition[] = [];
    for (const r of rules) {
      if (!this.applies(r, areaId)) continue;
      for (const s of sorted) {
        if (r.kind === 'threshold') this.threshold(r, areaId, s, false, out);
        else if (r.kind === 'rate') this.rate(r, areaId, s, out);
      }
    }
    return out;
  }

  /**
   * The current (rolled-up) value of an area: judged as of its time, or as of the last judged time
   * when it is not newer (a value that changed because a child went stale is still news).
   */
  observeCurrent(indicatorId: string, areaId: string, s: Sample): Transition[] {
    const rules = this.byIndicator.get(indicatorId);
    if (!rules) return [];
    const out: Transition[] = [];
    for (const r of rules) {
      if (!this.applies(r, areaId)) continue;
      if (r.kind === 'threshold') this.threshold(r, areaId, s, true, out);
      else if (r.kind === 'rate') this.rate(r, areaId, s, out);
    }
    return out;
  }

  /**
   * The clock moved: values hold until they turn stale, so a value beyond a threshold for long
   * enough raises its alarm even if no new reading came.
   */
  hold(now: number): Transition[] {
    const out: Transition[] = [];
    for (const [k, st] of this.thresholds) {
      if (!st.last || (st.lowRun === null && !this.open.has(k))) continue;
      const [ruleId, areaId] = split(k);
      const r = this.rules.get(ruleId);
      if (r?.kind !== 'threshold') continue;
      const until = Math.min(now, st.last.at + this.ctx.staleMs(r.indicatorId));
      if (until <= st.last.at) continue;
      this.threshold(r, areaId, { ...st.last, at: until }, false, out, true);
    }
    return out;
  }

  private threshold(r: ThresholdRule, areaId: string, s: Sample, current: boolean, out: Transition[], holding = false): void {
    const k = key(r.id, areaId);
    let st = this.thresholds.get(k);
    if (!st) this.thresholds.set(k, (st = { lowRun: null, alarmRun: null, clearRun: null, last: null }));
    let at = s.at;
    if (st.last && at <= st.last.at) {
      if (!current) return;
      at = st.last.at;
    }
    const v = s.value;
    const low = openingLevel(r);
    st.lowRun = beyond(r, v, low) ? (st.lowRun ?? at) : null;
    st.alarmRun = r.alarm !== undefined && beyond(r, v, r.alarm) ? (st.alarmRun ?? at) : null;
    // a held value is the same reading seen later: it keeps its own time for the next comparison
    if (!holding) st.last = { ...s, at };
    const forMs = r.forSec * 1000;
    const held = (run: number | null) => run !== null && at - run >= forMs;
    const target: AlarmSeverity | null = held(st.alarmRun) ? 'alarm' : r.warn !== undefined && held(st.lowRun) ? 'warn' : null;
    const ep = this.open.get(k);
    if (!ep) {
      st.clearRun = null;
      if (!target) return;
      this.open.set(k, { severity: target, reported: v, reportedAt: at });
      out.push({ type: 'raise', rule: r, areaId, severity: target, value: v, threshold: target === 'alarm' ? r.alarm! : low, since: st.lowRun ?? at, at, simulated: s.simulated });
      return;
    }
    // past the clear level (strictly on the good side of it), for long enough
    if (r.direction === 'above' ? v < r.clear : v > r.clear) {
      st.clearRun ??= at;
      if (at - st.clearRun >= r.clearForSec * 1000) {
        this.open.delete(k);
        st.clearRun = null;
        out.push({ type: 'clear', rule: r, areaId, value: v, at, reason: 'recovered' });
      }
      return;
    }
    st.clearRun = null;
    let change: 'escalated' | 'deescalated' | null = null;
    if (target && ALARM_SEVERITY_RANK[target] > ALARM_SEVERITY_RANK[ep.severity]) change = 'escalated';
    else if (ep.severity === 'alarm' && r.warn !== undefined && r.alarm !== undefined) {
      const margin = Math.abs(low - r.clear);
      const stepBack = r.direction === 'above' ? v < r.alarm - margin : v > r.alarm + margin;
      if (stepBack) change = 'deescalated';
    }
    if (change) ep.severity = change === 'escalated' ? 'alarm' : 'warn';
    if (change || (!holding && ep.reported !== v && at - ep.reportedAt >= UPDATE_EVERY_MS)) {
      ep.reported = v;
      ep.reportedAt = at;
      out.push({ type: 'update', rule: r, areaId, severity: ep.severity, value: v, threshold: ep.severity === 'alarm' ? r.alarm! : low, at, change });
    }
  }

  private rate(r: RateRule, areaId: string, s: Sample, out: Transition[]): void {
    const k = key(r.id, areaId);
    let st = this.rates.get(k);
    if (!st) this.rates.set(k, (st = { buffer: [], last: null }));
    const windowMs = r.windowSec * 1000;
    // keep the buffer ordered, free of repeats, and bounded: samples closer than a 720th of the
    // window to the newest one replace it (a sensor every second and a week's window stay cheap)
    const step = windowMs / RATE_SAMPLES_PER_WINDOW;
    const lastSample = st.buffer[st.buffer.length - 1];
    if (!lastSample || s.at > lastSample.at) {
      const prev = st.buffer[st.buffer.length - 2];
      if (lastSample && prev && s.at - prev.at < step) st.buffer[st.buffer.length - 1] = s;
      else st.buffer.push(s);
    } else {
      const i = st.buffer.findIndex((b) => b.at >= s.at);
      if (st.buffer[i]!.at === s.at) st.buffer[i] = s;
      else st.buffer.splice(i, 0, s);
    }
    const newest = st.buffer[st.buffer.length - 1]!.at;
    while (st.buffer.length > 1 && st.buffer[0]!.at < newest - 2 * windowMs) st.buffer.shift();
    if (st.last && s.at < st.last.at) return; // an old reading only improves the base of later ones
    st.last = s;
    // the base: the newest sample at least one window before this one
    let base: Sample | undefined;
    for (const b of st.buffer) {
      if (b.at <= s.at - windowMs) base = b;
      else break;
    }
    if (!base || base.value <= 0 || base.value < r.minBase) return;
    const changePct = ((r.direction === 'rise' ? s.value - base.value : base.value - s.value) / base.value) * 100;
    const ep = this.open.get(k);
    const clearPct = r.clearPct ?? r.changePct / 2;
    if (!ep) {
      if (changePct < r.changePct) return;
      this.open.set(k, { severity: r.severity, reported: s.value, reportedAt: s.at });
      out.push({ type: 'raise', rule: r, areaId, severity: r.severity, value: s.value, threshold: base.value, since: base.at, at: s.at, simulated: s.simulated });
      return;
    }
    if (changePct < clearPct) {
      this.open.delete(k);
      out.push({ type: 'clear', rule: r, areaId, value: s.value, at: s.at, reason: 'recovered' });
    } else if (ep.reported !== s.value && s.at - ep.reportedAt >= UPDATE_EVERY_MS) {
      ep.reported = s.value;
      ep.reportedAt = s.at;
      out.push({ type: 'update', rule: r, areaId, severity: ep.severity, value: s.value, threshold: base.value, at: s.at, change: null });
    }
  }

  /**
   * 数据中断: `lastReceived` is when the area last received a reading of the rule's indicator (server
   * time). Silent past the window → raised; a reading since → cleared.
   */
  silence(r: SilenceRule, areaId: string, lastReceived: number, now: number): Transition[] {
    if (!this.applies(r, areaId)) return [];
    const k = key(r.id, areaId);
    const silent = now - lastReceived >= r.windowSec * 1000;
    const ep = this.open.get(k);
    if (silent && !ep) {
      this.open.set(k, { severity: r.severity, reported: null, reportedAt: now });
      return [{ type: 'raise', rule: r, areaId, severity: r.severity, value: null, threshold: r.windowSec, since: lastReceived, at: now, simulated: false }];
    }
    if (!silent && ep) {
      this.open.delete(k);
      return [{ type: 'clear', rule: r, areaId, value: null, at: now, reason: 'recovered' }];
    }
    return [];
  }

  /**
   * 趋势预判: `crossing` is when the forecast first crosses the rule's threshold within its horizon
   * (null: it does not). Raised while a crossing is forecast, cleared when none is.
   */
  forecast(r: ForecastRule, areaId: string, crossing: { at: number; value: number; threshold: number } | null, now: number): Transition[] {
    if (!this.applies(r, areaId)) return [];
    const k = key(r.id, areaId);
    const ep = this.open.get(k);
    const within = crossing !== null && crossing.at - now <= r.horizonHours * 3_600_000;
    if (within && !ep) {
      this.open.set(k, { severity: r.severity, reported: crossing.value, reportedAt: now });
      return [{ type: 'raise', rule: r, areaId, severity: r.severity, value: crossing.value, threshold: crossing.threshold, since: crossing.at, at: now, simulated: false }];
    }
    if (within && ep) ep.misses = 0;
    if (within && ep && ep.reported !== crossing.value && now - ep.reportedAt >= UPDATE_EVERY_MS) {
      ep.reported = crossing.value;
      ep.reportedAt = now;
      return [{ type: 'update', rule: r, areaId, severity: ep.severity, value: crossing.value, threshold: crossing.threshold, at: now, change: null }];
    }
    // a forecast wavering around the threshold clears only when two checks in a row forecast no crossing
    if (!within && ep && (ep.misses = (ep.misses ?? 0) + 1) >= FORECAST_CLEAR_MISSES) {
      this.open.delete(k);
      return [{ type: 'clear', rule: r, areaId, value: null, at: now, reason: 'recovered' }];
    }
    return [];
  }

  /** an open episode was cleared elsewhere (by the store's record): forget it */
  forget(ruleId: string, areaId: string): void {
    this.open.delete(key(ruleId, areaId));
  }
}

function split(k: string): [string, string] {
  const i = k.indexOf('|');
  return [k.slice(0, i), k.slice(i + 1)];
}

/**
 * What is wrong with a rule set beyond its shape: unknown indicators or case categories, levels the
 * indicator is not shown for, rate and silence rules on indicators without readings. Empty when
 * the set can be used.
 */
export function ruleProblems(
  rules: readonly AlarmRule[],
  indicators: readonly { id: string; levels: readonly string[]; source: string }[],
  categories: readonly { code: string }[],
): string[] {
  const defs = new Map(indicators.map((d) => [d.id, d]));
  const cats = new Set(categories.map((c) => c.code));
  const out: string[] = [];
  rules.forEach((r, i) => {
    const at = `rules[${i}] (${r.id})`;
    const def = defs.get(r.indicatorId);
    if (!def) return void out.push(`${at}: unknown indicator ${r.indicatorId}`);
    const off = r.levels.filter((l) => !def.levels.includes(l));
    if (off.length) out.push(`${at}: ${r.indicatorId} is not shown for ${off.join(', ')} areas (only ${def.levels.join(', ')})`);
    if ((r.kind === 'silence' || r.kind === 'forecast') && def.source !== 'readings') out.push(`${at}: a ${r.kind} rule needs an indicator fed by readings; ${r.indicatorId} is derived`);
    // a forecast is a model fit per area: hundreds of grids every few minutes would starve the worker
    if (r.kind === 'forecast' && r.levels.includes('grid')) out.push(`${at}: forecast rules watch streets or the district, not every grid`);
    if (r.case && !cats.has(r.case.category)) out.push(`${at}: unknown case category ${r.case.category}`);
    // a case is placed in a grid, and so on one street's desk: a district-wide alarm has no street of its own
    if (r.createCase !== 'off' && r.levels.some((l) => l === 'district' || l === 'city')) {
      out.push(`${at}: a rule that opens cases watches streets or grids (a district-wide case would land in one street)`);
    }
  });
  return out;
}
