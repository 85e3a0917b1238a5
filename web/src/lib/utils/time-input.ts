/**
 * @module web/utils/time-input
 * `<input type="datetime-local">` values read and written as wall-clock time in the centre's
 * zone (the server's `TIME_ZONE`), so an audit filter or a report period means the same on every
 * computer whatever its own zone. Around a daylight-saving change a typed time may not exist (it
 * is read as the same distance past the jump) or exist twice (a range's start takes the first,
 * its end the second); `kind` says which happened so the form can tell the officer.
 */
import { wallTimeZone } from '../state/time-zone.svelte.ts';
import { formatTime } from './format.ts';
import type { Lang } from './i18n.ts';
import { resolveZonedInput, utcOffsetLabel, zonedInputValue, zoneOffsetMs, type Disambiguation, type ResolvedInput } from './time-zone.ts';

export type { ResolvedInput } from './time-zone.ts';

/** Which end of a range a typed time is: its start reads an ambiguous time early, its end late. */
export type RangeEnd = 'from' | 'to';

const disambiguation = (end: RangeEnd): Disambiguation => (end === 'to' ? 'later' : 'earlier');

/**
 * A `datetime-local` value as an instant in the zone, or null when empty or malformed.
 * @example readTimeInput('2026-11-22T09:30', 'from', 'Asia/Shanghai')?.iso // '2026-11-22T09:30:00+08:00'
 */
export function readTimeInput(value: string, end: RangeEnd = 'from', tz = wallTimeZone()): ResolvedInput | null {
  return resolveZonedInput(value, tz, disambiguation(end));
}

/** The ISO instant of a `datetime-local` value in the zone (with the zone's offset), or null. */
export function timeInputToIso(value: string, end: RangeEnd = 'from', tz = wallTimeZone()): string | null {
  return readTimeInput(value, end, tz)?.iso ?? null;
}

/** An instant as a `datetime-local` value in the zone (minutes). */
export function isoToTimeInput(ms: number, tz = wallTimeZone()): string {
  return zonedInputValue(ms, tz);
}

/**
 * A line telling the officer how a typed time that a daylight-saving change made odd was read;
 * null for an ordinary time.
 * @example timeInputNote(readTimeInput('2026-03-29T02:30', 'from', 'Europe/Berlin')!, 'from', 'en', 'Europe/Berlin')
 * // 'That time did not occur (clocks went forward): read as 03:30 UTC+2'
 */
export function timeInputNote(r: ResolvedInput, end: RangeEnd, lang: Lang, tz = wallTimeZone()): string | null {
  if (r.kind === 'exact') return null;
  const at = `${formatTime(r.ms, false, tz)} ${utcOffsetLabel(zoneOffsetMs(r.ms, tz))}`;
  if (r.kind === 'gap') return lang === 'zh' ? `该时刻因夏令时调整不存在，按 ${at} 计` : `That time did not occur (clocks went forward): read as ${at}`;
  const which = end === 'to' ? (lang === 'zh' ? '第二次' : 'second') : lang === 'zh' ? '第一次' : 'first';
  return lang === 'zh' ? `该时刻因夏令时调整出现两次，按${which}（${at}）计` : `That time occurred twice (clocks went back): read as the ${which}, ${at}`;
}
