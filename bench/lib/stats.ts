/**
 * @module bench/lib/stats
 * Percentiles and table formatting for the benchmark report.
 */

export interface Pcts {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** nearest-rank percentiles (NaN when there are no samples) */
export function percentiles(xs: number[]): Pcts {
  if (xs.length === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! };
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
export const fmtInt = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
/** a ratio a/b, e.g. `0.42×` */
export const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

/** a plain text table: columns right-aligned except the first */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
