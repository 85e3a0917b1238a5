/**
 * @module server/domain/audit-fold
 * Folding of repeated failures in the audit trail. Every failure is recorded, but an attacker
 * repeating the same failing request must not be able to write a permanent row per request: the
 * first of a run of identical failures is written at once (so it is seen and survives a crash),
 * the ones that follow within `windowMs` are only counted, and when the window closes one more row
 * says how many there were (`count`). Pure: the caller passes the time and writes the rows.
 */

/** The parts of an audit entry that make two entries identical, plus when and how often. */
export interface FoldableEntry {
  at: number;
  actor: string;
  actorKind: string;
  action: string;
  target: string;
  outcome: string;
  ip: string;
  detail: string;
  count?: number;
}

interface Fold<E> {
  first: E;
  until: number;
  repeats: number;
  lastAt: number;
}

export class AuditFolder<E extends FoldableEntry> {
  private readonly folds = new Map<string, Fold<E>>();
  /** failures not followed because `maxOpen` runs were open: counted, written as one row */
  private overflow: { first: E; n: number } | null = null;

  /**
   * @param windowMs how long after the first of a run its repeats are folded
   * @param maxOpen at most this many runs are followed; past it new kinds of failure are only
   *   counted, and one row says how many there were (a flood of ever-different failures cannot
   *   write a row each, nor stop the folding of the others)
   */
  constructor(
    private readonly windowMs: number,
    private readonly maxOpen = 10_000,
  ) {}

  /**
   * The rows to write now for this entry: none when it was folded into a run already written;
   * itself, after the closing row of an expired run of the same kind if that had repeats.
   */
  offer(e: E): E[] {
    if (e.outcome === 'ok') return [e];
    const key = JSON.stringify([e.actor, e.actorKind, e.action, e.target, e.outcome, e.ip, e.detail]);
    const open = this.folds.get(key);
    if (open && e.at < open.until) {
      open.repeats += 1;
      open.lastAt = Math.max(open.lastAt, e.at);
      return [];
    }
    const closing = open ? this.close(key, open, e.at) : [];
    if (this.folds.size >= this.maxOpen) {
      if (this.overflow) this.overflow.n += 1;
      else this.overflow = { first: e, n: 1 };
      return closing;
    }
    this.folds.set(key, { first: e, until: e.at + this.windowMs, repeats: 0, lastAt: e.at });
    return [...closing, e];
  }

  /**
   * The closing row is stamped when it is written (the trail stays in time order); the detail
   * says when the repeats happened.
   */
  private close(key: string, f: Fold<E>, now: number): E[] {
    this.folds.delete(key);
    if (f.repeats === 0) return [];
    const iso = (t: number) => new Date(t).toISOString();
    return [{ ...f.first, at: now, count: f.repeats, detail: `${f.first.detail} (repeated ${f.repeats}× from ${iso(f.first.at)} to ${iso(f.lastAt)})` }];
  }

  /**
   * Rows that close the runs whose window has passed by `now` (all runs with `all`, on shutdown):
   * one per run that had repeats, carrying their number in `count`.
   */
  due(now: number, all = false): E[] {
    const out: E[] = [];
    for (const [key, f] of [...this.folds]) if (all || now >= f.until) out.push(...this.close(key, f, now));
    if (this.overflow) {
      const { first, n } = this.overflow;
      this.overflow = null;
      out.push({ ...first, at: now, count: n, detail: `${n} failures of many different kinds at once, not written one by one; the first: ${first.detail}`.slice(0, 500) });
    }
    return out;
  }

  /** runs being followed (for tests and metrics) */
  get size(): number {
    return this.folds.size;
  }
}
