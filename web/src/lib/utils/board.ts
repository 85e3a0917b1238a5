/**
 * @module web/utils/board
 * The wall's closed-loop comparison board as pure data: every street of the scope with its open
 * cases now and its figures for the period, ranked by on-time rate. No I/O.
 */
import type { StatsRow } from '../../../../shared/index.ts';
import { PALETTE } from './status.ts';

export interface BoardRow {
  id: string;
  name: string;
  /** open cases now (from the live stream) */
  open: number;
  /** closed with no breach over closed in the period; null when nothing closed */
  onTimeRate: number | null;
  breaches: number;
  received: number;
  closed: number;
}

/**
 * Ranks the streets: best on-time rate first; then fewer breaches, more closed, fewer open;
 * streets with nothing closed yet come last. A street with no stats row has zeros.
 * @example boardRows([{ id: 'a', name: 'A' }], [], new Map([['a', 3]]))
 */
export function boardRows(streets: readonly { id: string; name: string }[], stats: readonly StatsRow[], open: ReadonlyMap<string, number>): BoardRow[] {
  const byKey = new Map(stats.map((r) => [r.key, r]));
  const rows = streets.map((s): BoardRow => {
    const r = byKey.get(s.id);
    return { id: s.id, name: s.name, open: open.get(s.id) ?? 0, onTimeRate: r?.onTimeRate ?? null, breaches: r?.breaches ?? 0, received: r?.received ?? 0, closed: r?.closed ?? 0 };
  });
  return rows.sort(
    (a, b) => (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || a.breaches - b.breaches || b.closed - a.closed || a.open - b.open || a.id.localeCompare(b.id),
  );
}

/** On-time rate over several rows (weighted by closed cases); null when nothing closed. */
export function overallOnTime(rows: readonly Pick<StatsRow, 'onTimeRate' | 'closed'>[]): number | null {
  let closed = 0;
  let onTime = 0;
  for (const r of rows) {
    if (r.onTimeRate === null || r.closed === 0) continue;
    closed += r.closed;
    onTime += Math.round(r.onTimeRate * r.closed);
  }
  return closed ? onTime / closed : null;
}

/** Green from this on-time rate (the 90 % target the sources set for first-time success). */
export const ON_TIME_GOOD = 0.9;
/** Amber from this rate, red below it. */
export const ON_TIME_WARN = 0.7;

/** The colour of an on-time rate: green, amber, red, or grey when there is none. */
export function onTimeColour(rate: number | null): string {
  if (rate === null) return PALETTE.nodata;
  return rate >= ON_TIME_GOOD ? PALETTE.normal : rate >= ON_TIME_WARN ? PALETTE.warn : PALETTE.alarm;
}

/** `0.934` → `93%`; `—` when there is no rate. */
export const formatRate = (rate: number | null): string => (rate === null ? '—' : `${Math.round(rate * 100)}%`);
