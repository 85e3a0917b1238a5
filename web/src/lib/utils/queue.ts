/**
 * @module web/utils/queue
 * Pure rules of the duty-officer console: the clock colour of a case, the urgency order of the
 * queue, its filters, countdown text, keyboard shortcuts and report periods. No I/O and no
 * clock: callers pass `nowMs`.
 *
 * @example
 * const rows = sortQueue(filterQueue(live.openEvents, filter, names), Date.now());
 */
import type { CaseAction, EventStatus, GridEvent, LadderRung, StatsGrouping } from '../../../../shared/index.ts';
import { wallTimeZone } from '../state/time-zone.svelte.ts';
import { addZonedDays, startOfZonedDay, zonedParts } from './time-zone.ts';

/** Fraction of a stage after which a case shows amber until the server's own is known. */
export const WARN_AT = 0.75;
let warnAtNow = WARN_AT;

/** Follows the server's `warnAt` (from `GET /api/health`), so wall and console colour clocks as it counts them. */
export function setClockWarnAt(fraction: number): void {
  if (fraction > 0 && fraction < 1) warnAtNow = fraction;
}

export type ClockColour = 'ok' | 'amber' | 'red' | 'none';

type Clocked = Pick<GridEvent, 'stageStartedAt' | 'dueAt'>;

/** ok / amber (≥ {@link WARN_AT} of the stage used) / red (due) / none (no clock runs). */
export function clockColour(e: Clocked, nowMs: number, warnAt = warnAtNow): ClockColour {
  if (e.dueAt === null) return 'none';
  const due = Date.parse(e.dueAt);
  const start = Date.parse(e.stageStartedAt);
  if (!Number.isFinite(due)) return 'none';
  if (nowMs >= due) return 'red';
  if (!Number.isFinite(start)) return 'ok';
  return nowMs >= start + (due - start) * warnAt ? 'amber' : 'ok';
}

/** ms left until the stage is due (negative when overdue), or null when no clock runs. */
export function timeLeft(e: Pick<GridEvent, 'dueAt'>, nowMs: number): number | null {
  if (e.dueAt === null) return null;
  const due = Date.parse(e.dueAt);
  return Number.isFinite(due) ? due - nowMs : null;
}

/** Urgency groups of the queue, most urgent first. */
export const URGENCY = ['breached', 'escalated', 'near', 'new', 'other'] as const;
export type Urgency = (typeof URGENCY)[number];

/** breached (clock red) → escalated → near its limit (amber) → new (reported) → the rest. */
export function urgencyOf(e: GridEvent, nowMs: number): Urgency {
  const c = clockColour(e, nowMs);
  if (c === 'red') return 'breached';
  if (e.escalated) return 'escalated';
  if (c === 'amber') return 'near';
  if (e.status === 'reported') return 'new';
  return 'other';
}

/** The queue's order: by urgency group, then by time left (no clock last), then newest first. */
export function sortQueue(events: readonly GridEvent[], nowMs: number): GridEvent[] {
  const keyed = events.map((e) => ({ e, g: URGENCY.indexOf(urgencyOf(e, nowMs)), left: timeLeft(e, nowMs) ?? Number.POSITIVE_INFINITY }));
  keyed.sort((a, b) => a.g - b.g || a.left - b.left || b.e.receivedAt.localeCompare(a.e.receivedAt) || a.e.id.localeCompare(b.e.id));
  return keyed.map((k) => k.e);
}

export interface QueueFilter {
  streetId: string;
  gridId: string;
  category: string;
  status: EventStatus | '';
  /** a unit's cases: it leads them or works on them as a co-unit */
  unit: string;
  /** matched case-insensitively against the title */
  text: string;
}

export const EMPTY_FILTER: QueueFilter = { streetId: '', gridId: '', category: '', status: '', unit: '', text: '' };

/** Cases passing every set filter (an empty field does not filter). */
export function filterQueue(events: readonly GridEvent[], f: QueueFilter): GridEvent[] {
  const q = f.text.trim().toLowerCase();
  return events.filter(
    (e) =>
      (!f.streetId || e.streetId === f.streetId) &&
      (!f.gridId || e.gridId === f.gridId) &&
      (!f.category || e.category === f.category) &&
      (!f.status || e.status === f.status) &&
      (!f.unit || e.leadUnit === f.unit || e.coUnits.includes(f.unit)) &&
      (!q || e.title.toLowerCase().includes(q)),
  );
}

/**
 * A countdown: `mm:ss` under an hour, `h:mm` from an hour on (`long` is then true, so the
 * caller can add the unit); once overdue, the time over the limit with a leading `+`; `—` when
 * no clock runs.
 * @example formatCountdown(-65_000) // { text: '+01:05', long: false }
 */
export function formatCountdown(ms: number | null): { text: string; long: boolean } {
  if (ms === null || !Number.isFinite(ms)) return { text: '—', long: false };
  const sign = ms < 0 ? '+' : '';
  // count down in whole seconds: 59.4 s left shows 00:59, 0.4 s overdue shows +00:01
  const s = ms < 0 ? Math.ceil(-ms / 1000) : Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return { text: `${sign}${pad(Math.floor(s / 60))}:${pad(s % 60)}`, long: false };
  const m = Math.floor(s / 60);
  return { text: `${sign}${Math.floor(m / 60)}:${pad(m % 60)}`, long: true };
}

/** Single-key shortcuts of the case actions. */
export const ACTION_KEYS: Partial<Record<CaseAction, string>> = {
  accept: 'a',
  dispatch: 'd',
  handle: 'h',
  verify: 'v',
  escalate: 'e',
  urge: 'u',
  archive: 'x',
  feedback: 'f',
  cohandle: 'c',
};

/** Open cases at each rung of the escalation ladder (the wall's count of disputes being coordinated). */
export function ladderCounts(events: readonly Pick<GridEvent, 'ladder'>[]): Record<LadderRung, number> {
  const out: Record<LadderRung, number> = { deputy: 0, principal: 0, government: 0 };
  for (const e of events) if (e.ladder) out[e.ladder] += 1;
  return out;
}

/** The actions a unit's officer (条) can ever take, for its console's buttons and keys. */
export const UNIT_ACTIONS: readonly CaseAction[] = ['handle', 'feedback', 'cohandle', 'return', 'coordinate'];

export type ConsoleCommand =
  | { kind: 'move'; by: 1 | -1 }
  | { kind: 'open' }
  | { kind: 'search' }
  | { kind: 'escape' }
  | { kind: 'action'; action: CaseAction };

/** The command of a key press; null when the key means nothing (or has a modifier). */
export function commandOf(key: string, mods: { ctrl?: boolean; meta?: boolean; alt?: boolean } = {}): ConsoleCommand | null {
  if (mods.ctrl || mods.meta || mods.alt) return null;
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { kind: 'move', by: 1 };
    case 'k':
    case 'ArrowUp':
      return { kind: 'move', by: -1 };
    case 'Enter':
      return { kind: 'open' };
    case '/':
      return { kind: 'search' };
    case 'Escape':
      return { kind: 'escape' };
  }
  for (const [action, k] of Object.entries(ACTION_KEYS)) if (k === key) return { kind: 'action', action: action as CaseAction };
  return null;
}

/** Whether a key press lands in a field the officer types into (shortcuts must not fire). */
export function isTypingTarget(el: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (!el || !el.tagName) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'submit', 'reset', 'checkbox', 'radio'].includes((el.type ?? 'text').toLowerCase());
}

/** The id `by` rows away from `current` in `ids` (clamped; the first row when none is current). */
export function moveCursor(ids: readonly string[], current: string | null, by: number): string | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return ids[0]!;
  return ids[Math.max(0, Math.min(ids.length - 1, i + by))]!;
}

export type ReportPeriod = 'today' | 'week';

/**
 * [from, to) of a report period in the centre's days: today from its local midnight, or the week
 * from Monday's local midnight (a week across a daylight-saving change is not 7 × 24 h).
 */
export function periodRange(period: ReportPeriod, nowMs: number, tz = wallTimeZone()): { from: number; to: number } {
  const today = startOfZonedDay(nowMs, tz);
  if (period === 'today') return { from: today, to: nowMs + 1 };
  const sinceMonday = (zonedParts(nowMs, tz).weekday + 6) % 7;
  return { from: addZonedDays(nowMs, -sinceMonday, tz), to: nowMs + 1 };
}

/** The period report's address. */
export function reportHref(from: number, to: number, areaId?: string, by?: StatsGrouping): string {
  const p = new URLSearchParams();
  if (areaId) p.set('areaId', areaId);
  p.set('from', new Date(from).toISOString());
  p.set('to', new Date(to).toISOString());
  // rows by the 城运, 警务 or 综治 grids (多格合一), by road (路长制) or by key area as well
  if (by) p.set('by', by);
  return `/api/v1/stats.csv?${p.toString()}`;
}

/** Open cases within `radiusM` metres of a point (the case's neighbours on the map), nearest first. */
export function neighbours(events: readonly GridEvent[], of: Pick<GridEvent, 'id' | 'lng' | 'lat'>, radiusM = 1500, max = 30): GridEvent[] {
  const rad = Math.PI / 180;
  const kx = Math.cos(of.lat * rad) * 111_320;
  const out: { e: GridEvent; d: number }[] = [];
  for (const e of events) {
    if (e.id === of.id) continue;
    const d = Math.hypot((e.lng - of.lng) * kx, (e.lat - of.lat) * 110_540);
    if (d <= radiusM) out.push({ e, d });
  }
  return out.sort((a, b) => a.d - b.d).slice(0, max).map((x) => x.e);
}

/**
 * The wall's deadline watch: the cases whose clock is red or amber, in the queue's order (overdue
 * first, the longest overdue on top; then near-limit, the least time left on top), and how many
 * of each.
 */
export function deadlineWatch(events: readonly GridEvent[], nowMs: number): { rows: GridEvent[]; breached: number; near: number } {
  let breached = 0;
  let near = 0;
  const hot = events.filter((e) => {
    const c = clockColour(e, nowMs);
    if (c === 'red') breached++;
    else if (c === 'amber') near++;
    return c === 'red' || c === 'amber';
  });
  return { rows: sortQueue(hot, nowMs), breached, near };
}
