/**
 * @module server/domain/indicators
 * Indicator evaluation: the normal/warn/alarm status of a value, and the roll-up of values from
 * grids to streets to the district with the indicator's aggregation. Pure functions of values and
 * a clock reading.
 */
import type { AreaLevel, IndicatorDefinition, IndicatorStatus, IndicatorValue } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

export interface Thresholds {
  direction: 'above' | 'below';
  warn: number;
  alarm: number;
}

/** The thresholds that apply at an area level (`levelThresholds` override the district's). */
export function thresholdsFor(def: IndicatorDefinition, level: AreaLevel): Thresholds {
  const o = def.levelThresholds?.[level];
  return { direction: def.thresholds.direction, warn: o?.warn ?? def.thresholds.warn, alarm: o?.alarm ?? def.thresholds.alarm };
}

/** normal, warn or alarm for a value at an area level. */
export function statusOf(def: IndicatorDefinition, level: AreaLevel, value: number): 'normal' | 'warn' | 'alarm' {
  const t = thresholdsFor(def, level);
  const beyond = (limit: number) => (t.direction === 'above' ? value >= limit : value <= limit);
  if (beyond(t.alarm)) return 'alarm';
  if (beyond(t.warn)) return 'warn';
  return 'normal';
}

export function aggregate(kind: Exclude<IndicatorDefinition['aggregation'], 'ratio'>, xs: readonly number[]): number {
  switch (kind) {
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    case 'mean':
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'max':
      return Math.max(...xs);
    case 'min':
      return Math.min(...xs);
  }
}

/** A count-based rate in percent, or null when nothing was counted (0 of 0 is no data, not 0 % or 100 %). */
export function ratePercent(num: number, den: number): number | null {
  return den > 0 ? (100 * num) / den : null;
}

/** The counts a `ratio` indicator's value is computed from. */
export interface RatioCounts {
  num: number;
  den: number;
}

/**
 * A value reported directly for an area (a reading, or a server-derived count). A `ratio`
 * indicator's direct values carry `counts`; their `value` is ignored (the rate is recomputed from
 * the counts at every level).
 */
export interface DirectValue {
  value: number;
  at: number;
  simulated: boolean;
  counts?: RatioCounts;
}

interface Computed {
  value: number | null;
  at: number | null;
  simulated: boolean;
  stale: boolean;
  /** for a `ratio` indicator: the summed counts (null: no counts at all) */
  counts: RatioCounts | null;
}

/**
 * Current values of one indicator for every area of the levels it applies to.
 * An area's value is its own fresh direct value if it has one, otherwise the aggregation of its
 * children's fresh values. A direct value older than `staleAfterSec` no longer counts: if nothing
 * fresh replaces it, the area shows it greyed as `stale`.
 *
 * A `ratio` indicator rolls up its counts, not its rates: a street's rate is the street's summed
 * numerators over its summed denominators (so a grid with one closed case weighs one case, not as
 * much as a grid with a hundred), and an area whose denominator is 0 has no value (`nodata`).
 */
export function rollUp(
  def: IndicatorDefinition,
  tree: AreaTree,
  direct: ReadonlyMap<string, DirectValue>,
  now: number,
): Map<string, IndicatorValue> {
  const out = new Map<string, IndicatorValue>();
  const staleMs = def.staleAfterSec * 1000;
  const applies = new Set(def.levels);
  const kind = def.aggregation;
  const ratio = kind === 'ratio';
  /** does a computed value take part in its parent's roll-up */
  const has = (k: Computed) => (ratio ? k.counts !== null : k.value !== null);
  const own = (d: DirectValue, stale: boolean): Computed => {
    if (!ratio) return { value: d.value, at: d.at, simulated: d.simulated, stale, counts: null };
    const counts = d.counts ?? { num: 0, den: 0 };
    return { value: ratePercent(counts.num, counts.den), at: d.at, simulated: d.simulated, stale, counts };
  };
  const combine = (ks: Computed[], stale: boolean): Computed => {
    const at = Math.max(...ks.map((k) => k.at!));
    const simulated = ks.some((k) => k.simulated);
    if (kind === 'ratio') {
      const counts = ks.reduce((a, k) => ({ num: a.num + k.counts!.num, den: a.den + k.counts!.den }), { num: 0, den: 0 });
      return { value: ratePercent(counts.num, counts.den), at, simulated, stale, counts };
    }
    return { value: aggregate(kind, ks.map((k) => k.value!)), at, simulated, stale, counts: null };
  };

  const visit = (id: string): Computed => {
    const node = tree.get(id)!;
    const kids = node.children.map(visit);
    const d = direct.get(id);
    let c: Computed;
    if (d && now - d.at <= staleMs) {
      c = own(d, false);
    } else {
      const fresh = kids.filter((k) => has(k) && !k.stale);
      if (fresh.length > 0) c = combine(fresh, false);
      else if (d) c = own(d, true);
      else {
        const staleKids = kids.filter(has);
        c = staleKids.length ? combine(staleKids, true) : { value: null, at: null, simulated: false, stale: false, counts: null };
      }
    }
    if (applies.has(node.level)) {
      let status: IndicatorStatus;
      if (c.value === null) status = 'nodata';
      else if (c.stale) status = 'stale';
      else status = statusOf(def, node.level, c.value);
      out.set(id, {
        indicatorId: def.id,
        areaId: id,
        value: c.value === null ? null : round(c.value, def.decimals + 2),
        at: c.value === null || c.at === null ? null : new Date(c.at).toISOString(),
        status,
        simulated: c.simulated,
      });
    }
    return c;
  };
  visit(tree.rootId);
  if (def.inherit) inheritDown(def, tree, out);
  return out;
}

/** Areas without data of their own take the value of the nearest area above that has one. */
function inheritDown(def: IndicatorDefinition, tree: AreaTree, out: Map<string, IndicatorValue>): void {
  const walk = (id: string, above: IndicatorValue | undefined) => {
    let mine = out.get(id);
    if (mine && mine.value === null && above && above.value !== null) {
      const level = tree.level(id)!;
      mine = { ...above, areaId: id, status: above.status === 'stale' ? 'stale' : statusOf(def, level, above.value) };
      out.set(id, mine);
    }
    const next = mine && mine.value !== null ? mine : above;
    for (const c of tree.get(id)!.children) walk(c, next);
  };
  walk(tree.rootId, undefined);
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** true when two values would look different on a screen (`withTime`: a newer reading counts too) */
export function valueChanged(a: IndicatorValue | undefined, b: IndicatorValue, withTime = true): boolean {
  return !a || a.value !== b.value || a.status !== b.status || a.simulated !== b.simulated || (withTime && a.at !== b.at);
}
