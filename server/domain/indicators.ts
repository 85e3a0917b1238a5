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

export function aggregate(kind: IndicatorDefinition['aggregation'], xs: readonly number[]): number {
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

/** A value reported directly for an area (a reading, or a server-derived count). */
export interface DirectValue {
  value: number;
  at: number;
  simulated: boolean;
}

interface Computed {
  value: number | null;
  at: number | null;
  simulated: boolean;
  stale: boolean;
}

/**
 * Current values of one indicator for every area of the levels it applies to.
 * An area's value is its own fresh direct value if it has one, otherwise the aggregation of its
 * children's fresh values. A direct value older than `staleAfterSec` no longer counts: if nothing
 * fresh replaces it, the area shows it greyed as `stale`.
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

  const visit = (id: string): Computed => {
    const node = tree.get(id)!;
    const kids = node.children.map(visit);
    const d = direct.get(id);
    let c: Computed;
    if (d && now - d.at <= staleMs) {
      c = { value: d.value, at: d.at, simulated: d.simulated, stale: false };
    } else {
      const fresh = kids.filter((k) => k.value !== null && !k.stale);
      if (fresh.length > 0) {
        c = {
          value: aggregate(def.aggregation, fresh.map((k) => k.value!)),
          at: Math.max(...fresh.map((k) => k.at!)),
          simulated: fresh.some((k) => k.simulated),
          stale: false,
        };
      } else if (d) {
        c = { value: d.value, at: d.at, simulated: d.simulated, stale: true };
      } else {
        const staleKids = kids.filter((k) => k.value !== null);
        c = staleKids.length
          ? {
              value: aggregate(def.aggregation, staleKids.map((k) => k.value!)),
              at: Math.max(...staleKids.map((k) => k.at!)),
              simulated: staleKids.some((k) => k.simulated),
              stale: true,
            }
          : { value: null, at: null, simulated: false, stale: false };
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
        at: c.at === null ? null : new Date(c.at).toISOString(),
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
