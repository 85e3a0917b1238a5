/**
 * @module web/utils/board
 * The wall's closed-loop comparison board as pure data: every street of the scope with its open
 * cases now and its figures for the period, ranked by on-time rate. No I/O.
 */
import type { StatsRow } from '../../../../shared/index.ts';

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
