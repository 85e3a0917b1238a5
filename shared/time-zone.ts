/**
 * @module shared/time-zone
 * Calendar arithmetic in the centre's IANA time zone (the server's `TIME_ZONE`, sent to the web in
 * `GET /api/health`), whatever the computer's own zone is: the server counts "today" and hourly
 * buckets with it, the web shows and reads times with it. Only `Intl.DateTimeFormat`
 * with `timeZone` is used, so zones with daylight saving come out right: a local day can be 23 or
 * 25 hours long, a wall-clock time can fall in a gap (spring forward) or occur twice (fall back).
 *
 * Every function is pure and takes the zone as a parameter.
 *
 * @example
 * startOfZonedDay(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin') // 2026-03-28T23:00:00Z
 * resolveZonedInput('2026-03-29T02:30', 'Europe/Berlin') // { iso: '2026-03-29T03:30:00+02:00', kind: 'gap', … }
 */

/** The server's default `TIME_ZONE`, used until the health answer names the centre's own. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = partsFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormats.set(tz, f);
  }
  return f;
}

/** Whether `tz` is an IANA zone this browser knows. */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    partsFormat(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of a moment in a zone; `weekday` 0 = Sunday. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** The wall-clock fields of instant `t` (epoch ms) in `tz`; NaN fields for an unreadable `t`. */
export function zonedParts(t: number, tz: string): ZonedParts {
  if (!Number.isFinite(t)) return { year: NaN, month: NaN, day: NaN, hour: NaN, minute: NaN, second: NaN, weekday: NaN };
  const p: Record<string, number> = {};
  for (const part of partsFormat(tz).formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const year = p.year!;
  const month = p.month!;
  const day = p.day!;
  return {
    year,
    month,
    day,
    // some engines write midnight as 24 even with h23
    hour: p.hour! % 24,
    minute: p.minute!,
    second: p.second!,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The wall-clock fields read as if they were UTC: a number to compare and subtract. */
function wallMs(p: Pick<ZonedParts, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second'>): number {
  const d = new Date(Date.UTC(2000, 0, 1, p.hour, p.minute, p.second));
  d.setUTCFullYear(p.year, p.month - 1, p.day); // years below 100 are not shifted to 19xx
  return d.getTime();
}

/**
 * The zone's offset from UTC at instant `t`, in ms (Asia/Shanghai: +8 h; Europe/Berlin: +1 h in
 * winter, +2 h in summer). Whole seconds: the zone data has no finer offsets.
 */
export function zoneOffsetMs(t: number, tz: string): number {
  const whole = t - (((t % 1000) + 1000) % 1000);
  return wallMs(zonedParts(whole, tz)) - whole;
}

/** How a wall-clock time maps to instants: once, not at all (a gap), or twice (an overlap). */
export type ZonedKind = 'exact' | 'gap' | 'overlap';
/** Which instant an ambiguous wall-clock time means in an overlap: the first or the second time the clock shows it. */
export type Disambiguation = 'earlier' | 'later';

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}

/**
 * The instant a wall-clock time in `tz` stands for, and how it mapped:
 * - `exact`: the time occurs once;
 * - `overlap`: it occurs twice (the clock went back); `disambiguation` picks the first (default)
 *   or the second;
 * - `gap`: it never occurs (the clock jumped over it); it is read with the offset before the
 *   jump, which lands as far past the jump as the time was past its start (Berlin 02:30 on the
 *   spring-forward day is 03:30 CEST) — what `Temporal` and `java.time` do.
 * Assumes no two offset changes within two days of each other, as in every zone of today.
 */
export function resolveWallTime(w: WallTime, tz: string, disambiguation: Disambiguation = 'earlier'): { ms: number; kind: ZonedKind } {
  const wall = wallMs({ year: w.year, month: w.month, day: w.day, hour: w.hour ?? 0, minute: w.minute ?? 0, second: w.second ?? 0 });
  if (!Number.isFinite(wall)) return { ms: NaN, kind: 'exact' };
  // the offsets in force well before and well after: the instant lies within 14 h of `wall`
  const before = zoneOffsetMs(wall - DAY_MS, tz);
  const after = zoneOffsetMs(wall + DAY_MS, tz);
  const fits = (ms: number) => ms + zoneOffsetMs(ms, tz) === wall;
  const candidates = [...new Set([wall - before, wall - after])].filter(fits).sort((a, b) => a - b);
  if (candidates.length === 2) return { ms: disambiguation === 'later' ? candidates[1]! : candidates[0]!, kind: 'overlap' };
  if (candidates.length === 1) return { ms: candidates[0]!, kind: 'exact' };
  return { ms: wall - before, kind: 'gap' };
}

/** Epoch ms of the local midnight that starts the day containing `t` in `tz` (or the day's first instant, where midnight itself was skipped). */
export function startOfZonedDay(t: number, tz: string): number {
  if (!Number.isFinite(t)) return NaN;
  const p = zonedParts(t, tz);
  const r = resolveWallTime({ year: p.year, month: p.month, day: p.day }, tz, 'earlier');
  if (r.kind !== 'gap') return r.ms;
  // midnight was skipped: the day begins at the jump, the first instant whose date is this day
  let lo = r.ms - DAY_MS / 4; // still the day before
  let hi = r.ms; // already this day
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    const q = zonedParts(mid, tz);
    if (q.year === p.year && q.month === p.month && q.day === p.day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The start of the local day `days` days after (or before, when negative) the day containing `t`.
 * Not `t + days × 24 h`: a local day can be 23 or 25 hours long.
 */
export function addZonedDays(t: number, days: number, tz: string): number {
  if (!Number.isFinite(t)) return NaN;
  const p = zonedParts(t, tz);
  // noon of the target date: never in a gap or an overlap, and on the right day
  const noon = new Date(Date.UTC(2000, 0, 1, 12));
  noon.setUTCFullYear(p.year, p.month - 1, p.day + days);
  return startOfZonedDay(resolveWallTime({ year: noon.getUTCFullYear(), month: noon.getUTCMonth() + 1, day: noon.getUTCDate(), hour: 12 }, tz).ms, tz);
}

/** The local hour of day (0–23) of instant `t` in `tz`. */
export function zonedHour(t: number, tz: string): number {
  return zonedParts(t, tz).hour;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An offset as ISO-8601 text: `+08:00`, `-04:00`, `+05:45`. */
export function isoOffset(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** An offset for people: `UTC+8`, `UTC-4`, `UTC+5:45`, `UTC`. */
export function utcOffsetLabel(offsetMs: number): string {
  const m = Math.round(Math.abs(offsetMs) / 60_000);
  if (m === 0) return 'UTC';
  const h = Math.floor(m / 60);
  return `UTC${offsetMs < 0 ? '-' : '+'}${h}${m % 60 ? `:${pad(m % 60)}` : ''}`;
}

/** Instant `t` as ISO-8601 wall-clock time in `tz` with its offset, e.g. `2026-03-29T03:30:00+02:00`. */
export function zonedIso(t: number, tz: string): string {
  const p = zonedParts(t, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${isoOffset(zoneOffsetMs(t, tz))}`;
}

/** Instant `t` as an `<input type="datetime-local">` value in `tz` (minutes). */
export function zonedInputValue(t: number, tz: string): string {
  const p = zonedParts(t, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

export interface ResolvedInput {
  ms: number;
  /** the instant with the zone's offset at it, for the API */
  iso: string;
  kind: ZonedKind;
}

/**
 * A `datetime-local` value (`2026-11-22T09:30`, seconds optional) read as wall-clock time in
 * `tz`; null when empty or not a real date and time. See {@link resolveWallTime} for gaps and
 * overlaps: a range's start takes the earlier of two readings, its end the later, so a range
 * typed across the repeated hour covers both.
 */
export function resolveZonedInput(value: string, tz: string, disambiguation: Disambiguation = 'earlier'): ResolvedInput | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const r = resolveWallTime({ year, month, day, hour, minute, second }, tz, disambiguation);
  if (!Number.isFinite(r.ms)) return null;
  return { ms: r.ms, iso: zonedIso(r.ms, tz), kind: r.kind };
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}
